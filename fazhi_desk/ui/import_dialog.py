"""导入检查目录 / 导出目录模板 / 目录版本记录: the dialogs, with all file work off the UI thread.

:func:`import_catalogue_interactive` asks for a file, validates and diffs it in
a background job, shows the preview (新增 / 修改 / 退役 / 未变, a side-by-side
view of each change, and the 统计指标 the file adds, changes or removes), and on 应用 applies it in another background job.
:func:`export_template_interactive` writes the Excel template.
:class:`VersionHistoryDialog` lists the catalogue versions. The flows return a
small object whose ``finished`` signal says how they ended.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.catalogue.diff import (
    INDICATOR_FIELD_LABELS,
    ITEM_FIELD_LABELS,
    ItemChange,
    document_field_lines,
    document_headline,
    document_warnings,
    indicator_field_text,
    indicator_text,
    item_field_text,
)
from fazhi_desk.domain.model import Item
from fazhi_desk.services.catalogue import (
    BUNDLED,
    ImportPreview,
    ImportResult,
    VersionInfo,
    apply_import,
    export_template,
    list_versions,
    preview_import,
)
from fazhi_desk.store.db import Store
from fazhi_desk.tasks import Op, show_error
from fazhi_desk.ui import filedialogs
from fazhi_desk.ui.help import Section, install_help

IMPORT_TITLE = "导入检查目录"
EXPORT_TITLE = "导出目录模板"


# ---------------------------------------------------------------- preview dialog


def _tree(headers: list[str], object_name: str) -> QTreeWidget:
    t = QTreeWidget()
    t.setObjectName(object_name)
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setUniformRowHeights(True)
    t.setAlternatingRowColors(True)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.header().setStretchLastSection(True)
    t.setColumnWidth(0, 150)
    return t


def _item_tree(items: list[tuple[Item, str]], object_name: str) -> QTreeWidget:
    t = _tree(["编号", "说明", "事项内容"], object_name)
    t.setColumnWidth(1, 60)
    t.addTopLevelItems([QTreeWidgetItem([i.item_id, tag, i.requirement]) for i, tag in items])
    return t


class ImportPreviewDialog(QDialog):
    """Shows what an import would change; 应用 accepts, 取消 rejects. Writes nothing itself."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        d = preview.diff
        self.setWindowTitle(f"{IMPORT_TITLE}:{preview.file_name}")
        avail = self.screen().availableGeometry()  # on a 150 % screen 680 would leave no room for the title bar
        self.resize(min(1000, int(avail.width() * 0.92)), min(680, int(avail.height() * 0.88)))
        lay = QVBoxLayout(self)

        head = QLabel(self._headline())
        head.setObjectName("summary")
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(head)
        warnings = self._warnings()
        if warnings:
            w = QLabel("\n".join(warnings))
            w.setObjectName("warnings")
            w.setWordWrap(True)
            w.setStyleSheet("color: #b00020; font-weight: bold;")
            lay.addWidget(w)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        added = [(i, "恢复" if i.item_id in preview.restored else "新增") for x in d.documents for i in x.added]
        removed = [(i, "退役") for x in d.documents for i in x.removed]
        unchanged = [(i, "") for x in d.documents for i in x.unchanged]
        self.changes: list[ItemChange] = [c for x in d.documents for c in x.changed]
        self.tabs.addTab(_item_tree(added, "addedList"), f"新增\uff08{len(added)}\uff09")
        self.tabs.addTab(self._changed_page(), f"修改\uff08{len(self.changes)}\uff09")
        self.tabs.addTab(_item_tree(removed, "removedList"), f"退役\uff08{len(removed)}\uff09")
        self.tabs.addTab(_item_tree(unchanged, "unchangedList"), f"未变\uff08{len(unchanged)}\uff09")
        indicator_rows = self._indicator_rows()
        if indicator_rows:  # only a file whose 统计指标 differ from the installed ones gets this tab
            t = _tree(["指标编码", "说明", "指标与变化"], "indicatorList")
            t.setColumnWidth(1, 60)
            t.addTopLevelItems([QTreeWidgetItem(list(r)) for r in indicator_rows])
            self.tabs.addTab(t, f"统计指标\uff08{len(indicator_rows)}\uff09")
        for n, count in enumerate((len(added), len(self.changes), len(removed))):
            if count:
                self.tabs.setCurrentIndex(n)
                break
        else:
            if indicator_rows:
                self.tabs.setCurrentIndex(self.tabs.count() - 1)
        lay.addWidget(self.tabs, 1)

        note = QLabel("应用后\uff1a已填写的状态、说明和佐证材料全部保留\uff1b修改过的事项标记“条文已更新\uff0c请复核”\uff1b"
                      "退役的事项不再出现在新年度\uff0c往年记录保留。")
        note.setWordWrap(True)
        lay.addWidget(note)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton(
            "降级并应用" if d.is_downgrade else "应用", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("applyButton")
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setObjectName("cancelButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        install_help(self, Section.IMPORT, self.buttons)
        lay.addWidget(self.buttons)

    def _headline(self) -> str:
        lines = [f"文件\uff1a{self.preview.file_name}"]
        for x in self.preview.diff.documents:
            lines.append(document_headline(x))
            lines += [f"    {f}" for f in document_field_lines(x)]
        return "\n".join(lines)

    def _indicator_rows(self) -> list[tuple[str, str, str]]:
        """(code, 新增/修改/删除, the indicator and what changed) for every indicator the import changes."""
        rows: list[tuple[str, str, str]] = []
        for x in self.preview.diff.documents:
            rows += [(i.code, "新增", indicator_text(i)) for i in x.indicators_added]
            for ch in x.indicators_changed:
                what = ";".join(f"{INDICATOR_FIELD_LABELS[f]}:{indicator_field_text(ch.old, f) or '(空)'} → "
                                f"{indicator_field_text(ch.new, f) or '(空)'}" for f in ch.fields)
                rows.append((ch.code, "修改", f"{indicator_text(ch.old)}:{what}"))
            rows += [(i.code, "删除", f"{indicator_text(i)}\uff08已填写的数值保留\uff0c不再列出\uff09") for i in x.indicators_removed]
        return rows

    def _warnings(self) -> list[str]:
        return [w for x in self.preview.diff.documents for w in document_warnings(x)]

    def _changed_page(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        self.changed_list = _tree(["编号", "变化的内容", "事项内容"], "changedList")
        self.changed_list.setColumnWidth(1, 160)
        self.changed_list.addTopLevelItems([
            QTreeWidgetItem([c.item_id, "、".join(ITEM_FIELD_LABELS[f] for f in c.fields), c.new.requirement])
            for c in self.changes
        ])
        self.change_table = QTableWidget(0, 3)
        self.change_table.setObjectName("changeTable")
        self.change_table.setHorizontalHeaderLabels(["字段", "原内容", "新内容"])
        self.change_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.change_table.setWordWrap(True)
        hh = self.change_table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.change_table.verticalHeader().setVisible(False)
        self.changed_list.currentItemChanged.connect(self._show_change)
        split.addWidget(self.changed_list)
        split.addWidget(self.change_table)
        split.setSizes([250, 250])
        if self.changes:
            self.changed_list.setCurrentItem(self.changed_list.topLevelItem(0))
        return split

    def _show_change(self, current: QTreeWidgetItem | None, _previous: Any = None) -> None:
        self.change_table.setRowCount(0)
        if current is None:
            return
        change = self.changes[self.changed_list.indexOfTopLevelItem(current)]
        names = list(ITEM_FIELD_LABELS)
        self.change_table.setRowCount(len(names))
        bold = QFont()
        bold.setBold(True)
        for r, name in enumerate(names):
            cells = [QTableWidgetItem(ITEM_FIELD_LABELS[name]),
                     QTableWidgetItem(item_field_text(change.old, name)),
                     QTableWidgetItem(item_field_text(change.new, name))]
            if name in change.fields:
                for c in cells:
                    c.setFont(bold)
                    c.setBackground(QColor("#fff3c4"))
            for col, c in enumerate(cells):
                self.change_table.setItem(r, col, c)
        self.change_table.resizeRowsToContents()


# ---------------------------------------------------------------- flows


class _Flow(QObject):
    """Keeps a multi-step interaction alive and says how it ended through ``finished``."""

    finished = Signal(str)  # "applied", "unchanged", "exported", "cancelled", "failed"

    def __init__(self, parent: QWidget | None, store: Store, title: str) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.store = store
        self.title = title
        self.job: Op | None = None
        self.outcome: str | None = None
        _alive.add(self)
        self.finished.connect(lambda _o: _alive.discard(self))

    def _run(self, text: str, op: Op, on_success: Callable[[Any], None]) -> None:
        self.job = (
            op.with_progress(text, delay_ms=300)
            .success(on_success)
            .failure(self._on_failed)
            .cancelled(lambda: self._end("cancelled"))
            .run(self.parent_widget, self.title)
        )

    def _on_failed(self, error: BaseException) -> None:
        show_error(self.parent_widget, self.title, error)
        self._end("failed")

    def _end(self, outcome: str) -> None:
        self.outcome = outcome
        self.finished.emit(outcome)


_alive: set[_Flow] = set()


class ImportFlow(_Flow):
    """选择文件 → 后台检查与比较 → 预览 → 应用/取消 → 后台应用 → 提示."""

    def __init__(self, parent: QWidget | None, store: Store) -> None:
        super().__init__(parent, store, IMPORT_TITLE)
        self.dialog: ImportPreviewDialog | None = None
        self.preview: ImportPreview | None = None

    def start_with(self, path: str) -> None:
        self._run(f"正在检查“{Path(path).name}”……", Op(preview_import, self.store, path), self._previewed)

    def _previewed(self, preview: ImportPreview) -> None:
        self.preview = preview
        if preview.is_empty:
            QMessageBox.information(self.parent_widget, self.title,
                                    f"没有变化\uff1a“{preview.file_name}”与已安装的检查目录完全相同\uff0c无需导入。")
            self._end("unchanged")
            return
        self.dialog = ImportPreviewDialog(preview, self.parent_widget)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.accepted.connect(self._confirmed)
        self.dialog.rejected.connect(lambda: self._end("cancelled"))
        self.dialog.open()

    def _confirmed(self) -> None:
        assert self.preview is not None
        allow = False
        if self.preview.diff.is_downgrade:
            answer = QMessageBox.question(
                self.parent_widget, self.title,
                "导入的目录版本低于已安装的版本。确定要换回旧版本吗\uff1f\n已填写的记录会保留\uff0c但部分事项会被退役或改回旧条文。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                self._end("cancelled")
                return
            allow = True
        op = Op(apply_import, self.store, self.preview, allow_downgrade=allow).write(self.store)  # ImportResult.changes
        self._run("正在导入……", op, self._applied)

    def _applied(self, result: ImportResult) -> None:
        assert self.preview is not None
        n = self.preview.diff.count("changed")
        text = f"已导入“{self.preview.file_name}”。\n{result.summary}"
        if n:
            text += f"\n\n有 {n} 个事项条文已更新\uff0c已标记“条文已更新\uff0c请复核”。"
        QMessageBox.information(self.parent_widget, self.title, text)
        new_docs = [dd.new for dd in self.preview.diff.documents if dd.is_new_document]
        if not new_docs:
            self._end("applied")
            return
        (Op(_has_chosen, self.store).success(lambda chosen: self._ask_bindings(new_docs, chosen))
         .failure(self._on_failed).run(self.parent_widget, self.title))

    def _ask_bindings(self, new_docs: list[Any], chosen: bool) -> None:
        answers = [(d.code, self._binds(d)) for d in new_docs] if chosen else []
        if not answers:
            self._end("applied")
            return
        (Op(_set_bindings, self.store, answers)
         .write(self.store)  # the saved profile says what changed
         .success(lambda _p: self._end("applied"))
         .failure(self._on_failed)
         .run(self.parent_widget, self.title))

    def _binds(self, doc: Any) -> bool:
        """A new document: does it bind this office? Yes adds it to the profile's 适用文件."""
        answer = QMessageBox.question(
            self.parent_widget, self.title,
            f"《{doc.title}》\uff08{doc.doc_number or doc.code}\uff09是否约束本单位\uff1f\n\n"
            "选“是”\uff1a加入本单位的适用文件\uff0c其事项计入检查清单、年度概览和年度报告。\n"
            "选“否”\uff1a只安装\uff0c不计入\uff1b以后可在“设置 → 单位信息”中修改。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes


def _has_chosen(store: Store) -> bool:
    """Whether the office has chosen its 适用文件 (until it has, every document counts and nothing is asked)."""
    from fazhi_desk.services.profile import get_profile

    return get_profile(store).binding_documents is not None


def _set_bindings(store: Store, answers: list[tuple[str, bool]]) -> Any:
    from fazhi_desk.services.profile import set_binding

    prof = None
    for code, binds in answers:
        prof = set_binding(store, code, binds)
    return prof


def import_catalogue_interactive(parent: QWidget | None, store: Store) -> ImportFlow | None:
    """导入检查目录…: returns the running flow (``finished`` tells how it ended), or None if no file was picked."""
    path, _ = QFileDialog.getOpenFileName(
        parent, IMPORT_TITLE, filedialogs.start_dir(filedialogs.IMPORT),
        "检查目录(*.xlsx *.json);;Excel 工作簿(*.xlsx);;目录文件(*.json);;所有文件(*)")
    if not path:
        return None
    filedialogs.remember(filedialogs.IMPORT, path)
    flow = ImportFlow(parent, store)
    flow.start_with(path)
    return flow


class ExportFlow(_Flow):
    def start_with(self, path: str, empty: bool) -> None:
        self.path = path
        self.empty = empty
        self._run("正在导出……", Op(export_template, self.store, path, empty=empty), self._exported)

    def _exported(self, counts: tuple[int, int]) -> None:
        docs, items = counts
        what = "空白检查目录模板" if self.empty else f" {docs} 个来源文件、{items} 个检查事项"  # 已导出 2 个
        QMessageBox.information(self.parent_widget, self.title, f"已导出{what}:\n{self.path}")
        self._end("exported")


def export_template_interactive(parent: QWidget | None, store: Store) -> ExportFlow | None:
    """导出目录模板…: the installed catalogues, or an empty template, as the Excel template."""
    answer = QMessageBox.question(
        parent, EXPORT_TITLE,
        "导出已安装的检查目录吗\uff1f\n选“是”导出全部来源文件和检查事项\uff1b选“否”只导出空白模板\uff08只有表头\uff09。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Yes)
    if answer == QMessageBox.StandardButton.Cancel:
        return None
    empty = answer == QMessageBox.StandardButton.No
    path, _ = QFileDialog.getSaveFileName(parent, EXPORT_TITLE, filedialogs.start_path(filedialogs.TEMPLATE, "检查目录模板.xlsx"),
                                          "Excel 工作簿(*.xlsx)")
    if not path:
        return None
    filedialogs.remember(filedialogs.TEMPLATE, path)
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    flow = ExportFlow(parent, store, EXPORT_TITLE)
    flow.start_with(path, empty)
    return flow


# ---------------------------------------------------------------- version history


class VersionHistoryDialog(QDialog):
    """目录版本记录: every imported version of every document (read in the background)."""

    HEADERS = ["文件代码", "版本", "文件名称", "导入时间", "导入人", "来源文件", "变化", "SHA-256"]
    loaded = Signal()
    undo_requested = Signal()  # 撤销此次导入 (the window runs it: it closes and reopens the store)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("检查目录版本记录")
        self.resize(1000, 420)
        lay = QVBoxLayout(self)
        self.status = QLabel("正在读取……")
        lay.addWidget(self.status)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("versions")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        install_help(self, Section.IMPORT, buttons)
        self.undo_button = buttons.addButton("撤销此次导入…", QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.setToolTip("把检查目录和各年度完成情况恢复到最近一次导入之前\uff08先列出将丢失的修改\uff0c确认后才执行\uff09")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_requested.emit)
        lay.addWidget(buttons)
        self.job = Op(list_versions, store).success(self._fill).failure(self._failed).run(self, "检查目录版本记录")

    def _fill(self, versions: list[VersionInfo]) -> None:
        self.table.setRowCount(len(versions))
        for r, v in enumerate(versions):
            cells = [v.doc_code, v.version + ("\uff08当前\uff09" if v.is_current else ""), v.title,
                     v.imported_at.strftime("%Y-%m-%d %H:%M"), v.imported_by, v.source_file, v.summary,
                     v.file_sha256[:16]]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 7:
                    item.setToolTip(v.file_sha256)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.status.setText(f"共 {len(versions)} 个版本。" if versions else "尚未安装任何检查目录。")
        self.undo_button.setEnabled(any(v.source_file != BUNDLED for v in versions))
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.status.setText("读取版本记录失败。")
        show_error(self, "检查目录版本记录", error)
        self.loaded.emit()
