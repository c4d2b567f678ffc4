"""The 统计数据 tab asks before a linked figure replaces an item's 实际值 set by hand, and lists figures that do not fit."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.store.db import open_store
from tests.conftest import wait_idle
from tests.ui.helpers import YEARLY, open_window, stored


@pytest.fixture
def win(qtbot, tt_data, tmp_path):
    from fazhi_desk.store.models import IndicatorRow

    store = open_store(tt_data)
    set_profile(store, office_name="营盘镇", county="柞水县")
    with store.transaction() as s:  # a catalogue-defined indicator linked to the yearly item (same unit 次)
        s.add(IndicatorRow(code="TT_STUDY", doc_code="TT2020", name="学法次数", unit="次", category="学法",
                           items=YEARLY, linked_item=YEARLY, sort_key=0))
    set_fields(store, YEARLY, 2024, {"status": "进行中", "actual": 5})  # typed in the checklist
    w = open_window(qtbot, store, tmp_path)
    yield w
    w.close()
    wait_idle(qtbot)
    store.close()


def _row(tab, code):
    return [e.indicator.code for e in tab.entries].index(code)


def test_a_hand_set_actual_is_replaced_only_after_asking(qtbot, win, monkeypatch):
    tab = win.statistics
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(tab.entries), timeout=10000)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    tab.table.item(_row(tab, "TT_STUDY"), 3).setText("3")
    wait_idle(qtbot)
    wait_idle(qtbot)
    assert asked and YEARLY in asked[0] and "手工填为 5次" in asked[0]
    assert stored(win.store, YEARLY, 2024).actual == 5  # declined: nothing changed
    qtbot.waitUntil(lambda: tab.table.item(_row(tab, "TT_STUDY"), 3).text() == "5", timeout=5000)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.table.item(_row(tab, "TT_STUDY"), 3).setText("3")
    wait_idle(qtbot)
    wait_idle(qtbot)
    assert stored(win.store, YEARLY, 2024).actual == 3
    assert win.model.row_for(YEARLY).actual == 3


def test_figures_that_do_not_fit_are_refused_or_listed(qtbot, win, monkeypatch):
    tab = win.statistics
    win.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: bool(tab.entries), timeout=10000)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]) or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]) or QMessageBox.StandardButton.Ok)
    tab.table.item(_row(tab, "NORM_ISSUED"), 3).setText("1")
    wait_idle(qtbot)
    tab.table.item(_row(tab, "NORM_FILED"), 3).setText("2")
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: tab.warnings.isVisibleTo(tab), timeout=5000)
    assert "报备件数 2件 大于" in tab.warnings.text()
    assert "口径" in tab.table.item(_row(tab, "NORM_FILED"), 4).text()
