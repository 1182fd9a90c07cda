"""知识库: search every record, browse and write knowledge articles, see what recurs.

- **搜索** (``Ctrl+F`` from anywhere in the main window): what is typed is searched
  a moment after typing pauses, on the thread pool, within the contract (or all
  contracts) and the kind and system chosen; each hit shows its title and a piece of
  its text with the matches highlighted. ``Enter`` or a double click opens the
  record (an article opens under 知识条目); 「整理为知识条目」 writes an article
  from a solved fault, request or finding.
- **知识条目**: the articles grouped by system, category and tag; the one selected
  is shown in full with 新建、编辑、审核签字 (a 复核人 signature locks it)、更正、导出.
- **常见问题**: problems ranked by how often they recurred, with the latest solution
  and the article written for them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import StoreError
from app.records import articles, knowledge
from app.search.query import Filters, Hit, Results, Snippet
from app.storage.store import Session
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.operations import Operation, ProgressView
from ui.pages.base import Opener, Page
from ui.qt import Qt, QtCore, QtGui, QtWidgets
from ui.signatures import open_amend_dialog, open_sign_dialog
from ui.suggestions import kind_label
from ui.widgets import Banner, SearchBox, ok_cancel, scrolling

ALL = ""
HTML_ROLE = Qt.ItemDataRole.UserRole + 1
MARK = "background:#ffe082;"
RESULTS = 50


def marked_html(snippet: Snippet) -> str:
    """The snippet as HTML with its matches highlighted (the text itself escaped)."""
    out, last = [], 0
    for start, end in snippet.spans:
        out += [
            html.escape(snippet.text[last:start]),
            f'<span style="{MARK}">{html.escape(snippet.text[start:end])}</span>',
        ]
        last = end
    out.append(html.escape(snippet.text[last:]))
    return "".join(out)


def hit_html(hit: Hit) -> str:
    """A hit as rich text; a voided record (作废) greyed and marked, as in the lists."""
    reviewed = " · " + html.escape(tr("已审核")) if hit.reviewed else ""
    voided = " · " + html.escape(tr("已作废")) if hit.voided else ""
    text = "#9aa0a6" if hit.voided else "#202124"
    return (
        f'<b style="color:{text};">[{html.escape(kind_label(hit.kind))}] '
        f"{marked_html(hit.title)}</b>"
        f'<span style="color:#5f6368;"> · {html.escape(hit.at[:10])}{reviewed}{voided}</span>'
        f'<br><span style="color:{text};">{marked_html(hit.snippet)}</span>'
    )


class HtmlDelegate(QtWidgets.QStyledItemDelegate):
    """Paints an item's :data:`HTML_ROLE` rich text (highlighted matches) instead of its text."""

    def _document(self, option: QtWidgets.QStyleOptionViewItem, index: Any) -> QtGui.QTextDocument:
        doc = QtGui.QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(str(index.data(HTML_ROLE) or ""))
        doc.setTextWidth(max(100, option.rect.width() - 8))
        return doc

    def paint(self, painter: QtGui.QPainter, option: Any, index: Any) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, option, painter)
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.left() + 4, option.rect.top() + 2)
        doc.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: Any, index: Any) -> QtCore.QSize:
        self.initStyleOption(option, index)
        width = option.widget.viewport().width() if option.widget else 600
        option.rect = QtCore.QRect(0, 0, width, 0)
        doc = self._document(option, index)
        return QtCore.QSize(width, int(doc.size().height()) + 6)


@dataclass
class ArticleFields:
    title: str = ""
    problem: str = ""
    cause: str = ""
    solution: str = ""
    steps: str = ""
    systems: list[str] | None = None
    category: str = ""
    tags: list[str] | None = None
    attachments: tuple[str, ...] = ()  # names of the pictures it already has


class ArticleDialog(QtWidgets.QDialog):
    """Write or edit an article; ``submit`` saves the fields (raises StoreError to stay open)."""

    def __init__(
        self,
        title: str,
        fields: ArticleFields,
        systems: list[tuple[str, str]],
        submit: Any,
        parent: QtWidgets.QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("articleDialog")
        self.setWindowTitle(title)
        self.submit = submit
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        self.title = QtWidgets.QLineEdit(fields.title)
        self.title.setObjectName("articleTitle")
        form.addRow(tr("标题"), self.title)
        self.systems = QtWidgets.QListWidget()
        self.systems.setMaximumHeight(90)
        chosen = set(fields.systems or [])
        for code, name in systems:
            item = QtWidgets.QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = code in chosen or name in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.systems.addItem(item)
        form.addRow(tr("适用系统"), self.systems)
        self.category = QtWidgets.QLineEdit(fields.category)
        form.addRow(tr("分类"), self.category)
        self.tags = QtWidgets.QLineEdit("，".join(fields.tags or []))
        self.tags.setPlaceholderText(tr("多个标签用逗号分隔"))
        form.addRow(tr("标签"), self.tags)
        self.texts: dict[str, QtWidgets.QPlainTextEdit] = {}
        for name, label in (
            ("problem", tr("问题现象")),
            ("cause", tr("原因")),
            ("solution", tr("解决方法")),
            ("steps", tr("操作步骤（每行一步）")),
        ):
            area = QtWidgets.QPlainTextEdit(str(getattr(fields, name)))
            area.setObjectName(f"article-{name}")
            area.setTabChangesFocus(True)
            area.setFixedHeight(64)
            form.addRow(label, area)
            self.texts[name] = area
        # pictures chosen in this dialog: saved with the article, in the same transaction
        self.pictures: list[tuple[str, bytes]] = []
        pictures = QtWidgets.QHBoxLayout()
        self.picture_list = list(fields.attachments)
        self.picture_names = QtWidgets.QLabel("、".join(self.picture_list) or tr("（无）"))
        self.picture_names.setObjectName("articlePictures")
        self.picture_names.setWordWrap(True)
        add = QtWidgets.QPushButton(tr("添加图片…"))
        add.setObjectName("addArticlePicture")
        add.clicked.connect(self.choose_pictures)
        pictures.addWidget(self.picture_names, 1)
        pictures.addWidget(add)
        form.addRow(tr("图片"), pictures)
        body = QtWidgets.QWidget()
        body.setLayout(form)
        layout.addWidget(scrolling(body), 1)  # the fields scroll on a small screen
        self.banner = Banner()
        layout.addWidget(self.banner)
        buttons, _ok = ok_cancel(self, tr("保存"))
        layout.addWidget(buttons)
        fit_window(self, 640, 620)

    def choose_pictures(self) -> None:
        files, _filter = QtWidgets.QFileDialog.getOpenFileNames(
            self, tr("添加图片"), "", tr("图片 (*.png *.jpg *.jpeg *.gif *.bmp *.webp)")
        )
        self.add_pictures([Path(f) for f in files])

    def add_pictures(self, files: list[Path]) -> None:
        """Read the chosen files now; whether each is a picture is checked when saving."""
        for path in files:
            try:
                self.pictures.append((path.name, path.read_bytes()))
            except OSError as exc:
                self.banner.error(tr("无法读取 {name}：{error}").format(name=path.name, error=exc))
                return
            self.picture_list.append(path.name)
            self.picture_names.setText("、".join(self.picture_list))

    def values(self) -> dict[str, Any]:
        systems = [
            str(self.systems.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.systems.count())
            if self.systems.item(i).checkState() == Qt.CheckState.Checked
        ]
        return {
            "title": self.title.text(),
            "category": self.category.text(),
            "tags": self.tags.text(),
            "systems": systems,
            **{name: area.toPlainText() for name, area in self.texts.items()},
        }

    def accept(self) -> None:
        """Save; a refusal is shown here and the dialog stays open with what was typed."""
        try:
            self.submit(self.values(), self.pictures)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        super().accept()


class KnowledgePage(Page):
    key = "knowledge"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        self._latest: Operation | None = None
        self.hits: list[Hit] = []
        self.rows: list[articles.ArticleRow] = []
        self.problems: list[knowledge.Problem] = []
        self.current: articles.ArticleRow | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(heading(tr("知识库")))
        self.banner = Banner()
        layout.addWidget(self.banner)
        layout.addLayout(self._search_bar())
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setObjectName("knowledgeTabs")
        self.tabs.addTab(self._results_tab(), tr("搜索结果"))
        self.tabs.addTab(self._articles_tab(), tr("知识条目"))
        self.tabs.addTab(self._common_tab(), tr("常见问题"))
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ building

    def _search_bar(self) -> QtWidgets.QHBoxLayout:
        bar = QtWidgets.QHBoxLayout()
        self.query = SearchBox()
        self.query.setObjectName("knowledgeSearch")
        self.query.setPlaceholderText(
            tr("搜索故障、服务请求、巡检异常和知识条目，如：卡纸、502 错误、nginx 超时（Ctrl+F）")
        )
        self.query.search.connect(lambda _text: self.run_search())
        self.query.returnPressed.connect(self._open_first)
        bar.addWidget(self.query, 4)
        self.kind = QtWidgets.QComboBox()
        self.kind.setObjectName("knowledgeKind")
        self.kind.addItem(tr("全部类别"), ALL)
        for code in ("fault", "request", "finding", "article"):
            self.kind.addItem(kind_label(code), code)
        self.kind.currentIndexChanged.connect(lambda _i: self.run_search())
        bar.addWidget(self.kind, 1)
        self.system = QtWidgets.QComboBox()
        self.system.setObjectName("knowledgeSystem")
        self.system.currentIndexChanged.connect(lambda _i: self.run_search())
        bar.addWidget(self.system, 1)
        self.everywhere = QtWidgets.QCheckBox(tr("所有合同"))
        self.everywhere.toggled.connect(lambda _on: self.run_search())
        bar.addWidget(self.everywhere)
        return bar

    def _results_tab(self) -> QtWidgets.QWidget:
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        self.results = QtWidgets.QListWidget()
        self.results.setObjectName("knowledgeResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.itemActivated.connect(lambda _item: self.open_hit())
        layout.addWidget(self.results, 1)
        row = QtWidgets.QHBoxLayout()
        self.summary = muted()
        row.addWidget(self.summary, 1)
        self.promote_button = QtWidgets.QPushButton(tr("整理为知识条目…"))
        self.promote_button.setObjectName("promoteHit")
        self.promote_button.clicked.connect(self.promote_hit)
        row.addWidget(self.promote_button)
        open_button = QtWidgets.QPushButton(tr("打开 (Enter)"))
        open_button.clicked.connect(self.open_hit)
        row.addWidget(open_button)
        layout.addLayout(row)
        return tab

    def _articles_tab(self) -> QtWidgets.QWidget:
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QHBoxLayout(tab)
        self.browse = QtWidgets.QTreeWidget()
        self.browse.setObjectName("knowledgeBrowse")
        self.browse.setHeaderHidden(True)
        self.browse.currentItemChanged.connect(lambda _new, _old: self._show_group())
        layout.addWidget(self.browse, 2)
        middle = QtWidgets.QVBoxLayout()
        self.article_list = QtWidgets.QListWidget()
        self.article_list.setObjectName("articleList")
        self.article_list.currentRowChanged.connect(self._show_article)
        middle.addWidget(self.article_list, 1)
        buttons = QtWidgets.QHBoxLayout()
        self.article_buttons: dict[str, QtWidgets.QPushButton] = {}
        for name, text, slot in (
            ("new", tr("新建…"), self.new_article),
            ("edit", tr("编辑…"), self.edit_article),
            ("review", tr("审核签字…"), self.review_article),
            ("amend", tr("更正…"), self.amend_article),
            ("export", tr("导出…"), self.export),
        ):
            button = QtWidgets.QPushButton(text)
            button.setObjectName(f"article-{name}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.article_buttons[name] = button
        middle.addLayout(buttons)
        layout.addLayout(middle, 3)
        self.detail = QtWidgets.QTextBrowser()
        self.detail.setObjectName("articleDetail")
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(lambda _url: self._open_source())
        layout.addWidget(self.detail, 4)
        return tab

    def _common_tab(self) -> QtWidgets.QWidget:
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        self.common = QtWidgets.QTableWidget(0, 5)
        self.common.setObjectName("commonProblems")
        self.common.setHorizontalHeaderLabels(
            [tr("次数"), tr("问题"), tr("涉及系统"), tr("最近的解决方法"), tr("知识条目")]
        )
        self.common.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.common.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.common.setWordWrap(True)
        header = self.common.horizontalHeader()
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.common.verticalHeader().hide()
        self.common.cellDoubleClicked.connect(lambda _r, _c: self.open_problem())
        layout.addWidget(self.common, 1)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(muted(tr("同一问题（不计数字与标点）出现两次及以上即列出，按次数排列。")), 1)
        promote = QtWidgets.QPushButton(tr("整理为知识条目…"))
        promote.setObjectName("promoteProblem")
        promote.clicked.connect(self.promote_problem)
        row.addWidget(promote)
        layout.addLayout(row)
        return tab

    # ------------------------------------------------------------------ refresh

    def refresh(self) -> None:
        self._load_systems()
        tab = self.tabs.currentIndex()
        if tab == 0:
            self.run_search()
        elif tab == 1:
            self._load_articles()
        else:
            self._load_common()

    def focus_search(self) -> None:
        """Ctrl+F: the search field, its text selected to be typed over."""
        self.tabs.setCurrentIndex(0)
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def _load_systems(self) -> None:
        try:
            systems = self.ctx.call(lambda s: self._systems(s))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        current = self.system.currentData()
        self.system.blockSignals(True)
        self.system.clear()
        self.system.addItem(tr("全部系统"), ALL)
        for code, name in systems:
            self.system.addItem(name, code)
        index = self.system.findData(current)
        self.system.setCurrentIndex(max(index, 0))
        self.system.blockSignals(False)

    def _systems(self, session: Session) -> list[tuple[str, str]]:
        from app.records import listings

        return listings.systems_by_use(session, self.ctx.contract) if self.ctx.contract else []

    def _filters(self) -> Filters:
        return Filters(
            contract=None if self.everywhere.isChecked() else self.ctx.contract or None,
            system=self.system.currentData() or None,
            kind=self.kind.currentData() or None,
        )

    # ------------------------------------------------------------------ search

    def run_search(self) -> None:
        """Search what is typed, off the GUI thread; an answer to older typing is dropped."""
        text, filters, today = self.query.text(), self._filters(), self.ctx.today()
        self._latest = None
        if not text.strip():
            self._show_results(Results(text, 0))
            return

        def work(_progress: object) -> Results:
            return self.ctx.call(
                lambda s: knowledge.find(s, text, filters, limit=RESULTS, today=today)
            )

        # no parent: its end is delivered even if the window closes meanwhile
        operation = Operation(tr("搜索"), work)
        self._latest = operation
        operation.succeeded.connect(self._answered)
        operation.failed.connect(self._search_failed)
        operation.start()

    def _answered(self, found: Results) -> None:
        if self.sender() is self._latest:
            self._show_results(found)

    def _search_failed(self, message: str) -> None:
        if self.sender() is self._latest:
            self.banner.error(message)

    def _show_results(self, found: Results) -> None:
        self.banner.clear_message()
        self.hits = found.hits
        self.results.clear()
        for hit in found.hits:
            item = QtWidgets.QListWidgetItem()
            item.setData(HTML_ROLE, hit_html(hit))
            item.setToolTip(hit.snippet.text)
            self.results.addItem(item)
        if found.hits:
            self.results.setCurrentRow(0)
        if not found.query.strip():
            self.summary.setText(tr("输入文字开始搜索；单字、词语、数字和英文都可以。"))
        elif found.more:
            self.summary.setText(
                tr(
                    "超过 {total} 条，显示最新记录中最相关的 {shown} 条；加上更多文字可缩小范围。"
                ).format(total=found.total, shown=len(found.hits))
            )
        elif found.total > len(found.hits):
            self.summary.setText(
                tr("共 {total} 条，显示最相关的 {shown} 条。").format(
                    total=found.total, shown=len(found.hits)
                )
            )
        else:
            self.summary.setText(tr("共 {total} 条。").format(total=found.total))

    def _current_hit(self) -> Hit | None:
        row = self.results.currentRow()
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def _open_first(self) -> None:
        if self.hits:
            self.results.setFocus()
            self.open_hit()

    def open_hit(self) -> None:
        hit = self._current_hit()
        if hit is not None:
            self.open_record(hit.open_type, hit.open_id)

    def open_record(self, open_type: str, record_id: str) -> None:
        if open_type == "fault_record":
            self.opener.open_fault(record_id)
        elif open_type == "service_request":
            self.opener.open_request(record_id)
        elif open_type == "inspection_run":
            self.opener.open_run(record_id)
        elif open_type == "knowledge_article":
            self.tabs.setCurrentIndex(1)
            self._select_article(record_id)

    def promote_hit(self) -> None:
        hit = self._current_hit()
        if hit is None:
            return
        if hit.kind == "article":
            self.banner.show_message(tr("这已是知识条目。"), "info")
            return
        source_type = {"fault": "fault_record", "request": "service_request"}.get(
            hit.kind, "item_result"
        )
        self._promote(source_type, hit.record_id)

    # ------------------------------------------------------------------ articles

    def _load_articles(self, select: str | None = None) -> None:
        contract = self.ctx.contract or None
        try:
            self.rows, catalogue = self.ctx.call(
                lambda s: (
                    articles.list_articles(s, contract),
                    knowledge.catalogue(s, contract),
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        chosen = self.browse.currentItem()
        keep = chosen.data(0, Qt.ItemDataRole.UserRole) if chosen else None
        self.browse.blockSignals(True)
        self.browse.clear()
        everything = QtWidgets.QTreeWidgetItem(
            [tr("全部条目（{n}，已审核 {r}）").format(n=catalogue.articles, r=catalogue.reviewed)]
        )
        everything.setData(0, Qt.ItemDataRole.UserRole, None)
        self.browse.addTopLevelItem(everything)
        for dimension, label, groups in (
            ("system", tr("按系统"), catalogue.systems),
            ("category", tr("按分类"), catalogue.categories),
            ("tag", tr("按标签"), catalogue.tags),
        ):
            top = QtWidgets.QTreeWidgetItem([label])
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for group in groups:
                child = QtWidgets.QTreeWidgetItem([f"{group.name}（{group.count}）"])
                child.setData(0, Qt.ItemDataRole.UserRole, (dimension, group.name))
                top.addChild(child)
                if keep == (dimension, group.name):
                    chosen = child
            self.browse.addTopLevelItem(top)
        self.browse.expandAll()
        self.browse.setCurrentItem(chosen if keep else everything)
        self.browse.blockSignals(False)
        self._show_group(select)

    def _show_group(self, select: str | None = None) -> None:
        item = self.browse.currentItem()
        group = item.data(0, Qt.ItemDataRole.UserRole) if item else None
        shown = self.rows
        if group:
            dimension, value = group
            try:
                shown = self.ctx.call(
                    lambda s: knowledge.articles_in(
                        s, self.ctx.contract or None, dimension=dimension, value=value
                    )
                )
            except StoreError as exc:
                self.banner.error(exc.message)
                return
        self.shown = shown
        self.article_list.blockSignals(True)
        self.article_list.clear()
        for row in shown:
            mark = "" if row.reviewed else tr("（未审核）")
            if row.voided:  # 作废: greyed, as in the record lists
                mark += tr("（已作废）")
            item = QtWidgets.QListWidgetItem(f"{row.number}  {row.title}{mark}")
            if row.voided:
                item.setForeground(QtGui.QColor("#9aa0a6"))
            self.article_list.addItem(item)
        self.article_list.blockSignals(False)
        index = next((n for n, r in enumerate(shown) if r.id == select), 0)
        self.article_list.setCurrentRow(index if shown else -1)
        self._show_article(self.article_list.currentRow())

    def _select_article(self, article_id: str) -> None:
        self.browse.setCurrentItem(self.browse.topLevelItem(0))
        self._load_articles(select=article_id)

    def _show_article(self, row: int) -> None:
        shown = getattr(self, "shown", [])
        self.current = shown[row] if 0 <= row < len(shown) else None
        current = self.current
        self.article_buttons["edit"].setEnabled(current is not None and not current.locked)
        self.article_buttons["review"].setEnabled(current is not None and not current.reviewed)
        self.article_buttons["amend"].setEnabled(current is not None and current.locked)
        if current is None:
            self.detail.setHtml("<p>" + html.escape(tr("还没有知识条目。")) + "</p>")
            return
        e = html.escape
        review = (
            tr("{name} 于 {time} 审核签字").format(
                name=current.reviewer, time=f"{current.reviewed_at:%Y-%m-%d %H:%M}"
            )
            if current.reviewed_at
            else tr("未审核")
        )
        systems, category, tags, author = tr("适用系统"), tr("分类"), tr("标签"), tr("作者")
        parts = [
            f"<h3>{e(current.number)} {e(current.title)}</h3>",
            f"<p>{e(systems)}：{e('、'.join(current.systems) or '—')}　"
            f"{e(category)}：{e(current.category or '—')}　"
            f"{e(tags)}：{e('、'.join(current.tags) or '—')}</p>",
            f"<p>{e(author)}：{e(current.author)}　{e(review)}</p>",
        ]
        for label, value in (
            (tr("问题现象"), current.problem),
            (tr("原因"), current.cause),
            (tr("解决方法"), current.solution),
            (tr("操作步骤"), current.steps),
        ):
            if value:
                body = "<br>".join(e(line) for line in value.splitlines())
                parts.append(f"<p><b>{e(label)}</b><br>{body}</p>")
        if current.attachments:
            pictures = tr("附图")
            parts.append(f"<p><b>{e(pictures)}</b><br>{e('、'.join(current.attachments))}</p>")
        if current.source_id:
            link = tr("打开来源记录")
            parts.append(f'<p><a href="source:">{e(link)}</a></p>')
        self.detail.setHtml("".join(parts))

    def _open_source(self) -> None:
        current = self.current
        if current is None or not current.source_type or not current.source_id:
            return
        source_type, source_id = current.source_type, current.source_id
        try:
            open_type, open_id = self.ctx.call(
                lambda s: articles.source_record(s, source_type, source_id)
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.open_record(open_type, open_id)

    def _systems_of_contract(self) -> list[tuple[str, str]]:
        return [
            (str(self.system.itemData(i)), self.system.itemText(i))
            for i in range(1, self.system.count())
        ]

    def new_article(self) -> None:
        if not self.ctx.contract:
            return
        contract = self.ctx.contract

        def submit(values: dict[str, Any], pictures: list[tuple[str, bytes]]) -> None:
            def work(s: Session) -> str:
                article = articles.create_article(s, contract, author=self.ctx.actor, **values)
                articles.attach_pictures(s, article.id, pictures)
                return article.id

            self._saved(self.ctx.call(work))

        self._dialog(tr("新建知识条目"), ArticleFields(), submit)

    def edit_article(self) -> None:
        current = self.current
        if current is None:
            return
        fields = ArticleFields(
            current.title,
            current.problem,
            current.cause,
            current.solution,
            current.steps,
            list(current.systems),
            current.category,
            list(current.tags),
            tuple(current.attachments),
        )

        def submit(values: dict[str, Any], pictures: list[tuple[str, bytes]]) -> None:
            def work(s: Session) -> None:
                articles.update_article(s, current.id, **values)
                articles.attach_pictures(s, current.id, pictures)

            self.ctx.call(work)
            self._saved(current.id)

        self._dialog(tr("编辑知识条目 {number}").format(number=current.number), fields, submit)

    def _promote(self, source_type: str, source_id: str) -> None:
        try:
            draft = self.ctx.call(lambda s: articles.promotion_draft(s, source_type, source_id))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        fields = ArticleFields(
            draft.title,
            draft.problem,
            draft.cause,
            draft.solution,
            draft.steps,
            draft.systems,
            draft.category,
            [],
        )

        def submit(values: dict[str, Any], pictures: list[tuple[str, bytes]]) -> None:
            def work(s: Session) -> str:
                article = articles.promote(
                    s, source_type, source_id, author=self.ctx.actor, **values
                )
                articles.attach_pictures(s, article.id, pictures)
                return article.id

            self._saved(self.ctx.call(work))

        self._dialog(tr("整理为知识条目"), fields, submit)

    def _dialog(self, title: str, fields: ArticleFields, submit: Any) -> None:
        dialog = ArticleDialog(title, fields, self._systems_of_contract(), submit, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _saved(self, article_id: str) -> None:
        self.ctx.changed()
        self.tabs.setCurrentIndex(1)
        self._select_article(article_id)

    def review_article(self) -> None:
        current = self.current
        if current is None:
            return
        open_sign_dialog(
            self.ctx,
            self,
            articles.RECORD_TYPE,
            current.id,
            articles.REVIEWER,
            tr("审核知识条目 {number}").format(number=current.number),
            lambda: self._select_article(current.id),
        )

    def amend_article(self) -> None:
        current = self.current
        if current is None:
            return
        open_amend_dialog(self.ctx, self, articles.RECORD_TYPE, current.id, self._saved)

    def export(self) -> None:
        contract = self.ctx.contract
        if not contract:
            return
        name, _filter = QtWidgets.QFileDialog.getSaveFileName(
            self,
            tr("导出知识库"),
            str(Path.home() / tr("技术服务知识库.docx")),
            tr("Word 维护文档库 (*.docx);;Excel 知识条目清单 (*.xlsx)"),
        )
        if not name:
            return
        from app.export.packs import export_form

        exporter, store = self.ctx.actor, self.ctx.store

        def work(_progress: object) -> str:
            start, end = self.ctx.call(lambda s: knowledge.export_period(s, contract))
            result = export_form(
                store,
                "knowledge_base",
                name,
                contract=contract,
                start=start,
                end=end,
                exporter=exporter,
            )
            return str(result.path)

        operation = Operation(tr("导出知识库"), work, self)
        operation.succeeded.connect(
            lambda path: self.banner.show_message(tr("已导出：{path}").format(path=path), "info")
        )
        operation.failed.connect(self.banner.error)
        ProgressView(self, operation).start()

    # ------------------------------------------------------------------ 常见问题

    def _load_common(self) -> None:
        contract = self.ctx.contract or None
        try:
            self.problems = self.ctx.call(lambda s: knowledge.common_problems(s, contract))
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.common.setRowCount(len(self.problems))
        for row, problem in enumerate(self.problems):
            systems = "、".join(name for name, _n in problem.systems.most_common(2))
            solution = (problem.solution.splitlines() or [""])[0]
            for column, text in enumerate(
                (str(problem.count), problem.text, systems, solution, problem.article)
            ):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(problem.solution if column == 3 else text)
                self.common.setItem(row, column, item)
        self.common.resizeColumnToContents(0)
        self.common.resizeRowsToContents()

    def _current_problem(self) -> knowledge.Problem | None:
        row = self.common.currentRow()
        return self.problems[row] if 0 <= row < len(self.problems) else None

    def open_problem(self) -> None:
        problem = self._current_problem()
        if problem is not None and problem.latest is not None:
            source_type, _source_id, open_id = problem.latest
            self.open_record(knowledge.OPEN_TYPES[source_type], open_id)

    def promote_problem(self) -> None:
        problem = self._current_problem()
        if problem is not None and problem.latest is not None:
            source_type, source_id, _open_id = problem.latest
            self._promote(source_type, source_id)
