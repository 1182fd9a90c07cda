"""Signing a record: the signature block of a form, the signing dialog, 「更正」.

Roles are 运维人员, 复核人 and 甲方确认 (:data:`app.records.signing.ROLES`). The
engineer may keep their own signature for reuse, sealed under a PIN
(:mod:`app.records.signature_vault`); the client always signs fresh on the pad.

Once the PIN has been given in this run of the app, 完成并签字 signs with the
saved signature without the dialog (:func:`sign_with_kept`), unless the engineer
turned 「本次运行期间保留」 off (in the dialog or in 设置 → 我的签名).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import StoreError
from app.records import attachments, signature_vault, signing
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import fit_window, muted
from ui.qt import Qt, QtGui, QtWidgets, Signal
from ui.signature_pad import SignaturePad
from ui.widgets import Banner, ReasonDialog, ok_cancel

OPERATOR, REVIEWER, CLIENT = signing.ROLES


def role_label(role: str) -> str:
    return {OPERATOR: tr("运维人员"), REVIEWER: tr("复核人"), CLIENT: tr("甲方确认")}.get(
        role, role
    )


@dataclass(frozen=True)
class SignedCell:
    role: str
    signer_name: str
    signed_at: datetime
    png: bytes


def load_signatures(session: Session, record_type: str, record_id: str) -> list[SignedCell]:
    return [
        SignedCell(
            s.role, s.signer_name, s.signed_at, attachments.blob_bytes(session, s.image_sha256)
        )
        for s in signing.signatures_of(session, record_type, record_id)
    ]


class SignDialog(QtWidgets.QDialog):
    """Capture one signature; ``submit(name, png)`` signs and may raise a StoreError."""

    def __init__(
        self,
        ctx: AppContext,
        role: str,
        record_title: str,
        submit: Callable[[str, bytes], None],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.role = role
        self._submit = submit
        self.setWindowTitle(tr("签字：{role}").format(role=role_label(role)))
        self.setObjectName("signDialog")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(muted(record_title))
        self.banner = Banner()
        layout.addWidget(self.banner)

        form = QtWidgets.QFormLayout()
        self.name = QtWidgets.QLineEdit()
        self.name.setObjectName("signerName")
        if role == OPERATOR or (role == REVIEWER and ctx.settings.role == "项目经理"):
            self.name.setText(ctx.actor)
        form.addRow(tr("签字人"), self.name)
        layout.addLayout(form)

        self.pad = SignaturePad()
        self.pad.setObjectName("signaturePad")
        self.pad.setMinimumSize(480, 160)
        layout.addWidget(self.pad, 1)
        tools = QtWidgets.QHBoxLayout()
        clear = QtWidgets.QPushButton(tr("清除"))
        clear.clicked.connect(self.pad.clear)
        undo = QtWidgets.QPushButton(tr("撤销一笔"))
        undo.setObjectName("undoStroke")
        undo.clicked.connect(self.pad.undo_stroke)
        tools.addWidget(clear)
        tools.addWidget(undo)
        tools.addStretch(1)
        layout.addLayout(tools)

        self.saved_box = QtWidgets.QWidget()
        self.pin = QtWidgets.QLineEdit()
        self.remember = QtWidgets.QCheckBox(tr("保存为我的签名（下次输入 PIN 即可调用）"))
        self.new_pin = QtWidgets.QLineEdit()
        self.keep = QtWidgets.QCheckBox(tr("本次运行期间保留我的签名（完成并签字时不再询问 PIN）"))
        #: the signature the PIN unlocked (kept for the session after signing)
        self.unlocked: bytes | None = None
        if role == CLIENT:
            layout.addWidget(muted(tr("甲方确认须由甲方人员当场手写签名。")))
        else:
            saved = QtWidgets.QHBoxLayout(self.saved_box)
            saved.setContentsMargins(0, 0, 0, 0)
            self.pin.setObjectName("pin")
            self.pin.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
            self.pin.setPlaceholderText(tr("PIN/口令"))
            self.pin.setMaximumWidth(160)
            use = QtWidgets.QPushButton(tr("使用已保存的签名"))
            use.clicked.connect(self._use_saved)
            saved.addWidget(QtWidgets.QLabel(tr("已保存签名：")))
            saved.addWidget(self.pin)
            saved.addWidget(use)
            saved.addStretch(1)
            layout.addWidget(self.saved_box)
            self.keep.setObjectName("keepForSession")
            self.keep.setChecked(ctx.settings.keep_signature)
            self.keep.toggled.connect(lambda on: set_keep_signature(ctx, on))
            layout.addWidget(self.keep)
            keep = QtWidgets.QHBoxLayout()
            self.new_pin.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
            self.new_pin.setPlaceholderText(tr("设置 PIN（至少 4 位）"))
            self.new_pin.setMaximumWidth(180)
            self.new_pin.setEnabled(False)
            self.remember.toggled.connect(self.new_pin.setEnabled)
            keep.addWidget(self.remember)
            keep.addWidget(self.new_pin)
            keep.addStretch(1)
            layout.addLayout(keep)
            self.name.textChanged.connect(self._update_saved)
            self._update_saved()

        buttons, self.ok = ok_cancel(self, tr("签字"))
        self.ok.setObjectName("signButton")
        layout.addWidget(buttons)
        fit_window(self, 620, 420, place=False)
        (self.pin if self.saved_box.isVisibleTo(self) else self.pad).setFocus()

    def _folder(self) -> Path:
        return self.ctx.store.folder

    def _update_saved(self) -> None:
        has = signature_vault.has_signature(self._folder(), self.name.text())
        self.saved_box.setVisible(has)
        own = self.name.text().strip() == self.ctx.actor
        self.remember.setVisible(own)
        self.new_pin.setVisible(own)
        self.keep.setVisible(own)

    def _use_saved(self) -> bool:
        try:
            png = signature_vault.load_signature(self._folder(), self.name.text(), self.pin.text())
        except StoreError as exc:
            self.banner.error(exc.message)
            self.pin.selectAll()
            return False
        self.pad.show_png(png)
        self.unlocked = png
        self.remember.setChecked(False)
        self.banner.clear_message()
        return True

    def accept(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.banner.error(tr("请填写签字人姓名。"))
            self.name.setFocus()
            return
        if self.pad.is_empty and self.pin.text() and not self._use_saved():
            return  # Enter in the PIN field: the saved signature, or the PIN's error
        if self.pad.is_empty:
            self.banner.error(tr("请先在签名区手写签名。"))
            return
        png = self.pad.to_png()
        unlocked = png if png == self.unlocked else None  # not when drawn over afterwards
        try:
            if self.remember.isChecked() and self.role != CLIENT:
                signature_vault.save_signature(self._folder(), name, png, self.new_pin.text())
                unlocked = png
            self._submit(name, png)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        if unlocked is not None and name == self.ctx.actor and self.keep.isChecked():
            self.ctx.kept_signatures[name] = unlocked
        super().accept()


class SignatureBlock(QtWidgets.QGroupBox):
    """The three signature cells of a form: image, name and time, or a 「签字」 button."""

    sign_requested = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(tr("签字"), parent)
        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.images: dict[str, QtWidgets.QLabel] = {}
        self.captions: dict[str, QtWidgets.QLabel] = {}
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for column, role in enumerate(signing.ROLES):
            layout.addWidget(QtWidgets.QLabel(role_label(role)), 0, column)
            image = QtWidgets.QLabel()
            image.setFixedSize(108, 36)
            image.setStyleSheet("border-bottom:1px solid #888;")
            layout.addWidget(image, 1, column)
            caption = muted()
            layout.addWidget(caption, 2, column)
            button = QtWidgets.QPushButton(tr("签字"))
            button.setObjectName(f"sign-{role}")
            button.clicked.connect(lambda _checked=False, r=role: self.sign_requested.emit(r))
            layout.addWidget(button, 3, column)
            self.images[role], self.captions[role], self.buttons[role] = image, caption, button

    def show_signatures(self, cells: list[SignedCell], can_sign: bool) -> None:
        signed = {c.role: c for c in cells}
        for role in signing.ROLES:
            cell = signed.get(role)
            if cell is None:
                self.images[role].clear()
                self.captions[role].setText("")
            else:
                pixmap = QtGui.QPixmap()
                pixmap.loadFromData(cell.png, "PNG")
                self.images[role].setPixmap(
                    pixmap.scaled(
                        self.images[role].size(),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
                self.captions[role].setText(f"{cell.signer_name}\n{cell.signed_at:%Y-%m-%d %H:%M}")
            self.buttons[role].setVisible(cell is None)
            self.buttons[role].setEnabled(can_sign)


class AmendDialog(ReasonDialog):
    """「更正」: asks for the reason; ``submit(reason)`` creates the amendment."""

    def __init__(
        self, submit: Callable[[str], None], parent: QtWidgets.QWidget | None = None
    ) -> None:
        super().__init__(
            submit,
            parent,
            title=tr("更正已签字记录"),
            prompts=[
                tr("原记录保持不变；更正记录复制原内容，修改后需重新完成并签字。请填写更正原因：")
            ],
            action=tr("生成更正记录"),
            names=("amendReason", "amendButton"),
            height=240,
        )


def set_keep_signature(ctx: AppContext, keep: bool) -> None:
    """「本次运行期间保留我的签名」 on or off; off forgets the unlocked signature at once."""
    ctx.settings.keep_signature = keep
    ctx.settings.save()
    if not keep:
        ctx.kept_signatures.clear()


def sign_with_kept(ctx: AppContext, record_type: str, record_id: str) -> str:
    """Sign as 运维人员 with the signature unlocked earlier in this run, without a dialog.

    Returns the signer's name, or ``""`` when there is none to use (the option is
    off, or no PIN was given yet) and the dialog must ask. Raises StoreError when
    the record refuses the signature.
    """
    png = ctx.kept_signatures.get(ctx.actor) if ctx.settings.keep_signature else None
    if png is None:
        return ""
    name = ctx.actor
    ctx.call(
        lambda s: signing.sign(s, record_type, record_id, role=OPERATOR, signer_name=name, png=png)
    )
    ctx.changed()
    return name


def open_sign_dialog(
    ctx: AppContext,
    parent: QtWidgets.QWidget,
    record_type: str,
    record_id: str,
    role: str,
    title: str,
    done: Callable[[], None],
) -> SignDialog:
    """Open (non-modal to the app, modal to ``parent``) the dialog that signs a record."""

    def submit(name: str, png: bytes) -> None:
        ctx.call(
            lambda s: signing.sign(s, record_type, record_id, role=role, signer_name=name, png=png)
        )

    dialog = SignDialog(ctx, role, title, submit, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.accepted.connect(done)
    dialog.accepted.connect(ctx.changed)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def open_amend_dialog(
    ctx: AppContext,
    parent: QtWidgets.QWidget,
    record_type: str,
    record_id: str,
    done: Callable[[str], None],
) -> AmendDialog:
    """Ask for a reason, create the amendment, and hand its id to ``done``."""
    created: list[str] = []

    def submit(reason: str) -> None:
        created.append(
            ctx.call(
                lambda s: (
                    signing.amend(s, record_type, record_id, reason=reason, actor=ctx.actor).id
                )
            )
        )

    dialog = AmendDialog(submit, parent)
    dialog.accepted.connect(ctx.changed)
    dialog.accepted.connect(lambda: done(created[-1]))
    dialog.finished.connect(dialog.deleteLater)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.open()
    return dialog


class MySignatureDialog(QtWidgets.QDialog):
    """Record the engineer's own signature for reuse, sealed under a PIN."""

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(tr("我的签名"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr(
                    "签名以 PIN/口令加密保存在本机数据目录中，签字时输入 PIN 即可调用；"
                    "甲方确认不使用已保存的签名。"
                )
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.pad = SignaturePad()
        self.pad.setMinimumSize(480, 160)
        layout.addWidget(self.pad, 1)
        tools = QtWidgets.QHBoxLayout()
        clear = QtWidgets.QPushButton(tr("清除"))
        clear.clicked.connect(self.pad.clear)
        undo = QtWidgets.QPushButton(tr("撤销一笔"))
        undo.clicked.connect(self.pad.undo_stroke)
        tools.addWidget(clear)
        tools.addWidget(undo)
        tools.addStretch(1)
        layout.addLayout(tools)
        form = QtWidgets.QFormLayout()
        self.pin = QtWidgets.QLineEdit()
        self.pin.setObjectName("newPin")
        self.again = QtWidgets.QLineEdit()
        self.again.setObjectName("repeatPin")
        for edit in (self.pin, self.again):
            edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(tr("PIN/口令（至少 4 位）"), self.pin)
        form.addRow(tr("再次输入"), self.again)
        layout.addLayout(form)
        buttons, _ok = ok_cancel(self, tr("保存"))
        layout.addWidget(buttons)
        fit_window(self, 600, 400, place=False)

    def accept(self) -> None:
        if self.pad.is_empty:
            self.banner.error(tr("请先在签名区手写签名。"))
            return
        if self.pin.text() != self.again.text():
            self.banner.error(tr("两次输入的 PIN 不一致。"))
            return
        try:
            signature_vault.save_signature(
                self.ctx.store.folder, self.ctx.actor, self.pad.to_png(), self.pin.text()
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        super().accept()
