"""``omw probe``: automatic inspection probes against a contract's own targets.

Nothing is contacted unless a command here is run: ``targets`` lists the
addresses; ``run`` checks them (and fills a checklist with ``--checklist``);
``links`` imports and checks the 事项跳转超链接 list; ``baseline`` records a
tamper baseline; ``enable``/``disable`` is this laptop's switch. Before the
first run of a contract (and after its addresses change) the addresses are
shown and must be approved (``--yes``, or 「y」 at the prompt).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import Adder, CliError, actor_of, date_arg, print_json, table


def _open(args: argparse.Namespace) -> Any:
    from app.storage.store import Store

    return Store.open(args.data_dir, actor=actor_of(args))


def _address_rows(found: list[Any], limit: int = 50) -> list[list[str]]:
    rows = [[a.system, a.target, a.kind, a.address] for a in found[:limit]]
    if len(found) > limit:
        rows.append(
            ["…", "", "", f"另有 {len(found) - limit} 个地址（omw probe targets 查看全部）"]
        )
    return rows


def _consent(args: argparse.Namespace, folder: Path, plan: Any, profile: Any) -> None:
    """Refuse when probes are off; show the addresses and ask before a contract's first run."""
    from app.probes import consent

    consent.ensure_allowed(folder, profile)
    if consent.approved(folder, plan.contract_code, plan.addresses):
        return
    print(f"合同「{plan.contract_name}」的自动检测将访问以下地址（首次或地址有变化时需确认）：")
    print(table(["系统", "目标", "类型", "地址"], _address_rows(plan.addresses)))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("尚未确认这些地址。确认可以访问后，请加 --yes 重新运行。")
        answer = input("确认可以访问以上地址？[y/N] ").strip().lower()
        if answer not in ("y", "yes", "是"):
            raise CliError("未确认，没有访问任何地址。")
    consent.approve(folder, plan.contract_code, plan.addresses)


class _Ticker:
    """Progress on stderr for a terminal, at most twice a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, text: str) -> None:
        now = time.monotonic()
        if self.tty and (now - self.last > 0.5 or done == total):
            self.last = now
            end = "\n" if done == total else ""
            print(f"\r已检测 {done}/{total}  {text[:40]}", end=end, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, make_plan: Any) -> int:
    from app.contracts.registry import profile_of
    from app.probes import service
    from db.models import Contract

    store = _open(args)
    try:
        with store.session() as session:
            plan = make_plan(session)
            profile = profile_of(session.get(Contract, plan.contract_id))
        _consent(args, store.folder, plan, profile)
        started = time.perf_counter()
        done = service.execute(plan, progress=_Ticker())
        seconds = time.perf_counter() - started
        with store.session() as session:
            report = service.apply(session, plan, done, actor=actor_of(args))
    finally:
        store.close()
    _print_report(args, plan, done, report, seconds)
    return 0


def _print_report(
    args: argparse.Namespace, plan: Any, done: dict, report: Any, seconds: float
) -> None:
    targets = [d for d in done.values() if not d.job.link]
    if args.json:
        print_json(
            {
                "batch": report.batch_id,
                "seconds": round(seconds, 2),
                "filled": report.filled,
                "abnormal": report.abnormal,
                "skipped": report.skipped,
                "links_checked": report.links_checked,
                "links_broken": report.links_broken,
                "targets": [
                    {
                        "target": d.job.label,
                        "address": d.job.target.address,
                        "outcome": d.measurement.outcome,
                        "summary": d.measurement.summary,
                        "status_code": d.measurement.status_code,
                        "elapsed_ms": d.measurement.elapsed_ms,
                        "addresses": d.measurement.addresses,
                        "cert_expiry": d.measurement.cert_expiry,
                        "content_hash": d.measurement.content_hash,
                    }
                    for d in targets
                ],
            }
        )
        return
    from app.records.inspections import STATUS_LABELS

    if targets:
        rows = [
            [d.job.label, STATUS_LABELS[d.measurement.outcome], d.measurement.summary]
            for d in targets
        ]
        print(table(["目标", "结果", "测量"], rows))
    if report.links_checked:
        print(f"链接：检查 {report.links_checked} 条，失效 {report.links_broken} 条。")
    if plan.run_id:
        print(f"已填写 {report.filled} 个检查项。")
        for line in report.abnormal:
            print(f"  异常/警告：{line}")
        for line in report.skipped:
            print(f"  未填写：{line}")
    print(f"用时 {seconds:.1f} 秒；结果已保存（批次 {report.batch_id[:8]}）。")


def cmd_run(args: argparse.Namespace) -> int:
    from app.probes import service

    if args.date is not None and not args.checklist:
        raise CliError("--date 是所填检查表记录的巡检日期，只与 --checklist 一起使用。")

    def make_plan(session: Any) -> Any:
        if args.checklist:
            run = service.run_for_day(
                session,
                args.contract,
                args.checklist,
                args.date or date.today(),
                system_code=args.system,
                inspector=actor_of(args),
            )
            session.flush()
            return service.plan_run(session, run.id)
        return service.plan_contract(session, args.contract, system_code=args.system)

    return _run(args, make_plan)


def cmd_baseline(args: argparse.Namespace) -> int:
    from app.probes import service

    def make_plan(session: Any) -> Any:
        plan = service.plan_contract(
            session,
            args.contract,
            system_code=args.system,
            target_code=args.target,
            rebaseline=True,
        )
        tamper = [j for j in plan.jobs if j.target.kind == "tamper"]
        if not tamper:
            raise CliError("没有符合条件的网页篡改检测（tamper）目标。")
        return plan

    return _run(args, make_plan)


def cmd_links_check(args: argparse.Namespace) -> int:
    from app.probes import service

    return _run(args, lambda s: service.plan_contract(s, args.contract, only_links=True))


def cmd_links_import(args: argparse.Namespace) -> int:
    from app.contracts.registry import get_contract
    from app.probes import links

    rows = links.read_links(args.file)
    store = _open(args)
    try:
        with store.session() as session:
            contract = get_contract(session, args.contract)
            change = links.import_links(
                session, contract, rows, actor_of(args), apply=not args.dry_run
            )
    finally:
        store.close()
    verb = "将" if args.dry_run else "已"
    print(f"{verb}导入 {len(rows)} 条链接：{change.text()}。")
    for row in change.added[:20]:
        print(f"  + {row.department} {row.name}  {row.url}")
    for row in change.removed[:20]:
        print(f"  - {row.department} {row.name}  {row.url}")
    for old, new in change.changed[:20]:
        print(f"  * {new.department} {new.name}  {old.url} → {new.url}")
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    from app.contracts.registry import get_contract, profile_of
    from app.probes import consent, service

    store = _open(args)
    try:
        with store.session() as session:
            contract = get_contract(session, args.contract)
            found = service.addresses_of(session, contract)
            profile = profile_of(contract)
        folder = store.folder
    finally:
        store.close()
    ok = consent.approved(folder, profile.code, found)
    state = {
        "disabled": consent.disabled(folder),
        "allowed_by_profile": profile.probes.allowed,
        "approved": ok,
    }
    if args.json:
        print_json(state | {"addresses": [a.__dict__ for a in found]})
        return 0
    print(table(["系统", "目标", "类型", "地址"], _address_rows(found, limit=10_000)))
    print(
        f"本机设置：{'已关闭' if state['disabled'] else '已开启'}；合同档案："
        f"{'允许' if profile.probes.allowed else '禁止'}自动检测；地址："
        f"{'已确认' if ok else '尚未确认（首次检测时确认）'}。"
    )
    return 0


def _switch(args: argparse.Namespace, disabled: bool) -> int:
    from app.probes import consent
    from app.storage import paths

    consent.set_disabled(paths.data_dir(args.data_dir), disabled)
    print("已关闭本机的自动检测。" if disabled else "已开启本机的自动检测。")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    return _switch(args, False)


def cmd_disable(args: argparse.Namespace) -> int:
    return _switch(args, True)


def register(add: Adder) -> None:
    p = add(
        "probe",
        lambda _args: 0,
        "自动检测：可用性、DNS 劫持、网页篡改、死链（只访问合同档案中的地址）",
    )
    sub = p.add_subparsers(dest="probe_action", metavar="ACTION", required=True)

    def contract_args(q: argparse.ArgumentParser) -> None:
        q.add_argument("--contract", required=True, help="合同代码")
        q.add_argument("--yes", action="store_true", help="确认访问列出的地址（首次检测时需要）")
        q.add_argument("--json", action="store_true")

    run = sub.add_parser("run", help="检测合同的目标；--checklist 时填写该检查表")
    run.set_defaults(func=cmd_run)
    contract_args(run)
    run.add_argument("--checklist", help="检查表代码：填写该检查表当期的记录（没有则新建）")
    run.add_argument("--system", help="系统代码")
    run.add_argument(
        "--date", type=date_arg, help="--checklist 记录的巡检日期 YYYY-MM-DD（默认今天）"
    )

    base = sub.add_parser("baseline", help="记录网页篡改检测的基线（当前页面即为正常）")
    base.set_defaults(func=cmd_baseline)
    contract_args(base)
    base.add_argument("--system", help="系统代码")
    base.add_argument("--target", help="目标代码")

    targets = sub.add_parser("targets", help="列出合同的全部检测地址及开关状态")
    targets.set_defaults(func=cmd_targets)
    targets.add_argument("--contract", required=True, help="合同代码")
    targets.add_argument("--json", action="store_true")

    links = sub.add_parser("links", help="事项跳转超链接清单：导入、检查")
    links_sub = links.add_subparsers(dest="links_action", metavar="ACTION", required=True)
    imp = links_sub.add_parser("import", help="由甲方导出的 Excel/CSV 导入（再次导入时显示差异）")
    imp.set_defaults(func=cmd_links_import)
    imp.add_argument("file", help=".xlsx 或 .csv（列：名称、部门、链接）")
    imp.add_argument("--contract", required=True, help="合同代码")
    imp.add_argument("--dry-run", action="store_true", help="只显示差异，不导入")
    check = links_sub.add_parser("check", help="检查全部链接，列出死链")
    check.set_defaults(func=cmd_links_check)
    contract_args(check)

    on = sub.add_parser("enable", help="开启本机的自动检测")
    on.set_defaults(func=cmd_enable)
    off = sub.add_parser("disable", help="关闭本机的自动检测（任何检测都不再运行）")
    off.set_defaults(func=cmd_disable)
