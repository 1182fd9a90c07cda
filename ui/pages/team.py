"""团队: this laptop's identity, colleagues, and exchange bundles carried by hand.

「导出交换包…」 asks where to write and the bundle's passphrase, then writes it off
the GUI thread with progress and 「取消」 (:func:`app.team.bundles.export_bundle`).
「导入交换包…」 asks for the file and its passphrase, previews what would arrive
(:func:`~app.team.bundles.preview_bundle`: counts by kind and engineer, conflicts,
quarantined rows, a signer not yet trusted with its fingerprint) and imports only
after 「导入」 (:func:`~app.team.bundles.import_bundle`, one transaction: a refusal or
a cancel leaves the store as it was). Below: the conflicts and quarantined rows
that exchanges left for the PM.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from app.errors import StoreError
from app.storage.secrets import MIN_PASSPHRASE
from app.team import bundles, identity, overview, tables, voids
from app.team.container import BundleCancelled
from app.team.duplicates import DuplicateRuns, duplicate_runs
from app.team.merge import StartDate
from app.team.profiles import ProfileUpdate
from ui.context import AppContext
from ui.i18n import tr
from ui.layout import fit_window, heading, muted
from ui.models import Column, RowTableModel
from ui.operations import Cancelled, Operation, Progress, ProgressView
from ui.pages.base import Opener, Page
from ui.pages.team_void import VoidDuplicateDialog
from ui.qt import Qt, QtWidgets
from ui.widgets import Banner, RecordTable, ok_cancel, scrolling

BUNDLE_SUFFIX = ".omwbundle"
BUNDLE_FOLDER = "bundles"
#: the role (设置 → 岗位) that resolves what exchanges leave behind
MANAGER = "项目经理"


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def profile_line(update: ProfileUpdate) -> str:
    return tr("合同档案已更新（版本 {n}，来自 {who}）：{contract}").format(
        n=update.version, who=update.publisher, contract=f"{update.code} {update.name}"
    )


def start_date_line(start: StartDate) -> str:
    """A contract whose 启用日期 differs from the bundle's: taken here, or kept (how to align)."""
    ours = f" {start.ours.isoformat()}" if start.ours else tr("未声明")
    theirs = f" {start.theirs.isoformat()}" if start.theirs else tr("未声明")
    if start.taken:
        text = tr("启用日期：合同 {contract} 采用交换包中的{theirs}（本机原为{ours}，尚无记录）")
        return text.format(contract=start.code, theirs=theirs, ours=ours)
    return tr(
        "！启用日期：合同 {contract} 本机为{ours}，交换包中为{theirs}。本机已有记录，保留本机的；"
        "要与之一致，在「设置」→「启用日期…」中改为{theirs}。"
    ).format(contract=start.code, theirs=theirs, ours=ours)


def trust_label(member: identity.Member) -> str:
    if member.own:
        return tr("本机")
    if member.trusted:
        return tr("已信任（{who}）").format(who=member.trusted_by)
    return tr("未信任")


def fill_height(table: QtWidgets.QTableView) -> None:
    """The table takes the height left, from its minimum up: the page's word-wrapped notes make
    its scroll area size it by preferred heights, and a table's (≈ 190 px) pushed the page's
    last row — the buttons under the tables — below a 1366×768 screen."""
    policy = table.sizePolicy()
    policy.setVerticalPolicy(QtWidgets.QSizePolicy.Policy.Ignored)
    table.setSizePolicy(policy)


class MemberRow(NamedTuple):
    id: str
    engineer: str
    code: str
    fingerprint: str
    trust: str
    last_import: str
    last_export: str
    trusted: bool


class HeldRow(NamedTuple):
    id: str
    at: str
    kind: str
    what: str
    reason: str
    source: str


class BundlePassphraseDialog(QtWidgets.QDialog):
    """The bundle's passphrase: typed twice when writing one, once when reading one."""

    def __init__(self, new: bool, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.new = new
        self.setObjectName("bundlePassphraseDialog")
        self.setWindowTitle(tr("交换包口令"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            muted(
                tr("交换包用此口令加密。口令请当面或电话告知同事，不要与文件放在一起。")
                if new
                else tr("请输入同事告知的交换包口令。")
            )
        )
        self.banner = Banner()
        layout.addWidget(self.banner)
        form = QtWidgets.QFormLayout()
        self.first = QtWidgets.QLineEdit()
        self.first.setObjectName("bundlePassphrase")
        self.second = QtWidgets.QLineEdit()
        self.second.setObjectName("bundlePassphraseAgain")
        for edit in (self.first, self.second):
            edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        form.addRow(tr("口令"), self.first)
        if new:
            form.addRow(tr("再次输入"), self.second)
        else:
            self.second.hide()
        layout.addLayout(form)
        buttons, self.ok = ok_cancel(self, tr("确定"))
        layout.addWidget(buttons)
        fit_window(self, 440, 200, place=False)
        self.first.setFocus()

    def passphrase(self) -> str:
        return self.first.text()

    def accept(self) -> None:
        text = self.first.text()
        if len(text) < MIN_PASSPHRASE:
            self.banner.error(tr("口令至少 {n} 个字符。").format(n=MIN_PASSPHRASE))
            return
        if self.new and text != self.second.text():
            self.banner.error(tr("两次输入的口令不一致。"))
            return
        super().accept()


class BundlePreviewDialog(QtWidgets.QDialog):
    """What a bundle would bring, before anything is written; 「导入」 goes on."""

    def __init__(self, report: bundles.ImportReport, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.report = report
        self.setObjectName("bundlePreviewDialog")
        self.setWindowTitle(tr("导入预览：{name}").format(name=report.file_name))
        layout = QtWidgets.QVBoxLayout(self)
        signer = report.signer
        layout.addWidget(
            muted(
                tr("签名：{who}").format(
                    who=" ".join(x for x in (signer.code, signer.engineer) if x) or tr("未命名")
                )
                + "　"
                + tr("指纹 {fp}（设备 {device}）").format(
                    fp=signer.fingerprint, device=signer.device_id[:8]
                )
            )
        )
        self.trust = QtWidgets.QCheckBox(
            tr("已与对方核对指纹 {fp}，信任此设备").format(fp=signer.fingerprint)
        )
        self.trust.setObjectName("trustSigner")
        self.needs_trust = not (signer.trusted or signer.own)
        self.banner = Banner()
        layout.addWidget(self.banner)
        if self.needs_trust:
            self.banner.show_message(
                tr("此交换包由本机尚未信任的设备签名。请当面或电话与对方核对指纹后再信任。"),
                "lock",
            )
            layout.addWidget(self.trust)
        else:
            self.trust.hide()
        if report.refusal:
            self.banner.error(report.refusal)
        self.details = QtWidgets.QTextBrowser()
        self.details.setObjectName("bundlePreview")
        self.details.setPlainText("\n".join(self.lines()))
        layout.addWidget(self.details, 1)
        buttons, self.ok = ok_cancel(self, tr("导入"))
        self.ok.setObjectName("importBundle")
        self.ok.setEnabled(not report.refusal)
        layout.addWidget(buttons)
        fit_window(self, 600, 460, place=False)

    def lines(self) -> list[str]:
        r = self.report
        out = [tr("尚未写入任何内容。")]
        new = [f"{tables.LABELS.get(k, k)} {v}" for k, v in r.new.items() if v]
        out.append(tr("新增：{items}").format(items="、".join(new) or tr("无（本机已全部拥有）")))
        out += [profile_line(update) for update in r.profiles]
        out += [start_date_line(start) for start in r.start_dates]
        if r.by_engineer:
            people = [f"{k} {v}" for k, v in sorted(r.by_engineer.items())]
            out.append(tr("按工程师（新增的签字记录）：{items}").format(items="、".join(people)))
        present = sum(r.present.values())
        if present:
            out.append(tr("本机已有、跳过：{n} 项").format(n=present))
        out.append(tr("更正冲突：{n} 项").format(n=len(r.conflicts)))
        out += [f"  - {c.line()}" for c in r.conflicts]
        if r.duplicates:
            out.append(tr("同一周期重复的巡检：{n} 项").format(n=len(r.duplicates)))
            out += [f"  - {d.line()}" for d in r.duplicates]
        out.append(tr("隔离（内容不同，不合并）：{n} 项").format(n=len(r.quarantined)))
        out += [f"  - {h.line()}" for h in r.quarantined[:50]]
        return out

    def accept(self) -> None:
        if self.needs_trust and not self.trust.isChecked():
            self.banner.error(tr("请先与对方核对指纹并勾选信任，或取消导入。"))
            return
        super().accept()


class TeamPage(Page):
    key = "team"

    def __init__(self, ctx: AppContext, opener: Opener) -> None:
        super().__init__(ctx, opener)
        self.operation: Operation | None = None
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(heading(tr("团队")), 1)
        self.export_button = QtWidgets.QPushButton(tr("导出交换包…"))
        self.export_button.setObjectName("exportBundle")
        self.export_button.clicked.connect(self.choose_export)
        self.import_button = QtWidgets.QPushButton(tr("导入交换包…"))
        self.import_button.setObjectName("importBundleButton")
        self.import_button.clicked.connect(self.choose_import)
        top.addWidget(self.export_button)
        top.addWidget(self.import_button)
        layout.addLayout(top)
        self.banner = Banner()
        layout.addWidget(self.banner)
        content = QtWidgets.QWidget()
        inner = QtWidgets.QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self._identity_box())
        inner.addWidget(self._members_box(), 1)
        inner.addWidget(self._held_box(), 1)
        layout.addWidget(scrolling(content), 1)  # a small screen scrolls instead of clipping

    # ------------------------------------------------------------------ building

    def _identity_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(tr("本机"))
        form = QtWidgets.QFormLayout(box)
        self.device = QtWidgets.QLabel()
        self.device.setObjectName("deviceCode")
        self.device.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(tr("设备指纹"), self.device)
        row = QtWidgets.QHBoxLayout()
        self.engineer = QtWidgets.QLineEdit()
        self.engineer.setObjectName("engineerName")
        self.code = QtWidgets.QLineEdit()
        self.code.setObjectName("engineerCode")
        self.code.setMaxLength(4)
        self.code.setMaximumWidth(80)
        self.code.setPlaceholderText("ZS")
        save = QtWidgets.QPushButton(tr("保存"))
        save.setObjectName("saveIdentity")
        save.clicked.connect(self.save_identity)
        code_label = QtWidgets.QLabel(tr("简码"))
        code_label.setBuddy(self.code)
        row.addWidget(self.engineer, 1)
        row.addWidget(code_label)
        row.addWidget(self.code)
        row.addWidget(save)
        form.addRow(tr("工程师"), row)
        form.addRow(
            muted(tr("简码（2–4 个字母）写入本机生成的单号，如 GZ-202611-ZS-004，团队内不能重复。"))
        )
        self.contract_scope = QtWidgets.QComboBox()
        self.contract_scope.setObjectName("bundleScope")
        self.contract_scope.addItem(tr("全部合同"), "")
        self.contract_scope.addItem(tr("当前合同"), "current")
        self.since = QtWidgets.QComboBox()
        self.since.setObjectName("bundleSince")
        scope = QtWidgets.QHBoxLayout()
        scope.addWidget(self.contract_scope)
        scope.addWidget(QtWidgets.QLabel(tr("发给")))
        scope.addWidget(self.since, 1)
        form.addRow(tr("导出范围"), scope)
        return box

    def _members_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(tr("同事与最近交换"))
        layout = QtWidgets.QVBoxLayout(box)
        self.members_model = RowTableModel(
            [
                Column(tr("工程师"), "engineer", 100),
                Column(tr("简码"), "code", 50),
                Column(tr("指纹"), "fingerprint", 170),
                Column(tr("信任"), "trust", 110),
                Column(tr("最近导入"), "last_import", 130),
                Column(tr("最近导出"), "last_export", 130),
            ],
            tone=lambda row: None if row.trusted else "warn",
        )
        self.members = RecordTable(self.members_model)
        self.members.setObjectName("membersTable")
        self.members.setMinimumHeight(90)
        fill_height(self.members)
        layout.addWidget(self.members, 1)
        trust_row = QtWidgets.QHBoxLayout()
        self.trust_button = QtWidgets.QPushButton(tr("信任所选设备…"))
        self.trust_button.setObjectName("trustMember")
        self.trust_button.clicked.connect(self.trust_selected)
        trust_row.addWidget(muted(tr("信任前请当面或电话核对对方「团队」页上的设备指纹。")), 1)
        trust_row.addWidget(self.trust_button)
        layout.addLayout(trust_row)
        return box

    def _held_box(self) -> QtWidgets.QGroupBox:
        box = QtWidgets.QGroupBox(tr("冲突与隔离"))
        layout = QtWidgets.QVBoxLayout(box)
        self.held_model = RowTableModel(
            [
                Column(tr("时间"), "at", 130),
                Column(tr("类别"), "kind", 80),
                Column(tr("记录"), "what", 260),
                Column(tr("来自"), "source", 90),
                Column(tr("原因"), "reason", 300),  # the last: it takes the width left
            ]
        )
        self.held = RecordTable(self.held_model)
        self.held.setObjectName("heldTable")
        self.held.setMinimumHeight(90)
        fill_height(self.held)
        layout.addWidget(self.held, 1)
        self.held.selectionModel().currentRowChanged.connect(self._held_chosen)
        self.held.opened.connect(self.void_duplicate)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(
            muted(
                tr(
                    "更正冲突：同一记录在两台电脑上各更正了一次，请在保留的那份上再「更正」。"
                    "重复巡检：同一周期的同一检查在两台电脑上各签了一份，请作废多出的一份。"
                    "隔离：同一编号、内容不同的记录，未合并，原记录保持不变。"
                )
            ),
            1,
        )
        self.void_button = QtWidgets.QPushButton(tr("作废多出的一份…"))
        self.void_button.setObjectName("voidDuplicate")
        self.void_button.clicked.connect(lambda: self.void_duplicate())
        row.addWidget(self.void_button)
        layout.addLayout(row)
        self.duplicates: dict[str, DuplicateRuns] = {}
        return box

    # ------------------------------------------------------------------ loading

    def _refresh_now(self) -> None:
        self._stale = False
        self.refresh()  # the team spans contracts: no current contract is needed

    def refresh(self) -> None:
        store = self.ctx.store
        try:
            me = identity.whoami(store)
            people = identity.members(store)
            conflicts, twice, held = self.ctx.call(
                lambda s: (
                    overview.open_conflicts(s),
                    duplicate_runs(s),
                    overview.quarantined(s),
                )
            )
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.device.setText(
            tr("{fp}（设备 {device}）").format(fp=me.fingerprint, device=me.device_id[:8])
        )
        if not self.engineer.hasFocus():
            self.engineer.setText(me.engineer or self.ctx.actor)
        if not self.code.hasFocus():
            self.code.setText(me.code)
        self.members_model.set_rows(
            [
                MemberRow(
                    m.device_id,
                    (m.engineer or tr("未命名")) + (tr("（本机）") if m.own else ""),
                    m.code,
                    m.fingerprint,
                    trust_label(m),
                    when(m.last_import),
                    when(m.last_export),
                    m.trusted or m.own,
                )
                for m in people
            ]
        )
        chosen = self.since.currentData()
        self.since.clear()
        self.since.addItem(tr("任何人（全部内容）"), "")
        for m in people:
            if not m.own and m.code and m.last_import:
                self.since.addItem(
                    tr("{name}（只含对方缺少的）").format(name=f"{m.code} {m.engineer}"), m.code
                )
        self.since.setCurrentIndex(max(self.since.findData(chosen), 0) if chosen else 0)
        rows = [
            HeldRow(
                f"c{n}",
                "",
                tr("更正冲突"),
                c.label,
                tr("{n} 份并行的更正（{who}）").format(
                    n=len(c.amendment_ids), who="、".join(c.amended_by)
                ),
                "",
            )
            for n, c in enumerate(conflicts)
        ]
        self.duplicates = {f"d{n}": d for n, d in enumerate(twice)}
        rows += [
            HeldRow(
                key,
                "",
                tr("重复巡检"),
                d.label,
                tr("同一周期 {n} 份已签字的记录（{who}）").format(n=len(d.runs), who=d.who()),
                "、".join(dict.fromkeys(run.device for run in d.runs if run.device)),
            )
            for key, d in self.duplicates.items()
        ]
        rows += [
            HeldRow(f"q{n}", when(q.at), q.kind, q.record_id[:8], q.reason, q.signer)
            for n, q in enumerate(held)
        ]
        self.held_model.set_rows(rows)
        self._held_chosen()

    # ------------------------------------------------------------------ duplicates

    def _chosen_duplicate(self) -> DuplicateRuns | None:
        index = self.held.currentIndex()
        if not index.isValid():
            return None
        return self.duplicates.get(self.held_model.row_at(index.row()).id)

    def _held_chosen(self, *_args: object) -> None:
        self.void_button.setEnabled(self._chosen_duplicate() is not None)

    def void_duplicate(self, row_id: str | None = None) -> VoidDuplicateDialog | None:
        """「作废多出的一份…」 on the chosen 重复巡检 row (or the row opened)."""
        duplicate = self.duplicates.get(row_id) if row_id else self._chosen_duplicate()
        if duplicate is None:
            if not row_id:
                self.banner.error(tr("请先在「冲突与隔离」中选择一项「重复巡检」。"))
            return None
        manager = self.ctx.settings.role == MANAGER
        dialog = VoidDuplicateDialog(duplicate, self._void, self, by_manager=manager)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _void(self, run_id: str, reason: str) -> None:
        actor = self.ctx.actor
        self.ctx.call(lambda s: voids.void(s, "inspection_run", run_id, reason=reason, actor=actor))
        self.banner.show_message(
            tr("已作废：该记录不再计入待办、统计和交付包；交换后在同事处同样作废。")
        )
        self.ctx.changed()
        self.refresh()

    # ------------------------------------------------------------------ identity and trust

    def save_identity(self) -> None:
        try:
            me = identity.set_identity(self.ctx.store, self.engineer.text(), self.code.text())
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.banner.show_message(
            tr("已保存：{name}，简码 {code}。").format(name=me.engineer, code=me.code)
        )
        self.refresh()

    def trust_selected(self) -> None:
        index = self.members.currentIndex()
        if not index.isValid():
            self.banner.error(tr("请先选择一台设备。"))
            return
        row = self.members_model.row_at(index.row())
        if row.trusted:
            self.banner.show_message(tr("该设备已被信任。"))
            return
        answer = QtWidgets.QMessageBox.question(
            self,
            tr("信任设备"),
            tr("请与 {name} 当面或电话核对指纹：\n{fp}\n指纹一致才信任。信任此设备吗？").format(
                name=row.engineer, fp=row.fingerprint
            ),
        )
        if answer != QtWidgets.QMessageBox.StandardButton.Yes:
            return
        try:
            identity.trust(self.ctx.store, row.fingerprint, actor=self.ctx.actor)
        except StoreError as exc:
            self.banner.error(exc.message)
            return
        self.banner.show_message(tr("已信任 {name} 的设备。").format(name=row.engineer))
        self.refresh()

    # ------------------------------------------------------------------ exporting

    def _folder(self) -> Path:
        return self.ctx.store.folder / BUNDLE_FOLDER

    def choose_export(self) -> QtWidgets.QFileDialog:
        me = identity.whoami(self.ctx.store)
        name = f"{me.code or 'omw'}_{self.ctx.now():%Y%m%d-%H%M}{BUNDLE_SUFFIX}"
        self._folder().mkdir(parents=True, exist_ok=True)
        dialog = QtWidgets.QFileDialog(self, tr("导出交换包"), str(self._folder() / name))
        dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(tr("交换包 (*{suffix})").format(suffix=BUNDLE_SUFFIX))
        dialog.fileSelected.connect(self.ask_export_passphrase)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def ask_export_passphrase(self, path: str) -> BundlePassphraseDialog:
        return self._ask(True, lambda passphrase: self.export_to(Path(path), passphrase))

    def _ask(self, new: bool, then: Callable[[str], object]) -> BundlePassphraseDialog:
        dialog = BundlePassphraseDialog(new, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(lambda: then(dialog.passphrase()))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def export_to(self, target: Path, passphrase: str) -> Operation:
        store = self.ctx.store
        contract = self.ctx.contract if self.contract_scope.currentData() == "current" else None
        since = self.since.currentData() or None

        def work(progress: Progress) -> bundles.ExportSummary:
            try:
                return bundles.export_bundle(
                    store,
                    target,
                    passphrase,
                    since=since,
                    contract=contract,
                    progress=progress.report,
                    cancel=lambda: progress.cancelled,
                )
            except BundleCancelled:
                raise Cancelled from None

        return self._run(tr("正在导出交换包"), work, self._exported)

    def _exported(self, summary: object) -> None:
        assert isinstance(summary, bundles.ExportSummary)
        shown = "、".join(f"{tables.LABELS.get(k, k)} {v}" for k, v in summary.counts.items() if v)
        self.banner.show_message(
            tr("已导出交换包：{path}（{kb} KB）。内容：{items}").format(
                path=summary.path, kb=max(1, summary.size // 1024), items=shown or tr("无")
            )
        )
        self.refresh()

    # ------------------------------------------------------------------ importing

    def choose_import(self) -> QtWidgets.QFileDialog:
        dialog = QtWidgets.QFileDialog(self, tr("导入交换包"), str(self._folder()))
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(tr("交换包 (*{suffix});;所有文件 (*)").format(suffix=BUNDLE_SUFFIX))
        dialog.fileSelected.connect(self.ask_import_passphrase)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def ask_import_passphrase(self, path: str) -> BundlePassphraseDialog:
        return self._ask(False, lambda passphrase: self.preview(Path(path), passphrase))

    def preview(self, source: Path, passphrase: str) -> Operation:
        """Read and check the bundle off the GUI thread; nothing is written."""
        store = self.ctx.store

        def work(_progress: Progress) -> bundles.ImportReport:
            return bundles.preview_bundle(store, source, passphrase)

        return self._run(
            tr("正在检查交换包"),
            work,
            lambda report: self._show_preview(source, passphrase, report),
            cancellable=False,
        )

    def _show_preview(self, source: Path, passphrase: str, report: object) -> BundlePreviewDialog:
        assert isinstance(report, bundles.ImportReport)
        dialog = BundlePreviewDialog(report, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(
            lambda: self.import_from(source, passphrase, dialog.trust.isChecked())
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def import_from(self, source: Path, passphrase: str, trust: bool) -> Operation:
        store = self.ctx.store

        def work(progress: Progress) -> bundles.ImportReport:
            try:
                return bundles.import_bundle(
                    store,
                    source,
                    passphrase,
                    trust_new_signer=trust,
                    progress=progress.report,
                    cancel=lambda: progress.cancelled,
                )
            except BundleCancelled:
                raise Cancelled from None

        return self._run(tr("正在导入交换包"), work, self._imported)

    def _imported(self, report: object) -> None:
        assert isinstance(report, bundles.ImportReport)
        new = sum(report.new.values())
        text = tr("已导入 {name}：新增 {new} 项，隔离 {held} 项，更正冲突 {conflicts} 项。")
        message = text.format(
            name=report.file_name,
            new=new,
            held=len(report.quarantined),
            conflicts=len(report.conflicts),
        )
        if report.duplicates:
            message += tr("同一周期重复的巡检 {n} 项：请在下方作废多出的一份。").format(
                n=len(report.duplicates)
            )
        notes = [*map(profile_line, report.profiles), *map(start_date_line, report.start_dates)]
        self.banner.show_message(" ".join([message, *notes]))
        self.ctx.changed()
        if report.new.get("contract") or report.profiles:
            self.ctx.contracts_changed.emit()  # the switcher lists the contracts that arrived
        self.refresh()

    # ------------------------------------------------------------------ running

    def _run(
        self,
        title: str,
        work: Callable[[Progress], object],
        done: Callable[[object], object],
        cancellable: bool = True,
    ) -> Operation:
        self.export_button.setEnabled(False)
        self.import_button.setEnabled(False)
        operation = Operation(title, work, self)
        self.operation = operation
        operation.succeeded.connect(done)
        operation.failed.connect(self.banner.error)
        operation.was_cancelled.connect(
            lambda: self.banner.show_message(tr("已取消，本机数据未改变，未留下文件。"))
        )
        operation.done.connect(lambda: self.export_button.setEnabled(True))
        operation.done.connect(lambda: self.import_button.setEnabled(True))
        ProgressView(self, operation, cancellable=cancellable).start()
        return operation
