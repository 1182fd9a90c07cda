#!/usr/bin/env python3
"""Screenshots of the 复核 and 团队 pages at 1366×768 for the README (docs/screenshots/).

A project manager's store with two months of portal-om demo records (several
engineers), one record sent back, and one exchange with an engineer's laptop
(each trusting the other), in which both did the same day's check, then the window on
both pages and the 团队 page's 「作废多出的一份…」. Then the PM updates
the contract profile and voids a run: the engineer's preview of the PM's next
bundle (「合同档案已更新」), and the PM's 巡检 list with the voided run. Under Xvfb::

    OMW_SECRET_STORE=file OMW_PASSPHRASE=screenshot-passphrase \\
      xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/team_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from app.contracts.profile_schema import Profile  # noqa: E402
from app.contracts.profiles import install_builtin_profiles  # noqa: E402
from app.contracts.registry import get_contract, install_profile, profile_of  # noqa: E402
from app.demo import generator as demo  # noqa: E402
from app.demo.people import signature_png  # noqa: E402
from app.records import inspections, review, signing  # noqa: E402
from app.schedule.holidays import sync_all_holidays  # noqa: E402
from app.storage.store import Store  # noqa: E402
from app.team import bundles, identity  # noqa: E402
from app.team.voids import void  # noqa: E402
from db.models import InspectionRun  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.main import application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.pages.lists import InspectionsPage  # noqa: E402
from ui.pages.review import ReviewPage  # noqa: E402
from ui.pages.team import BundlePreviewDialog, TeamPage  # noqa: E402
from ui.qt import QtCore, QtWidgets  # noqa: E402
from ui.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 30)
PASSPHRASE = "team-bundle-passphrase"
OUT = ROOT / "docs" / "screenshots"
PM, ENGINEER = ("王立华", "WLH"), ("陈思远", "CSY")
UPDATE = "pm-update.omwbundle"
#: the day after the demo's last: checked on both laptops
DUPLICATE_DAY, DUPLICATE_TEMPLATE = date(2026, 11, 21), "interface-daily"


def prepare(folder: Path, laptop: Path) -> str:
    """The PM's store (demo data), one round trip of bundles with an engineer's laptop, then
    an update of the profile and a voided run (its day is returned)."""
    store = Store.open(folder, actor=PM[0])
    with store.session() as session:
        install_builtin_profiles(session)
        sync_all_holidays(session)
    print(demo.generate(store, "portal-om", months=2, until=NOW.date()).describe())
    identity.set_identity(store, *PM)
    with store.session() as session:
        waiting = review.queue(session, contract="portal-om")
        # the demo PM countersigns by the next working day: the latest days still wait
        target = next((i for i in waiting if i.exceptions), waiting[0])
        review.send_back(
            session,
            target.record_id,
            reason="处理结果写得不清楚，请补充处理过程和结果。",
            actor=PM[0],
            now=NOW,
        )
    engineer = Store.open(laptop, actor=ENGINEER[0])
    bundles.import_bundle(
        engineer,
        bundles.export_bundle(store, laptop / "pm.omwbundle", PASSPHRASE).path,
        PASSPHRASE,
        trust_new_signer=True,
    )
    identity.set_identity(engineer, *ENGINEER)
    # the same run corrected on both laptops: a conflict the PM resolves by a further amendment
    with store.session() as session:
        twice = latest_runs(session)[1]
        signing.amend(session, "inspection_run", twice.id, reason="读数有误", actor=PM[0])
    with engineer.session() as session:
        amended = signing.amend(
            session, "inspection_run", twice.id, reason="补充说明", actor=ENGINEER[0]
        )
        session.flush()
        inspections.complete_run(session, amended.id, conclusion="巡检项目全部正常。")
        signing.sign(
            session,
            "inspection_run",
            amended.id,
            role="运维人员",
            signer_name=ENGINEER[0],
            png=signature_png(ENGINEER[0]),
        )
    # the same day's check done on both laptops (each thought it was theirs): 重复巡检
    for who, done in ((store, PM[0]), (engineer, ENGINEER[0])):
        with who.session() as session:
            do_check(session, DUPLICATE_DAY, done)
    back = bundles.export_bundle(engineer, laptop / "csy.omwbundle", PASSPHRASE)
    bundles.import_bundle(store, back.path, PASSPHRASE, trust_new_signer=True)
    engineer.close()
    day = update_and_void(store, laptop)
    store.close()
    return day


def do_check(session: Any, day: date, who: str) -> None:
    """The interface check of ``day``: numbers in range, texts 正常, completed and signed."""
    run = inspections.start_run(
        session, "portal-om", DUPLICATE_TEMPLATE, scheduled_date=day, inspector=who
    )
    session.flush()
    for result in run.results:
        if result.item.kind == "number":
            inspections.set_result(session, result.id, value=1)
        elif result.item.kind == "text":
            inspections.set_result(session, result.id, text="正常")
    inspections.mark_rest_normal(session, run.id)
    finished = datetime.combine(day, time(9, 40) if who == PM[0] else time(10, 5))
    inspections.complete_run(
        session, run.id, conclusion="巡检项目全部正常。", completed_at=finished
    )
    signing.sign(
        session,
        "inspection_run",
        run.id,
        role="运维人员",
        signer_name=who,
        png=signature_png(who),
        signed_at=finished,
    )


def update_and_void(store: Store, laptop: Path) -> str:
    """The PM adds a system to the profile and voids a run; the bundle for the engineer."""
    with store.session() as session:
        data = profile_of(get_contract(session, "portal-om")).model_dump(mode="json")
        data["systems"].append({"code": "gis", "name": "地理信息服务", "category": "应用"})
        install_profile(session, Profile.model_validate(data))
        run = latest_runs(session)[3]
        void(session, "inspection_run", run.id, reason="重复填写", actor=PM[0])
    bundles.export_bundle(store, laptop / UPDATE, PASSPHRASE, since=ENGINEER[1])
    return run.scheduled_date.isoformat()


def latest_runs(session: Any) -> list[InspectionRun]:
    """Signed runs no amendment replaced, the latest first."""
    replaced = select(InspectionRun.supersedes_id).where(InspectionRun.supersedes_id.is_not(None))
    return list(
        session.scalars(
            select(InspectionRun)
            .where(InspectionRun.locked_at.is_not(None), InspectionRun.id.not_in(replaced))
            .order_by(InspectionRun.scheduled_date.desc(), InspectionRun.id)
        )
    )


def settle(app: QtWidgets.QApplication, ms: int = 500) -> None:
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(ms, loop.quit)
    loop.exec()
    app.processEvents()


def main() -> int:
    app = application()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder, laptop = Path(tmp) / "pm", Path(tmp) / "laptop"
        voided_day = prepare(folder, laptop)
        settings = Settings.load(folder)
        settings.name, settings.role, settings.contract = PM[0], "项目经理", "portal-om"
        settings.save()
        store = Store.open(folder, actor=PM[0])
        ctx = AppContext(store, settings, clock=lambda: NOW)
        window = MainWindow(ctx)
        window.resize(1366, 768)
        window.show()
        settle(app)
        window.show_page("review")
        page = window.pages["review"]
        assert isinstance(page, ReviewPage)
        for _ in range(120):  # the queue loads on the thread pool
            if page.model.shown():
                break
            settle(app, 250)
        rows = [page.model.row_at(n) for n in range(page.model.shown())]
        shown = next((r for r in rows if r.item.state == review.RETURNED), rows[0])
        page.table.setCurrentIndex(page.model.index(page.model.find(shown.id), 0))
        settle(app)
        window.grab().save(str(OUT / "16-review.png"))
        window.show_page("team")
        settle(app)
        window.grab().save(str(OUT / "17-team.png"))
        team = window.pages["team"]
        assert isinstance(team, TeamPage)
        twice = next(key for key in team.duplicates)
        dialog = team.void_duplicate(twice)
        assert dialog is not None
        settle(app)
        dialog.grab().save(str(OUT / "21-void-duplicate.png"))
        dialog.reject()
        window.show_page("inspections")
        runs = window.pages["inspections"]
        assert isinstance(runs, InspectionsPage)
        for _ in range(120):  # the list loads on the thread pool
            if runs.model.shown():
                break
            settle(app, 250)
        runs.search.setText(voided_day)  # that day's runs, the voided one greyed among them
        runs.apply_filter()
        settle(app)
        window.grab().save(str(OUT / "19-voided.png"))
        engineer = Store.open(laptop, actor=ENGINEER[0])
        preview = BundlePreviewDialog(
            bundles.preview_bundle(engineer, laptop / UPDATE, PASSPHRASE), window
        )
        preview.resize(760, 520)
        preview.show()
        settle(app)
        preview.grab().save(str(OUT / "18-profile-update.png"))
        preview.close()
        engineer.close()
        window.close()
        store.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
