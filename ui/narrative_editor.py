"""The narrative sections of a pack, editable in the export dialog.

Each report of the pack with prose sections (运维月报: 存在问题及建议, 下月工作计划;
summaries: 分析, 建议 …) is listed with its sections; a section shows the
text the export will print — the user's saved text, or the draft made from the
data (:mod:`app.export.narrative`). Edits are kept per section until saved
(「保存文字」, or the export, which saves them first); 「恢复为草稿」 forgets the
saved text so the section is drafted from the data again.
"""

from __future__ import annotations

from app.export import narrative
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import muted
from ui.qt import QtWidgets, Signal

Key = tuple[str, str, str]  # deliverable code, period key, section


class NarrativeEditor(QtWidgets.QGroupBox):
    saved = Signal()  # texts were written to the store

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(tr("报告文字段落（据数据生成，可修改）"), parent)
        self.ctx = ctx
        self.setObjectName("narrativeEditor")
        self.occurrences: list[narrative.Occurrence] = []
        self.sections: dict[Key, narrative.Section] = {}
        self.pending: dict[Key, str] = {}
        self.current: Key | None = None
        layout = QtWidgets.QVBoxLayout(self)
        self.choice = QtWidgets.QComboBox()
        self.choice.setObjectName("narrativeSection")
        self.choice.currentIndexChanged.connect(self._show)
        layout.addWidget(self.choice)
        self.text = QtWidgets.QPlainTextEdit()
        self.text.setObjectName("narrativeText")
        self.text.setPlaceholderText(tr("此段为空，导出时该交付物将标为「待补充」。"))
        self.text.textChanged.connect(self._edited)
        self.text.setMinimumHeight(90)
        layout.addWidget(self.text, 1)
        row = QtWidgets.QHBoxLayout()
        self.state = muted()
        self.state.setObjectName("narrativeState")
        row.addWidget(self.state, 1)
        self.reset_button = QtWidgets.QPushButton(tr("恢复为草稿"))
        self.reset_button.setObjectName("narrativeReset")
        self.reset_button.clicked.connect(self.reset)
        self.save_button = QtWidgets.QPushButton(tr("保存文字"))
        self.save_button.setObjectName("narrativeSave")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.reset_button)
        row.addWidget(self.save_button)
        layout.addLayout(row)

    # ------------------------------------------------------------------ content

    def set_occurrences(self, occurrences: list[narrative.Occurrence]) -> None:
        """Show the sections of a (new) plan; unsaved edits of the same sections are kept."""
        keep = self.current
        self.occurrences = occurrences
        self.sections = {}
        self.choice.blockSignals(True)
        self.choice.clear()
        for o in occurrences:
            for s in o.sections:
                key = (s.deliverable_code, s.period_key, s.key)
                self.sections[key] = s
                self.choice.addItem(f"{o.label} · {s.title}", key)
        self.pending = {k: v for k, v in self.pending.items() if k in self.sections}
        self.choice.blockSignals(False)
        self.setVisible(bool(self.sections))
        index = self.choice.findData(keep) if keep in self.sections else 0
        self.current = None
        self.choice.setCurrentIndex(max(index, 0))
        self._show()

    def _show(self) -> None:
        key = self.choice.currentData()
        self.current = key if key in self.sections else None
        self.text.blockSignals(True)
        self.text.setPlainText(self._text(key) if self.current else "")
        self.text.blockSignals(False)
        self._update_state()

    def _text(self, key: Key) -> str:
        return self.pending.get(key, self.sections[key].text)

    def _edited(self) -> None:
        if self.current is None:
            return
        value = self.text.toPlainText()
        if value == self.sections[self.current].text:
            self.pending.pop(self.current, None)
        else:
            self.pending[self.current] = value
        self._update_state()

    def _update_state(self) -> None:
        key = self.current
        if key is None:
            self.state.setText("")
            self.reset_button.setEnabled(False)
            self.save_button.setEnabled(False)
            return
        section = self.sections[key]
        if key in self.pending:
            text = tr("已修改，尚未保存（导出时自动保存）")
        elif section.edited:
            when = section.edited_at.strftime("%Y-%m-%d %H:%M") if section.edited_at else ""
            text = tr("已编辑（{who} {when}），导出时使用此文字").format(
                who=section.edited_by, when=when
            )
        else:
            text = tr("据本期数据生成的草稿；未修改时每次导出按最新数据重新生成")
        self.state.setText(text)
        self.reset_button.setEnabled(section.edited or key in self.pending)
        self.save_button.setEnabled(bool(self.pending))

    # ------------------------------------------------------------------ store

    def save(self) -> None:
        """Write every pending edit in one unit of work.

        A refused text raises :class:`~app.errors.StoreError` (its message is for the
        user) and nothing is written.
        """
        if not self.pending:
            return
        contract, edits, actor = self.ctx.contract, dict(self.pending), self.ctx.actor
        self.ctx.call(lambda s: narrative.save_edits(s, contract, edits, actor))
        self.pending.clear()
        self.saved.emit()

    def reset(self) -> None:
        """Forget the saved (and pending) text of the shown section: it is drafted again."""
        key = self.current
        if key is None:
            return
        self.pending.pop(key, None)
        contract = self.ctx.contract
        self.ctx.call(lambda s: narrative.reset_section(s, contract, key))
        self.saved.emit()
