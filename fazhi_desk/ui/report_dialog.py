"""导出年度报告 dialog: pick the year and file, optionally the 佐证材料 zip, export in the background.

The main window's menu action 导出年度报告… calls :func:`export_report_interactive`.
The export runs as a :class:`~fazhi_desk.tasks.Op` (the UI thread only shows
progress); 取消 stops it and nothing is written. When done, the dialog offers
to open the workbook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.domain.completion import YEAR_MAX, YEAR_MIN
from fazhi_desk.errors import UserError
from fazhi_desk.services.profile import OfficeProfile, check_profile, get_profile
from fazhi_desk.services.report import ReportResult, default_file_name, export_report
from fazhi_desk.store.db import Store
from fazhi_desk.tasks import Op, show_error
from fazhi_desk.ui import filedialogs
from fazhi_desk.ui.help import Section, install_help

TITLE = "导出年度报告"


def docx_name_for(report: Path) -> Path:
    stem = report.stem.replace("年度报告", "情况报告") if "年度报告" in report.stem else report.stem + "_文字报告"
    return report.with_name(stem + ".docx")


def _export(ctx, store: Store, year: int, out: Path, zip_path: Path | None, docx_path: Path | None):  # noqa: ANN001, ANN202
    """The workbook (and package), then the written report when asked: what 导出 runs off the UI thread."""
    from dataclasses import replace

    from fazhi_desk.services.annual_text import export_docx

    if docx_path is not None:
        from fazhi_desk.reports.output import check_writable

        check_writable(docx_path)  # refuse before the long part
    result = export_report(ctx, store, year, out, zip_path)
    if docx_path is not None:
        export_docx(ctx, store, year, docx_path)
        result = replace(result, docx_path=docx_path)
    return result


def _unfinished(store: Store, year: int):  # noqa: ANN202
    from fazhi_desk.services.annual_text import report_problems

    return report_problems(store, year)


def zip_name_for(report: Path) -> Path:
    stem = report.stem.replace("年度报告", "佐证材料") if "年度报告" in report.stem else report.stem + "_佐证材料"
    return report.with_name(stem + ".zip")


class ReportDialog(QDialog):
    """Asks for year, file and zip option; runs the export with a progress bar."""

    def __init__(self, store: Store, year: int, parent: QWidget | None = None,
                 profile: OfficeProfile | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setMinimumWidth(560)
        self.store = store
        self.office = (profile or get_profile(store)).office_name
        self.result: ReportResult | None = None
        self.job: Op | None = None
        self._path_edited = False

        self.year = QSpinBox()
        self.year.setRange(YEAR_MIN, YEAR_MAX)
        self.year.setValue(year)
        self.year.setSuffix(" 年")
        self.path = QLineEdit()
        self.browse = QPushButton("浏览…")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        self.with_zip = QCheckBox("同时导出佐证材料包\uff08zip\uff0c每个事项一个文件夹\uff09")
        self.zip_label = QLabel()
        self.zip_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)  # Fusion draws it mid-bar, half covered; the percentage goes in the text
        self.progress.hide()  # shown while exporting only (an empty bar read as an empty input box)
        self.status = QLabel("")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("年度\uff1a", self.year)
        form.addRow("报告文件\uff1a", row)
        form.addRow("", self.with_zip)
        self.with_docx = QCheckBox("同时导出文字报告\uff08Word\uff0c法治政府建设情况报告\uff09")
        self.with_docx.setChecked(True)
        form.addRow("", self.with_docx)
        # 报送: the year's figures are frozen with this return's 导出编号; later edits need a reason (更正)
        self.submitted = QCheckBox("标记为已报送\uff08冻结本年度数字\uff0c此后修改须填写更正原因并导出更正版\uff09")
        form.addRow("", self.submitted)
        form.addRow("", self.zip_label)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        install_help(self, Section.REPORT, self.buttons)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)

        self._set_default_path()
        self.year.valueChanged.connect(self._year_changed)
        self.path.textEdited.connect(self._edited)
        self.path.textChanged.connect(self._update_zip_label)
        self.with_zip.toggled.connect(self._update_zip_label)
        self.browse.clicked.connect(self._browse)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.reject)
        self._update_zip_label()

    # ------------------------------------------------------------ inputs
    def _set_default_path(self) -> None:
        self.path.setText(filedialogs.start_path(filedialogs.REPORT, default_file_name(self.office, self.year.value())))

    def _year_changed(self, _v: int) -> None:
        if not self._path_edited:
            self._set_default_path()

    def _edited(self, _t: str) -> None:
        self._path_edited = True

    def out_path(self) -> Path:
        p = Path(self.path.text().strip()).expanduser()
        if p.suffix.lower() != ".xlsx":
            p = p.with_name(p.name + ".xlsx")
        return p

    def zip_path(self) -> Path | None:
        return zip_name_for(self.out_path()) if self.with_zip.isChecked() else None

    def _update_zip_label(self, *_a: object) -> None:
        z = self.zip_path() if self.path.text().strip() else None
        self.zip_label.setText(f"佐证材料包\uff1a{z}" if z else "")
        self.zip_label.setVisible(z is not None)

    def _browse(self) -> None:
        name, _f = QFileDialog.getSaveFileName(self, "保存年度报告", self.path.text(), "Excel 工作簿(*.xlsx)")
        if name:
            self.path.setText(name)
            self._path_edited = True
            filedialogs.remember(filedialogs.REPORT, name)

    # ------------------------------------------------------------ running
    def _set_running(self, running: bool) -> None:
        for w in (self.year, self.path, self.browse, self.with_zip, self.with_docx, self.export_button):
            w.setEnabled(not running)
        self.cancel_button.setText("停止" if running else "取消")

    def start(self) -> None:
        if self.job is not None:
            return
        if not self.path.text().strip():
            QMessageBox.warning(self, TITLE, "请输入报告文件名。")
            return
        out = self.out_path()
        if out.exists():
            ans = QMessageBox.question(self, TITLE, f"文件“{out}”已存在\uff0c是否覆盖\uff1f")
            if ans != QMessageBox.StandardButton.Yes:
                return
        if self.with_docx.isChecked():  # ask first when the written report is unfinished (placeholders, stale figures)
            Op(_unfinished, self.store, self.year.value()).success(self._confirm_docx).run(self, TITLE)
            return
        self._start_now()

    def _confirm_docx(self, unfinished) -> None:  # noqa: ANN001 - a tuple of annual_text.Unfinished
        if unfinished:
            lines = "\n".join(f"· {u}" for u in unfinished[:8])
            more = f"\n……另有 {len(unfinished) - 8} 处" if len(unfinished) > 8 else ""
            ans = QMessageBox.question(self, TITLE, f"文字报告还有以下内容需要完善\uff1a\n{lines}{more}\n\n仍要导出吗\uff1f")
            if ans != QMessageBox.StandardButton.Yes:
                return
        self._start_now()

    def _start_now(self) -> None:
        out = self.out_path()
        self.result = None
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("正在导出……")
        self._set_running(True)
        docx = docx_name_for(out) if self.with_docx.isChecked() else None
        op = (Op(_export, self.store, self.year.value(), out, self.zip_path(), docx)
              .success(self._on_done).failure(self._on_failed).cancelled(self._on_cancelled)
              .finally_(self._on_finished))
        op.signals.progress.connect(self._on_progress)
        self.job = op.run(self, TITLE)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)
        if text:
            self._step_text = text
        step = getattr(self, "_step_text", "")
        self.status.setText(f"{step}\uff08已完成 {int(100 * done / total)}%\uff09" if total > 0 else step)

    def _on_done(self, result: ReportResult) -> None:
        self.result = result
        if self.submitted.isChecked() and result.export_id:
            from fazhi_desk.changes import Changes
            from fazhi_desk.services.submission import mark_submitted

            def sealed(state) -> None:  # noqa: ANN001 - a YearState
                self.sealed_state = state
                self.status.setText(f"{result.summary()}\n{state.text}")

            (Op(mark_submitted, self.store, result.year, result.export_id).write(self.store, Changes.year(result.year))
             .success(sealed).run(self, TITLE))
        self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.status.setText(result.summary())
        filedialogs.remember(filedialogs.REPORT, result.path)
        ans = QMessageBox.question(self, TITLE, result.summary() + "\n\n是否现在打开报告\uff1f")
        if ans == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))

    def _on_failed(self, error: BaseException) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.hide()
        self.status.setText("导出失败\uff0c没有写入文件。")
        show_error(self, "导出年度报告失败", error)

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.hide()
        self.status.setText("已取消\uff0c没有写入文件。")

    def _on_finished(self) -> None:
        self.job = None
        self._set_running(False)
        if self.result is not None:
            self.accept()
        elif self._close_when_finished:
            super().reject()

    _close_when_finished = False

    def reject(self) -> None:
        if self.job is not None:  # 停止: ask the job to stop; close once it has
            self.job.cancel()
            self.status.setText("正在停止……")
            self._close_when_finished = False
            return
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.job is not None:
            self.job.cancel()
            self._close_when_finished = True
            event.ignore()
            return
        super().closeEvent(event)


def export_report_interactive(parent: QWidget | None, store: Store, year: int | None = None,
                              profile: OfficeProfile | None = None) -> ReportResult | None:
    """The 导出年度报告… menu action: refuse without an office profile, else run the dialog.

    ``profile`` is the one the window holds (read off the UI thread at start and after every change); the
    window always passes it. Without it (tools, tests) the profile is read here, on the calling thread.
    """
    try:
        prof = check_profile(profile or get_profile(store))
    except UserError as e:
        show_error(parent, TITLE, e)
        return None
    dlg = ReportDialog(store, year or dt.date.today().year, parent, profile=prof)
    dlg.exec()
    return dlg.result
