"""``python3 dev.py app`` says which system libraries Qt's window lacks, and how to install them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _dev()

LDD = """/x/libqxcb.so:
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /x/../../lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
/x/libQt6XcbQpa.so.6:
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
\tlibmystery.so.9 => not found
"""


def test_missing_libraries_are_read_from_ldd() -> None:
    assert dev.not_found(LDD) == [
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxkbcommon-x11.so.0",
        "libmystery.so.9",
    ]


def test_the_advice_gives_the_exact_install_command_per_distribution() -> None:
    advice = dev.install_advice(dev.not_found(LDD))
    assert "sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxkbcommon-x11-0" in advice
    assert "sudo dnf install -y libxkbcommon-x11 xcb-util-cursor xcb-util-wm" in advice
    assert "统信 UOS" in advice and "Kylin" in advice
    assert "libmystery.so.9" in advice  # not in the table: named, not dropped


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xcb is Linux only")
def test_this_machine_has_every_library_the_window_needs() -> None:
    """CI installs them (.ci/run); a developer machine without them gets the advice instead."""
    assert dev.missing_qt_libraries(sys.executable) == []


def test_headless_runs_and_commands_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dev, "missing_qt_libraries", lambda _python: ["libxcb-cursor.so.0"])
    monkeypatch.setattr(dev.sys, "platform", "linux")
    assert dev.check_qt_libraries("py", {"QT_QPA_PLATFORM": "offscreen"}) == ""
    assert "libxcb-cursor0" in dev.check_qt_libraries("py", {"DISPLAY": ":0"})
    assert dev.starts_window([]) and dev.starts_window(["--data-dir", "/tmp/x", "--as", "张三"])
    assert not dev.starts_window(["due", "--contract", "portal-om"])
    assert not dev.starts_window(["--data-dir", "/tmp/x", "check"])


class _Cluster:
    url = "postgresql://postgres@/postgres?host=/tmp/x&port=5"

    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_the_tests_get_a_postgresql_cluster_that_is_stopped_however_they_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster = _Cluster()
    pg = dev._pg_cluster()
    monkeypatch.setattr(pg, "start", lambda: cluster)
    monkeypatch.setattr(dev, "_pg_cluster", lambda: pg)
    seen: dict[str, str] = {}

    def pytest_run(command: list[str], cwd: Path, env: dict[str, str]) -> object:
        seen.update(env)
        raise KeyboardInterrupt  # the developer pressed Ctrl-C

    monkeypatch.setattr(dev.subprocess, "run", pytest_run)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    with pytest.raises(KeyboardInterrupt):
        dev.run_tests(["pytest"], {})
    assert seen[pg.ENV_URL] == cluster.url and cluster.stopped
    # a URL given by the caller is used as it is, and no cluster is started
    monkeypatch.setattr(pg, "start", lambda: pytest.fail("started a cluster"))
    monkeypatch.setattr(dev.subprocess, "run", lambda *a, **k: type("R", (), {"returncode": 0}))
    assert dev.run_tests(["pytest"], {pg.ENV_URL: "postgresql://elsewhere/x"}) == 0
