"""Generating demo data in the background (first start and 设置), with progress and cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.contracts.registry import get_contract
from ui.context import AppContext
from ui.i18n import tr
from ui.operations import Operation, Progress, ProgressView, StatusProgress
from ui.qt import QtWidgets


def start_demo(
    parent: QtWidgets.QWidget,
    ctx: AppContext,
    codes: Sequence[str],
    months: int,
    done: Callable[[str], None],
    *,
    status: QtWidgets.QStatusBar | None = None,
) -> Operation:
    """Generate ``months`` months of demo records for each contract; ``done(summary)`` after.

    The records end on the window's today (clipped to each contract's period). With
    ``status`` the progress shows in that status bar and the window stays usable
    meanwhile (the first start); else in a progress dialog.
    """
    from app.demo import generator as demo  # only when demo data is asked for

    today = ctx.today()
    ends = {
        code: ctx.call(lambda s, c=code: demo.default_until(get_contract(s, c), today))
        for code in codes
    }

    def work(progress: Progress) -> str:
        lines = []
        for n, code in enumerate(codes):

            def report(day: int, days: int, n: int = n, code: str = code) -> None:
                progress.report(n * days + day, len(codes) * days, code)

            stats = demo.generate(ctx.store, code, months=months, until=ends[code], progress=report)
            lines.append(f"{code}：{stats.describe()}")
        return "\n".join(lines)

    operation = Operation(tr("正在生成演示数据"), work, parent)
    operation.succeeded.connect(lambda summary: done(tr("演示数据已生成。") + "\n" + str(summary)))
    operation.failed.connect(lambda message: done(tr("演示数据未生成：{m}").format(m=message)))
    operation.was_cancelled.connect(lambda: done(tr("已取消生成演示数据。")))
    if status is not None:
        return StatusProgress(status, operation).start()
    return ProgressView(parent, operation).start()
