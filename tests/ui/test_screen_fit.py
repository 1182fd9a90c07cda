"""Every top-level window fits a 1366×768 screen at 100, 125 and 150 % and keeps its buttons.

Each factor runs in a child process (``QT_SCALE_FACTOR`` must be set before Qt starts)
on the offscreen platform configured with one 1366×768 screen, so the logical screen
is 1366×768, 1093×614 and 911×512. The child (``screen_fit_child.py``) shows the
main window on each page, the checklist (the nine-system internet-om daily check),
a new and a saved fault, the service request quick entry, a new meeting's minutes and
the dialogs, and reports
each window's frame and its action buttons; here each frame must lie inside the
screen's available geometry and each button, visible, inside its window (long content
scrolls; 完成并签字, 保存, 关闭 stay outside the scroll areas). The saved fault's SLA
verdicts must show whole: wrapped in their column, never cut at the window's edge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui import screen_fit_child
from ui.main_window import PAGE_KEYS

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"width": 1366, "height": 768}
#: The windows the child measures (all must be reported).
WINDOWS = {
    *(f"main-{page}" for page in PAGE_KEYS),
    "checklist",
    "fault-new",
    "fault-saved",
    "request",
    "meeting",
    "export",
    "verify",
    "first-start",
    "restore",
    "sign",
    "amend",
    "my-signature",
    "new-run",
    "passphrase",
    "report",
    "return-reason",
    "bundle-passphrase",
    "bundle-preview",
    "article",
}


def inside(inner: list[int], outer: list[int]) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox and y >= oy and x + w <= ox + ow and y + h <= oy + oh


def measure(tmp_path: Path, factor: str) -> list[dict[str, object]]:
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, **SCREEN, "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": [screen]}))
    data = tmp_path / "data"
    data.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OMW_", "QT_", "KEYRING"))
    }
    env |= {
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": factor,
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "OMW_DATA_DIR": str(data),
        "OMW_PASSPHRASE": "screen-fit-passphrase",  # the child's device key file
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [sys.executable, screen_fit_child.__file__, str(data)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
@pytest.mark.parametrize("factor", ["1", "1.25", "1.5"])
def test_every_window_fits_the_screen_and_keeps_its_buttons_visible(
    tmp_path: Path, factor: str
) -> None:
    windows = measure(tmp_path, factor)
    assert {str(w["window"]) for w in windows} == WINDOWS
    expected = [round(SCREEN["width"] / float(factor)), round(SCREEN["height"] / float(factor))]
    problems = []
    for window in windows:
        name, frame, available = window["window"], window["frame"], window["available"]
        assert isinstance(frame, list) and isinstance(available, list)
        assert [abs(a - e) <= 1 for a, e in zip(available[2:], expected, strict=True)] == [
            True,
            True,
        ], available
        if not inside(frame, available):
            problems.append(f"{name}: frame {frame} outside the screen {available}")
        buttons = window["buttons"]
        assert isinstance(buttons, list) and buttons, name
        for button in buttons:
            if not button["visible"] or not inside(button["rect"], frame):
                problems.append(f"{name}: 「{button['text']}」 {button['rect']} not in {frame}")
        for label in window.get("labels", []):  # texts that must show whole (SLA verdicts)
            if not label["whole"]:
                problems.append(f"{name}: 「{label['text']}」 is cut")
    assert problems == []
