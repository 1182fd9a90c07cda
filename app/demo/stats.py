"""What a demo generation added, for ``omw demo`` and the first-start dialog."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.records import requests as request_svc
from app.schedule import periods


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
    outages: int = 0  # faults that interrupted the service
    requests: dict[str, int] = field(default_factory=dict)  # final channel → requests
    request_sla_breaches: int = 0
    open_requests: int = 0
    meetings: int = 0  # 例会会议纪要 recorded
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
            for c, n in sorted(self.runs.items(), key=lambda kv: CADENCE_ORDER.get(kv[0], 99))
        )
        channels = "、".join(
            f"{request_svc.CHANNELS.get(c, c)} {n}"
            for c, n in sorted(self.requests.items(), key=lambda kv: CHANNEL_ORDER.get(kv[0], 9))
        )
        parts = [
            f"{self.start.isoformat()} 至 {self.until.isoformat()}（{self.months} 个月）",
            f"巡检 {self.run_total} 次"
            + (f"（{cadences}；草稿 {self.draft_runs}）" if cadences else ""),
            f"检查项 {self.item_results} 项"
            f"（异常 {self.abnormal_items}、警告 {self.warning_items}）",
            f"故障 {self.faults} 起（SLA 超时 {self.fault_sla_breaches}、节假日应急 "
            f"{self.emergency_faults}、中断服务 {self.outages}、未关闭 {self.open_faults}）",
            f"服务请求 {self.request_total} 件" + (f"（{channels}）" if channels else ""),
            *([f"例会纪要 {self.meetings} 份"] if self.meetings else []),
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


CADENCE_ORDER = {c: i for i, c in enumerate(periods.CALENDAR_CADENCES + periods.HOLIDAY_CADENCES)}


CHANNEL_ORDER = {c: i for i, c in enumerate(request_svc.CHANNELS)}
