"""The evidence (佐证材料) panel of one item's year, and the background runs behind it.

:class:`EvidencePanel` lists the attachments of one (item, year) in a table
(:class:`EvidenceModel`) with an editable 说明 and 文件日期, and adds files by
dialog or by dropping files and folders onto it. Every call into
:mod:`fazhi_desk.services.evidence` runs as a :class:`~fazhi_desk.tasks.Op`
(writes on the one writer, with a progress dialog and 取消 where it can take
long); nothing slow happens on the UI thread. The panel reloads itself when a
write says the shown item's evidence changed (``Runner.changed``), whoever
started it: :func:`attach_paths` (also used for drops onto the item tree),
remove, link or an inline edit.

Opening and "在文件夹中显示" work on a read-only copy in the temp folder under the
file's original name: programs show a sensible title and cannot alter the
stored evidence.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QFileInfo,
    QModelIndex,
    QPersistentModelIndex,
    QProcess,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFileIconProvider,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QStyle,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.changes import Changes, changes_of
from fazhi_desk.errors import UserError
from fazhi_desk.services import evidence as ev
from fazhi_desk.store.db import Store
from fazhi_desk.tasks import Op, runner, show_error
from fazhi_desk.ui.drops import dropped_paths
from fazhi_desk.ui.item_picker import ItemPickerDialog
from fazhi_desk.ui import filedialogs
from fazhi_desk.ui.help import Section, install_help

COL_NAME, COL_KIND, COL_SIZE, COL_DOC_DATE, COL_DESC, COL_ADDED = range(6)
HEADERS = ("文件名", "类型", "大小", "文件日期", "说明", "添加时间")
LinkIdRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2

_icon_cache: dict[str, QIcon] = {}


def _file_icon(name: str) -> QIcon:
    ext = os.path.splitext(name)[1].lower()
    icon = _icon_cache.get(ext)
    if icon is None:
        icon = QFileIconProvider().icon(QFileInfo(name))
        if icon.isNull():
            icon = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        _icon_cache[ext] = icon
    return icon


# 添加文件…: what offices keep as 佐证材料 (documents, photos incl. iPhone HEIC, slides, video, text, archives)
EVIDENCE_FILTER = ("常见材料(*.pdf *.ofd *.doc *.docx *.wps *.xls *.xlsx *.et *.ppt *.pptx *.dps *.txt *.rtf *.csv "
                   "*.jpg *.jpeg *.png *.heic *.heif *.bmp *.gif *.tif *.tiff *.webp "
                   "*.mp4 *.mov *.avi *.wmv *.mkv *.m4v *.mp3 *.m4a *.wav *.amr *.zip *.rar *.7z)"
                   ";;所有文件(*)")


class EvidenceModel(QAbstractTableModel):
    """The attachments of one item's year; 说明 and 文件日期 are edited in place.

    Edits are handed to ``save(link_id, field, value)``, which saves them in the
    background; the rows are read again when the write has committed (a refused
    edit is shown by the runner and the row keeps its stored value).
    """

    def __init__(self, save: Callable[[int, str, str], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ev.EvidenceEntry] = []
        self._save = save

    # --- content --------------------------------------------------------------
    def set_entries(self, entries: Sequence[ev.EvidenceEntry]) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> ev.EvidenceEntry:
        return self._rows[row]

    def entries(self) -> list[ev.EvidenceEntry]:
        return list(self._rows)

    # --- Qt model interface ------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (COL_DOC_DATE, COL_DESC):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        e = self._rows[index.row()]
        c = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if c == COL_NAME:
                return e.original_name
            if c == COL_KIND:
                return e.kind
            if c == COL_SIZE:
                return ev.size_text(e.size)
            if c == COL_DOC_DATE:
                return e.doc_date.isoformat() if e.doc_date else ""
            if c == COL_DESC:
                return e.description
            if c == COL_ADDED:
                return e.added_at.strftime("%Y-%m-%d")  # the time is in the tooltip
            return None
        if role == Qt.ItemDataRole.EditRole:
            if c == COL_DOC_DATE:
                return e.doc_date.isoformat() if e.doc_date else ""
            if c == COL_DESC:
                return e.description
            return None
        if role == Qt.ItemDataRole.DecorationRole and c == COL_NAME:
            return _file_icon(e.original_name)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COL_NAME:
                tip = f"{e.original_name}\n{ev.size_text(e.size)},{e.added_by} 于 {e.added_at:%Y-%m-%d %H:%M} 添加"
                if e.file_mtime:
                    tip += f"\n原文件修改时间\uff1a{e.file_mtime:%Y-%m-%d %H:%M}"
                if e.link_count > 1:
                    tip += f"\n同一文件还用于其他 {e.link_count - 1} 处"
                return tip + "\n双击打开\uff08打开的是副本\uff0c修改不会影响存档\uff09"
            if c == COL_DOC_DATE:
                return "文件上的日期\uff08如会议日期、发文日期\uff09\uff0c格式 2023-05-01\uff1b双击修改"
            if c == COL_DESC:
                return (e.description + "\n" if e.description else "") + "这份材料证明了什么\uff1b双击修改"
            if c == COL_ADDED:
                return f"{e.added_by} 于 {e.added_at:%Y-%m-%d %H:%M} 添加"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and c == COL_SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == LinkIdRole:
            return e.link_id
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() not in (COL_DOC_DATE, COL_DESC):
            return False
        e = self._rows[index.row()]
        field = "doc_date" if index.column() == COL_DOC_DATE else "description"
        text = "" if value is None else str(value)
        current = self.data(index, Qt.ItemDataRole.EditRole)
        if text.strip() == (current or "").strip():
            return False
        self._save(e.link_id, field, text)
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        keys: dict[int, Callable[[ev.EvidenceEntry], Any]] = {
            COL_NAME: lambda e: e.original_name.lower(),
            COL_KIND: lambda e: e.kind,
            COL_SIZE: lambda e: e.size,
            COL_DOC_DATE: lambda e: e.doc_date or dt.date.min,
            COL_DESC: lambda e: e.description,
            COL_ADDED: lambda e: (e.added_at, e.link_id),
        }
        key = keys.get(column)
        if key is None:
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class EvidencePanel(QWidget):
    """The attachments of one item in one year: add (dialog or drop), open, show, save as, remove, edit."""

    changed = Signal()  # a write changed the shown attachments, and the panel shows them again
    loaded = Signal()  # the shown item's attachments were read
    linked = Signal(str)  # the selected files now also prove this other item (its count changed)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.item_id: str | None = None
        self.year: int = dt.date.today().year
        self.current_job: Op | None = None  # the last operation started here (tests wait on it)
        self.reading: Op | None = None  # the last read of the shown attachments
        self._reads = 0
        self._changed_pending = False  # a write changed the shown attachments: ``changed`` follows the read
        self.setAcceptDrops(True)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.model = EvidenceModel(self._save_field, self)
        runner().changed.connect(self._on_store_changed)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.SelectedClicked)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_ADDED, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().setVisible(False)
        # a name takes the lines it needs (the rows grow; the panel had most of its height empty)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh = self.view.horizontalHeader()
        # the file name gets the room; the others what their text needs, at the current text size
        hh.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        for c in (COL_KIND, COL_SIZE, COL_DOC_DATE, COL_DESC, COL_ADDED):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        self._fit_columns()
        self.view.setColumnHidden(COL_KIND, True)  # the icon and the name's extension say it already
        self.view.setColumnHidden(COL_SIZE, True)  # in the line below the table and the name's tooltip: room for names
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # past its lines, a name keeps its extension
        # the selected file in full: its name (with its sub-folder), dates, size and description
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setObjectName("evidence_details")
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)

        self.act_add_files = self._action("添加文件…", self.add_files_dialog, "选择一个或多个文件作为佐证材料")
        self.act_add_folder = self._action("添加文件夹…", self.add_folder_dialog, "添加文件夹中\uff08含子文件夹\uff09的所有文件")
        self.act_open = self._action("打开", self.open_selected, "用系统默认程序打开\uff08打开的是副本\uff09")
        self.act_reveal = self._action("在文件夹中显示", self.reveal_selected, "在文件管理器中显示一份以原文件名命名的副本")
        self.act_save_as = self._action("另存为…", self.save_selected_as, "把文件以原文件名另存到其他位置")
        self.act_link = self._action("同时用于其他事项…", self.link_selected,
                                     "把选中的文件也作为另一个事项的佐证材料\uff08文件只保存一份\uff09")
        self.act_remove = self._action("移除", self.remove_selected, "从本事项移除\uff08其他事项仍在使用的文件不受影响\uff09")
        self.act_remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.act_remove.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.act_remove)

        # two rows (adding; the selected files): one row of seven buttons made the item panel so wide
        # that the checklist beside it showed only a few characters of each requirement
        buttons = QVBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        # three short rows: at larger text a row of four made the panel's minimum width eat the tree's
        for row_actions in ((self.act_add_files, self.act_add_folder, self.act_open),
                            (self.act_reveal, self.act_save_as, self.act_remove), (self.act_link,)):
            row = QHBoxLayout()
            for act in row_actions:
                b = QPushButton(act.text())
                b.setToolTip(act.toolTip())
                b.clicked.connect(act.trigger)
                act.changed.connect(lambda b=b, a=act: b.setEnabled(a.isEnabled()))
                row.addWidget(b)
                self.buttons[act.text()] = b
            row.addStretch(1)
            buttons.addLayout(row)
        self.hint = QLabel("可把文件或整个文件夹拖到这里添加。双击“文件日期”或“说明”可修改。")
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)  # one long line set the panel's minimum width (the tree lost it)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(buttons)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.details)
        lay.addWidget(self.hint)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.set_target(None, self.year)

    def _fit_columns(self) -> None:
        """Give 大小, 文件日期, 说明 and 添加时间 the width of their whole text at the current font."""
        fm = self.view.fontMetrics()
        hh = self.view.horizontalHeader()
        hfm = hh.fontMetrics()
        pad = fm.horizontalAdvance(" ") + 8  # the cell's margins
        for c, sample in ((COL_KIND, "Word 文档"), (COL_SIZE, "888.8 MB"), (COL_DOC_DATE, "2025-12-31"),
                          (COL_DESC, "会议记录"), (COL_ADDED, "2025-12-31")):
            head = str(self.model.headerData(c, Qt.Orientation.Horizontal))
            hh.resizeSection(c, max(fm.horizontalAdvance(sample), hfm.horizontalAdvance(head)) + pad)
        # the name keeps at least 6 characters a line: the panel asks for that room rather than squeeze it
        others = sum(hh.sectionSize(c) for c in (COL_DOC_DATE, COL_DESC, COL_ADDED))
        self.view.setMinimumWidth(others + 6 * fm.horizontalAdvance("法") + view_frame(self.view))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # 查看 → 放大/缩小: dates stay whole
            self._fit_columns()

    def _show_details(self) -> None:
        sel = self.selected_entries() if self.item_id is not None else []
        if len(sel) != 1:
            self.details.setText(f"已选 {len(sel)} 个文件。" if sel else "")
            self.details.setVisible(bool(sel))
            return
        e = sel[0]
        parts = [e.original_name,
                 f"{ev.size_text(e.size)}\uff1b文件日期 {e.doc_date.isoformat() if e.doc_date else '未填写'}"
                 f"\uff1b{e.added_by} 于 {e.added_at:%Y-%m-%d %H:%M} 添加"]
        if e.description:
            parts.append(f"说明\uff1a{e.description}")
        self.details.setText("\n".join(parts))
        self.details.setVisible(True)

    def _action(self, text: str, slot: Callable[[], Any], tip: str) -> QAction:
        a = QAction(text, self)
        a.setToolTip(tip)
        a.triggered.connect(lambda *_: slot())
        return a

    # --- target -----------------------------------------------------------------
    def set_target(self, item_id: str | None, year: int) -> None:
        """Show the attachments of ``item_id`` in ``year`` (None: nothing selected); they are read in the background."""
        self.item_id, self.year = item_id, year
        if item_id is None:
            self._reads += 1  # a read still on its way is for nothing shown
            self.title.setText("请在左侧选择一个检查事项\uff0c再添加或查看它的佐证材料。")
            self.model.set_entries([])
        else:
            if self.model.entries() and (self.model.entry(0).item_id, self.model.entry(0).year) != (item_id, year):
                self.model.set_entries([])  # not another item's files while this one's are read
            self.title.setText(f"事项 {item_id}\uff08{year} 年\uff09的佐证材料\uff1a正在读取…")
            self.reload()
        self._update_actions()

    def reload(self) -> Op | None:
        """Read the shown item's attachments in the background; the newest read asked for is the one shown."""
        if self.item_id is None:
            return None
        target = (self.item_id, self.year)
        self._reads += 1
        n = self._reads

        def show(entries: list[ev.EvidenceEntry]) -> None:
            if n != self._reads or (self.item_id, self.year) != target:
                return  # the user moved on (or a newer read is coming)
            self.model.set_entries(entries)
            hh = self.view.horizontalHeader()
            self.model.sort(hh.sortIndicatorSection(), hh.sortIndicatorOrder())
            k = len(entries)
            self.title.setText(f"事项 {target[0]}\uff08{target[1]} 年\uff09的佐证材料\uff1a"
                               + (f"{k} 个文件" if k else "还没有\uff0c请添加会议纪要、签到表、照片、通知等证明材料"))
            self._update_actions()
            self.loaded.emit()
            if self._changed_pending:
                self._changed_pending = False
                self.changed.emit()

        store = self.store

        def refused(e: BaseException) -> None:
            if n == self._reads and store is self.store and store.is_open:  # not after a restore or exit closed it
                self.model.set_entries([])
                show_error(self, "读取佐证材料", e)

        self.reading = Op(ev.list_evidence, store, *target).success(show).failure(refused).run(self, "读取佐证材料")
        return self.reading

    def _on_store_changed(self, store: Store, changes: Changes) -> None:
        if store is self.store and self.item_id is not None and (self.item_id, self.year) in changes.evidence:
            self._changed_pending = True  # said once the new list is shown
            self.reload()

    def selected_entries(self) -> list[ev.EvidenceEntry]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.entry(r) for r in rows]

    def _update_actions(self) -> None:
        has_target = self.item_id is not None
        sel = self.selected_entries() if has_target else []
        self.act_add_files.setEnabled(has_target)
        self.act_add_folder.setEnabled(has_target)
        self.act_open.setEnabled(len(sel) == 1)
        self.act_reveal.setEnabled(len(sel) == 1)
        self.act_save_as.setEnabled(len(sel) == 1)
        self.act_remove.setEnabled(bool(sel))
        self.act_link.setEnabled(bool(sel))
        self.setAcceptDrops(has_target)
        self._show_details()

    # --- adding -----------------------------------------------------------------
    def add_files_dialog(self) -> None:
        if self.item_id is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self, "选择佐证材料", filedialogs.start_dir(filedialogs.EVIDENCE),
            EVIDENCE_FILTER,
        )
        if paths:
            filedialogs.remember(filedialogs.EVIDENCE, paths[0])
            self.attach(paths)

    def add_folder_dialog(self) -> None:
        if self.item_id is None:
            return
        d = QFileDialog.getExistingDirectory(self, "选择包含佐证材料的文件夹",
                                             filedialogs.start_dir(filedialogs.EVIDENCE))
        if d:
            filedialogs.remember(filedialogs.EVIDENCE, Path(d).parent)
            self.attach([d])

    def attach(self, paths: Sequence[str]) -> Op | None:
        """Attach files/folders to the current item's year in the background."""
        if self.item_id is None or not paths:
            return None
        self.current_job = attach_paths(self, self.store, self.item_id, self.year, list(paths))
        return self.current_job

    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.item_id is not None and dropped_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001, N802
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802
        paths = dropped_paths(event.mimeData())
        if self.item_id is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach(paths)

    # --- the selected file ----------------------------------------------------------
    def _one(self) -> ev.EvidenceEntry | None:
        sel = self.selected_entries()
        return sel[0] if len(sel) == 1 else None

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.column() in (COL_DOC_DATE, COL_DESC):
            return  # the editor opens
        self.view.selectRow(index.row())
        self.open_selected()

    def open_selected(self) -> None:
        e = self._one()
        if e is not None:
            self.current_job = _with_temp_copy(self, self.store, e, _open_path)

    def reveal_selected(self) -> None:
        e = self._one()
        if e is not None:
            self.current_job = _with_temp_copy(self, self.store, e, reveal_in_file_manager)

    def save_selected_as(self) -> None:
        e = self._one()
        if e is None:
            return
        dest, _ = QFileDialog.getSaveFileName(
            self, "另存为", filedialogs.start_path(filedialogs.EVIDENCE_SAVE, ev.safe_file_name(e.original_name)))
        if not dest:
            return
        self.current_job = (
            Op(ev.export_copy, self.store, e.link_id, dest)
            .with_progress(f"正在复制“{e.original_name}”……")
            .success(lambda path: QMessageBox.information(self, "另存为", f"已把“{e.original_name}”保存到\uff1a\n{path}"))
            .run(self, "另存为")
        )
        filedialogs.remember(filedialogs.EVIDENCE_SAVE, dest)

    def link_selected(self) -> None:
        """同时用于其他事项: pick an item of the same year; the selected files are linked to it, not copied."""
        sel = self.selected_entries()
        if not sel or self.item_id is None:
            return
        item_id, year = self.item_id, self.year

        def pick(choices: list[tuple[str, str]]) -> None:
            if (self.item_id, self.year) == (item_id, year):
                self._link_to_chosen(sel, [c for c in choices if c[0] != item_id])

        self.current_job = (Op(_item_choices, year).in_session(self.store).success(pick)
                            .run(self, "同时用于其他事项"))

    def _link_to_chosen(self, sel: list[ev.EvidenceEntry], choices: list[tuple[str, str]]) -> None:
        target = ItemPickerDialog.choose(self, "同时用于其他事项",
                                         f"查找并选择 {self.year} 年的另一个事项\uff0c选中的 {len(sel)} 个文件也将作为它的佐证材料"
                                         "\uff08文件只保存一份\uff09\uff1a", choices)
        if not target:
            return
        year = self.year

        def shown(result: Linked) -> None:
            done, problems = len(result.entries), result.problems
            if done:
                self.linked.emit(target)
            msg = f"已把 {done} 个文件同时用于事项 {target}\uff08{year} 年\uff09\uff0c文件没有重复保存。"
            if problems:
                QMessageBox.warning(self, "同时用于其他事项", msg + "\n\n" + "\n".join(problems))
            else:
                QMessageBox.information(self, "同时用于其他事项", msg)

        self.current_job = (
            Op(_link_all, self.store, [e.link_id for e in sel], target, year)
            .write(self.store)
            .success(shown)
            .run(self, "同时用于其他事项")
        )

    def remove_selected(self) -> None:
        sel = self.selected_entries()
        if not sel:
            return
        if len(sel) == 1:
            e = sel[0]
            text = f"从事项 {e.item_id}\uff08{e.year} 年\uff09移除佐证材料“{e.original_name}”\uff1f"
        else:
            text = f"从事项 {self.item_id}\uff08{self.year} 年\uff09移除选中的 {len(sel)} 个佐证材料\uff1f"
        shared = [e for e in sel if e.link_count > 1]
        if shared:
            text += f"\n\n其中 {len(shared)} 个文件还用于其他事项\uff0c那些事项中的材料保持不变。"
        text += "\n\n移除后\uff0c不再被任何事项使用的文件在“清理”时移入回收目录\uff0c30 天内可找回。"
        answer = QMessageBox.question(self, "移除佐证材料", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.current_job = (
            Op(_unlink_all, self.store, [e.link_id for e in sel])
            .write(self.store)
            .run(self, "移除佐证材料")
        )

    def _save_field(self, link_id: int, field: str, value: str) -> None:
        self.current_job = (
            Op(ev.update_link, self.store, link_id, **{field: value})
            .write(self.store)
            .run(self, "修改佐证材料")
        )

    def _context_menu(self, pos) -> None:  # noqa: ANN001
        m = QMenu(self)
        for a in (self.act_open, self.act_reveal, self.act_save_as, None, self.act_remove, None,
                  self.act_add_files, self.act_add_folder):
            if a is None:
                m.addSeparator()
            else:
                m.addAction(a)
        m.popup(self.view.viewport().mapToGlobal(pos))


# --- helpers the main window calls ------------------------------------------------


def view_frame(view: QTableView) -> int:
    """What a table's frame and vertical scroll bar take of its width."""
    return 2 * view.frameWidth() + view.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent) + 4


def _item_choices(session, year: int) -> list[tuple[str, str]]:  # noqa: ANN001
    """The items of ``year`` to pick from (編号, requirement): read on a worker, not on the UI thread."""
    from fazhi_desk.services.checklist import load_year

    rows = load_year(session, year, dt.date.today(), evidence_text=False)
    rows.sort(key=lambda r: not r.binding)  # the office's 适用文件 first (stable: in 编号 order within each)
    return [(r.item_id, r.item.requirement) for r in rows]


def _unlink_all(store: Store, link_ids: list[int]) -> list[ev.UnlinkResult]:
    """Remove each link; the results say which item-years changed."""
    return [ev.unlink(store, link_id) for link_id in link_ids]


@dataclass(frozen=True)
class Linked:
    """What 同时用于其他事项 did: the links made (they say what changed) and the refusals."""

    entries: tuple[ev.EvidenceEntry, ...]
    problems: tuple[str, ...]

    @property
    def changes(self) -> Changes:
        return changes_of(list(self.entries))


def _link_all(store: Store, link_ids: list[int], item_id: str, year: int) -> Linked:
    """Link each file to ``item_id``'s year; a refused one is reported, the others still link."""
    made, problems = [], []
    for link_id in link_ids:
        try:
            made.append(ev.link_existing(store, link_id, item_id, year))
        except UserError as err:
            problems.append(str(err))
    return Linked(tuple(made), tuple(problems))


def attach_paths(
    parent_widget: QWidget | None,
    store: Store,
    item_id: str,
    year: int,
    paths: Sequence[str],
    on_done: Callable[[ev.AttachSummary], Any] | None = None,
) -> Op:
    """Attach files/folders to an item's year in the background, with progress, cancel and a summary.

    The write names the item's evidence as changed, so the tree and the evidence
    panel refresh themselves; ``on_done(summary)`` runs afterwards on the UI
    thread (not after a cancel, which leaves nothing behind). Returns the operation.
    """

    def summary_box(summary: ev.AttachSummary) -> None:
        if summary.ok and not summary.skipped:
            QMessageBox.information(parent_widget, "添加佐证材料", summary.text())
        else:
            QMessageBox.warning(parent_widget, "添加佐证材料", summary.text())
        if on_done is not None:
            on_done(summary)

    return (
        Op(ev.attach, store, item_id, year, list(paths))
        .write(store)  # the summary says what changed
        .with_progress("正在准备……")
        .success(summary_box)
        .cancelled(lambda: QMessageBox.information(parent_widget, "添加佐证材料", "已取消添加。本次没有保存任何文件。"))
        .run(parent_widget, "添加佐证材料")
    )


def _with_temp_copy(parent: QWidget, store: Store, e: ev.EvidenceEntry, then: Callable[[QWidget, Path], Any]) -> Op:
    return (
        Op(ev.temp_copy, store, e.link_id)
        .with_progress(f"正在准备“{e.original_name}”……")
        .success(lambda path: then(parent, path))
        .run(parent, "打开佐证材料")
    )


def _open_path(parent: QWidget, path: Path) -> None:
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        QMessageBox.warning(parent, "打开佐证材料",
                            f"没有找到能打开“{path.name}”的程序。文件副本在\uff1a\n{path}\n"
                            "请安装相应的软件\uff08如 WPS、PDF 阅读器\uff09\uff0c或用“另存为…”保存后再打开。")


def reveal_in_file_manager(parent: QWidget | None, path: Path) -> None:
    """Show ``path`` selected in Explorer (Windows), Finder (macOS) or open its folder elsewhere."""
    native = str(path)
    if sys.platform == "win32":
        ok = QProcess.startDetached("explorer.exe", ["/select,", os.path.normpath(native)])
    elif sys.platform == "darwin":
        ok = QProcess.startDetached("open", ["-R", native])
    else:
        ok = QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
    if not ok:
        QMessageBox.information(parent, "在文件夹中显示", f"文件在\uff1a\n{path}")


# --- verify -----------------------------------------------------------------------


class VerifyDialog(QDialog):
    """The result of 校验佐证材料, grouped by item."""

    def __init__(self, report: ev.VerifyReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("校验佐证材料")
        self.resize(640, 420)
        lay = QVBoxLayout(self)
        self.summary = QLabel(report.text().split("\n", 1)[0])
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["事项 / 文件", "问题"])
        for g in report.by_item():
            top = QTreeWidgetItem([f"事项 {g.item_id}\uff08{g.year} 年\uff09", f"{len(g.files)} 个文件"])
            for name, what in g.files:
                top.addChild(QTreeWidgetItem([name, what]))
            self.tree.addTopLevelItem(top)
        self.tree.expandAll()
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.setVisible(not report.ok)
        lay.addWidget(self.tree, 1)
        if not report.ok:
            advice = QLabel("程序没有自动修复。请找到原始文件\uff0c在对应事项中移除有问题的佐证材料后重新添加。")
            advice.setWordWrap(True)
            lay.addWidget(advice)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = bb.addButton("复制结果", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report.text()))
        bb.rejected.connect(self.reject)
        bb.accepted.connect(self.accept)
        install_help(self, Section.VERIFY, bb)
        lay.addWidget(bb)


def run_verify(parent: QWidget | None, store: Store,
               on_done: Callable[[ev.VerifyReport], Any] | None = None) -> Op:
    """Run 校验佐证材料 in the background and show the result (a :class:`VerifyDialog`)."""

    def ok(report: ev.VerifyReport) -> None:
        box = VerifyDialog(report, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        run_verify.last_dialog = box  # type: ignore[attr-defined]
        if on_done is not None:
            on_done(report)

    return Op(ev.verify, store).with_progress("正在校验……").success(ok).run(parent, "校验佐证材料")
