"""The checklist: the filter bar (year, search, filters) and the item tree, with their own wiring.

:class:`ChecklistPanel` owns the :class:`~fazhi_desk.ui.checklist_model.ChecklistModel`,
the tree, the filter widgets (on a toolbar the window adds) and the
"显示 n / m 项" label (in the window's status bar). It loads a year in the
background (a read through :mod:`fazhi_desk.tasks`), re-reads single rows (in
the background too) when a write says they changed, and remembers its filters and selection in the
window's settings. It says what happened through signals; it does not know
the item panel, the evidence panel or the dashboard.

The model (and with it Qt's large ``Qt`` namespace of enums) is made when first
needed, after the window's first paint: the empty tree needs no model.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Iterable

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.errors import UserError
from fazhi_desk.tasks import Op, show_error
from fazhi_desk.ui.drops import dropped_paths

if TYPE_CHECKING:
    from fazhi_desk.services.checklist import ChecklistRow
    from fazhi_desk.store.db import Store
    from fazhi_desk.ui.checklist_model import ChecklistModel, Filter

# The search box filters on the event loop's next pass, not on each textChanged: characters that arrive together
# (an input method's commit, keys typed while the last filter ran) are filtered and painted once, for the last text.
SEARCH_DELAY_MS = 0
BEHIND = "进度落后"  # the status filter's last choice: logged items behind an even pace (not a stored status)
# The widest text each narrow column (by header) normally shows: it gets that much, the requirement the rest.
NARROW_COLUMN_SAMPLES = {
    "状态": ("本年度未发生", "进行中\uff08逾期\uff09", "已完成\uff082022年\uff09"),
    "进度": ("888/888",),
    "责任人": ("王小明",),
    "截止": ("2025-12-31",),
    "佐证": ("88",),
}
FIRST_YEAR = 2015
LOADING_TEXT = "正在载入…"
SNAPSHOT_NOTE = "下面是上次关闭时的清单\uff0c只能查看\uff1b载入完成后即可修改"


def _load_year(session, year: int, today: dt.date) -> list[ChecklistRow]:  # noqa: ANN001
    from fazhi_desk.services.checklist import load_year

    return load_year(session, year, today)


def _load_rows(session, keys: list[str], year: int, today: dt.date) -> list[ChecklistRow]:  # noqa: ANN001
    """The rows of these items in ``year`` (items no longer installed are left out)."""
    from fazhi_desk.services.checklist import load_row

    out = []
    for item_id in keys:
        try:
            out.append(load_row(session, item_id, year, today))
        except UserError:
            pass
    return out


class CellDelegate(QStyledItemDelegate):
    """Paints a checklist cell as QStyledItemDelegate does, with what the model's ``cell()`` gives in one call.

    The base class reads a cell through seven data() calls (text, colour, font, alignment, decoration, check
    state, background), each a call from Qt into Python: for the ~40 rows × 6 columns a search keystroke
    repaints, that was most of the paint."""

    def __init__(self, model: ChecklistModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtGui import QPalette
        from PySide6.QtWidgets import QStyleOptionViewItem

        self._model = model
        self._text_role = QPalette.ColorRole.Text
        self._has_display = QStyleOptionViewItem.ViewItemFeature.HasDisplay
        self._has_decoration = QStyleOptionViewItem.ViewItemFeature.HasDecoration
        self._features: dict[Any, Any] = {}  # the view's features → with HasDisplay (flag arithmetic is slow here)
        self._icons: dict[tuple, Any] = {}
        self._aligns: dict[int, Any] = {}

    def initStyleOption(self, option, index) -> None:  # noqa: ANN001, N802
        text, brush, font, align, decoration = self._model.cell(index)
        option.index = index
        option.text = text
        features = option.features
        shown = self._features.get(features)
        if shown is None:
            shown = self._features[features] = features | self._has_display
        if brush is not None:
            option.palette.setBrush(self._text_role, brush)
        if font is not None:
            from PySide6.QtGui import QFontMetrics

            option.font = font.resolve(option.font)
            option.fontMetrics = QFontMetrics(option.font)
        if align is not None:
            flag = self._aligns.get(align)
            if flag is None:
                from PySide6.QtCore import Qt

                flag = self._aligns[align] = Qt.AlignmentFlag(align)
            option.displayAlignment = flag
        if decoration is not None:  # a colour: a square of it, as QStyledItemDelegate draws one
            size = option.decorationSize
            key = (size.width(), size.height(), decoration.rgba())
            icon = self._icons.get(key)
            if icon is None:
                from PySide6.QtGui import QIcon, QPixmap

                pixmap = QPixmap(size)
                pixmap.fill(decoration)
                icon = self._icons[key] = QIcon(pixmap)
            option.icon = icon
            shown = shown | self._has_decoration
        option.features = shown
        option.styleObject = None


class TitleDelegate(CellDelegate):
    """The 检查事项 column: the 编号 always whole, the requirement elided in its middle when the column is narrow.

    Measuring a long Chinese requirement is the dearest part of painting a row: the room a cell has and the
    text shown in it are remembered (a keystroke in the search box repaints the same rows again)."""

    _CACHE_MAX = 4096

    def __init__(self, model: ChecklistModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._rooms: dict[tuple, int] = {}
        self._texts: dict[tuple, str | None] = {}

    def initStyleOption(self, option, index) -> None:  # noqa: ANN001, N802
        super().initStyleOption(option, index)
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QStyle

        from fazhi_desk.ui.checklist_model import ItemIdRole

        style = option.widget.style() if option.widget is not None else None
        width = option.rect.width()
        if style is None or width <= 0:  # measuring the row (sizeHint): the text stays whole
            return
        font = option.font.key()
        rk = (width, int(option.features.value if hasattr(option.features, "value") else option.features),
              option.decorationSize.width(), font, id(style))
        room = self._rooms.get(rk)
        if room is None:
            text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, option.widget)
            room = text_rect.width() - 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
            if len(self._rooms) > self._CACHE_MAX:
                self._rooms.clear()
            self._rooms[rk] = room
        text = option.text
        tk = (text, room, font)
        if tk in self._texts:
            shown = self._texts[tk]
        else:
            fm = option.fontMetrics
            shown = None
            if fm.horizontalAdvance(text) > room:
                head, sep, rest = text.partition("  ") if index.data(ItemIdRole) else ("", "", text)
                keep = fm.horizontalAdvance(head + sep)
                shown = head + sep + fm.elidedText(rest, Qt.TextElideMode.ElideMiddle, max(room - keep, 0))
            if len(self._texts) > self._CACHE_MAX:
                self._texts.clear()
            self._texts[tk] = shown
        if shown is not None:
            option.text = shown
            option.textElideMode = Qt.TextElideMode.ElideRight  # only if even the 编号 does not fit


class ChecklistTree(QTreeView):
    """The item tree; accepts files dropped onto an item (evidence)."""

    files_dropped = Signal(str, list)  # item_id, paths

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def _target(self, event) -> str | None:  # noqa: ANN001
        from fazhi_desk.ui.checklist_model import ItemIdRole

        if not event.mimeData().hasUrls() or self.model() is None:
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
        paths = dropped_paths(event.mimeData())
        event.acceptProposedAction()
        if paths:
            self.files_dropped.emit(item_id, paths)


class ChecklistPanel(QWidget):
    """Year, filters and search over the item tree of one store (``store`` is None until it is open)."""

    current_changed = Signal(object)  # item_id or None
    year_changed = Signal(int)  # the user picked another year (before it loads)
    loaded = Signal(int)  # a year's rows are shown
    rows_changed = Signal()  # rows were replaced (an edit): the dashboard is stale
    rows_refreshed = Signal(object)  # set of item_ids whose rows were read again and replaced
    scope_changed = Signal()  # 显示全部事项 toggled: the dashboard counts another set
    import_requested = Signal()  # 导入新的方案… pressed on the expired-term notice
    open_requested = Signal(str)  # Enter on an item (in the tree or from the search box): edit it
    selection_hidden = Signal(str)  # a filter hid the selected item (the item panel lets go of it)

    def __init__(self, settings: QSettings, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.today = today
        self.store: Store | None = None
        self.on_error: Callable[[BaseException], Any] | None = None  # a failed load (None: the standard box)
        self._load_generation = 0
        self._refreshed_while_loading: set[str] = set()  # rows re-read after an edit while a year read ran
        self._refresh_seq = 0  # the reads of single rows asked for, in order
        self._row_seq: dict[str, int] = {}  # item_id → the newest read asked for it (older answers are dropped)
        self._pending_select: str | None = None
        self._hidden_item: str | None = None  # selected, then hidden by a filter
        self.loading_job: Op | None = None
        self.showing_snapshot = False  # the rows shown are the last session's (year_snapshot), not the store's

        self._model: ChecklistModel | None = None
        self.tree = ChecklistTree()
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.loading_label = QLabel(LOADING_TEXT)
        self.loading_label.setObjectName("loading")
        self.loading_label.setContentsMargins(8, 4, 8, 4)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.loading_label)
        self.term_notice = QFrame()
        self.term_notice.setObjectName("termNotice")
        self.term_notice.setStyleSheet("#termNotice { background: #fff4e5; border-bottom: 1px solid #e0b36a; }")
        notice_lay = QHBoxLayout(self.term_notice)
        notice_lay.setContentsMargins(8, 4, 8, 4)
        self.term_label = QLabel()
        self.term_label.setWordWrap(True)
        self.term_import = QPushButton("导入新的方案…")
        self.term_import.clicked.connect(self.import_requested.emit)
        notice_lay.addWidget(self.term_label, 1)
        notice_lay.addWidget(self.term_import)
        self.term_notice.hide()
        lay.addWidget(self.term_notice)
        lay.addWidget(self.tree, 1)
        self.tree.installEventFilter(self)

        self.count_label = QLabel()
        self.filter_bar = self._build_filter_bar()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self._restore_settings()

    @property
    def model(self) -> ChecklistModel:
        """The tree's model, made on first use (after the first paint at start-up)."""
        if self._model is None:
            from fazhi_desk.ui.checklist_model import (
                COL_DUE,
                COL_EVIDENCE,
                COL_OWNER,
                COL_PROGRESS,
                COL_STATUS,
                COL_TITLE,
                ChecklistModel,
            )

            self._model = ChecklistModel(self)
            self._model.today = self.today
            self.tree.setModel(self._model)

            # a long requirement loses its middle, not its 编号 or its end (the tooltip has it whole)
            from PySide6.QtCore import Qt

            # the scroll bar stays: a list of hits growing past one screen (the first character typed in the search
            # box) would otherwise bring it in, narrow the 检查事项 column and lay out and paint the tree twice
            self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
            self.tree.setItemDelegate(CellDelegate(self._model, self.tree))
            self.tree.setItemDelegateForColumn(COL_TITLE, TitleDelegate(self._model, self.tree))
            h = self.tree.header()
            h.setStretchLastSection(False)
            h.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
            for col in (COL_STATUS, COL_PROGRESS, COL_OWNER, COL_DUE, COL_EVIDENCE):
                h.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.fit_columns()
            self.tree.selectionModel().currentChanged.connect(self._on_current_changed)
        return self._model

    # ------------------------------------------------------------------ columns
    def fit_columns(self) -> None:
        """Size the narrow columns to their usual content in the current font; the requirement gets the rest."""
        if self._model is None:
            return
        from PySide6.QtCore import Qt

        fm = self.tree.fontMetrics()
        h = self.tree.header()
        hfm = h.fontMetrics()
        pad = fm.horizontalAdvance(" ") + 10  # cell margins and the header's section padding (no more: +2 on 1366)
        for col in range(self._model.columnCount()):
            head = str(self._model.headerData(col, Qt.Orientation.Horizontal))
            samples = NARROW_COLUMN_SAMPLES.get(head)
            if samples:
                need = max([fm.horizontalAdvance(t) for t in samples] + [hfm.horizontalAdvance(head)]) + pad
                h.resizeSection(col, need)
        h.setMinimumSectionSize(fm.horizontalAdvance("88") + pad // 2)
        self.tree.setIndentation(max(12, int(fm.height() * 0.9)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # 查看 → 放大/缩小
            self.fit_columns()
            self._fit_filter_boxes()

    def _fit_filter_boxes(self) -> None:
        """The filter bar at the current text size: 年度, 状态 and 角色 whole (never "2025 4"), the long ones a few
        characters wide (their list shows the rest), the search box the width of its hint."""
        from PySide6.QtWidgets import QSizePolicy

        for box in (self.year_combo, self.status_combo, self.role_combo):
            box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # the toolbar never squeezes them
            box.updateGeometry()
        for box, chars in ((self.doc_combo, 8), (self.unit_combo, 10)):  # in widths of "x"
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(chars)
            box.updateGeometry()
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("搜索事项、说明、原文…") + 40)

    # ------------------------------------------------------------------ keys
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and self._model is not None:
            from PySide6.QtCore import Qt

            key = event.key()  # type: ignore[attr-defined]
            plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)  # type: ignore[attr-defined]
            if watched is self.search and plain:
                if key == Qt.Key.Key_Down:
                    self._enter_results()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    self._apply_filter()
                    if self._enter_results():
                        self.open_requested.emit(self.current_item_id())
                    return True
                if key == Qt.Key.Key_Escape and self.search.text():
                    self.search.clear()
                    self._apply_filter()
                    return True
            if watched is self.tree and plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.current_item_id():
                    self.open_requested.emit(self.current_item_id())
                    return True
        return super().eventFilter(watched, event)

    def _enter_results(self) -> bool:
        """Focus the tree on the current item if it is shown, else on the first shown item; False if none."""
        ids = self.visible_item_ids()
        if not ids:
            return False
        if self.current_item_id() not in ids:
            self.select_item(ids[0])
        self.tree.setFocus()
        return True

    def visible_item_ids(self) -> list[str]:
        """The items shown, in tree order."""
        return [r.item_id for r in self.model.visible_rows()]

    def step_unfinished(self, delta: int) -> str | None:
        """Select the next (``delta`` 1) or previous (-1) shown item still owed this year; wraps around."""
        rows = self.model.visible_rows()
        if not rows:
            return None
        ids = [r.item_id for r in rows]
        cur = self.current_item_id()
        start = ids.index(cur) if cur in ids else (-1 if delta > 0 else len(ids))
        n = len(rows)
        for k in range(1, n + 1):
            r = rows[(start + delta * k) % n]
            if r.completion.standing.outstanding:
                self.select_item(r.item_id)
                return r.item_id
        return None

    # ------------------------------------------------------------------ filter bar
    def _build_filter_bar(self) -> QToolBar:
        tb = QToolBar("筛选")
        tb.setObjectName("filters")
        tb.setMovable(False)
        tb.addWidget(QLabel(" 年度 "))
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("年度")
        for y in range(FIRST_YEAR, self.today.year + 2):
            self.year_combo.addItem(f"{y} 年", y)
        self.year_combo.currentIndexChanged.connect(lambda _i: self.year_changed.emit(self.year()))
        tb.addWidget(self.year_combo)
        tb.addSeparator()
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索事项、说明、原文…\uff08Ctrl+F\uff09")
        self.search.setMinimumWidth(self.search.fontMetrics().horizontalAdvance("搜索事项、说明、原文…") + 40)
        self.search.setToolTip("↓ 进入结果\uff0cEnter 打开事项\uff0cEsc 清空搜索")
        self.search.installEventFilter(self)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        tb.addWidget(self.search)
        self.status_combo = QComboBox()
        self.status_combo.setAccessibleName("状态筛选")
        self.status_combo.addItem("全部状态", None)  # the statuses follow in complete()
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
        self.unit_combo.currentIndexChanged.connect(self._apply_filter)
        tb.addWidget(self.unit_combo)
        self.role_combo = QComboBox()
        self.role_combo.setAccessibleName("乡镇角色筛选")
        self.role_combo.setToolTip("乡镇角色\uff1a牵头\uff08本乡镇负责\uff09、参加\uff08配合县级部门\uff0c只需说明本单位承担的部分\uff09、"
                                   "仅供了解\uff08无需本乡镇办理\uff0c不计入完成率\uff09")
        self.role_combo.addItem("全部角色", "")  # the roles follow in complete()
        self.role_combo.currentIndexChanged.connect(self._apply_filter)
        tb.addWidget(self.role_combo)
        self.overdue_check = QCheckBox("只看逾期")
        self.noev_check = QCheckBox("无佐证")
        self.review_check = QCheckBox("待复核")
        self.all_check = QCheckBox("显示全部事项")
        self.all_check.setToolTip("默认只显示适用于乡镇\uff08街道\uff09的事项\uff1b勾选后也显示由县级部门负责的事项")
        self.other_docs_check = QCheckBox("显示其他文件")
        self.other_docs_check.setToolTip("默认只显示本单位适用文件\uff08设置 → 单位信息\uff09中的事项\uff1b"
                                         "勾选后也显示已安装的其他文件\uff0c它们不计入完成率和年度报告")
        for box in (self.overdue_check, self.noev_check, self.review_check, self.all_check, self.other_docs_check):
            box.toggled.connect(self._apply_filter)
            tb.addWidget(box)
        self._fit_filter_boxes()
        return tb

    def complete(self) -> None:
        """What the first paint does without: the status choices (the domain model) and the tree's model."""
        if self.status_combo.count() > 1:
            return
        self.search.setClearButtonEnabled(True)  # its icon is loaded then: ~2 ms the first paint does without
        from fazhi_desk.domain.model import Status, TownshipRole

        self.status_combo.blockSignals(True)
        for st in (*Status, BEHIND):
            value = st if isinstance(st, str) else st.value
            self.status_combo.addItem(value, value)
            if value == self._saved_status:
                self.status_combo.setCurrentIndex(self.status_combo.count() - 1)
        self.status_combo.blockSignals(False)
        self.role_combo.blockSignals(True)
        for role in TownshipRole:
            self.role_combo.addItem(role.value, role.value)
        self.role_combo.blockSignals(False)
        self.model  # noqa: B018 - made now

    def step_year(self, delta: int) -> None:
        i = self.year_combo.currentIndex() + delta
        self.year_combo.setCurrentIndex(max(0, min(self.year_combo.count() - 1, i)))

    # ------------------------------------------------------------------ settings
    _CHECKS = (("overdue_check", "overdue"), ("noev_check", "no_evidence"), ("review_check", "review"),
               ("all_check", "show_all"), ("other_docs_check", "other_documents"))

    def _restore_settings(self) -> None:
        s = self.settings
        year = int(s.value("view/year", self.today.year))
        idx = self.year_combo.findData(year)
        self.year_combo.blockSignals(True)
        self.year_combo.setCurrentIndex(idx if idx >= 0 else self.year_combo.findData(self.today.year))
        self.year_combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.setText(str(s.value("view/search", "")))
        self.search.blockSignals(False)
        self._saved_status = str(s.value("view/status", "") or "")
        for attr, key in self._CHECKS:
            box = getattr(self, attr)
            box.blockSignals(True)
            box.setChecked(str(s.value(f"view/{key}", "false")).lower() == "true")
            box.blockSignals(False)
        self._pending_select = str(s.value("view/item", "")) or None
        self._saved_doc = str(s.value("view/doc", ""))
        self._saved_unit = str(s.value("view/unit", ""))

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("view/year", self.year())
        s.setValue("view/search", self.search.text())
        s.setValue("view/item", self.current_item_id() or self._pending_select or "")
        s.setValue("view/status", self.status_combo.currentData() or self._saved_status or "")
        s.setValue("view/doc", self.doc_combo.currentData() or self._saved_doc or "")
        s.setValue("view/unit", self.unit_combo.currentData() or self._saved_unit or "")
        for attr, key in self._CHECKS:
            s.setValue(f"view/{key}", getattr(self, attr).isChecked())

    # ------------------------------------------------------------------ loading
    def year(self) -> int:
        return int(self.year_combo.currentData())

    def reload(self, select: str | None = None) -> Op | None:
        """Read the selected year in the background; the rows replace the tree when they arrive."""
        if self.store is None:
            return None
        self.complete()
        self._load_generation += 1
        gen = self._load_generation
        self._refreshed_while_loading.clear()
        year = self.year()
        self._pending_select = select or self.current_item_id() or self._pending_select
        self.loading_label.setText(f"正在载入 {year} 年度…" + (f"\uff08{SNAPSHOT_NOTE}\uff09" if self.showing_snapshot else ""))
        self.loading_label.show()
        store = self.store
        op = Op(_load_year, year, self.today).in_session(store)
        op.success(lambda rows, g=gen, y=year: self._on_loaded(g, y, rows))
        op.failure(lambda e: self._read_refused(store, e))
        op.finally_(lambda g=gen: self._load_ended(g))
        self.loading_job = op.run(self, "无法载入检查清单")
        return op

    def show_snapshot(self, year: int, rows: list) -> bool:
        """Before the store is open: show the last session's rows of ``year`` (read-only, marked as loading).

        Replaced by the store's rows when they are read (:meth:`reload`); the selection carries over.
        """
        if self.store is not None or year != self.year() or not rows:
            return False
        self.showing_snapshot = True
        self._fill_filter_choices(rows)
        self.model.set_rows(rows, self.current_filter())
        self._after_filter()
        self.loading_label.setText(f"正在载入 {year} 年度…\uff08{SNAPSHOT_NOTE}\uff09")
        self.loading_label.show()
        return True

    def _load_ended(self, gen: int) -> None:
        if gen == self._load_generation:
            self.loading_job = None
            self.loading_label.hide()

    def _on_loaded(self, gen: int, year: int, rows: list[ChecklistRow]) -> None:
        if gen != self._load_generation:
            return  # a newer load is on its way
        self.loading_label.hide()
        self.showing_snapshot = False
        self._show_term_notice(year, rows)
        self._fill_filter_choices(rows)
        self.model.set_rows(rows, self.current_filter())
        # An edit that committed while this read ran may not be in its rows: read those items again.
        if self._refreshed_while_loading:
            self.refresh_rows(self._refreshed_while_loading)
            self._refreshed_while_loading.clear()  # after: this job is still running while it is re-read
        self._after_filter()
        select = self._pending_select
        self._pending_select = None
        if not (select and self.select_item(select)):
            self.current_changed.emit(None)
        self.loaded.emit(year)

    def _show_term_notice(self, year: int, rows: list[ChecklistRow]) -> None:
        """A binding plan whose term ended before ``year``: its items are not due; say so and offer the import."""
        ended = {}
        for r in rows:
            d = r.document
            if r.binding and d.term_end is not None and year > d.term_end:
                ended.setdefault(d.code, d)
        from fazhi_desk.domain.model import document_start

        # a newer plan bound and in force this year is what the notice asks for: then it is not shown
        live = {r.document.code: r.document for r in rows if r.binding and r.document.in_force(year)}
        ended = {c: d for c, d in ended.items()
                 if not any(document_start(n) > document_start(d) for n in live.values())}
        lines = [f"《{d.title}》施行期限已于{d.term_end}年届满\uff0c请导入新的方案。" for d in ended.values()]
        self.term_label.setText("\n".join(lines) + ("\n其事项本年度不再到期\uff1b以往年度的记录不变。" if lines else ""))
        self.term_notice.setVisible(bool(lines))

    def refresh_rows(self, item_ids: Iterable[str]) -> Op | None:
        """Read these items of the shown year again (after a write) in the background, and show them.

        Two refreshes of one row may come back out of order (reads take turns on the store's one
        connection, in no set order): a row is replaced only by the newest read asked for it, and only
        while its year is shown. ``rows_refreshed(ids)`` says which rows were replaced.
        """
        if self.store is None:
            return None
        keys = sorted(set(item_ids))
        if not keys:
            return None
        if self.loading_job is not None:
            self._refreshed_while_loading.update(keys)
        self._refresh_seq += 1
        seq, gen, year = self._refresh_seq, self._load_generation, self.year()
        for k in keys:
            self._row_seq[k] = seq
        store = self.store
        op = Op(_load_rows, keys, year, self.today).in_session(store)
        op.success(lambda rows: self._rows_read(seq, gen, year, rows))

        op.failure(lambda e: self._read_refused(store, e))
        return op.run(self, "无法载入检查清单")

    def _read_refused(self, store: Store, e: BaseException) -> None:
        """A read of ``store`` failed: say so, unless the store was let go or closed meanwhile (restore, exit)."""
        if store is not self.store or not store.is_open:
            return  # nothing shown here comes from it any more
        (self.on_error or (lambda err: show_error(self, "无法载入检查清单", err)))(e)

    def _rows_read(self, seq: int, gen: int, year: int, rows: list[ChecklistRow]) -> None:
        if gen != self._load_generation or year != self.year():
            return  # another year replaced the tree meanwhile
        # while a year is being read the tree may still show the year before: only rows of this year are replaced
        # (the year's read reads these rows again when it arrives: _on_loaded)
        shown = self.model.row_for
        fresh = [r for r in rows if self._row_seq.get(r.item_id) == seq
                 and (self.loading_job is None or getattr(shown(r.item_id), "year", None) == year)]
        for row in fresh:
            self._row_seq.pop(row.item_id, None)
            self.model.replace_row(row)
        if fresh:
            self.rows_changed.emit()
            self.rows_refreshed.emit({r.item_id for r in fresh})

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

    # ------------------------------------------------------------------ filtering
    def current_filter(self) -> Filter:
        from fazhi_desk.domain.model import Status
        from fazhi_desk.ui.checklist_model import Filter

        chosen = self.status_combo.currentData()
        return Filter(
            text=self.search.text().strip().lower(),
            status=Status(chosen) if chosen and chosen != BEHIND else None,
            behind_on=self.today if chosen == BEHIND else None,
            overdue_only=self.overdue_check.isChecked(),
            no_evidence_only=self.noev_check.isChecked(),
            review_only=self.review_check.isChecked(),
            lead_unit=self.unit_combo.currentData() or "",
            doc_code=self.doc_combo.currentData() or "",
            show_all=self.all_check.isChecked(),
            role=self.role_combo.currentData() or "",
            other_documents=self.other_docs_check.isChecked(),
        )

    def township_only(self) -> bool:
        return not self.all_check.isChecked()

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        keep = self.current_item_id() or self._hidden_item
        self.model.set_filter(self.current_filter())
        self._after_filter()
        if self.sender() is self.all_check:
            self.scope_changed.emit()
        self._hidden_item = None
        if keep and not self.select_item(keep):
            # the selected item is filtered out: nobody should go on editing what the tree no longer shows;
            # it comes back when a later filter shows it again
            self._hidden_item = keep
            self.tree.setCurrentIndex(QModelIndex())
            self.current_changed.emit(None)
            self.selection_hidden.emit(keep)

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
        shown = self.model.visible_count()
        self.count_label.setText(f"{self.year()} 年 · 显示 {shown} / {len(self.model.rows())} 项 ")

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # ------------------------------------------------------------------ selection
    def current_item_id(self) -> str | None:
        if self._model is None:
            return None
        from fazhi_desk.ui.checklist_model import ItemIdRole

        idx = self.tree.currentIndex()
        return idx.data(ItemIdRole) if idx.isValid() else None

    def current_row(self) -> ChecklistRow | None:
        item_id = self.current_item_id()
        return self.model.row_for(item_id) if item_id else None

    def select_item(self, item_id: str) -> bool:
        idx = self.model.index_for_item(item_id)
        if not idx.isValid():
            return False
        self.tree.setCurrentIndex(idx)
        self.tree.scrollTo(idx)
        return True

    def _on_current_changed(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if current.isValid():
            self._hidden_item = None
        from fazhi_desk.ui.checklist_model import ItemIdRole

        self.current_changed.emit(current.data(ItemIdRole) if current.isValid() else None)
