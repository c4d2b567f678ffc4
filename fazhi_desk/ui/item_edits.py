"""The item panel's wiring: its edits become undoable writes, its review and source buttons act.

:class:`ItemEdits` listens to :class:`~fazhi_desk.ui.item_detail.ItemDetail`
and saves each edit as a write through :mod:`fazhi_desk.tasks` (the window
then refreshes the row from the write's :class:`Changes`). A saved edit goes
on the undo stack as a :class:`SetFieldsCommand` holding the old and the
stored new values, so undo also clears what the service set by itself (the
completion date when marking 已完成).

The services are imported inside the functions that call them: this module is
built right after the window's first paint, while the writer is still importing
the store; importing them here would make the UI thread wait for that import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from fazhi_desk.changes import Changes
from fazhi_desk.tasks import Op, show_error

if TYPE_CHECKING:
    from fazhi_desk.store.db import Store
    from fazhi_desk.ui.checklist_panel import ChecklistPanel
    from fazhi_desk.ui.item_detail import ItemDetail

FIELD_NAMES = {"status": "状态", "actual": "实际值", "owner": "责任人", "completed_on": "完成日期",
               "note": "说明", "na_reason": "不适用原因"}


@dataclass(frozen=True)
class Saved:
    """An edit as stored: the old values (undo), the stored new ones (redo), what changed (the window refreshes)."""

    old: dict[str, Any]
    new: dict[str, Any]
    changes: Changes


def _set_fields(store: Store, item_id: str, year: int, changes: dict[str, Any], today,  # noqa: ANN001
                reason: str | None = None, seen: tuple[dict, int] | None = None) -> Saved:
    """On the writer: save, then read back the stored new values of what changed (the service sets some itself).

    ``seen`` (a server store): the versions this window wrote itself and the version of the row it showed;
    a row another desk changed since is refused (:class:`~fazhi_desk.services.checklist.StaleEdit`).
    """
    from fazhi_desk.services.checklist import load_row, set_fields

    seen_version = None
    if seen is not None:
        known, shown = seen
        seen_version = max(shown, known.get((item_id, year), 0))  # this window's own writes since it read the row
    old = set_fields(store, item_id, year, changes, today=today, reason=reason, seen_version=seen_version)
    new: dict[str, Any] = {}
    if old or seen is not None:
        with store.session() as s:
            row = load_row(s, old.item_id, year, today)
        new = {k: getattr(row, k) for k in old}
        if seen is not None:
            seen[0][(item_id, year)] = max(row.version, seen[0].get((item_id, year), 0))
    return Saved(dict(old), new, old.changes)


def _confirm_review(store: Store, item_id: str) -> bool:
    from fazhi_desk.services.catalogue import confirm_review

    return confirm_review(store, item_id)


class SetFieldsCommand(QUndoCommand):
    """An edit already saved; undo sets the old values back, redo the new ones."""

    def __init__(self, edits: "ItemEdits", item_id: str, year: int, new: dict[str, Any], old: dict[str, Any]) -> None:
        super().__init__(f"修改 {item_id} 的{'、'.join(FIELD_NAMES.get(k, k) for k in new)}")
        self.edits, self.item_id, self.year, self.new, self.old = edits, item_id, year, new, old
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.edits.apply_edit(self.item_id, self.year, self.new, record=False)

    def undo(self) -> None:
        self.edits.apply_edit(self.item_id, self.year, self.old, record=False)


class ItemEdits(QObject):
    """Saves what the item panel asks for; owns the undo stack of the shown year."""

    saved = Signal(str, int)  # item_id, year: an edit was stored

    def __init__(self, detail: ItemDetail, checklist: ChecklistPanel, parent_widget: QWidget,
                 store: Callable[[], "Store | None"], undo_stack: QUndoStack | None = None) -> None:
        super().__init__(parent_widget)
        self.detail = detail
        self.checklist = checklist
        self.parent_widget = parent_widget
        self._store = store
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self._versions: dict[tuple[str, int], int] = {}  # (item, year) -> the version this window's writes left
        detail.edit_requested.connect(lambda item_id, year, changes: self.apply_edit(item_id, year, changes))
        detail.review_confirmed.connect(self.confirm_review)
        detail.show_source_requested.connect(self.show_source)

    def apply_edit(self, item_id: str, year: int, changes: dict[str, Any], record: bool = True,
                   reason: str | None = None) -> Op | None:
        """Save edits in the background; with ``record`` push them on the undo stack once stored."""
        store = self._store()
        if store is None:
            return None

        def stored(result: Saved) -> None:
            self.saved.emit(item_id, year)
            if not (record and result.old):
                return
            # undo sets back every field that changed, including those the service set itself;
            # redo sets their stored new values (read back on the writer, never here)
            self.undo_stack.push(SetFieldsCommand(self, item_id, year, result.new, result.old))

        def refused(e: BaseException) -> None:
            from fazhi_desk.services.submission import CorrectionReasonRequired

            if isinstance(e, CorrectionReasonRequired) and reason is None:
                from PySide6.QtWidgets import QInputDialog

                text, ok = QInputDialog.getText(
                    self.parent_widget, "更正已报送的年度",
                    f"{e.year} 年已报送县里\uff08导出编号 {e.export_id}\uff09。\n修改将记为\u201c更正\u201d\uff0c"
                    "之后请重新导出更正版报送。\n更正原因\uff1a")
                if ok and text.strip():
                    self.apply_edit(item_id, year, changes, record, reason=text.strip())
                    return
            self.detail.drop_pending(item_id, year)
            show_error(self.parent_widget, "无法保存", e)
            if year == self.checklist.year():  # show the stored values again
                self.checklist.refresh_rows([item_id])
                if self.checklist.current_item_id() == item_id:
                    self.detail.show_row(self.checklist.current_row())

        seen = None
        row = self.checklist.model.row_for(item_id) if year == self.checklist.year() else None
        if row is not None and getattr(store, "db_path", True) is None:  # a server store: other desks write too
            seen = (self._versions, row.version)
        return (Op(_set_fields, store, item_id, year, dict(changes), self.checklist.today, reason, seen)
                .write(store)  # the service says which row changed (Saved.changes)
                .success(stored).failure(refused)
                .run(self.parent_widget, "无法保存"))

    def confirm_review(self, item_id: str) -> Op | None:
        store = self._store()
        if store is None:
            return None
        year = self.checklist.year()
        return (Op(_confirm_review, store, item_id)
                .write(store, Changes.item(item_id, year))
                .run(self.parent_widget, "无法确认复核"))

    def show_source(self, item_id: str) -> None:
        from fazhi_desk.catalogue.schema import source_text
        from fazhi_desk.ui.dialogs import SourceTextDialog

        row = self.checklist.model.row_of_all(item_id)
        if row is None:
            return
        SourceTextDialog(row.document.title, source_text(row.document), row.item.source_passage,
                         self.parent_widget).exec()
