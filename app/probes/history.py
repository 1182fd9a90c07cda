"""What the stored probe results say over a period: availability and response time per target.

Feeds the monthly report's 运行监测 table and its 响应时间趋势 / 可用性 charts.
Only targets that answer or not are counted (HTTP, TCP, DNS, PING, FTP, SMTP);
tamper checks and the link list have their own meaning and are left out. A
check counts as available unless it was 异常 (a slow answer is 警告, and up).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ProbeResult

AVAILABILITY_KINDS = ("http", "tcp", "dns", "ping", "ftp", "smtp")
KIND_LABELS = {
    "http": "HTTP(S)",
    "tcp": "TCP",
    "dns": "DNS",
    "ping": "PING",
    "ftp": "FTP",
    "smtp": "SMTP",
    "tamper": "网页篡改",
    "links": "链接",
}


@dataclass(frozen=True)
class TargetStats:
    key: tuple[str | None, str]  # (system code, target code)
    label: str  # 网站 / 首页
    kind: str
    address: str
    checks: int
    failures: int
    mean_ms: float | None
    max_ms: float | None
    #: day → (mean ms of the day's answers or None, checks, failures)
    days: dict[date, tuple[float | None, int, int]] = field(default_factory=dict)

    @property
    def availability(self) -> float | None:
        return (self.checks - self.failures) / self.checks if self.checks else None


def monitoring(
    session: Session,
    contract_id: str,
    start: date,
    end: date,
    order: list[tuple[str | None, str]] | None = None,
) -> list[TargetStats]:
    """Each probed target's figures over ``start``..``end`` (inclusive).

    In ``order`` (the profile's systems and targets); targets it does not name (since
    removed from the profile) follow, by name.
    """
    rows = session.scalars(
        select(ProbeResult).where(
            ProbeResult.contract_id == contract_id,
            ProbeResult.kind.in_(AVAILABILITY_KINDS),
            ProbeResult.started_at >= datetime.combine(start, time.min),
            ProbeResult.started_at < datetime.combine(end + timedelta(days=1), time.min),
        )
    )
    grouped: dict[tuple[str | None, str], list[ProbeResult]] = defaultdict(list)
    for row in rows:
        grouped[(row.system_code, row.target)].append(row)
    found = []
    for key, results in grouped.items():
        results.sort(key=lambda r: r.started_at)
        answered = [
            r.elapsed_ms for r in results if r.elapsed_ms is not None and r.outcome != "abnormal"
        ]
        per_day: dict[date, list[ProbeResult]] = defaultdict(list)
        for r in results:
            per_day[r.started_at.date()].append(r)
        days = {}
        for day, day_rows in per_day.items():
            times = [
                r.elapsed_ms
                for r in day_rows
                if r.elapsed_ms is not None and r.outcome != "abnormal"
            ]
            failures = sum(1 for r in day_rows if r.outcome == "abnormal")
            days[day] = (statistics.fmean(times) if times else None, len(day_rows), failures)
        last = results[-1]
        found.append(
            TargetStats(
                key=key,
                label=(last.details or {}).get("label") or f"{key[0]} / {key[1]}",
                kind=last.kind,
                address=last.address,
                checks=len(results),
                failures=sum(1 for r in results if r.outcome == "abnormal"),
                mean_ms=statistics.fmean(answered) if answered else None,
                max_ms=max(answered) if answered else None,
                days=days,
            )
        )
    rank = {key: n for n, key in enumerate(order or [])}
    found.sort(key=lambda t: (rank.get(t.key, len(rank)), t.label))
    return found


def by_system(found: list[TargetStats]) -> list[tuple[str, float]]:
    """(system, availability of all its checks), in the order of ``found``."""
    checks: dict[str, list[int]] = {}
    for t in found:
        name = t.label.split(" / ")[0]
        total = checks.setdefault(name, [0, 0])
        total[0] += t.checks
        total[1] += t.failures
    return [(name, (n - bad) / n) for name, (n, bad) in checks.items() if n]
