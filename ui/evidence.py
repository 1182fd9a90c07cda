"""Evidence photos and screenshots: add from a file, paste, or drag and drop; thumbnails."""

from __future__ import annotations

from pathlib import Path

from app.errors import StoreError
from app.records import attachments
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from ui.signature_pad import png_bytes

THUMB = 56
IMAGE_FILTER = "*.png *.jpg *.jpeg *.gif *.bmp *.webp"


def images_from_mime(mime: QtCore.QMimeData) -> list[tuple[bytes, str]]:
    """Images carried by a paste or a drop: local image files, or image data."""
    found: list[tuple[bytes, str]] = []
    for url in mime.urls() if mime.hasUrls() else []:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.is_file():
                found.append((path.read_bytes(), path.name))
    if not found and mime.hasImage():
        image = QtGui.QImage(mime.imageData())
        if not image.isNull():
            stamp = QtCore.QDateTime.currentDateTime().toString("yyyyMMdd-HHmmss")
            found.append((png_bytes(image), f"截图-{stamp}.png"))
    return found


def has_images(mime: QtCore.QMimeData) -> bool:
    return mime.hasImage() or any(u.isLocalFile() for u in mime.urls())


class EvidenceStrip(QtWidgets.QWidget):
    """The photos attached to one record (or one checklist item)."""

    changed = Signal()
    error = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        owner_type: str,
        owner_id: str,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.owner_type = owner_type
        self.owner_id = owner_id
        self.locked = False
        self.setAcceptDrops(True)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.thumbs = QtWidgets.QListWidget()
        self.thumbs.setObjectName("thumbnails")
        self.thumbs.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.thumbs.setIconSize(QtCore.QSize(THUMB, THUMB))
        self.thumbs.setFlow(QtWidgets.QListView.Flow.LeftToRight)
        self.thumbs.setWrapping(False)
        self.thumbs.setFixedHeight(THUMB + 24)
        self.thumbs.setMovement(QtWidgets.QListView.Movement.Static)
        self.thumbs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.thumbs.setToolTip(tr("可拖入图片文件或截图，或按 Ctrl+V 粘贴"))
        layout.addWidget(self.thumbs, 1)
        buttons = QtWidgets.QVBoxLayout()
        self.add_button = QtWidgets.QPushButton(tr("添加图片…"))
        self.add_button.clicked.connect(self.choose_files)
        self.paste_button = QtWidgets.QPushButton(tr("粘贴截图"))
        self.paste_button.clicked.connect(self.paste)
        for button in (self.add_button, self.paste_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        def load(session: Session) -> list[tuple[str, str, bytes]]:
            rows = attachments.list_attachments(session, self.owner_type, self.owner_id)
            return [
                (a.filename, a.caption, attachments.blob_bytes(session, a.blob_sha256))
                for a in rows
            ]

        self.thumbs.clear()
        for filename, caption, data in self.ctx.call(load):
            pixmap = QtGui.QPixmap()
            pixmap.loadFromData(data)
            item = QtWidgets.QListWidgetItem(
                QtGui.QIcon(pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)),
                filename[:12],
            )
            item.setToolTip(caption or filename)
            self.thumbs.addItem(item)

    def count(self) -> int:
        return self.thumbs.count()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.add_button.setEnabled(not locked)
        self.paste_button.setEnabled(not locked)

    def add_images(self, images: list[tuple[bytes, str]]) -> bool:
        if self.locked or not images:
            return False
        try:
            self.ctx.call(
                lambda s: [
                    attachments.add_attachment(s, self.owner_type, self.owner_id, data, name)
                    for data, name in images
                ]
            )
        except StoreError as exc:
            self.error.emit(exc.message)
            return False
        self.refresh()
        self.changed.emit()
        return True

    def paste(self) -> bool:
        mime = QtWidgets.QApplication.clipboard().mimeData()
        return mime is not None and self.add_images(images_from_mime(mime))

    def choose_files(self) -> None:
        dialog = QtWidgets.QFileDialog(self, tr("选择图片"), "", tr("图片") + f" ({IMAGE_FILTER})")
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFiles)
        dialog.filesSelected.connect(
            lambda files: self.add_images([(Path(f).read_bytes(), Path(f).name) for f in files])
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def dragEnterEvent(self, event: QtGui.QDragEnterEvent) -> None:
        if not self.locked and has_images(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QtGui.QDropEvent) -> None:
        if self.add_images(images_from_mime(event.mimeData())):
            event.acceptProposedAction()
