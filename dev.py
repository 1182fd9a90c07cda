#!/usr/bin/env python3
"""Set up and run OM Workbench from a fresh clone, on Linux, macOS or Windows.

    python dev.py app [omw arguments…]      install what is needed, then start the app
    python dev.py test [pytest arguments…]  install what is needed, then run every test
    python dev.py lock [uv arguments…]      refresh requirements.lock from pyproject.toml
                                            (keeps the pins it can; --upgrade moves them all,
                                            --upgrade-package NAME one)

It creates ``.venv`` next to this file (once) and, whenever ``pyproject.toml``,
``setup.py`` or ``requirements.lock`` changed, installs the exact, hash-checked
releases of ``requirements.lock`` (the dependencies and the test extras), then
the project itself in editable mode without its dependencies. ``lock`` installs
uv into ``.venv`` and recompiles the lock for every platform (Python 3.11+).
Only the standard library is used here.
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
LOCK = ROOT / "requirements.lock"
#: What decides a re-install: the declared dependencies, the packaging, the lock.
INSTALL_INPUTS = ("pyproject.toml", "setup.py", LOCK.name)
#: The resolver that writes the lock (installed into .venv by ``lock`` only).
UV = "uv>=0.9,<1"
LOCK_COMMAND = "python3 dev.py lock"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _pip(python: Path) -> list[str]:
    return [str(python), "-m", "pip", "--disable-pip-version-check"]


def _create_venv() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs under any python3
        sys.exit("需要 Python 3.11 或更高版本 / Python 3.11+ is required")
    python = venv_python()
    if not python.exists():
        print("创建虚拟环境 / creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    return python


def install_inputs_digest() -> str:
    digest = hashlib.sha256()
    for name in INSTALL_INPUTS:
        path = ROOT / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()


def ensure_environment() -> Path:
    python = _create_venv()
    if not LOCK.exists():
        sys.exit(f"缺少 {LOCK.name}，请先运行 / {LOCK.name} is missing, run: {LOCK_COMMAND}")
    wanted = install_inputs_digest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("安装依赖 / installing dependencies …", flush=True)
        pip = _pip(python)
        subprocess.run([*pip, "install", "-q", "--upgrade", "pip"], check=True)
        # exactly the locked releases, each checked against its hash
        subprocess.run([*pip, "install", "-q", "--require-hashes", "-r", str(LOCK)], check=True)
        # the project itself; its build backend (setuptools) comes from the lock too
        subprocess.run(
            [*pip, "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
            check=True,
        )
        if subprocess.run([*pip, "check"], stdout=subprocess.DEVNULL).returncode:
            subprocess.run([*pip, "check"])
            sys.exit(
                f"{LOCK.name} 与 pyproject.toml 不一致，请运行 / "
                f"{LOCK.name} does not satisfy pyproject.toml, run: {LOCK_COMMAND}"
            )
        STAMP.write_text(wanted)
    return python


def lock(extra: list[str]) -> int:
    """Recompile requirements.lock (with hashes, for every platform) from pyproject.toml."""
    python = _create_venv()
    subprocess.run([*_pip(python), "install", "-q", UV], check=True)
    command = [str(python), "-m", "uv", "pip", "compile", "pyproject.toml"]
    command += ["--extra", "test", "--universal", "--python-version", "3.11"]
    command += ["--generate-hashes", "--output-file", LOCK.name]
    command += ["--custom-compile-command", LOCK_COMMAND, *extra]
    return subprocess.run(command, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("app", "test", "lock"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lock":
        return lock(rest)
    python = str(ensure_environment())
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
