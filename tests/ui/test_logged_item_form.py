"""A 逐次登记 item in the 事项与完成情况 form: 实际值 is the log's total (read-only, "按活动记录自动统计:3 / 4 次")
and the form sends the clerk to the 活动记录 tab; other items keep a typed 实际值."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fazhi_desk.services.activity import add_activity
from tests.conftest import wait_idle
from tests.ui.helpers import open_window, stored, type_text

STUDY = "SZ2015-04-01"  # 每年安排领导干部集中学法不少于4次: 逐次登记 in the bundled catalogue
TYPED = "SZ2015-13-01"  # 每年选取1~2件重大行政决策进行重点评估: a target, typed once
TODAY = dt.date(2025, 12, 20)


@pytest.fixture
def win(qtbot, store, tmp_path):
    for n, month in enumerate((3, 6, 9), start=1):
        add_activity(store, STUDY, 2025, dt.date(2025, month, 18), f"第{n}次集中学法", today=TODAY)
    w = open_window(qtbot, store, tmp_path, year=2025, today=TODAY)
    yield w
    w.close()
    wait_idle(qtbot)


def test_a_logged_items_actual_is_the_logs_total_and_the_form_links_to_the_tab(qtbot, win, store):
    assert win.select_item(STUDY)
    d = win.detail
    assert d.actual.isReadOnly() and d.actual.text() == "3"
    assert d.target_lbl.text() == "按活动记录自动统计\uff1a3 / 4 次"
    assert d.logged_hint.isVisible() and "活动记录" in d.logged_hint.text()
    # typing into the field changes nothing (the clerk is not led into a refusal)
    d.actual.setFocus()
    type_text(d.actual, "9")
    d.actual.editingFinished.emit()
    wait_idle(qtbot)
    assert stored(store, STUDY, 2025).actual == 3
    # the hint's link opens the 活动记录 tab, which shows the same total
    win.right_tabs.setCurrentIndex(0)
    d.logged_hint.linkActivated.emit("activity")
    assert win.right_tabs.currentWidget() is win.activity_page
    qtbot.waitUntil(lambda: "3 / 4 次" in win.activity_panel.title.text(), timeout=10000)


def test_an_item_typed_once_keeps_an_editable_actual(qtbot, win, store):
    assert win.select_item(TYPED)
    d = win.detail
    assert not d.actual.isReadOnly() and not d.logged_hint.isVisible()
    assert d.target_lbl.text() == "/ 目标 1~2 件"
    d.actual.setFocus()
    type_text(d.actual, "2")
    qtbot.keyClick(d.actual, Qt.Key.Key_Tab)
    wait_idle(qtbot)
    qtbot.waitUntil(lambda: stored(store, TYPED, 2025).actual == 2, timeout=10000)
    # back on the logged item: read-only again
    assert win.select_item(STUDY)
    assert d.actual.isReadOnly() and d.logged_hint.isVisible()
