"""文件 → 汇总各单位报告…: pick the offices' workbooks and the output file, roll them up in the background.

Nothing is written when any workbook is refused (older format, another year,
the same office twice, by 单位编码 or by name): the message names the file and
what to do. Each office's figures are recomputed from its 检查清单; the summary
says which returns were edited after export or state figures their checklist
does not bear out. Catalogue versions are compared with the catalogue installed
here (read in the background job, like the workbooks).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.tasks import Op

TITLE = "汇总各单位报告"


def _rollup(ctx, paths: list[str], out: str, store=None):  # noqa: ANN001, ANN202
    from fazhi_desk.reports.rollup import rollup

    versions: dict[str, str] = {}
    if store is not None:  # the county's version of each document: the catalogue installed here
        from fazhi_desk.services.catalogue import installed_documents

        with store.session() as s:
            versions = {d.code: d.version for d in installed_documents(s)}
    return rollup([Path(p) for p in paths], Path(out), progress=ctx.progress, check=ctx.check,
                  county_versions=versions or None, version_basis="本机安装的检查目录" if versions else "")


class RollupDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, store=None) -> None:  # noqa: ANN001 - Store
        super().__init__(parent)
        self._store = store if store is not None else getattr(parent, "store", None)
        from fazhi_desk.ui import filedialogs

        self.setWindowTitle(TITLE)
        self.resize(640, 420)
        self.result = None
        self.files = QListWidget()
        self.add = QPushButton("添加报告…")
        self.remove = QPushButton("移除")
        side = QVBoxLayout()
        side.addWidget(self.add)
        side.addWidget(self.remove)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.files, 1)
        row.addLayout(side)
        self.out = QLineEdit(filedialogs.start_path(filedialogs.REPORT, "各单位法治政府建设年度报告汇总.xlsx"))
        self.browse = QPushButton("浏览…")
        out_row = QHBoxLayout()
        out_row.addWidget(QLabel("汇总表\uff1a"))
        out_row.addWidget(self.out, 1)
        out_row.addWidget(self.browse)
        note = QLabel("选择各乡镇\uff08街道\uff09用本程序导出的同一年度年度报告表格\uff08.xlsx\uff09。各单位的完成情况按其检查清单"
                      "重新计算后排名\uff08按县分别排名\uff09\uff1b汇总表还包括事项×单位状态矩阵、统计数据合计、不适用和本年度未发生"
                      "事项及其原因、汇总数据与清单不符或导出后被改动的报告、名称相近或导出编号相同的单位\uff0c"
                      "以及检查目录版本与本机安装的目录不同的单位。")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("汇总", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(row, 1)
        lay.addLayout(out_row)
        lay.addWidget(self.buttons)
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(lambda: [self.files.takeItem(self.files.row(i)) for i in self.files.selectedItems()])
        self.browse.clicked.connect(self._browse)
        self.ok.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)

    def paths(self) -> list[str]:
        return [self.files.item(i).text() for i in range(self.files.count())]

    def add_paths(self, paths: list[str]) -> None:
        have = set(self.paths())
        for p in paths:
            if p not in have:
                self.files.addItem(p)
                have.add(p)

    def _add(self) -> None:
        names, _f = QFileDialog.getOpenFileNames(self, "选择各单位的年度报告", "", "Excel 工作簿(*.xlsx)")
        self.add_paths(names)

    def _browse(self) -> None:
        name, _f = QFileDialog.getSaveFileName(self, "保存汇总表", self.out.text(), "Excel 工作簿(*.xlsx)")
        if name:
            self.out.setText(name)

    def start(self) -> Op | None:
        if not self.paths():
            QMessageBox.information(self, TITLE, "请先添加至少一个单位的年度报告。")
            return None
        out = self.out.text().strip()
        if not out.lower().endswith(".xlsx"):
            out += ".xlsx"
        return (Op(_rollup, self.paths(), out, self._store).with_progress("正在汇总……", delay_ms=0)
                .success(self._done).run(self, TITLE))

    def _done(self, result) -> None:  # noqa: ANN001
        self.result = result
        ans = QMessageBox.question(self, TITLE, result.summary() + "\n\n是否现在打开汇总表\uff1f")
        if ans == QMessageBox.StandardButton.Yes:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path)))
        self.accept()
