"""统计数据 tab: the year's indicator figures in one table the user types into.

Each edited figure is saved through the one writer (with the change log). A
figure linked to an item's 实际值 is that value: editing it here changes the
item, and the checklist row refreshes from the write's Changes. When it would
replace an 实际值 the user set by hand in the checklist, the tab asks first and
saves only on 是 (``overwrite_item=True``). Each indicator's 口径 is in the 说明
column; figures that do not fit together (出庭 > 应诉 is refused by the writer;
报备 > 制发, an event item marked 本年度未发生 while a figure counts it) are listed
under the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.changes import Changes
from fazhi_desk.tasks import Op, runner

if TYPE_CHECKING:
    from fazhi_desk.services.statistics import StatisticEntry
    from fazhi_desk.store.db import Store

COLUMNS = ("类别", "指标", "计量单位", "数值", "说明")
COL_VALUE = 3


def _load(s, year: int):  # noqa: ANN001, ANN202 - Session
    from fazhi_desk.services.statistics import findings, load_statistics

    return load_statistics(s, year), [f.text for f in findings(s, year)]


def _save(store: Store, year: int, code: str, value: str, overwrite_item: bool = False,  # noqa: ANN202
          reason: str | None = None):
    from fazhi_desk.services.statistics import set_statistic

    return set_statistic(store, year, code, value, overwrite_item=overwrite_item, reason=reason)


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
        self.hint = QLabel("县里汇总各乡镇\uff08街道\uff09时相加的年度数字。双击“数值”填写\uff1b留空表示未填。"
                           "标注“即事项实际值”的指标与该事项的实际值是同一个数\uff0c改一处即两处同时更新。")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #9C0006;")
        self.warnings.setVisible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.warnings)
        lay.addWidget(self.hint)
        self.table.itemChanged.connect(self._changed)
        runner().changed.connect(self._on_store_changed)

    def _on_store_changed(self, store: object, changes: Changes) -> None:
        """The one refresh path: the year's figures changed (here or elsewhere), or, while shown, an item's
        实际值 a linked figure is."""
        year = self._year
        if year is None or store is not self._store_of():
            return
        if year in changes.statistics or (self.isVisible() and (
                changes.catalogue or year in changes.years or any(y == year for _i, y in changes.items))):
            self.reload()

    def set_year(self, year: int) -> None:
        self._year = year
        self.title.setText(f"{year} 年度统计数据")
        self.reload()

    def reload(self) -> None:
        store = self._store_of()
        if store is None or self._year is None:
            return
        year = self._year
        Op(_load, year).in_session(store).success(lambda r: self._fill(year, *r)).run(self, "读取统计数据")

    def _fill(self, year: int, entries: list[StatisticEntry], found: list[str] = ()) -> None:  # noqa: B006
        if year != self._year:
            return
        self.entries = entries
        self.findings = list(found)
        self.warnings.setText("请核对\uff1a" + "\uff1b".join(found) + "。" if found else "")
        self.warnings.setVisible(bool(found))
        self._filling = True
        try:
            self.table.setRowCount(len(entries))
            grey = QColor("#666")
            for r, e in enumerate(entries):
                ind = e.indicator
                note = f"即事项 {ind.linked_item} 的实际值" if e.linked else (
                    f"证明事项\uff1a{'、'.join(ind.items)}" if ind.items else "")
                if ind.source != "内置":
                    note = (note + ";" if note else "") + f"由目录 {ind.source} 定义"
                if ind.scope:
                    note = f"口径\uff1a{ind.scope}" + ("\uff1b" + note if note else "")
                for c, text in enumerate((ind.category, ind.name, ind.unit, _num(e.value), note)):
                    it = QTableWidgetItem(text)
                    if c == 4:
                        it.setToolTip(text)
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
        self._save(self.entries[item.row()], self._year, item.text().strip(), False)

    def _save(self, e: StatisticEntry, year: int, text: str, overwrite: bool, reason: str | None = None) -> None:
        store = self._store_of()
        if store is None:
            return
        # the saved figure says what changed (the year's figures, a linked item): the window reloads this tab
        (Op(_save, store, year, e.indicator.code, text, overwrite, reason).write(store)
         .success(lambda _v, code=e.indicator.code: self.saved.emit(code))
         .failure(lambda err: self._refused(err, e, year, text, overwrite, reason))
         .run(self, "保存统计数据"))

    def _refused(self, error: BaseException, e: StatisticEntry, year: int, text: str, overwrite: bool = False,
                 reason: str | None = None) -> None:
        from fazhi_desk.services.statistics import ItemValueConflict
        from fazhi_desk.services.submission import CorrectionReasonRequired
        from fazhi_desk.tasks import show_error

        if isinstance(error, CorrectionReasonRequired) and reason is None:  # a year sent to the county: 更正
            from PySide6.QtWidgets import QInputDialog

            why, ok = QInputDialog.getText(self, "更正已报送的年度",
                                           f"{error.year} 年已报送县里\uff08导出编号 {error.export_id}\uff09。\n"
                                           "修改将记为\u201c更正\u201d\uff0c之后请重新导出更正版报送。\n更正原因\uff1a")
            if ok and why.strip():
                self._save(e, year, text, overwrite, why.strip())
                return
            self.reload()
            return
        if isinstance(error, ItemValueConflict) and year == self._year:
            ans = QMessageBox.question(
                self, "保存统计数据",
                f"统计指标\u201c{e.indicator.label}\u201d就是事项 {error.item_id} 的实际值。"
                f"该事项 {year} 年度的实际值已手工填为 {_num(error.current)}{e.indicator.unit}\uff0c"
                f"改为 {_num(error.new) or '空'} 会同时改掉事项的实际值\uff08及其完成情况\uff09。\n\n是否仍要修改\uff1f",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if ans == QMessageBox.StandardButton.Yes:
                self._save(e, year, text, True)
                return
        else:
            show_error(self, "保存统计数据", error)
        self.reload()
