"""Minimal PNG writing for signature images, with the standard library only.

The signature pad (ui) produces real captured strokes; this module turns a list
of strokes into a transparent RGBA PNG, which the demo data uses for its
invented signers and tests use as valid signature images.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Sequence

Point = tuple[float, float]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_rgba(width: int, height: int, pixels: bytearray, level: int = 9) -> bytes:
    """Encode ``width*height*4`` RGBA bytes as a PNG at 300 dpi (``level``: zlib's, 9 smallest)."""
    raw = b"".join(
        b"\x00" + bytes(pixels[y * width * 4 : (y + 1) * width * 4]) for y in range(height)
    )
    per_metre = round(300 / 0.0254)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
        + _chunk(b"IDAT", zlib.compress(raw, level))
        + _chunk(b"IEND", b"")
    )


def strokes_to_png(
    strokes: Sequence[Sequence[Point]],
    width: int = 600,
    height: int = 200,
    pen: float = 3.0,
    level: int = 9,
) -> bytes:
    """Rasterise strokes (points in pixel coordinates) in dark blue ink (``level``: zlib's)."""
    pixels = bytearray(width * height * 4)
    radius = pen / 2

    edge = radius + 0.5
    hypot = math.hypot

    def dab(cx: float, cy: float) -> None:
        """Ink the pixels within the pen of (cx, cy), anti-aliased (the hot loop: kept plain).

        Only pixels nearer than ``edge`` can take ink, and a pixel already fully
        inked takes no more: both are skipped before measuring (the same image).
        """
        left = max(0, int(cx - radius - 1), math.floor(cx - edge))
        right = min(width, int(cx + radius + 2), math.ceil(cx + edge) + 1)
        for y in range(max(0, int(cy - radius - 1)), min(height, int(cy + radius + 2))):
            dy, row = y - cy, y * width
            if not -edge < dy < edge:
                continue
            for x in range(left, right):
                i = (row + x) * 4
                if pixels[i + 3] == 255:
                    continue
                alpha = edge - hypot(x - cx, dy)
                if alpha <= 0:
                    continue
                pixels[i], pixels[i + 1], pixels[i + 2] = 0x10, 0x20, 0x60
                level = int(min(1.0, alpha) * 255)
                if level > pixels[i + 3]:
                    pixels[i + 3] = level

    for stroke in strokes:
        for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
            steps = max(1, int(math.hypot(x1 - x0, y1 - y0)))
            for s in range(steps + 1):
                t = s / steps
                dab(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        if len(stroke) == 1:
            dab(*stroke[0])
    return encode_rgba(width, height, pixels, level)


def scribble(seed: int, width: int = 600, height: int = 200, level: int = 9) -> bytes:
    """A deterministic handwriting-like scribble, distinct per ``seed`` (``level``: zlib's)."""
    strokes: list[list[Point]] = []
    x = width * 0.08
    for n in range(3 + seed % 3):
        phase = (seed * 37 + n * 11) % 100 / 16
        stroke_width = width * (0.16 + ((seed + n) % 4) * 0.03)
        points: list[Point] = []
        for i in range(40):
            t = i / 39
            px = x + stroke_width * t
            py = height * 0.5 + math.sin(t * 9 + phase) * height * 0.22 * (1 - 0.4 * t)
            points.append((px, py + math.cos(t * 23 + phase) * height * 0.05))
        strokes.append(points)
        x += stroke_width * 1.1
    return strokes_to_png(strokes, width, height, level=level)
