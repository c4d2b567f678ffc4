"""汇总各单位报告… in the window: a return edited after export is named in the summary the user is shown, and the
catalogue versions are compared with the catalogue installed here (read in the background job)."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtWidgets import QMessageBox

from fazhi_desk.reports import workbook_format as F
from fazhi_desk.services.profile import set_profile
from fazhi_desk.store.db import open_store
from tests.conftest import wait_idle
from tests.ui.helpers import open_window


@pytest.fixture
def win(qtbot, tt_data, tmp_path):
    store = open_store(tt_data)
    set_profile(store, office_name="营盘镇", county="柞水县")
    w = open_window(qtbot, store, tmp_path)
    yield w
    w.close()
    wait_idle(qtbot)
    store.close()


def test_an_edited_return_is_named_and_versions_are_the_installed_ones(qtbot, win, tmp_path, monkeypatch):
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.report import export_report
    from fazhi_desk.ui.rollup_dialog import RollupDialog

    paths = []
    for n in range(2):
        set_profile(win.store, office_name=f"第{n}镇", office_code=f"ZS-{n:03d}")
        p = tmp_path / f"{n}.xlsx"
        export_report(JobContext(), win.store, 2024, p)
        paths.append(str(p))
    wb = openpyxl.load_workbook(paths[1])  # the 0.9 of another catalogue, typed over the exported 1.0
    ws = wb[F.SHEET_SUMMARY_DATA]
    ws.cell(2, [c.value for c in ws[1]].index("目录版本") + 1).value = "TT2020 0.9"
    wb.save(paths[1])
    shown = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: shown.append(a[2]) or QMessageBox.StandardButton.No)
    dlg = RollupDialog(win)
    qtbot.addWidget(dlg)
    dlg.add_paths(paths)
    dlg.out.setText(str(tmp_path / "汇总.xlsx"))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=20000)
    assert dlg.result.edited == ("1.xlsx",) and dlg.result.version_basis == "本机安装的检查目录"
    assert dlg.result.mismatches == 1
    assert shown and "1.xlsx" in shown[0] and "导出后被改动" in shown[0]
