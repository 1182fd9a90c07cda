"""The export dialog shows the pack's narrative sections, drafted and editable, and 「待补充」."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.contracts.registry import get_contract
from app.export import narrative
from app.export.data import ExportData
from ui.context import AppContext
from ui.export_dialog import ExportDialog

KEY = ("monthly-analysis", "2026-10", "problems")


def _saved(ctx: AppContext) -> dict[tuple[str, str, str], narrative.Saved]:
    return ctx.call(lambda s: narrative.saved(ExportData(s, get_contract(s, "internet-om"))))


def test_narrative_is_drafted_edited_saved_and_reset(
    qtbot: QtBot, builtin_ctx: AppContext, tmp_path: Path
) -> None:
    dialog = ExportDialog(builtin_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    editor = dialog.narratives
    assert dialog.month.currentText() == "2026-10" and editor.isVisible()
    items = [editor.choice.itemText(i) for i in range(editor.choice.count())]
    assert items == [
        "月度分析报告（2026年10月） · 存在问题及建议",
        "月度分析报告（2026年10月） · 下月工作计划",
    ]
    draft = editor.text.toPlainText()
    assert draft == editor.sections[KEY].draft != ""  # drafted from the (empty) store
    assert "草稿" in editor.state.text() and not editor.save_button.isEnabled()

    editor.text.setPlainText("机房空调老化，建议甲方安排更换。")
    assert "尚未保存" in editor.state.text()
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = _saved(builtin_ctx)[KEY]
    assert saved.text == "机房空调老化，建议甲方安排更换。" and saved.updated_by == "张工"
    assert "已编辑" in editor.state.text()

    # a cleared section: the report is 「待补充」 in the preview, with the reason
    editor.text.setPlainText("  ")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert dialog.plan is not None
    reasons = {m.deliverable_code: m.reason for m in dialog.plan.incomplete}
    assert "「存在问题及建议」为空" in reasons["monthly-analysis"]
    assert "「存在问题及建议」为空" in dialog.incomplete_note.text()

    # back to the draft: the stored text is forgotten
    qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert KEY not in _saved(builtin_ctx)
    assert editor.text.toPlainText() == draft
    assert "monthly-analysis" not in {m.deliverable_code for m in dialog.plan.incomplete}

    # an edit not saved yet is saved by the export; 「待补充」 files are packed when ticked
    editor.text.setPlainText("第一条问题。\n第二条建议。")
    dialog.include_incomplete.setChecked(True)
    dialog.folder.setText(str(tmp_path))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已导出" in dialog.banner.text(), timeout=60_000)
    assert _saved(builtin_ctx)[KEY].text == "第一条问题。\n第二条建议。"
    folder = dialog.plan.folder
    with zipfile.ZipFile(tmp_path / f"{folder}.zip") as zf:
        manifest = json.loads(zf.read(f"{folder}/manifest.json"))
        assert len(manifest["files"]) == len(dialog.plan.files)  # 待补充 ones included
        report = next(f["path"] for f in manifest["files"] if f["path"].endswith("月.docx")
                      and f["form"] == "monthly_report")  # fmt: skip
        with zipfile.ZipFile(io.BytesIO(zf.read(f"{folder}/{report}"))) as docx:
            xml = docx.read("word/document.xml").decode("utf-8")
    assert "第一条问题。" in xml and "第二条建议。" in xml  # two numbered items of section 九
    dialog.close()
