"""Deterministic, realistic demo records with invented people (``omw demo``, ``init --demo``).

:func:`generate` fills the store with ``months`` months of a contract's daily
work, ending at ``until``: inspection runs of every checklist when it is due,
faults with SLA clocks, phone/remote/on-site service requests, holiday duty,
signatures, an amendment and deliverable hand-ins. It is what the first app
start offers and what benchmarks use.

Everything is invented: the team comes from a fixed pool of made-up names
(陈思远, 刘晓峰 …), callers are 办公室/信息中心/某区分局/某某科技有限公司/市民 …,
phone numbers are of the obviously fake form ``010-0000-xxxx`` (or empty) and
URLs point to ``*.example.gov.local``.

Rules
-----
- **Period**: the ``months`` calendar months ending with the month of
  ``until``, from the 1st of the first month to ``until`` itself. ``until``
  defaults to today clipped to the contract period. Records may precede the
  contract start when ``months`` is large (benchmarks use several years); only
  the holiday periods of the contract (synchronised first) get holiday checks.
- **Clock**: "now" is ``until`` at 10:00 (:data:`AS_OF_TIME`); every time
  written is at or before it and is passed explicitly to the services, so
  nothing depends on the machine clock. On ``until`` itself the runs begun
  that morning are drafts and the rest are not started; on the day before,
  one daily run is left in progress. Faults and requests still running at
  "now" stay open; the reviewer's signature that would come later is missing.
- **Determinism**: every random choice comes from ``random.Random`` seeded
  with (seed, contract, what, period) — never with a record id — so the same
  (contract, months, seed, until) gives the same records, and a day's runs or
  a month's requests do not depend on how many months are generated. Record
  ids stay random UUIDs.
- **Idempotence**: a run is skipped when the template already has one for the
  period (and system), like :func:`app.services.inspections.existing_run`.
  Faults and service requests are generated per calendar month: a month in
  which the contract already has any fault or service request (demo or not)
  is left alone, so a second call never duplicates them and demo records are
  never mixed into a month with real ones. A deliverable occurrence that
  already has a submission is skipped; the amendment is made only when the
  contract has no amended run yet.
- **Signatures**: every completed run is signed by its 运维人员; monthly and
  longer cadences also by the 复核人 (project manager) on the next working
  day. Closed faults are signed by the handler and the reviewer; completed
  on-site requests by the engineer and the person on site (甲方确认).
- **Speed**: runs, item results and service requests are built as ORM objects
  directly (with the services' pure helpers for thresholds, pair checks,
  notes, URL checks and conclusions) and written with one flush per day and
  one commit per month; the audit log is appended automatically on every
  flush. Faults, escalations, the amendment and submissions go through the
  services, and so does every signature (:func:`signing.sign`, all runs are
  signed, not a subset); a month's run signatures are made without an
  autoflush before each one. 12 months of ``portal-om`` (≈3,000 runs, 32,000
  item results, 3,600 signatures) take about 15 s, 36 months about 47 s.
"""

from __future__ import annotations

import functools
import hashlib
import random
import time as wallclock
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import periods
from app import sla as sla_mod
from app.deadlines import deadlines, mark_submitted
from app.errors import DomainError
from app.profile_schema import FaultLevel, Profile
from app.profiles import load_builtin_profiles
from app.services import faults as fault_svc
from app.services import holidays as holiday_svc
from app.services import inspections, signing
from app.services import requests as request_svc
from app.services.contracts import get_contract, install_profile, profile_of
from app.signature_png import scribble
from app.store import Store
from app.workcal import WorkCalendar
from db.models import (
    ChecklistItem,
    ChecklistTemplate,
    Contract,
    FaultRecord,
    HolidayPeriod,
    InspectionRun,
    ItemResult,
    ServiceRequest,
    StaffMember,
    System,
)

T = TypeVar("T")

#: The demo's "now" on the ``until`` day.
AS_OF_TIME = time(10, 0)
#: Cadences whose runs the project manager countersigns as 复核人.
REVIEWED_CADENCES = frozenset({"monthly", "quarterly", "half_year", "annual"})
#: Deliverables due within this many days before ``until`` are left open.
LEFT_OPEN_DAYS = 7
#: Faults opened from abnormal inspection items, at most, per month.
MAX_INSPECTION_FAULTS = 6
#: Requests escalated to a fault, at most, per month.
MAX_ESCALATED_FAULTS = 3

ProgressCallback = Callable[[int, int], None]


# --------------------------------------------------------------------------- statistics


@dataclass
class DemoStats:
    """What one call of :func:`generate` added (records that already existed are not counted)."""

    contract: str
    start: date
    until: date
    months: int
    seed: int
    runs: dict[str, int] = field(default_factory=dict)  # cadence → runs created
    draft_runs: int = 0
    skipped_runs: int = 0
    item_results: int = 0
    abnormal_items: int = 0
    warning_items: int = 0
    faults: int = 0
    fault_sla_breaches: int = 0  # faults with at least one step 超时/已超时
    emergency_faults: int = 0
    open_faults: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # final channel → requests
    request_sla_breaches: int = 0
    open_requests: int = 0
    skipped_months: list[str] = field(default_factory=list)  # YYYY-MM left alone
    signatures: int = 0
    amendments: int = 0
    submissions: int = 0
    late_submissions: int = 0
    staff_added: int = 0
    elapsed: float = 0.0

    @property
    def run_total(self) -> int:
        return sum(self.runs.values())

    @property
    def request_total(self) -> int:
        return sum(self.requests.values())

    def describe(self) -> str:
        """One Chinese line, e.g. for ``omw demo`` and the first-start dialog."""
        cadences = "、".join(
            f"{periods.CADENCE_NAMES.get(c, c)} {n}"
            for c, n in sorted(self.runs.items(), key=lambda kv: _CADENCE_ORDER.get(kv[0], 99))
        )
        channels = "、".join(
            f"{request_svc.CHANNELS.get(c, c)} {n}"
            for c, n in sorted(self.requests.items(), key=lambda kv: _CHANNEL_ORDER.get(kv[0], 9))
        )
        parts = [
            f"{self.start.isoformat()} 至 {self.until.isoformat()}（{self.months} 个月）",
            f"巡检 {self.run_total} 次"
            + (f"（{cadences}；草稿 {self.draft_runs}）" if cadences else ""),
            f"检查项 {self.item_results} 项"
            f"（异常 {self.abnormal_items}、警告 {self.warning_items}）",
            f"故障 {self.faults} 起（SLA 超时 {self.fault_sla_breaches}、节假日应急 "
            f"{self.emergency_faults}、未关闭 {self.open_faults}）",
            f"服务请求 {self.request_total} 件" + (f"（{channels}）" if channels else ""),
            f"签字 {self.signatures} 个、更正 {self.amendments} 次",
            f"交付物登记提交 {self.submissions} 项（逾期 {self.late_submissions}）",
        ]
        if self.skipped_runs or self.skipped_months:
            parts.append(
                f"已存在而跳过巡检 {self.skipped_runs} 次、"
                f"请求与故障 {len(self.skipped_months)} 个月"
            )
        parts.append(f"用时 {self.elapsed:.1f} 秒")
        return "；".join(parts) + "。"


_CADENCE_ORDER = {c: i for i, c in enumerate(periods.CALENDAR_CADENCES + periods.HOLIDAY_CADENCES)}
_CHANNEL_ORDER = {c: i for i, c in enumerate(request_svc.CHANNELS)}


# --------------------------------------------------------------------------- invented people

#: Invented names: common given-name/surname combinations, no real persons meant.
# fmt: off
NAME_POOL: tuple[str, ...] = (
    "陈思远", "刘晓峰", "王雨桐", "张志强", "李明轩", "赵静怡", "孙浩然",
    "周文博", "吴佳琪", "郑凯文", "黄子涵", "杨若溪", "徐俊杰", "胡晨阳",
    "郭子墨", "何思琪", "高鹏飞", "罗一鸣", "梁晓雯", "宋嘉禾",
)
# fmt: on
CLIENT_NAMES: tuple[str, ...] = ("韩立群", "曹文静")


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    side: str = "vendor"
    contact: str = ""


@dataclass(frozen=True)
class Caller:
    unit: str
    names: tuple[str, ...]
    contact: str  # "" or an obviously fake 010-0000-xxxx number
    internal: bool  # a department of the client or a branch (on-site visits possible)
    weight: float


def fake_phone(n: int) -> str:
    """An obviously fake landline number (``010-0000-1234``)."""
    return f"010-0000-{n % 10000:04d}"


CALLERS: tuple[Caller, ...] = (
    Caller("办公室", ("王立新", "钱敏"), fake_phone(1101), True, 8),
    Caller("信息中心", ("韩冬", "曹颖", "沈涛"), fake_phone(1102), True, 12),
    Caller("政务服务处", ("冯敏", "丁佳"), fake_phone(1103), True, 9),
    Caller("审批管理处", ("吕强", "苏琳"), fake_phone(1104), True, 6),
    Caller("数据资源处", ("蒋毅", "邓洁"), fake_phone(1105), True, 5),
    Caller("某区分局", ("陆远", "姚倩"), fake_phone(1201), True, 9),
    Caller("某区政务服务中心", ("田野", "范蕾"), fake_phone(1202), True, 7),
    Caller("某街道便民服务中心", ("许峰", "谢红"), fake_phone(1203), True, 4),
    Caller("某某科技有限公司", ("方先生", "程女士"), fake_phone(2101), False, 6),
    Caller("某某软件有限公司", ("彭工",), fake_phone(2102), False, 3),
    Caller("某某测绘有限公司", ("袁工", "邱女士"), fake_phone(2103), False, 3),
    Caller("市民", ("刘先生", "陈女士", "张先生", "李女士"), "", False, 10),
)


def _team(profile: Profile) -> list[Person]:
    """The vendor team of a profile's roles with invented names (stable per contract code)."""
    rng = random.Random(f"team|{profile.code}")
    pool = list(NAME_POOL)
    rng.shuffle(pool)
    people: list[Person] = []
    for role in profile.roles:
        for _ in range(role.count):
            if len(people) >= min(len(pool), 12):
                break
            n = len(people)
            people.append(Person(pool[n], role.name, "vendor", fake_phone(1001 + n)))
    return people


@functools.lru_cache(maxsize=64)
def signature_png(name: str) -> bytes:
    """The invented handwritten signature of ``name`` (same name, same image)."""
    return scribble(int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big"))


# --------------------------------------------------------------------------- texts

_URL_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "申报",
        (
            "http://portal.example.gov.local/bsdt/item/{n}",
            "https://declare.example.gov.local/apply/{n}",
        ),
    ),
    (
        "第三方",
        (
            "http://sso.example.gov.local/login?service=portal",
            "http://edoc.example.gov.local/api/health",
        ),
    ),
    (
        "死链",
        (
            "http://www.example.gov.local/col/col{n}/index.html",
            "http://www.example.gov.local/art/{n}.html",
        ),
    ),
)
_URL_DEFAULT = (
    "http://portal.example.gov.local/page/{n}",
    "http://www.example.gov.local/index.html",
)

#: (title keywords, abnormal note, action) for status and url items; {sys} = system name.
_STATUS_ISSUES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("劫持", "解析"),
        "部分地区解析到非本单位地址，疑似域名被劫持",
        "立即启动应急预案，联系域名服务商修正解析记录并刷新公共DNS缓存，复查解析正确",
    ),
    (
        ("篡改",),
        "防篡改系统告警，栏目页面被植入不明外链",
        "立即下线被篡改页面，从备份恢复，排查并封堵上传漏洞",
    ),
    (
        ("日志",),
        "近24小时新增 ERROR 日志 {n} 条，主要为数据库连接超时",
        "定位为连接池配置偏小，调整后观察无新增",
    ),
    (
        ("备份",),
        "当日备份任务执行失败，备份文件未生成",
        "清理备份目录过期文件后手工补做备份，校验备份文件正常",
    ),
    (
        ("登录", "单点"),
        "测试账号单点登录跳转失败，提示票据无效",
        "清理认证服务会话缓存后恢复，已通知认证平台运维",
    ),
    (
        ("接口",),
        "接口调用超时，部分请求返回失败",
        "联系对端系统运维，对端重启服务后恢复，补发失败请求",
    ),
    (("附件",), "抽查附件下载失败，提示文件不存在", "检查 fastDFS 存储节点，重新挂载存储后恢复"),
    (("定时", "任务", "调度"), "{n} 个定时任务执行失败", "手工补跑任务成功，已检查任务配置及依赖"),
    (("同步",), "数据同步任务积压，延迟约 {n} 分钟", "重启同步程序，积压数据已处理完毕"),
    (("账号",), "发现 1 个离职人员账号未注销", "已注销账号并更新账号清单"),
    (("端口",), "发现非白名单端口 8081 对外开放", "已关闭端口并调整防火墙策略"),
    (("补丁", "漏洞"), "发现 2 个中危漏洞尚未修复", "已制定修复计划，于下次维护窗口修复"),
    (("病毒",), "1 台服务器病毒库超过 7 天未更新", "已手工更新病毒库并检查自动更新配置"),
    (
        ("访问", "页面", "可用", "HTTP", "链接", "连通", "PING"),
        "{sys}首页打开超时，返回 502 错误",
        "重启应用服务后恢复访问，持续观察",
    ),
    (("进程", "服务", "状态", "监测"), "{sys}服务进程异常退出", "重新拉起服务进程并排查退出原因"),
    (
        ("数据", "准确", "一致", "完整"),
        "抽查发现 {n} 条数据与来源系统不一致",
        "已通知来源单位核实，数据已修复",
    ),
)
_STATUS_ISSUE_DEFAULT = ("检查结果不符合标准：{standard}", "已按操作规程处理，复查正常")

#: (title keywords, action) for number items beyond their threshold.
_NUMBER_ACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("磁盘", "存储", "容灾盘", "备份存储"), "清理过期日志及临时文件，释放空间后复查正常"),
    (("CPU", "负载"), "排查为定时任务集中执行所致，已错峰调整任务时间"),
    (("内存",), "分析内存占用，重启应用释放内存并持续观察"),
    (("响应",), "排查慢请求，优化缓存配置后响应时间恢复正常"),
    (("连接", "线程"), "清理空闲连接并调整连接池上限"),
    (("表空间", "数据文件"), "已扩充数据文件，使用率下降"),
    (("证书",), "已提交证书续期申请，续期后更换证书"),
    (("病毒库",), "已手工更新病毒库"),
    (("漏洞",), "已安排在维护窗口修复高危漏洞"),
    (("慢查询", "锁"), "对慢查询补建索引，锁等待已消除"),
    (("失败", "异常数据", "异常", "死链", "失效"), "已逐条核查并处理，复查正常"),
    (("容量", "趋势"), "已提交扩容申请，纳入下季度计划"),
    (("耗时",), "优化恢复脚本，下次演练复核耗时"),
)

_TEXT_ANSWERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("值班",), ("{a}、{b} 轮流值守，电话 {phone} 24 小时畅通，{c} 现场备勤。",)),
    (("事件",), ("无", "无", "无", "上午访问量略有上升，系统运行平稳，无需处置。")),
    (
        ("评估",),
        (
            "节日期间各系统运行平稳，按计划完成每日检查，发现的问题均已及时处置。",
            "保障期间访问量较平日略有增加，资源使用正常，未发生重大故障。",
        ),
    ),
    (("修订",), ("补充域名解析异常的处置步骤及联系人。", "预案无需修订。")),
    (
        ("程序", "更新"),
        (
            "无程序更新。",
            "无程序更新。",
            "发布补丁 v{v}，修复事项查询分页问题，发布后验证正常。",
            "更新接口参数配置，已回归测试。",
        ),
    ),
    (
        ("异常数据",),
        ("当日无异常数据。", "拦截异常数据 {n} 条，原因为来源系统字段缺失，已通知来源单位补录。"),
    ),
    (("重新配置", "上报"), ("无失效链接。", "失效链接 {n} 条已报送业务运维，已重新配置并验证。")),
    (("异常记录", "跟踪"), ("无新增异常。", "跟踪前日响应时间偏高问题，优化缓存后已恢复正常。")),
    (
        ("安全测试",),
        (
            "本周开展弱口令核查，未发现问题。",
            "本周对网上申报系统进行渗透测试，发现低危问题 1 个，已登记整改。",
        ),
    ),
    (
        ("建议", "计划"),
        ("建议扩容备份存储，完善监控告警阈值。", "建议对老旧中间件版本进行升级，纳入下阶段计划。"),
    ),
    (("应急",), ("本月无应急响应事件。", "本月处置应急事件 1 起，已按预案处置完毕。")),
    (
        ("汇总", "情况", "小结"),
        ("本月按计划完成日常巡检及定期巡检，故障及服务请求均已处理，详见运维月报。",),
    ),
)
_TEXT_DEFAULT = ("检查完成，情况正常。",)


def _numbered(*steps: str) -> str:
    """``1. …；\n2. …；\n3. …。`` as written in 处理过程."""
    return "；\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)) + "。"


def _steps(temporary: str, fix: str, check: str) -> str:
    """处理过程 in the form's order: 临时措施 → 根本解决 → 验证."""
    return _numbered(f"临时措施：{temporary}", f"根本解决：{fix}", f"验证：{check}")


@dataclass(frozen=True)
class Scenario:
    """A kind of fault with the texts of its report; {sys} is the system, {unit} the caller."""

    key: str
    target: str  # app | mw | db | any
    title: str
    category: str
    report: str  # how a user reports it
    symptom: str
    impact: str
    impact_analysis: str
    cause: str
    process: str
    prevention: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "oom",
        "app",
        "{sys}访问超时",
        "应用故障",
        "{unit}反映{sys}页面长时间加载后提示 504 错误",
        "{sys}页面加载缓慢，部分请求返回 504 Gateway Timeout。",
        "{sys}全部用户",
        "故障期间{sys}无法正常办理业务，约影响在线用户 {n} 人。",
        "应用服务器 JVM 内存溢出，tomcat 工作线程全部阻塞。",
        _steps(
            "重启应用服务，恢复访问",
            "分析堆转储，定位为报表导出未分页，优化查询后发布补丁",
            "观察 24 小时无复发",
        ),
        "增加 JVM 内存使用率告警，报表导出限制单次条数。",
    ),
    Scenario(
        "disk",
        "any",
        "{sys}服务器磁盘空间不足",
        "资源不足",
        "{unit}反映{sys}上传文件失败",
        "{sys}服务器数据分区使用率达到 97%，文件写入失败。",
        "{sys}文件上传及日志写入",
        "磁盘写满导致上传失败，已上传数据未受影响。",
        "应用日志未按期轮转，历史日志长期累积。",
        _steps(
            "清理 30 天前历史日志，释放空间",
            "配置 logrotate 按日轮转并压缩",
            "上传功能恢复，使用率降至 62%",
        ),
        "磁盘使用率纳入每日巡检及监控告警，告警阈值 85%。",
    ),
    Scenario(
        "dbpool",
        "db",
        "{sys}连接池耗尽",
        "数据库故障",
        "{unit}反映{sys}查询时提示系统繁忙",
        "应用日志大量出现“获取数据库连接超时”，页面提示系统繁忙。",
        "{sys}查询及办理功能",
        "高峰时段约 30 分钟内部分业务无法办理。",
        "慢查询长时间占用连接，连接池被耗尽。",
        _steps(
            "终止长时间运行的会话，恢复连接",
            "对慢查询补建索引，调整连接池上限",
            "高峰时段连接使用率低于 60%",
        ),
        "开启慢查询日志巡检，连接使用率超过 80% 告警。",
    ),
    Scenario(
        "iface",
        "app",
        "{sys}与网上办理系统接口调用失败",
        "接口故障",
        "{unit}反映从{sys}跳转办理时提示接口异常",
        "接口调用返回证书校验失败，办件数据无法推送。",
        "跨系统办件推送",
        "故障期间新申报办件暂存未推送，恢复后已补推。",
        "对端系统更换 HTTPS 证书后未同步更新信任证书。",
        _steps("暂存待推送办件", "导入对端新证书并重启接口服务", "补推暂存办件，核对两端数量一致"),
        "与对端约定证书更换提前 5 个工作日通知，证书到期纳入巡检。",
    ),
    Scenario(
        "sync",
        "any",
        "{sys}数据同步任务失败",
        "数据故障",
        "{unit}反映{sys}数据未及时更新",
        "调度平台显示定时交换任务连续失败，数据未同步。",
        "数据交换及统计",
        "当日数据延迟约 3 小时更新，未造成数据丢失。",
        "源端表结构变更，新增字段未在交换任务中映射。",
        _steps("暂停失败任务，避免重复报错", "更新字段映射并补跑任务", "核对两端记录数一致"),
        "建立表结构变更通知机制，变更前同步评估交换任务。",
    ),
    Scenario(
        "sso",
        "app",
        "{sys}单点登录异常",
        "应用故障",
        "{unit}反映无法从门户单点登录{sys}",
        "单点登录跳转后提示票据无效，需重复登录。",
        "通过单点登录访问的用户",
        "约 40 分钟内用户需手工登录，业务可继续办理。",
        "认证服务会话缓存已满，新票据写入失败。",
        _steps("清理过期会话缓存", "调整缓存容量及过期策略", "测试账号单点登录正常"),
        "会话缓存使用率纳入监控。",
    ),
    Scenario(
        "fdfs",
        "app",
        "{sys}附件下载失败",
        "存储故障",
        "{unit}反映{sys}附件无法下载",
        "部分附件下载返回 404，提示文件不存在。",
        "附件下载",
        "故障期间历史附件无法下载，新上传附件正常。",
        "fastDFS 存储节点挂载丢失。",
        _steps(
            "将下载请求切换至备用存储节点", "重新挂载存储并加入开机自动挂载", "抽查附件均可下载"
        ),
        "存储节点状态纳入每日巡检。",
    ),
    Scenario(
        "nginx",
        "mw",
        "{sys}反向代理返回 502",
        "中间件故障",
        "{unit}反映网站打开提示 502 Bad Gateway",
        "nginx 返回 502，后端应用服务无响应。",
        "经 nginx 访问的全部站点",
        "约 20 分钟内网站无法访问。",
        "后端 tomcat 升级后端口变更，代理配置未同步。",
        _steps("回退代理配置", "更新 upstream 配置并重载 nginx", "各站点访问正常"),
        "变更发布清单增加代理配置核对项。",
    ),
    Scenario(
        "cert",
        "mw",
        "{sys} HTTPS 证书过期",
        "中间件故障",
        "{unit}反映浏览器提示网站证书不安全",
        "浏览器访问提示证书已过期。",
        "HTTPS 访问用户",
        "部分用户因安全提示无法继续访问。",
        "证书到期未及时续期。",
        _steps("告知用户暂不要忽略安全提示", "申请新证书并更换", "各浏览器访问无告警"),
        "证书剩余天数纳入每日巡检，30 天前提醒续期。",
    ),
    Scenario(
        "backup",
        "db",
        "{sys}数据库备份失败",
        "备份故障",
        "{unit}询问昨日数据能否恢复",
        "数据库全量备份任务失败，当日无备份文件。",
        "数据备份",
        "当日备份缺失，业务不受影响，存在数据恢复风险。",
        "备份服务器存储空间不足。",
        _steps("清理过期备份后手工补做全量备份", "扩充备份存储并调整保留策略", "备份文件校验通过"),
        "备份存储使用率超过 80% 告警。",
    ),
    Scenario(
        "host",
        "any",
        "{sys}服务器宕机",
        "硬件故障",
        "{unit}反映{sys}完全无法访问",
        "服务器无响应，PING 不通。",
        "{sys}全部功能",
        "服务中断，影响全部用户。",
        "虚拟化宿主机硬件故障，虚拟机异常关机。",
        _steps("在备用宿主机启动虚拟机", "厂商更换故障内存条", "应用及数据检查正常"),
        "开启虚拟机高可用，宿主机硬件告警接入监控。",
    ),
    Scenario(
        "slow",
        "db",
        "{sys}查询缓慢",
        "性能问题",
        "{unit}反映{sys}统计查询很慢",
        "统计页面打开耗时超过 20 秒。",
        "统计查询功能",
        "统计功能使用受影响，其他功能正常。",
        "统计表数据量增长后缺少联合索引。",
        _steps("限制统计时间范围", "补建联合索引并优化 SQL", "查询耗时降至 2 秒内"),
        "每月分析慢查询日志。",
    ),
)

#: Holiday emergency scenarios by emergency type code (see ``faults.EMERGENCY_TYPES``).
EMERGENCIES: dict[str, tuple[str, str, str, str, str, str]] = {
    # title, holiday item keyword, symptom, cause, process, prevention
    "domain_hijack": (
        "网站域名被劫持",
        "劫持",
        "部分地区用户访问网站被解析到非本单位地址。",
        "域名服务商递归解析节点被污染。",
        _numbered(
            "启动应急预案，发布临时访问提示", "联系域名服务商修正解析并刷新缓存", "多地复测解析正确"
        ),
        "启用 DNSSEC，增加多地解析监测。",
    ),
    "page_tamper": (
        "网页被恶意篡改",
        "篡改",
        "防篡改系统告警，栏目页面被植入不明外链。",
        "内容管理系统历史上传接口存在漏洞。",
        _numbered("立即下线被篡改页面", "从备份恢复页面并封堵上传接口", "全站扫描确认无其他篡改"),
        "升级内容管理系统，防篡改策略覆盖全部栏目。",
    ),
    "unreachable": (
        "网站无法访问",
        "访问",
        "网站首页无法打开，监测平台 HTTP 探测失败。",
        "机房出口链路运营商侧故障。",
        _numbered("启动应急预案，切换备用链路", "督促运营商修复主链路", "切回主链路并验证访问"),
        "定期演练链路切换。",
    ),
    "server_recovery": (
        "服务器故障系统恢复",
        "服务器",
        "应用服务器异常宕机，相关系统无法访问。",
        "服务器电源模块故障。",
        _numbered(
            "启动应急预案，在备用服务器恢复系统",
            "从最近备份恢复数据并验证",
            "厂商更换电源模块后切回",
        ),
        "关键服务器配置冗余电源，定期检查硬件告警。",
    ),
}

#: (category, weight, [(description, resolution)]) of service requests; {sys} = system.
REQUEST_TOPICS: tuple[tuple[str, float, tuple[tuple[str, str], ...]], ...] = (
    (
        "账号密码",
        16,
        (
            (
                "登录{sys}时提示密码错误，账号被锁定",
                "核实身份后解锁账号并重置初始密码，指导登录后修改密码",
            ),
            ("忘记{sys}后台账号密码", "按流程核实后重置密码，已告知密码规则"),
        ),
    ),
    (
        "页面访问",
        12,
        (
            ("{sys}部分页面打开缓慢", "检查服务器负载正常，指导清理浏览器缓存后恢复"),
            ("{sys}打开后显示空白页", "指导更换推荐浏览器并关闭兼容模式后显示正常"),
        ),
    ),
    (
        "事项办理咨询",
        14,
        (
            ("咨询{sys}网上申报流程及所需材料", "电话讲解申报流程，告知材料清单下载位置"),
            ("咨询办件进度查询方法", "指导通过办件编号查询办理进度"),
        ),
    ),
    (
        "附件上传下载",
        9,
        (
            ("在{sys}上传附件时提示文件过大", "告知附件大小限制为 20MB，指导压缩后上传成功"),
            ("{sys}附件下载后无法打开", "确认为本地缺少阅读软件，指导安装后正常"),
        ),
    ),
    (
        "浏览器兼容",
        6,
        (("使用旧版浏览器访问{sys}时页面错位", "建议使用推荐浏览器，已提供安装说明"),),
    ),
    (
        "数据查询统计",
        8,
        (
            ("需要导出{sys}上月办件统计数据", "按要求导出统计表并通过内部邮件发送"),
            ("{sys}统计数据与线下台账不一致", "核对统计口径差异并说明，数据无误"),
        ),
    ),
    (
        "权限变更",
        7,
        (
            ("新入职人员需要开通{sys}后台账号", "按审批单开通账号并分配栏目权限"),
            ("人员调岗需要调整{sys}权限", "按审批单调整权限并通知本人"),
        ),
    ),
    (
        "信息发布",
        8,
        (
            ("{sys}稿件发布后首页未显示", "检查发布队列，重新生成首页后显示正常"),
            ("需要撤下{sys}一篇过期通知", "按审批要求撤稿并刷新缓存"),
        ),
    ),
    ("接口对接", 5, (("对接单位咨询{sys}接口调用参数", "提供接口说明文档并解答参数含义"),)),
    ("证书登录", 6, (("使用数字证书登录{sys}失败", "指导重新安装证书驱动后登录成功"),)),
    (
        "功能建议",
        4,
        (("建议{sys}增加按办结时间筛选", "已记录需求并纳入改进计划，书面方案按时限提交"),),
    ),
)


#: What callers from outside the client (companies, citizens) ask about.
_EXTERNAL_TOPICS = frozenset(
    {"账号密码", "页面访问", "事项办理咨询", "附件上传下载", "浏览器兼容", "证书登录"}
)


def _topics_for(caller: Caller) -> list[tuple[str, float, tuple[tuple[str, str], ...]]]:
    if caller.internal:
        return [t for t in REQUEST_TOPICS if t[0] != "接口对接"]
    allowed = _EXTERNAL_TOPICS | ({"接口对接"} if "公司" in caller.unit else set())
    return [t for t in REQUEST_TOPICS if t[0] in allowed]


# --------------------------------------------------------------------------- helpers


def _pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def _matches(title: str, keywords: Iterable[str]) -> bool:
    return any(k in title for k in keywords)


def _status_issue(
    item: ChecklistItem, system: System | None, rng: random.Random
) -> tuple[str, str]:
    sys_name = system.name if system is not None else "系统"
    for keywords, note, action in _STATUS_ISSUES:
        if _matches(item.title, keywords):
            return note.format(sys=sys_name, n=rng.randint(2, 30)), action
    note, action = _STATUS_ISSUE_DEFAULT
    return note.format(standard=item.standard or "正常"), action


def _number_action(item: ChecklistItem) -> str:
    for keywords, action in _NUMBER_ACTIONS:
        if _matches(item.title, keywords):
            return action
    return "已处理，持续观察"


def _text_answer(item: ChecklistItem, rng: random.Random, team: Sequence[Person]) -> str:
    text = _TEXT_DEFAULT[0]
    for keywords, answers in _TEXT_ANSWERS:
        if _matches(item.title, keywords):
            text = _pick(rng, answers)
            break
    names = [p.name for p in team] or list(NAME_POOL[:3])
    while len(names) < 3:
        names = names + names
    a, b, c = rng.sample(names, 3)
    return text.format(
        a=a,
        b=b,
        c=c,
        phone=fake_phone(1000 + rng.randint(1, 99)),
        n=rng.randint(1, 6),
        v=f"{rng.randint(1, 3)}.{rng.randint(0, 9)}.{rng.randint(1, 20)}",
    )


def _url(item: ChecklistItem, template: ChecklistTemplate, rng: random.Random) -> str:
    where = f"{template.name}{item.title}"
    for keyword, options in _URL_PATHS:
        if keyword in where:
            return _pick(rng, options).format(n=rng.randint(100, 9999))
    return _pick(rng, _URL_DEFAULT).format(n=rng.randint(100, 9999))


def _series_rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _month_bounds(day: date) -> tuple[date, date]:
    return day.replace(day=1), periods.month_end(day.year, day.month)


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=round(rng.uniform(low, high)))


def _at(day: date, hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return datetime.combine(day, time()) + timedelta(hours=int(hours), minutes=int(minutes))


# --------------------------------------------------------------------------- generator


@dataclass
class _RunSpec:
    template: ChecklistTemplate
    system: System | None
    day: date
    period_key: str
    holiday: HolidayPeriod | None = None


@dataclass
class _FaultTodo:
    """A fault to open in the month's fault pass, in order of report time."""

    reported_at: datetime
    kind: str  # inspection | request | alarm | user | emergency
    result: ItemResult | None = None
    request: ServiceRequest | None = None
    escalate_at: datetime | None = None
    emergency_type: str | None = None
    holiday: HolidayPeriod | None = None
    system: System | None = None
    actor: str = ""


@dataclass
class _Month:
    first: date
    last: date  # clipped to until
    key: str
    skip_records: bool
    to_sign: list[tuple[InspectionRun, datetime, datetime | None]] = field(default_factory=list)
    fault_todo: list[_FaultTodo] = field(default_factory=list)
    flagged: int = 0


class _Generator:
    def __init__(
        self,
        session: Session,
        contract: Contract,
        calendar: WorkCalendar,
        *,
        seed: int,
        start: date,
        until: date,
        stats: DemoStats,
    ) -> None:
        self.s = session
        self.contract = contract
        self.cal = calendar
        self.profile = profile_of(contract)
        self.window = contract.service_window
        self.hours = self.profile.service_hours
        self.seed = seed
        self.start = start
        self.until = until
        self.as_of = datetime.combine(until, AS_OF_TIME)
        self.stats = stats
        self.between, self.after = sla_mod.clock(calendar, self.window, self.hours)

        self.team = _team(self.profile)
        self.pm = next((p for p in self.team if "项目经理" in p.role), self.team[0])
        self.coordinator = next((p for p in self.team if "技术经理" in p.role), self.pm)
        others = [p for p in self.team if p is not self.pm] or [self.pm]
        self.ops = [p for p in others if "运维" in p.role] or others
        self.developers = [p for p in others if "开发" in p.role] or self.ops
        self.security = [p for p in others if "安全" in p.role] or self.ops
        self.client_people = [
            Person(name, "甲方联系人", "client", fake_phone(3001 + i))
            for i, name in enumerate(CLIENT_NAMES)
        ]

        self.systems = list(
            session.scalars(
                select(System)
                .where(System.contract_id == contract.id, System.active.is_(True))
                .order_by(System.seq, System.code)
            )
        )
        self.templates = list(
            session.scalars(
                select(ChecklistTemplate)
                .where(ChecklistTemplate.contract_id == contract.id, ChecklistTemplate.active)
                .order_by(ChecklistTemplate.seq)
            )
        )
        self.items: dict[str, list[ChecklistItem]] = {
            t.id: [i for i in t.items if i.seq < inspections.RETIRED_SEQ] for t in self.templates
        }
        self.levels = sorted(
            self.profile.sla.fault_levels,
            key=lambda lvl: -(lvl.recovery_minutes or 10**9),
        )  # least severe first
        self.holidays = holiday_svc.list_periods(
            session, contract, start - timedelta(days=45), until + timedelta(days=45)
        )
        self.holiday_labels = {
            h.id: f"{h.name}@{h.start_date.isoformat()}"
            for h in holiday_svc.list_periods(session, contract)
        }
        separate = {t.id for t in self.templates if t.systems_mode == "separate"}
        self.existing: set[tuple[str, str | None, str]] = {
            (t, s if t in separate else None, k)
            for t, s, k in session.execute(
                select(
                    InspectionRun.template_id, InspectionRun.system_id, InspectionRun.period_key
                ).where(InspectionRun.contract_id == contract.id)
            )
        }
        self.created_runs: list[InspectionRun] = []
        self.plan = self._plan()
        self.emergencies = self._plan_emergencies()

    # ------------------------------------------------------------------ randomness

    def rng(self, *parts: object) -> random.Random:
        """A random stream for one decision; ``parts`` must not contain record ids."""
        return _series_rng(self.seed, self.contract.code, *parts)

    def stable(self, period_key: str) -> str:
        """A period key with holiday period ids (random UUIDs) replaced by name and start."""
        for holiday_id, label in self.holiday_labels.items():
            if holiday_id in period_key:
                return period_key.replace(holiday_id, label)
        return period_key

    # ------------------------------------------------------------------ planning

    def _targets(self, template: ChecklistTemplate) -> list[System | None]:
        if template.systems_mode != "separate":
            return [None]
        if template.system_codes is None:
            return list(self.systems)
        wanted = set(template.system_codes)
        return [s for s in self.systems if s.code in wanted]

    def _covered(self, template: ChecklistTemplate) -> list[System]:
        if template.system_codes is None:
            return list(self.systems)
        wanted = set(template.system_codes)
        return [s for s in self.systems if s.code in wanted]

    def _periodic_day(
        self, template: ChecklistTemplate, ps: date, pe: date, key: str
    ) -> date | None:
        """The working day a periodic checklist is done: late in the period, never on a day off."""
        if template.cadence == "weekly":
            lo = ps
        elif template.cadence == "monthly":
            lo = max(ps, pe - timedelta(days=11))
        else:
            lo = pe.replace(day=1)  # the last month of a quarter, half year, year
        candidates = self.cal.workdays(lo, pe) or self.cal.workdays(ps, pe)
        if not candidates:
            return None
        return _pick(self.rng("periodic-day", template.code, key), candidates)

    def _plan(self) -> dict[date, list[_RunSpec]]:
        """Runs of periodic and holiday checklists by the day they are done."""
        plan: dict[date, list[_RunSpec]] = defaultdict(list)
        for template in self.templates:
            cadence = template.cadence
            if cadence == "daily" or cadence not in periods.CALENDAR_CADENCES:
                continue
            period_start = periods.bounds(cadence, self.start)[0]
            while period_start <= self.until:
                ps, pe = periods.bounds(cadence, period_start)
                key = periods.key(cadence, ps)
                day = self._periodic_day(template, ps, pe, key)
                if day is not None and self.start <= day <= self.until:
                    for system in self._targets(template):
                        plan[day].append(_RunSpec(template, system, day, key))
                period_start = pe + timedelta(days=1)
        holiday_templates = [t for t in self.templates if t.cadence in periods.HOLIDAY_CADENCES]
        for holiday in self.holidays:
            phase = holiday_svc.phases(holiday, self.cal, self.profile.holidays)
            for template in holiday_templates:
                rng = self.rng("holiday-day", template.code, holiday.name, holiday.start_date)
                if template.cadence == "holiday_pre":
                    days = [_pick(rng, phase.pre_days[-2:])]
                elif template.cadence == "holiday_post":
                    days = [_pick(rng, phase.post_days[:2])]
                else:
                    days = list(phase.daily_days)
                for day in days:
                    if not self.start <= day <= self.until:
                        continue
                    key = inspections.period_key_of(template.cadence, day, holiday.id)
                    for system in self._targets(template):
                        plan[day].append(_RunSpec(template, system, day, key, holiday))
        return plan

    def _plan_emergencies(self) -> dict[tuple[str, date], str]:
        """Two emergency events (域名劫持, 网页篡改 …) on days of each holiday period."""
        found: dict[tuple[str, date], str] = {}
        for holiday in self.holidays:
            days = [
                holiday.start_date + timedelta(days=i)
                for i in range((holiday.end_date - holiday.start_date).days + 1)
            ]
            days = [d for d in days if self.start <= d < self.until]
            if not days:
                continue
            rng = self.rng("emergency", holiday.name, holiday.start_date)
            kinds = rng.sample(sorted(fault_svc.EMERGENCY_TYPES), 2)
            for kind, day in zip(kinds, sorted(rng.sample(days, min(2, len(days)))), strict=False):
                found[(holiday.id, day)] = kind
        return found

    # ------------------------------------------------------------------ people

    def _inspector(self, template: ChecklistTemplate, day: date) -> Person:
        category = f"{template.category}{template.name}"
        if "安全" in category:
            pool = self.security
        elif _matches(category, ("程序", "数据巡检", "接口", "第三方", "推送", "超链接")):
            pool = self.developers
        elif template.cadence in REVIEWED_CADENCES:
            pool = [self.coordinator] if self.coordinator is not self.pm else self.ops
        else:
            pool = self.ops
        week = day.toordinal() // 7
        return pool[(week + template.seq) % len(pool)]

    def _duty(self, day: date, shift: int = 0) -> Person:
        return self.ops[(day.toordinal() + shift) % len(self.ops)]

    # ------------------------------------------------------------------ main loop

    def run(self, progress: ProgressCallback | None) -> None:
        self._ensure_staff()
        months: list[tuple[date, date]] = []
        cursor = self.start
        while cursor <= self.until:
            first, last = _month_bounds(cursor)
            months.append((first, min(last, self.until)))
            cursor = last + timedelta(days=1)
        total = (self.until - self.start).days + 2
        done = 0
        for first, last in months:
            month = _Month(first, last, f"{first:%Y-%m}", self._month_has_records(first))
            if month.skip_records:
                self.stats.skipped_months.append(month.key)
            day = first
            while day <= last:
                self._runs_for_day(day, month)
                self.s.flush()
                done += 1
                if progress is not None and day != last:
                    progress(done, total)
                day += timedelta(days=1)
            if not month.skip_records:
                self._requests(month)
                self._faults(month)
            self._sign_runs(month)
            self.s.commit()
            if progress is not None:
                progress(done, total)
        self._amend()
        self._submissions()
        self.s.commit()
        if progress is not None:
            progress(total, total)

    def _ensure_staff(self) -> None:
        known = set(
            self.s.scalars(
                select(StaffMember.name).where(StaffMember.contract_id == self.contract.id)
            )
        )
        for person in [*self.team, *self.client_people]:
            if person.name in known:
                continue
            self.s.add(
                StaffMember(
                    contract_id=self.contract.id,
                    name=person.name,
                    role=person.role,
                    side=person.side,
                    contact=person.contact,
                    created_by=self.pm.name,
                )
            )
            self.stats.staff_added += 1

    def _month_has_records(self, first: date) -> bool:
        lo = datetime.combine(first, time())
        hi = datetime.combine(periods.next_start("monthly", first), time())
        for model, column in (
            (ServiceRequest, ServiceRequest.received_at),
            (FaultRecord, FaultRecord.reported_at),
        ):
            found = self.s.scalar(
                select(model.id)
                .where(model.contract_id == self.contract.id, column >= lo, column < hi)
                .limit(1)
            )
            if found is not None:
                return True
        return False

    # ------------------------------------------------------------------ inspection runs

    def _runs_for_day(self, day: date, month: _Month) -> None:
        specs: list[_RunSpec] = []
        if self.cal.is_service_day(day, self.window):
            for template in self.templates:
                if template.cadence == "daily":
                    key = periods.key("daily", day)
                    specs += [_RunSpec(template, s, day, key) for s in self._targets(template)]
        holiday_daily = [s for s in self.plan.get(day, []) if s.template.cadence == "holiday_daily"]
        later = [s for s in self.plan.get(day, []) if s.template.cadence != "holiday_daily"]
        rng = self.rng("day", day)
        morning = _at(day, "09:05" if self.window == "5x8" else "08:20") + _minutes(rng, 0, 30)
        afternoon = _at(day, "14:00") + _minutes(rng, 0, 90)
        last_daily = len(specs) - 1
        for index, spec in enumerate(specs + holiday_daily):
            morning = self._run(
                spec,
                morning,
                month,
                keep_open=day == self.until - timedelta(days=1) and index == last_daily,
            )
        for spec in later:
            afternoon = self._run(spec, afternoon, month)

    def _run(
        self, spec: _RunSpec, start: datetime, month: _Month, *, keep_open: bool = False
    ) -> datetime:
        """Build one run starting at ``start``; returns when the inspector is free again.

        The day's timeline does not depend on which runs exist already, so a
        second call skips exactly the runs the first one made.
        """
        template = spec.template
        system_id = spec.system.id if spec.system is not None else None
        where = (
            template.code,
            self.stable(spec.period_key),
            spec.system.code if spec.system else "",
        )
        items = self.items[template.id]
        if template.systems_mode == "grouped":
            pairs: list[tuple[System | None, ChecklistItem]] = [
                (s, i) for s in self._covered(template) for i in items
            ]
        else:
            pairs = [(spec.system, i) for i in items]
        if not pairs:
            return start
        timing = self.rng("run-time", *where)
        finished = start + timedelta(minutes=round(5 + 0.35 * len(pairs) + timing.uniform(0, 8)))
        free = finished + _minutes(timing, 1, 6)
        if (template.id, system_id, spec.period_key) in self.existing:
            self.stats.skipped_runs += 1
            return free
        rng = self.rng("run", *where)
        if spec.day == self.until:
            if start > self.as_of - timedelta(minutes=5):
                return free  # not started yet this morning
            mode = "draft"
        elif keep_open or finished > self.as_of:
            mode = "draft"
        else:
            mode = "complete"
        inspector = self._inspector(template, spec.day)
        run = InspectionRun(
            contract_id=self.contract.id,
            template=template,
            system=spec.system,
            holiday_period_id=spec.holiday.id if spec.holiday is not None else None,
            cadence=template.cadence,
            period_key=spec.period_key,
            scheduled_date=spec.day,
            started_at=start,
            status="draft",
            inspector=inspector.name,
            created_at=start,
            updated_at=start,
            created_by=inspector.name,
        )
        emergency = (
            self.emergencies.get((spec.holiday.id, spec.day))
            if spec.holiday is not None
            and template.cadence == "holiday_daily"
            and not month.skip_records
            else None
        )
        fill_upto = len(pairs) if mode == "complete" else int(len(pairs) * rng.uniform(0.3, 0.8))
        results: list[ItemResult] = []
        for seq, (system, item) in enumerate(pairs, start=1):
            result = ItemResult(
                item=item,
                system=system,
                seq=seq,
                created_at=start,
                updated_at=start,
                created_by=inspector.name,
            )
            if seq <= fill_upto:
                forced = None
                if emergency is not None and EMERGENCIES[emergency][1] in item.title:
                    forced = emergency
                    emergency = None
                self._fill(result, item, system, template, spec.day, rng, forced)
                if forced is not None and mode == "complete":
                    month.fault_todo.append(
                        _FaultTodo(
                            start + (finished - start) * seq / len(pairs),
                            "emergency",
                            result=result,
                            emergency_type=forced,
                            holiday=spec.holiday,
                            actor=inspector.name,
                        )
                    )
                elif (
                    mode == "complete"
                    and result.status == inspections.ABNORMAL
                    and month.flagged < MAX_INSPECTION_FAULTS
                    and not month.skip_records
                    and rng.random() < 0.3
                ):
                    month.flagged += 1
                    result.action = f"{result.action}；已生成故障单跟踪处理。"
                    month.fault_todo.append(
                        _FaultTodo(
                            start + (finished - start) * seq / len(pairs),
                            "inspection",
                            result=result,
                            actor=inspector.name,
                        )
                    )
            results.append(result)
        run.results = results
        self._count_results(results)
        if mode == "complete":
            run.conclusion = inspections.suggest_conclusion(run)
            if any(r.status == inspections.ABNORMAL for r in results):
                run.remediation = "异常项已按处理措施处置，整改完成后复查并记录。"
                run.remediation_deadline = spec.day + timedelta(days=2)
            run.completed_at = finished
            run.status = "completed"
            run.updated_at = finished
            signed = finished + _minutes(rng, 1, 8)
            review: datetime | None = None
            if template.cadence in REVIEWED_CADENCES:
                review = datetime.combine(self.cal.add_workdays(spec.day, 1), time(9, 30)) + (
                    _minutes(rng, 0, 300)
                )
            month.to_sign.append((run, signed, review))
        else:
            self.stats.draft_runs += 1
        self.s.add(run)
        self.existing.add((template.id, system_id, spec.period_key))
        if spec.day >= self.until - timedelta(days=45):
            self.created_runs.append(run)  # candidates for the amendment; older ones may go
        self.stats.runs[template.cadence] = self.stats.runs.get(template.cadence, 0) + 1
        return free

    def _count_results(self, results: list[ItemResult]) -> None:
        self.stats.item_results += len(results)
        for result in results:
            if result.status == inspections.ABNORMAL:
                self.stats.abnormal_items += 1
            elif result.status == inspections.WARNING:
                self.stats.warning_items += 1

    def _fill(
        self,
        result: ItemResult,
        item: ChecklistItem,
        system: System | None,
        template: ChecklistTemplate,
        day: date,
        rng: random.Random,
        forced: str | None,
    ) -> None:
        """Fill one item the way an engineer would: mostly normal, a few findings."""
        kind = item.kind
        if forced is not None:
            title, _kw, symptom, _cause, _process, _prev = EMERGENCIES[forced]
            result.status = inspections.ABNORMAL
            if kind == "url":
                result.value_text = _url(item, template, rng)
            result.note = f"{title}：{symptom}"
            result.action = "立即启动应急预案处置，已生成故障单。"
            return
        if kind == "number":
            value = self._number(item, system, template, day, rng)
            if value is None:
                result.status = inspections.NA
                result.note = "该系统不涉及此项"
                return
            result.value_num = value
            result.status = inspections.evaluate_number(value, item.params or {})
            result.note = inspections.number_note(item, value, result.status)
            if result.status != inspections.NORMAL:
                result.action = _number_action(item)
        elif kind == "pair":
            declared = float(rng.randint(60, 420))
            pushed = declared
            if rng.random() < 0.02:
                pushed = declared - rng.randint(1, 4)
            result.value_num, result.value_num2 = declared, pushed
            mismatch = inspections.pair_mismatch(item, declared, pushed)
            result.status = inspections.ABNORMAL if mismatch else inspections.NORMAL
            result.note = inspections.pair_note(item, declared, pushed)
            if mismatch:
                result.action = "核查推送日志，对未推送的办件重新推送，复核两数一致。"
        elif kind == "url":
            url = _url(item, template, rng)
            assert inspections.valid_url(url)
            result.value_text = url
            if rng.random() < 0.01:
                result.status = inspections.ABNORMAL
                result.note = "链接返回 404，页面不存在"
                result.action = "已报送业务运维重新配置链接，复测可正常打开。"
            else:
                result.status = inspections.NORMAL
        elif kind == "text":
            if item.required or rng.random() < 0.6:
                result.value_text = _text_answer(item, rng, self.team)
        elif kind == "photo":
            result.status = inspections.NORMAL
        else:  # status
            roll = rng.random()
            if roll < 0.01:
                result.status = inspections.ABNORMAL
            elif roll < 0.018:
                result.status = inspections.WARNING
            else:
                result.status = inspections.NORMAL
                return
            result.note, result.action = _status_issue(item, system, rng)

    def _number(
        self,
        item: ChecklistItem,
        system: System | None,
        template: ChecklistTemplate,
        day: date,
        rng: random.Random,
    ) -> float | None:
        """A plausible reading: a steady level per server and item, with rare excursions."""
        params = item.params or {}
        unit = str(params.get("unit", ""))
        warn, alarm = params.get("warn"), params.get("alarm")
        below = params.get("direction", "above") == "below"
        series = _series_rng(
            self.seed,
            self.contract.code,
            "series",
            template.code,
            item.code,
            system.code if system else "",
        )
        if "不适用" in item.method and system is not None and series.random() < 0.5:
            return None
        limit = float(warn if warn is not None else alarm if alarm is not None else 100)
        top = float(alarm if alarm is not None else limit * 1.2)
        roll = rng.random()
        if below:  # e.g. days a certificate still has: a yearly saw-tooth
            return float((series.randint(0, 364) - day.toordinal()) % 365 + 20)
        if unit in ("条", "次", "个", "天") or limit <= 10:
            if roll < 0.006:
                return float(max(top, limit) + rng.randint(0, 3))
            if roll < 0.025:
                return float(limit + rng.randint(0, max(0, int(top - limit - 1))))
            typical = max(0.0, limit * 0.25)
            return float(
                min(int(rng.expovariate(1 / typical)) if typical >= 1 else 0, int(limit) - 1)
            )
        if roll < 0.006:
            value = rng.uniform(top, top * 1.08 if unit != "%" else min(99.5, top + 4))
        elif roll < 0.025:
            value = rng.uniform(limit, top - 0.1) if top > limit else limit
        else:
            low, high = (0.45, 0.85) if unit == "%" else (0.15, 0.5)
            level = series.uniform(low, high) * limit
            value = min(limit - 0.5, max(0.0, rng.gauss(level, limit * 0.04)))
        return float(round(value))

    # ------------------------------------------------------------------ service requests

    def _request_days(self, month: _Month) -> list[tuple[date, float]]:
        days: list[tuple[date, float]] = []
        day = month.first
        while day <= month.last:
            if day >= self.start and self.cal.is_service_day(day, self.window):
                if self.window == "5x8":
                    weight = 1.25 if day.weekday() == 0 else 1.0
                else:
                    weight = 1.0 if self.cal.is_workday(day) else 0.3
                days.append((day, weight))
            day += timedelta(days=1)
        return days

    def _received_time(self, day: date, rng: random.Random) -> datetime:
        if self.window == "5x8":
            open_at = _at(day, self.hours.start)
            span = (
                _at(day, "00:00") + timedelta(hours=24)
                if self.hours.end == "24:00"
                else _at(day, self.hours.end)
            ) - open_at
            minutes = span.total_seconds() / 60
            offset = rng.triangular(2, max(3.0, minutes - 10), minutes * 0.3)
            return open_at + timedelta(minutes=round(offset), seconds=rng.randint(0, 59))
        if rng.random() < 0.85:
            minute = rng.triangular(8.5 * 60, 18 * 60, 10 * 60)
        else:
            minute = _pick(rng, [rng.uniform(18 * 60, 23.9 * 60), rng.uniform(0, 8.4 * 60)])
        return datetime.combine(day, time()) + timedelta(
            minutes=round(minute), seconds=rng.randint(0, 59)
        )

    def _requests(self, month: _Month) -> None:
        rng = self.rng("requests", month.key)
        days = self._request_days(month)
        if not days:
            return
        month_days = (periods.month_end(month.first.year, month.first.month) - month.first).days + 1
        share = (month.last - max(month.first, self.start)).days + 1
        target = round(rng.randint(110, 190) * min(1.0, share / month_days))
        picks = rng.choices([d for d, _ in days], weights=[w for _, w in days], k=target)
        stamps = sorted(self._received_time(day, rng) for day in picks)
        stamps = [t for t in stamps if t <= self.as_of - timedelta(minutes=10)]
        if not stamps:
            return
        first_number = fault_svc.next_number(
            self.s, ServiceRequest, self.contract, request_svc.REQUEST_PREFIX, stamps[0]
        )
        stem, _, counter = first_number.rpartition("-")
        number = int(counter)
        systems = [s for s in self.systems if s.category not in ("中间件", "数据库")]
        systems = systems or self.systems  # callers name the application, not its middleware
        system_weights = [3.0 if i == 0 else 1.0 for i in range(len(systems))]
        escalated = 0
        requests: list[ServiceRequest] = []
        for received in stamps:
            caller = rng.choices(CALLERS, weights=[c.weight for c in CALLERS])[0]
            system = rng.choices(systems, weights=system_weights)[0] if systems else None
            topics = _topics_for(caller)
            category, _w, variants = rng.choices(topics, weights=[t[1] for t in topics])[0]
            description, resolution = _pick(rng, variants)
            sys_name = system.name if system is not None else "系统"
            handler = self._duty(received.date(), rng.randint(0, 1))
            roll = rng.random()
            if roll < 0.70:
                outcome = "phone"
            elif roll < 0.85 or (roll < 0.95 and not caller.internal):
                outcome = "remote"
            elif roll < 0.95:
                outcome = "onsite"
            elif roll < 0.98 and escalated < MAX_ESCALATED_FAULTS and self.systems:
                outcome = "fault"
            elif roll < 0.98:
                outcome = "phone"
            else:
                outcome = "unresolved"
            priority = rng.choices(["normal", "high", "low", "urgent"], weights=[80, 10, 8, 2])[0]
            req = ServiceRequest(
                contract_id=self.contract.id,
                system=system,
                number=f"{stem}-{number:04d}",
                channel="phone",
                received_at=received,
                caller_unit=caller.unit,
                caller_name=_pick(rng, caller.names),
                caller_contact=caller.contact,
                category=category,
                priority=priority,
                impact=_pick(rng, ["", "单个用户", "本部门用户"]) if caller.internal else "",
                description=description.format(sys=sys_name),
                responded_at=received,
                status="open",
                handler=handler.name,
                created_at=received,
                updated_at=received,
                created_by=handler.name,
            )
            number += 1
            if outcome == "fault":
                scenario = self._scenario(rng, system)
                req.category = "系统故障"
                req.priority = "urgent" if rng.random() < 0.3 else "high"
                req.description = scenario.report.format(unit=caller.unit, sys=sys_name)
                escalated += 1
                month.fault_todo.append(
                    _FaultTodo(
                        received,
                        "request",
                        request=req,
                        escalate_at=received + _minutes(rng, 5, 25),
                        system=system,
                        actor=handler.name,
                    )
                )
            else:
                if outcome == "unresolved":
                    resolution = "远程协助排查后仍未解决，已约定上门处理。"
                self._request_outcome(req, outcome, resolution.format(sys=sys_name), rng)
            requests.append(req)
        self.s.add_all(requests)
        self.s.flush()
        for req in requests:
            self.stats.requests[req.channel] = self.stats.requests.get(req.channel, 0) + 1
            if req.status == "open":
                self.stats.open_requests += 1
            verdicts = sla_mod.request_verdicts(
                self.profile.sla,
                channel=req.channel,
                received_at=req.received_at,
                responded_at=req.responded_at,
                remote_at=req.remote_at,
                onsite_at=req.onsite_at,
                finished=req.status != "open",
                now=self.as_of,
                minutes_between=self.between,
                deadline_after=self.after,
            )
            if any(v.state in (sla_mod.BREACHED, sla_mod.OVERDUE) for v in verdicts):
                self.stats.request_sla_breaches += 1
            if req.channel == "onsite" and req.status == "resolved" and req.completed_at:
                self._sign(req, "运维人员", req.handler, req.completed_at + _minutes(rng, 2, 10))
                self._sign(
                    req, "甲方确认", req.caller_name, req.completed_at + _minutes(rng, 10, 20)
                )

    def _request_outcome(
        self, req: ServiceRequest, outcome: str, resolution: str, rng: random.Random
    ) -> None:
        """Times and texts of a request's handling; steps after "now" stay undone."""
        received = req.received_at
        sla = self.profile.sla
        trail: list[str] = []
        completed: datetime | None
        if outcome == "phone":
            completed = received + _minutes(rng, 3, 20)
            if completed <= self.as_of:
                req.solved_on_phone = True
        else:
            remote_at: datetime | None = None
            if outcome in ("remote", "unresolved") or rng.random() < 0.3:
                target = sla.remote_minutes or 60
                minutes = (
                    rng.uniform(0.1, 0.8) if rng.random() > 0.08 else rng.uniform(1.1, 2)
                ) * target
                remote_at = self.after(received, minutes).replace(microsecond=0)
                if remote_at <= self.as_of:
                    req.channel = "remote"
                    req.remote_at = remote_at
                    trail.append(f"[{remote_at:%m-%d %H:%M} 转远程支持] 电话无法解决，远程协助处理")
            completed = (remote_at or received) + _minutes(rng, 15, 90)
            if outcome == "onsite":
                target = sla.onsite_minutes or 120
                breach = sla.onsite_minutes is not None and rng.random() < 0.08
                minutes = (rng.uniform(1.05, 1.6) if breach else rng.uniform(0.15, 0.85)) * target
                escalate_at = max(remote_at or received, received) + _minutes(rng, 5, 30)
                onsite_at = max(
                    self.after(received, minutes).replace(microsecond=0),
                    escalate_at + timedelta(minutes=10),
                )
                if escalate_at <= self.as_of:
                    req.channel = "onsite"
                    trail.append(
                        f"[{escalate_at:%m-%d %H:%M} 转现场支持] 远程无法解决，安排工程师到场"
                    )
                if onsite_at <= self.as_of:
                    req.onsite_at = onsite_at
                completed = onsite_at + _minutes(rng, 20, 120)
        if trail:
            req.resolution = "\n".join(trail)
        if (
            completed is None
            or completed > self.as_of
            or (req.channel == "onsite" and req.onsite_at is None)
        ):
            return  # still being handled "now"
        req.resolution = f"{req.resolution}\n{resolution}" if req.resolution else resolution
        req.completed_at = completed
        req.updated_at = completed
        if outcome == "unresolved":
            req.status = "unresolved"
            req.next_visit = datetime.combine(self.cal.add_workdays(completed.date(), 1), time(10))
        else:
            req.status = "resolved"
            req.follow_up = rng.random() < (0.4 if req.channel == "onsite" else 0.12)

    # ------------------------------------------------------------------ faults

    def _scenario(self, rng: random.Random, system: System | None) -> Scenario:
        category = system.category if system is not None else ""
        name = system.name if system is not None else ""

        def fits(scenario: Scenario) -> bool:
            if scenario.target == "db":
                return "数据库" in category or "数据库" in name
            if scenario.target == "mw":
                return "中间件" in category or name in ("nginx", "tomcat")
            if scenario.target == "app":
                return "数据库" not in category and "中间件" not in category
            return True

        return _pick(rng, [s for s in SCENARIOS if fits(s)] or list(SCENARIOS))

    def _level(self, rng: random.Random, emergency: bool = False) -> FaultLevel:
        weights = [8, 25, 40, 27] if emergency else [60, 25, 12, 3]
        return rng.choices(self.levels, weights=weights[: len(self.levels)])[0]

    def _fault_time(
        self, month: _Month, rng: random.Random, *, service_hours: bool
    ) -> datetime | None:
        days = (
            [d for d, _ in self._request_days(month)]
            if service_hours
            else [
                month.first + timedelta(days=i) for i in range((month.last - month.first).days + 1)
            ]
        )
        days = [d for d in days if d >= self.start]
        if not days:
            return None
        day = _pick(rng, days)
        when = (
            self._received_time(day, rng)
            if service_hours
            else (datetime.combine(day, time()) + timedelta(minutes=rng.randint(0, 24 * 60 - 1)))
        )
        return when if when <= self.as_of - timedelta(minutes=30) else None

    def _faults(self, month: _Month) -> None:
        rng = self.rng("faults", month.key)
        todo = list(month.fault_todo)
        month_days = (periods.month_end(month.first.year, month.first.month) - month.first).days + 1
        share = (month.last - max(month.first, self.start)).days + 1
        target = round(rng.randint(10, 20) * min(1.0, share / month_days))
        holidays = {h.id: h for h in self.holidays}
        for (holiday_id, day), kind in sorted(self.emergencies.items(), key=lambda kv: kv[0][1]):
            if not month.first <= day <= month.last or any(
                t.emergency_type == kind and t.holiday is not None and t.holiday.id == holiday_id
                for t in todo
            ):
                continue  # outside the month, or already found by the holiday check
            when = datetime.combine(day, time(9)) + _minutes(rng, 0, 600)
            if when <= self.as_of - timedelta(minutes=30):
                todo.append(
                    _FaultTodo(
                        when,
                        "emergency",
                        emergency_type=kind,
                        holiday=holidays[holiday_id],
                        system=self.systems[0] if self.systems else None,
                        actor=self._duty(day).name,
                    )
                )
        attempts = 0
        while len(todo) < target and attempts < 3 * target:
            attempts += 1
            kind = "alarm" if rng.random() < 0.55 else "user"
            when = self._fault_time(
                month, rng, service_hours=kind == "user" or self.window == "5x8"
            )
            if when is None:
                continue
            system = _pick(rng, self.systems) if self.systems else None
            todo.append(_FaultTodo(when, kind, system=system, actor=self._duty(when.date()).name))
        todo.sort(key=lambda t: t.reported_at)
        for item in todo:
            self._open_fault(item, rng)

    def _open_fault(self, todo: _FaultTodo, rng: random.Random) -> None:
        emergency = todo.emergency_type is not None
        level = self._level(rng, emergency)
        handler = todo.actor or self._duty(todo.reported_at.date()).name
        texts: dict[str, str]
        if todo.kind in ("inspection", "emergency") and todo.result is not None:
            fault = inspections.open_fault_from_result(
                self.s,
                todo.result.id,
                reported_at=todo.reported_at.replace(microsecond=0),
                level=level.code,
                actor=handler,
                now=self.as_of,
            )
            system = todo.result.system or todo.result.run.system
            if emergency and todo.emergency_type is not None:
                texts = self._emergency_texts(todo.emergency_type, system)
                texts.pop("symptom")  # the item's own note is the symptom
            else:
                texts = self._inspection_texts(todo.result, system, rng)
        elif todo.kind == "request" and todo.request is not None and todo.escalate_at is not None:
            system = todo.system
            scenario = self._scenario(rng, system)
            escalation = request_svc.escalate(
                self.s,
                todo.request.id,
                "fault",
                min(todo.escalate_at, self.as_of),
                "电话及远程无法恢复，转故障处理",
                level.code,
                title=scenario.title.format(sys=system.name if system else "系统"),
                now=self.as_of,
            )
            assert escalation.fault is not None
            fault = escalation.fault
            texts = self._scenario_texts(scenario, system, rng, unit=todo.request.caller_unit)
        else:
            system = todo.system
            if emergency:
                assert todo.emergency_type is not None
                title = EMERGENCIES[todo.emergency_type][0]
                discovery = "alarm"
                category = "安全事件"
            else:
                scenario = self._scenario(rng, system)
                title = scenario.title.format(sys=system.name if system else "系统")
                discovery = todo.kind
                category = scenario.category
            fault = fault_svc.create_fault(
                self.s,
                self.contract,
                title=title,
                level=level.code,
                reported_at=todo.reported_at.replace(microsecond=0),
                system_code=system.code if system else None,
                discovery=discovery,
                category=category,
                emergency_type=todo.emergency_type,
                holiday_period_id=todo.holiday.id if todo.holiday else None,
                handler=handler,
                coordinator=self.coordinator.name,
                now=self.as_of,
            )
            texts = (
                self._emergency_texts(todo.emergency_type, system)
                if emergency and todo.emergency_type
                else self._scenario_texts(scenario, system, rng, unit="")
            )
        fault.created_at = fault.reported_at
        fault.created_by = handler
        if emergency:
            assert todo.emergency_type is not None
            texts["emergency_type"] = todo.emergency_type
            texts["title"] = EMERGENCIES[todo.emergency_type][0]
            if todo.holiday is not None:
                texts["holiday_period_id"] = todo.holiday.id
        texts.setdefault("coordinator", self.coordinator.name)
        self._timeline(fault, level, rng, emergency, texts)
        self.stats.faults += 1
        self.stats.emergency_faults += int(emergency)

    def _scenario_texts(
        self, scenario: Scenario, system: System | None, rng: random.Random, *, unit: str
    ) -> dict[str, str]:
        sys_name = system.name if system is not None else "系统"
        fill = {"sys": sys_name, "unit": unit or "用户", "n": rng.randint(20, 300)}
        return {
            "symptom": scenario.symptom.format(**fill),
            "impact": scenario.impact.format(**fill),
            "impact_analysis": scenario.impact_analysis.format(**fill),
            "cause": scenario.cause.format(**fill),
            "process": scenario.process.format(**fill),
            "prevention": scenario.prevention.format(**fill),
            "category": scenario.category,
        }

    def _emergency_texts(self, kind: str, system: System | None) -> dict[str, str]:
        _title, _kw, symptom, cause, process, prevention = EMERGENCIES[kind]
        return {
            "symptom": symptom,
            "impact": "门户及各子站点访问用户",
            "impact_analysis": "节日期间公众访问受影响，存在舆情风险，按应急预案处置。",
            "cause": cause,
            "process": process,
            "prevention": prevention,
            "category": "安全事件",
        }

    def _inspection_texts(
        self, result: ItemResult, system: System | None, rng: random.Random
    ) -> dict[str, str]:
        title = result.item.title
        key = "oom"
        for keywords, scenario_key in (
            (("磁盘", "存储"), "disk"),
            (("备份",), "backup"),
            (("日志",), "oom"),
            (("连接", "表空间", "慢查询"), "dbpool"),
            (("接口",), "iface"),
            (("任务", "同步", "调度", "推送", "申报量"), "sync"),
            (("登录",), "sso"),
            (("附件",), "fdfs"),
            (("证书",), "cert"),
            (("响应", "访问", "页面"), "nginx"),
        ):
            if _matches(title, keywords):
                key = scenario_key
                break
        scenario = next(s for s in SCENARIOS if s.key == key)
        texts = self._scenario_texts(scenario, system, rng, unit="")
        texts.pop("symptom")  # the item's own note is the symptom
        texts.pop("category")
        return texts

    def _timeline(
        self,
        fault: FaultRecord,
        level: FaultLevel,
        rng: random.Random,
        emergency: bool,
        texts: dict[str, str],
    ) -> None:
        """Respond, (go on site), recover and close on the service clock; most within the SLA."""
        sla = self.profile.sla
        reported = fault.reported_at
        breach = rng.random()

        def clock(minutes: float) -> datetime:
            if emergency:  # the holiday duty engineer acts at once, whatever the window
                return reported + timedelta(minutes=round(minutes))
            return self.after(reported, minutes).replace(microsecond=0)

        responded = fault.responded_at
        if responded is None:
            factor = rng.uniform(1.1, 3) if breach < 0.08 else rng.uniform(0.15, 0.9)
            if emergency:
                factor = rng.uniform(0.1, 0.5)
            responded = clock(sla.response_minutes * factor)
        onsite: datetime | None = None
        if sla.onsite_minutes is not None and (emergency or rng.random() < 0.35):
            factor = rng.uniform(1.05, 1.6) if 0.08 <= breach < 0.14 else rng.uniform(0.2, 0.9)
            onsite = max(clock(sla.onsite_minutes * factor), responded + timedelta(minutes=5))
        target = level.recovery_minutes or 480
        if 0.14 <= breach < 0.22:
            factor = rng.uniform(1.05, 1.8)
        else:
            factor = min(0.95, rng.betavariate(1.3, 5) + 0.02)
        recovered = max(clock(target * factor), (onsite or responded) + timedelta(minutes=10))
        if sla.close_minutes is not None:
            closed = max(clock(sla.close_minutes * rng.uniform(0.2, 0.9)), recovered)
        else:
            closed = recovered + _minutes(rng, 20, 240)
            if not time(8, 30) <= closed.time() <= time(20):  # the report is closed in the day
                day = closed.date() + timedelta(days=int(closed.time() > time(20)))
                closed = datetime.combine(day, time(9)) + _minutes(rng, 0, 90)
        now = self.as_of
        steps = [("responded", responded), ("onsite", onsite), ("recovered", recovered)]
        done_texts = dict(texts)
        if recovered > now:
            done_texts["cause"] = "原因排查中。"
            done_texts["process"] = "已采取临时措施，正在排查处理。"
            done_texts["prevention"] = ""
        fault_svc.update_fault(self.s, fault.id, **done_texts)
        for step, when in steps:
            if when is None:
                continue  # e.g. recovered remotely: nobody had to go on site
            if when > now:
                break
            if step == "responded" and fault.responded_at is not None:
                continue
            fault_svc.set_time(self.s, fault.id, step, when, now=now)
        if fault.recovered_at is not None and closed <= now:
            fault_svc.close_fault(
                self.s,
                fault.id,
                closed,
                result="故障已排除，业务恢复正常，经验证运行稳定。",
                now=now,
            )
            signed = closed + _minutes(rng, 5, 60)
            if signed <= now:
                self._sign(fault, "运维人员", fault.handler or self.pm.name, signed)
                review = datetime.combine(self.cal.add_workdays(closed.date(), 1), time(10)) + (
                    _minutes(rng, 0, 240)
                )
                if review <= now:
                    self._sign(fault, "复核人", self.pm.name, review)
        else:
            self.stats.open_faults += 1
        verdicts = sla_mod.fault_verdicts(
            sla,
            level=fault.level,
            reported_at=fault.reported_at,
            responded_at=fault.responded_at,
            onsite_at=fault.onsite_at,
            recovered_at=fault.recovered_at,
            closed_at=fault.closed_at,
            now=now,
            minutes_between=self.between,
            deadline_after=self.after,
        )
        if any(v.state in (sla_mod.BREACHED, sla_mod.OVERDUE) for v in verdicts):
            self.stats.fault_sla_breaches += 1

    # ------------------------------------------------------------------ signatures

    def _sign(self, record: Any, role: str, name: str, when: datetime) -> None:
        if when > self.as_of:
            return
        signing.sign(
            self.s,
            signing.record_type_of(record),
            record.id,
            role=role,
            signer_name=name,
            png=signature_png(name),
            signed_at=when,
            now=self.as_of,
        )
        self.stats.signatures += 1

    def _sign_runs(self, month: _Month) -> None:
        """Sign the month's completed runs through :func:`signing.sign`, flushing once.

        The runs are already written, so the queries ``sign`` makes need no
        autoflush before each of them (that would cost a flush per signature).
        The 复核人 signatures come after a flush, so ``sign`` checks them
        against the stored first signature as usual.
        """
        self.s.flush()
        with self.s.no_autoflush:
            for run, signed, _review in month.to_sign:
                self._sign(run, "运维人员", run.inspector, signed)
        self.s.flush()
        with self.s.no_autoflush:
            for run, _signed, review in month.to_sign:
                if review is not None:
                    self._sign(run, "复核人", self.pm.name, review)
        self.s.flush()

    # ------------------------------------------------------------------ amendment

    def _amend(self) -> None:
        """Correct one signed run with a reason, as happens when a reading was mistyped."""
        already = self.s.scalar(
            select(InspectionRun.id)
            .where(
                InspectionRun.contract_id == self.contract.id,
                InspectionRun.supersedes_id.is_not(None),
            )
            .limit(1)
        )
        if already is not None:
            return
        latest = self.until - timedelta(days=5)

        def correctable(result: ItemResult) -> bool:
            """A normal reading that stays normal when a digit is corrected."""
            value = result.value_num
            return (
                result.item.kind == "number"
                and result.status == inspections.NORMAL
                and value is not None
                and value >= 10
                and all(
                    inspections.evaluate_number(value + d, result.item.params or {})
                    == inspections.NORMAL
                    for d in (-3, 3)
                )
            )

        candidates = [
            r
            for r in self.created_runs
            if r.status == "signed"
            and r.scheduled_date <= latest
            and any(correctable(x) for x in r.results)
        ]
        if not candidates:
            return
        original = max(
            candidates, key=lambda r: (r.scheduled_date, r.cadence == "daily", r.started_at)
        )
        rng = self.rng("amend", original.template.code, self.stable(original.period_key))
        target = next(x for x in original.results if correctable(x))
        assert target.value_num is not None
        old = target.value_num
        new = old + _pick(rng, [-3, -2, 2, 3])
        when = datetime.combine(self.cal.add_workdays(original.scheduled_date, 1), time(15)) + (
            _minutes(rng, 0, 60)
        )
        when = min(when, self.as_of - timedelta(minutes=5))
        reason = (
            f"{inspections.result_label(target)} 读数誊写有误：{inspections.fmt_number(old)}"
            f" 应为 {inspections.fmt_number(new)}，经复核更正。"
        )
        amended = signing.amend(
            self.s, "inspection_run", original.id, reason=reason, actor=original.inspector
        )
        assert isinstance(amended, InspectionRun)
        amended.created_at = when
        for result in amended.results:
            result.created_at = when
        self.s.flush()
        clone = next(r for r in amended.results if r.seq == target.seq)
        inspections.set_result(self.s, clone.id, value=new)
        amended.conclusion = inspections.suggest_conclusion(amended)
        inspections.complete_run(
            self.s,
            amended.id,
            conclusion=amended.conclusion,
            remediation=amended.remediation,
            remediation_deadline=amended.remediation_deadline,
            completed_at=when,
        )
        self._sign(amended, "运维人员", amended.inspector, when + timedelta(minutes=3))
        if amended.cadence in REVIEWED_CADENCES:
            self._sign(amended, "复核人", self.pm.name, when + timedelta(minutes=30))
        self.stats.amendments += 1

    # ------------------------------------------------------------------ deliverables

    def _submissions(self) -> None:
        """Hand in deliverables due before ``until``: mostly on time, some late, latest open."""
        open_from = self.until - timedelta(days=LEFT_OPEN_DAYS)
        for occurrence in deadlines(self.s, self.contract, calendar=self.cal, today=self.until):
            due = occurrence.due_date
            if occurrence.submitted is not None or due >= open_from:
                continue
            rng = self.rng("submit", occurrence.code, self.stable(occurrence.period_key), due)
            late = rng.random() < 0.1
            if late:
                day = self.cal.add_workdays(due, rng.randint(1, 3))
                if day >= self.until:
                    late, day = False, due
            else:
                day = self.cal.add_workdays(due, -rng.randint(0, 2))
                day = max(day, occurrence.window_start)
            when = datetime.combine(day, time(9, 30)) + _minutes(rng, 0, 420)
            suffix = ".xlsx" if occurrence.form in _SHEET_FORMS else ".docx"
            mark_submitted(
                self.s,
                self.contract,
                occurrence.code,
                occurrence.period_key,
                submitted_at=when,
                file_name=f"{occurrence.name}（{occurrence.period_label}）{suffix}",
                note="纸质版已同时提交" if occurrence.copies else "",
                calendar=self.cal,
            )
            self.stats.submissions += 1
            self.stats.late_submissions += int(day > due)


_SHEET_FORMS = frozenset(
    {
        "inspection_record",
        "service_record",
        "phone_log",
        "daily_inspection_log",
        "monthly_inspection",
        "quarterly_summary",
        "annual_summary",
        "deployment_list",
        "satisfaction_survey",
    }
)


# --------------------------------------------------------------------------- entry point


def _today() -> date:
    """Today's date (a function, so tests can pin it)."""
    return date.today()


def default_until(contract: Contract, today: date | None = None) -> date:
    """Today clipped to the contract period."""
    day = today or _today()
    return max(contract.start_date, min(day, contract.end_date))


def _contract(session: Session, code: str) -> Contract:
    """The contract of ``code``; a built-in profile not installed yet is installed first."""
    found = session.scalar(select(Contract).where(Contract.code == code))
    if found is not None:
        return found
    for profile in load_builtin_profiles():
        if profile.code == code:
            return install_profile(session, profile, builtin=True)
    return get_contract(session, code)  # raises NotFound with the usual message


def period_start(until: date, months: int) -> date:
    """The first day of the first of ``months`` months ending with ``until``'s month."""
    year, month = periods.add_months(until.year, until.month, -(months - 1))
    return date(year, month, 1)


def generate(
    store: Store,
    contract_code: str,
    *,
    months: int,
    seed: int = 1,
    until: date | None = None,
    progress: ProgressCallback | None = None,
) -> DemoStats:
    """Generate ``months`` months of demo records for a contract (see the module docstring).

    ``progress(done, total)`` is called once per generated day and at the end.
    Returns what was added; a second call with the same arguments adds nothing.
    """
    if not isinstance(months, int) or months < 1:
        raise DomainError("演示数据的月数至少为 1。")
    if months > 120:
        raise DomainError("演示数据最多生成 120 个月。")
    began = wallclock.perf_counter()
    with store.session() as session:
        contract = _contract(session, contract_code)
        calendar = WorkCalendar.from_session(session)
        holiday_svc.sync_statutory_holidays(session, contract, calendar)
        end = until if until is not None else default_until(contract)
        start = period_start(end, months)
        stats = DemoStats(contract.code, start, end, months, seed)
        _Generator(session, contract, calendar, seed=seed, start=start, until=end, stats=stats).run(
            progress
        )
    stats.elapsed = wallclock.perf_counter() - began
    return stats


__all__ = [
    "AS_OF_TIME",
    "CALLERS",
    "NAME_POOL",
    "DemoStats",
    "Person",
    "default_until",
    "fake_phone",
    "generate",
    "period_start",
    "signature_png",
]
