"""A reported year in the window: 标记为已报送 in the report dialog, each year's state in the overview, an edit to
a sealed year asking for its reason, 沿用 marks in the panel, a retired item's panel agreeing with the tree,
the expired-term notice once a new plan is bound, and the one answer for items due before the 开始使用年度."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from sqlalchemy import update

from fazhi_desk.catalogue.schema import bundled_catalogues, dump_catalogue_json
from fazhi_desk.services.catalogue import apply_import, install_new_document, preview_import
from fazhi_desk.services.checklist import carry_forward, load_row, set_fields
from fazhi_desk.services.profile import set_profile, set_since
from fazhi_desk.services.submission import STATE_CORRECTED, STATE_SUBMITTED, mark_submitted, year_state
from fazhi_desk.store.models import CatalogueVersion
from tests.conftest import make_catalogue, wait_idle
from tests.ui.helpers import ONCE, YEARLY, open_window

TODAY = dt.date(2026, 3, 1)


def state(store, year):
    with store.session() as s:
        return year_state(s, year)


def test_the_report_dialog_marks_the_year_submitted(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.ui.report_dialog import ReportDialog

    store = small_store
    set_profile(store, office_name="乾佑街道")
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No))
    dlg = ReportDialog(store, 2025)
    qtbot.addWidget(dlg)
    dlg.path.setText(str(tmp_path / "r.xlsx"))
    dlg.with_docx.setChecked(False)
    dlg.submitted.setChecked(True)
    qtbot.mouseClick(dlg.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dlg, "sealed_state", None) is not None, timeout=20000)
    st = state(store, 2025)
    assert st.state == STATE_SUBMITTED and st.export_id == dlg.result.export_id
    assert "已报送" in dlg.status.text()
    wait_idle(qtbot)


def test_overview_states_and_an_edit_to_a_sealed_year_asks_for_its_reason(qtbot, small_store, tmp_path, monkeypatch):
    store = small_store
    mark_submitted(store, 2025, "FZ-20260110-0001", today=TODAY)
    win = open_window(qtbot, store, tmp_path, 2025, TODAY)
    dash = win.show_dashboard()
    qtbot.waitUntil(lambda: "2025年\uff1a已报送(导出编号 FZ-20260110-0001)" in dash.year_states.text(), timeout=10000)
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda *a, **k: asked.append(a[2]) or ("补报了一次学法", True)))
    win.edits.apply_edit(YEARLY, 2025, {"owner": "王五"})
    qtbot.waitUntil(lambda: state(store, 2025).state == STATE_CORRECTED, timeout=10000)
    assert asked and "FZ-20260110-0001" in asked[0]
    with store.session() as s:
        assert load_row(s, YEARLY, 2025, TODAY).owner == "王五"
    wait_idle(qtbot)


def test_the_panel_marks_what_was_carried_until_edited(qtbot, small_store, tmp_path):
    store = small_store
    set_fields(store, YEARLY, 2024, {"owner": "王五"})
    carry_forward(store, 2024, 2025, today=TODAY)
    win = open_window(qtbot, store, tmp_path, 2025, TODAY)
    assert win.select_item(YEARLY)
    qtbot.waitUntil(lambda: "责任人沿用自2024年" in win.detail.done_before_lbl.text(), timeout=10000)
    assert win.detail.done_before_lbl.isVisible()
    win.edits.apply_edit(YEARLY, 2025, {"owner": "赵六"})
    qtbot.waitUntil(lambda: "沿用" not in win.detail.done_before_lbl.text(), timeout=10000)


def test_a_retired_items_panel_agrees_with_the_tree_in_the_year_before(qtbot, store, tmp_path):
    zs = next(c for c in bundled_catalogues() if c.document.code == "ZS2022")
    gone = zs.items[0].item_id
    newer = dataclasses.replace(zs, document=dataclasses.replace(zs.document, version="9.0"), items=zs.items[1:])
    f = tmp_path / "zs.json"
    f.write_text(dump_catalogue_json(newer), "utf-8")
    apply_import(store, preview_import(store, f))
    with store.transaction() as s:  # imported in 2026: 2025 still has the item
        s.execute(update(CatalogueVersion).where(CatalogueVersion.source_file == "zs.json")
                  .values(imported_at=dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.timezone.utc)))
    win = open_window(qtbot, store, tmp_path, 2025, TODAY)
    assert win.select_item(gone)
    row = win.checklist.current_row()
    text = win.detail.standing_lbl.text()
    assert not text.startswith("已退役") and row.status_text in text and "此后的年度不再检查" in text


def test_the_expired_term_notice_goes_once_a_new_plan_is_bound(qtbot, store, tmp_path):
    with store.transaction() as s:
        install_new_document(s, make_catalogue("AA2026", "1.0", 2026), source_file="test")
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022", "AA2026"])
    win = open_window(qtbot, store, tmp_path, 2026, TODAY)
    assert not win.checklist.term_notice.isVisible()
    assert "届满" not in win.checklist.term_label.text()


def test_items_due_before_the_start_year_are_answered_once(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.ui.prior_dialog import DONE_BEFORE, PriorDialog, show_prior_items

    store = small_store
    set_since(store, 2025)
    seen = []

    def answer(dlg):  # noqa: ANN001
        seen.append(dlg.chosen())
        dlg.note.setText("2021年已聘请法律顾问")
        dlg.btn_done.click()
        return dlg.result()

    monkeypatch.setattr(PriorDialog, "exec", answer)
    win = open_window(qtbot, store, tmp_path, 2025, TODAY)
    show_prior_items(win, store, 2025, TODAY)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen == [[ONCE]]
    wait_idle(qtbot)
    with store.session() as s:
        assert load_row(s, ONCE, 2025, TODAY).completion.text == DONE_BEFORE


def test_a_statistic_of_a_sealed_year_asks_for_its_reason(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.services.statistics import load_statistics

    set_profile(small_store, office_name="营盘镇")
    mark_submitted(small_store, 2024, "FZ-20250110-0001")
    win = open_window(qtbot, small_store, tmp_path, 2024, TODAY)
    tab = win.statistics
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(tab.entries), timeout=10000)
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda *a, **k: asked.append(a[2]) or ("县里核对后更正", True)))
    row = [e.indicator.code for e in tab.entries].index("NORM_ISSUED")
    tab.table.item(row, 3).setText("2")
    qtbot.waitUntil(lambda: state(small_store, 2024).state == STATE_CORRECTED, timeout=10000)
    assert asked and "FZ-20250110-0001" in asked[0]
    with small_store.session() as s:
        assert next(e.value for e in load_statistics(s, 2024) if e.indicator.code == "NORM_ISSUED") == 2
    wait_idle(qtbot)
