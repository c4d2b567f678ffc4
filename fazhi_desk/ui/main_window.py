"""The main window: puts the panels together and refreshes them from what each write changed.

The panels own their wiring: :class:`~fazhi_desk.ui.checklist_panel.ChecklistPanel`
(year, filters, search, tree), :class:`~fazhi_desk.ui.item_detail.ItemDetail`
with :class:`~fazhi_desk.ui.item_edits.ItemEdits` (edits, undo, review),
:class:`~fazhi_desk.ui.evidence_panel.EvidencePanel` and
:class:`~fazhi_desk.ui.overview.OverviewPage` (dashboard); the menus and what
they do are in :mod:`fazhi_desk.ui.menus`. The window itself:

- shows at once without a store (menus, filter bar, an empty tree saying
  正在载入…) and emits :attr:`first_painted`; the item panel, the model and the
  overview are built right after that paint (or at once when a store is given).
  :meth:`set_store` attaches the opened store and loads the year. Nothing here
  imports SQLAlchemy before that: the store is opened on a worker.
- listens to :attr:`fazhi_desk.tasks.Runner.changed` and refreshes exactly the
  views a write names (:meth:`apply_changes`), reading them again in the
  background: the UI thread never opens a session of the store (a read would
  wait behind a running write for the store's one connection);
- on close, waits for running writes to commit (never cancels one) and saves
  its layout in the data directory's own settings.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from fazhi_desk.changes import Changes
from fazhi_desk.tasks import Op, runner
from fazhi_desk.ui.checklist_panel import ChecklistPanel, ChecklistTree  # noqa: F401 - ChecklistTree: public name
from fazhi_desk.ui.overview import OverviewPage

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from fazhi_desk.services.profile import OfficeProfile
    from fazhi_desk.store.db import Store
    from fazhi_desk.ui.checklist_model import ChecklistModel
    from fazhi_desk.ui.dashboard import Dashboard
    from fazhi_desk.ui.evidence_panel import EvidencePanel
    from fazhi_desk.ui.item_detail import ItemDetail
    from fazhi_desk.ui.item_edits import ItemEdits

log = logging.getLogger(__name__)
TREE_SHARE_REST = 0.36  # the item panel's share of the first split; the tree gets the rest
# the menu bar's menus, shown empty at the first paint; their entries come right after it (menus.build_menus)
MENU_TITLES = ("文件(&F)", "编辑(&E)", "事项(&I)", "查看(&V)", "年度(&Y)", "设置(&S)", "帮助(&H)")


def window_settings(root: Any) -> QSettings:
    """The window's settings for one data directory: ``window.ini`` inside it (``--data-dir`` scopes the layout)."""
    return QSettings(str(Path(root) / "window.ini"), QSettings.Format.IniFormat)


def _get_profile(store: Store) -> OfficeProfile:
    from fazhi_desk.services.profile import get_profile

    return get_profile(store)


class MainWindow(QMainWindow):
    """One data directory's checklist. ``store`` may come later (:meth:`set_store`); ``today`` can be fixed (tests)."""

    year_loaded = Signal(int)
    changes_applied = Signal(object)  # the Changes the views were refreshed from
    store_attached = Signal()
    first_painted = Signal()

    def __init__(self, store: Store | None, settings: QSettings, today: dt.date | None = None,
                 parent: QWidget | None = None, profile: OfficeProfile | None = None) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.profile: OfficeProfile | None = None
        self._profile_job: Op | None = None  # the office profile being read (the title waits for it)
        self.settings = settings
        self.today = today or dt.date.today()
        self._closing = False
        self.setWindowTitle("")  # Qt adds the program's name (the application display name) itself
        from fazhi_desk.ui.textsize import apply_step, current_step

        if current_step(settings):  # (apply_step keeps the system's size first; no step: nothing to read yet)
            apply_step(current_step(settings))

        self.checklist = ChecklistPanel(settings, self.today, self)
        self.checklist.current_changed.connect(self._on_current_changed)
        self.checklist.year_changed.connect(self._on_year_changed)
        self.checklist.loaded.connect(self._on_loaded)
        self.checklist.import_requested.connect(self._import_new_plan)
        self.checklist.tree.files_dropped.connect(self._attach_dropped)
        self.checklist.open_requested.connect(self.open_item)
        self.checklist.selection_hidden.connect(
            lambda item_id: self.statusBar().showMessage(
                f"事项 {item_id} 不符合当前的筛选条件\uff0c已隐藏\uff1b右侧不再显示它。清除筛选后会重新选中。", 8000))
        self.addToolBar(self.checklist.filter_bar)
        self.undo_stack = QUndoStack(self)

        self.detail: ItemDetail | None = None  # built after the first paint (_build_panels)
        self.edits: ItemEdits | None = None
        self.evidence_panel: EvidencePanel | None = None  # built with the store (it imports the evidence service)
        self.detail_page = QWidget()
        QVBoxLayout(self.detail_page).setContentsMargins(0, 0, 0, 0)
        # the form scrolls rather than making the window taller than a 1366×768 or 150 % screen
        self.detail_scroll = QScrollArea()
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.detail_scroll.setWidget(self.detail_page)
        self.evidence_page = QWidget()
        QVBoxLayout(self.evidence_page).setContentsMargins(0, 0, 0, 0)
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.detail_scroll, "事项与完成情况")
        self.right_tabs.addTab(self.evidence_page, "佐证材料")
        self.activity_panel = None  # the 活动记录 tab, built with the store (ui.activity_panel)
        self.activity_page = QWidget()
        QVBoxLayout(self.activity_page).setContentsMargins(0, 0, 0, 0)
        self.right_tabs.addTab(self.activity_page, "活动记录")

        self.splitter = QSplitter()  # horizontal
        self.splitter.addWidget(self.checklist)
        self.splitter.addWidget(self.right_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.overview = OverviewPage(self._overview_source, store_source=lambda: self.store)
        self.overview.item_activated.connect(self.select_item)
        self.checklist.rows_changed.connect(self.overview.mark_stale)
        self.checklist.rows_refreshed.connect(self._on_rows_refreshed)
        self.checklist.scope_changed.connect(self.overview.mark_stale)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.splitter, "检查清单")
        self.tabs.addTab(self.overview, "年度概览")
        # 年度报告, 统计数据: their modules cost ~80 ms to import; at start-up they come with the store
        # (_add_annual_pages), after the first paint and the last session's year, in place of these
        self._annual_placeholders: list[QWidget] = []
        for title in ("年度报告", "统计数据"):
            page = QWidget()
            self.tabs.setTabEnabled(self.tabs.addTab(page, title), False)
            self._annual_placeholders.append(page)
        self.setCentralWidget(self.tabs)

        # the entries, their actions and keys (QAction, QKeySequence and the menus' module) follow the first paint
        self.menus = {title: self.menuBar().addMenu(title) for title in MENU_TITLES}
        self.statusBar().addPermanentWidget(self.checklist.count_label)
        self._restore_geometry()
        runner().changed.connect(self.apply_changes)
        self._painted = False
        self.installEventFilter(self)
        if store is not None:
            self.set_store(store, profile)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._after_first_paint)
        return False

    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        self._build_panels()

    def _build_panels(self) -> None:
        """The menus' entries, the item panel and their wiring; at start-up this runs right after the first paint."""
        if self.detail is not None:
            return
        from fazhi_desk.ui.item_detail import ItemDetail
        from fazhi_desk.ui.item_edits import ItemEdits
        from fazhi_desk.ui.menus import add_shortcuts, build_menus

        build_menus(self)

        self.detail = ItemDetail()
        self.detail.today = self.today
        self.detail.activity_requested.connect(lambda _id: self.right_tabs.setCurrentWidget(self.activity_page))
        self.detail_page.layout().addWidget(self.detail)
        self.edits = ItemEdits(self.detail, self.checklist, self, lambda: self.store, self.undo_stack)
        self.checklist.complete()
        add_shortcuts(self)

    def _add_annual_pages(self) -> None:
        if not self._annual_placeholders:
            return
        for page in self._annual_placeholders:
            self.tabs.removeTab(self.tabs.indexOf(page))
            page.deleteLater()
        self._annual_placeholders = []
        from fazhi_desk.ui.annual_pages import add_annual_pages

        add_annual_pages(self)

    def _import_new_plan(self) -> None:
        from fazhi_desk.ui.menus import import_catalogue

        import_catalogue(self)

    # ------------------------------------------------------------------ public names the tests and tools use
    @property
    def model(self) -> ChecklistModel:
        return self.checklist.model

    @property
    def tree(self) -> ChecklistTree:
        return self.checklist.tree

    @property
    def dashboard(self) -> Dashboard | None:
        return self.overview.dashboard

    def year(self) -> int:
        return self.checklist.year()

    def current_item_id(self) -> str | None:
        return self.checklist.current_item_id()

    def select_item(self, item_id: str, switch_tab: bool = True) -> bool:
        if not self.checklist.select_item(item_id):
            return False
        if switch_tab:
            self.tabs.setCurrentIndex(0)
        return True

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.checklist.focus_search()

    def show_dashboard(self) -> Dashboard:
        self.tabs.setCurrentWidget(self.overview)
        self.overview.update_if_shown(force=True)
        assert self.overview.dashboard is not None
        return self.overview.dashboard

    def apply_edit(self, item_id: str, year: int, changes: dict[str, Any], record: bool = True) -> Op | None:
        self._build_panels()
        return self.edits.apply_edit(item_id, year, changes, record)

    # ------------------------------------------------------------------ the store
    def set_store(self, store: Store, profile: OfficeProfile | None = None) -> None:
        """Attach an open store (at start, or a restored one after :meth:`detach_store`); then call :meth:`start`.

        Without ``profile`` the profile is read in the background (:meth:`start` loads the year after it).
        """
        self._build_panels()
        self.store = store
        self.checklist.store = store
        self._add_annual_pages()
        self.undo_stack.clear()
        if self.evidence_panel is None:
            from fazhi_desk.ui.evidence_panel import EvidencePanel

            self.evidence_panel = EvidencePanel(store, self)
            self.evidence_page.layout().addWidget(self.evidence_panel)
        else:
            self.evidence_panel.store = store
            self.evidence_panel.set_target(None, self.year())
        if self.activity_panel is None:
            from fazhi_desk.ui.activity_panel import ActivityPanel

            self.activity_panel = ActivityPanel(store, self.undo_stack, self)
            self.activity_page.layout().addWidget(self.activity_panel)
        else:
            self.activity_panel.store = store
            self.activity_panel.set_row(None)
        if profile is None:
            self.read_profile()
        else:
            self.set_profile(profile)
        from fazhi_desk.ui.remote_changes import watch

        watch(self)  # a server store: other desks' changes show within 5 s
        self.store_attached.emit()

    def detach_store(self) -> Store | None:
        """Let go of the store (before it is closed or replaced): saves the open note, waits for writes."""
        self._flush()
        runner().wait_for_writes()
        store, self.store = self.store, None
        self.checklist.store = None
        self.checklist.model.set_rows([], self.checklist.current_filter())
        if self.evidence_panel is not None:
            self.evidence_panel.set_target(None, self.year())
        if self.activity_panel is not None:
            self.activity_panel.store = None
            self.activity_panel.set_row(None)
        self.undo_stack.clear()
        return store

    def start(self) -> Op | None:
        """Load the selected year in the background (call after show() and set_store()).

        While the profile is still being read the year is loaded once it has been (the title first).
        """
        job = self._profile_job
        if job is not None and job in runner().running():
            job.finally_(self.reload)
            return None
        return self.reload()

    def read_profile(self) -> Op | None:
        """Read the office profile in the background and show it (the title); after a write changed it too."""
        store = self.store
        if store is None:
            return None

        def got(profile: OfficeProfile) -> None:
            if self.store is store:
                self.set_profile(profile)

        op = Op(_get_profile, store).success(got)
        op.finally_(lambda: setattr(self, "_profile_job", None) if self._profile_job is op else None)
        self._profile_job = op.run(self, "读取单位信息")
        return op

    def reload(self, select: str | None = None) -> Op | None:
        return self.checklist.reload(select)

    def set_profile(self, profile: OfficeProfile) -> None:
        self.profile = profile
        self._update_title()

    def _update_title(self) -> None:
        """The office's name; Qt appends the program's name (application display name), so it is not repeated."""
        p = self.profile
        self.setWindowTitle(p.office_name if p is not None and p.is_set else "")

    def open_item(self, item_id: str | None = None) -> None:
        """Edit the selected item: its form, with the focus on 状态 (Enter in the tree or search box, F2)."""
        if item_id:
            self.select_item(item_id)
        if self.current_item_id() is None:
            return
        self.tabs.setCurrentIndex(0)
        self.right_tabs.setCurrentWidget(self.detail_scroll)
        if self.detail is not None:
            self.detail.status.setFocus()

    def set_status_of_current(self, status: Any) -> None:
        """设为 未开始/进行中/已完成 for the selected item (an undoable edit like the form's)."""
        item_id = self.current_item_id()
        if item_id is None or self.store is None:
            self.statusBar().showMessage("请先在清单中选择一个事项。", 4000)
            return
        if self.detail is not None:
            self.detail.flush()
        from fazhi_desk.domain.model import Status

        changes: dict[str, Any] = {"status": Status(status)}
        row, year = self.model.row_for(item_id), self.year()
        if changes["status"] is Status.DONE and year < self.today.year and row is not None \
                and row.status is not Status.DONE and row.completed_on is None:
            from fazhi_desk.ui.item_detail import CompletionDateDialog  # a past year: ask the date, as the form does

            d = CompletionDateDialog.ask(self, item_id, year, self.today)
            if d is None:
                return
            changes["completed_on"] = d
        self.apply_edit(item_id, year, changes)

    def step_unfinished(self, delta: int) -> None:
        self.tabs.setCurrentIndex(0)
        if self.checklist.step_unfinished(delta) is None:
            self.statusBar().showMessage("当前显示的事项中没有未完成的事项。", 4000)
        else:
            self.checklist.tree.setFocus()

    def change_text_size(self, delta: int | None) -> None:
        """查看 → 放大 (+1) / 缩小 (-1) / 默认 (None): the whole program's text, remembered."""
        from fazhi_desk.ui.textsize import change_step

        change_step(self.settings, delta)
        self.settings.sync()
        self.keep_requirement_room()

    def keep_requirement_room(self, chars: int = 20) -> None:
        """Move the split so the deepest item's requirement keeps ``chars`` characters after its 编号, as far as
        the item panel's own minimum allows (larger text widens the narrow columns and the 编号)."""
        tree = self.tree
        fm = tree.fontMetrics()
        depth = 5  # 文件 → 章 → 节 → 条 → 事项, with the root's decoration
        need = (chars * fm.horizontalAdvance("法") + fm.horizontalAdvance("SZ2015-04-01    ")
                + depth * tree.indentation() + 8)
        title = 0  # no model yet (a first start's first show): no column; the model's module is not loaded for it
        if tree.model() is not None:
            from fazhi_desk.ui.checklist_model import COL_TITLE

            title = tree.header().sectionSize(COL_TITLE)
        lack = need - title
        left, right = self.splitter.sizes()[:2]
        give = min(lack, right - self.right_tabs.minimumSizeHint().width())
        if give > 0:
            self.splitter.setSizes([left + give, right - give])

    def edit_profile(self, first_start: bool = False) -> Op | None:
        """单位信息…: the dialog shows once the document choices are read (see :func:`menus.edit_profile`)."""
        from fazhi_desk.ui.menus import edit_profile

        return edit_profile(self, first_start=first_start)

    def show_about(self) -> None:
        from fazhi_desk.ui.menus import show_about

        show_about(self)

    # ------------------------------------------------------------------ refreshing from what changed
    def apply_changes(self, store: Any, changes: Changes) -> None:
        """A write committed: refresh exactly the views it names."""
        if store is not self.store or self.store is None:
            return
        year = self.year()
        if changes.profile:
            self.read_profile()
        if changes.catalogue or year in changes.years:
            self.reload()
        else:
            ids = {i for i, y in changes.items | changes.evidence if y == year}
            if ids:
                self.checklist.refresh_rows(ids)  # in the background: _on_rows_refreshed shows them
                self.statusBar().showMessage(f"已保存 {'、'.join(sorted(ids)[:3])}", 2500)
        self.changes_applied.emit(changes)

    def _on_rows_refreshed(self, ids: set[str]) -> None:
        """Rows were read again after a write: the item panel shows the stored values of the selected one."""
        if self.detail is not None and self.current_item_id() in ids:
            self.detail.show_row(self.checklist.current_row())

    # ------------------------------------------------------------------ panels talking
    def _on_current_changed(self, item_id: str | None) -> None:
        row = self.checklist.model.row_for(item_id) if item_id else None
        if self.detail is not None:
            self.detail.show_row(row)
        if self.evidence_panel is not None:
            self.evidence_panel.set_target(item_id, self.year())
        if self.activity_panel is not None:
            self.activity_panel.set_row(row, self.today)

    def _flush(self) -> None:
        """Save what the item panel still holds (a note being typed)."""
        if self.detail is not None:
            self.detail.flush()

    def _on_year_changed(self, _year: int) -> None:
        self._flush()
        self.undo_stack.clear()  # edits of another year are not undone from here
        self.reload()
        from fazhi_desk.ui.menus import offer_carry_forward

        QTimer.singleShot(0, lambda: offer_carry_forward(self))

    def show_snapshot(self, year: int, rows: list) -> bool:
        """Start-up, before the store is open: the last session's rows of ``year`` to read (:mod:`fazhi_desk.year_snapshot`)
        in the tree and the item panel, which takes no edit until the store's rows replace them."""
        if not self.checklist.show_snapshot(year, rows):
            return False
        self._build_panels()
        self.detail.setEnabled(False)
        return True

    def _on_loaded(self, year: int) -> None:
        if self.detail is not None:
            self.detail.setEnabled(True)  # the store's rows: editable (after a start-up snapshot)
        self.overview.mark_stale()
        self.year_loaded.emit(year)

    def _overview_source(self) -> tuple[list, int, dt.date, bool]:
        return self.checklist.model.rows(), self.year(), self.today, self.checklist.township_only()

    def _attach_dropped(self, item_id: str, paths: list[str]) -> None:
        from fazhi_desk.ui.evidence_panel import attach_paths

        if self.store is None:
            return
        self.select_item(item_id)
        attach_paths(self, self.store, item_id, self.year(), paths)

    # ------------------------------------------------------------------ layout and closing
    _show_maximized = False

    def _restore_geometry(self) -> None:
        avail = self.screen().availableGeometry()
        geo = self.settings.value("window/geometry")
        fits = self.settings.value("window/screen") == self._screen_setting()  # saved at this screen and scale
        if isinstance(geo, QByteArray) and not geo.isEmpty() and fits:
            self.restoreGeometry(geo)
            # saved on a larger screen (or before the text grew): keep it on this one
            if self.width() > avail.width() or self.height() > avail.height():
                self.resize(min(self.width(), avail.width()), min(self.height(), avail.height()))
            if not avail.intersects(self.frameGeometry()):
                self.move(avail.topLeft())
        else:
            self.fit_to_screen()
        st = self.settings.value("window/splitter") if fits else None
        self._split_on_first_show = not (isinstance(st, QByteArray) and not st.isEmpty())
        if not self._split_on_first_show:
            self.splitter.restoreState(st)

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/screen", self._screen_setting())
        s.setValue("window/splitter", self.splitter.saveState())
        self.checklist.save_settings()
        s.sync()

    def _screen_setting(self) -> str:
        """The screen a layout is saved for: its available size (logical pixels) and scale, e.g. 1366x728@1.5."""
        screen = self.screen()
        avail = screen.availableGeometry()
        return f"{avail.width()}x{avail.height()}@{screen.devicePixelRatio():g}"

    def fit_to_screen(self) -> None:
        """First start: on an office screen (up to 1600×900 logical pixels) the whole available screen,
        on a larger one 1360×860; never larger than the screen, taskbar excluded."""
        avail = self.screen().availableGeometry()
        if avail.width() <= 1600 or avail.height() <= 900:
            self.resize(avail.size())
            self.move(avail.topLeft())
            # maximized by show(): a window state is a Qt namespace enum, whose type costs ~20 ms to make
            if self.isVisible():
                self.showMaximized()
            else:
                self._show_maximized = True
        else:
            self.resize(min(1360, avail.width()), min(860, avail.height()))

    def show(self) -> None:  # noqa: D102 - maximized when fit_to_screen asked for it
        if self._show_maximized:
            self._show_maximized = False
            self.showMaximized()
        else:
            super().show()

    def setWindowState(self, state) -> None:  # noqa: ANN001, N802, D102 - a state set before show() wins
        self._show_maximized = False
        super().setWindowState(state)

    def split_default(self) -> None:
        """The first split favours the tree (its requirement column); the item panel keeps what its form needs."""
        w = self.splitter.width() or self.width()
        right = max(int(w * TREE_SHARE_REST), min(self.right_tabs.minimumSizeHint().width(), w // 2))
        self.splitter.setSizes([w - right, right])
        self.keep_requirement_room()  # larger text at the first start: the tree keeps its 20 characters

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if self._split_on_first_show:  # no saved layout
            self._split_on_first_show = False
            self.split_default()

    def writes_pending(self) -> int:
        return runner().writes_pending(self.store) if self.store is not None else 0

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._flush()
        if self.writes_pending():
            # a write is committing: close when it has (never cancel a transaction half-way)
            event.ignore()
            if not self._closing:
                self._closing = True
                self.setEnabled(False)
                self.statusBar().showMessage("正在保存\uff0c保存完成后关闭窗口……")
                runner().writes_finished.connect(self._close_after_writes)
            return
        self._save_settings()
        job = self.checklist.loading_job
        if job is not None:
            job.done.wait(5)
        super().closeEvent(event)

    def _close_after_writes(self) -> None:
        if self.writes_pending():
            return
        runner().writes_finished.disconnect(self._close_after_writes)
        self.setEnabled(True)
        self.close()


# The filter widgets live on the checklist panel; the window names them too (tests, tools, menus).
for _name in ("year_combo", "search", "status_combo", "doc_combo", "unit_combo", "overdue_check", "noev_check",
              "review_check", "all_check", "count_label"):
    setattr(MainWindow, _name, property(lambda self, n=_name: getattr(self.checklist, n)))
del _name
