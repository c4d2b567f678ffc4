"""年度报告 tab: the five sections of the year's written report, edited in place, drafted on request, exported to Word.

Opening the tab only reads: each section shows the program's draft of the year's
data, with the clerk's edited paragraphs kept and the drafted ones live (their
figures follow the data until the clerk edits them). An edited paragraph whose
figures no longer match is flagged above the text and when exporting. Typing is
saved shortly after the user stops (and when the year or tab changes), through
the one writer, with the change log. 重新生成草稿 puts edited sections back to
the draft only after asking. 报告模板… edits the office's opening paragraph,
theme headings and closing, and imports or exports them.
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
    QDialog,
    QDialogButtonBox,
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
    from fazhi_desk.services.annual_text import AnnualView, Regenerated
    from fazhi_desk.store.db import Store

SAVE_DELAY_MS = 800
SHORT_TITLES = {"measures": "主要举措和成效", "shortcomings": "不足和原因", "responsibility": "第一责任人履职",
                "next_year": "下一年度安排", "other": "其他情况"}
HINT = ("每部分由程序根据本年度数据起草\uff0c可自由修改\uff1b未修改的段落随数据更新\uff0c修改过的段落保留原样"
        "\uff08其中数字与最新数据不一致时在上方提示\uff09。“\uff08一\uff09”开头的行排为二级标题\uff0c其他每行为一段。")


def _load(store: Store, year: int) -> AnnualView:
    from fazhi_desk.services.annual_text import annual_view

    return annual_view(store, year)


def _regenerate(store: Store, year: int, keys: tuple[str, ...] | None, overwrite: tuple[str, ...]) -> Regenerated:
    from fazhi_desk.services.annual_text import regenerate

    return regenerate(store, year, keys, overwrite=overwrite)


def _save(store: Store, year: int, key: str, text: str, base: str) -> bool:
    from fazhi_desk.services.annual_text import save_section

    return save_section(store, year, key, text, draft=base)


def _problems(store: Store, year: int):  # noqa: ANN202
    from fazhi_desk.services.annual_text import report_problems

    return report_problems(store, year)


def _set_date(store: Store, year: int, when: dt.date | None) -> None:
    from fazhi_desk.services.annual_text import set_submit_date

    set_submit_date(store, year, when)


def _export(ctx, store: Store, year: int, path: str):  # noqa: ANN001, ANN202
    from fazhi_desk.services.annual_text import export_docx

    return export_docx(ctx, store, year, path)


def _template_text(store: Store) -> str:
    from fazhi_desk.services.report_template import get_template

    return get_template(store).to_text()


def _set_template_text(store: Store, text: str) -> str:
    from fazhi_desk.services.report_template import parse_template, set_template

    return set_template(store, parse_template(text)).to_text()


def _import_template(store: Store, path: str) -> str:
    from fazhi_desk.services.report_template import import_template

    return import_template(store, path).to_text()


def _export_template(store: Store, path: str):  # noqa: ANN202
    from fazhi_desk.services.report_template import export_template

    return export_template(store, path)


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
        self._bases: dict[str, str] = {}  # per section: the draft the shown text is compared with
        self.text: AnnualView | None = None

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.has_date = QCheckBox("报送日期")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setEnabled(False)
        self.redraft = QPushButton("重新生成草稿…")
        self.redraft.setToolTip("根据本年度的完成情况、说明和统计数据重新起草\uff1b已修改的部分会先询问")
        self.export = QPushButton("导出 Word…")
        self.template = QPushButton("报告模板…")
        self.template.setToolTip("本单位的开头语、各方面标题和结束语\uff1b可导出、导入\uff08.docx 或 .txt\uff09\uff0c重新生成草稿时保留")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #a33;")
        self.warning.hide()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.has_date)
        top.addWidget(self.date)
        top.addWidget(self.redraft)
        top.addWidget(self.template)
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
        lay.addWidget(self.warning)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.hint)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self.redraft.clicked.connect(self.regenerate)
        self.export.clicked.connect(self.export_docx)
        self.template.clicked.connect(self.edit_template)
        self.has_date.toggled.connect(self._date_changed)
        self.date.dateChanged.connect(lambda _d: self._date_changed())

    # ------------------------------------------------------------ loading
    def set_year(self, year: int) -> None:
        """Show ``year`` (read again each time: drafted figures follow the data)."""
        self.flush()
        self._year = year
        self.title.setText(f"{year} 年度法治政府建设情况报告")
        self.reload()

    def reload(self) -> None:
        """Read the year's sections again (nothing is written; typing not yet saved is saved first)."""
        store = self._store_of()
        if store is None or self._year is None:
            return
        self.flush()
        Op(_load, store, self._year).success(self._fill).run(self, "读取年度报告")

    def _fill(self, view: AnnualView) -> None:
        if view.year != self._year:
            return
        self.text = view
        self._loading = True
        try:
            for s in view.sections:
                self._bases[s.key] = s.base
                if s.key in self._dirty:
                    continue  # typed since the read started: the typing wins (saved next)
                ed = self.editors[s.key]
                if ed.toPlainText() != s.text:
                    ed.setPlainText(s.text)
                self._mark(s.key, s.edited, bool(s.stale))
            self.has_date.setChecked(view.submit_date is not None)
            d = view.submit_date or dt.date.today()
            self.date.setDate(QDate(d.year, d.month, d.day))
            self.date.setEnabled(view.submit_date is not None)
        finally:
            self._loading = False
        self._show_stale(view)
        self.loaded.emit(view.year)

    def _show_stale(self, view: AnnualView) -> None:
        stale = view.stale
        self.warning.setVisible(bool(stale))
        self.warning.setText("\n".join(x.message() for x in stale[:5])
                             + (f"\n……另有 {len(stale) - 5} 段" if len(stale) > 5 else ""))

    def _mark(self, key: str, edited: bool, stale: bool = False) -> None:
        i = [k for k, _t in SECTIONS].index(key)
        base = self.tabs.tabText(i).rstrip(" *!")
        self.tabs.setTabText(i, base + (" !" if stale else " *" if edited else ""))
        tip = "已修改\uff08重新生成草稿时会先询问\uff09\uff1b未修改的段落随数据更新" if edited else "程序起草\uff0c随本年度数据更新"
        if stale:
            tip = "有手工修改的段落数字与最新数据不一致\uff0c请核对"
        self.tabs.setTabToolTip(i, tip)

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
        year = self._year
        for key in sorted(self._dirty):
            text = self.editors[key].toPlainText()
            base = self._bases.get(key, "")
            (Op(_save, store, year, key, text, base).write(store)
             .success(lambda _r, k=key: self._saved(k))
             .run(self, "保存年度报告"))
        self._dirty.clear()

    def _saved(self, key: str) -> None:
        self.saved.emit(key)
        store = self._store_of()
        if store is not None and self._year is not None and not self._dirty:
            Op(_load, store, self._year).success(self._fill).run(self, "读取年度报告")

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

    def edit_template(self) -> None:
        store = self._store_of()
        if store is None:
            return
        Op(_template_text, store).success(self._template_dialog).run(self, "读取报告模板")

    def _template_dialog(self, text: str) -> None:
        dlg = TemplateDialog(self._store_of, text, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.reload()

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
                f"以下部分已经修改过\uff1a{names}。\n\n是否用新生成的草稿覆盖这些部分\uff1f选“否”则保留您写的内容。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if ans == QMessageBox.StandardButton.Yes:
                self._run_regenerate(r.kept_edited, r.kept_edited)
                return
        store = self._store_of()
        if store is not None and self._year is not None:
            Op(_load, store, self._year).success(self._fill).run(self, "读取年度报告")

    def export_docx(self) -> None:
        """Ask first when placeholders, a blank 单位负责人 or stale figures remain; then export."""
        store = self._store_of()
        if store is None or self._year is None:
            return
        self.flush()
        Op(_problems, store, self._year).success(self._export_if_confirmed).run(self, "检查年度报告")

    def _export_if_confirmed(self, problems) -> None:  # noqa: ANN001
        if problems:
            lines = "\n".join(f"· {p.text}" for p in problems[:8])
            more = f"\n……另有 {len(problems) - 8} 处" if len(problems) > 8 else ""
            ans = QMessageBox.question(
                self, "导出文字报告", f"文字报告还有以下内容需要完善\uff1a\n{lines}{more}\n\n仍要导出吗\uff1f",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if ans != QMessageBox.StandardButton.Yes:
                return
        self._export_now()

    def _export_now(self) -> None:
        from pathlib import Path

        from fazhi_desk.ui import filedialogs

        store = self._store_of()
        if store is None or self._year is None:
            return
        self.flush()
        name, _f = QFileDialog.getSaveFileName(
            self, "导出文字报告", filedialogs.start_path(filedialogs.REPORT, f"{self._year}年度法治政府建设情况报告.docx"),
            "Word 文档(*.docx)")
        if not name:
            return
        path = name if name.lower().endswith(".docx") else name + ".docx"
        (Op(_export, store, self._year, path).with_progress("正在导出文字报告……")
         .success(lambda p: QMessageBox.information(self, "导出文字报告", f"文字报告已保存\uff1a{Path(p)}"))
         .run(self, "导出文字报告"))


class TemplateDialog(QDialog):
    """报告模板: the office's opening paragraph, theme headings and closing, as editable text."""

    def __init__(self, store_of: Callable[[], Store | None], text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("报告模板")
        self._store_of = store_of
        self.edit = QPlainTextEdit(text)
        self.edit.setAccessibleName("报告模板")
        note = QLabel("“【开头】”下为正文前的一段\uff08{单位}、{年度}自动替换\uff09\uff0c“【主题标题】”下每行为“主题=标题”\uff0c"
                      "“【结尾】”下为正文后的结束语。保存后重新生成草稿时使用。")
        note.setWordWrap(True)
        self.import_button = QPushButton("导入…")
        self.export_button = QPushButton("导出…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.edit, 1)
        lay.addLayout(row)
        self.resize(640, 480)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.import_button.clicked.connect(self.import_file)
        self.export_button.clicked.connect(self.export_file)

    def save(self) -> None:
        store = self._store_of()
        if store is None:
            return
        Op(_set_template_text, store, self.edit.toPlainText()).write(store).success(lambda _t: self.accept()).run(
            self, "保存报告模板")

    def import_file(self) -> None:
        from fazhi_desk.ui import filedialogs

        store = self._store_of()
        name, _f = QFileDialog.getOpenFileName(self, "导入报告模板", filedialogs.start_dir(filedialogs.REPORT),
                                               "报告模板(*.docx *.txt)")
        if not name or store is None:
            return
        Op(_import_template, store, name).write(store).success(self.edit.setPlainText).run(self, "导入报告模板")

    def export_file(self) -> None:
        from fazhi_desk.ui import filedialogs

        store = self._store_of()
        name, _f = QFileDialog.getSaveFileName(self, "导出报告模板", filedialogs.start_path(filedialogs.REPORT, "报告模板.docx"),
                                               "Word 文档(*.docx);;文本文件(*.txt)")
        if not name or store is None:
            return
        if not name.lower().endswith((".docx", ".txt")):
            name += ".docx"
        Op(_set_template_text, store, self.edit.toPlainText()).write(store).run(self, "保存报告模板")
        Op(_export_template, store, name).success(
            lambda p: QMessageBox.information(self, "导出报告模板", f"报告模板已保存\uff1a{p}")).run(self, "导出报告模板")
