"""Office screens and the keyboard: the requirement column at 1366×768, text size, search keys, F8, F2, Ctrl+1–3,
a filter that hides the selected item, Alt letters on every menu entry, the title, F1."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from fazhi_desk import APP_TITLE
from fazhi_desk.domain.model import Status
from fazhi_desk.ui.checklist_model import COL_TITLE
from fazhi_desk.ui.main_window import MainWindow
from tests.ui.helpers import ONCE, TODAY, YEARLY, open_window, stored


@pytest.fixture(autouse=True)
def _default_text_size():
    """Text size is the application's font: put it back for the next test."""
    yield
    from fazhi_desk.ui.textsize import apply_step

    apply_step(0)


def test_requirement_column_shows_20_characters_at_1366x768(qtbot, store, tmp_path):
    """The deepest item's requirement, after its 编号, gets at least 20 characters' width on a 1366×768 screen."""
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings, today=TODAY)
    qtbot.addWidget(win)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1366, 768 - 40)  # the screen less Windows' taskbar; a first start (no saved layout)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    win.tree.expandAll()
    QApplication.processEvents()
    fm = win.tree.fontMetrics()
    need = 20 * fm.horizontalAdvance("法")
    deepest = max((win.model.index_for_item(r.item_id) for r in win.model.visible_rows()),
                  key=lambda i: win.tree.visualRect(i).left())
    rect = win.tree.visualRect(deepest.siblingAtColumn(COL_TITLE))
    item_id = deepest.data(Qt.ItemDataRole.UserRole + 1)
    room = rect.width() - fm.horizontalAdvance(item_id + "  ") - 2 * fm.horizontalAdvance(" ")
    assert room >= need, f"{room} px for the requirement of {item_id}, need {need} (20 characters)"
    win.close()


def test_text_size_applies_to_the_whole_window_and_is_remembered(qtbot, small_store, tmp_path):
    from fazhi_desk.ui.textsize import base_point_size

    win = open_window(qtbot, small_store, tmp_path)
    base = base_point_size()
    win.act_zoom_in.trigger()
    win.act_zoom_in.trigger()
    assert QApplication.font().pointSizeF() == base + 2
    assert win.tree.font().pointSizeF() == base + 2 and win.search.font().pointSizeF() == base + 2
    wide = win.tree.header().sectionSize(1)
    win.act_zoom_out.trigger()
    assert win.tree.header().sectionSize(1) < wide  # the narrow columns follow the text
    win.close()
    win2 = open_window(qtbot, small_store, tmp_path)  # the same settings file: remembered
    assert QApplication.font().pointSizeF() == base + 1
    win2.act_zoom_reset.trigger()
    assert QApplication.font().pointSizeF() == base
    for act, keys in ((win2.act_zoom_in, "Ctrl+="), (win2.act_zoom_out, "Ctrl+-"), (win2.act_zoom_reset, "Ctrl+0")):
        assert act.shortcut().toString() == keys


def test_search_box_down_enter_escape(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    win.search.setText("学法")
    qtbot.keyClick(win.search, Qt.Key.Key_Down)
    assert win.current_item_id() == YEARLY and win.focusWidget() is win.tree
    qtbot.keyClick(win.search, Qt.Key.Key_Return)  # opens the item: the focus is on its 状态
    assert win.focusWidget() is win.detail.status
    qtbot.keyClick(win.search, Qt.Key.Key_Escape)
    assert win.search.text() == "" and len(win.model.visible_rows()) > 1


def test_next_unfinished_and_status_keys(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    assert win.act_next_open.shortcut().toString() == "F8"
    assert win.act_prev_open.shortcut().toString() == "Shift+F8"
    assert win.act_open_item.shortcut().toString() == "F2"
    assert [a.shortcut().toString() for a in win.act_set_status] == ["Ctrl+1", "Ctrl+2", "Ctrl+3"]
    assert win.select_item(ONCE)
    win.act_set_status[2].trigger()  # 设为已完成 (Ctrl+3)
    qtbot.waitUntil(lambda: stored(small_store, ONCE, 2024).status is Status.DONE, timeout=10000)
    qtbot.waitUntil(lambda: not win.model.row_for(ONCE).completion.standing.outstanding, timeout=10000)
    order = [r.item_id for r in win.model.visible_rows()]
    assert order.index(YEARLY) < order.index(ONCE)
    assert win.select_item(YEARLY)
    win.act_next_open.trigger()  # F8 skips the done item
    after = win.current_item_id()
    assert after not in (YEARLY, ONCE) and win.model.row_for(after).completion.standing.outstanding
    win.act_prev_open.trigger()  # Shift+F8 skips it too, back to YEARLY
    assert win.current_item_id() == YEARLY
    win.act_open_item.trigger()
    assert win.focusWidget() is win.detail.status


def test_a_filter_that_hides_the_selected_item_lets_go_of_it(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    assert win.select_item(YEARLY)
    assert win.detail.current() is not None and win.detail.current().item_id == YEARLY
    win.review_check.setChecked(True)  # nothing needs review: YEARLY is hidden
    assert win.current_item_id() is None
    assert win.detail.current() is None  # not an invisible item's form
    assert win.evidence_panel.item_id is None
    assert "已隐藏" in win.statusBar().currentMessage()
    win.review_check.setChecked(False)
    assert win.current_item_id() == YEARLY  # shown again: selected again


def test_every_menu_entry_has_an_alt_letter(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    letters = []
    for menu_action in win.menuBar().actions():
        title = menu_action.text()
        assert re.search(r"\(&[A-Z]\)$", title), title
        letters.append(title[-2])
        own = []
        for act in menu_action.menu().actions():
            if act.isSeparator():
                continue
            m = re.search(r"\(&([A-Z0-9])\)", act.text())
            assert m, f"{title} → {act.text()}"
            own.append(m.group(1))
        assert len(own) == len(set(own)), (title, own)
    assert len(letters) == len(set(letters)), letters


def test_title_does_not_repeat_the_program_name(qtbot, small_store, tmp_path):
    from fazhi_desk.services.profile import get_profile, set_profile

    set_profile(small_store, office_name="乾佑街道办事处", county="柞水县", contact="王敏", phone="")
    win = open_window(qtbot, small_store, tmp_path)
    win.set_profile(get_profile(small_store))
    # Qt appends the application display name (法治政府建设检查台) to every window title itself
    assert win.windowTitle() == "乾佑街道办事处" and APP_TITLE not in win.windowTitle()
    from fazhi_desk.ui.application import START_FAILED_TITLE

    assert APP_TITLE not in START_FAILED_TITLE


def test_f1_opens_the_guide(qtbot, small_store, tmp_path):
    from fazhi_desk.ui.help import HelpWindow

    win = open_window(qtbot, small_store, tmp_path)
    assert win.act_guide.shortcut().toString() == "F1"
    win.act_guide.trigger()
    guide = win.findChild(HelpWindow)
    assert guide is not None and guide.isVisible() and guide.section == "routine"
    guide.close()


def _window_on(qtbot, store, settings):
    win = MainWindow(store, settings, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    return win


def test_a_window_size_saved_at_another_screen_setting_is_dropped(qtbot, small_store, tmp_path):
    """910×411 saved at another screen or scale is not reused: the window fits this screen as on a first start."""
    from PySide6.QtWidgets import QWidget

    other = QWidget()
    other.resize(910, 411)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2024)
    settings.setValue("window/geometry", other.saveGeometry())  # as an older version saved it: no screen noted
    win = _window_on(qtbot, small_store, settings)
    avail = win.screen().availableGeometry()
    assert win.isMaximized() or (win.width(), win.height()) == (avail.width(), avail.height())
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(610, 411)
    win.close()  # saved with this screen's setting
    settings.sync()
    win = _window_on(qtbot, small_store, settings)
    assert (win.width(), win.height()) == (610, 411)  # same screen, same scale: kept
    win.close()
    settings.setValue("window/screen", "1366x728@2")  # saved at 200 % on another screen
    win = _window_on(qtbot, small_store, settings)
    assert win.isMaximized() or (win.width(), win.height()) == (avail.width(), avail.height())
    win.close()


@pytest.mark.parametrize("step", [0, 2, 4])
def test_evidence_names_and_dates_are_readable_at_1366x768(qtbot, small_store, tmp_path, step):
    """File names get the lines they need (a sub-folder too), dates are whole, at every text size."""
    from PySide6.QtCore import QRect

    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services import evidence as ev
    from fazhi_desk.ui.evidence_panel import COL_ADDED, COL_DOC_DATE, COL_NAME
    from fazhi_desk.ui.textsize import apply_step

    long = tmp_path / "2025年法治政府建设工作领导小组会议签到表.pdf"
    long.write_bytes(b"%PDF-1.4 sign-in")
    sub = tmp_path / "材料" / "会议" / "签到表.pdf"
    sub.parent.mkdir(parents=True)
    sub.write_bytes(b"%PDF-1.4 other")
    ev.attach(JobContext(), small_store, YEARLY, 2024, [long, tmp_path / "材料"], doc_date="2024-06-20")
    win = open_window(qtbot, small_store, tmp_path)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1366, 768 - 40)
    apply_step(step)
    assert win.select_item(YEARLY)
    panel = win.evidence_panel
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        win.right_tabs.setCurrentWidget(win.evidence_page)
        panel.reload()
    QApplication.processEvents()
    view, m = panel.view, panel.model
    fm = view.fontMetrics()
    assert m.rowCount() == 2 and any("/" in m.index(r, COL_NAME).data() for r in range(2))
    for r in range(m.rowCount()):
        name = m.index(r, COL_NAME).data()
        rect = view.visualRect(m.index(r, COL_NAME))
        room = rect.width() - view.iconSize().width() - 4 * fm.horizontalAdvance(" ") - 8
        need = fm.boundingRect(QRect(0, 0, room, 10000), int(Qt.TextFlag.TextWrapAnywhere), name).height()
        assert need <= rect.height(), f"{name!r}: {need} px of text in a {rect.height()} px row at +{step}"
        for c in (COL_DOC_DATE, COL_ADDED):
            text = m.index(r, c).data()
            assert view.columnWidth(c) >= fm.horizontalAdvance(text) + 8, f"{text!r} cut at +{step}"
    view.selectRow(0)
    assert m.index(0, COL_NAME).data() in panel.details.text()  # the whole name, beside its dates
    win.close()


def _office_window(qtbot, store, tmp_path, item="SZ2015-04-01"):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings, today=TODAY)
    qtbot.addWidget(win)
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1366, 768 - 40)  # the screen less Windows' taskbar
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    win.tree.expandAll()
    assert win.select_item(item)
    QApplication.processEvents()
    return win


def _clipped_boxes(win) -> list[str]:
    from PySide6.QtWidgets import QComboBox

    c = win.checklist
    return [f"{b.accessibleName()}: {b.width()} < {b.sizeHint().width()}"
            for b in (c.year_combo, c.status_combo, c.role_combo) if b.width() < b.sizeHint().width()
            and isinstance(b, QComboBox)]


def test_larger_text_reaches_every_widget_and_clips_no_filter_box(qtbot, store, tmp_path):
    """Ctrl+= twice: the year box reads "2025 年" whole, the role box is whole, the item title and the coloured
    hints grow with the rest; Ctrl+0 gives back the boxes' widths."""
    from PySide6.QtWidgets import QWidget

    from fazhi_desk.ui.textsize import base_point_size

    win = _office_window(qtbot, store, tmp_path)
    base = base_point_size()
    widths0 = [b.width() for b in (win.checklist.year_combo, win.checklist.role_combo, win.checklist.doc_combo,
                                   win.checklist.unit_combo)]
    title0 = win.detail.title.font().pointSizeF()
    win.act_zoom_in.trigger()
    win.act_zoom_in.trigger()
    QApplication.processEvents()
    assert _clipped_boxes(win) == []
    assert win.detail.title.font().pointSizeF() > title0  # the item's title grows
    stale = [f"{type(w).__name__} {w.objectName() or ''} {getattr(w, 'text', lambda: '')()!r:.30}"
             for w in win.findChildren(QWidget)
             if w.property("relativeFontScale") is None and abs(w.font().pointSizeF() - (base + 2)) > 0.01]
    assert stale == [], stale  # the 未达标 warning, the hints in colour: every widget has the new size
    win.act_zoom_reset.trigger()
    QApplication.processEvents()
    assert [b.width() for b in (win.checklist.year_combo, win.checklist.role_combo, win.checklist.doc_combo,
                                win.checklist.unit_combo)] == widths0
    win.close()


@pytest.mark.parametrize("step", [2])
def test_requirement_column_keeps_20_characters_with_larger_text(qtbot, store, tmp_path, step):
    """At +2 (Ctrl+= twice) on 1366×768 the deepest requirement still gets 20 characters."""
    win = _office_window(qtbot, store, tmp_path)
    for _ in range(step):
        win.act_zoom_in.trigger()
    QApplication.processEvents()
    fm = win.tree.fontMetrics()
    need = 20 * fm.horizontalAdvance("法")
    deepest = max((win.model.index_for_item(r.item_id) for r in win.model.visible_rows()),
                  key=lambda i: win.tree.visualRect(i).left())
    rect = win.tree.visualRect(deepest.siblingAtColumn(COL_TITLE))
    item_id = deepest.data(Qt.ItemDataRole.UserRole + 1)
    room = rect.width() - fm.horizontalAdvance(item_id + "  ") - 2 * fm.horizontalAdvance(" ")
    assert room >= need, f"{room} px for the requirement of {item_id} at +{step}, need {need} (20 characters)"
    win.close()
