"""「自动检测」 in the checklist window: refused, cancelled, and a failure left to handle.

Only servers on 127.0.0.1 that the test starts are contacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.contracts.profiles import read_profile_data, validate_profile
from app.contracts.registry import install_profile
from app.probes import consent, links, service
from db.models import ProbeResult
from tests.probe_servers import LOOPBACK, site
from tests.ui.conftest import activate
from ui.context import AppContext
from ui.forms.checklist import ChecklistForm
from ui.main_window import MainWindow
from ui.operations import Operation

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]
PROFILES = Path(__file__).resolve().parents[2] / "resources" / "profiles"


def _form(qtbot: QtBot, ctx: AppContext, web: Any, tmp_path: Path, path: str) -> ChecklistForm:
    """internet-om's 运行监测检查 with every HTTP target at ``path`` and 10 links."""
    data = read_profile_data(PROFILES / "internet-om.yaml")
    for system in data["systems"]:
        for target in system["targets"]:
            if target["code"] == "home":
                target["url"] = web.url(path)
        system["targets"] = [t for t in system["targets"] if t["code"] in ("home", "tamper")]
    for checklist in data["checklists"]:
        for group in checklist["groups"]:
            for item in group["items"]:
                if item.get("probe") not in (None, "home", "links", "tamper"):
                    del item["probe"]
    csv = tmp_path / "links.csv"
    csv.write_text(
        "名称,链接\n" + "".join(f"事项{n},{web.url(f'/link/{n}')}\n" for n in range(10)),
        encoding="utf-8",
    )

    def prepare(s: Any) -> str:
        contract = install_profile(s, validate_profile(data))
        links.import_links(s, contract, links.read_links(csv), "张工")
        run = service.run_for_day(
            s, "internet-om", "monitoring-daily", ctx.today(), inspector="张工"
        )
        s.flush()
        consent.approve(ctx.store.folder, "internet-om", service.addresses_of(s, contract))
        return run.id

    run_id = ctx.call(prepare)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.open_run(run_id)
    form = window.forms[f"inspection_run:{run_id}"]
    assert isinstance(form, ChecklistForm)
    qtbot.waitExposed(form)
    qtbot.waitUntil(lambda: form.current is not None)
    return form


def test_a_failed_link_is_left_for_the_engineer(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
) -> None:
    with site() as web:
        web.broken = {4}
        form = _form(qtbot, builtin_ctx, web, tmp_path, "/ok")
        assert form.probe_button.isVisible()
        form.probe()
        qtbot.waitUntil(lambda: not form._probing)
    rows = {r.view.title: r for r in form.rows}
    dead = rows["死链检测"]
    assert dead.view.status == "abnormal" and dead.view.value_text == web.url("/link/4")
    assert dead.view.note.startswith("自动检测：检查 10 条链接，失效 1 条：事项4")
    assert rows["死链数量"].view.value_num == 1 and rows["死链数量"].view.status == "warning"
    assert rows["HTTP(s) 可用性"].measured.toolTip().count("HTTP 200") == 9
    assert form.banner.kind == "error" and "2 项异常或警告" in form.banner.text()
    activate(qtbot, form)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dead.action)  # 处理措施 next


def test_switched_off_nothing_is_contacted(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
) -> None:
    with site() as web:
        form = _form(qtbot, builtin_ctx, web, tmp_path, "/ok")
        consent.set_disabled(builtin_ctx.store.folder, True)
        form.probe()
        assert "已在设置中关闭" in form.banner.text() and web.hits == 0
    assert all(r.view.status is None for r in form.rows)


def test_a_cancelled_check_stores_nothing(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
) -> None:
    with site() as web:
        web.slow_s = 1.5
        form = _form(qtbot, builtin_ctx, web, tmp_path, "/slow")
        form.probe()
        qtbot.waitUntil(lambda: web.hits > 0)
        for operation in list(Operation._alive.values()):
            operation.cancel()
        qtbot.waitUntil(lambda: not form._probing)
        assert form.banner.text() == "自动检测已取消，未保存任何结果。"
    assert all(r.view.status is None for r in form.rows)
    stored = builtin_ctx.call(lambda s: s.scalar(select(func.count()).select_from(ProbeResult)))
    assert stored == 0
