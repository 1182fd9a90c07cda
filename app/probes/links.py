"""The 事项跳转超链接 list of a contract: imported from the client's Excel/CSV export.

The file has a header row naming the columns (名称/事项名称, 部门/所属部门,
链接/URL/地址, in any order; other columns are ignored). A re-import replaces
the contract's list and reports the difference (added, removed, changed URL),
keyed by department and name. A row whose URL is not a valid http(s) address
refuses the whole import: bad input changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.records.inspections import valid_url
from app.storage.atomic import os_reason
from db.models import Contract, ProbeLink

MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024
_HEADERS = {
    "name": ("名称", "事项名称", "事项", "链接名称", "name"),
    "department": ("部门", "所属部门", "单位", "department"),
    "url": ("链接", "链接地址", "url", "地址", "网址", "跳转链接", "link"),
}


@dataclass(frozen=True)
class LinkRow:
    name: str
    department: str
    url: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.department, self.name)


@dataclass
class LinkDiff:
    added: list[LinkRow] = field(default_factory=list)
    removed: list[LinkRow] = field(default_factory=list)
    changed: list[tuple[LinkRow, LinkRow]] = field(default_factory=list)
    unchanged: int = 0

    def text(self) -> str:
        return (
            f"新增 {len(self.added)} 条，删除 {len(self.removed)} 条，"
            f"地址变更 {len(self.changed)} 条，未变 {self.unchanged} 条"
        )


def _cell(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _table(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(f"文件过大（{len(data) // 1024 // 1024} MB），最多 20 MB。")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise DomainError(
                f"无法读取 Excel 文件 {path.name}（{type(exc).__name__}）。"
            ) from None
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if path.suffix.lower() != ".csv":
        raise DomainError("链接清单应为 .xlsx 或 .csv 文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(f"{path.name} 不是 UTF-8 或 GBK 编码的 CSV 文件。")
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]


def _columns(header: list[str]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    lowered = [h.lower() for h in header]
    for key, names in _HEADERS.items():
        for i, h in enumerate(lowered):
            if h in names and i not in found.values():
                found[key] = i
                break
    return found if "name" in found and "url" in found else None


def read_links(path: str | Path) -> list[LinkRow]:
    """The rows of a link-list file; refuses a file without the columns or with bad URLs."""
    path = Path(path)
    try:
        table = _table(path)
    except OSError as exc:
        raise DomainError(f"无法读取 {path.name}（{os_reason(exc)}）。") from None
    found = next(
        ((i, c) for i, c in enumerate(_columns(h) for h in table[:10]) if c is not None), None
    )
    if found is None:
        raise DomainError(f"{path.name} 的前 10 行中没有表头（需要 名称 和 链接/URL 两列）。")
    start, columns = found
    rows: list[LinkRow] = []
    bad: list[str] = []
    for number, raw in enumerate(table[start + 1 :], start=start + 2):

        def get(key: str, raw: list[str] = raw) -> str:
            i = columns.get(key)
            return raw[i] if i is not None and i < len(raw) else ""

        name, url = get("name")[:200], get("url")
        if not name and not url:
            continue
        if not valid_url(url):
            bad.append(f"第 {number} 行 “{url[:60] or '（空）'}”")
            continue
        rows.append(LinkRow(name or url[:200], get("department")[:200], url))
    if bad:
        more = f" 等 {len(bad)} 行" if len(bad) > 5 else ""
        raise DomainError(f"链接不是有效的 http(s) 地址：{'；'.join(bad[:5])}{more}。未导入。")
    if not rows:
        raise DomainError(f"{path.name} 中没有链接。")
    if len(rows) > MAX_ROWS:
        raise DomainError(f"链接过多（{len(rows)} 条），一个合同最多 {MAX_ROWS} 条。")
    return rows


def stored_links(session: Session, contract: Contract) -> list[ProbeLink]:
    return list(
        session.scalars(
            select(ProbeLink).where(ProbeLink.contract_id == contract.id).order_by(ProbeLink.seq)
        )
    )


def diff(old: list[LinkRow], new: list[LinkRow]) -> LinkDiff:
    before = {r.key: r for r in old}
    after = {r.key: r for r in new}
    result = LinkDiff()
    for key, row in after.items():
        if key not in before:
            result.added.append(row)
        elif before[key].url != row.url:
            result.changed.append((before[key], row))
        else:
            result.unchanged += 1
    result.removed = [r for k, r in before.items() if k not in after]
    return result


def import_links(
    session: Session, contract: Contract, rows: list[LinkRow], actor: str, *, apply: bool = True
) -> LinkDiff:
    """Replace the contract's list by ``rows`` (unless ``apply`` is false); the difference."""
    from app.storage.guards import note

    old = [LinkRow(r.name, r.department, r.url) for r in stored_links(session, contract)]
    change = diff(old, rows)
    if not apply:
        return change
    session.execute(delete(ProbeLink).where(ProbeLink.contract_id == contract.id))
    for seq, row in enumerate(rows, start=1):
        session.add(
            ProbeLink(
                contract_id=contract.id,
                seq=seq,
                name=row.name,
                department=row.department,
                url=row.url,
                created_by=actor,
            )
        )
    note(
        session,
        "import",
        "probe_link",
        contract.id,
        {
            "rows": len(rows),
            "added": len(change.added),
            "removed": len(change.removed),
            "changed": len(change.changed),
        },
    )
    return change
