"""Typing in the checklist search narrows the flat list of hits keystroke by keystroke, and a keystroke that
leaves the hits as they were does not make the view lay out the list again."""

from __future__ import annotations

from PySide6.QtCore import Qt

from fazhi_desk.ui.checklist_model import Filter
from tests.ui.helpers import BIENNIAL, COUNTY, EVENT, ONCE, YEARLY, open_window


def shown(win) -> list[str]:
    m = win.model
    return [m.index(r, 0).data(Qt.ItemDataRole.UserRole + 1) for r in range(m.rowCount())]


def test_typing_narrows_and_widens_like_a_fresh_search(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    resets = []
    win.model.modelReset.connect(lambda: resets.append(win.search.text()))
    steps = {}
    for text in ("tt2020-0", "tt2020-01", "tt2020-01-", "tt2020-01-0", "tt2020-01-01", "tt2020-01", "tt2020-02"):
        win.search.setText(text)
        win.checklist._apply_filter()
        steps[text] = shown(win)
        # the same hits as a search started afresh for this text, in catalogue order
        fresh = [r.item_id for r in win.model.rows() if text in r.item_id.lower()
                 and Filter().accepts_base(r)]
        assert steps[text] == fresh, text
    assert set(steps["tt2020-0"]) >= {YEARLY, ONCE, BIENNIAL, EVENT}
    assert COUNTY not in steps["tt2020-0"]  # the county's own item is not the township's: hidden unless asked
    assert steps["tt2020-01"] == [YEARLY, ONCE]
    assert steps["tt2020-01-01"] == [YEARLY]
    assert steps["tt2020-02"] == [BIENNIAL]
    # typing on without changing the hits (-01 → -01- → -01-0) kept the list; every other keystroke rebuilt it
    assert resets == ["tt2020-0", "tt2020-01", "tt2020-01-01", "tt2020-01", "tt2020-02"]
    # and the kept list still answers for the item under the cursor
    win.search.setText("tt2020-01")
    win.checklist._apply_filter()
    assert win.select_item(ONCE) and win.checklist.current_item_id() == ONCE


def test_an_item_never_has_children_its_headings_may(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    doc = win.model.index(0, 0)
    assert not doc.flags() & Qt.ItemFlag.ItemNeverHasChildren
    item = win.model.index_for_item(YEARLY)
    assert item.flags() & Qt.ItemFlag.ItemNeverHasChildren
    assert item.flags() & Qt.ItemFlag.ItemIsDropEnabled  # evidence is dropped onto an item
    assert not doc.flags() & Qt.ItemFlag.ItemIsDropEnabled
