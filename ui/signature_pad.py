"""A signature pad: draw with the mouse, a pen (with pressure) or a finger.

Strokes are kept as points relative to a 3:1 "paper" area inside the widget
(``x``, ``y`` in 0..1 plus the pen pressure), so the pad can be any size and the
result is rendered fresh at print resolution: a transparent PNG of
:data:`PRINT_SIZE` pixels at :data:`PRINT_DPI` (about 64 × 21 mm, a signature
cell of an A4 form). 「清除」 and 「撤销一笔」 work on the strokes.
"""

from __future__ import annotations

import itertools

from ui.i18n import tr
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal

PRINT_SIZE = (750, 250)
PRINT_DPI = 300
ASPECT = PRINT_SIZE[0] / PRINT_SIZE[1]
INK = QtGui.QColor(16, 32, 96)
#: Pen width as a share of the paper height; scaled by pressure (mouse = 0.5).
PEN = 0.022
MOUSE_PRESSURE = 0.5

Point = tuple[float, float, float]


def _width(pressure: float, height: float) -> float:
    return max(1.0, PEN * height * (0.35 + 1.3 * max(0.0, min(1.0, pressure))))


def draw_strokes(painter: QtGui.QPainter, strokes: list[list[Point]], paper: QtCore.QRectF) -> None:
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    for stroke in strokes:
        if len(stroke) == 1:
            x, y, p = stroke[0]
            radius = _width(p, paper.height()) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(INK)
            centre = QtCore.QPointF(
                paper.left() + x * paper.width(), paper.top() + y * paper.height()
            )
            painter.drawEllipse(centre, radius, radius)
            continue
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for (x0, y0, p0), (x1, y1, p1) in itertools.pairwise(stroke):
            pen = QtGui.QPen(INK, _width((p0 + p1) / 2, paper.height()))
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.drawLine(
                QtCore.QPointF(
                    paper.left() + x0 * paper.width(), paper.top() + y0 * paper.height()
                ),
                QtCore.QPointF(
                    paper.left() + x1 * paper.width(), paper.top() + y1 * paper.height()
                ),
            )


def png_bytes(image: QtGui.QImage) -> bytes:
    data = QtCore.QByteArray()
    buffer = QtCore.QBuffer(data)
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class SignaturePad(QtWidgets.QWidget):
    """Captures a handwritten signature; :meth:`to_png` renders it for printing."""

    changed = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[list[Point]] = []
        self._drawing = False
        self._image: QtGui.QImage | None = None  # a saved signature being shown
        self._image_png = b""
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setMinimumSize(360, 120)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip(tr("用鼠标、手写笔或手指在此签名"))

    # ------------------------------------------------------------------ state

    @property
    def is_empty(self) -> bool:
        return not self.strokes and self._image is None

    def clear(self) -> None:
        self.strokes.clear()
        self._image = None
        self._image_png = b""
        self.update()
        self.changed.emit()

    def undo_stroke(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self.update()
            self.changed.emit()

    def show_png(self, png: bytes) -> None:
        """Show a saved signature instead of strokes; :meth:`to_png` returns it unchanged."""
        image = QtGui.QImage.fromData(png, "PNG")
        self.strokes.clear()
        self._image = image if not image.isNull() else None
        self._image_png = png if self._image is not None else b""
        self.update()
        self.changed.emit()

    def paper(self) -> QtCore.QRectF:
        """The 3:1 area strokes are relative to, centred in the widget."""
        w, h = self.width() - 8.0, self.height() - 8.0
        if w / max(h, 1.0) > ASPECT:
            pw, ph = h * ASPECT, h
        else:
            pw, ph = w, w / ASPECT
        return QtCore.QRectF((self.width() - pw) / 2, (self.height() - ph) / 2, pw, ph)

    def to_png(self) -> bytes:
        """A transparent PNG of :data:`PRINT_SIZE` at :data:`PRINT_DPI`."""
        if self._image is not None:
            return self._image_png
        image = QtGui.QImage(*PRINT_SIZE, QtGui.QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        per_metre = round(PRINT_DPI / 0.0254)
        image.setDotsPerMeterX(per_metre)
        image.setDotsPerMeterY(per_metre)
        painter = QtGui.QPainter(image)
        draw_strokes(painter, self.strokes, QtCore.QRectF(0, 0, *PRINT_SIZE))
        painter.end()
        return png_bytes(image)

    # ------------------------------------------------------------------ input

    def _point(self, position: QtCore.QPointF, pressure: float) -> Point:
        paper = self.paper()
        x = (position.x() - paper.left()) / paper.width()
        y = (position.y() - paper.top()) / paper.height()
        return (min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0), pressure)

    def _begin(self, position: QtCore.QPointF, pressure: float) -> None:
        if self._image is not None:
            self._image = None
            self._image_png = b""
        self._drawing = True
        self.strokes.append([self._point(position, pressure)])
        self.update()

    def _extend(self, position: QtCore.QPointF, pressure: float) -> None:
        if self._drawing and self.strokes:
            self.strokes[-1].append(self._point(position, pressure))
            self.update()

    def _end(self) -> None:
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), MOUSE_PRESSURE)

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position(), MOUSE_PRESSURE)

    def mouseReleaseEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end()

    def tabletEvent(self, event: QtGui.QTabletEvent) -> None:
        kind = event.type()
        if kind == QtCore.QEvent.Type.TabletPress:
            self._begin(event.position(), event.pressure())
        elif kind == QtCore.QEvent.Type.TabletMove:
            self._extend(event.position(), event.pressure())
        elif kind == QtCore.QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QtCore.QEvent) -> bool:
        kind = event.type()
        touch = (
            QtCore.QEvent.Type.TouchBegin,
            QtCore.QEvent.Type.TouchUpdate,
            QtCore.QEvent.Type.TouchEnd,
        )
        if kind in touch and isinstance(event, QtGui.QTouchEvent):
            points = event.points()
            if points:
                position = points[0].position()
                pressure = points[0].pressure() or MOUSE_PRESSURE
                if kind == QtCore.QEvent.Type.TouchBegin:
                    self._begin(position, pressure)
                elif kind == QtCore.QEvent.Type.TouchUpdate:
                    self._extend(position, pressure)
                else:
                    self._end()
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if event.matches(QtGui.QKeySequence.StandardKey.Undo):
            self.undo_stroke()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ paint

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), QtGui.QColor("#f3f3f3"))
        paper = self.paper()
        painter.fillRect(paper, Qt.GlobalColor.white)
        painter.setPen(QtGui.QPen(QtGui.QColor("#c8c8c8"), 1, Qt.PenStyle.DashLine))
        base = paper.top() + paper.height() * 0.78
        painter.drawLine(
            QtCore.QPointF(paper.left() + 12, base), QtCore.QPointF(paper.right() - 12, base)
        )
        if self.is_empty:
            painter.setPen(QtGui.QColor("#9e9e9e"))
            painter.drawText(paper, Qt.AlignmentFlag.AlignCenter, tr("请在此处签名"))
        if self._image is not None:
            painter.drawImage(paper, self._image)
        draw_strokes(painter, self.strokes, paper)
        painter.end()
