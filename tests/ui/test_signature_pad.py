"""The signature pad: mouse, pen pressure and touch; clear, undo; a transparent print PNG."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.records import signing
from ui.signature_pad import PRINT_DPI, PRINT_SIZE, SignaturePad


def pad(qtbot: QtBot) -> SignaturePad:
    widget = SignaturePad()
    widget.resize(600, 200)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def stroke(qtbot: QtBot, widget: SignaturePad, y: int) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=QPoint(40, y))
    for x in range(50, 560, 15):
        qtbot.mouseMove(widget, QPoint(x, y + (x // 15) % 4 * 5))
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=QPoint(560, y))


def ink(png: bytes) -> QImage:
    image = QImage.fromData(png, "PNG")
    assert not image.isNull()
    return image


def opaque_pixels(image: QImage, row: int | None = None) -> int:
    rows = range(image.height()) if row is None else [row]
    return sum(
        1 for y in rows for x in range(0, image.width(), 2) if image.pixelColor(x, y).alpha() > 0
    )


def test_drawn_with_the_mouse_and_saved_as_a_transparent_print_png(qtbot: QtBot) -> None:
    widget = pad(qtbot)
    assert widget.is_empty
    changes: list[int] = []
    widget.changed.connect(lambda: changes.append(1))
    stroke(qtbot, widget, 80)
    stroke(qtbot, widget, 120)
    assert len(widget.strokes) == 2 and len(changes) == 2
    assert all(0 <= x <= 1 and 0 <= y <= 1 for s in widget.strokes for x, y, _p in s)

    png = widget.to_png()
    assert signing.png_info(png) == signing.PngInfo(*PRINT_SIZE)
    image = ink(png)
    assert image.hasAlphaChannel()
    assert image.pixelColor(0, 0).alpha() == 0  # transparent paper
    assert opaque_pixels(image) > 500  # ink
    assert round(image.dotsPerMeterX() * 0.0254) == PRINT_DPI


def test_undo_removes_the_last_stroke_and_clear_everything(qtbot: QtBot) -> None:
    widget = pad(qtbot)
    stroke(qtbot, widget, 60)
    stroke(qtbot, widget, 140)
    first = widget.strokes[0]
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert widget.strokes == [first]
    widget.undo_stroke()
    assert widget.is_empty
    stroke(qtbot, widget, 100)
    widget.clear()
    assert widget.is_empty and opaque_pixels(ink(widget.to_png())) == 0


def test_a_pen_draws_wider_when_pressed_harder(qtbot: QtBot) -> None:
    widget = pad(qtbot)
    device = QPointingDevice.primaryPointingDevice()

    def pen_stroke(y: float, pressure: float) -> None:
        for kind, x in (
            (QEvent.Type.TabletPress, 60.0),
            (QEvent.Type.TabletMove, 300.0),
            (QEvent.Type.TabletMove, 540.0),
            (QEvent.Type.TabletRelease, 540.0),
        ):
            position = QPointF(x, y)
            event = QTabletEvent(
                kind,
                device,
                position,
                widget.mapToGlobal(position),
                pressure,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                Qt.KeyboardModifier.NoModifier,
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.LeftButton,
            )
            QApplication.sendEvent(widget, event)

    pen_stroke(60, 0.1)
    pen_stroke(140, 1.0)
    assert [round(s[0][2], 1) for s in widget.strokes] == [0.1, 1.0]
    image = ink(widget.to_png())
    paper = widget.paper()

    def thickness(y: float) -> int:
        row = round((y - paper.top()) / paper.height() * image.height())
        x = image.width() // 2
        return sum(
            1
            for dy in range(-40, 41)
            if 0 <= row + dy < image.height() and image.pixelColor(x, row + dy).alpha() > 128
        )

    assert thickness(140) > thickness(60) >= 1


def test_a_finger_draws_too(qtbot: QtBot) -> None:
    widget = pad(qtbot)
    screen = QTest.createTouchDevice()
    QTest.touchEvent(widget, screen).press(0, QPoint(50, 100)).commit()
    QTest.touchEvent(widget, screen).move(0, QPoint(250, 110)).commit()
    QTest.touchEvent(widget, screen).move(0, QPoint(450, 90)).commit()
    QTest.touchEvent(widget, screen).release(0, QPoint(450, 90)).commit()
    assert len(widget.strokes) == 1 and len(widget.strokes[0]) >= 3
    assert opaque_pixels(ink(widget.to_png())) > 100


def test_a_saved_signature_is_shown_and_returned_unchanged(qtbot: QtBot) -> None:
    widget = pad(qtbot)
    stroke(qtbot, widget, 100)
    saved = widget.to_png()
    widget.clear()
    widget.show_png(saved)
    assert not widget.is_empty and widget.to_png() == saved
    stroke(qtbot, widget, 60)  # drawing replaces it
    assert widget.to_png() != saved
