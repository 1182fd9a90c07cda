"""Demo 例会会议纪要: one monthly O&M meeting of contracts that deliver minutes.

The meeting is held on the fourth working day from the end of the month (or of the
contract, in its last month),
14:30–15:30, chaired by the project manager with the team and a client contact.
What it reports is computed from the month's records up to that afternoon
(inspections, findings, faults by system, requests), it follows up the previous
meeting's action items, and it agrees two to four new ones with an owner and a
due date a few working days on. The recorder signs that evening, the project
manager the next working day, the client two working days later — each only
if that time has come by the demo's "now".
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.demo.shared import Month
from app.demo.texts import pick
from app.records import meetings
from app.schedule import periods
from db.models import FaultRecord, InspectionRun, ItemResult, MeetingMinutes, ServiceRequest

START, END = time(14, 30), time(15, 30)
#: (action, decision it carries out); ``{system}`` is a system of the contract
ACTIONS: tuple[tuple[str, str], ...] = (
    (
        "核查{system}服务器磁盘增长趋势，提出扩容建议",
        "{system}磁盘使用率持续上升，由运维组评估扩容需求后报甲方。",
    ),
    (
        "完成{system}数据库备份恢复演练并形成演练记录",
        "本季度备份恢复演练先在{system}进行，演练结果在下次例会通报。",
    ),
    (
        "梳理本月电话咨询高频问题，补充运维知识库条目",
        "电话咨询中重复出现的问题整理入知识库，供值班人员统一答复。",
    ),
    (
        "更新《系统应急预案》联系人名单并报甲方备案",
        "应急联系人有变动的，须在一周内更新预案并报甲方备案。",
    ),
    (
        "复核网站死链检测结果，通知相关处室更新链接",
        "死链检测发现的失效链接由运维组汇总，经甲方联系人转相关处室处理。",
    ),
    (
        "整理漏洞扫描结果，制定{system}补丁修复计划",
        "漏洞修复在非工作时间窗口进行，修复前做好备份并提前告知甲方。",
    ),
)
CLIENT_REMARKS: tuple[str, ...] = (
    "希望进一步缩短电话咨询的响应时间，重大问题及时电话告知。",
    "要求节假日前完成全部系统的健康检查，并提交检查记录。",
    "对本月运维工作表示认可，请继续做好日常巡检记录。",
    "请在月报中说明故障的原因分析和整改措施。",
)


class MeetingsPart:
    """The meetings part of the demo generator; its state is the generator's (generator.py)."""

    def _meeting(self, month: Month) -> None:
        if not any(d.form == "meeting_minutes" for d in self.profile.deliverables):
            return
        end = min(periods.month_end(month.first.year, month.first.month), self.contract.end_date)
        last_workday = self.cal.last_workday_in(month.first, end)
        if last_workday is None:
            return
        day = self.cal.add_workdays(last_workday, -3)
        held = datetime.combine(day, START)
        if day < max(month.first, self.start) or held + timedelta(hours=1) > self.as_of:
            return  # before the demo's first day, or not held yet
        lo = datetime.combine(month.first, time())
        exists = self.s.scalar(
            select(MeetingMinutes.id).where(
                MeetingMinutes.contract_id == self.contract.id,
                MeetingMinutes.meeting_at >= lo,
                MeetingMinutes.meeting_at < datetime.combine(end + timedelta(days=1), time()),
            )
        )
        if exists is not None:
            return
        rng = self.rng("meeting", month.key)
        previous = self.s.scalar(
            select(MeetingMinutes)
            .where(MeetingMinutes.contract_id == self.contract.id, MeetingMinutes.meeting_at < lo)
            .order_by(MeetingMinutes.meeting_at.desc())
            .limit(1)
        )
        recorder = self._duty(day, 1)
        client = pick(rng, self.client_people)
        team = [self.pm, *self.ops]
        chosen = rng.sample(ACTIONS, k=min(len(ACTIONS), rng.randint(2, 4)))
        systems = rng.sample(self.systems, k=min(len(self.systems), len(chosen)))
        items, decisions = [], []
        for n, (action, decision) in enumerate(chosen):
            system = systems[n % len(systems)].name if systems else "业务系统"
            owner = self.ops[(n + day.toordinal()) % len(self.ops)]
            due = self.cal.add_workdays(day, rng.randint(3, 10))
            items.append(
                {"content": action.format(system=system), "owner": owner.name, "due_date": due}
            )
            decisions.append(f"{n + 1}. {decision.format(system=system)}")
        record = meetings.create_meeting(
            self.s,
            self.contract,
            meeting_at=held,
            ended_at=datetime.combine(day, END),
            title=f"{day.month}月运维例会",
            place=self.contract.site or "甲方会议室",
            host=self.pm.name,
            recorder=recorder.name,
            attendees="、".join(dict.fromkeys([*(p.name for p in team), client.name])),
            agenda="\n".join(
                (
                    "1. 通报本月运维情况（巡检、故障、服务请求）",
                    "2. 上次例会行动项落实情况",
                    "3. 存在问题及下一步工作安排",
                    "4. 甲方意见和要求",
                )
            ),
            discussion="\n".join(
                (
                    self._month_report(month.first, held),
                    self._follow_up(previous),
                    f"{client.name}（甲方）：{pick(rng, CLIENT_REMARKS)}",
                )
            ),
            decisions="\n".join(decisions),
            action_items=items,
            now=self.as_of,
        )
        self.s.flush()
        meetings.finalize(self.s, record.id, now=self.as_of)
        self.s.flush()
        self._sign(record, "运维人员", recorder.name, datetime.combine(day, time(17, 30)))
        self.s.flush()
        review = datetime.combine(self.cal.add_workdays(day, 1), time(10))
        self._sign(record, "复核人", self.pm.name, review)
        confirm = datetime.combine(self.cal.add_workdays(day, 2), time(15))
        self._sign(record, "甲方确认", client.name, confirm)
        self.stats.meetings += 1

    def _month_report(self, first: date, until: datetime) -> str:
        """The project manager's figures of the month up to the meeting, from the records."""
        lo = datetime.combine(first, time())
        runs = self.s.scalar(
            select(func.count(InspectionRun.id)).where(
                InspectionRun.contract_id == self.contract.id,
                InspectionRun.scheduled_date >= first,
                InspectionRun.completed_at.is_not(None),
                InspectionRun.completed_at <= until,
            )
        )
        findings = self.s.scalar(
            select(func.count(ItemResult.id))
            .join(InspectionRun, InspectionRun.id == ItemResult.run_id)
            .where(
                InspectionRun.contract_id == self.contract.id,
                InspectionRun.scheduled_date >= first,
                InspectionRun.completed_at <= until,
                ItemResult.status.in_(("warning", "abnormal")),
            )
        )
        faults = self.s.scalars(
            select(FaultRecord).where(
                FaultRecord.contract_id == self.contract.id,
                FaultRecord.reported_at >= lo,
                FaultRecord.reported_at <= until,
            )
        ).all()
        requests = self.s.scalars(
            select(ServiceRequest).where(
                ServiceRequest.contract_id == self.contract.id,
                ServiceRequest.received_at >= lo,
                ServiceRequest.received_at <= until,
            )
        ).all()
        by_system = Counter(f.system.name for f in faults if f.system is not None)
        top = "、".join(f"{name} {n} 起" for name, n in by_system.most_common(2))
        on_phone = sum(1 for r in requests if r.solved_on_phone)
        return (
            f"{self.pm.name}通报 {first:%m月%d日}至{until:%m月%d日}运维情况："
            f"完成巡检 {runs or 0} 次，"
            f"发现异常/警告 {findings or 0} 项；处置故障 {len(faults)} 起"
            + (f"（{top}）" if top else "")
            + f"；受理服务请求 {len(requests)} 件，其中电话解决 {on_phone} 件。"
        )

    def _follow_up(self, previous: MeetingMinutes | None) -> str:
        if previous is None:
            return "本期为首次例会，无上次行动项。"
        items = meetings.stored_actions(previous)
        return (
            f"上次例会（{previous.number}）确定行动项 {len(items)} 项，"
            f"经逐项核对均已按期完成：{'；'.join(i.content for i in items)}。"
        )
