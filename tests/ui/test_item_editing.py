"""Editing an item in the real window over a real store: nothing typed is lost, shown stale or changed by accident."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from fazhi_desk.domain.model import Status
from fazhi_desk.services.checklist import change_log
from fazhi_desk.tasks import runner
from tests.conftest import wait_idle
from tests.ui.helpers import TODAY, YEARLY, open_window, set_status, stored, type_text

FIRST, SECOND = "一月召开学法会。", "六月再学一次。"


def focused_window(qtbot, store, tmp_path, year=2024):
    win = open_window(qtbot, store, tmp_path, year=year)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)
    assert win.select_item(YEARLY)
    return win


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def note_log(store):
    with store.session() as s:
        return [(c.old_value, c.new_value) for c in reversed(change_log(s, YEARLY)) if c.field == "note"]


def choose_status_with_keyboard(qtbot, win):
    """Click the 状态 box (it takes focus) and step to the next status with the Down key."""
    combo = win.detail.status
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    qtbot.keyClick(combo, Qt.Key.Key_Down)


@pytest.mark.parametrize("how", ["status", "status_no_focus_change", "owner", "actual"])
@pytest.mark.parametrize("delay_ms", [0, 100, 300, 600])
def test_a_note_typed_just_before_another_edit_is_kept_on_screen_and_in_the_store(
        qtbot, small_store, tmp_path, delay_ms, how):
    win = focused_window(qtbot, small_store, tmp_path)
    d = win.detail
    click(qtbot, d.note.viewport())
    type_text(d.note, FIRST)
    qtbot.wait(delay_ms)
    if how == "status":
        choose_status_with_keyboard(qtbot, win)
    elif how == "status_no_focus_change":  # the note keeps focus (the box chosen without taking it)
        combo = d.status
        combo.setCurrentIndex(combo.findData(Status.IN_PROGRESS.value))
        combo.activated.emit(combo.currentIndex())
    else:
        field = d.owner if how == "owner" else d.actual
        click(qtbot, field)
        type_text(field, "王敏" if how == "owner" else "3")
        qtbot.keyClick(field, Qt.Key.Key_Return)
    # while the writes are on their way, and after, the screen never shows less than was typed
    seen = []
    qtbot.waitUntil(lambda: seen.append(d.note.toPlainText()) or not runner().running(), timeout=10000)
    wait_idle(qtbot)
    assert set(seen) == {FIRST}
    r = stored(small_store, YEARLY, 2024)
    if how.startswith("status"):
        assert r.status is Status.IN_PROGRESS
    else:
        assert (r.owner if how == "owner" else r.actual) == ("王敏" if how == "owner" else 3)
    # the note is on screen and saved, and the row shown is the stored one
    assert d.note.toPlainText() == FIRST
    assert r.note == FIRST
    assert d.current() == r
    # typing on saves both sentences: nothing is overwritten
    click(qtbot, d.note.viewport())
    d.note.moveCursor(d.note.textCursor().MoveOperation.End)
    type_text(d.note, SECOND)
    qtbot.waitUntil(lambda: stored(small_store, YEARLY, 2024).note == FIRST + SECOND, timeout=3000)
    wait_idle(qtbot)
    assert d.note.toPlainText() == FIRST + SECOND
    assert note_log(small_store) == [("", FIRST), (FIRST, FIRST + SECOND)]


def test_a_pending_note_is_saved_when_the_note_loses_focus(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path)
    click(qtbot, win.detail.note.viewport())
    type_text(win.detail.note, FIRST)
    click(qtbot, win.detail.owner)  # no edit yet, only the focus moves
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).note == FIRST


def wheel(widget, notches=1):
    """Turn the mouse wheel over a widget (down = negative angle), as Qt delivers it."""
    pos = QPointF(widget.rect().center())
    for _ in range(notches):
        ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, -120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, ev)


def test_the_wheel_over_an_unfocused_status_box_changes_nothing(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.ui import item_detail

    monkeypatch.setattr(item_detail, "ask_na_reason", lambda *a: "")  # 不适用 would ask why: nothing must ask
    win = focused_window(qtbot, small_store, tmp_path)
    d = win.detail
    click(qtbot, d.owner)  # focus somewhere else in the form
    wheel(d.status, notches=3)
    wait_idle(qtbot)
    assert d.status.currentData() == Status.NOT_STARTED.value
    r = stored(small_store, YEARLY, 2024)
    assert r.status is Status.NOT_STARTED and not r.has_assessment
    with small_store.session() as s:
        assert change_log(s) == []
    assert not d.status.hasFocus()  # the wheel does not take focus either
    # once the user has focused the box, the wheel works as usual
    d.status.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(d.status.hasFocus, timeout=2000)
    wheel(d.status)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS


def test_the_wheel_over_an_unfocused_date_changes_nothing(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    d = win.detail
    before = stored(small_store, YEARLY, 2024)
    assert before.completed_on is not None
    click(qtbot, d.owner)
    wheel(d.completed_on, notches=2)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).completed_on == before.completed_on
    assert d.completed_on.date().toPython() == before.completed_on


def tab_chain(qtbot, start, steps):
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(start.hasFocus, timeout=2000)
    seen = [start]
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        while w is not None and w not in seen and w.focusProxy() is not None:
            w = w.focusProxy()
        seen.append(w)
    return seen


def test_tab_walks_the_form_in_reading_order_and_leaves_the_note(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    d = win.detail
    d.completed_on.setDate(d.completed_on.minimumDate())  # an empty 完成日期 must not trap Tab
    wait_idle(qtbot)
    assert d.completed_on.text() == "未填写" and not d.clear_date_btn.isEnabled()
    chain = tab_chain(qtbot, d.status, 4)
    assert chain[:5] == [d.status, d.actual, d.owner, d.completed_on, d.note]  # 不适用原因 is disabled
    # Tab in the note moves on: no tab character is typed or saved
    click(qtbot, d.note.viewport())
    type_text(d.note, FIRST)
    qtbot.keyClick(d.note, Qt.Key.Key_Tab)
    assert not d.note.hasFocus()
    assert "\t" not in d.note.toPlainText()
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).note == FIRST
    # Shift+Tab from the note goes back to the date, and on to the owner
    click(qtbot, d.note.viewport())
    qtbot.keyClick(d.note, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() in (d.completed_on, d.completed_on.findChild(type(d.owner)))


# ---------------------------------------------------------------- 完成日期


def answer_date_dialog(qtbot, accept=True, calls=None):
    """Answer the completion-date dialog when it shows (recording what it proposed)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox

    def answer():
        dlg = QApplication.activeModalWidget()
        if dlg is None or not hasattr(dlg, "date_edit"):
            QTimer.singleShot(20, answer)
            return
        if calls is not None:
            calls.append(dlg.date_edit.date().toPython())
        role = QDialogButtonBox.ButtonRole.AcceptRole if accept else QDialogButtonBox.ButtonRole.RejectRole
        next(b for b in dlg.buttons.buttons() if dlg.buttons.buttonRole(b) is role).click()

    QTimer.singleShot(20, answer)


def log_of(store, field):
    with store.session() as s:
        return [(c.old_value, c.new_value) for c in reversed(change_log(s, YEARLY)) if c.field == field]


def test_marking_done_in_the_current_year_dates_it_today_of_that_window(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    assert stored(small_store, YEARLY, 2024).completed_on == TODAY
    assert win.detail.completed_on.date().toPython() == TODAY


def test_marking_a_past_years_item_done_asks_for_a_date_in_that_year(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path, year=2023)
    proposed = []
    answer_date_dialog(qtbot, accept=False, calls=proposed)
    set_status(win, qtbot, YEARLY, Status.DONE)
    assert proposed == [dt.date(2023, 12, 31)]
    r = stored(small_store, YEARLY, 2023)
    assert r.status is Status.NOT_STARTED and r.completed_on is None  # cancelled: nothing saved
    assert win.detail.status.currentData() == Status.NOT_STARTED.value
    answer_date_dialog(qtbot, accept=True)
    set_status(win, qtbot, YEARLY, Status.DONE)
    r = stored(small_store, YEARLY, 2023)
    assert r.status is Status.DONE and r.completed_on == dt.date(2023, 12, 31)
    assert win.detail.completed_on.date().toPython() == dt.date(2023, 12, 31)


def test_leaving_done_clears_the_date_and_undo_brings_it_back(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    set_status(win, qtbot, YEARLY, Status.IN_PROGRESS)
    r = stored(small_store, YEARLY, 2024)
    assert r.status is Status.IN_PROGRESS and r.completed_on is None
    assert log_of(small_store, "completed_on") == [("", "2024-07-01"), ("2024-07-01", "")]
    d = win.detail
    assert not d.completed_on.isEnabled() and d.completed_on.text() == "未填写"
    win.undo_stack.undo()
    wait_idle(qtbot)
    r = stored(small_store, YEARLY, 2024)
    assert r.status is Status.DONE and r.completed_on == TODAY
    assert d.completed_on.date().toPython() == TODAY


def test_a_future_date_is_refused_with_a_message_and_the_field_can_be_cleared(qtbot, small_store, tmp_path,
                                                                                 monkeypatch):
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    win = focused_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    d = win.detail
    # the field offers the assessed year only
    assert d.completed_on.maximumDate().toPython() == dt.date(2024, 12, 31)
    assert d.completed_on.minimumDate().toPython() == dt.date(2023, 12, 31)  # shown as 未填写
    click(qtbot, d.completed_on)
    d.completed_on.setDate(QDate(2024, 9, 1))  # after today (2024-07-01)
    qtbot.keyClick(d.completed_on, Qt.Key.Key_Return)
    wait_idle(qtbot)
    assert shown and "晚于今天" in shown[-1] and "2024-09-01" in shown[-1]
    assert stored(small_store, YEARLY, 2024).completed_on == TODAY
    assert d.completed_on.date().toPython() == TODAY  # the stored date again
    # a date in the past of the year is taken
    d.completed_on.setDate(QDate(2024, 3, 5))
    qtbot.keyClick(d.completed_on, Qt.Key.Key_Return)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).completed_on == dt.date(2024, 3, 5)
    # and the date can be cleared, undoably
    click(qtbot, d.clear_date_btn)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).completed_on is None
    assert d.completed_on.text() == "未填写"
    win.undo_stack.undo()
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).completed_on == dt.date(2024, 3, 5)


def test_a_stored_date_outside_the_year_is_shown_as_it_is_with_a_warning(qtbot, small_store, tmp_path):
    from fazhi_desk.store.models import Assessment

    with small_store.transaction() as s:  # what the old default wrote: today's date in a past year's record
        s.add(Assessment(item_id=YEARLY, year=2023, status="已完成", completed_on=dt.date(2024, 6, 30),
                         owner="", note="", na_reason=""))
    win = focused_window(qtbot, small_store, tmp_path, year=2023)
    d = win.detail
    assert d.completed_on.date().toPython() == dt.date(2024, 6, 30)
    assert "不在 2023 年度内" in d.date_warning.text()


# ---------------------------------------------------------------- carrying 不适用 forward


@pytest.mark.parametrize("carry_na", [True, False])
def test_carry_forward_offers_not_applicable_and_its_reason(qtbot, small_store, tmp_path, monkeypatch, carry_na):
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.ui.dialogs import CarryForwardDialog
    from tests.ui.helpers import EVENT

    set_fields(small_store, YEARLY, 2024, {"status": "不适用", "na_reason": "本街道非城关镇"}, today=TODAY)
    set_fields(small_store, EVENT, 2024, {"status": "进行中", "owner": "李四"}, today=TODAY)
    win = open_window(qtbot, small_store, tmp_path, year=2024)
    offered = []

    def accept(self):
        offered.append(self.not_applicable.text())
        self.not_applicable.setChecked(carry_na)
        return CarryForwardDialog.DialogCode.Accepted

    monkeypatch.setattr(CarryForwardDialog, "exec", accept)
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.year_combo.setCurrentIndex(win.year_combo.findData(2025))
    qtbot.waitUntil(lambda: stored(small_store, EVENT, 2025).owner == "李四", timeout=5000)
    wait_idle(qtbot)
    assert offered and "不适用" in offered[0]
    r = stored(small_store, YEARLY, 2025)
    if carry_na:
        assert (r.status, r.na_reason) == (Status.NOT_APPLICABLE, "本街道非城关镇")
    else:
        assert (r.status, r.na_reason) == (Status.NOT_STARTED, "")
    assert stored(small_store, EVENT, 2025).status is Status.NOT_STARTED  # other statuses are never carried


# ---------------------------------------------------------------- 复核 after an import


def test_review_shows_every_changed_field_until_confirmed_then_flags_a_missed_target(qtbot, small_store, tmp_path):
    import dataclasses

    from fazhi_desk.catalogue.schema import dump_catalogue_json
    from fazhi_desk.domain.completion import Standing
    from fazhi_desk.services.catalogue import apply_import, preview_import
    from fazhi_desk.services.checklist import set_fields
    from tests.conftest import make_catalogue

    today = dt.date.today()  # confirming moves the assessments of the import's year on
    y = today.year
    set_fields(small_store, YEARLY, y, {"status": "已完成", "actual": 4}, today=today)
    cat = make_catalogue(version="1.1")
    items = tuple(dataclasses.replace(i, requirement="每年组织集中学法不少于6次", target=6)
                  if i.item_id == YEARLY else i for i in cat.items)
    f = tmp_path / "v1.1.json"
    f.write_text(dump_catalogue_json(dataclasses.replace(cat, items=items)), "utf-8")
    apply_import(small_store, preview_import(small_store, f))

    win = open_window(qtbot, small_store, tmp_path, y, today)
    assert win.select_item(YEARLY)
    d = win.detail
    win.resize(1280, 900)
    d.grab().save(str(tmp_path / "review.png"))
    assert d.review_banner.isVisible() and d.review_changes.isVisible()
    text = d.review_changes.text()
    assert "事项内容" in text and "不少于4次" in text and "不少于6次" in text
    assert "目标值" in text and "4次" in text and "6次" in text
    assert "1.0 → 1.1" in d.review_title.text()
    assert win.model.row_for(YEARLY).completion.standing is Standing.DONE  # judged by the wording it was done under
    click(qtbot, d.confirm_review_btn)
    wait_idle(qtbot)
    assert not d.review_banner.isVisible()
    row = win.model.row_for(YEARLY)
    assert row.item.target == 6 and row.completion.standing is Standing.BELOW_TARGET
    assert d.standing_lbl.isVisible() and "未达标" in d.standing_lbl.text()
    d.grab().save(str(tmp_path / "confirmed.png"))


def test_a_year_read_that_ends_after_an_edit_does_not_bring_back_the_older_row(
        qtbot, small_store, tmp_path, monkeypatch):
    """A reload that read the year before an edit committed, and delivers after, must not undo it on screen."""
    import threading

    import fazhi_desk.ui.checklist_panel as cp
    from fazhi_desk.services.checklist import load_year

    win = focused_window(qtbot, small_store, tmp_path)
    panel = win.checklist
    assert panel.model.row_for(YEARLY).status is Status.NOT_STARTED
    with small_store.session() as s:
        before_edit = load_year(s, 2024, TODAY)  # what a read that ran before the edit saw
    started, release = threading.Event(), threading.Event()

    def read_then_deliver_late(session, year, today):  # noqa: ANN001, ANN202
        started.set()
        release.wait(10)
        return before_edit

    monkeypatch.setattr(cp, "_load_year", read_then_deliver_late)
    panel.reload()
    qtbot.waitUntil(started.is_set, timeout=3000)
    combo = win.detail.status
    combo.setCurrentIndex(combo.findData(Status.IN_PROGRESS.value))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS, timeout=5000)
    qtbot.waitUntil(lambda: panel.model.row_for(YEARLY).status is Status.IN_PROGRESS, timeout=5000)
    release.set()
    wait_idle(qtbot)
    assert panel.model.row_for(YEARLY).status is Status.IN_PROGRESS
    assert win.detail.current().status is Status.IN_PROGRESS


def test_ctrl_3_in_a_past_year_asks_for_the_date_as_the_form_does(qtbot, small_store, tmp_path):
    """设为已完成 (Ctrl+3) on a past year's item asks for the date (it used to refuse)."""
    win = focused_window(qtbot, small_store, tmp_path, year=2023)
    proposed = []
    answer_date_dialog(qtbot, accept=True, calls=proposed)
    win.act_set_status[2].trigger()
    wait_idle(qtbot)
    assert proposed == [dt.date(2023, 12, 31)]
    qtbot.waitUntil(lambda: stored(small_store, YEARLY, 2023).status is Status.DONE, timeout=10000)
    assert stored(small_store, YEARLY, 2023).completed_on == dt.date(2023, 12, 31)


def test_ctrl_3_cancelled_in_a_past_year_saves_nothing(qtbot, small_store, tmp_path):
    win = focused_window(qtbot, small_store, tmp_path, year=2023)
    proposed = []
    answer_date_dialog(qtbot, accept=False, calls=proposed)
    win.act_set_status[2].trigger()
    wait_idle(qtbot)
    assert proposed == [dt.date(2023, 12, 31)]
    r = stored(small_store, YEARLY, 2023)
    assert r.status is Status.NOT_STARTED and r.completed_on is None


def test_a_whole_date_typed_into_the_completion_dialog_is_taken(qtbot):
    """Typing 2023-06-18 (year, '-', month, '-', day) gives that date; Tab moves from the year to the month."""
    from fazhi_desk.ui.item_detail import CompletionDateDialog

    dlg = CompletionDateDialog(YEARLY, 2023, TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=3000)
    de = dlg.date_edit
    assert de.hasFocus()  # the dialog opens on the date, ready to be typed over
    qtbot.keyClicks(de, "2023-06-18")
    assert de.date().toPython() == dt.date(2023, 6, 18)
    de.setCurrentSectionIndex(0)
    qtbot.keyClick(de, Qt.Key.Key_Tab)
    assert de.hasFocus() and de.currentSection() == de.Section.MonthSection
    qtbot.keyClicks(de, "03")
    qtbot.keyClick(de, Qt.Key.Key_Tab)
    qtbot.keyClicks(de, "09")
    assert de.date().toPython() == dt.date(2023, 3, 9)
