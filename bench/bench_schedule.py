#!/usr/bin/env python3
"""Benchmark: what is due on a day, and service minutes over 17 years, against their floors.

    .venv/bin/python bench/bench_schedule.py [--runs 5] [--check] [--target NAME=RATIO]

``due_on``
    ``app.schedule.due.due_on`` for one day of a contract whose year holds every
    daily run five times over (about 5,500 runs; tests/test_due.py checks that
    they are read with one query). Floor: that one query alone, a plain
    ``SELECT`` of the day's runs in the same session.
``service_minutes``
    ``WorkCalendar.service_minutes_between`` for 5×8 from 2010-01-01 to
    2026-12-31 (tests/test_workcal.py checks that it looks each day up once,
    never each minute). Floor: ``workdays_between`` over the same days.

Prints each median (of ``--runs``, at least 5, after a warm-up), its floor's,
and the ratio. ``--check`` exits 1 if a ratio is above its target (the targets
below; ``--target due_on=6`` changes one). These replace the wall-clock limits
the unit tests used to assert (250 ms and 1 s).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the OS keyring
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from app.contracts.profile_schema import ServiceHours
from app.contracts.registry import install_profile
from app.schedule import holidays, periods
from app.schedule.due import due_on
from app.schedule.workcal import WorkCalendar
from app.storage.store import Store
from bench._timing import bench_from, parser
from db.models import Contract, InspectionRun
from tests.factories import checklist, insert_daily_runs, item, make_profile, system_defs

#: ratio of the median to its floor's above which ``--check`` fails
TARGETS = {"due_on": 8.0, "service_minutes": 6.0}
START, END = date(2026, 3, 1), date(2027, 2, 28)
COPIES = 5


def _contract_with_a_year_of_runs(store: Store) -> None:
    profile = make_profile(
        "bench-724",
        period=(START, END),
        systems=system_defs(("portal", "门户应用"), ("db", "数据库")),
        checklists=[
            checklist("daily", cadence="daily", groups=[("检查", [item("ok", "运行正常")])]),
            checklist(
                "daily-sys",
                cadence="daily",
                systems_mode="separate",
                groups=[("检查", [item("ok", "运行正常")])],
            ),
        ],
    )
    with store.session() as session:
        contract = install_profile(session, profile)
        holidays.sync_statutory_holidays(session, contract)
    with store.session() as session:
        count = insert_daily_runs(session, START, END, COPIES)
    print(f"store: one contract, {count} daily runs ({START}..{END})")


def main(argv: list[str] | None = None) -> int:
    args = parser(__doc__.splitlines()[1], TARGETS).parse_args(argv)
    bench = bench_from(args, TARGETS)
    with tempfile.TemporaryDirectory(prefix="omw-bench-schedule-") as work:
        store = Store.open(Path(work) / "data", actor="bench")
        try:
            _contract_with_a_year_of_runs(store)
            with store.session() as session:
                contract = session.scalars(select(Contract)).one()
                cal = WorkCalendar.from_session(session)
                day = date(2026, 10, 3)

                def read_the_days_runs() -> object:
                    query = select(
                        InspectionRun.id,
                        InspectionRun.template_id,
                        InspectionRun.system_id,
                        InspectionRun.period_key,
                        InspectionRun.status,
                        InspectionRun.supersedes_id,
                        InspectionRun.started_at,
                    ).where(
                        InspectionRun.contract_id == contract.id,
                        InspectionRun.period_key == periods.key("daily", day),
                    )
                    return session.execute(query).all()

                def due() -> object:
                    report = due_on(session, contract, day, cal)
                    session.expunge_all()
                    return report

                bench.add("due_on", due, "one SELECT of the day's runs", read_the_days_runs)
        finally:
            store.close()

    cal = WorkCalendar()
    hours = ServiceHours(start="09:00", end="17:00")
    start, end = datetime(2010, 1, 1), datetime(2026, 12, 31)
    bench.add(
        "service_minutes",
        lambda: cal.service_minutes_between(start, end, "5x8", hours),
        "workdays_between over the same days",
        lambda: cal.workdays_between(start.date(), end.date()),
    )
    return bench.finish()


if __name__ == "__main__":
    sys.exit(main())
