"""Chart pictures for Word (matplotlib, Agg, no GUI backend).

Chinese labels need a CJK font. Nothing is fetched: the app ships a subset of
Noto Sans CJK SC (``resources/fonts/``, made by ``scripts/build_chart_font.py``:
ASCII, CJK punctuation, the 3,755 common hanzi of GB 2312 level 1 and every
character of the built-in profiles) and falls back, glyph by glyph, to CJK
fonts installed on the machine (SimHei, Microsoft YaHei, Noto CJK, WenQuanYi…).
Without any CJK font, :func:`cjk_font_available` is false and charts are left
out of Word (Excel charts are native and need no font).
"""

from __future__ import annotations

import io
import logging
import warnings
from functools import cache
from typing import Any

from app import paths
from app.export.context import Chart, Image

BUNDLED_FONT = ("fonts", "omw-chart-sc.otf")
SYSTEM_FAMILIES = (
    "Microsoft YaHei",
    "SimHei",
    "SimSun",
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "PingFang SC",
)
WIDTH_MM = 150.0
DPI = 130
COLORS = ("#2F5597", "#C55A11", "#548235", "#7F6000", "#7030A0")


@cache
def _families() -> tuple[str, ...]:
    from matplotlib import font_manager

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    found: list[str] = []
    bundled = paths.resource(*BUNDLED_FONT)
    if bundled.is_file():
        font_manager.fontManager.addfont(str(bundled))
        found.append(font_manager.FontProperties(fname=str(bundled)).get_name())
    installed = {f.name for f in font_manager.fontManager.ttflist}
    found += [name for name in SYSTEM_FAMILIES if name in installed]
    return tuple(found)


def cjk_font_available() -> bool:
    return bool(_families())


def render_png(chart: Chart, width_mm: float = WIDTH_MM) -> bytes | None:
    """The chart as a PNG (130 dpi), or ``None`` without a CJK font."""
    families = _families()
    if not families:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    height_mm = width_mm * 0.45
    rc: dict[str, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": [*families, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
    }
    import matplotlib

    with warnings.catch_warnings(), matplotlib.rc_context(rc):
        warnings.simplefilter("ignore")
        fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        cats = list(chart.categories)
        positions = list(range(len(cats)))
        n = max(1, len(chart.series))
        if chart.kind == "line":
            for i, (name, values) in enumerate(chart.series):
                ax.plot(positions, values, marker="o", color=COLORS[i % len(COLORS)], label=name)
        else:
            width = 0.8 / n
            for i, (name, values) in enumerate(chart.series):
                offset = (i - (n - 1) / 2) * width
                ax.bar(
                    [p + offset for p in positions],
                    values,
                    width=width,
                    color=COLORS[i % len(COLORS)],
                    label=name,
                )
        ax.set_xticks(positions)
        rotate = len(cats) > 8 or max((len(c) for c in cats), default=0) > 6
        ax.set_xticklabels(cats, rotation=45 if rotate else 0, ha="right" if rotate else "center")
        if chart.percent:
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
            ax.set_ylim(0, 1.05)
        else:
            ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_title(chart.title)
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        if len(chart.series) > 1:
            ax.legend(frameon=False)
        fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.30 if rotate else 0.14)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def with_image(chart: Chart, width_mm: float = WIDTH_MM) -> Chart:
    png = render_png(chart, width_mm)
    if png is None:
        return chart
    return Chart(
        key=chart.key,
        title=chart.title,
        kind=chart.kind,
        categories=chart.categories,
        series=chart.series,
        percent=chart.percent,
        image=Image(png, width_mm, None, chart.title),
    )
