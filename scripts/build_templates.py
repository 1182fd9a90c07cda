#!/usr/bin/env python3
# ruff: noqa: E501 - template strings are kept on one line to stay readable
"""Generate the built-in form templates in ``resources/templates/`` (reproducibly).

    .venv/bin/python scripts/build_templates.py          # write all templates
    .venv/bin/python scripts/build_templates.py --check  # fail if any differs

One .docx per form kind and an .xlsx for the tabular ones. The files are
ordinary templates — exactly what a client template looks like — filled by
``app.export`` through one rendering path. Output is byte-for-byte
reproducible: zip entries get a fixed timestamp and the core properties fixed
values.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from copy import copy
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import docx_kit as k  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402
from openpyxl.worksheet.page import PageMargins  # noqa: E402

OUT = ROOT / "resources" / "templates"
FIXED = datetime(2026, 1, 1, 0, 0, 0)
W = k.PORTRAIT_WIDTH
LW = k.LANDSCAPE_WIDTH


def form_title(kind: str) -> str:
    from app.export.forms import spec

    return spec(kind).title


def _scale(widths: list[float], total: float) -> list[float]:
    s = sum(widths)
    return [round(w * total / s, 2) for w in widths]


def paragraph_lines(doc, expr: str) -> None:
    """The text ``expr`` a paragraph a line (filter ``lines``): a typed list keeps its indent."""
    k.control(doc, f"{{%p for line in ({expr})|lines %}}")
    k.para(doc, "{{ line }}")
    k.control(doc, "{%p endfor %}")


def contract_box(doc, width: float = W) -> None:
    k.kv_table(
        doc,
        [
            [("合同/项目名称", "{{ contract.name }}")],
            [
                ("合同编号", "{{ contract.contract_no }}"),
                ("服务时间", "{{ contract.service_window }}"),
            ],
            [("甲方", "{{ contract.client }}"), ("乙方", "{{ contract.vendor }}")],
            [("期间", "{{ period.label }}"), ("导出", "{{ exported_at|dt }} {{ exporter }}")],
        ],
        _scale([3, 5, 3, 5], width),
    )


# --------------------------------------------------------------------------- Word


def _small(table, pt: float = 9) -> None:
    """Table text in ``pt`` points (a dense list reads better a size smaller)."""
    from docx.shared import Pt

    for cell in table._cells:
        for paragraph in cell.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(pt)


def inspection_record():
    """巡检记录单: the period's runs a line each, grouped per day; exceptions in full.

    One line per run (巡检名称, 系统, 巡检人, result summary, 结论, 状态) under a row per
    day; the runs with abnormal/warning items (or the one run of a single-record export)
    item by item with 异常情况/处理措施, 结论, 整改 and their record code; the checklist's
    items with their method and threshold once; then the period's signature block.
    """
    doc = k.new_document()
    k.title(doc, "{{ title }}")
    contract_box(doc)
    k.spacer(doc)
    k.para(doc, "{{ overview }}", style="表格文字")
    k.control(doc, "{%p if runs %}")
    k.heading(doc, "一、巡检记录一览（按日期）", 2)
    table = k.data_table(
        doc,
        ["序号", "巡检名称（类型）", "系统", "巡检人", "检查结果", "巡检结论", "状态"],
        [
            "{{ loop.index }}",
            "{{ r.name }}（{{ r.cadence }}）",
            "{{ r.scope }}",
            "{{ r.inspector }}",
            "{{ r.summary }}",
            "{{ r.conclusion }}",
            "{{ r.status }}",
        ],
        [0.9, 3.9, 1.6, 1.3, 3.5, 3.5, 1.3],
        "r in d.runs",
        abnormal="r.abnormal_count",
        align_center=(0, 6),
    )
    # a row per day above its runs: the outer loop wraps the day row and the inner loop
    rows = table._tbl.findall(k.qn("w:tr"))
    rows[1].addprevious(copy(rows[1]))
    rows[-1].addnext(copy(rows[-1]))
    rows = table._tbl.findall(k.qn("w:tr"))
    for t in rows[1].iter(k.qn("w:t")):
        t.text = "{%tr for d in days %}"
    for t in rows[-1].iter(k.qn("w:t")):
        t.text = "{%tr endfor %}"
    row = k.span_row(
        table,
        "{{ d.label }}　共 {{ d.runs|length }} 次巡检{% if d.detailed %}，{{ d.detailed }} 次发现异常/警告{% endif %}",
        bold=True,
        fill="F2F2F2",
    )
    k.keep_with_next(row._tr)
    rows[2].addprevious(row._tr)
    _small(table)
    k.spacer(doc)
    k.control(doc, "{%p if detailed %}")
    k.heading(doc, "二、异常及处理明细", 2)
    k.control(doc, "{%p for run in detailed %}")
    p_ = k.para(
        doc,
        "{{ run.date|d }}　{{ run.name }}（{{ run.cadence }}）　系统：{{ run.scope }}　"
        "巡检人：{{ run.inspector }}　{{ run.started_at|dt }} 至 {{ run.completed_at|dt }}",
        style="表格文字",
    )
    p_.runs[0].bold = True
    p_.paragraph_format.keep_with_next = True
    table = k.data_table(
        doc,
        [
            "序号",
            "检查项目",
            "检查内容/方法",
            "标准/阈值",
            "检查结果",
            "异常情况",
            "处理措施",
            "备注",
        ],
        [
            "{{ r.seq }}",
            "{{ r.system }}{% if r.system %} / {% endif %}{{ r.item }}",
            "{{ r.method }}",
            "{{ r.standard }}",
            "{{ r.result or '未填写' }}",
            "{{ r.note }}",
            "{{ r.action }}",
            "{{ r.remark }}",
        ],
        [0.8, 2.5, 2.4, 2.2, 1.8, 2.5, 2.4, 1.4],
        "r in run.detail_rows",
        abnormal="r.abnormal",
        align_center=(0,),
    )
    _small(table)
    k.kv_table(
        doc,
        [
            [
                (
                    "巡检结论",
                    "{{ run.conclusion }}{% if run.detail_rows|length < run.item_count %}（本次共 {{ run.item_count }} 项，未列出的均无异常：{{ run.summary }}）{% endif %}",
                )
            ],
            [("整改要求", "{{ run.remediation or '无' }}")],
            [
                ("整改期限", "{{ run.remediation_deadline|d }}"),
                ("记录状态", "{{ run.status }}　校验码 {{ run.verification_code }}"),
            ],
            [
                (
                    "巡检人签字",
                    "{{ run.signatures.operator.image }}　{{ run.signatures.operator.name }}"
                    "{% if run.signatures.operator.signed %}　{{ run.signatures.operator.date|dt }}"
                    "{% else %}（未签字）{% endif %}",
                )
            ],
        ],
        _scale([3, 5, 3, 7], W),
    )
    k.control(doc, "{%p if run.amendment %}")
    k.para(doc, "{{ run.amendment }}", style="表格文字")
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p endif %}")
    k.heading(doc, "{% if detailed %}三{% else %}二{% endif %}、检查项目及标准", 2)
    table = k.data_table(
        doc,
        ["序号", "巡检名称", "检查项目", "检查内容/方法", "标准/阈值", "适用系统"],
        [
            "{{ x.seq }}",
            "{{ x.name }}",
            "{{ x.item }}",
            "{{ x.method }}",
            "{{ x.standard }}",
            "{{ x.systems }}",
        ],
        [0.8, 2.6, 2.6, 3.8, 3.4, 2.8],
        "x in checklist",
        align_center=(0,),
    )
    _small(table)
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.para(
        doc,
        "全部正常的巡检每次只列一行，逐项结果及测量值见同期的 Excel 版巡检记录单及电子记录。",
        style="表格文字",
    )
    k.spacer(doc)
    k.signature_block(doc)
    return doc


def daily_inspection_log():
    doc = k.new_document(landscape=True)
    k.title(doc)
    contract_box(doc, LW)
    k.control(doc, "{%p for s in sections %}")
    k.heading(
        doc,
        "{{ s.name }}（应巡检 {{ s.planned }} 次，已完成 {{ s.done }} 次{% if s.pending %}，{{ s.pending }} 次尚未到期{% endif %}）",
        2,
    )
    k.matrix_table(
        doc,
        ["日期", "系统"],
        ["{{ r.date|d }}", "{{ r.system }}"],
        ["异常情况及处理", "巡检人"],
        ["{{ r.note }}", "{{ r.inspector }}"],
        [2.5, 2.6, 1.0, 1.0, 1.0, 5.2, 1.8],
        "s.columns",
        "r in s.rows",
        "r.cells",
        "r.abnormal",
        note_row="s.note_row",
    )
    k.control(doc, "{%p endfor %}")
    k.spacer(doc)
    # the summary line closes the form and keeps with the signature block (a paragraph:
    # LibreOffice keeps a paragraph with the table after it, not a table with one)
    k.para(
        doc,
        "本期汇总：{% for s in sections %}{{ s.name }}应巡检 {{ s.planned }} 次，已完成 "
        "{{ s.done }} 次{% if s.pending %}，{{ s.pending }} 次尚未到期{% endif %}"
        "{% if not loop.last %}；{% endif %}{% else %}本期无日常巡检{% endfor %}。",
        style="表格文字",
    )
    k.spacer(doc)
    k.signature_block(doc, width=LW)
    return doc


def monthly_inspection():
    doc = k.new_document()
    k.title(doc)
    contract_box(doc)
    k.control(doc, "{%p for s in sections %}")
    k.heading(doc, "{{ s.name }}（{{ s.date|d }}，巡检人：{{ s.inspector }}）", 2)
    k.data_table(
        doc,
        ["序号", "项目", "检查方法", "结果", "发现问题", "处理情况", "备注"],
        [
            "{{ i.seq }}",
            "{{ i.item }}",
            "{{ i.method }}",
            "{{ i.result }}",
            "{{ i.problem }}",
            "{{ i.handling }}",
            "{{ i.remark }}",
        ],
        # 结果 widest: the summary items (本月运维情况, 应急响应, 数据汇总) write sentences there
        [1.0, 3.0, 3.0, 3.8, 2.0, 2.2, 1.0],
        "i in s.rows",
        abnormal="i.abnormal",
        align_center=(0,),
    )
    k.para(doc, "结论：{{ s.conclusion }}", style="表格文字")
    k.control(doc, "{%p endfor %}")
    k.heading(doc, "本月汇总", 2)
    k.kv_table(
        doc,
        [
            [("应巡检次数", "{{ planned }}"), ("按时完成", "{{ done }}")],
            [("故障数", "{{ faults_total }}"), ("服务请求数", "{{ requests_total }}")],
            [
                (
                    "故障按等级",
                    "{% for x in faults_by_level %}{{ x.name }} {{ x.count }}起 {% endfor %}",
                ),
            ],
            [
                (
                    "故障按系统",
                    "{% for x in faults_by_system %}{{ x.name }} {{ x.count }}起 {% endfor %}",
                ),
            ],
            [("应急事件", "{% for e in emergencies %}{{ e }}；{% else %}无{% endfor %}")],
            [("汇总", "{{ summary }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    k.spacer(doc)
    k.signature_block(doc)
    return doc


#: The summary forms' one row per month (forms.md), shared by Word and Excel.
MONTH_HEADERS = [
    "月份",
    "计划巡检数",
    "完成数",
    "发现问题数",
    "已整改数",
    "故障数",
    "服务请求数",
    "可用率",
]
MONTH_COUNTS = ("planned", "done", "problems", "fixed", "faults", "requests")


def month_cells(var: str, first: str, availability_filter: str = "") -> list[str]:
    """Cells of a month row (``var`` = ``m``) or of the totals row (``var`` = ``total``)."""
    counts = [f"{{{{ {var}.{field} }}}}" for field in MONTH_COUNTS]
    return [first, *counts, f"{{{{ {var}.availability{availability_filter} }}}}"]


def month_table(doc, *, total: bool) -> None:
    k.data_table(
        doc,
        MONTH_HEADERS,
        month_cells("m", "{{ m.month }}", "|pct(2)"),
        # 月份 holds 「2026年1月至9月」 on one line (the 启用日期 mark goes on the next)
        [3.4, 1.9, 1.6, 1.9, 1.8, 1.5, 2.1, 1.8],
        "m in months",
        align_center=(1, 2, 3, 4, 5, 6, 7),
        total=month_cells("total", "合计", "|pct(2)") if total else None,
    )


def summary(year: bool):
    def make():
        doc = k.new_document()
        k.title(doc)
        contract_box(doc)
        k.spacer(doc)
        month_table(doc, total=True)
        k.para(doc, "注：{{ availability_note }}", style="表格文字")
        k.heading(doc, "一、分析", 2)
        paragraph_lines(doc, "analysis")
        k.heading(doc, "二、建议", 2)
        paragraph_lines(doc, "suggestions")
        if year:
            k.control(doc, "{%p if is_year_end %}")
            k.heading(doc, "三、下年度运维计划及建议", 2)
            paragraph_lines(doc, "next_year_plan")
            k.control(doc, "{%p endif %}")
        k.spacer(doc)
        k.signature_block(doc)
        return doc

    return make


def holiday_check():
    doc = k.new_document(landscape=True)
    k.title(doc)
    contract_box(doc, LW)
    k.para(
        doc,
        "保障期：{{ holiday }}（{{ holiday_start|d }} 至 {{ holiday_end|d }}）",
        style="表格文字",
    )
    k.heading(
        doc,
        "一、节前检查{% if pre_date %}（{{ pre_date|d }}，检查人：{{ pre_inspector }}）"
        "{% else %}（无记录）{% endif %}",
        2,
    )
    k.control(doc, "{%p if not pre_items %}")
    k.para(doc, "本保障期没有已完成的节前检查记录。")
    k.control(doc, "{%p endif %}")
    k.control(doc, "{%p if pre_items %}")
    k.data_table(
        doc,
        ["序号", "检查项目", "检查内容/方法", "检查结果", "异常情况", "处理措施"],
        [
            "{{ r.seq }}",
            "{{ r.item }}",
            "{{ r.method }}",
            "{{ r.result }}",
            "{{ r.note }}",
            "{{ r.action }}",
        ],
        _scale([1, 4, 6, 4, 4, 4], LW),
        "r in pre_items",
        abnormal="r.abnormal",
        align_center=(0,),
    )
    k.control(doc, "{%p endif %}")
    k.heading(doc, "二、节日期间每日检查", 2)
    k.matrix_table(
        doc,
        ["日期"],
        ["{{ r.date|d }}"],
        ["{{ note_title }}", "值班人"],
        ["{{ r.note }}", "{{ r.inspector }}"],
        [2.6, 1.0, 1.0, 1.0, 5.5, 2.0],
        "columns",
        "r in days",
        "r.cells",
        "r.abnormal",
    )
    k.heading(
        doc,
        "三、节后评估{% if post_date %}（{{ post_date|d }}）{% else %}（尚未评估）{% endif %}",
        2,
    )
    k.para(doc, "保障情况（据记录）：{{ summary }}")
    paragraph_lines(doc, "evaluation")
    k.para(
        doc,
        "期间故障/事件：{% for e in events %}{{ e }}{{ '。' if loop.last else '；' }}"
        "{% else %}无。{% endfor %}",
    )
    k.spacer(doc)
    k.signature_block(doc, width=LW)
    return doc


def service_record():
    doc = k.new_document()
    k.control(doc, "{%p for s in records %}")
    k.title(doc)
    k.kv_table(
        doc,
        [
            [("服务单号", "{{ s.number }}"), ("合同/项目", "{{ contract.name }}")],
            [
                ("系统", "{{ s.system }}"),
                ("联系人/单位", "{{ s.caller_name }} {{ s.caller_unit }}"),
            ],
            [("联系方式", "{{ s.caller_contact }}"), ("接报时间", "{{ s.received_at|dt }}")],
            [("服务方式", "{{ s.channel }}"), ("优先级", "{{ s.priority }}")],
            [("问题类别", "{{ s.category }}"), ("影响范围", "{{ s.impact }}")],
            [("服务内容", "{{ s.description }}")],
            [("处理过程及完成情况", "{{ s.resolution }}")],
            [
                (
                    "服务后状态",
                    "{{ s.status }}{% if s.fault_number %}（转故障单 {{ s.fault_number }}）{% endif %}",
                ),
                ("完成时间", "{{ s.completed_at|dt }}"),
            ],
            [("下次上门", "{{ s.next_visit|dt }}"), ("是否回访", "{{ s.follow_up }}")],
            [("受理人", "{{ s.handler }}"), ("响应时间", "{{ s.responded_at|dt }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    k.spacer(doc)
    k.data_table(
        doc,
        ["SLA 环节", "时间", "要求", "实际", "结果"],
        ["{{ x.step }}", "{{ x.time|dt }}", "{{ x.target }}", "{{ x.actual }}", "{{ x.verdict }}"],
        [2.6, 4.2, 3.0, 3.2, 3.0],
        "x in s.sla",
        align_center=(4,),
    )
    k.control(doc, "{%p if s.amendment %}")
    k.para(doc, "{{ s.amendment }}", style="表格文字")
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.signature_block(doc, "s.signatures")
    k.para(
        doc,
        "记录校验码：{{ s.verification_code }}",
        style="页眉页脚",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    k.control(doc, "{%p if not loop.last %}")
    k.page_break(doc)
    k.control(doc, "{%p endif %}")
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p if not records %}")
    k.title(doc)
    k.para(doc, "本期间无服务记录。")
    k.control(doc, "{%p endif %}")
    return doc


def fault_report():
    doc = k.new_document()
    k.title(doc)
    k.kv_table(
        doc,
        [
            [("合同/项目名称", "{{ contract.name }}")],
            [("故障单号", "{{ number }}"), ("系统", "{{ system }}")],
            [("故障标题", "{{ fault_title }}")],
            [
                ("等级", "{{ level }}"),
                (
                    "类型",
                    "{{ category }}{% if emergency_type %}（{{ emergency_type }}）{% endif %}",
                ),
            ],
            [("影响范围", "{{ impact }}")],
            [("服务中断", "{{ outage }}")],
            [
                ("发现方式", "{{ discovery }}{% if source %}（{{ source }}）{% endif %}"),
                ("处理人", "{{ handler }}"),
            ],
            [("协调人", "{{ coordinator }}"), ("处理结果", "{{ result }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    k.heading(doc, "时间线及 SLA", 2)
    k.data_table(
        doc,
        ["环节", "时间", "SLA 要求", "实际用时", "达标/超时"],
        ["{{ t.step }}", "{{ t.time|dt }}", "{{ t.target }}", "{{ t.actual }}", "{{ t.verdict }}"],
        [2.6, 4.2, 3.0, 3.2, 3.0],
        "t in timeline",
        align_center=(4,),
    )
    for n, (label, field) in enumerate(
        [
            ("故障现象", "symptom"),
            ("影响分析", "impact_analysis"),
            ("原因分析", "cause"),
            ("处理过程（临时措施 → 根本解决 → 验证）", "process"),
            ("整改及预防措施", "prevention"),
        ]
    ):
        k.heading(doc, f"{'一二三四五'[n]}、{label}", 2)
        paragraph_lines(doc, f"{field} or '无'")
    k.heading(doc, "六、附件", 2)
    pictures(doc, "a", "attachments", "附件")
    k.control(doc, "{%p if not attachments %}")
    k.para(doc, "无")
    k.control(doc, "{%p endif %}")
    k.control(doc, "{%p if amendment %}")
    k.para(doc, "{{ amendment }}", style="表格文字")
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.signature_block(doc)
    return doc


def phone_log():
    doc = k.new_document(landscape=True)
    k.title(doc)
    contract_box(doc, LW)
    k.spacer(doc)
    k.data_table(
        doc,
        [
            "来电时间",
            "来电单位",
            "来电人",
            "联系方式",
            "系统",
            "问题类别",
            "问题描述",
            "处理方式",
            "响应时间",
            "处理结果",
            "完成时间",
            "受理人",
            "回访",
        ],
        [
            "{{ r.received_at|dt }}",
            "{{ r.caller_unit }}",
            "{{ r.caller_name }}",
            "{{ r.caller_contact }}",
            "{{ r.system }}",
            "{{ r.category }}",
            "{{ r.description }}",
            "{{ r.channel }}",
            "{{ r.responded_at|dt }}",
            "{{ r.resolution }}",
            "{{ r.completed_at|dt }}",
            "{{ r.handler }}",
            "{{ r.follow_up }}",
        ],
        # cm: 处理方式/回访 two characters a line (回访 had one: 回/访), 问题类别 four
        _scale([1.95, 2.0, 1.3, 1.8, 1.8, 1.75, 3.3, 1.1, 2.0, 3.35, 1.95, 1.3, 1.1], LW),
        "r in rows",
        align_center=(7, 12),
    )
    k.heading(doc, "统计", 2)
    k.para(
        doc,
        "来电总数 {{ total }} 个，电话解决 {{ solved_on_phone }} 个，电话一次解决率 {{ first_call_rate|pct }}。",
    )
    for label, field in (
        ("按来电单位", "by_unit"),
        ("按问题类别", "by_category"),
        ("按处理方式", "by_channel"),
        ("按系统", "by_system"),
    ):
        k.para(
            doc,
            f"{label}：{{% for x in {field} %}}{{{{ x.name }}}} {{{{ x.count }}}}；{{% endfor %}}",
            style="表格文字",
        )
    k.para(doc, "{{ charts.by_category }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.spacer(doc)
    k.signature_block(doc, width=LW)
    return doc


def count_table(doc, title: str, field: str, unit: str = "数量"):
    k.data_table(
        doc,
        [title, unit, "占比"],
        ["{{ x.name }}", "{{ x.count }}", "{{ x.share|pct }}"],
        [8.0, 4.0, 4.0],
        f"x in {field}",
        align_center=(1, 2),
    )


def monthly_report():
    doc = k.new_document()
    k.title(doc)
    k.heading(doc, "一、基本信息", 2)
    k.kv_table(
        doc,
        [
            [("合同", "{{ contract.name }}（{{ contract.contract_no }}）")],
            [("甲方", "{{ contract.client }}"), ("乙方", "{{ contract.vendor }}")],
            [
                ("服务周期", "{{ contract.start|d }} 至 {{ contract.end|d }}"),
                ("报告期", "{{ period.label }}"),
            ],
            [("编制人", "{{ author }}"), ("报告日期", "{{ report_date|cn_date }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    k.heading(doc, "二、本月工作概述", 2)
    k.para(doc, "{{ overview }}")
    k.kv_table(
        doc,
        [
            [
                ("巡检完成率", "{{ inspection_rate|pct }}"),
                ("故障响应及时率", "{{ response_rate|pct }}"),
            ],
            [("故障解决率", "{{ resolution_rate|pct }}"), ("SLA 达成率", "{{ sla_rate|pct }}")],
            [
                ("电话一次解决率", "{{ first_call_rate|pct }}"),
                ("报告按时交付率", "{{ delivery_rate|pct }}"),
            ],
            [("可用率", "{{ availability|pct(2) }}（各系统合计，按系统见第六节）")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    k.heading(doc, "三、巡检情况", 2)
    k.para(
        doc,
        "本月应巡检 {{ inspections_planned }} 次{% if inspections_pending %}（其中 {{ inspections_pending }} 次尚未到期）{% endif %}，按时完成 {{ inspections_done }} 次；发现问题 {{ findings|length }} 个{{ findings_note }}，已整改 {{ findings_fixed }} 个。",
    )
    k.data_table(
        doc,
        ["巡检", "类型", "系统", "应巡检", "按时完成", "逾期完成", "发现问题", "完成率"],
        [
            "{{ x.name }}",
            "{{ x.cadence }}",
            "{{ x.system }}",
            "{{ x.planned }}",
            "{{ x.done }}",
            "{{ x.late }}",
            "{{ x.findings }}",
            "{{ x.rate|pct }}",
        ],
        [3.6, 1.2, 2.2, 1.6, 1.8, 1.8, 1.8, 2.0],
        "x in inspections",
        align_center=(1, 3, 4, 5, 6, 7),
    )
    k.control(doc, "{%p if findings %}")
    k.para(doc, "巡检发现的问题：", style="表格文字")
    k.data_table(
        doc,
        ["日期", "巡检", "检查项", "异常情况", "处理措施"],
        ["{{ x.date|d }}", "{{ x.name }}", "{{ x.item }}", "{{ x.note }}", "{{ x.action }}"],
        [2.2, 3.0, 3.4, 4.2, 3.2],
        "x in findings",
    )
    k.control(doc, "{%p endif %}")
    k.heading(doc, "四、故障统计", 2)
    k.para(doc, "本月共发生故障 {{ faults_total }} 起。")
    count_table(doc, "故障等级", "faults_by_level", "故障数")
    k.spacer(doc)
    count_table(doc, "系统", "faults_by_system", "故障数")
    k.spacer(doc)
    count_table(doc, "类型/原因", "faults_by_cause", "故障数")
    k.para(doc, "{{ charts.faults_by_system }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.control(doc, "{%p if major_faults %}")
    k.para(doc, "重大故障：", style="表格文字")
    k.data_table(
        doc,
        ["故障单号", "标题", "等级", "系统", "报告时间", "处理时长", "响应", "恢复"],
        [
            "{{ x.number }}",
            "{{ x.title }}",
            "{{ x.level }}",
            "{{ x.system }}",
            "{{ x.reported_at|dt }}",
            "{{ x.duration }}",
            "{{ x.response }}",
            "{{ x.recovery }}",
        ],
        [2.6, 3.6, 1.2, 2.0, 2.6, 1.8, 1.1, 1.1],
        "x in major_faults",
    )
    k.control(doc, "{%p endif %}")
    k.para(doc, "近几个月趋势：", style="表格文字")
    k.data_table(
        doc,
        ["月份", "巡检完成率", "故障数", "服务请求数", "SLA 达成率"],
        [
            "{{ t.month }}",
            "{{ t.inspections_rate|pct }}",
            "{{ t.faults }}",
            "{{ t.requests }}",
            "{{ t.sla_rate|pct }}",
        ],
        [3.6, 3.1, 3.1, 3.1, 3.1],
        "t in trend",
        align_center=(1, 2, 3, 4),
    )
    k.heading(doc, "五、服务请求/电话支持统计", 2)
    k.para(
        doc,
        "本月共受理服务请求 {{ requests_total }} 次，电话一次解决率 {{ first_call_rate|pct }}。",
    )
    count_table(doc, "来电单位", "requests_by_unit", "次数")
    k.spacer(doc)
    count_table(doc, "系统", "requests_by_system", "次数")
    k.spacer(doc)
    count_table(doc, "问题类别", "requests_by_category", "次数")
    k.spacer(doc)
    count_table(doc, "服务方式", "requests_by_channel", "次数")
    k.para(doc, "{{ charts.calls_per_day }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.heading(doc, "六、SLA 达成", 2)
    k.data_table(
        doc,
        ["指标", "标准", "达标数/总数", "实际", "达标"],
        [
            "{{ x.name }}",
            "{{ x.standard }}",
            "{{ x.numerator }}/{{ x.denominator }}",
            "{{ x.rate|pct }}",
            "{{ x.met }}",
        ],
        [3.6, 4.6, 2.8, 2.6, 2.4],
        "x in sla",
        align_center=(2, 3, 4),
    )
    k.para(doc, "可用率（按系统）：", style="表格文字")
    k.data_table(
        doc,
        AVAILABILITY_HEADERS,
        [
            "{{ x.system }}",
            "{{ x.committed_hours|num(1) }}",
            "{{ x.outage_minutes|num(0) }}",
            "{{ x.availability|pct(2) }}",
            "{{ x.faults }}",
        ],
        [3.4, 2.2, 2.0, 2.0, 6.4],
        "x in availability_systems",
        align_center=(1, 2, 3),
    )
    k.para(doc, "注：{{ availability_note }}", style="表格文字")
    k.para(doc, "{{ charts.sla_trend }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.control(doc, "{%p if monitoring %}")
    k.para(doc, "运行监测（自动检测）：", style="表格文字")
    k.data_table(
        doc,
        MONITORING_HEADERS,
        [
            "{{ x.system }}",
            "{{ x.kind }}",
            "{{ x.checks }}",
            "{{ x.failures }}",
            "{{ x.availability|pct(2) }}",
            "{{ x.mean_ms|num(0) }}",
            "{{ x.max_ms|num(0) }}",
        ],
        [4.6, 1.8, 1.6, 1.6, 2.0, 2.2, 2.2],
        "x in monitoring",
        align_center=(1, 2, 3, 4, 5, 6),
    )
    k.para(doc, "{{ charts.response_trend }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.para(doc, "{{ charts.probe_availability }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.control(doc, "{%p endif %}")
    k.heading(doc, "七、备份与安全", 2)
    k.control(doc, "{%p for x in backup_security %}")
    k.para(doc, "{{ x.label }}：{{ x.value }}")
    k.control(doc, "{%p endfor %}")
    k.heading(doc, "八、节假日保障", 2)
    k.control(doc, "{%p for x in holidays %}")
    k.para(doc, "{{ x.label }}：{{ x.value }}")
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p if not holidays %}")
    k.para(doc, "本月无节假日保障任务。")
    k.control(doc, "{%p endif %}")
    k.heading(doc, "九、存在问题及建议", 2)
    k.control(doc, "{%p for x in problems %}")
    k.para(doc, "{{ loop.index }}. {{ x }}")
    k.control(doc, "{%p endfor %}")
    k.heading(doc, "十、下月工作计划", 2)
    k.control(doc, "{%p for x in next_plan %}")
    k.para(doc, "{{ loop.index }}. {{ x }}")
    k.control(doc, "{%p endfor %}")
    k.spacer(doc)
    k.signature_block(doc)
    return doc


#: The 运行监测 table of the monthly report (probe results), shared by Word and Excel.
MONITORING_HEADERS = [
    "系统 / 检测目标",
    "类型",
    "检测次数",
    "异常次数",
    "可用性",
    "平均响应（ms）",
    "最长响应（ms）",
]

#: The 可用率 table of the monthly report, shared by Word and Excel.
AVAILABILITY_HEADERS = [
    "系统",
    "承诺服务时长（小时）",
    "中断时长（分钟）",
    "可用率",
    "计入的故障单",
]


def doc_facts(doc, systems: bool = True):
    contract_box(doc)
    if systems:
        k.heading(doc, "系统清单", 2)
        k.data_table(
            doc,
            ["序号", "系统/组件", "类别"],
            ["{{ s.seq }}", "{{ s.name }}", "{{ s.category }}"],
            [2.0, 9.0, 5.0],
            "s in systems",
            align_center=(0,),
        )


def lines_table(doc, title1: str, title2: str, field: str):
    k.data_table(
        doc, [title1, title2], ["{{ x.label }}", "{{ x.value }}"], [7.0, 9.0], f"x in {field}"
    )


def satisfaction_survey():
    doc = k.new_document()
    k.title(doc)
    contract_box(doc)
    k.para(
        doc,
        "请甲方对本期运维服务进行评价，每项满分 10 分（或按 非常满意/满意/一般/不满意/很不满意 五级评价）。",
        style="表格文字",
    )
    k.data_table(
        doc,
        ["序号", "评估项目", "评价内容", "评价标准", "得分"],
        ["{{ x.seq }}", "{{ x.item }}", "{{ x.content }}", "{{ x.standard }}", "{{ x.score }}"],
        [1.2, 2.8, 5.2, 4.8, 2.0],
        "x in scores",
        align_center=(0,),
    )
    k.para(doc, "意见和建议：")
    for _ in range(4):
        k.para(doc, "")
    k.spacer(doc)
    k.signature_block(doc)
    return doc


def meeting_minutes():
    """One page per meeting: facts, agenda, discussion, decisions, action items, signatures."""
    doc = k.new_document()
    k.control(doc, "{%p for m in meetings %}")
    k.title(doc)
    k.kv_table(
        doc,
        [
            [("合同/项目名称", "{{ contract.name }}")],
            [("会议名称", "{{ m.name }}")],
            [("纪要编号", "{{ m.number }}"), ("状态", "{{ m.status }}")],
            [("会议时间", "{{ m.time }}"), ("地点", "{{ m.place }}")],
            [("主持人", "{{ m.host }}"), ("记录人", "{{ m.recorder }}")],
            [("出席人员", "{{ m.attendees }}")],
            [("缺席人员", "{{ m.absentees or '无' }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    for n, (label, field) in enumerate(
        [
            ("会议议程", "agenda_lines"),
            ("会议内容", "discussion_lines"),
            ("会议决议", "decision_lines"),
        ]
    ):
        k.heading(doc, f"{'一二三'[n]}、{label}", 2)
        k.control(doc, f"{{%p for line in m.{field} %}}")
        k.para(doc, "{{ line }}")
        k.control(doc, "{%p else %}")
        k.para(doc, "无")
        k.control(doc, "{%p endfor %}")
    k.heading(doc, "四、行动项", 2)
    k.control(doc, "{%p if m.actions %}")
    actions = k.data_table(
        doc,
        ["序号", "行动项", "负责人", "完成时间", "状态"],
        [
            "{{ a.seq }}",
            "{{ a.content }}",
            "{{ a.owner }}",
            "{{ a.due_date|d }}",
            "{{ a.state }}",
        ],
        _scale([1.2, 8.0, 2.4, 2.6, 1.8], W),
        "a in m.actions",
        align_center=(0, 2, 3, 4),
    )
    k.keep_together(actions._tbl)  # a short list: it goes with the signature block below it
    k.control(doc, "{%p else %}")
    k.para(doc, "本次会议无行动项。")
    k.control(doc, "{%p endif %}")
    k.control(doc, "{%p if m.amendment %}")
    k.para(doc, "{{ m.amendment }}", style="表格文字")
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.signature_block(doc, "m.signatures")
    k.para(
        doc,
        "纪要校验码：{{ m.verification_code }}",
        style="页眉页脚",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    k.control(doc, "{%p if not loop.last %}")
    k.page_break(doc)
    k.control(doc, "{%p endif %}")
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p if not meetings %}")
    k.title(doc)
    contract_box(doc)
    k.para(doc, "本期间没有例会记录。")
    k.control(doc, "{%p endif %}")
    return doc


def deployment_list():
    doc = k.new_document(landscape=True)
    k.title(doc)
    contract_box(doc, LW)
    k.spacer(doc)
    k.data_table(
        doc,
        [
            "序号",
            "系统/组件",
            "服务器",
            "OS",
            "中间件/数据库及版本",
            "端口",
            "部署路径",
            "启停方式",
            "备份策略",
            "负责人",
        ],
        ["{{ s.seq }}", "{{ s.name }}", "", "", "", "", "", "", "", ""],
        _scale([1.0, 3.6, 2.6, 2.2, 3.4, 1.6, 3.0, 2.6, 2.6, 1.8], LW),
        "s in systems",
        align_center=(0,),
    )
    k.spacer(doc)
    k.signature_block(doc, width=LW)
    return doc


def summary_report():
    doc = k.new_document()
    k.title(doc)
    contract_box(doc)
    k.heading(doc, "一、项目概况", 2)
    k.para(
        doc,
        "{{ contract.vendor }}按合同《{{ contract.name }}》（{{ contract.contract_no }}）为{{ contract.client }}提供运维服务，服务期 {{ contract.start|d }} 至 {{ contract.end|d }}，服务时间 {{ contract.service_window }}。",
    )
    k.heading(doc, "二、运维工作完成情况", 2)
    k.para(doc, "{{ overview }}")
    month_table(doc, total=False)
    k.heading(doc, "三、SLA 达成情况", 2)
    k.data_table(
        doc,
        ["指标", "标准", "达标数/总数", "实际", "达标"],
        [
            "{{ x.name }}",
            "{{ x.standard }}",
            "{{ x.numerator }}/{{ x.denominator }}",
            "{{ x.rate|pct }}",
            "{{ x.met }}",
        ],
        [3.6, 4.6, 2.8, 2.6, 2.4],
        "x in sla_rates",
        align_center=(2, 3, 4),
    )
    k.heading(doc, "四、交付物提交情况", 2)
    k.data_table(
        doc,
        ["交付物", "期间", "截止日期", "状态"],
        ["{{ x.name }}", "{{ x.period }}", "{{ x.due|d }}", "{{ x.state }}"],
        [5.0, 5.0, 3.0, 3.0],
        "x in deliverables",
        align_center=(2, 3),
    )
    k.heading(doc, "五、存在问题及改进建议", 2)
    paragraph_lines(doc, "texts.problems")
    k.heading(doc, "六、后续工作计划", 2)
    paragraph_lines(doc, "texts.plan")
    k.spacer(doc)
    k.signature_block(doc)
    return doc


def plan_document(sections: list[tuple[str, str]]):
    def make():
        doc = k.new_document()
        k.title(doc)
        doc_facts(doc)
        for n, (heading, what) in enumerate(sections, start=1):
            k.heading(doc, f"{n}. {heading}", 2)
            if what == "sla":
                lines_table(doc, "项目", "约定", "sla")
            elif what == "roles":
                lines_table(doc, "岗位", "人数", "roles")
            elif what == "holidays":
                lines_table(doc, "保障期", "日期", "holidays")
            elif what == "checklists":
                lines_table(doc, "巡检项目", "频次", "checklists")
            elif what == "emergencies":
                k.control(doc, "{%p for e in emergencies %}")
                k.para(doc, "（{{ loop.index }}）{{ e }}：现象识别、报告流程、处置步骤、恢复验证。")
                k.control(doc, "{%p endfor %}")
            else:  # a written chapter: the user's text (app.export.narrative)
                paragraph_lines(doc, f"texts.{what}")
        k.spacer(doc)
        k.signature_block(doc)
        return doc

    return make


def pictures(doc, var: str, items: str, label: str) -> None:
    """Each picture of ``items`` centred, numbered and captioned below (``label`` 1：说明)."""
    k.control(doc, f"{{%p for {var} in {items} %}}")
    k.para(doc, f"{{{{ {var}.image }}}}", align=WD_ALIGN_PARAGRAPH.CENTER)
    k.para(
        doc,
        f"{label} {{{{ loop.index }}}}：{{{{ {var}.caption or {var}.filename }}}}",
        style="表格文字",
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    k.control(doc, "{%p endfor %}")


def knowledge_base():
    """技术服务知识库（维护文档库）: the articles by system, then the problems that recur."""
    doc = k.new_document()
    k.title(doc)
    contract_box(doc)
    k.para(
        doc,
        "截至 {{ period.end|d }} 共有知识条目 {{ articles_total }} 条，其中已审核 {{ reviewed_total }} 条。"
        "按分类：{% for x in by_category %}{{ x.name }} {{ x.count }} 条{% if not loop.last %}、{% endif %}{% endfor %}。",
    )
    k.heading(doc, "一、知识条目（按系统归类）", 2)
    k.control(doc, "{%p for g in groups %}")
    k.heading(doc, "{{ g.name }}", 3)
    k.control(doc, "{%p for a in g.articles %}")
    k.kv_table(
        doc,
        [
            [("条目", "{{ a.number }}  {{ a.title }}")],
            [("分类", "{{ a.category or '—' }}"), ("标签", "{{ a.tags or '—' }}")],
            [("问题现象", "{{ a.problem or '—' }}")],
            [("原因", "{{ a.cause or '—' }}")],
            [("解决方法", "{{ a.solution or '—' }}")],
            [
                (
                    "操作步骤",
                    "{% for s in a.step_lines %}{{ loop.index }}. {{ s }}{% if not loop.last %}\n{% endif %}{% else %}—{% endfor %}",
                )
            ],
            [
                ("作者", "{{ a.author }}"),
                (
                    "审核",
                    "{% if a.reviewer %}{{ a.reviewer }} {{ a.reviewed_at|d }}{% else %}未审核{% endif %}",
                ),
            ],
            [("来源", "{{ a.source or '手工编写' }}")],
        ],
        _scale([3, 5, 3, 5], W),
    )
    pictures(doc, "pic", "a.pictures", "图")
    k.spacer(doc)
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p endfor %}")
    k.control(doc, "{%p if not groups %}")
    k.para(doc, "尚无知识条目。")
    k.control(doc, "{%p endif %}")
    k.heading(doc, "二、常见问题（{{ period.label }}，按出现次数）", 2)
    k.control(doc, "{%p if common %}")
    k.data_table(
        doc,
        ["序号", "问题", "次数", "涉及系统", "最近一次", "最近的解决方法", "知识条目"],
        [
            "{{ p.seq }}",
            "{{ p.problem }}",
            "{{ p.count }}",
            "{{ p.systems }}",
            "{{ p.last_at|d }}",
            "{{ p.solution }}",
            "{{ p.article }}",
        ],
        _scale([1.0, 4.4, 1.0, 2.2, 2.0, 4.4, 2.4], W),
        "p in common",
        align_center=(0, 2, 4),
    )
    k.control(doc, "{%p else %}")
    k.para(doc, "本期间没有重复出现的问题。")
    k.control(doc, "{%p endif %}")
    k.spacer(doc)
    k.signature_block(doc)
    return doc


WORD = {
    "knowledge_base": knowledge_base,
    "inspection_record": inspection_record,
    "daily_inspection_log": daily_inspection_log,
    "monthly_inspection": monthly_inspection,
    "quarterly_summary": summary(False),
    "annual_summary": summary(True),
    "holiday_check": holiday_check,
    "service_record": service_record,
    "fault_report": fault_report,
    "phone_log": phone_log,
    "monthly_report": monthly_report,
    "satisfaction_survey": satisfaction_survey,
    "meeting_minutes": meeting_minutes,
    "deployment_list": deployment_list,
    "summary_report": summary_report,
    "emergency_plan": plan_document(
        [
            ("总则（目的、适用范围、工作原则）", "general"),
            ("组织机构及职责", "roles"),
            ("服务时间及响应要求", "sla"),
            ("应急事件分类及处置", "emergencies"),
            ("报告流程", "reporting"),
            ("恢复与验证", "recovery"),
            ("应急演练", "drills"),
        ]
    ),
    "holiday_plan": plan_document(
        [
            ("保障目标", "goals"),
            ("保障期安排", "holidays"),
            ("组织与值守（远程/现场轮流值守）", "roles"),
            ("节前准备（健康检查、容量评估、预案演练）", "preparation"),
            ("节日期间每日检查", "daily"),
            ("应急事件处置", "emergencies"),
            ("节后评估与方案修订", "review"),
        ]
    ),
    "work_manual": plan_document(
        [
            ("服务内容与服务时间", "sla"),
            ("人员与岗位", "roles"),
            ("日常巡检项目及频次", "checklists"),
            ("故障处理流程", "faults"),
            ("服务请求处理流程（电话 → 远程 → 现场）", "requests"),
            ("备份与恢复", "backup"),
            ("文档与交付", "documents"),
        ]
    ),
}


# --------------------------------------------------------------------------- Excel

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
#: Cell fonts: 宋体 declared with the GB2312 charset (134) and the family of a
#: serif face, so Excel and LibreOffice pick a simplified-Chinese font.
FONT = Font(name=k.SONG, size=10, charset=134, family=3)
BOLD = Font(name=k.SONG, size=10, bold=True, charset=134, family=3)
TITLE = Font(name=k.SONG, size=16, bold=True, charset=134, family=3)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def sheet(
    wb,
    name: str,
    headers: list[str],
    cells: list[str],
    widths: list[float],
    loop: str,
    *,
    landscape: bool = True,
    formats: dict[int, str] | None = None,
    total: list[str] | None = None,
    sign: bool = True,
    first: bool = False,
):
    ws = wb.active if first else wb.create_sheet()
    ws.title = name
    n = len(headers)
    last = get_column_letter(n)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = "{{ title }}"
    ws["A1"].font = TITLE
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = (
        "合同：{{ contract.name }}（{{ contract.contract_no }}）    期间：{{ period.label }}    校验码：{{ verification_code }}"
    )
    ws["A2"].font = FONT
    ws["A2"].alignment = WRAP
    ws.row_dimensions[2].height = 20
    for i, (h, w) in enumerate(zip(headers, widths, strict=True), start=1):
        c = ws.cell(row=3, column=i, value=h)
        c.font = BOLD
        c.fill = HEAD_FILL
        c.border = BOX
        c.alignment = CENTER
        ws.column_dimensions[get_column_letter(i)].width = w
    for i, text in enumerate(cells, start=1):
        value = f"{{% for {loop} %}}{text}" if i == 1 else text
        c = ws.cell(row=4, column=i, value=value)
        c.font = FONT
        c.border = BOX
        c.alignment = WRAP
        if formats and i in formats:
            c.number_format = formats[i]
    row = 5
    if total:
        for i, text in enumerate(total, start=1):
            c = ws.cell(row=row, column=i, value=text)
            c.font = BOLD
            c.border = BOX
            c.alignment = WRAP
            if formats and i in formats:
                c.number_format = formats[i]
        row += 1
    if sign:
        row += 1
        sig_row(ws, row, n)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{last}{ws.max_row}"
    setup_page(ws, landscape)
    return ws


def _thirds(ws, ncols: int) -> list[tuple[int, int]]:
    """The columns (first, last) of the three signature boxes, as near a third of the width
    each as whole columns allow: a sheet whose first column is a narrow 日期 otherwise gave
    运维人员 a box too small for its label."""
    widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, ncols + 1)]
    if ncols < 3:
        raise ValueError("a signature row needs three columns")
    total = sum(widths)

    def spread(a: int, b: int) -> float:  # boxes 1..a, a+1..b, b+1..ncols
        parts = (sum(widths[:a]), sum(widths[a:b]), sum(widths[b:]))
        return max(abs(p - total / 3) for p in parts)

    a, b = min(
        ((a, b) for a in range(1, ncols - 1) for b in range(a + 1, ncols)),
        key=lambda ab: spread(*ab),
    )
    return [(1, a), (a + 1, b), (b + 1, ncols)]


def sig_row(ws, row: int, ncols: int) -> None:
    boxes = _thirds(ws, ncols)
    for k_, role in enumerate(("operator", "reviewer", "client")):
        col, end = boxes[k_]
        for r, text, height in (
            (
                row,
                f"{{{{ signatures.{role}.role }}}}（{{{{ signatures.{role}.label }}}}）{{{{ signatures.{role}.note }}}}",
                18,
            ),
            (row + 1, f"{{{{ signatures.{role}.image }}}}", 48),
            (
                row + 2,
                f"签字人：{{{{ signatures.{role}.name }}}}  日期：{{{{ signatures.{role}.date|d }}}}",
                18,
            ),
        ):
            if end > col:
                ws.merge_cells(start_row=r, start_column=col, end_row=r, end_column=end)
            c = ws.cell(row=r, column=col, value=text)
            c.font = BOLD if r == row else FONT
            c.alignment = WRAP
            for cc in range(col, end + 1):
                ws.cell(row=r, column=cc).border = BOX
            ws.row_dimensions[r].height = height


def setup_page(ws, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(
        left=0.7, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    # the renderer fills {{ … }} in headers and footers: every printed page names the
    # contract and carries the form's verification code
    ws.oddHeader.left.text = "{{ contract.name }}（{{ contract.contract_no }}）"
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.left.text = "校验码：{{ verification_code }}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.print_options.horizontalCentered = True


def count_block(
    caption: str, label: str, items: str, unit: str = "次数"
) -> tuple[str, list[str], list[str], str]:
    """A stats_sheet block listing Count rows (name, count, share) of one context list."""
    return (
        caption,
        [label, unit, "占比"],
        ["{{ x.name }}", "{{ x.count }}", "{{ x.share }}"],
        f"x in {items}",
    )


def stats_sheet(
    wb,
    name: str,
    blocks: list[tuple[str, list[str], list[str], str]],
    charts: list[str] = (),
    widths=(26, 14, 14, 14, 14, 14),
):
    """Several small tables on one sheet, each repeated by its own loop row."""
    ws = wb.create_sheet(name)
    ws.merge_cells("A1:F1")
    ws["A1"] = "{{ title }}：" + name
    ws["A1"].font = TITLE
    ws["A1"].alignment = CENTER
    row = 3
    # the charts first: their rows do not move with the tables' loops, so they start on
    # the first page and never straddle a page break (nor print over the footer)
    for chart in charts:
        ws.cell(row=row, column=1, value=f"{{{{ charts.{chart} }}}}")
        row += 16
    for caption, headers, cells, loop in blocks:
        ws.cell(row=row, column=1, value=caption).font = BOLD
        row += 1
        for i, h in enumerate(headers, start=1):
            c = ws.cell(row=row, column=i, value=h)
            c.font, c.fill, c.border, c.alignment = BOLD, HEAD_FILL, BOX, CENTER
        row += 1
        for i, text in enumerate(cells, start=1):
            c = ws.cell(row=row, column=i, value=f"{{% for {loop} %}}{text}" if i == 1 else text)
            c.font, c.border, c.alignment = FONT, BOX, WRAP
            if "share" in text or "rate" in text or "_rate" in text:
                c.number_format = "0.0%"
        row += 2
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    setup_page(ws, False)
    ws.print_area = f"A1:F{row}"
    return ws


D, T, P = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0.0%"
#: points of a row holding one chart: its 7.5 cm (213 pt) and a margin below
CHART_ROW_HEIGHT = 228


def x_inspection_record():
    wb = Workbook()
    sheet(
        wb,
        "巡检记录",
        [
            "巡检日期",
            "巡检",
            "系统",
            "类型",
            "巡检人",
            "检查项数",
            "异常/警告",
            "巡检结论",
            "整改要求",
            "状态",
            "记录校验码",
        ],
        [
            "{{ run.date }}",
            "{{ run.name }}",
            "{{ run.scope }}",
            "{{ run.cadence }}",
            "{{ run.inspector }}",
            "{{ run.item_count }}",
            "{{ run.abnormal_count }}",
            "{{ run.conclusion }}",
            "{{ run.remediation }}",
            "{{ run.status }}",
            "{{ run.verification_code }}",
        ],
        [11, 20, 12, 10, 9, 9, 9, 30, 24, 8, 16],
        "run in runs",
        formats={1: D},
        first=True,
    )
    sheet(
        wb,
        "异常项",
        [
            "巡检日期",
            "巡检",
            "系统",
            "检查项目",
            "标准/阈值",
            "检查结果",
            "测量值",
            "异常情况",
            "处理措施",
            "巡检人",
        ],
        [
            "{{ x.date }}",
            "{{ x.name }}",
            "{{ x.system }}",
            "{{ x.item }}",
            "{{ x.standard }}",
            "{{ x.result }}",
            "{{ x.value }}",
            "{{ x.note }}",
            "{{ x.action }}",
            "{{ x.inspector }}",
        ],
        [11, 18, 14, 22, 24, 14, 9, 28, 22, 9],
        "x in findings",
        formats={1: D},
        sign=False,
    )
    return wb


def x_simple(name, headers, cells, widths, loop, formats=None, total=None, landscape=True):
    def make():
        wb = Workbook()
        sheet(
            wb,
            name,
            headers,
            cells,
            widths,
            loop,
            formats=formats,
            total=total,
            landscape=landscape,
            first=True,
        )
        return wb

    return make


def x_monthly_report():
    wb = Workbook()
    ws = wb.active
    ws.title = "概况"
    ws.merge_cells("A1:D1")
    ws["A1"] = "{{ title }}（{{ period.label }}）"
    ws["A1"].font = TITLE
    ws["A1"].alignment = CENTER
    rows = [
        ("合同", "{{ contract.name }}"),
        ("合同编号", "{{ contract.contract_no }}"),
        ("报告期", "{{ period.label }}"),
        ("编制人", "{{ author }}"),
        ("报告日期", "{{ report_date }}"),
        ("巡检完成率", "{{ inspection_rate }}"),
        ("故障响应及时率", "{{ response_rate }}"),
        ("故障解决率", "{{ resolution_rate }}"),
        ("SLA 达成率", "{{ sla_rate }}"),
        ("电话一次解决率", "{{ first_call_rate }}"),
        ("报告按时交付率", "{{ delivery_rate }}"),
        ("可用率", "{{ availability }}"),
        ("应巡检次数", "{{ inspections_planned }}"),
        ("按时完成次数", "{{ inspections_done }}"),
        ("故障总数", "{{ faults_total }}"),
        ("服务请求总数", "{{ requests_total }}"),
        ("校验码", "{{ verification_code }}"),
        ("本月工作概述", "{{ overview }}"),
    ]
    for n, (label, value) in enumerate(rows, start=3):
        a = ws.cell(row=n, column=1, value=label)
        a.font, a.fill, a.border = BOLD, HEAD_FILL, BOX
        ws.merge_cells(start_row=n, start_column=2, end_row=n, end_column=4)
        b = ws.cell(row=n, column=2, value=value)
        b.font, b.border, b.alignment = FONT, BOX, WRAP
        if "availability" in value:
            b.number_format = "0.00%"  # 可用率 to 0.01 %, every other rate to 0.1 %
        elif "rate" in value:
            b.number_format = P
        if "report_date" in value:
            b.number_format = D
    ws.row_dimensions[3 + len(rows) - 1].height = 90
    ws.column_dimensions["A"].width = 18
    for col in "BCD":
        ws.column_dimensions[col].width = 22
    setup_page(ws, False)
    ws.print_area = f"A1:D{3 + len(rows)}"
    sig_row(ws, 4 + len(rows), 4)
    ws.print_area = f"A1:D{ws.max_row}"
    sheet(
        wb,
        "巡检情况",
        ["巡检", "类型", "系统", "应巡检", "按时完成", "逾期完成", "发现问题", "完成率"],
        [
            "{{ x.name }}",
            "{{ x.cadence }}",
            "{{ x.system }}",
            "{{ x.planned }}",
            "{{ x.done }}",
            "{{ x.late }}",
            "{{ x.findings }}",
            "{{ x.rate }}",
        ],
        [24, 8, 14, 9, 9, 9, 9, 9],
        "x in inspections",
        formats={8: P},
        sign=False,
        landscape=False,
    )
    stats_sheet(
        wb,
        "故障统计",
        [
            count_block("故障按等级", "等级", "faults_by_level", "故障数"),
            count_block("故障按系统", "系统", "faults_by_system", "故障数"),
            count_block("故障按类型/原因", "类型", "faults_by_cause", "故障数"),
            (
                "近几个月趋势",
                ["月份", "巡检完成率", "故障数", "服务请求数", "SLA 达成率"],
                [
                    "{{ t.month }}",
                    "{{ t.inspections_rate }}",
                    "{{ t.faults }}",
                    "{{ t.requests }}",
                    "{{ t.sla_rate }}",
                ],
                "t in trend",
            ),
        ],
        charts=["faults_by_system", "sla_trend"],
    )
    stats_sheet(
        wb,
        "服务请求统计",
        [
            count_block("按来电单位", "单位", "requests_by_unit"),
            count_block("按系统", "系统", "requests_by_system"),
            count_block("按问题类别", "类别", "requests_by_category"),
            count_block("按服务方式", "方式", "requests_by_channel"),
        ],
        charts=["calls_per_day"],
    )
    ws = sheet(
        wb,
        "可用率",
        AVAILABILITY_HEADERS,
        [
            "{{ x.system }}",
            "{{ x.committed_hours }}",
            "{{ x.outage_minutes }}",
            "{{ x.availability }}",
            "{{ x.faults }}",
        ],
        [22, 20, 16, 10, 36],
        "x in availability_systems",
        formats={2: "0.0", 3: "0", 4: "0.00%"},
        sign=False,
        landscape=False,
    )
    monitor = sheet(
        wb,
        "运行监测",
        MONITORING_HEADERS,
        [
            "{{ x.system }}",
            "{{ x.kind }}",
            "{{ x.checks }}",
            "{{ x.failures }}",
            "{{ x.availability }}",
            "{{ x.mean_ms }}",
            "{{ x.max_ms }}",
        ],
        [30, 10, 10, 10, 10, 14, 14],
        "x in monitoring",
        formats={5: "0.00%", 6: "0", 7: "0"},
        sign=False,
        landscape=False,
    )
    # the Word report's two charts below the table, one a row as tall as a chart (a row is
    # never split by a page break); no rows, and no blank space, when no probe ran
    chart_row = monitor.max_row + 2  # a row's gap below the table's loop row
    monitor.cell(row=chart_row, column=1, value="{% for ch in monitoring_charts %}{{ ch }}")
    monitor.row_dimensions[chart_row].height = CHART_ROW_HEIGHT
    monitor.print_area = f"A1:G{chart_row}"
    ws.merge_cells("A6:E6")
    note = ws.cell(row=6, column=1, value="注：{{ availability_note }}")
    note.font, note.alignment = FONT, WRAP
    ws.row_dimensions[6].height = 110
    ws.print_area = "A1:E6"
    stats_sheet(
        wb,
        "SLA达成",
        [
            (
                "SLA 达成",
                ["指标", "标准", "达标数", "总数", "实际", "达标"],
                [
                    "{{ x.name }}",
                    "{{ x.standard }}",
                    "{{ x.numerator }}",
                    "{{ x.denominator }}",
                    "{{ x.rate }}",
                    "{{ x.met }}",
                ],
                "x in sla",
            ),
        ],
    )
    return wb


def x_phone_log():
    wb = Workbook()
    sheet(
        wb,
        "电话支持记录",
        [
            "来电时间",
            "来电单位",
            "来电人",
            "联系方式",
            "系统",
            "问题类别",
            "问题描述",
            "处理方式",
            "响应时间",
            "处理结果",
            "完成时间",
            "受理人",
            "是否回访",
        ],
        [
            "{{ r.received_at }}",
            "{{ r.caller_unit }}",
            "{{ r.caller_name }}",
            "{{ r.caller_contact }}",
            "{{ r.system }}",
            "{{ r.category }}",
            "{{ r.description }}",
            "{{ r.channel }}",
            "{{ r.responded_at }}",
            "{{ r.resolution }}",
            "{{ r.completed_at }}",
            "{{ r.handler }}",
            "{{ r.follow_up }}",
        ],
        [16, 18, 9, 14, 14, 11, 30, 9, 16, 30, 16, 9, 8],
        "r in rows",
        formats={1: T, 9: T, 11: T},
        first=True,
    )
    ws = stats_sheet(
        wb,
        "统计",
        [
            count_block("按来电单位", "单位", "by_unit"),
            count_block("按系统", "系统", "by_system"),
            count_block("按问题类别", "类别", "by_category"),
            count_block("按处理方式", "方式", "by_channel"),
        ],
        charts=["by_category"],
    )
    ws["A2"] = (
        "来电总数 {{ total }}，电话解决 {{ solved_on_phone }}，电话一次解决率 {{ first_call_rate|pct }}"
    )
    return wb


def x_summary():
    """季度/年度汇总表: the month rows, the totals, the 可用率 definition, the signatures."""
    wb = Workbook()
    cells = month_cells("m", "{{ m.month }}")
    # the months before the 启用日期 have no 可用率 (no outage is known): 「—」 as in Word
    cells[-1] = '{{ m.availability if m.availability is not none else "—" }}'
    ws = sheet(
        wb,
        "汇总",
        MONTH_HEADERS,
        cells,
        [16, 11, 8, 11, 9, 8, 11, 10],
        "m in months",
        formats={8: "0.00%"},
        total=month_cells("total", "合计"),
        landscape=False,
        sign=False,
        first=True,
    )
    ws.cell(row=4, column=len(MONTH_HEADERS)).alignment = Alignment(
        wrap_text=True, vertical="center", horizontal="right"
    )  # a rate, or 「—」, under the rates
    ws.merge_cells("A6:H6")
    note = ws.cell(row=6, column=1, value="注：{{ availability_note }}")
    note.font, note.alignment = FONT, WRAP
    ws.row_dimensions[6].height = 110
    sig_row(ws, 8, len(MONTH_HEADERS))
    ws.print_area = f"A1:H{ws.max_row}"
    return wb


def x_knowledge_base():
    """知识条目清单 and the 常见问题 of the period, one sheet each."""
    wb = Workbook()
    sheet(
        wb,
        "知识条目清单",
        [
            "序号",
            "编号",
            "标题",
            "适用系统",
            "分类",
            "标签",
            "问题现象",
            "原因",
            "解决方法",
            "操作步骤",
            "作者",
            "审核人",
            "审核日期",
            "来源",
        ],
        [
            "{{ a.seq }}",
            "{{ a.number }}",
            "{{ a.title }}",
            "{{ a.systems }}",
            "{{ a.category }}",
            "{{ a.tags }}",
            "{{ a.problem }}",
            "{{ a.cause }}",
            "{{ a.solution }}",
            "{{ a.steps }}",
            "{{ a.author }}",
            "{{ a.reviewer }}",
            "{{ a.reviewed_at }}",
            "{{ a.source }}",
        ],
        [6, 16, 24, 14, 10, 12, 30, 24, 30, 30, 9, 9, 12, 18],
        "a in articles",
        formats={13: D},
        first=True,
    )
    sheet(
        wb,
        "常见问题",
        ["序号", "问题", "次数", "来源", "涉及系统", "最近一次", "最近的解决方法", "知识条目"],
        [
            "{{ p.seq }}",
            "{{ p.problem }}",
            "{{ p.count }}",
            "{{ p.kinds }}",
            "{{ p.systems }}",
            "{{ p.last_at }}",
            "{{ p.solution }}",
            "{{ p.article }}",
        ],
        [6, 36, 8, 18, 16, 12, 40, 24],
        "p in common",
        formats={6: D},
        sign=False,
    )
    return wb


EXCEL = {
    "knowledge_base": x_knowledge_base,
    "inspection_record": x_inspection_record,
    "daily_inspection_log": x_simple(
        "日常巡检记录",
        ["日期", "巡检", "系统", "检查结果", "异常情况及处理", "巡检人", "状态"],
        [
            "{{ r.date }}",
            "{{ r.section }}",
            "{{ r.system }}",
            "{{ r.summary }}",
            "{{ r.note }}",
            "{{ r.inspector }}",
            "{{ r.status }}",
        ],
        [11, 18, 16, 60, 36, 9, 8],
        "r in rows_flat",
        formats={1: D},
    ),
    "monthly_inspection": x_simple(
        "月巡检维护记录",
        ["巡检", "序号", "项目", "检查方法", "结果", "发现问题", "处理情况", "备注"],
        [
            "{{ i.section }}",
            "{{ i.seq }}",
            "{{ i.item }}",
            "{{ i.method }}",
            "{{ i.result }}",
            "{{ i.problem }}",
            "{{ i.handling }}",
            "{{ i.remark }}",
        ],
        [16, 5, 22, 28, 14, 22, 22, 10],
        "i in items_flat",
    ),
    "quarterly_summary": x_summary,
    "annual_summary": x_summary,
    "holiday_check": x_simple(
        "节日期间每日检查",
        ["日期", "检查结果", "{{ note_title }}", "值班人"],
        ["{{ r.date }}", "{{ r.summary }}", "{{ r.note }}", "{{ r.inspector }}"],
        [17, 65, 36, 10],  # 日期 wide enough for the first signature box's 运维人员（值班人）
        "r in days",
        formats={1: D},
    ),
    "service_record": x_simple(
        "运维工单",
        [
            "服务单号",
            "接报时间",
            "系统",
            "联系人单位",
            "联系人",
            "服务方式",
            "优先级",
            "服务内容",
            "完成情况",
            "服务后状态",
            "完成时间",
            "处理人",
        ],
        [
            "{{ s.number }}",
            "{{ s.received_at }}",
            "{{ s.system }}",
            "{{ s.caller_unit }}",
            "{{ s.caller_name }}",
            "{{ s.channel }}",
            "{{ s.priority }}",
            "{{ s.description }}",
            "{{ s.resolution }}",
            "{{ s.status }}",
            "{{ s.completed_at }}",
            "{{ s.handler }}",
        ],
        [17, 16, 14, 16, 8, 8, 7, 30, 30, 9, 16, 8],
        "s in records",
        formats={2: T, 11: T},
    ),
    "phone_log": x_phone_log,
    "monthly_report": x_monthly_report,
    "satisfaction_survey": x_simple(
        "满意度调查",
        ["序号", "评估项目", "评价内容", "评价标准", "得分"],
        ["{{ x.seq }}", "{{ x.item }}", "{{ x.content }}", "{{ x.standard }}", "{{ x.score }}"],
        [6, 14, 34, 34, 10],
        "x in scores",
        landscape=False,
    ),
    "deployment_list": x_simple(
        "部署清单",
        [
            "序号",
            "系统/组件",
            "服务器",
            "OS",
            "中间件/数据库及版本",
            "端口",
            "部署路径",
            "启停方式",
            "备份策略",
            "负责人",
        ],
        ["{{ s.seq }}", "{{ s.name }}", "", "", "", "", "", "", "", ""],
        [6, 22, 14, 12, 20, 8, 20, 14, 14, 9],
        "s in systems",
    ),
}


# --------------------------------------------------------------------------- writing


_DROP = ("word/stylesWithEffects.xml",)


def _normalise(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps (reproducible bytes), without unused parts."""
    import re

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in _DROP:
                continue
            body = src.read(info)
            if info.filename in ("[Content_Types].xml", "word/_rels/document.xml.rels"):
                text = body.decode("utf-8")
                text = re.sub(r"<Override[^>]*stylesWithEffects[^>]*/>", "", text)
                text = re.sub(r"<Relationship[^>]*stylesWithEffects[^>]*/>", "", text)
                body = text.encode("utf-8")
            if info.filename == "docProps/core.xml":
                stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
                text = body.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rf"\g<1>{stamp}\2",
                    text,
                )
                body = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def docx_bytes(doc, name: str = "") -> bytes:
    """The document's bytes; its title is the form's (``{{ title }}`` when rendered)."""
    props = doc.core_properties
    props.author = "运维工作台"
    props.last_modified_by = "运维工作台"
    props.created = FIXED
    props.modified = FIXED
    props.revision = 1
    props.title = "{{ title }}"
    props.category = name
    props.language = "zh-CN"
    props.comments = ""
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise(buf.getvalue())


def zh_cn_fonts(wb) -> None:
    """Every font of the workbook 宋体 with the GB2312 charset, the default font included.

    openpyxl's default font (font 0, the 常规 style's and every cell's without a font
    of its own) is Calibri of the theme's minor scheme; it becomes 宋体 11 pt, not a
    theme font. The theme's East-Asian fonts are made zh-CN as in the Word templates.
    """
    from openpyxl.utils.indexed_list import IndexedList
    from openpyxl.writer.theme import theme_xml

    fonts = []
    for font in wb._fonts:
        font = copy(font)
        if font.name not in (k.SONG, k.HEI, k.FANG):
            font.name = k.SONG
        font.charset = 134
        font.family = 3
        font.scheme = None
        fonts.append(font)
    wb._fonts = IndexedList(fonts)
    for style in wb._named_styles:
        style.font = copy(style.font)
        style.font.name, style.font.charset, style.font.family = k.SONG, 134, 3
        style.font.scheme = None
    wb.loaded_theme = k.zh_cn_theme(wb.loaded_theme or theme_xml).encode("utf-8")


def xlsx_bytes(wb, name: str = "") -> bytes:
    """The workbook's bytes: its title is the form's name, its default font 宋体 (GB2312)."""
    zh_cn_fonts(wb)
    wb.properties.title = name
    wb.properties.category = name
    wb.properties.language = "zh-CN"
    wb.properties.creator = "运维工作台"
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.lastModifiedBy = "运维工作台"
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise(buf.getvalue())


def build_all() -> dict[str, bytes]:
    files = {f"{kind}.docx": docx_bytes(make(), form_title(kind)) for kind, make in WORD.items()}
    files |= {f"{kind}.xlsx": xlsx_bytes(make(), form_title(kind)) for kind, make in EXCEL.items()}
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only compare with resources/templates"
    )
    args = parser.parse_args(argv)
    files = build_all()
    if args.check:
        stale = [
            n for n, b in files.items() if not (OUT / n).is_file() or (OUT / n).read_bytes() != b
        ]
        for name in stale:
            print(f"differs: {name}")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (OUT / name).write_bytes(body)
    print(f"wrote {len(files)} templates to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
