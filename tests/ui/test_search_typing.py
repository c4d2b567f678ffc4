"""Typing in the checklist search narrows the flat list of hits keystroke by keystroke, and a keystroke that
leaves the hits as they were does not make the view lay out the list again. What came together is filtered once,
on the event loop's next pass; hundreds of hits are handed to the view a page at a time; the tree's delegate
paints what the standard one would."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem

from fazhi_desk.ui.checklist_model import COL_OWNER, COL_TITLE, Filter, search_text
from fazhi_desk.ui.checklist_panel import CellDelegate
from tests.conftest import _close_after_settling
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


def test_the_box_filters_on_the_next_pass_of_the_event_loop_once_for_what_came_together(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    resets = []
    win.model.modelReset.connect(lambda: resets.append(win.model.filter().text))
    # two characters before the event loop runs (an input method's commit, keys typed while the last filter ran)
    win.search.setText("tt2020-0")
    win.search.setText("tt2020-01")
    assert resets == []
    QApplication.processEvents()  # no waiting a fixed delay: filtered at once, once, for the last text
    assert resets == ["tt2020-01"]
    assert shown(win) == [YEARLY, ONCE]


def _build_synthetic(d) -> None:  # noqa: ANN001
    from bench.synthetic import build_store

    build_store(d, 600, years=range(2024, 2025)).close()  # 480 of its items apply to a township


@pytest.fixture
def big_store(templates, tmp_path):
    from fazhi_desk.store.db import open_store

    s = open_store(templates.data_dir("synthetic-600", _build_synthetic, tmp_path / "big"))
    yield s
    _close_after_settling(s)


def hits_of(win, text: str) -> list[str]:
    """The hits of ``text`` as a search started afresh finds them, in catalogue order."""
    return [r.item_id for r in win.model.rows() if text in search_text(r) and Filter().accepts_base(r)]


def test_hundreds_of_hits_are_laid_out_a_page_at_a_time_and_all_of_them_count(qtbot, big_store, tmp_path):
    win = open_window(qtbot, big_store, tmp_path)
    title_width = win.tree.header().sectionSize(COL_TITLE)
    win.search.setText("syna-0001")  # a few hits
    qtbot.waitUntil(lambda: win.model.filter().text == "syna-0001")
    QApplication.processEvents()
    assert win.tree.header().sectionSize(COL_TITLE) == title_width
    win.search.setText("syn")
    qtbot.waitUntil(lambda: win.model.filter().text == "syn")
    QApplication.processEvents()  # laid out and painted
    # the 检查事项 column keeps its width when the list grows past one screen (the scroll bar was there already)
    assert win.tree.header().sectionSize(COL_TITLE) == title_width
    fresh = hits_of(win, "syn")
    assert len(fresh) == 480
    # every hit counts and can be stepped to; the view was handed only the first page
    assert win.checklist.visible_item_ids() == fresh
    assert "显示 480 / 600 项" in win.checklist.count_label.text()
    assert win.model.rowCount() < len(fresh)
    # scrolling to the end brings the next page, until every hit is there, in order
    while win.model.rowCount() < len(fresh):
        before = win.model.rowCount()
        win.tree.scrollToBottom()
        QApplication.processEvents()
        assert win.model.rowCount() > before
    assert shown(win) == fresh
    # an item further down than the first page is selected at once (a remembered selection, F8, Enter)
    win.search.setText("synb")
    qtbot.waitUntil(lambda: win.model.filter().text == "synb")
    far = hits_of(win, "synb")[-1]
    assert win.model.rowCount() < len(hits_of(win, "synb"))
    assert win.model.row_for(far) is not None
    assert win.select_item(far) and win.checklist.current_item_id() == far
    assert shown(win) == hits_of(win, "synb")[: win.model.rowCount()]
    # a hit's row is replaced in place after an edit, fetched or not
    row = win.model.row_for(far)
    win.model.replace_row(dataclasses.replace(row, owner="王小明"))
    assert win.model.row_for(far).owner == "王小明"
    assert win.model.index_for_item(far).siblingAtColumn(COL_OWNER).data() == "王小明"


def _all_indexes(model, parent=None):  # noqa: ANN001
    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        for c in range(model.columnCount(parent)):
            yield model.index(r, c, parent)
        yield from _all_indexes(model, model.index(r, 0, parent))


def test_cells_are_painted_with_what_the_standard_delegate_reads_from_data(qtbot, small_store, tmp_path):
    """The tree's delegate reads a cell in one call; what it paints is what QStyledItemDelegate would, cell by cell:
    the text, its colour (status, overdue, not counted), bold headings, centred columns, the 复核 square."""
    win = open_window(qtbot, small_store, tmp_path)
    model = win.model
    model.replace_row(dataclasses.replace(model.row_of_all(YEARLY), needs_review=True))
    ours, plain = CellDelegate(model), QStyledItemDelegate()
    base = QStyleOptionViewItem()
    base.initFrom(win.tree)
    base.decorationSize = QSize(16, 16)
    seen = {"bold": 0, "centred": 0, "coloured": 0, "square": 0}
    for text in ("", "tt2020"):  # the tree, then a flat list of hits
        model.set_filter(Filter(text=text, show_all=True))
        cells = list(_all_indexes(model))
        assert len(cells) >= 5 * 6
        for idx in cells:
            a, b = QStyleOptionViewItem(base), QStyleOptionViewItem(base)
            plain.initStyleOption(a, idx)
            ours.initStyleOption(b, idx)
            where = (idx.data(), idx.column())
            assert b.text == a.text, where
            assert b.features == a.features, where
            assert b.font == a.font, where
            assert b.displayAlignment == a.displayAlignment, where
            assert b.palette.brush(QPalette.ColorRole.Text) == a.palette.brush(QPalette.ColorRole.Text), where
            assert b.icon.isNull() == a.icon.isNull(), where
            if not a.icon.isNull():
                assert b.icon.pixmap(16).toImage().pixelColor(8, 8) == a.icon.pixmap(16).toImage().pixelColor(8, 8)
            seen["bold"] += a.font.bold()
            seen["centred"] += bool(a.displayAlignment & Qt.AlignmentFlag.AlignHCenter)
            seen["coloured"] += a.palette.brush(QPalette.ColorRole.Text) != base.palette.brush(QPalette.ColorRole.Text)
            seen["square"] += not a.icon.isNull()
    assert all(seen.values()), seen
