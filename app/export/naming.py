"""File and folder names of exported forms and packs (the contract's conventions).

A single form: ``<合同编号>_<交付物>_<期间>.docx``. In a pack the folder carries
the contract and period, and files are numbered in deliverable order:
``01_运维月报_2026年3月.docx``, ``05_系统故障处置报告_GZ-202603-0001.docx``.
Names are safe on Windows (no ``\\ / : * ? " < > |``, no trailing dot) and
contain no control characters or lone surrogates.
"""

from __future__ import annotations

import re

#: Windows' reserved characters, control characters (C0, DEL, C1) and lone surrogates
#: (a broken paste: they cannot be encoded in a file name at all).
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\ud800-\udfff]')
MAX_PART = 80


def safe(text: str, limit: int = MAX_PART) -> str:
    cleaned = _UNSAFE.sub("_", text).strip().strip(".")
    cleaned = re.sub(r"\s+", " ", cleaned)
    return cleaned[:limit].rstrip(" .") or "未命名"


def form_stem(deliverable: str, period_label: str) -> str:
    parts = [safe(deliverable)]
    if period_label:
        parts.append(safe(period_label))
    return "_".join(parts)


def month_folder(contract_no: str, contract_code: str, month: str) -> str:
    return f"{safe(contract_no or contract_code, 40)}_月度交付包_{month}"


def range_folder(contract_no: str, contract_code: str, label: str, start: str, end: str) -> str:
    return f"{safe(contract_no or contract_code, 40)}_{safe(label, 20)}_{start}_{end}"
