"""Choosing one item of the year by searching for it (同时用于其他事项…): nothing is preselected.

:meth:`ItemPickerDialog.choose` shows the dialog and returns the chosen 编号 or
None; tests replace it with monkeypatch.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

ItemIdRole = Qt.ItemDataRole.UserRole + 1


class ItemPickerDialog(QDialog):
    """A search box over ``items`` (编号, 事项内容) and the matching items; OK needs a chosen item."""

    def __init__(self, title: str, label: str, items: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 480)
        lay = QVBoxLayout(self)
        head = QLabel(label)
        head.setWordWrap(True)
        lay.addWidget(head)
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入编号或事项内容中的字词查找\uff0c多个词用空格隔开")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("查找事项")
        lay.addWidget(self.search)
        self.list = QListWidget()
        self.list.setAccessibleName("事项")
        self.list.setUniformItemSizes(True)
        for item_id, requirement in items:
            it = QListWidgetItem(f"{item_id}  {requirement}")
            it.setData(ItemIdRole, item_id)
            it.setToolTip(requirement)
            self.list.addItem(it)
        self.list.setCurrentRow(-1)
        lay.addWidget(self.list, 1)
        self.count = QLabel()
        self.count.setStyleSheet("color:#666")
        lay.addWidget(self.count)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.search.installEventFilter(self)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._enter_from_search)
        self.list.itemSelectionChanged.connect(self._update_ok)
        self.list.itemDoubleClicked.connect(lambda _it: self.accept())
        self._filter("")
        self.search.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: ANN001, N802
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down):
            self._move_into_list()
            return True
        return super().eventFilter(watched, event)

    def _visible_rows(self) -> list[int]:
        return [r for r in range(self.list.count()) if not self.list.item(r).isHidden()]

    def _move_into_list(self) -> None:
        rows = self._visible_rows()
        if rows:
            self.list.setFocus()
            if self.list.currentRow() not in rows:
                self.list.setCurrentRow(rows[0])

    def _enter_from_search(self) -> None:
        rows = self._visible_rows()
        if len(rows) == 1:  # one hit: Enter takes it
            self.list.setCurrentRow(rows[0])
            self.accept()
        else:
            self._move_into_list()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        shown = 0
        for r in range(self.list.count()):
            it = self.list.item(r)
            hide = bool(words) and not all(w in it.text().lower() for w in words)
            it.setHidden(hide)
            shown += not hide
            if hide and it.isSelected():
                it.setSelected(False)
        self.count.setText(f"共 {shown} 项" + ("" if shown else "\uff0c请换个词试试"))
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)

    def chosen(self) -> str | None:
        sel = [it for it in self.list.selectedItems() if not it.isHidden()]
        return sel[0].data(ItemIdRole) if sel else None

    def accept(self) -> None:
        if self.chosen() is None:
            return
        super().accept()

    @classmethod
    def choose(cls, parent: QWidget | None, title: str, label: str, items: list[tuple[str, str]]) -> str | None:
        dlg = cls(title, label, items, parent)
        return dlg.chosen() if dlg.exec() == QDialog.DialogCode.Accepted else None
