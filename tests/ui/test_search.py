"""The checklist search also finds an item by its evidence files' names and descriptions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from fazhi_desk.jobs import JobContext
from fazhi_desk.services import evidence as ev
from fazhi_desk.ui.checklist_model import Filter
from tests.ui.helpers import EVENT, YEARLY, open_window


def visible_ids(win) -> set[str]:
    return {r.item_id for r in win.model.visible_rows()}


def test_search_finds_evidence_names_and_descriptions(qtbot, small_store, tmp_path):
    f = tmp_path / "第一季度学法签到表.pdf"
    f.write_bytes(b"%PDF sign-in" * 40)
    ev.attach(JobContext(), small_store, YEARLY, 2024, [str(f)])
    win = open_window(qtbot, small_store, tmp_path)
    win.model.set_filter(Filter(text="签到表"))
    assert visible_ids(win) == {YEARLY}
    # a description typed in the evidence panel is found at once, without reloading the year
    win.model.set_filter(Filter())
    assert win.select_item(EVENT)
    g = tmp_path / "备案报告.docx"
    g.write_bytes(b"PK docx" * 40)
    ev.attach(JobContext(), small_store, EVENT, 2024, [str(g)])
    with qtbot.waitSignal(win.evidence_panel.loaded, timeout=10000):  # read off the UI thread
        win.evidence_panel.set_target(EVENT, 2024)
    idx = win.evidence_panel.model.index(0, 4)  # 说明
    win.evidence_panel.model.setData(idx, "县司法局回执")  # saved in the background; the window re-reads the row
    qtbot.waitUntil(lambda: "回执" in win.model.row_of_all(EVENT).evidence_text, timeout=10000)
    win.model.set_filter(Filter(text="回执"))
    assert visible_ids(win) == {EVENT}


def test_the_search_box_has_its_clear_button_once_the_window_is_up(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)  # made after the first paint, with the panels
    box = win.checklist.search
    assert box.isClearButtonEnabled()
    box.setText("签到")
    buttons = [b for b in box.findChildren(QToolButton) if b.isVisibleTo(box)]  # Qt's button for the clear action
    assert len(buttons) == 1
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert box.text() == ""
