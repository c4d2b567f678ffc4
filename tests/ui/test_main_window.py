"""The real main window over a real store: first start, tick, restart, undo, filter, year switch, drops."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from fazhi_desk.domain.model import Status
from fazhi_desk.services.profile import get_profile
from fazhi_desk.store.db import open_store
from tests.conftest import wait_idle
from tests.ui.helpers import BIENNIAL, COUNTY, EVENT, ONCE, TODAY, YEARLY, open_window, set_status, stored, type_text


def test_tick_an_item_and_find_it_after_restart(qtbot, tt_data, tmp_path):
    store = open_store(tt_data)
    win = open_window(qtbot, store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    assert stored(store, YEARLY, 2024).status is Status.DONE
    assert win.model.row_for(YEARLY).status is Status.DONE
    win.close()
    store.close()
    # a new window over the same data directory
    store2 = open_store(tt_data)
    win2 = open_window(qtbot, store2, tmp_path)
    assert win2.select_item(YEARLY)
    assert win2.detail.status.currentData() == Status.DONE.value
    assert win2.year() == 2024  # remembered
    win2.close()
    store2.close()


def test_undo_and_redo_with_the_keyboard(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.IN_PROGRESS)
    win.detail.owner.setText("张三")
    win.detail.owner.editingFinished.emit()
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).owner == "张三"
    win.tree.setFocus()
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).owner == ""
    assert stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).status is Status.NOT_STARTED
    assert win.detail.status.currentData() == Status.NOT_STARTED.value
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS


def test_done_then_undo_clears_the_automatic_completion_date(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.DONE)
    assert stored(small_store, YEARLY, 2024).completed_on is not None
    win.undo_stack.undo()
    wait_idle(qtbot)
    r = stored(small_store, YEARLY, 2024)
    assert r.status is Status.NOT_STARTED and r.completed_on is None


def test_not_applicable_asks_for_a_reason(qtbot, small_store, tmp_path):
    from tests.ui.helpers import answer_na_reason

    win = open_window(qtbot, small_store, tmp_path)
    seen: list = []
    answer_na_reason(qtbot, None, seen)
    set_status(win, qtbot, YEARLY, Status.NOT_APPLICABLE)
    assert stored(small_store, YEARLY, 2024).status is Status.NOT_STARTED  # cancelled: nothing saved
    width, title = seen[0]
    assert width >= 30 * win.fontMetrics().horizontalAdvance("法") and width > 2 * title  # was ~180 px, title cut
    long = "本镇不设城市管理执法队伍," * 4 + "由县城市管理执法局统一负责。"
    answer_na_reason(qtbot, long)
    set_status(win, qtbot, YEARLY, Status.NOT_APPLICABLE)
    r = stored(small_store, YEARLY, 2024)
    assert r.status is Status.NOT_APPLICABLE and r.na_reason == long
    qtbot.waitUntil(lambda: win.detail.na_reason.text() == long, timeout=5000)
    assert win.detail.na_reason.cursorPosition() == 0  # the form shows the start of a long reason


def test_note_is_saved_when_switching_items(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    win.select_item(YEARLY)
    win.detail.note.setPlainText("全年集中学法 4 次,签到表已归档")
    win.select_item(EVENT)  # before the autosave timer fires
    wait_idle(qtbot)
    assert stored(small_store, YEARLY, 2024).note == "全年集中学法 4 次,签到表已归档"


def test_search_and_filters(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    ids = lambda: sorted(r.item_id for r in win.model.visible_rows())  # noqa: E731
    assert COUNTY not in ids()  # does not apply to a township: hidden by default
    win.all_check.setChecked(True)
    assert COUNTY in ids()
    win.all_check.setChecked(False)
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.search.hasFocus()
    type_text(win.search, "备案")
    qtbot.waitUntil(lambda: ids() == [EVENT], timeout=3000)
    win.search.clear()
    qtbot.waitUntil(lambda: len(ids()) == 4, timeout=3000)
    win.overdue_check.setChecked(True)  # 2024-07-01: the one-time item (deadline 2022-06-30) is overdue
    assert ids() == [ONCE]
    win.overdue_check.setChecked(False)
    set_status(win, qtbot, YEARLY, Status.IN_PROGRESS)
    win.status_combo.setCurrentIndex(win.status_combo.findData(Status.IN_PROGRESS.value))
    assert ids() == [YEARLY]
    win.status_combo.setCurrentIndex(0)
    # a note is searchable
    win.select_item(EVENT)
    win.detail.note.setPlainText("报送县司法局备案三件")
    win.detail.flush()
    wait_idle(qtbot)
    win.search.setText("县司法局")
    qtbot.waitUntil(lambda: ids() == [EVENT], timeout=3000)


def test_year_switch_semantics(qtbot, small_store, tmp_path):
    from tests.ui.test_item_editing import answer_date_dialog

    win = open_window(qtbot, small_store, tmp_path, year=2022)
    answer_date_dialog(qtbot)  # a past year's 已完成 asks for its date
    set_status(win, qtbot, YEARLY, Status.DONE)
    answer_date_dialog(qtbot)
    set_status(win, qtbot, ONCE, Status.DONE)
    assert win.model.row_for(BIENNIAL).due  # 2022 is a due year (anchor 2020)
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.year_combo.setCurrentIndex(win.year_combo.findData(2023))
    assert win.model.row_for(YEARLY).status is Status.NOT_STARTED  # annual: fresh
    once = win.model.row_for(ONCE)
    assert once.status is Status.DONE and once.done_in_year == 2022  # one-time: stays done
    win.select_item(ONCE)
    assert "2022" in win.detail.done_before_lbl.text()
    assert not win.model.row_for(BIENNIAL).due  # biennial: off year
    idx = win.model.index_for_item(BIENNIAL).siblingAtColumn(1)
    assert idx.data() == "本年度不检查"  # the report's words


def test_dashboard_counts(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    assert win.dashboard is None  # built when first shown
    s = win.show_dashboard().summary
    assert s is not None and s.total.items == 4  # BIENNIAL due in 2024, COUNTY hidden
    assert [r.item_id for r in s.overdue] == [ONCE]
    assert len(s.no_evidence) == 4
    set_status(win, qtbot, BIENNIAL, Status.DONE)  # selecting switches to the checklist tab
    assert win.show_dashboard().summary.total.done == 1
    assert win.dashboard.t_done.value.text() == "1/4"
    pix = win.dashboard.grab()
    assert not pix.isNull()


def test_first_start_asks_for_the_profile(qtbot, small_store, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)

    def fill():
        dlg = QApplication.activeModalWidget()
        dlg.office.setText("乾佑街道办事处")
        dlg.county.setText("柞水县")
        dlg.contact.setText("王法制")
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(50, fill)
    assert win.edit_profile(first_start=True)
    wait_idle(qtbot)
    p = get_profile(small_store)
    assert (p.office_name, p.county, p.contact) == ("乾佑街道办事处", "柞水县", "王法制")
    assert "乾佑街道办事处" in win.windowTitle()


def test_carry_forward_offered_on_a_new_year(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.ui.dialogs import CarryForwardDialog

    set_fields(small_store, YEARLY, 2024, {"status": "已完成", "owner": "李四", "note": "学法4次"}, today=TODAY)
    win = open_window(qtbot, small_store, tmp_path, year=2024)
    monkeypatch.setattr(CarryForwardDialog, "exec", lambda self: CarryForwardDialog.DialogCode.Accepted)
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.year_combo.setCurrentIndex(win.year_combo.findData(2025))
    qtbot.waitUntil(lambda: stored(small_store, YEARLY, 2025).owner == "李四", timeout=5000)
    r = stored(small_store, YEARLY, 2025)
    assert r.status is Status.NOT_STARTED and r.note == ""


def test_window_renders_chinese(qtbot, small_store, tmp_path):
    from PySide6.QtGui import QFontDatabase

    assert QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese), "no CJK font: install fonts-noto-cjk"
    win = open_window(qtbot, small_store, tmp_path)
    win.resize(1280, 800)
    win.select_item(YEARLY)
    img = win.grab().toImage()
    assert img.width() == 1280 and img.height() == 800
    out = tmp_path / "main.png"
    assert img.save(str(out))
    assert win.model.index_for_item(YEARLY).data().startswith(YEARLY)


def test_checklist_model_passes_the_model_tester(qtbot, small_store, tmp_path, qtmodeltester):
    win = open_window(qtbot, small_store, tmp_path)
    qtmodeltester.check(win.model, force_py=True)


def test_files_dropped_on_an_item_in_the_tree_become_its_evidence(qtbot, small_store, tmp_path, monkeypatch):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    files = []
    for name, body in (("学法 签到表.pdf", b"%PDF sign-in" * 100), ("会议记录.docx", b"minutes" * 100)):
        f = tmp_path / name
        f.write_bytes(body)
        files.append(f)
    win = open_window(qtbot, small_store, tmp_path)
    win.select_item(EVENT)
    win.tree.expandAll()
    vp = win.tree.viewport()
    pos = QPointF(win.tree.visualRect(win.model.index_for_item(YEARLY)).center())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, QDragEnterEvent(pos.toPoint(), *args))
    move = QDragMoveEvent(pos.toPoint(), *args)
    QApplication.sendEvent(vp, move)
    assert move.isAccepted()
    QApplication.sendEvent(vp, QDropEvent(pos, *args))
    qtbot.waitUntil(lambda: stored(small_store, YEARLY, 2024).evidence_count == 2, timeout=10000)
    qtbot.waitUntil(lambda: win.model.row_for(YEARLY).evidence_count == 2, timeout=5000)
    assert win.current_item_id() == YEARLY  # the drop target became the selection
    # dropping on a chapter row (not an item) is refused
    chapter = win.model.index(0, 0, win.model.index(0, 0))
    pos2 = QPointF(win.tree.visualRect(chapter).center())
    move2 = QDragMoveEvent(pos2.toPoint(), *args)
    QApplication.sendEvent(vp, move2)
    assert not move2.isAccepted()


def test_one_file_proves_two_items_and_is_stored_once(qtbot, small_store, tmp_path, monkeypatch):
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services import evidence as ev
    from fazhi_desk.ui.item_picker import ItemPickerDialog

    f = tmp_path / "第一季度会议纪要.pdf"
    f.write_bytes(b"%PDF minutes of the meeting" * 50)
    ev.attach(JobContext(), small_store, YEARLY, 2024, [str(f)])
    win = open_window(qtbot, small_store, tmp_path)
    win.select_item(YEARLY)
    panel = win.evidence_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10000)  # read off the UI thread
    panel.view.selectRow(0)
    offered = []

    def pick(parent, title, label, items):
        offered.extend(item_id for item_id, _text in items)
        return EVENT

    monkeypatch.setattr(ItemPickerDialog, "choose", staticmethod(pick))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Ok))
    panel.act_link.trigger()
    wait_idle(qtbot)
    assert not any(i.startswith(YEARLY) for i in offered)  # not the item itself
    assert stored(small_store, EVENT, 2024).evidence_count == 1
    assert win.model.row_for(EVENT).evidence_count == 1  # the tree shows it at once
    assert len([p for p in small_store.data.evidence.rglob("*") if p.is_file()]) == 1


def test_closing_waits_for_a_running_write_and_never_cuts_it(qtbot, small_store, tmp_path):
    import threading

    from fazhi_desk.changes import Changes
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.tasks import Op

    win = open_window(qtbot, small_store, tmp_path)
    gate = threading.Event()
    inside = threading.Event()

    def slow_write() -> dict:
        inside.set()
        assert gate.wait(20)
        return set_fields(small_store, YEARLY, 2024, {"owner": "赵六"})

    op = Op(slow_write).write(small_store, Changes.item(YEARLY, 2024)).run(win, "保存")
    assert inside.wait(5)
    win.close()
    assert win.isVisible()  # still open: the write has not committed yet
    assert not op.done.is_set()
    gate.set()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=10000)
    assert stored(small_store, YEARLY, 2024).owner == "赵六"
    assert win.settings.value("view/year") == 2024  # the layout was saved when it did close


def test_the_store_can_be_let_go_and_another_attached(qtbot, small_store, tt_data, tmp_path):
    win = open_window(qtbot, small_store, tmp_path)
    set_status(win, qtbot, YEARLY, Status.IN_PROGRESS)
    assert win.detach_store() is small_store
    assert win.store is None and win.model.rows() == []
    other = open_store(tt_data)
    try:
        win.set_store(other)
        with qtbot.waitSignal(win.year_loaded, timeout=10000):
            win.start()
        assert win.model.row_for(YEARLY).status is Status.NOT_STARTED  # the other store's data
        set_status(win, qtbot, YEARLY, Status.DONE)
        assert stored(other, YEARLY, 2024).status is Status.DONE
        assert stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS
    finally:
        win.close()
        other.close()
