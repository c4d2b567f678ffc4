"""The 年度报告 and 统计数据 tabs, the report dialog's Word choice and 汇总各单位报告… in the real window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from fazhi_desk.services.annual_text import load_annual_text
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.statistics import load_statistics, set_statistic
from fazhi_desk.store.db import open_store
from tests.conftest import wait_idle
from tests.ui.helpers import YEARLY, open_window, stored, type_text


@pytest.fixture
def win(qtbot, tt_data, tmp_path):
    store = open_store(tt_data)
    set_profile(store, office_name="营盘镇", county="柞水县")
    w = open_window(qtbot, store, tmp_path)
    yield w
    w.close()
    wait_idle(qtbot)
    store.close()


def _log_fields(store):
    from fazhi_desk.services.checklist import change_log

    with store.session() as s:
        return [c.field for c in change_log(s, year=2024)]


def test_annual_text_is_drafted_edited_and_never_overwritten_silently(qtbot, win, monkeypatch):
    tab = win.annual_text
    before = _log_fields(win.store)
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "2024年" in tab.editors["measures"].toPlainText(), timeout=10000)
    wait_idle(qtbot)
    # viewing never writes: nothing stored, no change-log entry nobody made
    assert load_annual_text(win.store, 2024).section("measures").text == ""
    assert _log_fields(win.store) == before
    ed = tab.editors["other"]
    ed.setFocus()
    ed.selectAll()
    type_text(ed, "本年度无其他情况。")
    with qtbot.waitSignal(tab.saved, timeout=10000):
        pass
    wait_idle(qtbot)
    assert load_annual_text(win.store, 2024).section("other").text.endswith("本年度无其他情况。")
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    tab.redraft.click()
    wait_idle(qtbot)
    assert asked and "其他情况" in asked[0]
    assert load_annual_text(win.store, 2024).section("other").text.endswith("本年度无其他情况。")
    assert tab.editors["other"].toPlainText().endswith("本年度无其他情况。")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.redraft.click()
    wait_idle(qtbot)
    wait_idle(qtbot)
    assert load_annual_text(win.store, 2024).section("other").text == ""  # the draft again, live
    qtbot.waitUntil(lambda: tab.editors["other"].toPlainText() == "无。", timeout=5000)


def test_drafted_figures_follow_the_data_and_an_edited_stale_paragraph_is_flagged(qtbot, win, monkeypatch):
    from fazhi_desk.services.checklist import set_fields

    tab = win.annual_text
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "2024年" in tab.editors["measures"].toPlainText(), timeout=10000)
    wait_idle(qtbot)
    first = tab.editors["measures"].toPlainText().splitlines()[0]
    assert "已完成0项" in first
    # the clerk edits the shortcomings' opening paragraph, which carries no figure, and the measures' first
    ed = tab.editors["measures"]
    lines = ed.toPlainText().splitlines()
    ed.setFocus()
    ed.selectAll()
    type_text(ed, "\n".join([lines[0] + "我们补充的一句。", *lines[1:]]))
    with qtbot.waitSignal(tab.saved, timeout=10000):
        pass
    wait_idle(qtbot)
    assert not tab.warning.isVisible()
    set_fields(win.store, YEARLY, 2024, {"status": "已完成", "actual": 4, "completed_on": "2024-12-01",
                                             "note": "全年集中学法4次。"})
    tab.reload()
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: not tab.warning.isHidden(), timeout=5000)
    assert "第1段已手工修改" in tab.warning.text()
    assert tab.tabs.tabText(0).endswith(" !")
    # exporting asks first (the stale paragraph is named)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    tab.export.click()
    wait_idle(qtbot)
    assert asked and "第1段已手工修改" in asked[0]


def test_statistics_tab_saves_and_a_linked_figure_is_the_items_actual(qtbot, win):
    from fazhi_desk.domain.statistics import DEFAULT_INDICATORS
    from fazhi_desk.store.models import IndicatorRow

    with win.store.transaction() as s:  # a catalogue-defined indicator linked to the yearly item
        s.add(IndicatorRow(code="TT_STUDY", doc_code="TT2020", name="学法次数", unit="次", category="学法",
                           items=YEARLY, linked_item=YEARLY, sort_key=0))
    tab = win.statistics
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() == len(DEFAULT_INDICATORS) + 1, timeout=10000)
    codes = [e.indicator.code for e in tab.entries]
    tab.table.item(codes.index("MEDIATION"), 3).setText("57")
    wait_idle(qtbot)
    tab.table.item(codes.index("TT_STUDY"), 3).setText("3")
    wait_idle(qtbot)
    with win.store.session() as s:
        got = {e.indicator.code: e.value for e in load_statistics(s, 2024)}
    assert got["MEDIATION"] == 57 and got["TT_STUDY"] == 3
    assert stored(win.store, YEARLY, 2024).actual == 3
    assert win.model.row_for(YEARLY).actual == 3  # the checklist row refreshed from the write


def test_report_dialog_also_writes_the_word_report(qtbot, win, tmp_path, monkeypatch):
    from fazhi_desk.ui.report_dialog import ReportDialog

    asked = []

    def answer(*a, **k):  # export the unfinished written report anyway; do not open the files afterwards
        asked.append(a[2])
        return QMessageBox.StandardButton.Yes if "仍要导出" in a[2] else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    dlg = ReportDialog(win.store, 2024, win)
    qtbot.addWidget(dlg)
    out = tmp_path / "营盘镇_2024年法治政府建设年度报告.xlsx"
    dlg.path.setText(str(out))
    assert dlg.with_docx.isChecked()
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=20000)
    assert out.exists() and (tmp_path / "营盘镇_2024年法治政府建设情况报告.docx").exists()
    assert "文字报告" in dlg.result.summary()
    assert "【请" in asked[0] and "仍要导出" in asked[0]  # the window asked first


def test_rollup_dialog_from_the_file_menu(qtbot, win, tmp_path, monkeypatch):
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.report import export_report
    from fazhi_desk.ui.rollup_dialog import RollupDialog

    paths = []
    for n in range(3):
        set_profile(win.store, office_name=f"第{n}镇")
        set_statistic(win.store, 2024, "MEDIATION", n)
        p = tmp_path / f"{n}.xlsx"
        export_report(JobContext(), win.store, 2024, p)
        paths.append(str(p))
    assert win.act_rollup.text() == "汇总各单位报告(&U)…"
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (paths, ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dlg = RollupDialog(win)
    qtbot.addWidget(dlg)
    dlg.add.click()
    assert dlg.paths() == paths
    out = tmp_path / "汇总.xlsx"
    dlg.out.setText(str(out))
    dlg.start()
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=20000)
    assert out.exists() and dlg.result.offices == 3
    # the same office twice: refused with its message, nothing written
    errors = []
    monkeypatch.setattr("fazhi_desk.tasks.show_error", lambda parent, title, e: errors.append(str(e)))
    dlg2 = RollupDialog(win)
    qtbot.addWidget(dlg2)
    dlg2.add_paths([paths[0]])
    dlg2.files.addItem(paths[0])
    out2 = tmp_path / "汇总2.xlsx"
    dlg2.out.setText(str(out2))
    dlg2.start()
    wait_idle(qtbot)
    assert errors and "出现了两次" in errors[0] and not out2.exists()


def test_the_office_template_is_edited_in_the_window_and_used_by_the_draft(qtbot, win, tmp_path, monkeypatch):
    from fazhi_desk.services.report_template import get_template
    from fazhi_desk.ui.annual_text_tab import TemplateDialog

    tab = win.annual_text
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: "2024年" in tab.editors["measures"].toPlainText(), timeout=10000)
    dlg = TemplateDialog(lambda: win.store, get_template(win.store).to_text(), tab)
    qtbot.addWidget(dlg)
    text = dlg.edit.toPlainText().replace("特此报告。", "专此报告。").replace(
        "study=抓好学法用法\uff0c提升依法行政能力", "study=深入学法用法")
    dlg.edit.setPlainText(text)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.save()
    t = get_template(win.store)
    assert t.closing == "专此报告。" and t.heading("study") == "深入学法用法"
    # exported and imported again through the dialog's buttons (file dialogs answered)
    out = tmp_path / "模板.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    dlg.export_button.click()
    wait_idle(qtbot)
    assert out.exists()
    dlg.edit.setPlainText("")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
    dlg.import_button.click()
    wait_idle(qtbot)
    assert "study=深入学法用法" in dlg.edit.toPlainText()
    dlg.close()
