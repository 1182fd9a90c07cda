"""The checklist form driven by keyboard and mouse: exceptions, 其余全部正常, signing, faults."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from app.records import attachments, checklist_view, drafts, faults, signing
from tests.factories import png_bytes
from tests.ui.conftest import NOW, Keyboard, activate, answer_unsaved, top_level, wait_window
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.forms.fault import FaultForm
from ui.main_window import MainWindow
from ui.signature_pad import SignaturePad
from ui.signatures import AmendDialog, SignDialog

CTRL = Qt.KeyboardModifier.ControlModifier


def start(ctx: AppContext, template: str = "daily-server") -> str:
    day = NOW.date()
    return ctx.call(
        lambda s: (
            checklist_view.run_for_occurrence(
                s,
                "test-portal",
                template,
                window_start=day,
                deadline=day,
                today=day,
                inspector="张工",
            ).id
        )
    )


def open_form(qtbot: QtBot, window: MainWindow, run_id: str) -> ChecklistForm:
    window.open_run(run_id)
    form = window.forms[f"inspection_run:{run_id}"]
    assert isinstance(form, ChecklistForm)
    qtbot.waitExposed(form)
    qtbot.waitUntil(lambda: form.current is not None)
    return form


def draw(qtbot: QtBot, pad: SignaturePad, strokes: int = 2) -> None:
    for n in range(strokes):
        y = 30 + 25 * n
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, y))
        for x in range(70, 300, 20):
            qtbot.mouseMove(pad, QPoint(x, y + (x // 20) % 3 * 6))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, y))


def sign_dialog(qtbot: QtBot) -> SignDialog:
    return wait_window(qtbot, SignDialog)


def test_today_page_opens_the_daily_checklist_with_enter(
    qtbot: QtBot, window: MainWindow, keyboard: Keyboard
) -> None:
    today = window.pages["today"]
    table = today.table  # type: ignore[attr-defined]
    model = today.model  # type: ignore[attr-defined]
    row = next(
        n
        for n in range(model.rowCount())
        if model.row_at(n).item.code == "daily-server" and model.row_at(n).code == "due"
    )
    table.setFocus()
    table.setCurrentIndex(model.index(row, 0))
    keyboard.enter()
    qtbot.waitUntil(lambda: any(k.startswith("inspection_run:") for k in window.forms))
    form = next(iter(window.forms.values()))
    assert isinstance(form, ChecklistForm)
    assert form.run.period == NOW.date().isoformat() and len(form.rows) == 12


def test_a_whole_daily_checklist_with_exceptions_is_completed_and_signed(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx))
    rows = form.rows
    assert [r.view.title for r in rows[:4]] == [
        "服务器状态",
        "磁盘空间使用率",
        "应用程序日志",
        "监控截图",
    ]
    assert form.current is rows[0]

    keyboard.type("1")  # 门户应用 服务器状态 正常 → next item
    assert rows[0].view.status == "normal" and form.current is rows[1]
    keyboard.type("72")  # typed in place on the number item
    keyboard.enter()
    assert rows[1].view.status == "normal" and form.current is rows[2]
    keyboard.type("无新增错误")
    keyboard.enter()
    assert rows[2].view.value_text == "无新增错误"
    keyboard.type("1")  # 监控截图
    assert form.current is rows[4]

    keyboard.type("3")  # 数据交换应用 服务器状态 异常: the note is asked for
    assert rows[4].view.status == "abnormal"
    assert QApplication.focusWidget() is rows[4].note
    keyboard.type("服务进程异常退出")
    keyboard.enter()
    assert rows[4].view.note == "服务进程异常退出"
    assert QApplication.focusWidget() is rows[4].action  # 异常 needs a 处理措施 (or a fault)
    keyboard.type("已重启服务")
    keyboard.enter()
    assert rows[4].view.action == "已重启服务" and form.current is rows[5]
    keyboard.type("96")  # beyond the alarm threshold: 异常 by itself, with its note
    keyboard.enter()
    assert rows[5].view.status == "abnormal"
    assert rows[5].view.note == "磁盘空间使用率 96%，达到异常阈值 95%"
    assert QApplication.focusWidget() is rows[5].action
    keyboard.type("已清理日志")
    keyboard.enter()

    qtbot.mouseClick(form.rest_button, Qt.MouseButton.LeftButton)  # 其余全部正常
    assert [rows[n].view.status for n in (7, 8, 11)] == ["normal"] * 3
    assert form.current is rows[9]  # the one required item left: API 磁盘
    keyboard.type("80")
    keyboard.enter()
    assert rows[9].view.status == "normal"

    keyboard.press(Qt.Key.Key_Return, CTRL)  # 完成并签字
    dialog = sign_dialog(qtbot)
    assert dialog.role == "运维人员" and dialog.name.text() == "张工"
    draw(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.locked)

    assert form.run.status == "signed"
    assert form.run.conclusion == "发现 2 项异常，详见异常情况及处理措施。"
    assert form.lock_banner.isVisible() and "锁定" in form.lock_banner.text()
    assert form.amend_button.isVisible()
    assert not form.signatures.buttons["运维人员"].isVisible()
    assert form.signatures.images["运维人员"].pixmap() is not None
    activate(qtbot, form)
    form.rows[0].setFocus()
    keyboard.type("3")  # a locked record does not change
    assert form.rows[0].view.status == "normal"
    assert rows[1].edits[0].isReadOnly()

    qtbot.mouseClick(form.signatures.buttons["甲方确认"], Qt.MouseButton.LeftButton)
    client = sign_dialog(qtbot)
    assert client.role == "甲方确认" and client.name.text() == ""
    assert not client.saved_box.isVisible() and not client.remember.isVisible()
    client.name.setFocus()
    keyboard.type("李主任")
    draw(qtbot, client.pad, strokes=1)
    qtbot.mouseClick(client.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not form.signatures.buttons["甲方确认"].isVisible())
    signed = ctx.call(
        lambda s: [
            (x.role, x.signer_name) for x in signing.signatures_of(s, "inspection_run", form.run_id)
        ]
    )
    assert signed == [("运维人员", "张工"), ("甲方确认", "李主任")]
    assert ctx.call(lambda s: signing.verify_record(s, "inspection_run", form.run_id).ok)


def test_a_fault_is_opened_from_an_abnormal_item_prefilled_and_linked(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx))
    keyboard.type("3")
    keyboard.type("无法访问")
    keyboard.enter()
    form.rows[0].setFocus()
    keyboard.press(Qt.Key.Key_G, CTRL)  # 生成故障单
    qtbot.waitUntil(lambda: top_level(FaultForm) is not None)
    fault_form = top_level(FaultForm)
    assert isinstance(fault_form, FaultForm)
    assert fault_form.lines["title"].text() == "门户应用 服务器状态 异常"
    assert fault_form.texts["symptom"].toPlainText() == "无法访问"
    assert fault_form.choices["discovery"].currentData() == "inspection"
    assert fault_form.times["reported"].value() == NOW
    assert form.rows[0].fault_button.text() == f"故障单 {fault_form.record['number']}"
    assert not form.rows[0].fault_button.isEnabled()
    fault = ctx.call(lambda s: faults.get_fault(s, str(fault_form.fault_id)))
    assert fault.source_result_id == form.rows[0].view.result_id

    qtbot.mouseClick(fault_form.times["responded"].now_button, Qt.MouseButton.LeftButton)
    assert fault_form.verdicts["responded"].text().startswith("目标 15分钟 · 达标")
    assert "剩余" in fault_form.verdicts["recovered"].text()


def test_two_counts_that_disagree_are_flagged_and_links_are_typed_in_place(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx, "push-check"))
    pair, link, remark = form.rows
    keyboard.type("120")
    keyboard.enter()
    assert QApplication.focusWidget() is pair.edits[1]
    keyboard.type("118")
    keyboard.enter()
    assert pair.view.status == "abnormal" and pair.view.mismatch
    assert pair.view.note == "申报量 120 与已发送的申报量 118 不一致（差 2）"
    assert "#fdecea" in pair.styleSheet()
    assert QApplication.focusWidget() is pair.action  # 异常: what was done about it
    keyboard.type("已重新推送")
    keyboard.enter()
    assert form.current is link
    keyboard.type("http://push.example.gov.local/item?id=7")
    keyboard.enter()
    assert link.view.value_text == "http://push.example.gov.local/item?id=7"
    link.setFocus()
    keyboard.type("1")
    assert link.view.status == "normal" and form.current is remark
    keyboard.type("bad url")
    keyboard.press(Qt.Key.Key_Up)
    assert remark.view.value_text == "bad url"  # text items take any text


def test_an_invalid_link_is_refused_with_the_services_message(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx, "push-check"))
    form.rows[1].setFocus()
    keyboard.type("not a link")
    keyboard.enter()
    assert "不是有效的 http(s) 地址" in form.banner.text()
    assert form.rows[1].view.value_text == ""
    assert form.rows[1].edits[0].dirty


def test_evidence_is_pasted_onto_an_item_and_dropped_onto_the_run(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = open_form(qtbot, window, start(ctx))
    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("#1a73e8"))
    QApplication.clipboard().setImage(image)
    photo_row = form.rows[3]
    photo_row.setFocus()
    keyboard.press(Qt.Key.Key_V, CTRL)
    assert photo_row.view.attachments == 1
    assert photo_row.photo_button.text() == "照片 1"

    mime = QMimeData()
    mime.setImageData(image)
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    form.photos.dropEvent(drop)
    assert form.photos.count() == 1
    names = ctx.call(
        lambda s: [a.mime for a in attachments.list_attachments(s, "inspection_run", form.run_id)]
    )
    assert names == ["image/png"]


def test_typing_is_kept_as_a_draft_when_the_form_closes_with_save_draft(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    run_id = start(ctx)
    form = open_form(qtbot, window, run_id)
    keyboard.type("3")
    keyboard.type("日志报错")
    key = f"note:{form.rows[0].view.result_id}"
    qtbot.waitUntil(
        lambda: (
            ctx.call(lambda s: drafts.load(s, f"inspection_run:{run_id}")).get(key) == "日志报错"
        )
    )
    form.conclusion.setFocus()
    assert form.rows[0].view.note == "日志报错"  # leaving the field saved it into the run
    keyboard.type("ok")
    assert not form.close()  # the conclusion is not saved yet: it asks first
    answer_unsaved(qtbot, "unsavedKeep")
    qtbot.waitUntil(lambda: not form.isVisible())
    saved = ctx.call(lambda s: drafts.load(s, f"inspection_run:{run_id}"))
    assert saved.get("conclusion") == "ok" and "_open" not in saved and saved.get("_kept")


def test_a_signed_run_is_corrected_by_an_amendment_with_a_reason(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    run_id = start(ctx, "push-check")
    form = open_form(qtbot, window, run_id)
    keyboard.type("5")
    keyboard.enter()
    keyboard.type("5")
    keyboard.enter()
    keyboard.type("1")
    keyboard.type("正常")
    keyboard.enter()
    keyboard.press(Qt.Key.Key_Return, CTRL)
    dialog = sign_dialog(qtbot)
    draw(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.locked)

    qtbot.mouseClick(form.amend_button, Qt.MouseButton.LeftButton)
    amend = wait_window(qtbot, AmendDialog)
    amend.reason.setFocus()
    keyboard.type("推送数量抄错")
    qtbot.mouseClick(amend.findChild(QPushButton, "amendButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len([k for k in window.forms if k.startswith("inspection_run:")]) == 1)
    (key,) = window.forms
    assert key != f"inspection_run:{run_id}"
    amended = window.forms[key]
    assert isinstance(amended, ChecklistForm)
    assert amended.run.status == "draft" and not amended.locked
    assert "推送数量抄错" in amended.lock_banner.text()
    assert (
        ctx.call(lambda s: signing.latest_version(s, "inspection_run", run_id).id) == amended.run_id
    )


def test_signing_with_the_saved_signature_needs_the_pin(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    from app.records import signature_vault

    signature_vault.save_signature(ctx.store.folder, "张工", png_bytes(), "2468")
    form = open_form(qtbot, window, start(ctx, "push-check"))
    for text in ("5", "5", "1"):
        keyboard.type(text)
        if text == "5":
            keyboard.enter()
    keyboard.type("无")
    keyboard.enter()
    keyboard.press(Qt.Key.Key_Return, CTRL)
    dialog = sign_dialog(qtbot)
    assert dialog.saved_box.isVisible() and QApplication.focusWidget() is dialog.pin
    keyboard.type("1111")
    keyboard.enter()
    assert "PIN" in dialog.banner.text() and not form.locked
    dialog.pin.clear()
    keyboard.type("2468")
    keyboard.enter()
    qtbot.waitUntil(lambda: form.locked)
    image = ctx.call(
        lambda s: attachments.blob_bytes(
            s, signing.signatures_of(s, "inspection_run", form.run_id)[0].image_sha256
        )
    )
    assert image == png_bytes()
    assert isinstance(dialog.findChild(QLineEdit, "signerName"), QLineEdit)
