"""Every top-level window, measured on a 1366×768 screen at one scale factor.

Usage: ``python screen_fit_child.py DATA_DIR`` with ``QT_SCALE_FACTOR`` set and
``QT_QPA_PLATFORM=offscreen:configfile=…`` giving one 1366×768 screen (see
``test_screen_fit.py``). For each window it prints one JSON line: the window's
frame, the screen's available geometry (logical pixels) and, for each action
button the window must keep visible, the button's rectangle in global
coordinates and whether it is visible. ``--shots DIR`` also saves a screenshot
of each window (``QScreen.grabWindow``) for looking at it under Xvfb.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QPushButton, QWidget

from app.contracts.profiles import install_builtin_profiles
from app.records import checklist_view, faults
from app.schedule.holidays import sync_all_holidays
from app.storage.store import Store
from app.team import bundles
from app.team.merge import Held
from ui.context import AppContext
from ui.export_dialog import ExportDialog
from ui.first_start import FirstStartDialog
from ui.forms.checklist import ChecklistForm
from ui.forms.fault import FaultForm
from ui.forms.meeting import MeetingForm
from ui.forms.request import RequestForm
from ui.keys import PassphraseDialog
from ui.main_window import MainWindow
from ui.pages.data_safety import ReportDialog
from ui.pages.knowledge import ArticleDialog, ArticleFields
from ui.pages.lists import NewRunDialog
from ui.pages.review import ReturnDialog
from ui.pages.team import BundlePassphraseDialog, BundlePreviewDialog
from ui.restore import RestoreDialog
from ui.settings import Settings
from ui.signatures import AmendDialog, MySignatureDialog, SignDialog
from ui.verify_dialog import VerifyDialog

NOW = datetime(2026, 11, 20, 10, 0)


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def whole(label: QLabel) -> dict[str, object]:
    """Whether a label shows all its text: wrapped as high as it needs, or as wide as
    its line, and across inside what clips it (a scroll area's viewport, else its window)."""
    clip: QWidget = label.window()
    parent = label.parentWidget()
    while parent is not None and parent is not clip:
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            clip = parent
            break
        parent = parent.parentWidget()
    left = label.mapTo(clip, label.rect().topLeft()).x()
    if label.wordWrap():
        tall = label.height() >= label.heightForWidth(label.width())
    else:
        tall = label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    return {
        "text": label.text(),
        "whole": tall and left >= 0 and left + label.width() <= clip.width(),
    }


def measure(
    app: QApplication,
    name: str,
    window: QWidget,
    buttons: list[QWidget],
    shots: Path | None,
    labels: tuple[QLabel, ...] = (),
) -> None:
    window.show()
    settle(app)
    screen = window.screen()
    found = []
    for button in buttons:
        top_left = button.mapToGlobal(button.rect().topLeft())
        found.append(
            {
                "text": button.text() if isinstance(button, QPushButton) else button.objectName(),
                "rect": rect(QRect(top_left, button.size())),
                "visible": button.isVisible(),
            }
        )
    print(
        json.dumps(
            {
                "window": name,
                "frame": rect(window.frameGeometry()),
                "geometry": rect(window.geometry()),
                "available": rect(screen.availableGeometry()),
                "buttons": found,
                "labels": [whole(label) for label in labels],
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    if shots is not None:
        screen.grabWindow(0).save(str(shots / f"{name}.png"))


def _bundle_report() -> bundles.ImportReport:
    """A preview with every part shown: an untrusted signer, conflicts, quarantined rows."""
    signer = bundles.Signer("0" * 36, "1A2B-3C4D-5E6F-7A8B", "张三", "ZS", False, False)
    report = bundles.ImportReport("ZS_20261120.omwbundle", "f" * 64, signer, None)
    report.new = {"inspection_run": 250, "item_result": 3000, "signature": 400}
    report.by_engineer = {"ZS": 250}
    report.quarantined = [Held("fault_record", f"{n:08d}", "内容不同") for n in range(40)]
    return report


def main() -> int:
    folder = Path(sys.argv[1])
    shots = Path(sys.argv[sys.argv.index("--shots") + 1]) if "--shots" in sys.argv else None
    app = QApplication(sys.argv[:1])
    store = Store.open(folder, actor="张工")
    with store.session() as s:
        install_builtin_profiles(s)
        sync_all_holidays(s)
    settings = Settings.load(folder)
    settings.name, settings.role, settings.contract = "张工", "运维工程师", "internet-om"
    settings.save()
    ctx = AppContext(store, settings, clock=lambda: NOW)
    day = NOW.date()
    run_id = ctx.call(
        lambda s: (
            checklist_view.run_for_occurrence(
                s,
                "internet-om",
                "server-daily",
                window_start=day,
                deadline=day,
                today=day,
                inspector="张工",
            ).id
        )
    )
    fault_id = ctx.call(
        lambda s: (
            faults.create_fault(
                s, "internet-om", title="门户无法访问", level="normal", reported_at=NOW, now=NOW
            ).id
        )
    )

    window = MainWindow(ctx)
    for page in window.pages:
        window.show_page(page)
        toolbar = window.findChild(QWidget, "mainToolbar")
        assert toolbar is not None
        measure(app, f"main-{page}", window, [window.statusBar(), toolbar], shots)

    checklist = ChecklistForm(ctx, run_id, parent=window)
    measure(app, "checklist", checklist, [checklist.complete_button, checklist.close_button], shots)
    checklist.close_guard.saved = True
    checklist.close()
    fault = FaultForm(ctx, parent=window)
    measure(app, "fault-new", fault, [fault.save_button, fault.close_button], shots)
    fault.close()
    saved = FaultForm(ctx, fault_id, parent=window)
    measure(app, "fault-saved", saved, [saved.close_button], shots, tuple(saved.verdicts.values()))
    saved.close()
    request = RequestForm(ctx, parent=window)
    request_buttons = [b for b in request.buttons.values() if b.isVisibleTo(request)]
    measure(app, "request", request, [*request_buttons, request.close_button], shots)
    request.close()
    meeting = MeetingForm(ctx, parent=window)
    meeting_buttons = [meeting.save_button, meeting.final_button, meeting.close_button]
    measure(app, "meeting", meeting, meeting_buttons, shots)
    meeting.close()

    def scrolled(widget: QWidget) -> bool:
        """Inside a scroll area: reached by scrolling, so not required on screen at once."""
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QAbstractScrollArea):
                return True
            parent = parent.parentWidget()
        return False

    def buttons_of(dialog: QWidget) -> list[QWidget]:
        return [
            b for b in dialog.findChildren(QPushButton) if b.isVisibleTo(dialog) and not scrolled(b)
        ]

    dialogs: list[tuple[str, QWidget]] = [
        ("export", ExportDialog(ctx, window)),
        ("verify", VerifyDialog(ctx, window)),
        ("first-start", FirstStartDialog(ctx, window)),
        ("restore", RestoreDialog(ctx, [], window)),
        ("sign", SignDialog(ctx, "operator", "巡检记录单", lambda _n, _i: None, window)),
        ("amend", AmendDialog(lambda _r: None, window)),
        ("my-signature", MySignatureDialog(ctx, window)),
        ("new-run", NewRunDialog(ctx, window)),
        ("passphrase", PassphraseDialog("请输入口令", True, window)),
        ("report", ReportDialog("报告", True, "通过", ["一行"] * 60, window)),
        ("return-reason", ReturnDialog("巡检记录 日常服务器巡检", lambda _r: None, window)),
        ("bundle-passphrase", BundlePassphraseDialog(True, window)),
        ("bundle-preview", BundlePreviewDialog(_bundle_report(), window)),
        (
            "article",
            ArticleDialog("新建知识条目", ArticleFields(), [("web", "网站")] * 9, print, window),
        ),
    ]
    for name, dialog in dialogs:
        measure(app, name, dialog, buttons_of(dialog), shots)
        dialog.close()
    window.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
