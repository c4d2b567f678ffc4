"""年度报告 tab: the five sections of the year's written report, edited in place, drafted on request, exported to Word.

The first time a year is opened with no text the program drafts all five
sections from the year's data. 重新生成草稿 replaces a section only where the
user has not changed it; for edited sections it asks first. Typing is saved
shortly after the user stops (and when the year or tab changes), through the
one writer, with the change log.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.domain.annual import SECTIONS
from fazhi_desk.tasks import Op

if TYPE_CHECKING:
    from fazhi_desk.services.annual_text import AnnualText, Regenerated
    from fazhi_desk.store.db import Store

SAVE_DELAY_MS = 800
SHORT_TITLES = {"measures": "主要举措和成效", "shortcomings": "不足和原因", "responsibility": "第一责任人履职",
                "next_year": "下一年度安排", "other": "其他情况"}
HINT = ("每部分由程序根据本年度数据起草,可自由修改。“(一)”开头的行排为二级标题,“1.”开头的行排为三级标题,"
        "其他每行为一段。")


def _load(store: Store, year: int) -> AnnualText:
    from fazhi_desk.services.annual_text import load_annual_text

    return load_annual_text(store, year)


def _regenerate(store: Store, year: int, keys: tuple[str, ...] | None, overwrite: tuple[str, ...]) -> Regenerated:
    from fazhi_desk.services.annual_text import regenerate

    return regenerate(store, year, keys, overwrite=overwrite)


def _save(store: Store, year: int, key: str, text: str) -> bool:
    from fazhi_desk.services.annual_text import save_section

    return save_section(store, year, key, text)


def _set_date(store: Store, year: int, when: dt.date | None) -> None:
    from fazhi_desk.services.annual_text import set_submit_date

    set_submit_date(store, year, when)


def _export(ctx, store: Store, year: int, path: str):  # noqa: ANN001, ANN202
    from fazhi_desk.services.annual_text import export_docx

    return export_docx(ctx, store, year, path)


class AnnualTextTab(QWidget):
    """The year's written report; ``store_of`` returns the open store (None while it opens)."""

    loaded = Signal(int)  # year
    saved = Signal(str)  # section key

    def __init__(self, store_of: Callable[[], Store | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store_of = store_of
        self._year: int | None = None
        self._loading = False
        self._dirty: set[str] = set()
        self.text: AnnualText | None = None

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.has_date = QCheckBox("报送日期")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setEnabled(False)
        self.redraft = QPushButton("重新生成草稿…")
        self.redraft.setToolTip("根据本年度的完成情况、说明和统计数据重新起草;已修改的部分会先询问")
        self.export = QPushButton("导出 Word…")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.has_date)
        top.addWidget(self.date)
        top.addWidget(self.redraft)
        top.addWidget(self.export)

        self.tabs = QTabWidget()
        self.editors: dict[str, QPlainTextEdit] = {}
        for n, (key, _title) in enumerate(SECTIONS):
            ed = QPlainTextEdit()
            ed.setTabChangesFocus(True)
            ed.setAccessibleName(SHORT_TITLES[key])
            ed.textChanged.connect(lambda k=key: self._edited(k))
            self.editors[key] = ed
            self.tabs.addTab(ed, f"{'一二三四五'[n]}、{SHORT_TITLES[key]}")
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #666;")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.hint)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.redraft.clicked.connect(self.regenerate)
        self.export.clicked.connect(self.export_docx)
        self.has_date.toggled.connect(self._date_changed)
        self.date.dateChanged.connect(lambda _d: self._date_changed())

    # ------------------------------------------------------------ loading
    def set_year(self, year: int) -> None:
        if year == self._year and self.text is not None:
            return
        self.flush()
        self._year = year
        self.title.setText(f"{year} 年度法治政府建设情况报告")
        self.reload()

    def reload(self) -> None:
        store = self._store_of()
        if store is None or self._year is None:
            return
        year = self._year
        Op(_load, store, year).success(lambda t: self._fill(t, first=True)).run(self, "读取年度报告")

    def _fill(self, text: AnnualText, first: bool = False) -> None:
        if text.year != self._year:
            return
        if first and not any(s.text.strip() for s in text.sections):
            self._run_regenerate(None, ())  # a year never drafted: draft it (nothing of the user's to lose)
            return
        self.text = text
        self._loading = True
        try:
            for s in text.sections:
                ed = self.editors[s.key]
                if ed.toPlainText() != s.text:
                    ed.setPlainText(s.text)
                self._mark(s.key, s.edited)
            self.has_date.setChecked(text.submit_date is not None)
            d = text.submit_date or dt.date.today()
            self.date.setDate(QDate(d.year, d.month, d.day))
            self.date.setEnabled(text.submit_date is not None)
        finally:
            self._loading = False
        self._dirty.clear()
        self.loaded.emit(text.year)

    def _mark(self, key: str, edited: bool) -> None:
        i = [k for k, _t in SECTIONS].index(key)
        base = self.tabs.tabText(i).rstrip(" *")
        self.tabs.setTabText(i, base + (" *" if edited else ""))
        self.tabs.setTabToolTip(i, "已修改(重新生成草稿时会先询问)" if edited else "程序起草,尚未修改")

    # ------------------------------------------------------------ editing
    def _edited(self, key: str) -> None:
        if self._loading:
            return
        self._dirty.add(key)
        self._timer.start()

    def flush(self) -> None:
        """Save every section typed into since the last save (through the writer)."""
        self._timer.stop()
        store = self._store_of()
        if store is None or self._year is None or not self._dirty:
            return
        for key in sorted(self._dirty):
            text = self.editors[key].toPlainText()
            (Op(_save, store, self._year, key, text).write(store)
             .success(lambda _r, k=key: (self._mark(k, True), self.saved.emit(k)))
             .run(self, "保存年度报告"))
        self._dirty.clear()

    def hideEvent(self, event) -> None:  # noqa: ANN001, N802
        self.flush()
        super().hideEvent(event)

    def _date_changed(self) -> None:
        if self._loading:
            return
        store = self._store_of()
        if store is None or self._year is None:
            return
        self.date.setEnabled(self.has_date.isChecked())
        when = self.date.date().toPython() if self.has_date.isChecked() else None
        Op(_set_date, store, self._year, when).write(store).failure(self._date_refused).run(self, "保存报送日期")

    def _date_refused(self, error: BaseException) -> None:
        from fazhi_desk.tasks import show_error

        show_error(self, "保存报送日期", error)
        self.reload()

    # ------------------------------------------------------------ drafting and export
    def regenerate(self) -> None:
        self.flush()
        self._run_regenerate(None, ())

    def _run_regenerate(self, keys: tuple[str, ...] | None, overwrite: tuple[str, ...]) -> None:
        store = self._store_of()
        if store is None or self._year is None:
            return
        year = self._year
        (Op(_regenerate, store, year, keys, overwrite).write(store)
         .with_progress("正在起草年度报告……")
         .success(lambda r: self._after_regenerate(r, overwrite))
         .run(self, "生成年度报告草稿"))

    def _after_regenerate(self, r: Regenerated, overwrite: tuple[str, ...]) -> None:
        if r.kept_edited and not overwrite:
            names = "、".join(SHORT_TITLES[k] for k in r.kept_edited)
            ans = QMessageBox.question(
                self, "重新生成草稿",
                f"以下部分已经修改过:{names}。\n\n是否用新生成的草稿覆盖这些部分?选“否”则保留您写的内容。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if ans == QMessageBox.StandardButton.Yes:
                self._run_regenerate(r.kept_edited, r.kept_edited)
                return
        store = self._store_of()
        if store is not None and self._year is not None:
            Op(_load, store, self._year).success(self._fill).run(self, "读取年度报告")

    def export_docx(self) -> None:
        from pathlib import Path

        from fazhi_desk.ui import filedialogs

        store = self._store_of()
        if store is None or self._year is None:
            return
        self.flush()
        name, _f = QFileDialog.getSaveFileName(
            self, "导出文字报告", filedialogs.start_path(filedialogs.REPORT, f"{self._year}年度法治政府建设情况报告.docx"),
            "Word 文档 (*.docx)")
        if not name:
            return
        path = name if name.lower().endswith(".docx") else name + ".docx"
        (Op(_export, store, self._year, path).with_progress("正在导出文字报告……")
         .success(lambda p: QMessageBox.information(self, "导出文字报告", f"文字报告已保存:{Path(p)}"))
         .run(self, "导出文字报告"))
