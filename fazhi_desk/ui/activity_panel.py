"""The item panel's 活动记录 tab: the sessions of a counted item in the year, entered the day they happen.

One row per session (日期, 名称, 地点, 主讲/参加人员, 数量, 说明, 佐证). The entry line
above the table adds a session; a double-click edits a cell in place; 删除 removes
the selected sessions. Every change is a write through :mod:`fazhi_desk.tasks` and
goes on the window's undo stack (undo of a removal brings the session and its
evidence links back). Files dropped on a session row become evidence of the item
and year that belong to that session. The 实际值 follows the log's total; the
title says it as "3 / 4 次".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.changes import Changes
from fazhi_desk.tasks import Op

if TYPE_CHECKING:
    from fazhi_desk.domain.activity import Activity
    from fazhi_desk.services.checklist import ChecklistRow
    from fazhi_desk.store.db import Store

COLUMNS = ("日期", "名称", "地点", "主讲/参加人员", "数量", "说明", "佐证")
FIELDS = ("date", "title", "place", "people", "quantity", "note", None)
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _list(store: Store, item_id: str, year: int) -> list[Activity]:
    from fazhi_desk.services.activity import list_activities

    return list_activities(store, item_id, year)


def _add(store: Store, item_id: str, year: int, values: dict[str, Any], today: dt.date) -> Activity:
    from fazhi_desk.services.activity import add_activity

    return add_activity(store, item_id, year, today=today, **values)


def _update(store: Store, activity_id: int, values: dict[str, Any], today: dt.date) -> Any:
    from fazhi_desk.services.activity import update_activity

    return update_activity(store, activity_id, today=today, **values)


def _remove(store: Store, ids: list[int]) -> list[Any]:
    from fazhi_desk.services.activity import remove_activity

    return [remove_activity(store, i) for i in ids]


def _restore(store: Store, removed: list[Any]) -> list[Any]:
    from fazhi_desk.services.activity import restore_activity

    return [restore_activity(store, r) for r in removed]


def _attach(ctx, store: Store, activity_id: int, paths: list[str]) -> Any:  # noqa: ANN001
    from fazhi_desk.services.activity import attach_files

    return attach_files(ctx, store, activity_id, paths)


class _AddCommand(QUndoCommand):
    def __init__(self, panel: "ActivityPanel", act: Activity) -> None:
        super().__init__(f"登记活动 {act.label}")
        self.panel, self.act, self.removed = panel, act, None
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        if self.removed:
            self.panel._write(_restore, self.removed, where="无法恢复活动记录")

    def undo(self) -> None:
        def keep(result: list[Any]) -> None:
            self.removed = result

        self.panel._write(_remove, [self.act.activity_id], where="无法撤销活动记录", then=keep)


class _RemoveCommand(QUndoCommand):
    def __init__(self, panel: "ActivityPanel", removed: list[Any]) -> None:
        super().__init__(f"删除 {len(removed)} 条活动记录")
        self.panel, self.removed = panel, removed
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.panel._write(_remove, [r.activity.activity_id for r in self.removed], where="无法删除活动记录")

    def undo(self) -> None:
        self.panel._write(_restore, self.removed, where="无法恢复活动记录")


class ActivityPanel(QWidget):
    """The sessions of one counted item in one year (see the module docstring)."""

    loaded = Signal()

    def __init__(self, store: Store | None, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = undo_stack
        self.row: ChecklistRow | None = None
        self.today = dt.date.today()
        self._reads = 0
        self._filling = False

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.date = QDateEdit()
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("活动名称\uff0c如“学习《民法典》”")
        self.place = QLineEdit()
        self.place.setPlaceholderText("地点")
        self.people = QLineEdit()
        self.people.setPlaceholderText("主讲/参加人员")
        self.quantity = QDoubleSpinBox()
        self.quantity.setRange(0.5, 100000)
        self.quantity.setDecimals(1)
        self.quantity.setValue(1)
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明")
        self.add_button = QPushButton("登记")
        self.add_button.setToolTip("登记这次活动\uff1b实际值按活动记录自动统计")
        self.add_button.clicked.connect(self.add_from_form)
        self.name.returnPressed.connect(self.add_from_form)

        form1 = QHBoxLayout()
        form1.addWidget(self.date)
        form1.addWidget(self.name, 1)
        form1.addWidget(self.quantity)
        form2 = QHBoxLayout()
        for w in (self.place, self.people, self.note):
            form2.addWidget(w, 1)
        form2.addWidget(self.add_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        # the name gets the room and wraps; the date, quantity and file count their width; the rest a few characters
        hh = self.table.horizontalHeader()
        fm = self.table.fontMetrics()
        for c, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                  QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.Interactive,
                                  QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Interactive,
                                  QHeaderView.ResizeMode.ResizeToContents)):
            hh.setSectionResizeMode(c, mode)
        for c, chars in ((2, 6), (3, 7), (5, 5)):
            hh.resizeSection(c, fm.horizontalAdvance("中" * chars) + 8)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.itemChanged.connect(self._cell_edited)
        self.table.viewport().setAcceptDrops(True)
        self.table.viewport().installEventFilter(self)

        self.remove_button = QPushButton("删除所选")
        self.remove_button.clicked.connect(self.remove_selected)
        self.hint = QLabel("双击单元格可修改\uff1b把签到表、照片拖到某一行\uff0c即作为这次活动的佐证材料。")
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(form1)
        lay.addLayout(form2)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        lay.addWidget(self.hint)
        self.set_row(None)

    # --- what is shown ----------------------------------------------------------------
    def set_row(self, row: ChecklistRow | None, today: dt.date | None = None) -> None:
        """Show the sessions of ``row``'s item and year (None, or an item without a numeric target: nothing)."""
        from fazhi_desk.domain.activity import is_summed, quantity_label

        self.row = row
        if today is not None:
            self.today = today
        usable = row is not None and row.item.target is not None and self.store is not None
        for w in (self.date, self.name, self.place, self.people, self.quantity, self.note, self.add_button,
                  self.table, self.remove_button):
            w.setEnabled(usable)
        if not usable:
            self._reads += 1
            self.table.setRowCount(0)
            self.title.setText("请选择一个有数值目标的事项\uff08如“每年集中学法不少于4次”\uff09\uff0c逐次登记活动。"
                               if row is None else f"{row.item_id} 没有数值目标值\uff0c不需要逐次登记活动。")
            return
        year = row.year
        self.quantity.setVisible(is_summed(row.item.unit))
        self.quantity.setToolTip(quantity_label(row.item.unit))
        self.quantity.setSuffix(f" {row.item.unit}")
        last = min(self.today, dt.date(year, 12, 31))
        self.date.setDateRange(QDate(year, 1, 1), QDate(last.year, last.month, last.day) if last.year == year
                               else QDate(year, 1, 1))
        self.date.setDate(QDate(last.year, last.month, last.day) if last.year == year else QDate(year, 1, 1))
        self.reload()

    def reload(self) -> Op | None:
        if self.row is None or self.store is None or self.row.item.target is None:
            return None
        self._reads += 1
        n, target = self._reads, (self.row.item_id, self.row.year)

        def show(acts: list[Activity]) -> None:
            from shiboken6 import isValid

            if not isValid(self) or n != self._reads or self.row is None or (self.row.item_id, self.row.year) != target:
                return  # the window was closed meanwhile, or the user moved on (or a newer read is coming)
            self._fill(acts)
            self.loaded.emit()

        store = self.store

        def refused(e: BaseException) -> None:
            from shiboken6 import isValid

            if not isValid(self) or store is not self.store or not store.is_open:
                return  # the store was let go or closed meanwhile (restore, exit): nothing shown comes from it
            from fazhi_desk.tasks import show_error

            show_error(self, "无法读取活动记录", e)

        return Op(_list, store, *target).success(show).failure(refused).run(self, "无法读取活动记录")

    def _fill(self, acts: list[Activity]) -> None:
        from fazhi_desk.domain.activity import progress_text, total

        assert self.row is not None
        item = self.row.item
        self._filling = True
        try:
            self.table.setRowCount(len(acts))
            for r, a in enumerate(acts):
                values = (a.date.isoformat(), a.title, a.place, a.people, f"{a.quantity:g}", a.note,
                          f"{a.evidence_count}" if a.evidence_count else "")
                for c, v in enumerate(values):
                    cell = QTableWidgetItem(v)
                    cell.setData(ID_ROLE, a.activity_id)
                    cell.setToolTip(v)
                    if FIELDS[c] is None or (FIELDS[c] == "quantity" and not self.quantity.isVisible()):
                        cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    self.table.setItem(r, c, cell)
            self.table.setColumnHidden(4, not self.quantity.isVisible())
            self.table.resizeRowsToContents()
        finally:
            self._filling = False
        got = total(acts, item.unit) if acts else None
        what = progress_text(got, item.target_text, item.unit)
        self.title.setText(f"{self.row.item_id}\uff08{self.row.year} 年\uff09活动记录\uff1a{what}"
                           + ("\uff0c实际值按活动记录自动统计" if acts else "\uff0c尚未登记活动"))

    # --- writes ----------------------------------------------------------------------
    def _write(self, fn, *args: Any, where: str, then=None, failure=None,  # noqa: ANN001
               progress: str | None = None) -> Op | None:
        """Run a write of the shown item's log; the row, the counts and this table refresh after it."""
        if self.store is None or self.row is None:
            return None
        target = (self.row.item_id, self.row.year)
        op = Op(fn, self.store, *args).write(self.store, Changes.evidence_of(target)).success(
            lambda _r: self.reload())
        if then is not None:
            op.success(then)
        if failure is not None:
            op.failure(failure)
        if progress:
            op.with_progress(progress)
        return op.run(self, where)

    def add_from_form(self) -> Op | None:
        if self.row is None:
            return None
        d = self.date.date()
        values = {"date": dt.date(d.year(), d.month(), d.day()), "title": self.name.text(),
                  "place": self.place.text(), "people": self.people.text(), "note": self.note.text(),
                  "quantity": self.quantity.value() if self.quantity.isVisible() else 1.0}

        def added(act: Activity) -> None:
            self.name.clear()
            self.note.clear()
            self.undo_stack.push(_AddCommand(self, act))

        return self._write(_add, self.row.item_id, self.row.year, values, self.today, where="无法登记活动",
                           then=added)

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        if self._filling or self.row is None:
            return
        fld = FIELDS[cell.column()]
        if fld is None:
            return
        value: Any = cell.text()
        if fld == "quantity":
            try:
                value = float(value)
            except ValueError:
                pass  # the service refuses it with the message
        self._write(_update, int(cell.data(ID_ROLE)), {fld: value}, self.today, where="无法修改活动记录",
                    failure=lambda e: (self._show_error(e), self.reload()))

    def _show_error(self, e: BaseException) -> None:
        from fazhi_desk.tasks import show_error

        show_error(self, "无法修改活动记录", e)

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [int(self.table.item(r, 0).data(ID_ROLE)) for r in rows if self.table.item(r, 0) is not None]

    def remove_selected(self) -> Op | None:
        ids = self.selected_ids()
        if not ids:
            return None
        return self._write(_remove, ids, where="无法删除活动记录",
                           then=lambda removed: self.undo_stack.push(_RemoveCommand(self, removed)))

    # --- files dropped on a session ------------------------------------------------------
    def eventFilter(self, obj, e) -> bool:  # noqa: ANN001, N802
        """Drops on the table's rows: the row under the pointer is the session the files belong to."""
        if obj is self.table.viewport():
            t = e.type()
            if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                ok = e.mimeData().hasUrls() and self.row is not None and self.table.rowAt(
                    e.position().toPoint().y()) >= 0
                e.setAccepted(ok)
                if ok:
                    e.acceptProposedAction()
                return True
            if t == QEvent.Type.Drop:
                r = self.table.rowAt(e.position().toPoint().y())
                paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
                if r >= 0 and paths:
                    e.acceptProposedAction()
                    self.table.selectRow(r)
                    self.attach_to(int(self.table.item(r, 0).data(ID_ROLE)), paths)
                return True
        return super().eventFilter(obj, e)

    def attach_to(self, activity_id: int, paths: list[str]) -> Op | None:
        return self._write(_attach, activity_id, paths, where="无法添加佐证材料", progress="正在添加佐证材料……")
