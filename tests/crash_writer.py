"""A store writer that is killed on purpose by tests/test_crash_safety.py.

It commits numbered records (a calendar override per number, audited like any
record) and a draft field holding the same number, and reports each commit
only **after** it returned, one line per commit: ``R <n>`` for the record,
``D <n>`` for the draft. Whatever it reported must survive a ``SIGKILL``.

Run as a script (``python tests/crash_writer.py DATA_DIR START [KEY_HEX]``,
lines on stdout) or, much faster, in a forked child via :func:`run` (lines on
a pipe), since the test kills it hundreds of times.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta
from pathlib import Path

if __name__ == "__main__":  # run from a checkout: make app/ and db/ importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services import drafts
from app.store import Store
from db.models import CalendarOverride

BASE_DAY = date(2000, 1, 1)
FORM_KEY = "crash-test:form"
FIELD = "counter"


def day_of(n: int) -> date:
    return BASE_DAY + timedelta(days=n)


def number_of(day: date) -> int:
    return (day - BASE_DAY).days


def run(data_dir: str, start: int, out_fd: int, key: bytes | None = None) -> None:
    """Write forever from number ``start``, reporting acknowledged commits on ``out_fd``."""
    store = Store.open(data_dir, actor="崩溃测试", key=key)
    n = start
    while True:
        with store.session() as s:
            s.add(CalendarOverride(day=day_of(n), workday=n % 2 == 0, name=f"第{n}次提交"))
        os.write(out_fd, f"R {n}\n".encode())
        with store.session() as s:
            drafts.save_field(s, FORM_KEY, "inspection", FIELD, n, title="崩溃测试表单")
            drafts.save_field(s, FORM_KEY, "inspection", "note", f"已填写到第 {n} 项" * 3)
        os.write(out_fd, f"D {n}\n".encode())
        n += 1


if __name__ == "__main__":
    key_hex = sys.argv[3] if len(sys.argv) > 3 else ""
    run(sys.argv[1], int(sys.argv[2]), sys.stdout.fileno(), bytes.fromhex(key_hex) or None)
