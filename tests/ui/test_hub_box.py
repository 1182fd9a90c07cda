"""设置 › 团队中心: the window switches a data folder to a hub and back; no password on disk."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.storage import hub
from tests.ui.test_data_safety import click, settings_page
from ui.context import AppContext


def _files_text(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*.json"))


def test_a_bad_address_changes_nothing(qtbot: QtBot, ctx: AppContext) -> None:
    window, page = settings_page(qtbot, ctx)
    box = page.hub
    assert "本机数据存储" in box.current.text()
    box.url.setText("postgresql://omw_app:secret@hub.example/omw")
    click(qtbot, box.connect_button)
    assert "不能包含口令" in page.banner.text()
    assert hub.saved_url(ctx.store.folder) is None
    window.close()


def test_connecting_saves_the_address_and_keeps_the_password_as_a_secret(
    qtbot: QtBot, ctx: AppContext, hub_url: str, memory_keyring: object
) -> None:
    window, page = settings_page(qtbot, ctx)
    box = page.hub
    box.url.setText(hub_url)
    box.password.setText("pw-2026")  # trust login on the test cluster: kept all the same
    click(qtbot, box.connect_button)
    qtbot.waitUntil(lambda: "重新启动后使用" in page.banner.text(), timeout=20_000)
    folder = ctx.store.folder
    assert hub.saved_url(folder) == hub_url and box.password.text() == ""
    assert ctx.store.secret_store().get(hub.password_name(hub_url)) == "pw-2026"
    assert "pw-2026" not in _files_text(folder)
    click(qtbot, box.local_button)
    assert hub.saved_url(folder) is None and "本机数据存储" in page.banner.text()
    window.close()
