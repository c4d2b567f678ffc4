"""开始使用前到期的事项: one-time items due before the office's 开始使用年度, shown once, grouped, for one answer.

以前年度已完成 (with an optional note) takes them out of every year; 仍需完成 makes them due in the year
shown. The list is read and the answer saved through the task runner (:class:`fazhi_desk.tasks.Op`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import Qt

from fazhi_desk.tasks import Op

if TYPE_CHECKING:
    from fazhi_desk.store.db import Store

TITLE = "开始使用前到期的事项"
DONE_BEFORE = "以前年度已完成"
STILL_DUE = "仍需完成"


class PriorDialog(QDialog):
    """The grouped items with a tick each (all ticked), a note, and the two answers."""

    def __init__(self, rows: list, year: int, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.choice = ""
        lay = QVBoxLayout(self)
        intro = QLabel(f"以下 {len(rows)} 项一次性事项的截止日期早于本单位的开始使用年度。请确认一次\uff1a"
                       f"\u201c{DONE_BEFORE}\u201d不计入任何年度\uff1b\u201c{STILL_DUE}\u201d计入 {year} 年。")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.list = QListWidget()
        for r in rows:
            due = f"截止 {r.item.deadline}" if r.item.deadline else "无截止日期"
            it = QListWidgetItem(f"{r.item_id}  {due}  {r.item.requirement}")
            it.setData(Qt.ItemDataRole.UserRole, r.item_id)
            it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(it)
        lay.addWidget(self.list)
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明\uff08可选\uff09\uff0c如 2021年已聘请法律顾问")
        lay.addWidget(self.note)
        buttons = QDialogButtonBox()
        self.btn_done = buttons.addButton(DONE_BEFORE, QDialogButtonBox.ButtonRole.AcceptRole)
        self.btn_due = buttons.addButton(STILL_DUE, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        self.btn_done.clicked.connect(lambda: self._answer(DONE_BEFORE))
        self.btn_due.clicked.connect(lambda: self._answer(STILL_DUE))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(640, 420)

    def chosen(self) -> list[str]:
        return [self.list.item(k).data(Qt.ItemDataRole.UserRole) for k in range(self.list.count())
                if self.list.item(k).checkState() == Qt.CheckState.Checked]

    def _answer(self, choice: str) -> None:
        if not self.chosen():
            QMessageBox.information(self, TITLE, "请至少勾选一项。")
            return
        self.choice = choice
        self.accept()


def _save(store: Store, ids: list[str], choice: str, note: str, year: int) -> int:
    from fazhi_desk.services.submission import set_prior

    return set_prior(store, ids, choice, note=note, due_year=year if choice == STILL_DUE else None)


def show_prior_items(parent: QWidget, store: Store, year: int, today: dt.date | None = None) -> Op:
    """Read the items awaiting an answer, show them, save the answer (a write that reloads every view)."""
    from fazhi_desk.changes import Changes
    from fazhi_desk.services.submission import prior_candidates

    def ask(rows: list) -> None:  # noqa: ANN001
        if not rows:
            QMessageBox.information(parent, TITLE, "没有需要确认的事项\uff08或尚未在\u201c单位信息\u201d中填写开始使用年度\uff09。")
            return
        dlg = PriorDialog(rows, year, parent)
        parent.prior_dialog = dlg  # type: ignore[attr-defined] - tests reach the open dialog
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        (Op(_save, store, dlg.chosen(), dlg.choice, dlg.note.text().strip(), year)
         .write(store, Changes(catalogue=True)).run(parent, TITLE))

    return Op(prior_candidates, store, year, today).success(ask).run(parent, TITLE)
