"""Chinese labels the services hand to the window, made known to the translation tools.

States, kinds, channels and levels come from the core in Chinese (its source
language). The window shows them through :func:`ui.i18n.tr`, which returns
the English text of a label listed here when English is chosen, and any other
text (names, titles typed by users) unchanged.
"""

from __future__ import annotations

from ui.qt import QtCore

QT_TR_NOOP = QtCore.QT_TR_NOOP

KNOWN = (
    # run states, due states, sheet states
    QT_TR_NOOP("草稿"),
    QT_TR_NOOP("已完成"),
    QT_TR_NOOP("已签字"),
    QT_TR_NOOP("待办"),
    QT_TR_NOOP("进行中"),
    QT_TR_NOOP("已逾期"),
    QT_TR_NOOP("未开始"),
    QT_TR_NOOP("已作废"),  # a voided record (作废), in every list
    QT_TR_NOOP("已导出，待提交"),  # a deliverable exported, not handed in yet
    QT_TR_NOOP("启用前"),  # due before the contract's 启用日期 (period.records_from)
    # kinds of what is due
    QT_TR_NOOP("巡检"),
    QT_TR_NOOP("节假日检查"),
    QT_TR_NOOP("交付物"),
    # cadences
    QT_TR_NOOP("日"),
    QT_TR_NOOP("周"),
    QT_TR_NOOP("月"),
    QT_TR_NOOP("季"),
    QT_TR_NOOP("半年"),
    QT_TR_NOOP("年"),
    QT_TR_NOOP("节前"),
    QT_TR_NOOP("节日期间"),
    QT_TR_NOOP("节日期间每日"),
    QT_TR_NOOP("节后"),
    # service requests
    QT_TR_NOOP("电话"),
    QT_TR_NOOP("远程"),
    QT_TR_NOOP("现场"),
    QT_TR_NOOP("处理中"),
    QT_TR_NOOP("已解决"),
    QT_TR_NOOP("已转故障"),
    QT_TR_NOOP("未解决"),
    QT_TR_NOOP("低"),
    QT_TR_NOOP("普通"),
    QT_TR_NOOP("高"),
    QT_TR_NOOP("紧急"),
    # faults
    QT_TR_NOOP("已恢复"),
    QT_TR_NOOP("已关闭"),
    QT_TR_NOOP("告警"),
    QT_TR_NOOP("用户反馈"),
    QT_TR_NOOP("域名劫持"),
    QT_TR_NOOP("网页篡改"),
    QT_TR_NOOP("无法访问"),
    QT_TR_NOOP("服务器故障恢复"),
    # meeting minutes
    QT_TR_NOOP("已定稿"),
    QT_TR_NOOP("一般"),
    QT_TR_NOOP("严重"),
    QT_TR_NOOP("重大"),
    QT_TR_NOOP("特别重大"),
    # SLA
    QT_TR_NOOP("达标"),
    QT_TR_NOOP("超时"),
    QT_TR_NOOP("已超时"),
    QT_TR_NOOP("不适用"),
    QT_TR_NOOP("响应"),
    QT_TR_NOOP("远程支持"),
    QT_TR_NOOP("到场"),
    QT_TR_NOOP("恢复"),
    QT_TR_NOOP("关闭"),
    # holiday kinds
    QT_TR_NOOP("法定"),
    QT_TR_NOOP("约定"),
    # roles an engineer picks (ui.settings.ROLES)
    QT_TR_NOOP("运维工程师"),
    QT_TR_NOOP("项目经理"),
    QT_TR_NOOP("技术经理"),
    QT_TR_NOOP("安全工程师"),
    QT_TR_NOOP("开发工程师"),
)
