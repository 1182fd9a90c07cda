"""Chart pictures for Word: bar and line charts drawn with Pillow.

A chart of the 运维月报 / 电话支持记录 is a handful of bars or a short line
over a few categories; drawing it takes a few milliseconds with Pillow,
against ~50 ms for the same picture through matplotlib (whose per-tick
artists dominate), so a monthly pack no longer spends most of its time on
three pictures. The look follows the previous matplotlib charts: title on top,
left and bottom axes, light horizontal grid, integer or percent ticks, labels
slanted when they do not fit side by side, a legend row under the title for
several series. Text is anti-aliased by FreeType, lines and markers are drawn
larger and scaled down; the picture is saved at :data:`DPI` (prints sharply
at 150 mm wide) as a palette PNG.

Chinese labels need a CJK font. Nothing is fetched: the app ships a subset of
Noto Sans CJK SC (``resources/fonts/``, made by ``scripts/build_chart_font.py``:
ASCII, CJK punctuation, the 3,755 common hanzi of GB 2312 level 1 and every
character of the built-in profiles) and falls back, character by character,
to CJK fonts installed on the machine (Microsoft YaHei, SimHei, SimSun, Noto
CJK, WenQuanYi…). Without any CJK font, :func:`cjk_font_available` is false
and charts are left out of Word (Excel charts are native and need no font).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import sys
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.export import compile_cache
from app.export.context import Chart
from app.storage import paths

BUNDLED_FONT = ("fonts", "omw-chart-sc.otf")
#: Installed CJK fonts tried for characters the bundled subset lacks (file names).
SYSTEM_FONTS = (
    "msyh.ttc",
    "msyh.ttf",
    "simhei.ttf",
    "simsun.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "SourceHanSansSC-Regular.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "DroidSansFallbackFull.ttf",
    "PingFang.ttc",
)
WIDTH_MM = 150.0
ASPECT = 0.45
DPI = 200
SUPERSAMPLE = 4  # lines and markers are drawn this much larger and scaled down
PALETTE = 128
COLORS = ("#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0")
FONT_PT = 9.0
TITLE_PT = 10.8
GRID = (232, 232, 232)
INK = (0, 0, 0)


# --------------------------------------------------------------------------- fonts


def _font_dirs() -> list[Path]:
    if sys.platform == "win32":
        windir = os.environ.get("WINDIR", r"C:\Windows")
        local = os.environ.get("LOCALAPPDATA", "")
        dirs = [Path(windir) / "Fonts"]
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if sys.platform == "darwin":
        return [
            Path("/System/Library/Fonts"),
            Path("/Library/Fonts"),
            Path.home() / "Library/Fonts",
        ]
    return [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]


def _installed() -> list[Path]:
    wanted = {name.lower(): n for n, name in enumerate(SYSTEM_FONTS)}
    found: dict[int, Path] = {}
    for folder in _font_dirs():
        if not folder.is_dir():
            continue
        for root, _dirs, files in os.walk(folder):
            for f in files:
                rank = wanted.get(f.lower())
                if rank is not None and rank not in found:
                    found[rank] = Path(root) / f
    return [found[k] for k in sorted(found)]


def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        try:
            return frozenset(font.getBestCmap() or {})
        finally:
            font.close()
    except Exception:  # an unreadable font is simply not used
        return frozenset()


@cache
def _bundled() -> tuple[str, frozenset[int]] | None:
    """The bundled font and its characters (kept by :mod:`app.export.compile_cache` under
    the font file's SHA-256: reading them takes fontTools ≈ 40 ms)."""
    path = paths.resource(*BUNDLED_FONT)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    step = compile_cache.fingerprint("cmap")
    cmap = compile_cache.cached(step, digest, lambda: _cmap(path), frozenset)
    return (str(path), cmap) if cmap else None


@cache
def _fallbacks() -> tuple[tuple[str, frozenset[int]], ...]:
    """Installed CJK fonts (looked for only when the bundled font lacks a character)."""
    found = []
    for path in _installed():
        cmap = _cmap(path)
        if cmap:
            found.append((str(path), cmap))
    return tuple(found)


def _fonts(text: str = "") -> tuple[tuple[str, frozenset[int]], ...]:
    """(file, code points) of the fonts for ``text``, bundled first."""
    bundled = _bundled()
    if bundled is not None and all(ord(ch) in bundled[1] for ch in text):
        return (bundled,)
    return ((bundled,) if bundled else ()) + _fallbacks()


def cjk_font_available() -> bool:
    return any(ord("中") in cmap for _path, cmap in _fonts("中"))


_LOADED: dict[tuple[str, int], Any] = {}
_LOAD_LOCK = threading.Lock()


def _load(path: str, size: int) -> Any:
    from PIL import ImageFont

    key = (path, size)
    font = _LOADED.get(key)
    if font is None:
        with _LOAD_LOCK:
            font = _LOADED.get(key)
            if font is None:
                font = ImageFont.truetype(path, size)
                _LOADED[key] = font
    return font


@dataclass
class _Text:
    runs: list[tuple[Any, str, float]]  # font, text, advance
    width: float
    ascent: int
    descent: int

    @property
    def height(self) -> int:
        return self.ascent + self.descent


def _layout(text: str, px: int) -> _Text:
    fonts = _fonts(text)
    runs: list[tuple[Any, str, float]] = []
    current: int | None = None
    start = 0
    for i, ch in enumerate(text):
        code = ord(ch)
        index = next((n for n, (_p, cmap) in enumerate(fonts) if code in cmap), 0)
        if current is None:
            current = index
        elif index != current:
            runs.append((_load(fonts[current][0], px), text[start:i], 0.0))
            current, start = index, i
    if current is not None:
        runs.append((_load(fonts[current][0], px), text[start:], 0.0))
    measured = [(f, t, f.getlength(t)) for f, t, _w in runs]
    primary = _load(fonts[0][0], px)
    ascent, descent = primary.getmetrics()
    for f, _t, _w in measured:
        a, d = f.getmetrics()
        ascent, descent = max(ascent, a), max(descent, d)
    return _Text(measured, sum(w for _f, _t, w in measured), ascent, descent)


def _draw_text(draw: Any, x: float, top: float, text: _Text, fill: Any = INK) -> None:
    """Text with its top-left corner at (x, top)."""
    for font, run, advance in text.runs:
        draw.text((x, top + text.ascent), run, font=font, fill=fill, anchor="ls")
        x += advance


def _rotated(text: _Text, degrees: float) -> Any:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    w, h = math.ceil(text.width) + 2, text.height + 2
    mask = PILImage.new("L", (w, h), 0)
    _draw_text(ImageDraw.Draw(mask), 1, 1, text, fill=255)
    return mask.rotate(degrees, resample=PILImage.Resampling.BICUBIC, expand=True)


# --------------------------------------------------------------------------- scales


def _ticks(lo: float, hi: float, integer: bool, most: int = 6) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / most
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(s * magnitude for s in steps if s * magnitude >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _number(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:g}"


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


# --------------------------------------------------------------------------- drawing


def _px(points: float) -> int:
    """A length in points as whole pixels at :data:`DPI` (at least one)."""
    return max(1, round(points * (DPI / 72)))


def _y_scale(percent: bool, values: list[float]) -> tuple[float, float, list[float], list[str]]:
    """The value axis: lowest and highest value shown, ticks and their labels.

    Percentages run from 0 to 105 % (ticks every 20 %); counts from zero (or
    the lowest negative value) to 5 % above the highest, with integer ticks.
    """
    if percent:
        ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        return 0.0, 1.05, ticks, [f"{t:.0%}" for t in ticks]
    top = max(values, default=0.0)
    bottom = min(0.0, min(values, default=0.0))
    hi = top * 1.05 if top > 0 else 1.0
    lo = bottom * 1.05
    ticks = _ticks(lo, hi, integer=True)
    return lo, hi, ticks, [_number(t) for t in ticks]


def _slanted_labels(
    x_texts: list[_Text], left: float, right: float, pad: int
) -> tuple[float, list[Any]]:
    """Slant the category labels by 45° when one is wider than its slot.

    Returns the plot's left edge and the slanted labels' masks (none: the
    labels stand upright). A slanted label hangs left of its tick, so the left
    edge moves right until the first ones stay on the picture.
    """
    n = len(x_texts)

    def slot_width(left_edge: float) -> float:
        return (right - left_edge) / max(n, 1)

    rotate = any(t.width > slot_width(left) * 0.92 for t in x_texts)
    if not rotate:
        return left, []
    masks = [_rotated(t, 45) for t in x_texts]
    for _ in range(2):
        slot = slot_width(left)
        need = max((m.size[0] - (i + 0.5) * slot for i, m in enumerate(masks)), default=0.0)
        left = max(left, pad + need)
    return left, masks


@dataclass
class _Frame:
    """Where the parts of a chart go, in pixels."""

    pad: int
    tick: int
    gap: int
    left: float
    right: int
    plot_top: int
    plot_bottom: float
    slot: float  # the width of one category
    lo: float
    hi: float
    ticks: list[float]
    y_texts: list[_Text]
    x_texts: list[_Text]
    masks: list[Any]  # the slanted x labels; empty when they stand upright
    title: _Text | None
    legend: list[_Text]  # one per series, when there are several
    legend_top: int
    legend_h: int

    def x_at(self, i: float) -> float:
        return self.left + (i + 0.5) * self.slot

    def y_at(self, v: float) -> float:
        return self.plot_bottom - (v - self.lo) / (self.hi - self.lo) * (
            self.plot_bottom - self.plot_top
        )


def _frame(chart: Chart, series: list[tuple[str, list[float]]], width: int, height: int) -> _Frame:
    """Lay the chart out: title on top, legend row under it, y labels left, x labels below."""
    label_px, title_px = _px(FONT_PT), _px(TITLE_PT)
    pad, tick, gap = _px(6), _px(3.5), _px(3.5)
    lo, hi, ticks, labels = _y_scale(chart.percent, [v for _name, vs in series for v in vs])
    y_texts = [_layout(s, label_px) for s in labels]
    title = _layout(chart.title, title_px) if chart.title else None
    legend = [_layout(name, label_px) for name, _vs in series] if len(series) > 1 else []
    legend_top = pad + (title.height + _px(4) if title else 0)
    legend_h = max((t.height for t in legend), default=0)
    plot_top = legend_top + (legend_h + _px(6) if legend else _px(2) if title else 0)
    left = pad + max((t.width for t in y_texts), default=0) + tick + gap
    right = width - _px(10)
    x_texts = [_layout(str(c), label_px) for c in chart.categories]
    left, masks = _slanted_labels(x_texts, left, right, pad)
    label_h = (
        max((m.size[1] for m in masks), default=0)
        if masks
        else max((t.height for t in x_texts), default=0)
    )
    return _Frame(
        pad=pad,
        tick=tick,
        gap=gap,
        left=left,
        right=right,
        plot_top=plot_top,
        plot_bottom=height - pad - label_h - tick - gap,
        slot=(right - left) / max(len(x_texts), 1),
        lo=lo,
        hi=hi,
        ticks=ticks,
        y_texts=y_texts,
        x_texts=x_texts,
        masks=masks,
        title=title,
        legend=legend,
        legend_top=legend_top,
        legend_h=legend_h,
    )


def _draw_grid(draw: Any, f: _Frame) -> None:
    """Horizontal grid lines at the value ticks, with the tick labels on the left."""
    for t, text in zip(f.ticks, f.y_texts, strict=True):
        y = round(f.y_at(t))
        draw.line([(f.left, y), (f.right, y)], fill=GRID, width=_px(0.8))
        draw.line([(f.left - f.tick, y), (f.left, y)], fill=INK, width=_px(0.8))
        _draw_text(draw, f.left - f.tick - f.gap - text.width, y - text.height / 2, text)


def _draw_series(
    img: Any, draw: Any, kind: str, series: list[tuple[str, list[float]]], f: _Frame
) -> None:
    """The data: a line with markers per series, or bars side by side in each slot."""
    pt = DPI / 72
    n = len(f.x_texts)
    k = max(1, len(series))
    if kind == "line":
        for s, (_name, vs) in enumerate(series):
            points = [(f.x_at(i), f.y_at(v)) for i, v in enumerate(vs[:n])]
            _smooth_line(img, points, _rgb(COLORS[s % len(COLORS)]), 1.5 * pt, 3 * pt)
        return
    bar = f.slot * 0.8 / k
    zero = f.y_at(0.0)
    for s, (_name, vs) in enumerate(series):
        color = _rgb(COLORS[s % len(COLORS)])
        for i, v in enumerate(vs[:n]):
            if v == 0:
                continue
            x0 = f.x_at(i) - f.slot * 0.4 + s * bar
            y = f.y_at(v)
            draw.rectangle(
                [round(x0), round(min(y, zero)), round(x0 + bar) - 1, round(max(y, zero))],
                fill=color,
            )


def _draw_axes(img: Any, draw: Any, f: _Frame) -> None:
    """The left and bottom axes, and a tick and a label (upright or slanted) per category."""
    axis_w = _px(0.8)
    draw.line([(f.left, f.plot_top), (f.left, f.plot_bottom)], fill=INK, width=axis_w)
    draw.line([(f.left, f.plot_bottom), (f.right, f.plot_bottom)], fill=INK, width=axis_w)
    for i, text in enumerate(f.x_texts):
        x = f.x_at(i)
        draw.line([(x, f.plot_bottom), (x, f.plot_bottom + f.tick)], fill=INK, width=axis_w)
        label_top = f.plot_bottom + f.tick + f.gap
        if f.masks:
            mask = f.masks[i]
            at = (round(x - mask.size[0] + _px(2)), round(label_top))
            img.paste(INK, (*at, at[0] + mask.size[0], at[1] + mask.size[1]), mask)
        else:
            _draw_text(draw, x - text.width / 2, label_top, text)


def _draw_title_and_legend(img: Any, draw: Any, kind: str, f: _Frame) -> None:
    """The title, centred over the plot; for several series a legend row under it."""
    if f.title is not None:
        _draw_text(draw, (f.left + f.right) / 2 - f.title.width / 2, f.pad, f.title)
    if not f.legend:
        return
    # one row under the title: a key per series, never over the data
    pt = DPI / 72
    key_w, key_gap, entry_gap = _px(20), _px(5), _px(14)
    total = sum(key_w + key_gap + t.width for t in f.legend) + entry_gap * (len(f.legend) - 1)
    x = (f.left + f.right) / 2 - total / 2
    for s, text in enumerate(f.legend):
        color = _rgb(COLORS[s % len(COLORS)])
        mid = f.legend_top + f.legend_h / 2
        if kind == "line":
            _smooth_line(img, [(x, mid), (x + key_w, mid)], color, 1.5 * pt, 0)
            _smooth_line(img, [(x + key_w / 2, mid)], color, 0, 3 * pt)
        else:
            draw.rectangle([x + _px(3), mid - _px(4), x + key_w - _px(3), mid + _px(4)], fill=color)
        _draw_text(draw, x + key_w + key_gap, f.legend_top + (f.legend_h - text.height) / 2, text)
        x += key_w + key_gap + text.width + entry_gap


def _palette_png(img: Any) -> bytes:
    """The picture as a palette PNG at :data:`DPI`.

    A few flat colours and their anti-aliased edges: a palette image is a
    third of the size and quicker to compress, and looks the same.
    """
    from PIL import Image as PILImage

    out = img.quantize(
        colors=PALETTE, method=PILImage.Quantize.FASTOCTREE, dither=PILImage.Dither.NONE
    )
    _snap(out, [(255, 255, 255), INK, GRID, *(_rgb(c) for c in COLORS)])
    buf = io.BytesIO()
    out.save(buf, format="PNG", dpi=(DPI, DPI), compress_level=6)
    return buf.getvalue()


def render_png(chart: Chart, width_mm: float = WIDTH_MM) -> bytes | None:
    """The chart as a PNG (:data:`DPI` dpi), or ``None`` without a CJK font."""
    if not cjk_font_available():
        return None
    from PIL import Image as PILImage
    from PIL import ImageDraw

    W = round(width_mm / 25.4 * DPI)
    H = round(width_mm * ASPECT / 25.4 * DPI)
    img = PILImage.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    series = [(name, [float(v or 0.0) for v in values]) for name, values in chart.series]
    frame = _frame(chart, series, W, H)
    _draw_grid(draw, frame)
    _draw_series(img, draw, chart.kind, series, frame)
    _draw_axes(img, draw, frame)
    _draw_title_and_legend(img, draw, chart.kind, frame)
    return _palette_png(img)


def _snap(img: Any, colors: list[tuple[int, int, int]]) -> None:
    """Give the palette the exact drawing colours (the quantizer averages its buckets)."""
    palette = img.getpalette() or []
    entries = [tuple(palette[i : i + 3]) for i in range(0, len(palette), 3)]
    for color in colors:
        best = min(
            range(len(entries)),
            key=lambda i: sum((a - b) ** 2 for a, b in zip(entries[i], color, strict=True)),
            default=None,
        )
        if (
            best is not None
            and sum((a - b) ** 2 for a, b in zip(entries[best], color, strict=True)) < 48
        ):
            entries[best] = color
    img.putpalette([v for e in entries for v in e])


def _smooth_line(
    img: Any, points: list[tuple[float, float]], color: Any, width: float, radius: float
) -> None:
    """A polyline with round markers, anti-aliased (drawn larger, then scaled down)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    if not points:
        return
    ss = SUPERSAMPLE
    margin = max(width, radius) + 2
    x0 = max(0, int(min(x for x, _y in points) - margin))
    y0 = max(0, int(min(y for _x, y in points) - margin))
    x1 = min(img.size[0], int(max(x for x, _y in points) + margin) + 1)
    y1 = min(img.size[1], int(max(y for _x, y in points) + margin) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = PILImage.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    draw = ImageDraw.Draw(mask)
    big = [((x - x0) * ss, (y - y0) * ss) for x, y in points]
    if width and len(big) > 1:
        draw.line(big, fill=255, width=max(1, round(width * ss)), joint="curve")
    if radius:
        r = radius * ss
        for x, y in big:
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    img.paste(color, (x0, y0, x1, y1), mask.reduce(ss))
