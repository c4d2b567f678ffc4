"""文件 → 从文件起草检查目录…: draft a catalogue from a plan or a county's table, review it, import it.

The dialog reads a ``.docx``/``.txt`` plan, pasted text or a county's ``.xlsx``/``.xls``/``.ods`` table
(off the UI thread), and shows every drafted item in an editable grid (a model/view table, fine at
thousands of rows) with the source text beside it, the selected item's 原文 highlighted. The reviewer
edits cells in place, deletes rows, merges a row into the one above, splits a row by sentence, and
undoes any of it (Ctrl+Z). For a table, a 列对应 row of choices re-drafts with the columns the reviewer
picks. Nothing is installed until 导入…, which writes the draft as our template and runs the normal
import (preview, apply, version history); 另存为模板… keeps it to finish later or send back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QTextCharFormat, QTextCursor, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.catalogue.draft import FIELD_ORDER, Draft, DraftMeta
from fazhi_desk.catalogue.draft.rows import (
    COLUMNS,
    DraftRow,
    catalogue_from_rows,
    merge_with_previous,
    rows_from_items,
    split_by_sentence,
)
from fazhi_desk.catalogue.draft.table import col_letter
from fazhi_desk.tasks import Op, show_error
from fazhi_desk.ui import filedialogs
from fazhi_desk.ui.help import Section, install_help

TITLE = "从文件起草检查目录"
FILTER = "方案或考核表(*.docx *.txt *.xlsx *.xls *.ods);;Word 文档(*.docx);;文本(*.txt);;表格(*.xlsx *.xls *.ods)"
WARN_BG = QColor("#fff4d6")
SHOWN_CHARS = 80  # a cell shows at most this much (the full text is in the editor and the tooltip)
UNUSED = "\uff08不用\uff09"


# ---------------------------------------------------------------- the grid's model


Rows = list[DraftRow]
_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_FLAGS = [_READ_ONLY if name in ("item_id", "warnings") else _READ_ONLY | Qt.ItemFlag.ItemIsEditable
          for name, _h in COLUMNS]  # computed once: flags() is asked for every cell painted
_NAMES = [name for name, _h in COLUMNS]


class DraftModel(QAbstractTableModel):
    """The draft's rows; every change goes through the dialog's undo stack."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: Rows = []
        self.undo = QUndoStack(self)
        self.code = ""
        self._warn_brush = QBrush(WARN_BG)

    # -- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return COLUMNS[section][1]
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        name = _NAMES[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = getattr(row, name)
            return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"
        if role == Qt.ItemDataRole.EditRole:
            return getattr(row, name)
        if role == Qt.ItemDataRole.ToolTipRole and name in ("requirement", "source_passage", "warnings"):
            return getattr(row, name) or None
        if role == Qt.ItemDataRole.BackgroundRole and row.warnings:
            return self._warn_brush
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return _FLAGS[index.column()]

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        name = COLUMNS[index.column()][0]
        old = self.rows[index.row()]
        text = "" if value is None else str(value).strip()
        if getattr(old, name) == text:
            return False
        new = dataclasses.replace(old, **{name: text})
        self.undo.push(_Replace(self, f"修改第 {index.row() + 1} 行“{COLUMNS[index.column()][1]}”",
                                self.rows, self.rows[: index.row()] + [new] + self.rows[index.row() + 1:],
                                cell=(index.row(), index.column())))
        return True

    # -- whole-draft changes
    def load(self, rows: Rows, code: str) -> None:
        self.beginResetModel()
        self.rows, self.code = list(rows), code
        self.endResetModel()
        self.undo.clear()

    def replace(self, text: str, rows: Rows) -> None:
        self.undo.push(_Replace(self, text, self.rows, rows))

    def _set(self, rows: Rows, cell: tuple[int, int] | None) -> None:
        if cell is not None and len(rows) == len(self.rows):
            self.rows = rows
            ix = self.index(*cell)
            self.dataChanged.emit(ix, ix)
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class _Replace(QUndoCommand):
    """One undoable step: the rows before and after (rows are immutable, so this costs a list)."""

    def __init__(self, model: DraftModel, text: str, before: Rows, after: Rows,
                 cell: tuple[int, int] | None = None) -> None:
        super().__init__(text)
        self.model, self.before, self.after, self.cell = model, list(before), list(after), cell

    def redo(self) -> None:
        self.model._set(self.after, self.cell)

    def undo(self) -> None:
        self.model._set(self.before, self.cell)


# ---------------------------------------------------------------- the dialog


class PasteDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("粘贴方案正文")
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText("把实施方案的正文粘贴到这里\uff08从“一、”开始的部分即可\uff09")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.edit)
        lay.addWidget(buttons)
        self.resize(640, 480)


class DraftDialog(QDialog):
    """起草 → 复核 → 导入 (or 另存为模板)."""

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(TITLE)
        self.source: Path | str | None = None  # a path, or pasted text
        self.draft: Draft | None = None
        self.flow: Any = None
        self.model = DraftModel(self)

        self.source_label = QLabel("尚未选择文件")
        self.source_label.setWordWrap(True)
        self.btn_file = QPushButton("选择文件(&O)…")
        self.btn_paste = QPushButton("粘贴文字(&P)…")
        self.btn_file.clicked.connect(self.choose_file)
        self.btn_paste.clicked.connect(self.paste_text)
        self.code = QLineEdit()
        self.code.setPlaceholderText("如 ZS2026")
        self.title = QLineEdit()
        self.title.setPlaceholderText("留空则从正文中读取")
        self.number = QLineEdit()
        self.issuer = QLineEdit()
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD\uff0c留空则从正文中读取")
        self.term = QLineEdit()
        self.term.setPlaceholderText("如 2026-2030")
        self.btn_draft = QPushButton("起草(&D)")
        self.btn_draft.clicked.connect(self.start_draft)

        form = QFormLayout()
        src_row = QHBoxLayout()
        src_row.addWidget(self.btn_file)
        src_row.addWidget(self.btn_paste)
        src_row.addWidget(self.source_label, 1)
        form.addRow("来源\uff1a", src_row)
        meta = QGridLayout()
        for n, (label, w) in enumerate((("文件代码", self.code), ("文件名称", self.title), ("发文字号", self.number),
                                         ("发文机关", self.issuer), ("发布日期", self.date), ("施行期限", self.term))):
            meta.addWidget(QLabel(label + ":"), n // 3, (n % 3) * 2)
            meta.addWidget(w, n // 3, (n % 3) * 2 + 1)
        meta.addWidget(self.btn_draft, 2, 5)
        form.addRow(meta)

        # 列对应 (tables only)
        self.mapping_box = QWidget()
        self.mapping_box.setVisible(False)
        map_lay = QHBoxLayout(self.mapping_box)
        map_lay.setContentsMargins(0, 0, 0, 0)
        map_lay.addWidget(QLabel("列对应\uff1a"))
        self.map_combos: dict[str, QComboBox] = {}
        for fld in FIELD_ORDER:
            combo = QComboBox()
            combo.setObjectName(f"map_{fld}")
            combo.setToolTip(f"表格中哪一列是“{fld}”")
            map_lay.addWidget(QLabel(fld))
            map_lay.addWidget(combo)
            self.map_combos[fld] = combo
        map_lay.addStretch(1)
        self.btn_remap = QPushButton("按此对应重新起草")
        self.btn_remap.clicked.connect(self.start_draft)
        map_lay.addWidget(self.btn_remap)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        widths = {"item_id": 10, "chapter": 8, "section": 8, "article_no": 3, "article_title": 8, "requirement": 22,
                  "source_passage": 22, "lead_units": 9, "participating_units": 7, "township_role": 4, "cycle": 4,
                  "target": 3, "unit": 3, "deadline": 7, "score": 3, "evidence": 6, "warnings": 14}
        em = self.fontMetrics().horizontalAdvance("中")
        for c, (name, _h) in enumerate(COLUMNS):
            header.resizeSection(c, widths.get(name, 6) * em)
        self.view.selectionModel().currentRowChanged.connect(self._show_passage)

        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlaceholderText("起草后这里显示清理后的原文\uff0c选中的事项的原文会高亮。")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.text)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        self.status = QLabel("")
        self.status.setWordWrap(True)

        self.btn_delete = QPushButton("删除所选行")
        self.btn_merge = QPushButton("并入上一行")
        self.btn_split = QPushButton("按句拆分")
        self.btn_undo = QPushButton("撤销")
        self.btn_redo = QPushButton("重做")
        self.btn_save = QPushButton("另存为模板(&S)…")
        self.btn_import = QPushButton("导入(&I)…")
        self.btn_close = QPushButton("关闭")
        self.btn_delete.clicked.connect(self.delete_selected)
        self.btn_merge.clicked.connect(self.merge_current)
        self.btn_split.clicked.connect(self.split_current)
        self.btn_undo.clicked.connect(self.model.undo.undo)
        self.btn_redo.clicked.connect(self.model.undo.redo)
        self.btn_save.clicked.connect(self.save_template)
        self.btn_import.clicked.connect(self.import_draft)
        self.btn_close.clicked.connect(self.reject)
        undo = QAction(self)
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.triggered.connect(self.model.undo.undo)
        redo = QAction(self)
        redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        redo.triggered.connect(self.model.undo.redo)
        delete = QAction(self)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.triggered.connect(self.delete_selected)
        self.addActions([undo, redo, delete])
        self.model.undo.canUndoChanged.connect(self.btn_undo.setEnabled)
        self.model.undo.canRedoChanged.connect(self.btn_redo.setEnabled)
        buttons = QHBoxLayout()
        for b in (self.btn_delete, self.btn_merge, self.btn_split, self.btn_undo, self.btn_redo):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.btn_save, self.btn_import, self.btn_close):
            buttons.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.mapping_box)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)
        lay.addLayout(buttons)
        self._enable()
        install_help(self, Section.DRAFT)
        screen = self.screen().availableGeometry() if self.screen() else None
        w, h = (min(1280, screen.width() - 40), min(800, screen.height() - 60)) if screen else (1200, 720)
        self.resize(w, h)

    # -- choosing the source
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, TITLE, filedialogs.start_dir(filedialogs.IMPORT), FILTER)
        if path:
            filedialogs.remember(filedialogs.IMPORT, path)
            self.set_source(Path(path))

    def paste_text(self) -> None:
        dlg = PasteDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.edit.toPlainText().strip():
            self.source = dlg.edit.toPlainText()
            self.source_label.setText(f"粘贴的文字\uff08{len(self.source):,} 字\uff09")
            self.mapping_box.setVisible(False)
            self._enable()

    def set_source(self, path: Path) -> None:
        self.source = path
        self.source_label.setText(str(path))
        self.mapping_box.setVisible(False)
        for combo in self.map_combos.values():
            combo.clear()
        self._enable()

    def _meta(self) -> DraftMeta | None:
        date = None
        if self.date.text().strip():
            try:
                date = dt.date.fromisoformat(self.date.text().strip())
            except ValueError:
                QMessageBox.warning(self, TITLE, f"发布日期“{self.date.text()}”应为 YYYY-MM-DD\uff0c如 2026-03-15。")
                return None
        from fazhi_desk.catalogue.draft import parse_term
        from fazhi_desk.errors import UserError

        try:
            start, end = parse_term(self.term.text())
        except UserError as e:
            QMessageBox.warning(self, TITLE, str(e))
            return None
        return DraftMeta(code=self.code.text().strip().upper(), title=self.title.text(), doc_number=self.number.text(),
                         issuer=self.issuer.text(), date=date, term_start=start, term_end=end)

    def _mapping(self) -> dict[str, int] | None:
        if not self.mapping_box.isVisible():
            return None
        out = {}
        for fld, combo in self.map_combos.items():
            col = combo.currentData()
            if col is not None:
                out[fld] = int(col)
        return out

    # -- drafting (off the UI thread)
    def start_draft(self) -> None:
        from fazhi_desk.services.draft import draft_source

        meta = self._meta()
        if meta is None or self.source is None:
            return
        if not meta.code:
            QMessageBox.warning(self, TITLE, "请先填写文件代码\uff08大写字母开头的字母数字\uff0c如 ZS2026\uff09。")
            self.code.setFocus()
            return
        if self.model.undo.count() and QMessageBox.question(
                self, TITLE, "重新起草会放弃已在表格中做的修改。继续吗?") != QMessageBox.StandardButton.Yes:
            return
        pasted = isinstance(self.source, str)
        self.status.setText("正在起草……")
        self.op = (Op(draft_source, self.store.data, self.source, meta, pasted=pasted, mapping=self._mapping())
                   .with_progress("正在起草……")
                   .success(self._drafted)
                   .failure(self._failed)
                   .run(self, TITLE))

    def _failed(self, error: BaseException) -> None:
        self.status.setText("")
        show_error(self, TITLE, error)

    def _drafted(self, result: Any) -> None:
        draft: Draft = result.draft
        self.draft = draft
        self.model.load(rows_from_items(draft.catalogue.items, draft.warnings), draft.catalogue.document.code)
        self.text.setPlainText(draft.text)
        if not self.title.text().strip():
            self.title.setText(draft.catalogue.document.title)
        if draft.kind == "table":
            self._fill_mapping(result.columns, draft.mapping)
        counts = "、".join(f"{k} {v}" for k, v in draft.counts().items() if v or k == "事项")
        note = f" {result.mapping_note}" if result.mapping_note else ""
        self.status.setText(f"已起草\uff1a{counts}。需复核 {len(draft.warnings)} 处\uff08黄色行\uff0c见“提示”列\uff09。"
                            f"改好后按“导入…”\uff0c会先显示变化再安装。{note}")
        self._enable()
        if self.model.rowCount():
            self.view.selectRow(0)

    def _fill_mapping(self, columns: list[str], mapping: dict[str, int]) -> None:
        self.mapping_box.setVisible(True)
        for fld, combo in self.map_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(UNUSED, None)
            for c, header in enumerate(columns):
                combo.addItem(f"{col_letter(c)} {header}".strip(), c)
            combo.setCurrentIndex(combo.findData(mapping[fld]) if fld in mapping else 0)
            combo.blockSignals(False)

    # -- reviewing
    def _enable(self) -> None:
        has_rows = bool(self.model.rows)
        self.btn_draft.setEnabled(self.source is not None)
        for b in (self.btn_delete, self.btn_merge, self.btn_split, self.btn_save, self.btn_import):
            b.setEnabled(has_rows)
        self.btn_undo.setEnabled(self.model.undo.canUndo())
        self.btn_redo.setEnabled(self.model.undo.canRedo())

    def _show_passage(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid() or current.row() >= len(self.model.rows):
            return
        passage = self.model.rows[current.row()].source_passage
        doc = self.text.document()
        cursor = doc.find(passage) if passage else QTextCursor()
        if cursor.isNull():
            self.text.setExtraSelections([])
            return
        sel = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffe08a"))
        sel.format = fmt
        sel.cursor = cursor
        self.text.setExtraSelections([sel])
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()

    def selected_rows(self) -> list[int]:
        return sorted({ix.row() for ix in self.view.selectionModel().selectedRows()})

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        keep = [r for n, r in enumerate(self.model.rows) if n not in set(rows)]
        from fazhi_desk.catalogue.draft.rows import renumber

        self.model.replace(f"删除 {len(rows)} 行", renumber(keep, self.model.code))
        self._enable()

    def merge_current(self) -> None:
        row = self.view.currentIndex().row()
        if row > 0:
            self.model.replace(f"第 {row + 1} 行并入上一行", merge_with_previous(self.model.rows, row, self.model.code))
            self.view.selectRow(row - 1)

    def split_current(self) -> None:
        row = self.view.currentIndex().row()
        if row >= 0:
            new = split_by_sentence(self.model.rows, row, self.model.code)
            if len(new) == len(self.model.rows):
                self.status.setText("这一行的原文只有一句\uff0c无法再拆分。")
                return
            self.model.replace(f"拆分第 {row + 1} 行", new)

    def catalogue(self):  # noqa: ANN201
        """The reviewed draft as a validated catalogue (a UserError names the rows to fix)."""
        assert self.draft is not None
        d = self.draft.catalogue.document
        meta = self._meta()
        if meta is not None:
            d = dataclasses.replace(d, title=meta.title.strip() or d.title, doc_number=meta.doc_number.strip(),
                                    issuer=meta.issuer.strip(), date=meta.date or d.date)
        return catalogue_from_rows(d, self.model.rows)

    def save_template(self) -> None:
        from fazhi_desk.services.draft import write_draft

        try:
            cat = self.catalogue()
        except Exception as e:  # noqa: BLE001 - a UserError with the rows to fix, or a bug: one place shows both
            show_error(self, TITLE, e)
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "另存为检查目录模板", filedialogs.start_path(filedialogs.TEMPLATE, f"{cat.document.code}-草稿.xlsx"),
            "Excel 工作簿(*.xlsx)")
        if not path:
            return
        filedialogs.remember(filedialogs.TEMPLATE, path)
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.op = (Op(write_draft, cat, Path(path))
                   .success(lambda p: self.status.setText(f"草稿已保存\uff1a{p}。可稍后用“导入检查目录…”导入\uff0c或发回县里核对。"))
                   .run(self, "另存为模板"))

    def import_draft(self) -> None:
        """Write the reviewed draft as a template in the data directory, then run the normal import."""
        from fazhi_desk.services.draft import write_draft

        try:
            cat = self.catalogue()
        except Exception as e:  # noqa: BLE001
            show_error(self, TITLE, e)
            return
        path = self.store.data.root / "drafts" / f"{cat.document.code}-草稿.xlsx"
        self.op = Op(write_draft, cat, path).success(self._import_written).run(self, TITLE)

    def _import_written(self, path: Path) -> None:
        from fazhi_desk.ui.import_dialog import ImportFlow

        self.flow = ImportFlow(self, self.store)
        self.flow.finished.connect(self._import_finished)
        self.flow.start_with(str(path))

    def _import_finished(self, outcome: str) -> None:
        if outcome == "applied":
            self.accept()
