"""统计数据 tab: the year's indicator figures in one table the user types into.

Each edited figure is saved through the one writer (with the change log). A
figure linked to an item's 实际值 is that value: editing it here changes the
item, and the checklist row refreshes from the write's Changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from fazhi_desk.changes import NOTHING, Changes
from fazhi_desk.tasks import Op

if TYPE_CHECKING:
    from fazhi_desk.services.statistics import StatisticEntry
    from fazhi_desk.store.db import Store

COLUMNS = ("类别", "指标", "计量单位", "数值", "说明")
COL_VALUE = 3


def _load(s, year: int):  # noqa: ANN001, ANN202 - Session
    from fazhi_desk.services.statistics import load_statistics

    return load_statistics(s, year)


def _save(store: Store, year: int, code: str, value: str):  # noqa: ANN202
    from fazhi_desk.services.statistics import set_statistic

    return set_statistic(store, year, code, value)


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


class StatisticsTab(QWidget):
    loaded = Signal(int)
    saved = Signal(str)

    def __init__(self, store_of: Callable[[], Store | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_of = store_of
        self._year: int | None = None
        self._filling = False
        self.entries: list[StatisticEntry] = []
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c, w in ((0, 130), (2, 70), (3, 80), (4, 220)):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            h.resizeSection(c, w)
        self.hint = QLabel("县里汇总各乡镇(街道)时相加的年度数字。双击“数值”填写;留空表示未填。"
                           "标注“即事项实际值”的指标与该事项的实际值是同一个数,改一处即两处同时更新。")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.hint)
        self.table.itemChanged.connect(self._changed)

    def set_year(self, year: int) -> None:
        self._year = year
        self.title.setText(f"{year} 年度统计数据")
        self.reload()

    def reload(self) -> None:
        store = self._store_of()
        if store is None or self._year is None:
            return
        year = self._year
        Op(_load, year).in_session(store).success(lambda e: self._fill(year, e)).run(self, "读取统计数据")

    def _fill(self, year: int, entries: list[StatisticEntry]) -> None:
        if year != self._year:
            return
        self.entries = entries
        self._filling = True
        try:
            self.table.setRowCount(len(entries))
            grey = QColor("#666")
            for r, e in enumerate(entries):
                ind = e.indicator
                note = f"即事项 {ind.linked_item} 的实际值" if e.linked else (
                    f"证明事项:{'、'.join(ind.items)}" if ind.items else "")
                if ind.source != "内置":
                    note = (note + ";" if note else "") + f"由目录 {ind.source} 定义"
                for c, text in enumerate((ind.category, ind.name, ind.unit, _num(e.value), note)):
                    it = QTableWidgetItem(text)
                    if c != COL_VALUE:
                        it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
                        if c == 4:
                            it.setForeground(grey)
                    else:
                        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(r, c, it)
        finally:
            self._filling = False
        self.loaded.emit(year)

    def _changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != COL_VALUE or self._year is None:
            return
        store = self._store_of()
        if store is None:
            return
        e = self.entries[item.row()]
        year = self._year
        changes = Changes.item(e.indicator.linked_item, year) if e.linked else NOTHING
        (Op(_save, store, year, e.indicator.code, item.text().strip()).write(store, changes)
         .success(lambda _v, code=e.indicator.code: (self.saved.emit(code), self.reload()))
         .failure(self._refused)
         .run(self, "保存统计数据"))

    def _refused(self, error: BaseException) -> None:
        from fazhi_desk.tasks import show_error

        show_error(self, "保存统计数据", error)
        self.reload()
