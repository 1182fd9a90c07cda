"""``omw search`` and ``omw kb``: full-text search and the knowledge base at the terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.cli.common import Adder, CliError, actor_of, date_arg, limit_arg, print_json, table
from app.storage.atomic import os_reason

_EXPORT_FORMATS = (".docx", ".xlsx")


def _open(args: argparse.Namespace) -> Any:
    from app.storage.store import Store

    return Store.open(args.data_dir, actor=actor_of(args))


def cmd_search(args: argparse.Namespace) -> int:
    from app.records.knowledge import find
    from app.search import index
    from app.search.query import Filters

    if args.reindex:
        store = _open(args)
        try:
            with store.session() as session:
                count = index.reindex(session.connection())
        finally:
            store.close()
        # the results follow on stdout (maybe as --json): the rebuild is told apart
        print(f"已重建搜索索引：{count} 条记录。", file=sys.stderr if args.text else sys.stdout)
        if not args.text:
            return 0  # else: the search asked for, on the rebuilt index
    if not args.text:
        raise CliError("请给出要搜索的文字，或用 --reindex 重建索引。")
    filters = Filters(args.contract, args.system, args.kind, args.since, args.until)
    store = _open(args)
    try:
        with store.session() as session:
            results = find(session, " ".join(args.text), filters, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print_json(
            {
                "query": results.query,
                "total": results.total,
                "more": results.more,
                "hits": [h.as_json() for h in results.hits],
            }
        )
        return 0
    if not results.hits:
        print("没有找到。")
        return 0
    for hit in results.hits:
        mark = "（已审核）" if hit.reviewed else ""
        mark += "（已作废）" if hit.voided else ""
        print(f"[{hit.kind_label}] {hit.title.marked()}  {hit.at[:10]}{mark}  {hit.open_id[:8]}")
        if hit.snippet.text:
            print(f"    {hit.snippet.marked()}")
    shown = len(results.hits)
    if results.more:
        print(
            f"超过 {results.total} 条，显示最新记录中最相关的 {shown} 条；加上更多文字可缩小范围。"
        )
    else:
        more = f"，显示前 {shown} 条（--limit 调整）" if results.total > shown else ""
        print(f"共 {results.total} 条{more}。")
    return 0


def _print_article(row: Any) -> None:
    lines = [
        f"{row.number}  {row.title}" + ("（已作废）" if row.voided else ""),
        f"合同：{row.contract}    适用系统：{'、'.join(row.systems) or '—'}    "
        f"分类：{row.category or '—'}",
        f"标签：{'、'.join(row.tags) or '—'}    作者：{row.author}    "
        + (
            f"审核：{row.reviewer}（{row.reviewed_at:%Y-%m-%d %H:%M}）"
            if row.reviewed
            else "未审核"
        ),
    ]
    for label, value in (
        ("问题现象", row.problem),
        ("原因", row.cause),
        ("解决方法", row.solution),
        ("操作步骤", row.steps),
    ):
        if value:
            lines += [f"【{label}】", value]
    if row.attachments:
        lines.append(f"附图：{'、'.join(row.attachments)}")
    print("\n".join(lines))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"无法读取文件 {path}：{os_reason(exc)}") from None


def cmd_article_new(args: argparse.Namespace) -> int:
    from app.records import articles, attachments

    actor = actor_of(args)
    store = _open(args)
    fields = {
        name: value
        for name, value in (
            ("title", args.title),
            ("problem", args.problem),
            ("cause", args.cause),
            ("solution", args.solution),
            ("steps", args.steps),
            ("category", args.category),
            ("systems", args.system),
            ("tags", args.tag),
        )
        if value is not None
    }
    try:
        with store.session() as session:
            if args.from_record:
                kind, source = articles.find_source(session, args.from_record)
                article = articles.promote(session, kind, source, author=actor, **fields)
            else:
                if not args.contract or not args.title:
                    raise CliError(
                        "新建知识条目需要 --contract 和 --title（或用 --from-record 整理）。"
                    )
                fields.pop("title")
                article = articles.create_article(
                    session, args.contract, title=args.title, author=actor, **fields
                )
            for picture in args.attach or []:
                attachments.add_attachment(
                    session, articles.RECORD_TYPE, article.id, _read(picture), Path(picture).name
                )
            session.flush()
            row = articles.article_row(session, article.id)
    finally:
        store.close()
    if args.json:
        print_json(row.as_json())
    else:
        print(f"已新建知识条目 {row.number}（{row.id[:8]}）：{row.title}")
    return 0


def cmd_article_list(args: argparse.Namespace) -> int:
    from app.records import articles

    reviewed = True if args.reviewed else False if args.unreviewed else None
    store = _open(args)
    try:
        with store.session() as session:
            rows = articles.list_articles(
                session,
                args.contract,
                system=args.system,
                category=args.category,
                tag=args.tag,
                reviewed=reviewed,
            )
    finally:
        store.close()
    if args.json:
        print_json({"count": len(rows), "articles": [r.as_json() for r in rows]})
        return 0
    if not rows:
        print("没有知识条目。")
        return 0
    body = [
        [
            r.contract,
            r.number,
            r.title + ("（已作废）" if r.voided else ""),
            "、".join(r.systems),
            r.category,
            r.author,
            r.reviewer,
        ]
        for r in rows
    ]
    print(table(["合同", "编号", "标题", "系统", "分类", "作者", "审核人"], body))
    voided = sum(r.voided for r in rows)
    print(f"共 {len(rows)} 条" + (f"，其中 {voided} 条已作废。" if voided else "。"))
    return 0


def cmd_article_show(args: argparse.Namespace) -> int:
    from app.records import articles

    store = _open(args)
    try:
        with store.session() as session:
            row = articles.article_row(session, articles.find_article(session, args.id).id)
    finally:
        store.close()
    if args.json:
        print_json(row.as_json())
    else:
        _print_article(row)
    return 0


def cmd_article_review(args: argparse.Namespace) -> int:
    from app.cli.review import _signature_png
    from app.records import articles

    name = actor_of(args)
    store = _open(args)
    try:
        args.store_folder = str(store.folder)
        png = _signature_png(args, name)
        with store.session() as session:
            article = articles.find_article(session, args.id)
            articles.review(session, article.id, reviewer=name, png=png)
            number = article.number
    finally:
        store.close()
    print(f"已以复核人「{name}」审核知识条目 {number}（已签字锁定）。")
    return 0


def cmd_article_export(args: argparse.Namespace) -> int:
    from app.export.packs import export_form
    from app.records.knowledge import export_period

    out = Path(args.out)
    if out.suffix.lower() not in _EXPORT_FORMATS:
        raise CliError("导出文件须为 .docx（维护文档库）或 .xlsx（知识条目清单）。")
    if out.exists() and not args.force:
        raise CliError(f"文件已存在：{out}（覆盖请加 --force）。")
    store = _open(args)
    try:
        with store.session() as session:
            start, end = export_period(session, args.contract, args.since, args.until)
        result = export_form(
            store,
            "knowledge_base",
            out,
            contract=args.contract,
            start=start,
            end=end,
            exporter=actor_of(args),
        )
    finally:
        store.close()
    print(f"已导出：{result.path}（{start} 至 {end}，校验码 {result.verification_code}）")
    return 0


def cmd_common(args: argparse.Namespace) -> int:
    from app.records import knowledge

    store = _open(args)
    try:
        with store.session() as session:
            problems = knowledge.common_problems(
                session, args.contract, since=args.since, until=args.until, limit=args.limit
            )
    finally:
        store.close()
    if args.json:
        print_json({"problems": [p.as_json() for p in problems]})
        return 0
    if not problems:
        print("没有重复出现的问题。")
        return 0
    rows = [
        [
            p.count,
            p.text[:40],
            "、".join(n for n, _c in p.systems.most_common(2)),
            p.last_at.strftime("%Y-%m-%d") if p.last_at else "",
            (p.solution.splitlines() or [""])[0][:30],
            p.article.split(" ")[0],
        ]
        for p in problems
    ]
    print(table(["次数", "问题", "系统", "最近", "最近的解决方法", "知识条目"], rows))
    return 0


def register(add: Adder) -> None:
    p = add("search", cmd_search, "全文搜索：故障、服务请求、巡检异常和知识条目（中文按字/词）")
    p.add_argument("text", nargs="*", metavar="TEXT", help="要搜索的文字，如 卡纸、502 错误")
    p.add_argument("--contract", help="合同代码")
    p.add_argument("--system", help="系统代码或名称")
    p.add_argument("--kind", help="fault | request | finding | article（或 故障、服务请求…）")
    p.add_argument("--since", type=date_arg, help="起始日期 YYYY-MM-DD")
    p.add_argument("--until", type=date_arg, help="结束日期 YYYY-MM-DD（含当天）")
    p.add_argument("--limit", type=limit_arg, default=20, help="最多显示条数（默认 20）")
    p.add_argument("--reindex", action="store_true", help="由全部记录重建搜索索引")
    p.add_argument("--json", action="store_true")

    kb = add("kb", lambda _args: 0, "知识库：知识条目、常见问题、导出维护文档库")
    kb_sub = kb.add_subparsers(dest="kb_group", metavar="GROUP", required=True)
    common = kb_sub.add_parser("common", help="常见问题：按重复出现次数排列")
    common.set_defaults(func=cmd_common)
    common.add_argument("--contract")
    common.add_argument("--since", type=date_arg)
    common.add_argument("--until", type=date_arg)
    common.add_argument("--limit", type=limit_arg, default=20)
    common.add_argument("--json", action="store_true")

    art = kb_sub.add_parser("article", help="知识条目：新建、列表、查看、审核、导出")
    sub = art.add_subparsers(dest="kb_action", metavar="ACTION", required=True)
    new = sub.add_parser(
        "new", help="新建知识条目，或用 --from-record 由故障/服务请求/巡检异常整理"
    )
    new.set_defaults(func=cmd_article_new)
    new.add_argument("--contract", help="合同代码（--from-record 时取该记录的合同）")
    new.add_argument("--from-record", metavar="REF", help="故障单号、服务单号或记录编号（前 8 位）")
    new.add_argument("--title", help="标题（--from-record 时默认取原记录的标题）")
    new.add_argument("--problem", help="问题现象")
    new.add_argument("--cause", help="原因")
    new.add_argument("--solution", help="解决方法")
    new.add_argument("--steps", help="操作步骤（每行一步）")
    new.add_argument("--category", help="分类")
    new.add_argument("--system", action="append", help="适用系统（代码或名称，可多次）")
    new.add_argument("--tag", action="append", help="标签（可多次）")
    new.add_argument("--attach", action="append", metavar="IMAGE", help="附图（截图/照片，可多次）")
    new.add_argument("--json", action="store_true")

    ls = sub.add_parser("list", help="知识条目列表（最新版本）")
    ls.set_defaults(func=cmd_article_list)
    ls.add_argument("--contract")
    ls.add_argument("--system", help="系统代码或名称")
    ls.add_argument("--category", help="只看此分类")
    ls.add_argument("--tag", help="只看带此标签的")
    state = ls.add_mutually_exclusive_group()
    state.add_argument("--reviewed", action="store_true", help="只看已审核")
    state.add_argument("--unreviewed", action="store_true", help="只看未审核")
    ls.add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="查看一条知识条目")
    show.set_defaults(func=cmd_article_show)
    show.add_argument("id", metavar="REF", help="条目编号 KB-…，或记录编号（前 8 位）")
    show.add_argument("--json", action="store_true")

    rev = sub.add_parser("review", help="以复核人身份审核并签字（签字后锁定）")
    rev.set_defaults(func=cmd_article_review)
    rev.add_argument("id", metavar="REF", help="条目编号 KB-…")
    rev.add_argument("--as", dest="actor", default=argparse.SUPPRESS, help="复核人姓名")
    rev.add_argument("--image", metavar="PNG", help="签名图片；默认使用已保存的签名（需 PIN）")

    exp = sub.add_parser("export", help="导出维护文档库（.docx）或知识条目清单（.xlsx）")
    exp.set_defaults(func=cmd_article_export)
    exp.add_argument("--contract", required=True)
    exp.add_argument("--out", required=True, metavar="FILE", help="…/知识库.docx 或 .xlsx")
    exp.add_argument("--since", type=date_arg, help="常见问题的起始日期（默认：服务期开始）")
    exp.add_argument("--until", type=date_arg, help="截至日期（默认：今天，不晚于服务期结束）")
    exp.add_argument("--force", action="store_true", help="覆盖已有文件")
