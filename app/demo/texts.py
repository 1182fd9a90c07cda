"""Invented texts of the demo: problems and fixes per check, fault scenarios, request topics."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.demo.people import NAME_POOL, Caller, Person, fake_phone
from db.models import (
    ChecklistItem,
    ChecklistTemplate,
    System,
)

T = TypeVar("T")

URL_PATHS: tuple[tuple[str, tuple[str, ...]], ...] = (
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


URL_DEFAULT = (
    "http://portal.example.gov.local/page/{n}",
    "http://www.example.gov.local/index.html",
)


#: (title keywords, abnormal note, action) for status and url items; {sys} = system name.
STATUS_ISSUES: tuple[tuple[tuple[str, ...], str, str], ...] = (
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


STATUS_ISSUE_DEFAULT = ("检查结果不符合标准：{standard}", "已按操作规程处理，复查正常")


#: (title keywords, action) for number items beyond their threshold.
NUMBER_ACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
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


TEXT_ANSWERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
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


TEXT_DEFAULT = ("检查完成，情况正常。",)


def numbered(*steps: str) -> str:
    """``1. …；\n2. …；\n3. …。`` as written in 处理过程."""
    return "；\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1)) + "。"


def steps(temporary: str, fix: str, check: str) -> str:
    """处理过程 in the form's order: 临时措施 → 根本解决 → 验证."""
    return numbered(f"临时措施：{temporary}", f"根本解决：{fix}", f"验证：{check}")


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
        steps(
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
        steps(
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
        steps(
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
        steps("暂存待推送办件", "导入对端新证书并重启接口服务", "补推暂存办件，核对两端数量一致"),
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
        steps("暂停失败任务，避免重复报错", "更新字段映射并补跑任务", "核对两端记录数一致"),
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
        steps("清理过期会话缓存", "调整缓存容量及过期策略", "测试账号单点登录正常"),
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
        steps("将下载请求切换至备用存储节点", "重新挂载存储并加入开机自动挂载", "抽查附件均可下载"),
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
        steps("回退代理配置", "更新 upstream 配置并重载 nginx", "各站点访问正常"),
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
        steps("告知用户暂不要忽略安全提示", "申请新证书并更换", "各浏览器访问无告警"),
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
        steps("清理过期备份后手工补做全量备份", "扩充备份存储并调整保留策略", "备份文件校验通过"),
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
        steps("在备用宿主机启动虚拟机", "厂商更换故障内存条", "应用及数据检查正常"),
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
        steps("限制统计时间范围", "补建联合索引并优化 SQL", "查询耗时降至 2 秒内"),
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
        numbered(
            "启动应急预案，发布临时访问提示", "联系域名服务商修正解析并刷新缓存", "多地复测解析正确"
        ),
        "启用 DNSSEC，增加多地解析监测。",
    ),
    "page_tamper": (
        "网页被恶意篡改",
        "篡改",
        "防篡改系统告警，栏目页面被植入不明外链。",
        "内容管理系统历史上传接口存在漏洞。",
        numbered("立即下线被篡改页面", "从备份恢复页面并封堵上传接口", "全站扫描确认无其他篡改"),
        "升级内容管理系统，防篡改策略覆盖全部栏目。",
    ),
    "unreachable": (
        "网站无法访问",
        "访问",
        "网站首页无法打开，监测平台 HTTP 探测失败。",
        "机房出口链路运营商侧故障。",
        numbered("启动应急预案，切换备用链路", "督促运营商修复主链路", "切回主链路并验证访问"),
        "定期演练链路切换。",
    ),
    "server_recovery": (
        "服务器故障系统恢复",
        "服务器",
        "应用服务器异常宕机，相关系统无法访问。",
        "服务器电源模块故障。",
        numbered(
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
EXTERNAL_TOPICS = frozenset(
    {"账号密码", "页面访问", "事项办理咨询", "附件上传下载", "浏览器兼容", "证书登录"}
)


def topics_for(caller: Caller) -> list[tuple[str, float, tuple[tuple[str, str], ...]]]:
    if caller.internal:
        return [t for t in REQUEST_TOPICS if t[0] != "接口对接"]
    allowed = EXTERNAL_TOPICS | ({"接口对接"} if "公司" in caller.unit else set())
    return [t for t in REQUEST_TOPICS if t[0] in allowed]


def pick(rng: random.Random, options: Sequence[T]) -> T:
    return options[rng.randrange(len(options))]


def matches(title: str, keywords: Iterable[str]) -> bool:
    return any(k in title for k in keywords)


def status_issue(item: ChecklistItem, system: System | None, rng: random.Random) -> tuple[str, str]:
    sys_name = system.name if system is not None else "系统"
    for keywords, note, action in STATUS_ISSUES:
        if matches(item.title, keywords):
            return note.format(sys=sys_name, n=rng.randint(2, 30)), action
    note, action = STATUS_ISSUE_DEFAULT
    return note.format(standard=item.standard or "正常"), action


def number_action(item: ChecklistItem) -> str:
    for keywords, action in NUMBER_ACTIONS:
        if matches(item.title, keywords):
            return action
    return "已处理，持续观察"


def text_answer(item: ChecklistItem, rng: random.Random, team: Sequence[Person]) -> str:
    text = TEXT_DEFAULT[0]
    for keywords, answers in TEXT_ANSWERS:
        if matches(item.title, keywords):
            text = pick(rng, answers)
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


def url_for(item: ChecklistItem, template: ChecklistTemplate, rng: random.Random) -> str:
    where = f"{template.name}{item.title}"
    for keyword, options in URL_PATHS:
        if keyword in where:
            return pick(rng, options).format(n=rng.randint(100, 9999))
    return pick(rng, URL_DEFAULT).format(n=rng.randint(100, 9999))
