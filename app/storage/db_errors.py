"""What the database refused, said in Chinese: the one place its English errors are translated.

:meth:`app.storage.store.Store.session` rolls the transaction back on any error
and passes the error to :func:`translate`; what it returns is raised instead
(chained to the original, which a log or a developer still sees), so the window
and ``omw`` show a Chinese sentence and never SQLAlchemy's
``IntegrityError: (sqlite3.IntegrityError) UNIQUE constraint failed: …``.

- **Refusals** (:class:`app.errors.RefusedError`, a :class:`~app.errors.DomainError`):
  UNIQUE, NOT NULL, FOREIGN KEY and CHECK constraints, and the store's own
  protection triggers (``RAISE(ABORT, 'signatures are immutable')`` …). A change
  of a signed record is a :class:`~app.errors.LockedError` with the same message the
  ORM guard gives, whichever of the two noticed it first.
- **Failures** (:class:`app.errors.StoreFailure`): the database is busy (another
  process holds the write lock), the disk is full, the file is read-only,
  damaged, or could not be read.
- **Invalid text**: a lone surrogate (half of a UTF-16 pair, left by a broken
  paste) that reached the driver — a :class:`~app.errors.DomainError`. Text input
  is checked before that (:mod:`app.storage.text_rules`); this is the safety net
  for any entry point that was missed.

Anything else (a programming error) is not translated: it keeps its traceback.
SQLite's and PostgreSQL's wordings are both recognised.
"""

from __future__ import annotations

import re

from sqlalchemy import exc as sa_exc

from app.errors import (
    DomainError,
    LockedError,
    RefusedError,
    StoreDamaged,
    StoreError,
    StoreFailure,
)
from app.storage.guards import _LOCKED_MESSAGE
from db.engine import driver_errors

__all__ = ["NOTHING_SAVED", "TABLE_LABELS", "translate"]

NOTHING_SAVED = "本次操作未保存任何内容。"

#: Chinese names of the store's tables, for messages that name one.
TABLE_LABELS = {
    "contract": "合同",
    "system": "系统",
    "staff_member": "人员",
    "checklist_template": "检查表",
    "checklist_item": "检查项",
    "calendar_override": "工作日历调整",
    "holiday_period": "节假日保障期",
    "inspection_run": "巡检记录",
    "item_result": "检查项结果",
    "fault_record": "故障单",
    "service_request": "服务请求",
    "meeting_minutes": "会议纪要",
    "knowledge_article": "知识条目",
    "blob": "文件内容",
    "attachment": "附件",
    "signature": "签字",
    "deliverable_submission": "交付记录",
    "export_template": "客户模板",
    "review_return": "复核退回",
    "report_narrative": "报告文字段落",
    "signing_key": "签名公钥",
    "device": "设备",
    "audit_head": "审计日志签名",
    "draft": "草稿",
    "audit_log": "审计日志",
}

#: Chinese names of columns that a UNIQUE or NOT NULL message may name.
COLUMN_LABELS = {
    "id": "标识",
    "code": "代码",
    "name": "名称",
    "number": "编号",
    "key_id": "密钥 ID",
    "public_key": "公钥",
    "sha256": "内容摘要",
    "day": "日期",
    "start_date": "开始日期",
    "seq": "序号",
    "role": "签字角色",
    "record_id": "记录",
    "record_type": "记录类型",
    "form_key": "表单",
    "field": "字段",
    "contract_id": "合同",
    "template_id": "检查表",
    "run_id": "巡检记录",
    "deliverable_code": "交付物",
    "fmt": "格式",
}

#: The messages of the store's protection triggers (``RAISE(ABORT, '…')``), in Chinese.
TRIGGER_MESSAGES: dict[str, tuple[type[DomainError], str]] = {
    "record is signed and locked": (LockedError, _LOCKED_MESSAGE),
    "signatures are immutable": (
        RefusedError,
        "已保存的签字不能修改、删除或替换；如需更正，请使用「更正」生成更正记录。",
    ),
    "audit log is append-only": (
        RefusedError,
        "审计日志只能追加，不能修改、删除或替换其中的记录。",
    ),
    "blobs are immutable": (
        RefusedError,
        "已保存的附件和签字图片不能修改或替换。",
    ),
    "device keys are immutable": (
        RefusedError,
        "已登记的设备公钥不能修改或删除。",
    ),
    "review returns are append-only": (
        RefusedError,
        "复核退回记录只能追加，不能修改、删除或替换。",
    ),
}

#: (pattern of the driver's English message, error class, Chinese message)
_FAILURES: list[tuple[re.Pattern[str], type[StoreError], str]] = [
    (
        re.compile(r"database( table)? is locked|database is busy|lock timeout", re.I),
        StoreFailure,
        "数据库正被另一个程序占用（例如另一个运维工作台窗口、命令行或备份），请稍后重试。",
    ),
    (
        re.compile(r"database or disk is full|disk full|no space left", re.I),
        StoreFailure,
        "磁盘空间不足，无法写入数据库。请清理磁盘空间后重试。",
    ),
    (
        re.compile(r"readonly database|read-only transaction", re.I),
        StoreFailure,
        "数据库文件是只读的，无法保存。请检查数据目录及其文件的写入权限。",
    ),
    (
        re.compile(r"disk I/O error|I/O error", re.I),
        StoreFailure,
        "读写数据库时发生磁盘错误。请检查磁盘或移动存储设备后重试。",
    ),
    (
        re.compile(r"malformed|not a database|file is encrypted|corrupt", re.I),
        StoreDamaged,
        "数据库文件已损坏，无法读写。请运行 omw check 核查，或用 omw restore 从备份恢复。",
    ),
    (
        re.compile(r"unable to open database", re.I),
        StoreFailure,
        "无法打开数据库文件。请检查数据目录是否存在、是否可以访问。",
    ),
    (
        re.compile(r"interrupted|canceling statement", re.I),
        StoreFailure,
        "数据库操作被中断。请重试。",
    ),
]


def _driver_message(error: sa_exc.DBAPIError) -> str:
    orig = error.orig
    if orig is None:
        return str(error)
    args = getattr(orig, "args", ())
    return str(args[0]) if args else str(orig)


def _label(table: str) -> str:
    """The table's Chinese name, or "" (an English identifier is never shown)."""
    return TABLE_LABELS.get(table.strip().strip('"'), "")


def _columns(names: str) -> tuple[str, str]:
    """``"signature.record_type, signature.record_id"`` → (table label, column labels).

    Names without a Chinese label are left out.
    """
    tables: list[str] = []
    columns: list[str] = []
    for part in names.split(","):
        table, _, column = part.strip().rpartition(".")
        label = _label(table)
        if label and label not in tables:
            tables.append(label)
        named = COLUMN_LABELS.get(column.strip(), "")
        if named and named not in columns:
            columns.append(named)
    return "、".join(tables), "、".join(columns)


def _integrity(message: str) -> DomainError:
    for english, (kind, chinese) in TRIGGER_MESSAGES.items():
        if english in message:
            return kind(chinese if kind is LockedError else f"{chinese}{NOTHING_SAVED}")
    unique = re.search(r"UNIQUE constraint failed: (.+)", message)
    if unique or "duplicate key value" in message:
        table, columns = _columns(unique.group(1)) if unique else ("", "")
        where = f"{table}中" if table else ""
        same = f"{columns}相同的记录" if columns else "相同的记录"
        return RefusedError(f"保存失败：{where}已有{same}，不能重复。{NOTHING_SAVED}")
    not_null = re.search(r"NOT NULL constraint failed: (.+)", message)
    pg_null = re.search(r'null value in column "([^"]+)"(?: of relation "([^"]+)")?', message)
    if not_null or pg_null:
        if not_null:
            table, columns = _columns(not_null.group(1))
        else:
            assert pg_null is not None
            table, columns = _columns(f"{pg_null.group(2) or ''}.{pg_null.group(1)}")
        what = f"（{columns}）" if columns else ""
        return RefusedError(f"保存失败：{table}缺少必填的内容{what}。{NOTHING_SAVED}")
    if "FOREIGN KEY constraint failed" in message or "foreign key constraint" in message:
        return RefusedError(
            f"保存失败：引用的记录不存在，或要删除的记录仍被其他记录引用。{NOTHING_SAVED}"
        )
    if "CHECK constraint failed" in message or "check constraint" in message:
        return RefusedError(f"保存失败：填写的内容不符合数据规则。{NOTHING_SAVED}")
    return RefusedError(f"保存失败：数据库拒绝了这次修改（数据完整性规则）。{NOTHING_SAVED}")


def _operational(message: str) -> StoreError:
    for pattern, kind, chinese in _FAILURES:
        if pattern.search(message):
            return kind(f"{chinese}{NOTHING_SAVED}")
    return StoreFailure(
        f"数据库操作失败，请重试；如反复出现，请运行 omw check 核查。{NOTHING_SAVED}"
    )


def translate(error: BaseException) -> StoreError | None:
    """The Chinese error to raise instead of ``error``, or ``None`` to let it through.

    ``error`` was raised inside a unit of work that has been rolled back. Errors
    that already speak Chinese (:class:`StoreError`) and programming errors
    (``ProgrammingError``, ``InterfaceError``, anything not from the database)
    are left alone.
    """
    if isinstance(error, StoreError):
        return None
    if isinstance(error, UnicodeEncodeError) and "surrogates not allowed" in str(error.reason):
        return DomainError(
            "输入的文字中含有无效字符（不成对的代理字符，常见于复制粘贴出错），"
            f"请删除后重新输入。{NOTHING_SAVED}"
        )
    if isinstance(error, sa_exc.IntegrityError):
        return _integrity(_driver_message(error))
    if isinstance(error, sa_exc.ProgrammingError) and "permission denied" in str(error.orig):
        return RefusedError(  # a hub's role without the right (PostgreSQL)
            f"保存失败：数据库拒绝了这次修改（团队中心的账户没有此权限）。{NOTHING_SAVED}"
        )
    if isinstance(error, sa_exc.DataError):
        return RefusedError(f"保存失败：填写的内容超出了允许的长度或范围。{NOTHING_SAVED}")
    if isinstance(error, sa_exc.OperationalError | sa_exc.InternalError):
        return _operational(_driver_message(error))
    if isinstance(error, sa_exc.DatabaseError) and not isinstance(
        error, sa_exc.ProgrammingError | sa_exc.NotSupportedError
    ):
        return _operational(_driver_message(error))
    if isinstance(error, driver_errors()):  # from a raw connection (a backup, its pragmas)
        kind = type(error).__name__
        if kind == "IntegrityError":
            return _integrity(str(error))
        if kind in ("DatabaseError", "OperationalError", "InternalError"):
            return _operational(str(error))
    return None
