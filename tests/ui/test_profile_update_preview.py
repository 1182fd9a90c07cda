"""The import preview and the 团队 page's message name a contract profile the bundle updates."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.team import bundles
from app.team.profiles import ProfileUpdate
from ui.pages.team import BundlePreviewDialog, profile_line


def test_the_preview_says_which_profile_version_arrives_and_from_whom(qtbot: QtBot) -> None:
    signer = bundles.Signer("d" * 36, "1A2B-3C4D-5E6F-7A8B", "王经理", "WJ", True, False)
    update = ProfileUpdate("portal-om", "门户应用运维服务项目", 3, "王经理")
    report = bundles.ImportReport("pm.omwb", "0" * 64, signer, None, profiles=[update])
    dialog = BundlePreviewDialog(report, None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    text = dialog.details.toPlainText()
    assert "合同档案已更新（版本 3，来自 王经理）：portal-om 门户应用运维服务项目" in text
    assert profile_line(update) in text and dialog.ok.isEnabled()
