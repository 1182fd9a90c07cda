"""The fault form: 「现在」 buttons and typed times with live SLA verdicts, save, close, sign;
times checked as they are typed, and the report sections the profile requires before 关闭."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.records import drafts, faults, signing
from app.storage.store import Store
from tests.ui.conftest import NOW, Keyboard, activate, make_ctx, wait_window
from tests.ui.test_checklist import draw, sign_dialog
from ui.context import AppContext
from ui.forms.fault import FaultForm
from ui.main_window import MainWindow


def new_fault(qtbot: QtBot, window: MainWindow) -> FaultForm:
    window.open_fault()
    return wait_window(qtbot, FaultForm)


def test_a_new_fault_is_timed_with_now_buttons_saved_closed_and_signed(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = new_fault(qtbot, window)
    assert form.is_new and form.times["reported"].value() == NOW
    assert "剩余 15分钟" in form.verdicts["responded"].text()
    form.lines["title"].setFocus()
    keyboard.type("门户首页打不开")
    qtbot.waitUntil(
        lambda: (
            ctx.call(lambda s: drafts.load(s, form.saver.form_key)).get("title") == "门户首页打不开"
        )
    )
    form.choices["level"].setCurrentIndex(form.choices["level"].findData("major"))
    qtbot.mouseClick(form.times["responded"].now_button, Qt.MouseButton.LeftButton)
    assert form.verdicts["responded"].text() == "目标 15分钟 · 达标（用时 0分钟）"
    assert "目标 2小时" in form.verdicts["recovered"].text()

    form.times["onsite"].edit.setFocus()
    keyboard.type("2026-11-20 09:30")
    keyboard.press(Qt.Key.Key_Tab)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "到场时间不能早于响应时间" in form.banner.text() and form.is_new
    form.times["onsite"].edit.clear()
    new_key = form.saver.form_key
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.is_new and form.record["number"] == "GZ-202611-0001"
    assert ctx.call(lambda s: drafts.load(s, new_key)) == {}  # the draft became the record

    form.texts["cause"].setFocus()
    keyboard.type("证书过期")
    form.lines["title"].setFocus()  # leaving the field stores it
    assert ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)).cause) == "证书过期"
    qtbot.mouseClick(form.times["recovered"].now_button, Qt.MouseButton.LeftButton)
    assert form.verdicts["recovered"].text().startswith("目标 2小时 · 达标")
    assert not form.signatures.buttons["运维人员"].isEnabled()
    qtbot.mouseClick(form.times["closed"].now_button, Qt.MouseButton.LeftButton)
    assert form.signatures.buttons["运维人员"].isEnabled()

    qtbot.mouseClick(form.signatures.buttons["运维人员"], Qt.MouseButton.LeftButton)
    dialog = sign_dialog(qtbot)
    draw(qtbot, dialog.pad)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.locked)
    assert form.lines["title"].isReadOnly() and form.amend_button.isVisible()
    assert ctx.call(lambda s: signing.is_locked(s, "fault_record", str(form.fault_id)))


def test_an_unanswered_fault_counts_down_and_shows_overdue(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    fault_id = ctx.call(
        lambda s: (
            faults.create_fault(
                s,
                "test-portal",
                title="接口超时",
                level="major",
                reported_at=NOW - timedelta(minutes=40),
                now=NOW,
            ).id
        )
    )
    window.refresh_status()
    assert "响应 超时 25分钟" in window.clocks.text()
    window.open_fault(fault_id)
    form = wait_window(qtbot, FaultForm)
    assert "超时 25分钟" in form.verdicts["responded"].text()
    assert "color:#c62828" in form.verdicts["responded"].styleSheet()
    assert "剩余 1小时20分钟" in form.verdicts["recovered"].text()


def test_the_outage_is_chosen_filled_from_the_timeline_and_stored(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    form = new_fault(qtbot, window)
    form.lines["title"].setText("门户首页打不开")
    form.choices["system_code"].setCurrentIndex(form.choices["system_code"].findData("portal"))
    reported = NOW - timedelta(minutes=50)
    form.times["reported"].set_value(reported)
    assert not form.outage_systems.isEnabled() and form.outage_times["start"].edit.isReadOnly()
    # 「是」: 中断开始 is the report time, the fault's own system is the one down
    form.outage.setCurrentIndex(form.outage.findData("yes"))
    assert form.outage_times["start"].value() == reported
    assert form._checked_systems() == ["portal"] and form.outage_systems.text() == "门户应用"
    assert not form.outage_times["start"].edit.isReadOnly() and form.outage_systems.isEnabled()
    form.system_actions["api"].trigger()  # a second system was down too
    assert form.outage_systems.text() == "门户应用、API接口应用"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.is_new, form.banner.text()
    stored = ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)))
    assert stored.service_interrupted is True and stored.outage_start == reported
    assert stored.outage_systems == ["portal", "api"] and stored.outage_end is None

    # an end before the start is refused with the service's message, nothing stored
    form.outage_times["end"].edit.setFocus()
    keyboard.type("2026-11-20 09:00")
    keyboard.press(Qt.Key.Key_Tab)
    assert "中断结束时间必须晚于中断开始时间" in form.banner.text()
    assert ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)).outage_end) is None
    form.outage_times["end"].set_value(None)
    # 恢复时间 fills the empty 中断结束, and closing needs it
    qtbot.mouseClick(form.times["recovered"].now_button, Qt.MouseButton.LeftButton)
    assert form.outage_times["end"].value() == NOW
    assert ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)).outage_end) == NOW
    qtbot.mouseClick(form.times["closed"].now_button, Qt.MouseButton.LeftButton)
    assert ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)).closed_at) == NOW

    # 「否」 clears systems and times
    form.outage.setCurrentIndex(form.outage.findData("no"))
    stored = ctx.call(lambda s: faults.get_fault(s, str(form.fault_id)))
    assert stored.service_interrupted is False and stored.outage_start is None
    assert stored.outage_systems is None and form.outage_times["start"].edit.text() == ""
    assert form.outage_times["end"].edit.isReadOnly()


def test_an_outage_needs_a_system_and_is_kept_in_the_draft(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    fault_id = ctx.call(
        lambda s: (
            faults.create_fault(
                s, "test-portal", title="全局网络中断", level="major", reported_at=NOW, now=NOW
            ).id
        )
    )
    window.open_fault(fault_id)
    form = wait_window(qtbot, FaultForm)
    assert form.outage.currentData() == "" and form.outage_systems.text() == "选择系统…"
    form.outage.setCurrentIndex(form.outage.findData("yes"))  # no system of its own
    assert "中断服务时请选择不可用的系统" in form.banner.text()
    assert ctx.call(lambda s: faults.get_fault(s, fault_id).service_interrupted) is None
    form.system_actions["exchange"].trigger()
    assert form.banner.text() == ""
    stored = ctx.call(lambda s: faults.get_fault(s, fault_id))
    assert stored.service_interrupted and stored.outage_systems == ["exchange"]
    key = form.saver.form_key
    form.outage_times["start"].edit.setText("2026-11-20 10:00")
    form.outage_times["start"].edited.emit("2026-11-20 10:00")
    form.saver.flush()
    assert ctx.call(lambda s: drafts.load(s, key)).get("outage:start") == "2026-11-20 10:00"


def _positions(form: FaultForm) -> dict[str, object]:
    """Where every field of the form is, relative to the form."""
    widgets = {
        **{f"time:{k}": f.edit for k, f in form.times.items()},
        **{f"text:{k}": a for k, a in form.texts.items()},
        **{f"line:{k}": e for k, e in form.lines.items()},
        **{f"outage:{k}": f.edit for k, f in form.outage_times.items()},
        "save": form.save_button,
    }
    return {k: (w.mapTo(form, w.rect().topLeft()), w.size()) for k, w in widgets.items()}


def test_times_are_checked_as_they_are_typed_and_nothing_moves(
    qtbot: QtBot, window: MainWindow, keyboard: Keyboard
) -> None:
    form = new_fault(qtbot, window)
    form.lines["title"].setText("门户首页打不开")
    before = _positions(form)
    assert all(not line.text() for line in form.errors.values())

    # a future 响应时间: said under the field at the last key, and no SLA verdict for it
    form.times["responded"].edit.setFocus()
    keyboard.type("2026-11-20 12:00")
    assert form.errors["responded"].text() == "不能填写将来的时间（晚于当前时间）。"
    assert "#c62828" in form.times["responded"].edit.styleSheet()
    assert form.verdicts["responded"].text() == "—"
    # a 恢复时间 before the report, a 关闭时间 before the report: each said under its own field
    form.times["recovered"].edit.setFocus()
    keyboard.type("2026-11-20 09:40")
    form.times["closed"].edit.setFocus()
    keyboard.type("2026-11-20 09:50")
    assert form.errors["recovered"].text() == "恢复时间不能早于报告时间。"
    assert form.errors["closed"].text() == "关闭时间不能早于报告时间。"
    assert form.verdicts["recovered"].text() == form.verdicts["closed"].text() == "—"
    assert _positions(form) == before  # no banner, no line pushed anything down

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.is_new and form.banner.kind == "error"
    for text in ("不能填写将来的时间", "恢复时间不能早于报告时间", "关闭时间不能早于报告时间"):
        assert text in form.banner.text()
    assert _positions(form) == before  # the refusal moved nothing either

    # corrected, the errors go as they are typed away and the fault saves
    for step in ("responded", "recovered", "closed"):
        form.times[step].edit.clear()
    form.times["responded"].edit.setFocus()
    keyboard.type("2026-11-20 10:05")
    assert not any(line.text() for line in form.errors.values())
    assert form.verdicts["responded"].text().startswith("目标 15分钟 · 达标")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert not form.is_new, form.banner.text()


def test_an_outage_outside_the_timeline_is_said_at_once(qtbot: QtBot, window: MainWindow) -> None:
    form = new_fault(qtbot, window)
    form.choices["system_code"].setCurrentIndex(form.choices["system_code"].findData("portal"))
    form.outage.setCurrentIndex(form.outage.findData("yes"))
    form.outage_times["start"].set_text("2026-11-20 09:00")
    assert form.errors["outage_start"].text() == "中断开始时间不能早于报告时间。"
    form.outage_times["start"].set_text("2026-11-20 10:00")
    form.outage_times["end"].set_text("2026-11-20 09:59")
    assert form.errors["outage_start"].text() == ""
    assert form.errors["outage_end"].text() == "中断结束时间必须晚于中断开始时间。"


@pytest.fixture
def portal_om(store: Store) -> AppContext:
    """The built-in portal-om contract: symptom, cause, process and result before 关闭."""
    return make_ctx(store, "portal-om")


def test_closing_needs_the_report_sections_the_profile_requires(
    qtbot: QtBot, portal_om: AppContext, keyboard: Keyboard
) -> None:
    def stored() -> faults.FaultRecord:
        return portal_om.call(lambda s: faults.get_fault(s, fault_id))

    def make(s: Session) -> str:
        fault = faults.create_fault(
            s, "portal-om", title="门户无法访问", level="major", reported_at=NOW, now=NOW
        )
        s.flush()
        faults.set_time(s, fault.id, "recovered", NOW, now=NOW)
        return fault.id

    fault_id = portal_om.call(make)
    form = FaultForm(portal_om, fault_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    activate(qtbot, form)
    assert form.required == ["symptom", "cause", "process", "result"]
    before = _positions(form)
    qtbot.mouseClick(form.times["closed"].now_button, Qt.MouseButton.LeftButton)
    assert stored().closed_at is None  # refused, with the list of what is missing
    listed = "关闭前请先填写：故障现象、原因分析、处理过程、处理结果。"
    assert form.banner.text() == listed and form.errors["closed"].text() == listed
    for name in ("symptom", "cause", "process", "result"):
        assert form.errors[name].text() == "关闭故障单前必须填写此部分。"
    assert form.errors["impact_analysis"].text() == ""
    assert form.has_changes()  # the refused close is still on screen, not stored
    assert _positions(form) == before

    for name, text in (("symptom", "首页打不开"), ("cause", "证书过期"), ("process", "更换证书")):
        form.texts[name].setFocus()
        keyboard.type(text)
        assert form.errors[name].text() == ""
    form.texts["result"].setFocus()
    keyboard.type("已恢复")
    form.lines["title"].setFocus()  # leaving the last section stores it, and the close with it
    qtbot.waitUntil(lambda: stored().closed_at == NOW)
    assert stored().result == "已恢复" and not any(line.text() for line in form.errors.values())
