"""「自动检测」 in the window: ask before the first run, check off the GUI thread, fill items.

The addresses are listed and must be confirmed before a contract's first run
(and after they change); the checks run on the thread pool with a cancellable
progress dialog; the results are stored and the items filled on the GUI thread
afterwards, so a cancelled run stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.errors import StoreError
from app.probes import consent, service
from app.probes.engine import ProbeStopped
from ui.context import AppContext
from ui.i18n import tr
from ui.operations import Cancelled, Operation, Progress, ProgressView
from ui.qt import QtWidgets

#: Addresses listed in the confirmation (the rest are counted).
SHOWN_ADDRESSES = 25


def probe_count(ctx: AppContext, run_id: str) -> int:
    """How many items of a run a probe fills (0 when none, or when it cannot be told)."""
    try:
        return ctx.call(lambda s: service.probed_items(s, run_id))
    except StoreError:
        return 0


def consent_box(parent: QtWidgets.QWidget, plan: service.Plan) -> QtWidgets.QMessageBox:
    """The question before a contract's first run: its addresses, may they be contacted?"""
    lines = [f"{a.system} · {a.address}" for a in plan.addresses[:SHOWN_ADDRESSES]]
    more = len(plan.addresses) - SHOWN_ADDRESSES
    if more > 0:
        lines.append(tr("…另有 {n} 个地址").format(n=more))
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("probeConsent")
    box.setIcon(QtWidgets.QMessageBox.Icon.Question)
    box.setWindowTitle(tr("自动检测"))
    box.setText(
        tr(
            "自动检测将访问合同「{name}」档案中的以下地址（只发送检测请求本身）。确认可以访问吗？"
        ).format(name=plan.contract_name)
    )
    box.setInformativeText("\n".join(lines))
    box.setStandardButtons(
        QtWidgets.QMessageBox.StandardButton.Yes | QtWidgets.QMessageBox.StandardButton.No
    )
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Yes)
    box.button(QtWidgets.QMessageBox.StandardButton.Yes).setText(tr("确认访问"))
    box.button(QtWidgets.QMessageBox.StandardButton.No).setText(tr("取消"))
    return box


Done = Callable[[service.Applied | None, str], None]


def start_probe(ctx: AppContext, parent: QtWidgets.QWidget, run_id: str, on_done: Done) -> bool:
    """Plan, ask, and run the probes of a checklist run; ``on_done(applied, message)`` at the end.

    ``applied`` is ``None`` when nothing was stored (refused, not confirmed, cancelled
    or failed); ``message`` then says why. Returns whether anything was started (the
    question or the run): ``on_done`` has been called already when not.
    """
    folder = ctx.store.folder

    def plan_of(session: Any) -> service.Plan:
        plan = service.plan_run(session, run_id)
        service.ensure_allowed(session, folder, plan)
        return plan

    try:
        plan = ctx.call(plan_of)
    except StoreError as exc:
        on_done(None, exc.message)
        return False
    if consent.approved(folder, plan.contract_code, plan.addresses):
        _run(ctx, parent, plan, on_done)
        return True
    box = consent_box(parent, plan)

    def answered(button: int) -> None:
        box.deleteLater()
        if button != QtWidgets.QMessageBox.StandardButton.Yes:
            on_done(None, tr("未确认地址，没有访问任何地址。"))
            return
        consent.approve(folder, plan.contract_code, plan.addresses)
        _run(ctx, parent, plan, on_done)

    box.finished.connect(answered)
    box.open()
    return True


def _run(ctx: AppContext, parent: QtWidgets.QWidget, plan: service.Plan, on_done: Done) -> None:
    def work(progress: Progress) -> Any:
        try:
            return service.execute(plan, progress=progress.report, stop=lambda: progress.cancelled)
        except ProbeStopped:
            raise Cancelled from None

    def succeeded(done: Any) -> None:
        try:
            applied = ctx.call(lambda s: service.apply(s, plan, done, actor=ctx.actor))
        except StoreError as exc:
            on_done(None, exc.message)
            return
        ctx.changed()
        on_done(applied, "")

    operation = Operation(tr("自动检测"), work, parent)
    operation.succeeded.connect(succeeded)
    operation.failed.connect(lambda message: on_done(None, message))
    operation.was_cancelled.connect(lambda: on_done(None, tr("自动检测已取消，未保存任何结果。")))
    ProgressView(parent, operation).start()
