"""Client templates are bounded as a whole and rendered in a child process with limits.

Every bomb of the corpus (tests/template_bombs.py) is refused in Chinese,
within seconds, by a child whose peak memory stays under 300 MB; attaching one
stores nothing, exporting through one (attached before these limits existed)
writes nothing; a normal client template renders the same in the child as in
this process; the child's operating-system limits and the wall clock act.
"""

# ruff: noqa: F811 - the shared fixtures are imported by name
from __future__ import annotations

import ast
import io
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.contracts.registry import get_contract
from app.export import budget, client_templates, fields, isolation, packs
from app.export import build as b
from app.export.budget import LimitExceeded
from app.export.data import ExportData
from app.export.docx_render import WordTemplate
from app.export.errors import TemplateError
from app.export.isolation import IsolatedRenderer
from app.export.render import Renderer
from app.export.sandbox import excel_env, to_template, word_env
from app.export.template_files import builtin_bytes
from app.export.xlsx_render import ExcelTemplate
from app.records.attachments import store_blob
from db.models import Blob, ExportTemplate
from tests.template_bombs import (
    BOMBS,
    STEPS,
    Bomb,
    bomb_file,
    probe_cpu,
    probe_memory,
    word_file,
)
from tests.test_export_engines import NOW, OCT
from tests.test_export_fixtures import MONTH, demo_dir, demo_store  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux")
#: "Refused within seconds": the child's start (~0.4 s) included, on a loaded machine.
REFUSE_SECONDS = 10.0
#: The peak resident memory a bomb may cost the child.
PEAK_BYTES = 300 * 1024 * 1024
SAMPLE = to_template(fields.sample("monthly_report"))
#: ~1.9 million steps, under every limit, and a second or more of work.
SLOW_BUT_LEGAL = (
    "{% for i in range(100000) %}{% for j in range(9) %}{{ j }}{% endfor %}{% endfor %}"
)


def _refused(bomb: Bomb) -> tuple[str, float, isolation.RenderStats]:
    renderer = IsolatedRenderer()
    started = time.monotonic()
    try:
        with pytest.raises(TemplateError) as err:
            renderer.render(bomb.fmt, bomb_file(bomb), f"模板“{bomb.name}”", SAMPLE)
    finally:
        seconds = time.monotonic() - started
        renderer.close()
    assert renderer.last is not None
    return err.value.message, seconds, renderer.last


@pytest.mark.parametrize("bomb", BOMBS, ids=lambda bomb: bomb.name)
def test_every_bomb_is_refused_within_seconds_in_a_small_child(bomb: Bomb) -> None:
    message, seconds, stats = _refused(bomb)
    assert message.startswith(f"模板“{bomb.name}”超出渲染限制："), message
    assert bomb.refusal in message and "未写入任何文件" in message, message
    assert seconds < REFUSE_SECONDS, f"{bomb.name}: refused after {seconds:.1f} s"
    if LINUX:  # measured from the child's /proc/self/status (VmHWM)
        assert stats.peak_rss is not None and stats.limit_as is not None, stats
        peak = stats.peak_rss / 2**20
        assert stats.peak_rss < PEAK_BYTES, f"{bomb.name}: the child peaked at {peak:.0f} MB"


def test_the_corpus_covers_every_limit() -> None:
    reasons = {bomb.refusal for bomb in BOMBS}
    limits = {"执行步数", "生成的内容", "单元格", "整数", "宽度", "嵌套", "单个值", "重复"}
    assert limits <= reasons
    assert {bomb.fmt for bomb in BOMBS} == {"docx", "xlsx"}


# --------------------------------------------------------------------------- attach, export


@pytest.mark.parametrize(
    "name", ["power-tower", "power-tower-in-a-dead-branch", "nested-loops", "excel-power-tower"]
)
def test_attaching_a_bomb_is_refused_and_stores_nothing(demo_store, name: str) -> None:
    bomb = next(b for b in BOMBS if b.name == name)
    with demo_store.session() as s:
        blobs = s.scalar(select(func.count()).select_from(Blob))
    started = time.monotonic()
    with pytest.raises(TemplateError) as err, demo_store.session() as s:
        client_templates.attach(
            s, "portal-om", "monthly-report", bomb_file(bomb), f"bomb.{bomb.fmt}"
        )
    assert time.monotonic() - started < REFUSE_SECONDS
    assert err.value.message.startswith(f"模板“bomb.{bomb.fmt}”超出渲染限制：")
    assert bomb.refusal in err.value.message
    with demo_store.session() as s:
        assert s.scalar(select(func.count()).select_from(ExportTemplate)) == 0
        assert s.scalar(select(func.count()).select_from(Blob)) == blobs


def _attach_unchecked(store, data: bytes, fmt: str = "docx") -> None:
    """A client template stored without the checks (as one attached before them was)."""
    with store.session() as s:
        contract = get_contract(s, "portal-om")
        s.add(
            ExportTemplate(
                contract_id=contract.id,
                deliverable_code="monthly-report",
                form="monthly_report",
                fmt=fmt,
                filename=f"旧模板.{fmt}",
                blob_sha256=store_blob(s, data),
                size=len(data),
                note="",
            )
        )


@pytest.mark.parametrize("name", ["nested-loops-at-run-time", "huge-table"])
def test_exporting_through_a_bomb_is_refused_and_writes_nothing(
    demo_store, tmp_path: Path, name: str
) -> None:
    bomb = next(b for b in BOMBS if b.name == name)
    _attach_unchecked(demo_store, bomb_file(bomb))
    with demo_store.session() as s:
        plan = packs.plan_month(s, "portal-om", MONTH)
    started = time.monotonic()
    with pytest.raises(TemplateError) as err:
        packs.export_pack(
            demo_store, plan, tmp_path / "out", record=False, now=NOW, allow_unreviewed=True
        )
    assert time.monotonic() - started < 60  # the whole pack, the bomb refused within seconds
    assert err.value.message.startswith("客户模板“旧模板.docx”超出渲染限制：")
    assert bomb.refusal in err.value.message
    assert list((tmp_path / "out").iterdir()) == []


# --------------------------------------------------------------------------- normal templates


def _contexts(store, kinds: tuple[str, ...]) -> list[tuple[str, object, dict]]:
    with store.session() as s:
        data = ExportData(s, get_contract(s, "portal-om"))
        built = [(k, b.build(data, b.Job(kind=k, period=OCT, now=NOW))) for k in kinds]
    return [(kind, ctx, to_template(ctx)) for kind, ctx in built]


def _cells(body: bytes) -> list[list[list[object]]]:
    wb = load_workbook(io.BytesIO(body))
    return [[[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets]


@pytest.mark.slow
def test_a_normal_client_template_renders_the_same_in_the_child(demo_store) -> None:
    """The built-in templates, used as a client's: the child's output equals this process's."""
    kinds = ("monthly_report", "daily_inspection_log", "inspection_record", "phone_log")
    renderer = IsolatedRenderer()
    pids = set()
    try:
        for kind, ctx, plain in _contexts(demo_store, kinds):
            where = f"客户模板“{kind}”"
            word = builtin_bytes(kind, "docx")
            here = WordTemplate(word, word_env(), where).render(ctx, plain)
            assert renderer.render("docx", word, where, plain) == here, kind
            pids.add(renderer.last.pid)
            excel = builtin_bytes(kind, "xlsx")
            if excel is not None:
                here = ExcelTemplate(excel, excel_env(), where).render(ctx, plain)
                child = renderer.render("xlsx", excel, where, plain)
                assert _cells(child) == _cells(here), kind
    finally:
        renderer.close()
    assert len(pids) == 1  # one child served the whole run


def test_built_in_templates_render_in_this_process(demo_store) -> None:
    ((_kind, ctx, _plain),) = _contexts(demo_store, ("monthly_report",))
    with demo_store.session() as s, Renderer(s, get_contract(s, "portal-om")) as renderer:
        assert renderer.render(ctx, "docx").startswith(b"PK")
        assert renderer.isolated.last is None  # no child was started


# --------------------------------------------------------------------------- the child's limits


def test_a_stuck_render_is_killed_at_the_wall_clock(monkeypatch) -> None:
    monkeypatch.setattr(isolation, "RENDER_SECONDS", 0.3)
    renderer = IsolatedRenderer()
    try:
        started = time.monotonic()
        with pytest.raises(TemplateError) as err:
            renderer.render("docx", word_file(SLOW_BUT_LEGAL), "模板“慢”", SAMPLE)
        assert "渲染超过 0.3 秒仍未完成，已终止" in err.value.message
        assert time.monotonic() - started < REFUSE_SECONDS
        killed = renderer.last.pid
        assert killed is not None and not _alive(killed)
        monkeypatch.setattr(isolation, "RENDER_SECONDS", 60.0)
        body = renderer.render("docx", word_file("{{ contract.name }}"), "模板“正常”", SAMPLE)
        assert body.startswith(b"PK") and renderer.last.pid != killed  # a new child
    finally:
        renderer.close()


@pytest.mark.slow
def test_slow_but_legal_templates_finish() -> None:
    body = isolation.render_isolated("docx", word_file(SLOW_BUT_LEGAL), "模板“慢”", SAMPLE)
    assert body.startswith(b"PK")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rpartition(")")[2].split()[1])


@pytest.mark.skipif(not LINUX, reason="the fork server is used on Linux")
def test_children_are_forked_from_a_server_that_imported_the_renderers() -> None:
    """Not from this process (which may run Qt or hold the store), nor a fresh interpreter each."""
    bomb = next(bomb for bomb in BOMBS if bomb.name == "power-tower")
    renderer = IsolatedRenderer()
    try:
        children = []
        for _ in range(2):  # a refusal ends its child: the next render has a new one
            with pytest.raises(TemplateError):
                renderer.render(bomb.fmt, bomb_file(bomb), "模板", SAMPLE)
            children.append(renderer.last.pid)
        renderer.render("docx", word_file("{{ contract.name }}"), "模板“正常”", SAMPLE)
        child = renderer.last.pid
        server = _parent_of(child)
        with open(f"/proc/{server}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    finally:
        renderer.close()
    assert len({*children, child}) == 3 and server != os.getpid()
    assert b"from multiprocessing.forkserver import main" in command
    assert all(module.encode() in command for module in isolation.PRELOAD)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
def test_a_child_that_dies_is_reported_and_replaced() -> None:
    renderer = IsolatedRenderer()
    try:
        renderer.render("docx", word_file("{{ contract.name }}"), "模板“正常”", SAMPLE)
        pid = renderer.last.pid
        errors: list[TemplateError] = []

        def slow() -> None:
            try:
                renderer.render("docx", word_file(SLOW_BUT_LEGAL), "模板“慢”", SAMPLE)
            except TemplateError as exc:
                errors.append(exc)

        worker = threading.Thread(target=slow)
        worker.start()
        time.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        worker.join(30)
        assert errors and "渲染子进程意外退出" in errors[0].message
        body = renderer.render("docx", word_file("{{ contract.name }}"), "模板“正常”", SAMPLE)
        assert body.startswith(b"PK") and renderer.last.pid != pid
    finally:
        renderer.close()


def test_the_budget_deadline_refuses_a_render_that_takes_too_long() -> None:
    template = word_env().from_string(SLOW_BUT_LEGAL)
    started = time.monotonic()
    with pytest.raises(LimitExceeded) as err, budget.limited(seconds=0.05):
        template.render()
    assert "渲染时间超过" in err.value.what
    assert time.monotonic() - started < 1.0
    with budget.limited(seconds=0.05):  # charged per render: a new one starts afresh
        assert word_env().from_string("{{ 1 }}").render() == "1"


def test_the_budget_counts_across_parts_not_per_loop() -> None:
    env = word_env()
    half = env.from_string(
        "{% for i in range(100000) %}{% for j in range(5) %}{% endfor %}{% endfor %}"
    )
    with budget.limited() as spent:
        half.render()  # ~1.1 million steps: fine once
        with pytest.raises(LimitExceeded) as err:
            half.render()  # the same again in the same document: over
    assert STEPS in err.value.what and spent is not None and spent.steps > budget.MAX_STEPS


@pytest.mark.skipif(not LINUX, reason="RLIMIT_AS is enforced on Linux only")
def test_the_child_address_space_is_limited() -> None:
    context = isolation.child_context()  # as render children start
    receive, send = context.Pipe(duplex=False)
    headroom = isolation.MEMORY_HEADROOM
    process = context.Process(
        target=probe_memory, args=(send, headroom, 200 * 2**20, headroom + 100 * 2**20)
    )
    process.start()
    send.close()
    try:
        assert receive.poll(60)
        small_ok, large_refused, peak = receive.recv()
    finally:
        process.join(30)
    assert small_ok and large_refused
    # the peak the bomb tests read is real: 200 MB touched shows as 200 MB
    assert 200 * 2**20 <= peak < PEAK_BYTES + 60 * 2**20


@pytest.mark.skipif(not hasattr(signal, "SIGXCPU"), reason="RLIMIT_CPU is POSIX")
def test_the_child_cpu_time_is_limited() -> None:
    context = isolation.child_context()  # as render children start
    process = context.Process(target=probe_cpu, args=(1,))
    started = time.monotonic()
    process.start()
    process.join(30)
    assert process.exitcode == -signal.SIGXCPU
    assert time.monotonic() - started < 15
    assert "CPU 时间超过" in isolation._death(process.exitcode)


def test_the_frozen_entry_point_starts_render_children_first() -> None:
    """The frozen programs re-run app/__main__.py as the child: freeze_support() must come first."""
    tree = ast.parse((ROOT / "app" / "__main__.py").read_text("utf-8"))
    calls = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "freeze_support"
    ]
    app_imports = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and (n.module or "").startswith(("app", "ui", "db"))
    ]
    assert calls and app_imports and max(calls) < min(app_imports)
