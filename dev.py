#!/usr/bin/env python3
"""Set up and run OM Workbench from a fresh clone, on Linux, macOS or Windows.

    python dev.py app [omw arguments…]   install what is needed, then start the app
    python dev.py test [pytest arguments…]  install what is needed, then run every test

It creates ``.venv`` next to this file (once), installs the project with its
test extras into it when ``pyproject.toml`` changed, and runs the command with
that interpreter. Only the standard library is used here.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".omw-installed"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_environment() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3
        sys.exit("需要 Python 3.11 或更高版本 / Python 3.11+ is required")
    python = venv_python()
    if not python.exists():
        print("创建虚拟环境 / creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("安装依赖 / installing dependencies …", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-q", "-e", f"{ROOT}[test]"], check=True)
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test"):
        print(__doc__)
        return 2
    python = str(ensure_environment())
    command, rest = argv[0], argv[1:]
    env = dict(os.environ)
    if command == "test":
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        lint = subprocess.run([python, "-m", "ruff", "check", str(ROOT)], cwd=ROOT)
        if lint.returncode:
            return lint.returncode
        args = [python, "-m", "pytest", *rest]
    else:
        args = [python, "-m", "app", *rest]
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
