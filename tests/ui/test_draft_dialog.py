"""The drafting dialog over a real store: draft a plan, review it in the grid (edit, delete, merge, split,
undo), save it as a template, import it through the normal preview; a county table with a mapping step."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTableView

from fazhi_desk.catalogue.excel_reader import read_template
from fazhi_desk.services.catalogue import installed_catalogues
from fazhi_desk.ui.draft_dialog import DraftDialog
from tests.catalogue.test_draft import CITY_2009, TABLE_ROWS, _write_xlsx
from tests.conftest import dump_db, wait_idle


@pytest.fixture
def dialog(qtbot, small_store, monkeypatch):
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    dlg = DraftDialog(small_store)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def select(dlg: DraftDialog, row: int) -> None:
    dlg.view.clearSelection()
    dlg.view.selectRow(row)


def _draft(qtbot, dlg: DraftDialog, monkeypatch, path: Path, code: str) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(dlg.btn_file, Qt.MouseButton.LeftButton)
    dlg.code.setText(code)
    qtbot.mouseClick(dlg.btn_draft, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.model.rowCount() > 0, timeout=20000)


def test_draft_review_undo_and_save(qtbot, dialog, monkeypatch, tmp_path, small_store):
    before = dump_db(small_store)
    _draft(qtbot, dialog, monkeypatch, CITY_2009, "SJ2009")
    model = dialog.model
    n = model.rowCount()
    assert isinstance(dialog.view, QTableView) and dialog.view.model() is model
    assert dialog.title.text() == "司法局发展法治政务建设计划"
    assert "需复核" in dialog.status.text()
    # the selected row's 原文 is highlighted in the source pane
    select(dialog, 0)
    sel = dialog.text.extraSelections()
    assert sel and sel[0].cursor.selectedText() == model.rows[0].source_passage
    # edit a cell in place, then undo it with Ctrl+Z
    req = [c for c, (name, _h) in enumerate(__import__("fazhi_desk.catalogue.draft.rows", fromlist=["COLUMNS"]).COLUMNS)
           if name == "requirement"][0]
    old = model.rows[0].requirement
    assert model.setData(model.index(0, req), "建立领导干部学法制度")
    assert model.rows[0].requirement == "建立领导干部学法制度"
    qtbot.keyClick(dialog.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert model.rows[0].requirement == old
    # delete a row (Delete key), undo, merge row 2 into row 1, split it again
    select(dialog, 1)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Delete)
    assert model.rowCount() == n - 1
    qtbot.mouseClick(dialog.btn_undo, Qt.MouseButton.LeftButton)
    assert model.rowCount() == n
    first, second = model.rows[0].source_passage, model.rows[1].source_passage
    select(dialog, 1)
    qtbot.mouseClick(dialog.btn_merge, Qt.MouseButton.LeftButton)
    assert model.rowCount() == n - 1 and model.rows[0].source_passage == first + second
    select(dialog, 0)
    qtbot.mouseClick(dialog.btn_split, Qt.MouseButton.LeftButton)
    assert model.rowCount() == n and model.rows[1].source_passage.rstrip("。") == second.rstrip("。")
    # save as a template: our format, read back equal to the grid
    out = tmp_path / "草稿.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    qtbot.mouseClick(dialog.btn_save, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    cats = read_template(out)
    assert [i.source_passage for i in cats[0].items] == [r.source_passage for r in model.rows]
    assert cats[0].document.code == "SJ2009"
    assert dump_db(small_store) == before  # drafting and saving install nothing


def test_a_bad_edit_is_named_by_row_and_column(qtbot, dialog, monkeypatch):
    _draft(qtbot, dialog, monkeypatch, CITY_2009, "SJ2009")
    cyc = [c for c in range(dialog.model.columnCount()) if dialog.model.headerData(c, Qt.Orientation.Horizontal) == "周期"][0]
    dialog.model.setData(dialog.model.index(2, cyc), "每周")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text() + "\n" + self.detailedText()) or 0)
    qtbot.mouseClick(dialog.btn_import, Qt.MouseButton.LeftButton)
    assert shown and "第 3 行“周期”" in shown[-1] and "每周" in shown[-1]


def test_import_runs_the_normal_preview_and_installs(qtbot, dialog, monkeypatch, small_store):
    _draft(qtbot, dialog, monkeypatch, CITY_2009, "SJ2009")
    n = dialog.model.rowCount()
    qtbot.mouseClick(dialog.btn_import, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.flow is not None and dialog.flow.dialog is not None
                    and dialog.flow.dialog.isVisible(), timeout=20000)
    preview = dialog.flow.dialog
    assert "新增" in preview.tabs.tabText(0)
    with qtbot.waitSignal(dialog.flow.finished, timeout=20000) as blocker:
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["applied"]
    with small_store.session() as s:
        docs = {c.document.code: c for c in installed_catalogues(s)}
    assert "SJ2009" in docs and len(docs["SJ2009"].items) == n


def test_county_table_mapping_step_redrafts_with_the_chosen_column(qtbot, dialog, monkeypatch, tmp_path):
    src = _write_xlsx(tmp_path / "考核细则.xlsx")
    _draft(qtbot, dialog, monkeypatch, src, "KH2023")
    assert dialog.mapping_box.isVisible()
    assert dialog.model.rowCount() == len(TABLE_ROWS)
    assert dialog.model.rows[0].score == "4"
    combo = dialog.map_combos["事项内容"]
    assert combo.currentText().endswith("考核内容")
    combo.setCurrentIndex(combo.findText("F 评分标准"))
    qtbot.mouseClick(dialog.btn_remap, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.model.rows and dialog.model.rows[0].requirement == "未公开扣2分", timeout=20000)
