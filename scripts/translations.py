#!/usr/bin/env python3
"""Update the translation source and build the catalog the window loads.

    python scripts/translations.py

1. ``lupdate`` collects every ``tr("…")`` (and ``QT_TR_NOOP``) text of ``ui/``
   into ``resources/translations/omw_en.ts``, keeping the translations already
   there and dropping texts no longer used;
2. the developers' ``#:`` comments that ``lupdate`` takes for notes to the
   translator (``<extracomment>``: "Emitted when …", ":func:`…`") are taken out
   of it: ``ui/`` writes no note for translators, and those would only mislead;
3. ``lrelease`` compiles it to ``omw_en.qm`` next to it.

Both files are committed, so running from source and the PyInstaller bundle
need no build step. Translate new texts in the ``.ts`` (Qt Linguist or any
text editor: fill ``<translation>`` and drop ``type="unfinished"``), then run
this again. ``tests/ui/test_structure.py`` fails while a text is missing or
unfinished, or the ``.qm`` is older than the ``.ts``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import PySide6

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "omw_en.ts"
#: a note to the translator as lupdate writes it: one line of its own
EXTRA_COMMENT = re.compile(r"^[ \t]*<extracomment>.*</extracomment>\n", re.MULTILINE)


def tool(name: str) -> str:
    return str(Path(PySide6.__file__).parent / (name + (".exe" if sys.platform == "win32" else "")))


def sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))


def main() -> int:
    subprocess.run(
        [
            tool("lupdate"),
            "-no-obsolete",
            "-locations",
            "none",
            "-source-language",
            "zh_CN",
            "-target-language",
            "en",
            *sources(),
            "-ts",
            str(TS.relative_to(ROOT)),
        ],
        cwd=ROOT,
        check=True,
    )
    text = TS.read_text("utf-8")
    TS.write_text(EXTRA_COMMENT.sub("", text), "utf-8")
    subprocess.run([tool("lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
