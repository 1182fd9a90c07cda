#!/usr/bin/env python3
"""Set up and run OM Workbench from a fresh clone, on Linux, macOS or Windows.

    python dev.py app [omw arguments…]      install what is needed, then start the app
                                            (on Linux it first checks the system libraries
                                            Qt's window needs and prints how to install them)
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


# --------------------------------------------------------------------------- Qt's system libraries

#: Libraries Qt's xcb (X11) platform plugin loads, by soname, with the package providing
#: each on Debian/Ubuntu (also UOS and Kylin, both Debian-based) and on Fedora (dnf).
#: From ``ldd`` of PySide6 6.8–6.11's ``libqxcb.so`` and ``libQt6XcbQpa.so.6``.
XCB_PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}
#: Platforms that do not need an X server (then nothing is checked).
_HEADLESS = ("offscreen", "minimal", "vnc", "wayland", "eglfs", "linuxfb")


def missing_qt_libraries(python: str) -> list[str]:
    """Sonames the xcb platform plugin of the venv's PySide6 cannot find (``ldd``), if any."""
    probe = (
        "import pathlib, PySide6; q = pathlib.Path(PySide6.__file__).parent / 'Qt';"
        "print(q / 'plugins' / 'platforms' / 'libqxcb.so'); print(q / 'lib' / 'libQt6XcbQpa.so.6')"
    )
    found = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    libraries = [line for line in found.stdout.splitlines() if Path(line).exists()]
    if found.returncode or not libraries:
        return []  # a PySide6 without the xcb plugin: nothing to check here
    try:
        listed = subprocess.run(["ldd", *libraries], capture_output=True, text=True)
    except OSError:  # no ldd (not glibc): Qt will say what is missing itself
        return []
    return not_found(listed.stdout)


def not_found(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``=> not found``, in order, once each."""
    missing: list[str] = []
    for line in ldd_output.splitlines():
        name, _, where = line.strip().partition(" => ")
        if where.strip() == "not found" and name not in missing:
            missing.append(name)
    return missing


def install_advice(missing: list[str]) -> str:
    """What to tell a user whose system lacks ``missing``: the exact commands, per family."""
    debian = sorted({XCB_PACKAGES[m][0] for m in missing if m in XCB_PACKAGES})
    fedora = sorted({XCB_PACKAGES[m][1] for m in missing if m in XCB_PACKAGES})
    unknown = [m for m in missing if m not in XCB_PACKAGES]
    lines = [
        "运维工作台的窗口需要以下系统库，本机缺少："
        "(the window needs these system libraries, missing here:)",
        "  " + " ".join(missing),
        "",
    ]
    if debian:
        lines += [
            "Debian / Ubuntu / 统信 UOS / 银河麒麟 Kylin (apt):",
            "  sudo apt-get install -y " + " ".join(debian),
            "Fedora / openEuler / 中标麒麟 NeoKylin (dnf):",
            "  sudo dnf install -y " + " ".join(fedora),
        ]
    if unknown:
        lines.append("其他缺少的库 (other missing libraries): " + " ".join(unknown))
    lines += ["", "安装后重新运行 (then run again): python3 dev.py app"]
    return "\n".join(lines)


def check_qt_libraries(python: str, env: dict[str, str]) -> str:
    """The advice to print when the window cannot start on this Linux system, else ''."""
    if not sys.platform.startswith("linux") or env.get("QT_QPA_PLATFORM", "").startswith(_HEADLESS):
        return ""
    if not env.get("DISPLAY") and env.get("WAYLAND_DISPLAY"):
        return ""  # a Wayland session without XWayland: Qt uses its wayland plugin
    missing = missing_qt_libraries(python)
    return install_advice(missing) if missing else ""


def starts_window(args: list[str]) -> bool:
    """Whether ``omw args`` opens the window: no subcommand among them (``--data-dir X`` may be)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--data-dir", "--as"):
            skip = True
        elif not arg.startswith("-"):
            return False
    return "-h" not in args and "--help" not in args


def _pg_cluster():
    import importlib.util

    spec = importlib.util.spec_from_file_location("pg_cluster", ROOT / "scripts" / "pg_cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tests(command: list[str], env: dict[str, str]) -> int:
    """Run pytest with a throw-away PostgreSQL cluster for the hub tests, if one can start.

    Without PostgreSQL the hub tests skip (and fail under ``CI=true``, where ``.ci/run``
    installs it); the cluster is stopped when the tests end, however they end.
    """
    pg = _pg_cluster()
    cluster = None
    if env.get(pg.ENV_URL) is None and sys.platform.startswith("linux"):
        try:
            cluster = pg.start()
        except (OSError, KeyError, subprocess.CalledProcessError) as exc:
            print(f"PostgreSQL 未能启动，团队中心的测试将跳过 / could not start PostgreSQL: {exc}")
        if cluster is not None:
            env[pg.ENV_URL] = cluster.url
    try:
        return subprocess.run(command, cwd=ROOT, env=env).returncode
    finally:
        if cluster is not None:
            cluster.stop()


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
        return run_tests([python, "-m", "pytest", *rest], env)
    else:
        advice = check_qt_libraries(python, env) if starts_window(rest) else ""
        if advice:
            print(advice, file=sys.stderr)
            return 1
        args = [python, "-m", "app", *rest]
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
