"""The 导出年度报告 dialog: exports in the background, offers to open the file, refuses without a profile."""

from __future__ import annotations

import openpyxl
from PySide6.QtWidgets import QMessageBox

from fazhi_desk.ui import report_dialog
from fazhi_desk.ui.report_dialog import ReportDialog, export_report_interactive
from tests.reports.conftest import YEAR


def test_dialog_exports_report_and_zip(seeded, tmp_path, qtbot, monkeypatch):
    asked = []
    yes = QMessageBox.StandardButton.Yes  # export the unfinished written report anyway (the dialog asks first)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or (
        yes if "仍要导出" in a[2] else QMessageBox.StandardButton.No))
    dlg = ReportDialog(seeded.store, YEAR, None)
    qtbot.addWidget(dlg)
    assert dlg.path.text().endswith("营盘镇_2025年法治政府建设年度报告.xlsx")
    out = tmp_path / "报告.xlsx"
    dlg.path.setText(str(out))
    dlg.with_zip.setChecked(True)
    assert dlg.zip_label.text().endswith("报告_佐证材料.zip")
    with qtbot.waitSignal(dlg.accepted, timeout=30000):
        dlg.export_button.click()
    assert dlg.result is not None and dlg.result.packed_files == 5
    assert openpyxl.load_workbook(out).sheetnames[0] == "汇总"
    assert (tmp_path / "报告_佐证材料.zip").exists()
    assert asked and "是否现在打开报告" in asked[-1]


def test_year_change_updates_default_name(seeded, qtbot):
    dlg = ReportDialog(seeded.store, YEAR, None)
    qtbot.addWidget(dlg)
    dlg.year.setValue(2024)
    assert "2024年法治政府建设年度报告.xlsx" in dlg.path.text()


def test_interactive_refuses_without_profile(small_store, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(report_dialog, "show_error", lambda parent, title, e: shown.append(str(e)))
    assert export_report_interactive(None, small_store, YEAR) is None
    assert shown and "尚未设置单位信息" in shown[0]
