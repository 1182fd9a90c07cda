"""``omw due``, ``omw deadlines``, ``omw submit``, ``omw holidays`` and ``omw calendar``: what is
due when, and what was handed in."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from app.cli.common import Adder, CliError, actor_of, date_arg, print_json, table

if TYPE_CHECKING:
    from app.schedule.rows import ScheduleSource

T = TypeVar("T")

_STATE_ZH = {
    "due": "待办",
    "in_progress": "进行中",
    "exported": "已导出，待提交",
    "done": "已完成",
    "overdue": "已逾期",
    "before_start": "启用前",
}


_KIND_ZH = {"checklist": "巡检", "holiday_check": "节假日检查", "deliverable": "交付物"}


def _answer(args: argparse.Namespace, compute: Callable[[ScheduleSource], T]) -> T:
    """``compute`` over the store, read-only, without the single-writer lock.

    A plain store file at the schema head is read with ``sqlite3`` alone, so that
    ``omw due`` and ``omw deadlines`` answer without importing SQLAlchemy (issue 13);
    anything else (a hub, an encrypted, missing or older store: see
    :mod:`app.storage.readonly`) is opened by ``Store.open`` and read through the ORM.
    So is a store whose reading fails (busy past the timeout, damaged…) and a value
    ``sqlite3`` cannot bind (a lone surrogate in ``--contract``, from a name the
    terminal could not decode): the usual path then answers, or says why in Chinese.
    """
    import sqlite3

    from app.storage import readonly

    actor = actor_of(args)  # an unusable --as is refused on either path, as before
    conn = readonly.connect(args.data_dir)
    if conn is not None:
        from app.schedule.sqlite_source import SqliteSource

        try:
            return compute(SqliteSource(conn))
        except (sqlite3.DatabaseError, UnicodeEncodeError):
            pass
        finally:
            conn.close()
    from app.schedule.orm_source import OrmSource
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor, exclusive=False)
    try:
        with store.session() as session:
            return compute(OrmSource(session))
    finally:
        store.close()


def cmd_due(args: argparse.Namespace) -> int:
    from app.schedule.due import due_from

    data = _answer(args, lambda source: due_from(source, args.contract, args.date).as_json())
    if args.json:
        print_json(data)
        return 0
    title = f"{data['contract']} {data['date']} 应办事项"
    if data["holiday"]:
        title += f"（节假日保障：{data['holiday']}）"
    print(title)
    if data["assumed_calendar"]:
        print("注意：该年度法定节假日安排未知，按周一至周五及用户录入的节假日推算。")
    if data["begins"]:
        print(f"本合同在本应用中自 {data['begins']} 启用（启用日期），此前到期的事项不列出。")
    if not data["items"]:
        print("今日无应办事项（不在合同服务期内或无到期事项）。")
        return 0
    print(
        table(
            ["状态", "类别", "名称", "系统", "周期", "截止"],
            [
                [
                    _STATE_ZH[i["state"]],
                    _KIND_ZH[i["kind"]],
                    i["name"],
                    i["system_name"] or "",
                    i["period_label"],
                    i["deadline"] + ("*" if i["assumed"] else ""),
                ]
                for i in data["items"]
            ],
        )
    )
    return 0


def _deadline_state(d: dict[str, Any]) -> str:
    """A deadline's state as the acceptance report words it: a late hand-in, or one
    registered afterwards on its due date (``omw submit --on-due-date``), says so."""
    from app.schedule.deadlines import hand_in_mark

    state = _STATE_ZH[d["state"]]
    handed = d["submitted"]
    mark = hand_in_mark(handed["state"], handed["note"], handed["on_time"]) if handed else ""
    return f"{state}（{mark}）" if mark else state


def cmd_deadlines(args: argparse.Namespace) -> int:
    from app.schedule.deadlines import deadlines_json_from

    if args.date_from and args.date_to and args.date_to < args.date_from:
        raise CliError(f"结束日期 {args.date_to} 早于开始日期 {args.date_from}。")
    data = _answer(
        args,
        lambda source: deadlines_json_from(
            source, args.contract, args.date_from, args.date_to, args.today
        ),
    )
    if args.json:
        print_json(data)
        return 0
    print(f"{data['contract']} 交付物截止日期（{data['from']} 至 {data['to']}）")
    print(
        table(
            ["截止日期", "交付物", "期间", "规则", "状态"],
            [
                [
                    d["due_date"] + ("*" if d["assumed"] else ""),
                    d["name"],
                    d["period_label"],
                    d["rule"],
                    _deadline_state(d),
                ]
                for d in data["deadlines"]
            ],
        )
    )
    if any(d["assumed"] for d in data["deadlines"]):
        print("* 该年度法定节假日安排未知，日期按周一至周五及用户录入的节假日推算，请核对。")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    """登记已提交: one occurrence, or every overdue one (a contract taken up mid-way)."""
    from app.contracts.registry import get_contract
    from app.schedule.deadlines import deadlines, mark_all_submitted
    from app.storage.store import Store

    if args.overdue == bool(args.deliverable or args.period):
        raise CliError("请给出 --deliverable 和 --period（一项），或 --overdue（全部已逾期的）。")
    if not args.overdue and not (args.deliverable and args.period):
        raise CliError("--deliverable 和 --period 须一起给出（期间代码见 omw deadlines --json）。")
    now = datetime.now()
    today = args.today or now.date()
    if args.date is not None and args.date > today:
        raise CliError(f"提交日期 {args.date} 晚于今天（{today}）。")
    at = None if args.on_due_date else datetime.combine(args.date or today, now.time())
    store = Store.open(args.data_dir, actor=actor_of(args))
    try:
        with store.session() as session:
            contract = get_contract(session, args.contract)
            found = deadlines(session, contract, today=today)
            if args.overdue:
                # due before the 启用日期 too: handed in outside the app, registered now
                items = [d for d in found if d.state in ("overdue", "before_start")]
            else:
                items = [
                    d for d in found if (d.code, d.period_key) == (args.deliverable, args.period)
                ]
                if not items:
                    raise CliError(
                        f"合同 {args.contract} 没有交付物 {args.deliverable} 的期间 {args.period}"
                        "（omw deadlines --json 列出各项的 code 和 period_key）。"
                    )
                if items[0].state == "done":
                    raise CliError(f"{items[0].name}（{items[0].period_label}）已登记提交。")
            count = mark_all_submitted(session, contract, items, at)
            rows = [
                {"code": d.code, "name": d.name, "period_key": d.period_key,
                 "period_label": d.period_label, "due_date": d.due_date.isoformat()}
                for d in items
            ]  # fmt: skip
    finally:
        store.close()
    when = "各按其截止日期" if at is None else f"{at:%Y-%m-%d}"
    if args.json:
        print_json({"contract": args.contract, "submitted": rows, "on": when})
        return 0
    if not rows:
        print("没有已逾期的交付物，未登记任何一项。")
        return 0
    print(f"已登记提交 {count} 项交付物（提交日期：{when}）。")
    print(
        table(
            ["截止日期", "交付物", "期间"],
            [[r["due_date"], r["name"], r["period_label"]] for r in rows],
        )
    )
    return 0


def cmd_holidays(args: argparse.Namespace) -> int:
    from app.contracts.registry import get_contract
    from app.schedule import holidays
    from app.storage.store import Store

    period = None
    if args.note and not args.add:
        raise CliError("--note 是新添加保障期的备注，只与 --add 一起使用。")
    if args.add:  # its dates are checked before the store is opened, as argparse checks others
        name, start, end = args.add
        try:
            period = (name, date_arg(start), date_arg(end))
        except argparse.ArgumentTypeError as exc:
            raise CliError(f"--add：{exc}") from None
    store = Store.open(args.data_dir, actor=actor_of(args))
    with store.session() as session:
        contract = get_contract(session, args.contract)
        if period is not None:
            holidays.add_event(session, contract, *period, args.note)
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "start": p.start_date.isoformat(),
                "end": p.end_date.isoformat(),
            }
            for p in holidays.list_periods(session, contract)
        ]
    store.close()
    if args.json:
        print_json({"contract": args.contract, "holidays": rows})
        return 0
    kinds = {"statutory": "法定", "event": "约定"}
    print(
        table(
            ["名称", "类型", "开始", "结束"],
            [[r["name"], kinds.get(r["kind"], r["kind"]), r["start"], r["end"]] for r in rows],
        )
    )
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from app.schedule.holidays import sync_all_holidays
    from app.schedule.workcal import set_override
    from app.storage.store import Store

    store = Store.open(args.data_dir, actor=actor_of(args))
    with store.session() as session:
        row = set_override(session, args.day, workday=args.kind == "workday", name=args.name)
        name = row.name  # as stored: control characters stripped
        sync_all_holidays(session)  # holiday periods follow the changed calendar
    store.close()
    label = "工作日" if args.kind == "workday" else "休息日"
    print(f"已将 {args.day.isoformat()} 设为{label}{('：' + name) if name else ''}")
    return 0


def register(add: Adder) -> None:
    p = add("due", cmd_due, "某日应办事项（巡检、节假日检查、交付物）及其状态")
    p.add_argument("--contract", required=True)
    p.add_argument("--date", type=date_arg, default=date.today())
    p.add_argument("--json", action="store_true")

    p = add("deadlines", cmd_deadlines, "交付物的每次截止日期")
    p.add_argument("--contract", required=True)
    p.add_argument("--from", dest="date_from", type=date_arg)
    p.add_argument("--to", dest="date_to", type=date_arg)
    p.add_argument("--today", type=date_arg, default=date.today(), help="判断逾期所用的日期")
    p.add_argument("--json", action="store_true")

    p = add("submit", cmd_submit, "登记交付物已提交：一项，或全部已逾期的（在本应用之外已提交）")
    p.add_argument("--contract", required=True)
    p.add_argument("--deliverable", help="交付物代码（omw deadlines --json 的 code）")
    p.add_argument("--period", help="期间代码（omw deadlines --json 的 period_key）")
    p.add_argument(
        "--overdue", action="store_true", help="全部已逾期的交付物（及启用日期前未登记的）"
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument("--date", type=date_arg, help="提交日期 YYYY-MM-DD（默认今天）")
    when.add_argument(
        "--on-due-date",
        action="store_true",
        help="各按其截止日期登记（在本应用之外已按时提交；记录中注明）",
    )
    p.add_argument("--today", type=date_arg, help="判断逾期所用的日期（默认今天）")
    p.add_argument("--json", action="store_true")

    p = add("holidays", cmd_holidays, "列出或添加节假日/重大活动保障期")
    p.add_argument("--contract", required=True)
    p.add_argument("--add", nargs=3, metavar=("NAME", "START", "END"), help="添加约定保障期")
    p.add_argument("--note", default="", help="保障期备注（--add 时）")
    p.add_argument("--json", action="store_true")

    p = add("calendar", cmd_calendar, "设定某日为工作日或休息日（用于日历库未收录的年份）")
    p.add_argument("day", type=date_arg, help="日期 YYYY-MM-DD")
    p.add_argument("kind", choices=["workday", "holiday"], help="workday：工作日；holiday：休息日")
    p.add_argument("--name", default="", help="名称，如“调休上班”")
