"""Words the window builds from what the services hand it as numbers or phrases.

The core keeps Chinese for records and exports; what reaches the window as a
duration, a period (:class:`app.schedule.phrases.Phrase`) or a suggested conclusion is
worded here through :func:`ui.i18n.tr`, so the English window shows English.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.schedule.phrases import Phrase
from app.schedule.sla import split_minutes
from ui.i18n import tr
from ui.qt import QtCore

QT_TR_NOOP = QtCore.QT_TR_NOOP

#: The templates of periods and due rules (:mod:`app.schedule.deadlines`,
#: :mod:`app.schedule.due`, :func:`app.schedule.holidays.holiday_phrase`).
TEMPLATES = (
    QT_TR_NOOP("{year}年{month}月"),
    QT_TR_NOOP("（{start}日至{end}日）"),
    QT_TR_NOOP("{year}年第{quarter}季度"),
    QT_TR_NOOP("{year}年上半年"),
    QT_TR_NOOP("{year}年下半年"),
    QT_TR_NOOP("{year}年度"),
    QT_TR_NOOP("（{start} 至 {end}）"),
    QT_TR_NOOP("一次性"),
    QT_TR_NOOP("合同期"),
    QT_TR_NOOP("合同第{month}个月（至{end}）"),
    QT_TR_NOOP("{holiday} 节日期间 {day}"),
    QT_TR_NOOP("{holiday} {phase}"),
    QT_TR_NOOP("{holiday}（{start} 至 {end}）"),
    QT_TR_NOOP("次月第{n}个工作日"),
    QT_TR_NOOP("{year}年{month}月{day}日前"),
    QT_TR_NOOP("故障关闭后"),
    QT_TR_NOOP("节假日保障期结束后"),
    QT_TR_NOOP("合同第{month}个月结束后"),
    QT_TR_NOOP("合同期满后"),
    QT_TR_NOOP("{n}个工作日内"),
    QT_TR_NOOP("合同期内（最后一个工作日前）"),
    QT_TR_NOOP("当月"),
    QT_TR_NOOP("当季度"),
    QT_TR_NOOP("当半年"),
    QT_TR_NOOP("当年度"),
    QT_TR_NOOP("{within}最后一个工作日前"),
)


def say(parts: Iterable[Phrase]) -> str:
    """The parts in the window's language; string values are translated when known."""
    return "".join(
        tr(p.template).format(**{k: tr(v) if isinstance(v, str) else v for k, v in p.values})
        for p in parts
    )


def duration(minutes: float | None) -> str:
    """``30分钟``, ``4小时``, ``43小时33分钟`` (``30 min``, ``4 h``, ``43 h 33 min``)."""
    if minutes is None:
        return "—"
    hours, rest = split_minutes(minutes)
    if hours and rest:
        return tr("{h}小时{m}分钟").format(h=hours, m=rest)
    if hours:
        return tr("{h}小时").format(h=hours)
    return tr("{m}分钟").format(m=rest)


def conclusion(abnormal: int, warning: int) -> str:
    """The suggested 巡检结论 as :func:`app.records.inspections.suggest_conclusion` words it."""
    if not abnormal and not warning:
        return tr("巡检项目全部正常。")
    parts = []
    if abnormal:
        parts.append(tr("{n} 项异常").format(n=abnormal))
    if warning:
        parts.append(tr("{n} 项警告").format(n=warning))
    return tr("发现 {parts}，详见异常情况及处理措施。").format(parts=tr("、").join(parts))
