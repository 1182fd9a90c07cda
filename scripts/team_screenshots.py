#!/usr/bin/env python3
"""Screenshots of the 复核 and 团队 pages at 1366×768 for the README (docs/screenshots/).

A project manager's store with two months of portal-om demo records (several
engineers), one record sent back, and one exchange with an engineer's laptop
(each trusting the other), then the window on both pages. Under Xvfb::

    OMW_SECRET_STORE=file OMW_PASSPHRASE=screenshot-passphrase \\
      xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/team_screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.contracts.profiles import install_builtin_profiles  # noqa: E402
from app.demo import generator as demo  # noqa: E402
from app.demo.people import signature_png  # noqa: E402
from app.records import inspections, review, signing  # noqa: E402
from app.schedule.holidays import sync_all_holidays  # noqa: E402
from app.storage.store import Store  # noqa: E402
from app.team import bundles, identity  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.main import application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.pages.review import ReviewPage  # noqa: E402
from ui.qt import QtCore, QtWidgets  # noqa: E402
from ui.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 20, 10, 30)
PASSPHRASE = "team-bundle-passphrase"
OUT = ROOT / "docs" / "screenshots"
PM, ENGINEER = ("王立华", "WLH"), ("陈思远", "CSY")


def prepare(folder: Path, laptop: Path) -> None:
    """The PM's store (demo data) and one round trip of bundles with an engineer's laptop."""
    store = Store.open(folder, actor=PM[0])
    with store.session() as session:
        install_builtin_profiles(session)
        sync_all_holidays(session)
    print(demo.generate(store, "portal-om", months=2, until=NOW.date()).describe())
    identity.set_identity(store, *PM)
    with store.session() as session:
        waiting = review.queue(session, contract="portal-om")
        target = next(i for i in waiting if i.exceptions)
        review.send_back(
            session,
            target.record_id,
            reason="异常项的处理措施写得不清楚，请补充处理结果。",
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
        twice = next(i for i in waiting if i.routine and i.record_id != target.record_id)
        signing.amend(session, "inspection_run", twice.record_id, reason="读数有误", actor=PM[0])
    with engineer.session() as session:
        amended = signing.amend(
            session, "inspection_run", twice.record_id, reason="补充说明", actor=ENGINEER[0]
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
    back = bundles.export_bundle(engineer, laptop / "csy.omwbundle", PASSPHRASE)
    bundles.import_bundle(store, back.path, PASSPHRASE, trust_new_signer=True)
    engineer.close()
    store.close()


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
        prepare(folder, laptop)
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
        window.close()
        store.close()
    print(f"screenshots in {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
