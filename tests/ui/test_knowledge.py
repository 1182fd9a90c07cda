"""知识库 in the window: Ctrl+F from anywhere, highlighted hits, articles; suggestions and F4."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.records import articles, faults, requests
from tests.factories import png_bytes
from tests.ui.conftest import NOW, Keyboard, activate, wait_window
from ui.context import AppContext
from ui.forms.fault import FaultForm
from ui.forms.request import RequestForm
from ui.main_window import MainWindow
from ui.operations import Operation
from ui.pages.knowledge import HTML_ROLE, ArticleDialog, KnowledgePage

CTRL = Qt.KeyboardModifier.ControlModifier


def _solved(ctx: AppContext, description: str, resolution: str) -> str:
    def work(s: object) -> str:
        req = requests.log_request(
            s,  # type: ignore[arg-type]
            "test-portal",
            received_at=NOW.replace(hour=8),
            caller_unit="规划分局",
            category="打印",
            description=description,
            handler="张工",
            now=NOW,
        )
        requests.resolve_on_phone(s, req.id, resolution, now=NOW)  # type: ignore[arg-type]
        return req.id

    return ctx.call(work)


def test_ctrl_f_searches_and_enter_opens_the_record(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    rid = _solved(ctx, "二楼打印机卡纸", "取出卡纸，清理搓纸轮")
    _solved(ctx, "咨询办事流程", "已电话解答")
    window.nav.setFocus()
    keyboard.press(Qt.Key.Key_F, CTRL)
    page = window.pages["knowledge"]
    assert isinstance(page, KnowledgePage)
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.query.hasFocus())
    keyboard.type("卡纸")
    qtbot.waitUntil(lambda: page.results.count() == 1)
    html = page.results.item(0).data(HTML_ROLE)
    assert '<span style="background:#ffe082;">卡纸</span>' in html
    assert page.summary.text() == "共 1 条。"
    keyboard.enter()
    form = wait_window(qtbot, RequestForm)
    assert form.req_id == rid
    form.close()
    qtbot.waitUntil(lambda: not Operation.any_running())


def test_articles_are_written_reviewed_and_browsed(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    ctx.call(
        lambda s: articles.create_article(
            s,
            "test-portal",
            title="tomcat 内存溢出",
            author="张工",
            solution="调大 -Xmx 并重启",
            systems=["portal"],
            category="中间件",
            tags=["tomcat"],
        )
    )
    window.show_page("knowledge")
    page = window.pages["knowledge"]
    assert isinstance(page, KnowledgePage)
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.article_list.count() == 1)
    assert "调大 -Xmx 并重启" in page.detail.toPlainText()
    assert page.article_buttons["edit"].isEnabled()
    labels = [
        page.browse.topLevelItem(1).child(i).text(0)
        for i in range(page.browse.topLevelItem(1).childCount())
    ]
    assert labels == ["门户应用（1）"]
    current = page.current
    assert current is not None
    ctx.call(lambda s: articles.review(s, current.id, reviewer="李经理", png=png_bytes(), now=NOW))
    page.refresh()
    assert "李经理" in page.detail.toPlainText()
    assert not page.article_buttons["edit"].isEnabled()
    assert page.article_buttons["amend"].isEnabled()


def test_typing_a_request_offers_solved_problems_and_f4_inserts_one(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    _solved(ctx, "网上申报系统提交时报 502 错误", "重启 tomcat 服务后恢复")
    activate(qtbot, window)
    keyboard.press(Qt.Key.Key_F2)
    form = wait_window(qtbot, RequestForm)
    form.texts["description"].setFocus()
    qtbot.waitUntil(lambda: form.texts["description"].hasFocus())
    keyboard.type("申报提交报502错误")
    qtbot.waitUntil(lambda: form.suggestions.list.count() == 1)
    assert form.suggestions.isVisible()
    assert "502" in form.suggestions.list.item(0).text()
    keyboard.press(Qt.Key.Key_F4)
    assert form.texts["resolution"].toPlainText() == "重启 tomcat 服务后恢复"
    assert QApplication.focusWidget() is form.texts["resolution"]
    qtbot.waitUntil(lambda: not Operation.any_running())


def test_the_fault_form_offers_solutions_for_its_title_and_symptom(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, keyboard: Keyboard
) -> None:
    def closed_fault(s: object) -> None:
        fault = faults.create_fault(
            s,  # type: ignore[arg-type]
            "test-portal",
            title="数据库连接池耗尽",
            level="major",
            reported_at=NOW.replace(hour=7),
            now=NOW,
        )
        faults.update_fault(s, fault.id, process="扩大连接池并修复连接泄漏")  # type: ignore[arg-type]

    ctx.call(closed_fault)
    window.open_fault()
    form = wait_window(qtbot, FaultForm)
    form.texts["symptom"].setFocus()
    qtbot.waitUntil(lambda: form.texts["symptom"].hasFocus())
    keyboard.type("应用报连接池耗尽")
    qtbot.waitUntil(lambda: form.suggestions.list.count() == 1)
    keyboard.press(Qt.Key.Key_F4)
    assert form.texts["process"].toPlainText() == "扩大连接池并修复连接泄漏"
    qtbot.waitUntil(lambda: not Operation.any_running())


def test_an_article_written_in_the_window_keeps_its_pictures(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    window.show_page("knowledge")
    page = window.pages["knowledge"]
    assert isinstance(page, KnowledgePage)
    page.new_article()
    dialog = wait_window(qtbot, ArticleDialog)
    dialog.title.setText("打印机卡纸处理")
    dialog.texts["solution"].setPlainText("取出卡纸，清理搓纸轮")
    photo, note = tmp_path / "卡纸位置.png", tmp_path / "说明.txt"
    photo.write_bytes(png_bytes())
    note.write_text("不是图片")
    dialog.add_pictures([photo, note])
    assert dialog.picture_names.text() == "卡纸位置.png、说明.txt"
    dialog.accept()  # the text file is refused: nothing is saved, the dialog stays open
    assert dialog.isVisible() and "只能添加图片" in dialog.banner.text()
    assert ctx.call(lambda s: articles.list_articles(s, "test-portal")) == []
    dialog.pictures = [p for p in dialog.pictures if p[0].endswith(".png")]
    dialog.accept()
    assert not dialog.isVisible()
    (row,) = ctx.call(lambda s: articles.list_articles(s, "test-portal"))
    assert row.attachments == ("卡纸位置.png",)
    page.edit_article()
    edit = wait_window(qtbot, ArticleDialog)
    assert edit.picture_names.text() == "卡纸位置.png"
    edit.reject()


def test_a_voided_hit_and_article_are_greyed_and_marked(
    ctx: AppContext, qtbot: QtBot, window: MainWindow
) -> None:
    from app.records import signing
    from app.team.voids import void

    with ctx.store.session() as s:
        article = articles.create_article(
            s, ctx.contract, title="旧版证书更换说明", author="张工", solution="更换证书"
        )
        signing.sign(
            s, "knowledge_article", article.id, role="复核人", signer_name="王经理", png=png_bytes()
        )
        void(s, "knowledge_article", article.id, reason="内容有误", actor="王经理")
    page = window.pages["knowledge"]
    assert isinstance(page, KnowledgePage)
    window.show_page("knowledge")
    page.query.setText("证书更换")
    page.run_search()
    qtbot.waitUntil(lambda: page.results.count() == 1)
    assert "已作废" in page.results.item(0).data(HTML_ROLE)
    page._load_articles()
    item = page.article_list.item(0)
    assert item.text().endswith("（已作废）") and item.foreground().color().name() == "#9aa0a6"
