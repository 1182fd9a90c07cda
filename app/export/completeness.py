"""Which deliverables of a pack lack the content they need, and why (「待补充」).

A form built from records a period does not have would print as an empty form
that looks finished — 例会会议纪要 of a month without a meeting, say. Such a
deliverable is *missing content*: planning a pack notes the reason on each of
its files (:attr:`app.export.packs.PlannedFile.missing`) and lists it in
:attr:`app.export.packs.PackPlan.incomplete` (:func:`missing_content`); the
export preview shows it as 「待补充」 with the reason, and
:func:`app.export.packs.export_pack` refuses the pack with
:class:`IncompleteError` unless the user confirms (``allow_incomplete``).

A check is a function of the export data and one deliverable occurrence
(:class:`Occurrence`: deliverable code, form kind, period) that returns the
reason in Chinese, or "" when the content is there or the check does not apply
to that form; :data:`CHECKS` lists them, so a new rule (a narrative section
nobody wrote, …) is one more entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.export import events as ev
from app.export import narrative
from app.export.context import PeriodInfo
from app.export.data import ExportData
from app.export.errors import ExportError
from app.records.slots import same_period


@dataclass(frozen=True)
class Occurrence:
    """One deliverable of a pack: what a check looks at."""

    deliverable_code: str
    kind: str  # the form kind (app.export.forms)
    period: PeriodInfo


#: (data, occurrence) → why the deliverable lacks required content; "" if it does not
Check = Callable[[ExportData, Occurrence], str]


def meeting_minutes(data: ExportData, occurrence: Occurrence) -> str:
    """Minutes need a meeting held in the period, and every one of them 定稿 or signed."""
    if occurrence.kind != "meeting_minutes":
        return ""
    period = occurrence.period
    held = data.meetings(period.start, period.end)
    if not held:
        return (
            f"{period.label or '本期间'}没有例会记录：请在「会议纪要」中记录本期例会并定稿、签字。"
        )
    drafts = [m.number for m in held if m.status != "final" and m.locked_at is None]
    if drafts:
        return f"会议纪要 {'、'.join(drafts)} 尚未定稿：请补全并定稿、签字后再导出。"
    return ""


def narrative_sections(data: ExportData, occurrence: Occurrence) -> str:
    """A report's narrative section the user cleared, a plan chapter nobody wrote
    (:mod:`app.export.narrative`)."""
    empty = narrative.empty_sections(
        data, occurrence.kind, occurrence.deliverable_code, occurrence.period
    )
    if not empty:
        return ""
    titles = "、".join(f"「{t}」" for t in empty)
    return f"{titles}为空：请在导出对话框中填写（命令行：--narrative 文件）。"


def summary_report(data: ExportData, occurrence: Occurrence) -> str:
    """A summary report (中期验收报告 …) needs records of its period to report on."""
    if occurrence.kind != "summary_report":
        return ""
    start, end = occurrence.period.start, occurrence.period.end
    if data.runs(start, end) or data.faults(start, end) or data.requests(start, end):
        return ""
    return "报告期内没有巡检、故障或服务记录，报告无内容可写。"


def holiday_check(data: ExportData, occurrence: Occurrence) -> str:
    """A 节假日检查记录单 needs its 节后评估 done: the sheet's section 三 prints its evaluation."""
    if occurrence.kind != "holiday_check":
        return ""
    holiday = data.holiday(occurrence.period.key)
    if holiday is None:
        return ""
    done = {r.cadence for r in ev.holiday_runs(data, holiday) if r.status in DONE}
    if not done:
        return "本保障期没有已完成的节假日检查。"
    return "" if "holiday_post" in done else "节后评估尚未完成（第三部分无评估内容）。"


def inspection_records(data: ExportData, occurrence: Occurrence) -> str:
    """巡检记录单 / 日常巡检记录 of a period need completed runs (daily ones for the log)."""
    daily = occurrence.kind == "daily_inspection_log"
    if not daily and occurrence.kind != "inspection_record":
        return ""
    runs = data.runs(occurrence.period.start, occurrence.period.end)
    if any(r.status in DONE and (not daily or r.cadence == "daily") for r in runs):
        return ""
    return f"本期没有已完成的{'日常' if daily else ''}巡检记录。"


def same_period_runs(data: ExportData, occurrence: Occurrence) -> str:
    """A form printing a period's checks would print one check twice: two laptops signed
    the same period's run and a merge kept both (the PM voids one: :mod:`app.team.duplicates`)."""
    if occurrence.kind not in RUN_FORMS:
        return ""
    period = occurrence.period
    if occurrence.kind == "holiday_check":
        holiday = data.holiday(period.key)
        runs = ev.holiday_runs(data, holiday) if holiday is not None else []
    else:
        runs = data.runs(period.start, period.end)
        if occurrence.kind == "daily_inspection_log":
            runs = [r for r in runs if r.cadence == "daily"]
    groups = same_period([r for r in runs if r.status == "signed"])
    if not groups:
        return ""
    shown = []
    for group in groups[:3]:
        first = group[0]
        template = data.templates.get(first.template_id)
        system = data.systems.get(first.system_id) if first.system_id else None
        where = f"（{system.name}）" if system is not None else ""
        who = "、".join(r.inspector for r in group)
        name = template.name if template is not None else "巡检"
        shown.append(f"{name} {first.scheduled_date}{where} {len(group)} 份（{who}）")
    more = f"等 {len(groups)} 处" if len(groups) > 3 else ""
    return (
        f"同一周期有重复的已签字巡检记录：{'；'.join(shown)}{more}。"
        "请在「团队」页作废多出的一份（命令行：omw team conflicts）。"
    )


DONE = ("completed", "signed")
#: the forms that print the checks of their period (or holiday)
RUN_FORMS = frozenset(
    {
        "inspection_record",
        "daily_inspection_log",
        "monthly_inspection",
        "quarterly_summary",
        "annual_summary",
        "holiday_check",
        "monthly_report",
        "summary_report",
    }
)

CHECKS: list[Check] = [
    meeting_minutes,
    narrative_sections,
    summary_report,
    holiday_check,
    inspection_records,
    same_period_runs,
]


def missing_reason(data: ExportData, occurrence: Occurrence) -> str:
    """Why the deliverable ``occurrence`` lacks required content ("" = complete)."""
    return "".join(reason for check in CHECKS if (reason := check(data, occurrence)))


@dataclass(frozen=True)
class MissingContent:
    """One deliverable occurrence of a pack that lacks required content."""

    deliverable_code: str
    deliverable_name: str
    period_key: str
    period_label: str
    form: str
    reason: str
    paths: tuple[str, ...]  # its files in the pack (Word and Excel), left out unless confirmed

    def as_json(self) -> dict[str, Any]:
        return {
            "deliverable": self.deliverable_code,
            "deliverable_name": self.deliverable_name,
            "period_key": self.period_key,
            "period_label": self.period_label,
            "form": self.form,
            "reason": self.reason,
            "paths": list(self.paths),
        }


def missing_content(plan: Any | Iterable[Any]) -> list[MissingContent]:
    """The deliverables of a planned pack (or of its files) that lack required content.

    One entry per deliverable occurrence (its Word and Excel files together), in
    the order of the pack, each with the reason of :func:`missing_reason`.
    """
    files = plan.files if hasattr(plan, "files") else list(plan)
    found: dict[tuple[str, str, str], MissingContent] = {}
    for f in files:
        if not f.missing:
            continue
        key = (f.deliverable_code, f.period.key, f.kind)
        known = found.get(key)
        found[key] = MissingContent(
            f.deliverable_code,
            f.deliverable_name,
            f.period.key,
            f.period.label,
            f.kind,
            f.missing,
            (*(known.paths if known else ()), f.path),
        )
    return list(found.values())


class IncompleteError(ExportError):
    """A pack holds 「待补充」 deliverables and the user has not confirmed packing them."""

    def __init__(
        self,
        items: list[MissingContent],
        hint: str = "请先补全内容；如确认仍要导出，这些交付物将按现有内容导出。",
    ) -> None:
        self.items = items
        lines = [
            f"{i.deliverable_name}（{i.period_label or i.period_key}）：{i.reason}" for i in items
        ]
        super().__init__(f"有 {len(items)} 项交付物内容待补充：\n" + "\n".join(lines) + "\n" + hint)
