"""Form contexts: the plain, typed data a template is filled with.

A context builder (:mod:`app.export.build`) reads the store and returns one of
these dataclasses; the renderers (:mod:`app.export.docx_render`,
:mod:`app.export.xlsx_render`) only fill templates with it. Field names are
the names a template uses (``{{ contract.name }}``, ``{%tr for r in rows %}``);
each field's ``zh`` metadata is its Chinese label, listed by
``omw template-fields KIND`` (see :mod:`app.export.fields`).

Values stay typed: dates are :class:`datetime.date`, times
:class:`datetime.datetime`, counts ``int``, rates ``float`` (0..1) — Word
prints them formatted, Excel stores them as real dates and numbers.
"""

# ruff: noqa: RUF009 - f() is dataclasses.field() with the Chinese label as metadata
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def f(zh: str, default: Any = None, *, factory: Any = None) -> Any:
    """A field with its Chinese label (and a default)."""
    if factory is not None:
        return field(default_factory=factory, metadata={"zh": zh})
    return field(default=default, metadata={"zh": zh})


# --------------------------------------------------------------------------- pieces


@dataclass(frozen=True)
class Image:
    """An image placed in a form: Word inline picture, Excel picture anchored at the cell."""

    data: bytes = field(repr=False, metadata={"zh": "PNG/JPEG 图片"})
    width_mm: float = f("宽度（毫米）", 30.0)
    height_mm: float | None = f("高度（毫米，空则按比例）")
    caption: str = f("说明", "")


@dataclass(frozen=True)
class Chart:
    """A chart: a picture in Word, a native chart in Excel; the same numbers in both."""

    key: str = f("图表代码")
    title: str = f("标题")
    kind: str = f("类型：bar（柱状）| line（折线）", "bar")
    categories: list[str] = f("分类（横轴）", factory=list)
    series: list[tuple[str, list[float]]] = f("数据系列：(名称, 数值列表)", factory=list)
    percent: bool = f("数值为百分比（0..1）", False)
    image: Image | None = f("图表图片（Word 用；缺少中文字体时为空）")


@dataclass(frozen=True)
class SignatureCell:
    """One cell of the signature block. Unsigned: ``signed`` false, name/date/image empty."""

    role: str = f("签字角色：运维人员 | 复核人 | 甲方确认")
    label: str = f("在本表中的称呼，如 巡检人、处理人、编制、审核")
    signed: bool = f("是否已签字", False)
    name: str = f("签字人姓名（未签时为已知的签字人，如编制人、巡检人、处理人；不知道为空）", "")
    date: datetime | None = f("签字时间（未签为空）")
    image: Image | None = f("手写签名图片（未签为空）")
    note: str = f("附注，如（单位盖章）", "")


@dataclass(frozen=True)
class SignatureBlock:
    operator: SignatureCell = f("运维人员（巡检人/处理人/值班人/编制）")
    reviewer: SignatureCell = f("复核人（乙方项目经理/审核）")
    client: SignatureCell = f("甲方确认（含单位盖章处）")


@dataclass(frozen=True)
class ContractInfo:
    code: str = f("合同代码")
    name: str = f("合同/项目名称")
    client: str = f("甲方")
    vendor: str = f("乙方")
    contract_no: str = f("合同编号")
    site: str = f("服务地点")
    start: date = f("服务期开始")
    end: date = f("服务期结束")
    service_window: str = f("服务时间，如 7×24、5×8（09:00-17:00）")


@dataclass(frozen=True)
class PeriodInfo:
    key: str = f("期间代码，如 2026-03、2026-Q1、故障单号")
    label: str = f("期间名称，如 2026年3月")
    start: date = f("期间开始")
    end: date = f("期间结束")


@dataclass(frozen=True)
class Count:
    """One row of a statistics table: a name and a number (and a share)."""

    name: str = f("名称")
    count: int = f("数量", 0)
    share: float = f("占比（0..1）", 0.0)


@dataclass(frozen=True)
class Line:
    """A label and a text value (one line of a key/value table)."""

    label: str = f("项目")
    value: str = f("内容", "")


@dataclass(kw_only=True)
class FormContext:
    """Fields every form has."""

    form: str = f("表单类型代码")
    title: str = f("表单标题")
    deliverable: str = f("交付物名称", "")
    contract: ContractInfo = f("合同")
    period: PeriodInfo = f("期间")
    exporter: str = f("导出人", "")
    exported_at: datetime = f("导出时间")
    app_version: str = f("程序版本", "")
    verification_code: str = f("校验码（页脚；用于核对纸质件与电子文件）", "")
    signatures: SignatureBlock = f("签字栏")
    record_ids: list[str] = f("所含记录的 ID", factory=list)


# --------------------------------------------------------------------------- inspections


@dataclass(frozen=True)
class InspectionRow:
    seq: int = f("序号")
    group: str = f("分组")
    system: str = f("系统（按系统逐一检查时）", "")
    item: str = f("检查项目")
    method: str = f("检查内容/方法", "")
    standard: str = f("标准/阈值", "")
    result: str = f("检查结果（正常/警告/异常/不适用或测量值）", "")
    status: str = f("结果状态：正常 | 警告 | 异常 | 不适用 | 空", "")
    value: float | None = f("测量值（数值项）")
    abnormal: bool = f("是否异常或警告（突出显示）", False)
    note: str = f("异常情况", "")
    action: str = f("处理措施", "")
    remark: str = f("备注（如关联故障单号）", "")


@dataclass(frozen=True)
class InspectionRunCtx:
    id: str = f("记录 ID")
    name: str = f("巡检名称")
    category: str = f("巡检类别", "")
    system: str = f("系统", "")
    cadence: str = f("巡检类型：日/周/月/季/半年/年/节前/节日期间每日/节后", "")
    date: date = f("巡检日期")
    started_at: datetime | None = f("开始时间")
    completed_at: datetime | None = f("完成时间")
    inspector: str = f("巡检人员", "")
    status: str = f("状态：草稿/已完成/已签字", "")
    conclusion: str = f("巡检结论", "")
    remediation: str = f("整改要求", "")
    remediation_deadline: date | None = f("整改期限")
    item_count: int = f("检查项数", 0)
    abnormal_count: int = f("异常/警告项数", 0)
    amendment: str = f("更正说明（更正记录才有）", "")
    rows: list[InspectionRow] = f("检查项（重复行）", factory=list)
    signatures: SignatureBlock = f("本记录的签字栏")
    verification_code: str = f("本记录的校验码", "")
    scope: str = f("所查系统：系统名，或「N 个系统」", "")
    summary: str = f("结果小结，如 全部正常（48 项）；异常 1 项、警告 1 项", "")
    detailed: bool = f("是否逐项列出（有异常/警告，或只导出这一条记录）", False)
    detail_rows: list[InspectionRow] = f(
        "逐项列出的检查项：有异常/警告或有情况说明的项（只导出一条记录时为全部项）", factory=list
    )


@dataclass(frozen=True)
class InspectionDay:
    """One day of a period's inspection record: its runs, one line each."""

    date: date = f("巡检日期")
    label: str = f("日期及星期，如 2026-11-01（星期日）")
    runs: list[InspectionRunCtx] = f("当日巡检记录", factory=list)
    detailed: int = f("当日有异常/警告的巡检次数", 0)


@dataclass(frozen=True)
class ChecklistLine:
    """One checked item as the checklist defines it (listed once per period)."""

    seq: int = f("序号")
    name: str = f("巡检名称")
    item: str = f("检查项目")
    method: str = f("检查内容/方法", "")
    standard: str = f("标准/阈值", "")
    systems: str = f("适用系统", "")


@dataclass(frozen=True)
class InspectionLine:
    """One checked item with its run's facts (a flat row for Excel)."""

    date: date = f("巡检日期")
    name: str = f("巡检名称")
    system: str = f("系统", "")
    seq: int = f("序号", 0)
    item: str = f("检查项目", "")
    standard: str = f("标准/阈值", "")
    result: str = f("检查结果", "")
    status: str = f("结果状态", "")
    value: float | None = f("测量值")
    abnormal: bool = f("是否异常或警告", False)
    note: str = f("异常情况", "")
    action: str = f("处理措施", "")
    inspector: str = f("巡检人员", "")
    run_status: str = f("记录状态", "")


@dataclass(kw_only=True)
class InspectionRecordCtx(FormContext):
    """巡检记录单: the runs of a period per day, one line each; exceptions in full."""

    runs: list[InspectionRunCtx] = f("巡检记录（按日期、系统排序）", factory=list)
    days: list[InspectionDay] = f("按日分组的巡检记录", factory=list)
    detailed: list[InspectionRunCtx] = f(
        "逐项列出的巡检记录（有异常/警告的，只导出一条时为该条）", factory=list
    )
    checklist: list[ChecklistLine] = f("本期检查项目及标准（每项一次）", factory=list)
    overview: str = f("本期概况（一段话）", "")
    rows_flat: list[InspectionLine] = f("全部检查项（不分记录）", factory=list)
    findings: list[InspectionLine] = f("异常/警告的检查项（不分记录）", factory=list)
    row_count: int = f("检查项总数", 0)


@dataclass(frozen=True)
class MatrixRow:
    date: date = f("日期")
    system: str = f("系统", "")
    cells: list[str] = f("各检查项结果（与 columns 对应）", factory=list)
    abnormal: bool = f("是否有异常或警告", False)
    note: str = f("异常情况及处理", "")
    inspector: str = f("巡检人/值班人", "")
    status: str = f("记录状态", "")
    section: str = f("所属巡检名称", "")
    summary: str = f("各检查项结果合在一格（Excel 用），如 服务器状态：正常；磁盘：72%", "")


@dataclass(frozen=True)
class MatrixSection:
    name: str = f("巡检名称")
    columns: list[str] = f("检查项名称（表头）", factory=list)
    rows: list[MatrixRow] = f("每日每系统一行", factory=list)
    planned: int = f("应巡检次数", 0)
    done: int = f("已完成次数", 0)
    pending: int = f("应巡检中导出时尚未到截止日期、也还没做的次数", 0)
    note_row: bool = f("检查项多：异常情况及处理另起一行，不占一列", False)


@dataclass(kw_only=True)
class DailyLogCtx(FormContext):
    """日常巡检记录: the daily checklists of a period, one table each."""

    sections: list[MatrixSection] = f("各项日常巡检（每项一张表）", factory=list)
    rows_flat: list[MatrixRow] = f("全部日常巡检行（不分表，Excel 用）", factory=list)


@dataclass(frozen=True)
class MonthlyItem:
    seq: int = f("序号")
    section: str = f("所属巡检名称", "")
    item: str = f("项目")
    method: str = f("检查方法", "")
    result: str = f("结果", "")
    abnormal: bool = f("是否异常", False)
    problem: str = f("发现问题", "")
    handling: str = f("处理情况", "")
    remark: str = f("备注", "")


@dataclass(frozen=True)
class MonthlySection:
    name: str = f("巡检名称")
    date: date | None = f("巡检日期")
    inspector: str = f("巡检人", "")
    conclusion: str = f("结论", "")
    rows: list[MonthlyItem] = f("项目（重复行）", factory=list)


@dataclass(kw_only=True)
class MonthlyInspectionCtx(FormContext):
    """月巡检维护记录表."""

    sections: list[MonthlySection] = f("本月的月度巡检", factory=list)
    items_flat: list[MonthlyItem] = f("全部项目（不分巡检，Excel 用）", factory=list)
    planned: int = f("本月应巡检次数", 0)
    done: int = f("本月按时完成次数", 0)
    faults_total: int = f("本月故障数", 0)
    faults_by_level: list[Count] = f("故障按等级", factory=list)
    faults_by_system: list[Count] = f("故障按系统", factory=list)
    requests_total: int = f("本月服务请求数", 0)
    emergencies: list[str] = f("本月应急事件", factory=list)
    summary: str = f("本月汇总（一段话）", "")


# --------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class MonthRow:
    month: str = f("月份，如 2026年3月")
    planned: int = f("计划巡检数", 0)
    done: int = f("完成数", 0)
    problems: int = f("发现问题数", 0)
    fixed: int = f("已整改数", 0)
    faults: int = f("故障数", 0)
    requests: int = f("服务请求数", 0)
    availability: float | None = f("可用率（0..1）")


@dataclass(kw_only=True)
class SummaryTableCtx(FormContext):
    """季度 / 年度（半年、年终）巡检维护汇总表."""

    months: list[MonthRow] = f("每月一行", factory=list)
    total: MonthRow = f("合计行")
    analysis: str = f("分析", "")
    suggestions: str = f("建议", "")
    next_year_plan: str = f("下年度计划（年终）", "")
    is_year_end: bool = f("是否年终汇总", False)
    availability_note: str = f("可用率的定义（印在汇总表下）", "")


# --------------------------------------------------------------------------- holidays


@dataclass(kw_only=True)
class HolidayCheckCtx(FormContext):
    """节假日检查记录单 of one holiday period."""

    holiday: str = f("节假日/保障期名称")
    holiday_start: date = f("开始日期")
    holiday_end: date = f("结束日期")
    pre_items: list[InspectionRow] = f("节前检查项", factory=list)
    pre_date: date | None = f("节前检查日期")
    pre_inspector: str = f("节前检查人", "")
    columns: list[str] = f("节日期间每日检查项（表头）", factory=list)
    days: list[MatrixRow] = f("节日期间每日一行", factory=list)
    note_title: str = f(
        "每日一行中异常说明列（days 的 note）的表头：「事件及处置」，"
        "检查表已有同名检查项时为「异常情况及处理」",
        "事件及处置",
    )
    post_items: list[InspectionRow] = f("节后评估项", factory=list)
    post_date: date | None = f("节后评估日期")
    evaluation: str = f("节后评估", "")
    events: list[str] = f("期间故障/事件（故障单及未生成故障单的巡检发现）", factory=list)
    summary: str = f("保障情况（由记录生成：每日检查完成情况、故障/事件数及处置情况）", "")


# --------------------------------------------------------------------------- requests & faults


@dataclass(frozen=True)
class SlaRow:
    step: str = f("环节：响应/远程支持/到场/恢复/关闭")
    time: datetime | None = f("时间")
    target: str = f("SLA 要求，如 15分钟")
    actual: str = f(
        "实际用时（按服务时间计；钟点历时不同则注明，如“0分钟（服务时间内，历时 11分钟）”）"
    )
    verdict: str = f("达标 | 超时 | 进行中 | 已超时 | 不适用")
    met: bool | None = f("是否达标（无要求为空）")


@dataclass(frozen=True)
class ServiceRecordCtxRow:
    id: str = f("记录 ID")
    number: str = f("服务单号")
    system: str = f("系统", "")
    caller_unit: str = f("联系人单位/来电单位", "")
    caller_name: str = f("联系人/来电人", "")
    caller_contact: str = f("联系方式", "")
    received_at: datetime | None = f("接报时间")
    channel: str = f("服务方式：电话/远程/现场", "")
    priority: str = f("优先级", "")
    category: str = f("问题类别", "")
    impact: str = f("影响范围", "")
    description: str = f("服务内容/问题描述", "")
    resolution: str = f("处理过程及完成情况", "")
    status: str = f("服务后状态", "")
    responded_at: datetime | None = f("响应时间")
    completed_at: datetime | None = f("完成时间")
    next_visit: datetime | None = f("下次上门时间（未完成时）")
    handler: str = f("受理人/处理人", "")
    follow_up: str = f("是否回访：是/否", "")
    solved_on_phone: str = f("电话解决：是/否", "")
    fault_number: str = f("转故障单号", "")
    amendment: str = f("更正说明", "")
    sla: list[SlaRow] = f("SLA 各环节", factory=list)
    signatures: SignatureBlock = f("本单签字栏")
    verification_code: str = f("本单校验码", "")


@dataclass(kw_only=True)
class ServiceRecordCtx(FormContext):
    """服务记录表/运维工单: one or several work orders, each on its own page."""

    records: list[ServiceRecordCtxRow] = f("工单（每张一页）", factory=list)


@dataclass(kw_only=True)
class PhoneLogCtx(FormContext):
    """电话支持记录 of a period, with statistics."""

    rows: list[ServiceRecordCtxRow] = f("每个来电一行", factory=list)
    total: int = f("来电总数", 0)
    solved_on_phone: int = f("电话解决数", 0)
    first_call_rate: float | None = f("电话一次解决率（0..1）")
    by_unit: list[Count] = f("按来电单位", factory=list)
    by_system: list[Count] = f("按系统", factory=list)
    by_category: list[Count] = f("按问题类别", factory=list)
    by_channel: list[Count] = f("按处理方式", factory=list)
    charts: dict[str, Chart] = f("图表：by_category", factory=dict)


@dataclass(frozen=True)
class Attachment:
    caption: str = f("说明", "")
    filename: str = f("文件名", "")
    image: Image | None = f("图片")


@dataclass(kw_only=True)
class FaultReportCtx(FormContext):
    """系统故障处置报告, one per fault."""

    id: str = f("记录 ID")
    number: str = f("故障单号")
    system: str = f("系统", "")
    fault_title: str = f("故障标题")
    level: str = f("等级", "")
    category: str = f("类型", "")
    emergency_type: str = f("应急事件类型", "")
    impact: str = f("影响范围", "")
    discovery: str = f("发现方式：告警/巡检/用户反馈", "")
    handler: str = f("处理人", "")
    coordinator: str = f("协调人", "")
    result: str = f("处理结果", "")
    reported_at: datetime | None = f("发现/报告时间")
    outage: str = f("服务中断：未中断服务，或中断的系统、起止时间及服务时间内时长", "")
    timeline: list[SlaRow] = f("时间线（各环节时间、SLA 要求、达标/超时）", factory=list)
    symptom: str = f("一、故障现象", "")
    impact_analysis: str = f("二、影响分析", "")
    cause: str = f("三、原因分析", "")
    process: str = f("四、处理过程", "")
    prevention: str = f("五、整改及预防措施", "")
    attachments: list[Attachment] = f("六、附件（截图/照片）", factory=list)
    source: str = f("来源（巡检项/服务请求）", "")
    amendment: str = f("更正说明", "")


# --------------------------------------------------------------------------- monthly report


@dataclass(frozen=True)
class RateRow:
    """One line of the SLA table: 指标 | 标准 | 实际 | 达标."""

    name: str = f("指标")
    standard: str = f("标准")
    numerator: int = f("达标数", 0)
    denominator: int = f("总数", 0)
    rate: float | None = f("实际（0..1，无数据为空）")
    target: float | None = f("目标值（0..1）")
    met: str = f("达标：是/否/—", "—")


@dataclass(frozen=True)
class CadenceRow:
    name: str = f("巡检名称")
    cadence: str = f("巡检类型")
    system: str = f("系统", "")
    planned: int = f("应巡检", 0)
    done: int = f("按时完成", 0)
    late: int = f("补做/逾期完成", 0)
    findings: int = f("发现问题数", 0)
    rate: float | None = f("完成率（0..1）")


@dataclass(frozen=True)
class FaultLine:
    number: str = f("故障单号")
    title: str = f("标题")
    level: str = f("等级")
    system: str = f("系统", "")
    reported_at: datetime | None = f("报告时间")
    recovered_at: datetime | None = f("恢复时间")
    duration: str = f("处理时长", "")
    response: str = f("响应达标/超时", "")
    recovery: str = f("恢复达标/超时", "")
    cause: str = f("原因", "")


@dataclass(frozen=True)
class AvailabilityRow:
    """可用率 of one system (or 合计): committed service time, outage, rate."""

    system: str = f("系统（合计行为“合计”）")
    committed_hours: float = f("承诺服务时长（小时）", 0.0)
    outage_minutes: int = f("中断时长（分钟，服务时间内）", 0)
    availability: float | None = f("可用率（0..1，两位小数的百分比）")
    faults: str = f("计入的故障单号（* 为未记录中断情况、按报告至恢复计）", "")


@dataclass(frozen=True)
class MonitorRow:
    """运行监测: one probed target's checks of the period (``app.probes.history``)."""

    system: str = f("系统 / 检测目标")
    kind: str = f("类型：HTTP(S) | TCP | DNS | PING | FTP | SMTP")
    address: str = f("检测地址", "")
    checks: int = f("检测次数", 0)
    failures: int = f("异常次数", 0)
    availability: float | None = f("可用性（0..1，未异常的检测 / 检测次数）")
    mean_ms: float | None = f("平均响应时间（毫秒，只计有应答的检测）")
    max_ms: float | None = f("最长响应时间（毫秒）")


@dataclass(frozen=True)
class TrendRow:
    month: str = f("月份")
    inspections_rate: float | None = f("巡检完成率")
    faults: int = f("故障数", 0)
    requests: int = f("服务请求数", 0)
    sla_rate: float | None = f("SLA 达成率")


@dataclass(frozen=True)
class Finding:
    date: date = f("日期")
    name: str = f("巡检")
    item: str = f("检查项")
    note: str = f("异常情况")
    action: str = f("处理措施", "")


@dataclass(kw_only=True)
class MonthlyReportCtx(FormContext):
    """运维月报 of month M."""

    author: str = f("编制人", "")
    report_date: date = f("报告日期")
    overview: str = f("本月工作概述（一段话）", "")
    inspection_rate: float | None = f("巡检完成率")
    response_rate: float | None = f("故障响应及时率")
    resolution_rate: float | None = f("故障解决率")
    sla_rate: float | None = f("SLA 达成率")
    first_call_rate: float | None = f("电话一次解决率")
    availability: float | None = f("可用率（各系统合计）")
    delivery_rate: float | None = f("报告按时交付率")
    deliveries_on_time: int = f("按时提交的交付物数", 0)
    deliveries_due: int = f("应提交的交付物数（截止日已到或已提交）", 0)
    availability_systems: list[AvailabilityRow] = f("可用率（按系统，末行合计）", factory=list)
    availability_note: str = f("可用率的定义（印在可用率表下）", "")
    inspections: list[CadenceRow] = f("巡检情况（按巡检与系统）", factory=list)
    inspections_planned: int = f("应巡检次数", 0)
    inspections_done: int = f("按时完成次数", 0)
    inspections_pending: int = f("应巡检中导出时尚未到截止日期、也还没做的次数", 0)
    findings: list[Finding] = f("巡检发现的问题", factory=list)
    findings_note: str = f(
        "发现问题数的构成（节假日检查的问题不在「巡检情况」表中时，如“（下表各巡检 57 个，"
        "节假日检查 2 个）”，否则为空）",
        "",
    )
    findings_fixed: int = f("已整改问题数", 0)
    faults_total: int = f("故障总数", 0)
    faults_by_level: list[Count] = f("故障按等级", factory=list)
    faults_by_system: list[Count] = f("故障按系统", factory=list)
    faults_by_cause: list[Count] = f("故障按类型/原因", factory=list)
    major_faults: list[FaultLine] = f("重大故障（非一般等级）", factory=list)
    requests_total: int = f("服务请求总数", 0)
    requests_by_unit: list[Count] = f("服务请求按单位", factory=list)
    requests_by_system: list[Count] = f("服务请求按系统", factory=list)
    requests_by_category: list[Count] = f("服务请求按类别", factory=list)
    requests_by_channel: list[Count] = f("服务请求按方式（电话/远程/现场）", factory=list)
    sla: list[RateRow] = f("SLA 达成（指标|标准|实际|达标）", factory=list)
    trend: list[TrendRow] = f("近几个月趋势（含本月）", factory=list)
    backup_security: list[Line] = f("备份与安全（相关巡检的结论）", factory=list)
    holidays: list[Line] = f("本月节假日保障", factory=list)
    problems: list[str] = f("存在问题及建议", factory=list)
    next_plan: list[str] = f("下月工作计划", factory=list)
    monitoring: list[MonitorRow] = f("运行监测（自动检测的各目标，按检测次数）", factory=list)
    charts: dict[str, Chart] = f(
        "图表：faults_by_system、calls_per_day、sla_trend；有自动检测时还有 "
        "response_trend（响应时间趋势）、probe_availability（可用性）",
        factory=dict,
    )
    monitoring_charts: list[Chart] = f(
        "运行监测的图表：有自动检测时为响应时间趋势、可用性两张，没有时为空"
        "（Excel 模板逐行放置：{% for ch in monitoring_charts %}{{ ch }}）",
        factory=list,
    )


# --------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class ActionRow:
    seq: int = f("序号")
    content: str = f("行动项")
    owner: str = f("负责人", "")
    due_date: date | None = f("完成时间")
    state: str = f("状态：已完成 | 待完成", "")


@dataclass(frozen=True)
class MeetingCtx:
    """One meeting's minutes (one page each)."""

    id: str = f("记录 ID")
    number: str = f("纪要编号")
    name: str = f("会议名称")
    start: datetime = f("会议时间")
    end: datetime | None = f("结束时间")
    time: str = f("时间，如 2026-11-06 09:30-10:30", "")
    place: str = f("地点", "")
    host: str = f("主持人", "")
    recorder: str = f("记录人", "")
    attendees: str = f("出席人员", "")
    absentees: str = f("缺席人员", "")
    agenda: str = f("议程", "")
    discussion: str = f("会议内容", "")
    decisions: str = f("决议", "")
    agenda_lines: list[str] = f("议程（每行一段）", factory=list)
    discussion_lines: list[str] = f("会议内容（每行一段）", factory=list)
    decision_lines: list[str] = f("决议（每行一段）", factory=list)
    actions: list[ActionRow] = f("行动项（重复行）", factory=list)
    status: str = f("状态：草稿/已定稿/已签字", "")
    amendment: str = f("更正说明（更正记录才有）", "")
    signatures: SignatureBlock = f("本纪要的签字栏")
    verification_code: str = f("本纪要的校验码", "")


@dataclass(kw_only=True)
class MeetingMinutesCtx(FormContext):
    """例会会议纪要: the meetings of a period (or one meeting), each on its own page."""

    meetings: list[MeetingCtx] = f("会议（每次一页，按时间）", factory=list)


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class SystemLine:
    seq: int = f("序号")
    code: str = f("系统代码")
    name: str = f("系统/组件")
    category: str = f("类别", "")


@dataclass(frozen=True)
class ScoreRow:
    seq: int = f("序号")
    item: str = f("评估项目")
    content: str = f("评价内容")
    standard: str = f("评价标准")
    score: str = f("得分（由甲方填写）", "")


@dataclass(frozen=True)
class Deliverable:
    name: str = f("交付物")
    period: str = f("期间")
    due: date = f("截止日期")
    state: str = f(
        "状态：待交、已导出，待提交、已提交、已提交（逾期）、"
        "已提交（补登：本应用之外提交、按截止日期登记）、已逾期"
    )


@dataclass(kw_only=True)
class DocumentCtx(FormContext):
    """Document deliverables: headings with profile facts prefilled.

    客户满意度调查表, 部署清单, 运维总结报告/项目总结报告/中期验收报告,
    系统应急预案, 节假日安全保障方案, 系统日常工作手册.
    """

    systems: list[SystemLine] = f("系统清单", factory=list)
    roles: list[Line] = f("人员岗位（岗位, 人数）", factory=list)
    sla: list[Line] = f("SLA 约定", factory=list)
    holidays: list[Line] = f("节假日/重大活动保障期", factory=list)
    checklists: list[Line] = f("巡检项目（名称, 频次）", factory=list)
    emergencies: list[str] = f("应急事件类型", factory=list)
    deliverables: list[Deliverable] = f("交付物及截止日期", factory=list)
    scores: list[ScoreRow] = f("满意度评估项目", factory=list)
    blank_rows: list[int] = f("空白行（供手填）", factory=list)
    months: list[MonthRow] = f("各月统计（总结报告）", factory=list)
    total: MonthRow | None = f("合计（总结报告）")
    sla_rates: list[RateRow] = f("SLA 达成（总结报告）", factory=list)
    faults_total: int = f("故障总数", 0)
    requests_total: int = f("服务请求总数", 0)
    overview: str = f("概述（总结报告）", "")
    texts: dict[str, str] = f(
        "文字段落（按段落代码；总结报告 problems、plan，预案/方案/手册的各章）", factory=dict
    )


# --------------------------------------------------------------------------- knowledge base


@dataclass(frozen=True)
class KnowledgeArticleCtx:
    """One knowledge article (知识条目)."""

    seq: int = f("序号")
    id: str = f("记录 ID")
    number: str = f("条目编号")
    title: str = f("标题")
    systems: str = f("适用系统（、分隔）", "")
    category: str = f("分类", "")
    tags: str = f("标签（、分隔）", "")
    problem: str = f("问题现象", "")
    cause: str = f("原因", "")
    solution: str = f("解决方法", "")
    steps: str = f("操作步骤", "")
    step_lines: list[str] = f("操作步骤（每行一步）", factory=list)
    author: str = f("作者", "")
    reviewer: str = f("审核人（未审核为空）", "")
    reviewed_at: datetime | None = f("审核时间")
    source: str = f("来源记录，如 故障单 GZ-202611-0003", "")
    pictures: list[Attachment] = f("图片（截图/照片）", factory=list)


@dataclass(frozen=True)
class KnowledgeGroupCtx:
    """The articles of one system (or of none)."""

    name: str = f("系统名称")
    articles: list[KnowledgeArticleCtx] = f("该系统的知识条目", factory=list)


@dataclass(frozen=True)
class CommonProblemCtx:
    """One recurring problem (常见问题)."""

    seq: int = f("序号")
    problem: str = f("问题")
    count: int = f("出现次数", 0)
    kinds: str = f("来源（故障/服务请求/巡检异常及次数）", "")
    systems: str = f("涉及系统", "")
    last_at: datetime | None = f("最近一次")
    solution: str = f("最近的解决方法", "")
    article: str = f("对应知识条目", "")


@dataclass(kw_only=True)
class KnowledgeBaseCtx(FormContext):
    """技术服务知识库（维护文档库）: the articles by system, and the problems that recur."""

    groups: list[KnowledgeGroupCtx] = f("按系统归类的知识条目", factory=list)
    articles: list[KnowledgeArticleCtx] = f("全部知识条目（清单）", factory=list)
    common: list[CommonProblemCtx] = f("常见问题（按出现次数）", factory=list)
    by_category: list[Count] = f("按分类", factory=list)
    articles_total: int = f("知识条目数", 0)
    reviewed_total: int = f("其中已审核", 0)
