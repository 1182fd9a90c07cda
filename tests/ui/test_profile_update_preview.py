"""The import preview and the 团队 page's message name a contract profile the bundle updates,
and a 启用日期 that differs from the bundle's."""

from __future__ import annotations

from datetime import date

from pytestqt.qtbot import QtBot

from app.team import bundles
from app.team.merge import StartDate
from app.team.profiles import ProfileUpdate
from ui.pages.team import BundlePreviewDialog, profile_line, start_date_line


def test_the_preview_says_which_profile_version_arrives_and_from_whom(qtbot: QtBot) -> None:
    signer = bundles.Signer("d" * 36, "1A2B-3C4D-5E6F-7A8B", "王经理", "WJ", True, False)
    update = ProfileUpdate("portal-om", "门户应用运维服务项目", 3, "王经理")
    report = bundles.ImportReport("pm.omwb", "0" * 64, signer, None, profiles=[update])
    dialog = BundlePreviewDialog(report, None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    text = dialog.details.toPlainText()
    assert "合同档案已更新（版本 3，来自 王经理）：portal-om 门户应用运维服务项目" in text
    assert profile_line(update) in text and dialog.ok.isEnabled()


def test_the_preview_says_whose_start_date_applies(qtbot: QtBot) -> None:
    signer = bundles.Signer("d" * 36, "1A2B-3C4D-5E6F-7A8B", "王经理", "WJ", True, False)
    taken = StartDate("portal-om", None, date(2026, 10, 8), taken=True)
    kept = StartDate("internet-om", date(2026, 12, 1), date(2026, 10, 8), taken=False)
    report = bundles.ImportReport("pm.omwb", "0" * 64, signer, None, start_dates=[taken, kept])
    dialog = BundlePreviewDialog(report, None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    text = dialog.details.toPlainText()
    assert "启用日期：合同 portal-om 采用交换包中的 2026-10-08（本机原为未声明，尚无记录）" in text
    assert (
        "！启用日期：合同 internet-om 本机为 2026-12-01，交换包中为 2026-10-08。本机已有记录，"
        "保留本机的；要与之一致，在「设置」→「启用日期…」中改为 2026-10-08。"
    ) in text
    assert [start_date_line(s) for s in (taken, kept)] == [s.line() for s in (taken, kept)]
