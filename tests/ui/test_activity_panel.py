"""The 活动记录 tab in the real window: a clerk logs each session, the tree counts it, undo brings it back."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from fazhi_desk.services.activity import list_activities
from fazhi_desk.services.profile import set_profile
from tests.conftest import wait_idle
from tests.ui.helpers import open_window, type_text

STUDY = "SZ2015-04-01"  # 每年安排领导干部集中学法不少于4次
TODAY = dt.date(2025, 12, 20)


@pytest.fixture
def win(qtbot, store, tmp_path):
    set_profile(store, office_name="营盘镇", county="柞水县")
    w = open_window(qtbot, store, tmp_path, year=2025, today=TODAY)
    yield w
    w.close()
    wait_idle(qtbot)


def log_one(qtbot, panel, title: str, when: dt.date) -> None:
    from PySide6.QtCore import QDate

    panel.date.setDate(QDate(when.year, when.month, when.day))
    panel.name.setFocus()
    type_text(panel.name, title)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)


def tree_actual(win) -> float | None:
    return win.checklist.model.row_for(STUDY).actual


def test_sessions_logged_in_the_tab_count_in_the_tree_and_undo_brings_a_removal_back(qtbot, win, store, tmp_path):
    assert win.select_item(STUDY)
    win.right_tabs.setCurrentWidget(win.activity_page)
    panel = win.activity_panel
    qtbot.waitUntil(lambda: panel.add_button.isEnabled(), timeout=10000)
    for n, month in enumerate((3, 6, 9), start=1):
        log_one(qtbot, panel, f"第{n}次集中学法", dt.date(2025, month, 18))
    assert panel.table.rowCount() == 3
    assert "3 / 4 次" in panel.title.text()
    qtbot.waitUntil(lambda: tree_actual(win) == 3, timeout=10000)
    assert not panel.quantity.isVisible()  # counted by sessions: no quantity to type

    panel.table.selectRow(1)
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert [a.title for a in list_activities(store, STUDY, 2025)] == ["第1次集中学法", "第3次集中学法"]
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        win.undo_stack.undo()
    wait_idle(qtbot)
    assert [a.title for a in list_activities(store, STUDY, 2025)] == ["第1次集中学法", "第2次集中学法",
                                                                     "第3次集中学法"]
    qtbot.waitUntil(lambda: tree_actual(win) == 3, timeout=10000)

    # files dropped on a session row become that session's evidence (and the item's)
    sign = tmp_path / "签到表.pdf"
    sign.write_bytes(b"%PDF-1.4 sign-in of the second session")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sign))])
    vp = panel.table.viewport()
    pos = panel.table.visualRect(panel.table.model().index(1, 1)).center()
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, QDragEnterEvent(pos, *args))
    move = QDragMoveEvent(pos, *args)
    QApplication.sendEvent(vp, move)
    assert move.isAccepted()
    with qtbot.waitSignal(panel.loaded, timeout=15000):
        QApplication.sendEvent(vp, QDropEvent(QPointF(pos), *args))
    wait_idle(qtbot)
    counts = [a.evidence_count for a in list_activities(store, STUDY, 2025)]
    assert counts == [0, 1, 0]
    assert panel.table.item(1, 6).text() == "1"


def test_an_item_without_a_target_has_no_log(qtbot, win):
    assert win.select_item("SZ2015-03-01")
    panel = win.activity_panel
    assert not panel.add_button.isEnabled()
    assert "没有数值目标值" in panel.title.text()


def test_a_log_behind_its_even_pace_is_marked_in_the_tree_the_filter_and_the_overview(qtbot, store, tmp_path):
    """1 of 4 集中学法 by mid-July is 进度落后; the overview lists it and this and next month's deadlines."""
    from fazhi_desk.services.activity import add_activity
    from fazhi_desk.ui.checklist_model import COL_STATUS

    july = dt.date(2025, 7, 15)
    set_profile(store, office_name="营盘镇", county="柞水县")
    add_activity(store, STUDY, 2025, "2025-03-18", "学习宪法", today=july)
    w = open_window(qtbot, store, tmp_path, year=2025, today=july)
    try:
        model = w.checklist.model
        idx = model.index_for_item(STUDY)
        assert model.data(idx.siblingAtColumn(COL_STATUS)).endswith("·进度落后")
        combo = w.checklist.status_combo
        combo.setCurrentIndex(combo.findData("进度落后"))
        shown = [r for r in model.rows() if model.index_for_item(r.item_id).isValid()]
        assert STUDY in [r.item_id for r in shown]
        assert all(r.item.logged and r.behind_schedule(july) for r in shown)  # only logged items behind pace
        assert len(shown) < 10
        w.tabs.setCurrentIndex(1)  # 年度概览
        qtbot.waitUntil(lambda: w.overview.dashboard is not None, timeout=10000)
        dash = w.overview.dashboard
        assert STUDY in [dash.m_behind.item_id(i) for i in range(dash.m_behind.rowCount())]
        assert dash.lists.tabText(dash.lists.indexOf(dash.v_behind)).startswith("进度落后(")
        due = [dash.m_months._rows[i] for i in range(dash.m_months.rowCount())]
        assert all(dt.date(2025, 7, 1) <= r.due_date <= dt.date(2025, 8, 31) for r in due)
        add_activity(store, STUDY, 2025, "2025-07-01", "学习民法典", today=july)  # 2 of 4 by July: on pace
        w.tabs.setCurrentIndex(0)
        combo.setCurrentIndex(0)  # 全部状态
        w.reload()
        wait_idle(qtbot)
        assert not model.data(model.index_for_item(STUDY).siblingAtColumn(COL_STATUS)).endswith("进度落后")
    finally:
        w.close()
        wait_idle(qtbot)


def test_a_read_that_lands_after_the_window_was_deleted_does_nothing(qtbot, store, tmp_path):
    """The 活动记录 tab is deleted (its window closed) while its read waits behind a write: no error."""
    import time

    from PySide6.QtCore import QCoreApplication, QEvent

    from fazhi_desk.tasks import Op

    set_profile(store, office_name="营盘镇", county="柞水县")
    w = open_window(qtbot, store, tmp_path, year=2025, today=TODAY)
    assert w.select_item(STUDY)
    wait_idle(qtbot)
    panel = w.activity_panel
    Op(lambda: time.sleep(1.0)).write(store).run(None, "slow write")  # the read below waits for it
    assert panel.reload() is not None
    panel.deleteLater()  # as when the window it belongs to is deleted
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    wait_idle(qtbot)  # the read lands on a deleted panel: nothing happens, nothing raises
    w.activity_panel = None
    w.close()
    wait_idle(qtbot)
