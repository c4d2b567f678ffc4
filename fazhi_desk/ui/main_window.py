"""The main window: year, filters and search over the checklist tree, the item panel, the dashboard, menus."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk import APP_TITLE, __version__
from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError
from fazhi_desk.services.checklist import ChecklistRow, carry_forward, change_log, load_row, load_year, set_fields
from fazhi_desk.services.profile import get_profile, set_profile
from fazhi_desk.store.db import Store
from fazhi_desk.tasks import Job, run_job
from fazhi_desk.ui.checklist_model import (
    COL_DUE,
    COL_EVIDENCE,
    COL_OWNER,
    COL_PROGRESS,
    COL_STATUS,
    COL_TITLE,
    ChecklistModel,
    Filter,
    ItemIdRole,
)
from fazhi_desk.ui.dialogs import CarryForwardDialog, ChangeLogDialog, ProfileDialog, SourceTextDialog, about_text
from fazhi_desk.ui.item_detail import ItemDetail
from fazhi_desk.ui.messages import show_error

if TYPE_CHECKING:
    from fazhi_desk.ui.dashboard import Dashboard

log = logging.getLogger(__name__)
SEARCH_DELAY_MS = 120


def _load_year_job(ctx, store: Store, year: int, today: dt.date) -> list[ChecklistRow]:  # noqa: ANN001
    with store.session() as s:
        return load_year(s, year, today)


class SetFieldsCommand(QUndoCommand):
    """An edit already saved; undo sets the old values back, redo the new ones."""

    def __init__(self, window: "MainWindow", item_id: str, year: int, new: dict[str, Any], old: dict[str, Any]) -> None:
        names = "、".join({"status": "状态", "actual": "实际值", "owner": "责任人", "completed_on": "完成日期",
                           "note": "说明", "na_reason": "不适用原因"}.get(k, k) for k in new)
        super().__init__(f"修改 {item_id} 的{names}")
        self.window, self.item_id, self.year, self.new, self.old = window, item_id, year, new, old
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.window.apply_edit(self.item_id, self.year, self.new, record=False)

    def undo(self) -> None:
        self.window.apply_edit(self.item_id, self.year, self.old, record=False)


class ChecklistTree(QTreeView):
    """The item tree; accepts files dropped onto an item (evidence)."""

    files_dropped = Signal(str, list)  # item_id, paths

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def _target(self, event) -> str | None:  # noqa: ANN001
        if not event.mimeData().hasUrls():
            return None
        idx = self.indexAt(event.position().toPoint())
        return idx.data(ItemIdRole) if idx.isValid() else None

    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001, N802
        if self._target(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802
        item_id = self._target(event)
        if not item_id:
            event.ignore()
            return
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        if paths:
            self.files_dropped.emit(item_id, paths)


class MainWindow(QMainWindow):
    """One data directory's checklist. ``today`` can be fixed (tests)."""

    year_loaded = Signal(int)

    def __init__(self, store: Store, settings: QSettings, today: dt.date | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.today = today or dt.date.today()
        self._load_generation = 0
        self._pending_select: str | None = None
        self._loading_job: Job | None = None
        self.setWindowTitle(APP_TITLE)
        self.undo_stack = QUndoStack(self)

        self.model = ChecklistModel(self)
        self.model.today = self.today
        self.tree = ChecklistTree()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        h = self.tree.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        h.setMinimumSectionSize(30)
        for col, w in ((COL_STATUS, 84), (COL_PROGRESS, 52), (COL_OWNER, 58), (COL_DUE, 82), (COL_EVIDENCE, 34)):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(col, w)
        self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree.files_dropped.connect(self._attach_dropped)

        self.detail = ItemDetail()
        self.detail.edit_requested.connect(self._on_edit_requested)
        self.detail.review_confirmed.connect(self._confirm_review)
        self.detail.show_source_requested.connect(self._show_source)

        self.evidence_panel = self._make_evidence_panel()
        right = QTabWidget()
        right.addTab(self.detail, "事项与完成情况")
        if self.evidence_panel is not None:
            right.addTab(self.evidence_panel, "佐证材料")
        self.right_tabs = right

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.dashboard: Dashboard | None = None  # built when first shown (QtCharts costs start-up time)
        self.dashboard_page = QWidget()
        QVBoxLayout(self.dashboard_page).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, "检查清单")
        self.tabs.addTab(self.dashboard_page, "年度概览")
        self.tabs.currentChanged.connect(lambda _i: self._update_dashboard())
        self._dashboard_stale = True
        self.setCentralWidget(self.tabs)

        self._build_toolbar()
        self._build_menus()
        self.count_label = QLabel()
        self.statusBar().addPermanentWidget(self.count_label)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self._restore_settings()

    # ------------------------------------------------------------------ building
    def _make_evidence_panel(self) -> QWidget | None:
        try:
            from fazhi_desk.ui.evidence_panel import EvidencePanel
        except ImportError:
            return None
        panel = EvidencePanel(self.store, self)
        panel.changed.connect(self._refresh_current_row)
        panel.linked.connect(lambda item_id: self._refresh_row(item_id, self.year()))
        return panel

    def _build_toolbar(self) -> None:
        tb = QToolBar("筛选")
        tb.setObjectName("filters")
        tb.setMovable(False)
        self.addToolBar(tb)
        tb.addWidget(QLabel(" 年度 "))
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("年度")
        for y in range(2015, self.today.year + 2):
            self.year_combo.addItem(f"{y} 年", y)
        self.year_combo.currentIndexChanged.connect(self._on_year_changed)
        tb.addWidget(self.year_combo)
        tb.addSeparator()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索事项、说明、原文…(Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        tb.addWidget(self.search)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("状态筛选")
        self.status_combo.addItem("全部状态", None)
        for s in Status:
            self.status_combo.addItem(s.value, s.value)
        self.status_combo.currentIndexChanged.connect(self._apply_filter)
        tb.addWidget(self.status_combo)
        self.doc_combo = QComboBox()
        self.doc_combo.setAccessibleName("文件筛选")
        self.doc_combo.addItem("全部文件", "")
        self.doc_combo.currentIndexChanged.connect(self._apply_filter)
        tb.addWidget(self.doc_combo)
        self.unit_combo = QComboBox()
        self.unit_combo.setAccessibleName("牵头单位筛选")
        self.unit_combo.addItem("全部牵头单位", "")
        self.unit_combo.setMaximumWidth(180)
        self.unit_combo.currentIndexChanged.connect(self._apply_filter)
        tb.addWidget(self.unit_combo)
        self.overdue_check = QCheckBox("只看逾期")
        self.overdue_check.toggled.connect(self._apply_filter)
        tb.addWidget(self.overdue_check)
        self.noev_check = QCheckBox("无佐证")
        self.noev_check.toggled.connect(self._apply_filter)
        tb.addWidget(self.noev_check)
        self.review_check = QCheckBox("待复核")
        self.review_check.toggled.connect(self._apply_filter)
        tb.addWidget(self.review_check)
        self.all_check = QCheckBox("显示全部事项")
        self.all_check.setToolTip("默认只显示适用于乡镇(街道)的事项;勾选后也显示由县级部门负责的事项")
        self.all_check.toggled.connect(self._apply_filter)
        tb.addWidget(self.all_check)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m_file = mb.addMenu("文件(&F)")
        self.act_import = m_file.addAction("导入检查目录…", self._import_catalogue)
        self.act_export_template = m_file.addAction("导出目录模板…", self._export_template)
        m_file.addSeparator()
        self.act_report = m_file.addAction("导出年度报告…", self._export_report)
        self.act_report.setShortcut(QKeySequence("Ctrl+E"))
        m_file.addSeparator()
        self.act_verify = m_file.addAction("校验佐证材料", self._verify_evidence)
        self.act_gc = m_file.addAction("清理不再使用的佐证文件", self._collect_evidence)
        m_file.addSeparator()
        quit_act = m_file.addAction("退出", self.close)
        quit_act.setShortcut(QKeySequence.StandardKey.Quit)

        m_edit = mb.addMenu("编辑(&E)")
        self.act_undo = self.undo_stack.createUndoAction(self, "撤销")
        self.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.act_redo = self.undo_stack.createRedoAction(self, "重做")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        m_edit.addAction(self.act_undo)
        m_edit.addAction(self.act_redo)
        m_edit.addSeparator()
        find = QAction("查找", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        self.addAction(find)
        m_edit.addAction(find)
        self.act_find = find
        m_edit.addAction("本事项变更记录…", self._show_item_log)
        m_edit.addAction("全部变更记录…", self._show_all_log)

        m_year = mb.addMenu("年度(&Y)")
        m_year.addAction("上一年度", lambda: self.year_combo.setCurrentIndex(max(0, self.year_combo.currentIndex() - 1)))
        m_year.addAction("下一年度", lambda: self.year_combo.setCurrentIndex(
            min(self.year_combo.count() - 1, self.year_combo.currentIndex() + 1)))
        m_year.addAction("沿用上一年度的责任人和说明…", lambda: self._offer_carry_forward(force=True))

        m_set = mb.addMenu("设置(&S)")
        m_set.addAction("单位信息…", self.edit_profile)
        m_set.addAction("目录版本历史…", self._version_history)

        m_help = mb.addMenu("帮助(&H)")
        m_help.addAction("关于", self.show_about)

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        geo = self.settings.value("window/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            screen = self.screen().availableGeometry()
            self.resize(min(1360, int(screen.width() * 0.92)), min(860, int(screen.height() * 0.9)))
        st = self.settings.value("window/splitter")
        if isinstance(st, QByteArray) and not st.isEmpty():
            self.splitter.restoreState(st)
        else:
            self._split_on_first_show = True
        year = int(self.settings.value("view/year", self.today.year))
        idx = self.year_combo.findData(year)
        self.year_combo.blockSignals(True)
        self.year_combo.setCurrentIndex(idx if idx >= 0 else self.year_combo.findData(self.today.year))
        self.year_combo.blockSignals(False)
        self.search.setText(str(self.settings.value("view/search", "")))
        self._set_combo_data(self.status_combo, self.settings.value("view/status", ""), lambda d: d or "")
        for box, key in ((self.overdue_check, "overdue"), (self.noev_check, "no_evidence"),
                         (self.review_check, "review"), (self.all_check, "show_all")):
            box.blockSignals(True)
            box.setChecked(str(self.settings.value(f"view/{key}", "false")).lower() == "true")
            box.blockSignals(False)
        self._pending_select = str(self.settings.value("view/item", "")) or None
        self._saved_doc = str(self.settings.value("view/doc", ""))
        self._saved_unit = str(self.settings.value("view/unit", ""))

    @staticmethod
    def _set_combo_data(combo: QComboBox, saved: Any, key) -> None:  # noqa: ANN001
        combo.blockSignals(True)
        for i in range(combo.count()):
            if key(combo.itemData(i)) == saved:
                combo.setCurrentIndex(i)
        combo.blockSignals(False)

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("view/year", self.year())
        s.setValue("view/search", self.search.text())
        s.setValue("view/item", self.current_item_id() or "")
        s.setValue("view/status", self.status_combo.currentData() or "")
        s.setValue("view/doc", self.doc_combo.currentData() or "")
        s.setValue("view/unit", self.unit_combo.currentData() or "")
        s.setValue("view/overdue", self.overdue_check.isChecked())
        s.setValue("view/no_evidence", self.noev_check.isChecked())
        s.setValue("view/review", self.review_check.isChecked())
        s.setValue("view/show_all", self.all_check.isChecked())
        s.sync()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if getattr(self, "_split_on_first_show", False):  # no saved layout: 60 % tree, 40 % item panel
            self._split_on_first_show = False
            w = self.splitter.width() or self.width()
            self.splitter.setSizes([int(w * 0.6), w - int(w * 0.6)])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.detail.flush()
        self._save_settings()
        if self._loading_job is not None:
            self._loading_job.done.wait(5)
        super().closeEvent(event)

    # ------------------------------------------------------------------ loading
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def start(self) -> None:
        """Load the selected year in the background (call after show())."""
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self._load_generation += 1
        gen = self._load_generation
        year = self.year()
        current = select or self.current_item_id() or self._pending_select
        self._pending_select = current
        self.statusBar().showMessage(f"正在载入 {year} 年度…")
        job = Job(_load_year_job, self.store, year, self.today)
        job.signals.succeeded.connect(lambda rows, g=gen, y=year: self._on_loaded(g, y, rows))
        job.signals.failed.connect(lambda e: show_error(self, "无法载入检查清单", e))
        self._loading_job = job
        run_job(job)

    def _on_loaded(self, gen: int, year: int, rows: list[ChecklistRow]) -> None:
        if gen != self._load_generation:
            return  # a newer load is on its way
        self._loading_job = None
        self._fill_filter_choices(rows)
        self.model.set_rows(rows, self._current_filter())
        self._after_filter()
        self._update_dashboard(stale=True)
        if self._pending_select:
            self.select_item(self._pending_select)
        else:
            self.detail.show_row(None)
        self.statusBar().clearMessage()
        self.year_loaded.emit(year)

    def _fill_filter_choices(self, rows: list[ChecklistRow]) -> None:
        docs = {}
        units: set[str] = set()
        for r in rows:
            docs.setdefault(r.item.doc_code, r.document)
            for u in r.item.lead_units.replace(",", "、").replace(",", "、").split("、"):
                u = u.strip()
                if u:
                    units.add(u)
        for combo, entries, saved_attr in (
            (self.doc_combo, [(f"{d.code} {d.doc_number or d.title}", code) for code, d in sorted(docs.items())],
             "_saved_doc"),
            (self.unit_combo, [(u, u) for u in sorted(units)], "_saved_unit"),
        ):
            keep = combo.currentData() or getattr(self, saved_attr, "")
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for label, data in entries:
                combo.addItem(label, data)
            i = combo.findData(keep)
            combo.setCurrentIndex(i if i >= 0 else 0)
            combo.blockSignals(False)
            setattr(self, saved_attr, "")

    def _current_filter(self) -> Filter:
        return Filter(
            text=self.search.text().strip().lower(),
            status=Status(self.status_combo.currentData()) if self.status_combo.currentData() else None,
            overdue_only=self.overdue_check.isChecked(),
            no_evidence_only=self.noev_check.isChecked(),
            review_only=self.review_check.isChecked(),
            lead_unit=self.unit_combo.currentData() or "",
            doc_code=self.doc_combo.currentData() or "",
            show_all=self.all_check.isChecked(),
        )

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        keep = self.current_item_id()
        self.model.set_filter(self._current_filter())
        self._after_filter()
        if self.sender() is self.all_check:
            self._update_dashboard(stale=True)
        if keep:
            self.select_item(keep, switch_tab=False)

    def _after_filter(self) -> None:
        f = self.model.filter()
        if f.text:
            pass  # a flat list of hits
        elif f.narrowed:
            self.tree.expandAll()
        else:
            self.tree.collapseAll()
            for r in range(self.model.rowCount()):
                self.tree.expand(self.model.index(r, 0))
        shown = len(self.model.visible_rows())
        self.count_label.setText(f"{self.year()} 年 · 显示 {shown} / {len(self.model.rows())} 项 ")

    def _update_dashboard(self, stale: bool = False) -> None:
        """Redraw the dashboard now if it is showing, else when it is next shown."""
        self._dashboard_stale |= stale
        if self._dashboard_stale and self.tabs.currentWidget() is self.dashboard_page:
            if self.dashboard is None:
                from fazhi_desk.ui.dashboard import Dashboard

                self.dashboard = Dashboard()
                self.dashboard.item_activated.connect(self.select_item)
                self.dashboard_page.layout().addWidget(self.dashboard)
            self.dashboard.update_rows(self.model.rows(), self.year(), self.today,
                                       township_only=not self.all_check.isChecked())
            self._dashboard_stale = False

    def show_dashboard(self) -> "Dashboard":
        self.tabs.setCurrentWidget(self.dashboard_page)
        assert self.dashboard is not None
        return self.dashboard

    def _on_year_changed(self, _i: int) -> None:
        self.detail.flush()
        self.undo_stack.clear()  # edits of another year are not undone from here
        self.reload()
        QTimer.singleShot(0, self._offer_carry_forward)

    # ------------------------------------------------------------------ selection
    def current_item_id(self) -> str | None:
        idx = self.tree.currentIndex()
        return idx.data(ItemIdRole) if idx.isValid() else None

    def select_item(self, item_id: str, switch_tab: bool = True) -> bool:
        idx = self.model.index_for_item(item_id)
        if not idx.isValid():
            return False
        if switch_tab:
            self.tabs.setCurrentIndex(0)
        self.tree.setCurrentIndex(idx)
        self.tree.scrollTo(idx)
        return True

    def _on_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        item_id = current.data(ItemIdRole) if current.isValid() else None
        row = self.model.row_for(item_id) if item_id else None
        self.detail.show_row(row)
        if self.evidence_panel is not None:
            self.evidence_panel.set_target(item_id, self.year())  # type: ignore[attr-defined]

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    # ------------------------------------------------------------------ editing
    def _on_edit_requested(self, item_id: str, year: int, changes: dict) -> None:
        self.apply_edit(item_id, year, changes, record=True)

    def apply_edit(self, item_id: str, year: int, changes: dict[str, Any], record: bool = True) -> bool:
        """Save edits now; with ``record`` push them on the undo stack. Returns False if refused."""
        try:
            old = set_fields(self.store, item_id, year, changes)
        except UserError as e:
            show_error(self, "无法保存", e)
            self._refresh_row(item_id, year)
            return False
        except Exception as e:  # a bug, or the disk: say so, keep the window
            log.exception("saving %s %s %s", item_id, year, changes)
            show_error(self, "无法保存", e)
            self._refresh_row(item_id, year)
            return False
        row = self._refresh_row(item_id, year)
        if record and old:
            # undo sets back every field that changed, including those the service set itself
            # (the completion date when marking 已完成); redo sets their stored new values
            if row is None:
                with self.store.session() as s:
                    row = load_row(s, item_id, year, self.today)
            self.undo_stack.push(SetFieldsCommand(self, item_id, year, {k: getattr(row, k) for k in old}, old))
        return True

    def _refresh_row(self, item_id: str, year: int) -> ChecklistRow | None:
        """Re-read one item after a change and show it; returns the row (None when another year is shown)."""
        if year != self.year():
            return None
        try:
            with self.store.session() as s:
                row = load_row(s, item_id, year, self.today)
        except UserError:
            return None
        self.model.replace_row(row)
        if self.current_item_id() == item_id:
            self.detail.show_row(row)
        self._update_dashboard(stale=True)
        self.statusBar().showMessage(f"已保存 {item_id}", 2500)
        return row

    def _refresh_current_row(self) -> None:
        item_id = self.current_item_id()
        if item_id:
            self._refresh_row(item_id, self.year())

    def _confirm_review(self, item_id: str) -> None:
        try:
            from fazhi_desk.services.catalogue import confirm_review

            confirm_review(self.store, item_id)
        except Exception as e:
            show_error(self, "无法确认复核", e)
            return
        self._refresh_row(item_id, self.year())

    # ------------------------------------------------------------------ year
    def _offer_carry_forward(self, force: bool = False) -> None:
        year = self.year()
        key = f"carry/{year}"
        if not force and self.settings.value(key):
            return
        from sqlalchemy import func, select

        from fazhi_desk.store.models import Assessment

        with self.store.session() as s:
            this_year = s.scalar(select(func.count()).select_from(Assessment).where(Assessment.year == year))
            prev = s.scalar(select(func.count()).select_from(Assessment).where(
                Assessment.year == year - 1, (Assessment.owner != "") | (Assessment.note != "")))
        if not prev or (this_year and not force):
            if force:
                QMessageBox.information(self, "沿用上一年度", f"{year - 1} 年没有可沿用的责任人或说明。")
            return
        self.settings.setValue(key, "asked")
        dlg = CarryForwardDialog(year - 1, year, self)
        if dlg.exec() != CarryForwardDialog.DialogCode.Accepted:
            return
        try:
            n = carry_forward(self.store, year - 1, year, owners=dlg.owners.isChecked(), notes=dlg.notes.isChecked())
        except Exception as e:
            show_error(self, "无法沿用上一年度", e)
            return
        self.statusBar().showMessage(f"已沿用 {year - 1} 年的内容:{n} 项", 5000)
        self.reload()

    # ------------------------------------------------------------------ dialogs and features
    def edit_profile(self, first_start: bool = False) -> bool:
        dlg = ProfileDialog(get_profile(self.store), self, first_start=first_start)
        if dlg.exec() != ProfileDialog.DialogCode.Accepted:
            return False
        try:
            set_profile(self.store, **dlg.values())
        except Exception as e:
            show_error(self, "无法保存单位信息", e)
            return False
        self._update_title()
        return True

    def _update_title(self) -> None:
        p = get_profile(self.store)
        self.setWindowTitle(f"{APP_TITLE} — {p.office_name}" if p.is_set else APP_TITLE)

    def show_about(self) -> None:
        from fazhi_desk.services.catalogue import installed_documents

        with self.store.session() as s:
            docs = [(d.code, d.title, d.version) for d in installed_documents(s)]
        box = QMessageBox(self)
        box.setWindowTitle("关于")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(about_text(__version__, docs, str(self.store.data.root)))
        box.exec()

    def _show_source(self, item_id: str) -> None:
        from fazhi_desk.catalogue.schema import source_text

        row = self.model.row_of_all(item_id)
        if row is None:
            return
        SourceTextDialog(row.document.title, source_text(row.document), row.item.source_passage, self).exec()

    def _log_entries(self, item_id: str | None) -> list[tuple[str, ...]]:
        from fazhi_desk.services.checklist import LOG_FIELD_NAMES

        with self.store.session() as s:
            return [(f"{c.at:%Y-%m-%d %H:%M:%S}", c.user, c.item_id or "", str(c.year or ""),
                     LOG_FIELD_NAMES.get(c.field, c.field), c.old_value, c.new_value)
                    for c in change_log(s, item_id)]

    def _show_item_log(self) -> None:
        item_id = self.current_item_id()
        if not item_id:
            QMessageBox.information(self, "变更记录", "请先在清单中选择一个事项。")
            return
        ChangeLogDialog(self._log_entries(item_id), f"变更记录 — {item_id}", self).exec()

    def _show_all_log(self) -> None:
        ChangeLogDialog(self._log_entries(None), "全部变更记录(最近 500 条)", self).exec()

    def _import_catalogue(self) -> None:
        from fazhi_desk.ui.import_dialog import import_catalogue_interactive

        flow = import_catalogue_interactive(self, self.store)
        if flow is not None:
            flow.finished.connect(lambda outcome: outcome == "applied" and self.reload())

    def _export_template(self) -> None:
        from fazhi_desk.ui.import_dialog import export_template_interactive

        export_template_interactive(self, self.store)

    def _version_history(self) -> None:
        from fazhi_desk.ui.import_dialog import VersionHistoryDialog

        VersionHistoryDialog(self.store, self).exec()

    def _export_report(self) -> None:
        from fazhi_desk.ui.report_dialog import export_report_interactive

        self.detail.flush()
        export_report_interactive(self, self.store, self.year())

    def _verify_evidence(self) -> None:
        from fazhi_desk.ui.evidence_panel import run_verify

        run_verify(self, self.store)

    def _collect_evidence(self) -> None:
        from fazhi_desk.services.evidence import gc

        def job(_ctx, store: Store):  # noqa: ANN001, ANN202
            return gc(store)

        j = Job(job, self.store)
        j.signals.succeeded.connect(lambda rep: QMessageBox.information(self, "清理佐证文件", rep.text()))
        j.signals.failed.connect(lambda e: show_error(self, "清理佐证文件失败", e))
        run_job(j)

    def _attach_dropped(self, item_id: str, paths: list[str]) -> None:
        from fazhi_desk.ui.evidence_panel import attach_paths

        year = self.year()
        self.select_item(item_id)
        attach_paths(self, self.store, item_id, year, paths, lambda *_a: self._after_attach(item_id, year))

    def _after_attach(self, item_id: str, year: int) -> None:
        self._refresh_row(item_id, year)
        if self.evidence_panel is not None and self.current_item_id() == item_id:
            self.evidence_panel.set_target(item_id, year)  # type: ignore[attr-defined]
