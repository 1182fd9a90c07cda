"""The form kinds the app exports: title, context type, formats and scope.

``kind`` is the ``form`` code a profile's deliverable names. ``scope`` says
what one form covers: ``records`` (one or several records of a period, each
on its own page; ``--record`` picks one), ``record`` (one record),
``period`` (a period), ``holiday`` (one holiday period) or ``document``
(a document with profile facts prefilled).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.export import context as c
from app.export.errors import ExportError


@dataclass(frozen=True)
class FormSpec:
    kind: str
    title: str
    context: type[c.FormContext]
    formats: tuple[str, ...]
    scope: str
    record_type: str | None = None


_SPECS = [
    FormSpec(
        "inspection_record",
        "巡检记录单",
        c.InspectionRecordCtx,
        ("docx", "xlsx"),
        "records",
        "inspection_run",
    ),
    FormSpec("daily_inspection_log", "日常巡检记录", c.DailyLogCtx, ("docx", "xlsx"), "period"),
    FormSpec(
        "monthly_inspection", "月巡检维护记录表", c.MonthlyInspectionCtx, ("docx", "xlsx"), "period"
    ),
    FormSpec(
        "quarterly_summary", "季度巡检维护汇总表", c.SummaryTableCtx, ("docx", "xlsx"), "period"
    ),
    FormSpec("annual_summary", "年度巡检维护汇总表", c.SummaryTableCtx, ("docx", "xlsx"), "period"),
    FormSpec("holiday_check", "节假日检查记录单", c.HolidayCheckCtx, ("docx", "xlsx"), "holiday"),
    FormSpec(
        "service_record",
        "服务记录表",
        c.ServiceRecordCtx,
        ("docx", "xlsx"),
        "records",
        "service_request",
    ),
    FormSpec(
        "fault_report", "系统故障处置报告", c.FaultReportCtx, ("docx",), "record", "fault_record"
    ),
    FormSpec("phone_log", "电话支持记录", c.PhoneLogCtx, ("docx", "xlsx"), "period"),
    FormSpec("monthly_report", "运维月报", c.MonthlyReportCtx, ("docx", "xlsx"), "period"),
    FormSpec(
        "satisfaction_survey", "客户满意度调查表", c.DocumentCtx, ("docx", "xlsx"), "document"
    ),
    FormSpec(
        "meeting_minutes",
        "例会会议纪要",
        c.MeetingMinutesCtx,
        ("docx",),
        "records",
        "meeting_minutes",
    ),
    FormSpec("deployment_list", "部署清单", c.DocumentCtx, ("docx", "xlsx"), "document"),
    FormSpec("summary_report", "运维总结报告", c.DocumentCtx, ("docx",), "period"),
    FormSpec("emergency_plan", "系统应急预案", c.DocumentCtx, ("docx",), "document"),
    FormSpec("holiday_plan", "节假日安全保障方案", c.DocumentCtx, ("docx",), "document"),
    FormSpec("work_manual", "系统日常工作手册", c.DocumentCtx, ("docx",), "document"),
    FormSpec(
        "knowledge_base",
        "技术服务知识库（维护文档库）",
        c.KnowledgeBaseCtx,
        ("docx", "xlsx"),
        "period",
    ),
]

FORMS: dict[str, FormSpec] = {s.kind: s for s in _SPECS}

#: Record types by the form that exports one such record.
RECORD_FORMS = {s.record_type: s.kind for s in _SPECS if s.record_type}


def spec(kind: str) -> FormSpec:
    found = FORMS.get(kind)
    if found is None:
        names = "、".join(f"{s.kind}（{s.title}）" for s in _SPECS)
        raise ExportError(f"没有表单类型 “{kind}”。可用的表单类型：{names}。")
    return found
