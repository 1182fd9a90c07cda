"""The lock banner draws its icon from an SVG: no font on the laptop has to carry an emoji."""

from __future__ import annotations

import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from ui.widgets import Banner

UI = Path(__file__).resolve().parents[2] / "ui"
#: Emoji and pictographs (U+1F000…): the desktop fonts of a government laptop have none.
_PICTOGRAPHS = re.compile("[\U0001f000-\U0001faff]")


def test_the_lock_banner_shows_an_svg_icon_and_other_banners_none(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show()
    banner.show_message("已签字锁定：内容不能再修改", "lock")
    pixmap = banner.icon_label.pixmap()
    assert banner.icon_label.isVisible() and not pixmap.isNull()
    image = pixmap.toImage()
    painted = sum(
        image.pixelColor(x, y).alpha() > 0
        for x in range(image.width())
        for y in range(image.height())
    )
    assert painted > 10, "the lock icon rendered empty"
    banner.show_message("提示", "info")
    assert not banner.icon_label.isVisible()


def test_no_window_text_relies_on_an_emoji() -> None:
    found = [
        f"{path.relative_to(UI)}:{n}"
        for path in sorted(UI.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PICTOGRAPHS.search(line)
    ]
    assert found == []
