"""佐证材料回收站: removed evidence with its original name, item, year and removal date; restore puts it back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.evidence.filestore import TRASH_KEEP_DAYS
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.evidence import size_text
from fazhi_desk.services.evidence_trash import TrashEntry, list_trash, restore
from fazhi_desk.store.db import Store
from fazhi_desk.tasks import Op


class TrashDialog(QDialog):
    """The evidence 回收站; a restore runs on the store's writer and the window refreshes the items it touched."""

    HEADERS = ["文件名", "事项", "年度", "大小", "移除时间", "移除人", "状态"]
    restored = Signal(str, int)  # item_id, year
    loaded = Signal()  # the entries were read (in the background) and are shown

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("佐证材料回收站")
        self.resize(860, 420)
        lay = QVBoxLayout(self)
        self.info = QLabel(f"移除的佐证材料在这里保留 {TRASH_KEEP_DAYS} 天\uff0c可以恢复到原来的事项和年度\uff1b"
                           f"超过 {TRASH_KEEP_DAYS} 天后由“清理不再使用的佐证文件”清空\uff0c无法再恢复。")
        self.info.setWordWrap(True)
        lay.addWidget(self.info)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("trash")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.empty = QLabel("回收站是空的。")
        lay.addWidget(self.empty)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        self.restore_button = bb.addButton("恢复所选", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore_selected)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.table.itemSelectionChanged.connect(self._update_button)
        self.entries: list[TrashEntry] = []
        self._reads = 0
        self.empty.setText("正在读取……")
        self.refresh()

    def refresh(self) -> Op:
        """Read the entries in the background (never on the UI thread); the newest read is shown."""
        self._reads += 1
        n = self._reads
        return (Op(list_trash, self.store).success(lambda entries: self._fill(n, entries))
                .run(self, "佐证材料回收站"))

    def _fill(self, n: int, entries: list[TrashEntry]) -> None:
        if n != self._reads:
            return
        self.entries = entries
        self.empty.setText("回收站是空的。")
        self.table.setRowCount(len(self.entries))
        for r, e in enumerate(self.entries):
            state = f"可恢复\uff08还剩 {e.days_left()} 天\uff09" if e.restorable else "文件已清除\uff0c无法恢复"
            cells = [e.original_name, e.item_id, str(e.year), size_text(e.size), f"{e.removed_at:%Y-%m-%d %H:%M}",
                     e.removed_by, state]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                if not e.restorable:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not self.entries)
        self._update_button()
        self.loaded.emit()

    def _selected(self) -> list[TrashEntry]:
        rows = sorted({i.row() for i in self.table.selectedItems()})
        return [self.entries[r] for r in rows if r < len(self.entries)]

    def _update_button(self) -> None:
        self.restore_button.setEnabled(any(e.restorable for e in self._selected()))

    def restore_selected(self) -> Op | None:
        """Put the selected entries back, on the store's one writer; the window refreshes those items."""
        ids = [e.id for e in self._selected() if e.restorable]
        if not ids:
            return None
        self.restore_button.setEnabled(False)

        def job(ctx: JobContext, store: Store, trash_ids: list[int]) -> list:  # noqa: ANN001
            return [restore(ctx, store, i) for i in trash_ids]

        def done(results: list) -> None:
            for r in results:
                self.restored.emit(r.item_id, r.year)

        return (Op(job, self.store, ids)
                .write(self.store)  # each RestoredEntry says which item-year changed
                .success(done)
                .finally_(self.refresh)
                .run(self, "从回收站恢复"))
