#!/usr/bin/env python3
"""Make the small CJK font the chart pictures use (``resources/fonts/omw-chart-sc.otf``).

    .venv/bin/python scripts/build_chart_font.py [SOURCE]

SOURCE is a Noto Sans CJK file (default: Debian's ``fonts-noto-cjk``,
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``, face "Noto Sans
CJK SC"). The subset keeps ASCII, CJK and full-width punctuation, the 3,755
hanzi of GB 2312 level 1, and every character of the built-in contract
profiles and of the chart labels the app writes, without hinting: about a
megabyte. Noto Sans CJK is under the SIL Open Font License 1.1
(``resources/fonts/OFL.txt``); the subset is renamed as the license asks of
modified versions.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "fonts" / "omw-chart-sc.otf"
DEFAULT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FAMILY = "OMW Chart Sans SC"


def gb2312_level1() -> str:
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            if hi == 0xD7 and lo > 0xF9:
                break
            chars.append(bytes([hi, lo]).decode("gb2312"))
    return "".join(chars)


def wanted() -> str:
    text = "".join(chr(c) for c in range(0x20, 0x7F))
    text += "".join(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
    text += "".join(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    text += "—–…‘’“”·•×÷±≤≥°%‰℃№"
    text += gb2312_level1()
    for path in (ROOT / "resources" / "profiles").glob("*.yaml"):
        text += path.read_text(encoding="utf-8")
    for path in (ROOT / "app").rglob("*.py"):
        text += path.read_text(encoding="utf-8")
    return "".join(sorted(set(text)))


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT
    if source.suffix.lower() == ".ttc":
        collection = TTCollection(str(source))
        font = next(f for f in collection.fonts if "Noto Sans CJK SC" in f["name"].getDebugName(1))
    else:
        font = TTFont(str(source))
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(text=wanted())
    sub.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID == 3:
            record.string = f"{FAMILY} subset"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(OUT))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
