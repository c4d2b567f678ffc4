"""The window never waits on the store: no session, transaction or raw connection is taken on the UI thread.

The store has one connection; a read on the UI thread waits behind a running write for up to two minutes
(the window freezes). :class:`StoreGuard` listens to SQLAlchemy's pool: every checkout of a store's connection
on the main thread is recorded with the stack that asked for it. The window is driven through the usual
actions (select items, switch year, edit status and note, undo, evidence, the profile, backup, report,
import and trash dialogs, the other tabs) and must never have asked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import traceback

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox
from sqlalchemy import event, text
from sqlalchemy.pool import Pool

from fazhi_desk.catalogue.excel import write_template
from fazhi_desk.domain.model import Status
from fazhi_desk.services.checklist import load_row
from fazhi_desk.services.profile import get_profile
from fazhi_desk.tasks import runner
from fazhi_desk.ui.main_window import MainWindow
from tests.conftest import make_catalogue

TODAY = dt.date(2024, 7, 1)
YEARLY, ONCE, EVENT = "TT2020-01-01", "TT2020-01-02", "TT2020-03-01"


class StoreGuard:
    """Records every checkout of a pooled store connection on the main (UI) thread, with its stack."""

    def __init__(self) -> None:
        self.on_ui_thread: list[str] = []
        self.off_ui_thread = 0

    def _checkout(self, _dbapi, _record, _proxy) -> None:  # noqa: ANN001
        if threading.current_thread() is threading.main_thread():
            ours = [f for f in traceback.extract_stack()[:-1] if "site-packages" not in f.filename]
            self.on_ui_thread.append("".join(traceback.format_list(ours[-8:])))
        else:
            self.off_ui_thread += 1

    def __enter__(self) -> "StoreGuard":
        event.listen(Pool, "checkout", self._checkout)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(Pool, "checkout", self._checkout)

    def check(self) -> None:
        assert not self.on_ui_thread, (
            f"the store was touched on the UI thread {len(self.on_ui_thread)} time(s); the first:\n"
            + self.on_ui_thread[0])


def wait_idle(qtbot, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: not runner().running(), timeout=timeout)


def stored(store, item_id, year):
    with store.session() as s:
        return load_row(s, item_id, year, TODAY)


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes answered at once (Yes) and recorded; an error box fails the test at its end."""
    seen: list[str] = []

    def answer(*a, **k):  # noqa: ANN002, ANN003
        seen.append(str(a[2]) if len(a) > 2 else "")
        return QMessageBox.StandardButton.Yes

    for name in ("information", "warning", "question", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(answer))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append("BOX " + self.text()) or 0)
    return seen


def test_the_guard_sees_a_session_on_the_ui_thread(small_store):
    with StoreGuard() as guard:
        with small_store.session() as s:
            s.execute(text("SELECT 1"))
    assert len(guard.on_ui_thread) == 1 and "test_ui_thread.py" in guard.on_ui_thread[0]
    with pytest.raises(AssertionError, match="touched on the UI thread"):
        guard.check()


def test_the_usual_actions_never_touch_the_store_on_the_ui_thread(qtbot, small_store, tmp_path, monkeypatch, boxes):
    from fazhi_desk.ui import menus
    from fazhi_desk.ui.dialogs import CarryForwardDialog, ProfileDialog
    from fazhi_desk.ui.import_dialog import ImportPreviewDialog, import_catalogue_interactive
    from fazhi_desk.ui.item_picker import ItemPickerDialog
    from fazhi_desk.ui.report_dialog import ReportDialog
    from fazhi_desk.ui.trash_dialog import TrashDialog

    # the files the actions use, made before the guard watches (the test's own reads are on this thread too)
    proof = tmp_path / "学法签到表.pdf"
    proof.write_bytes(b"%PDF sign-in sheet" * 200)
    cat = make_catalogue(version="1.1")
    revised = tmp_path / "修订.xlsx"
    write_template([dataclasses.replace(cat, items=(dataclasses.replace(cat.items[0], requirement="每年学法不少于6次"),
                                                    *cat.items[1:]))], revised)
    new_doc = tmp_path / "新文件.xlsx"
    write_template([make_catalogue(code="TT2023", year=2023)], new_doc)

    def fill_profile(dlg: ProfileDialog) -> int:
        dlg.office.setText("乾佑街道办事处")
        dlg.county.setText("柞水县")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileDialog, "exec", fill_profile)
    monkeypatch.setattr(CarryForwardDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(ReportDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(ItemPickerDialog, "choose", staticmethod(lambda parent, title, label, items: EVENT))

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2024)
    with StoreGuard() as guard:
        win = MainWindow(small_store, settings, today=TODAY)
        qtbot.addWidget(win)
        win.show()
        with qtbot.waitSignal(win.year_loaded, timeout=10000):
            win.start()

        # select items; edit status and note; undo
        for item_id in (ONCE, EVENT, YEARLY):
            assert win.select_item(item_id)
        wait_idle(qtbot)
        combo = win.detail.status
        combo.setCurrentIndex(combo.findData(Status.IN_PROGRESS.value))
        combo.activated.emit(combo.currentIndex())
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).status is Status.IN_PROGRESS, timeout=10000)
        win.apply_edit(YEARLY, 2024, {"note": "已组织学法两次"})
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).note == "已组织学法两次", timeout=10000)
        wait_idle(qtbot)
        win.undo_stack.undo()
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).note == "", timeout=10000)
        wait_idle(qtbot)

        # evidence: attach, use for another item, remove
        from fazhi_desk.ui.evidence_panel import attach_paths

        attach_paths(win, small_store, YEARLY, 2024, [str(proof)])
        qtbot.waitUntil(lambda: win.evidence_panel.model.rowCount() == 1, timeout=10000)
        win.evidence_panel.view.selectRow(0)
        win.evidence_panel.act_link.trigger()
        qtbot.waitUntil(lambda: win.model.row_for(EVENT).evidence_count == 1, timeout=10000)
        wait_idle(qtbot)
        win.evidence_panel.view.selectRow(0)
        win.evidence_panel.act_remove.trigger()
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).evidence_count == 0, timeout=10000)
        wait_idle(qtbot)

        # switch year and back (the carry-forward offer reads too)
        with qtbot.waitSignal(win.year_loaded, timeout=10000):
            win.year_combo.setCurrentIndex(win.year_combo.findData(2025))
        wait_idle(qtbot)
        with qtbot.waitSignal(win.year_loaded, timeout=10000):
            win.year_combo.setCurrentIndex(win.year_combo.findData(2024))
        wait_idle(qtbot)

        # the other tabs; a figure typed into 统计数据
        for i in range(1, win.tabs.count()):
            win.tabs.setCurrentIndex(i)
            wait_idle(qtbot)
        from fazhi_desk.ui.statistics_tab import COL_VALUE

        win.tabs.setCurrentWidget(win.statistics)
        qtbot.waitUntil(lambda: win.statistics.table.rowCount() > 0, timeout=10000)
        row = next(r for r, e in enumerate(win.statistics.entries) if e.indicator.code == "MEDIATION")
        win.statistics.table.item(row, COL_VALUE).setText("3")
        qtbot.waitUntil(lambda: win.statistics.entries[row].value == 3, timeout=10000)
        wait_idle(qtbot)
        win.tabs.setCurrentIndex(0)

        # dialogs: profile (saved), report, backup, trash, import (a revision, then a new document)
        win.edit_profile()
        qtbot.waitUntil(lambda: "乾佑街道办事处" in win.windowTitle(), timeout=10000)
        wait_idle(qtbot)
        menus.export_report(win)
        wait_idle(qtbot)
        menus.show_backup(win)
        wait_idle(qtbot)
        backup = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "BackupDialog")
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
        backup.btn_backup.click()  # 立即备份… reads the office's name first, then asks where (cancelled here)
        wait_idle(qtbot)
        backup.close()
        backup.deleteLater()
        trash = TrashDialog(small_store, win)
        qtbot.addWidget(trash)
        qtbot.waitUntil(lambda: trash.table.rowCount() == 1, timeout=10000)
        trash.close()
        for path in (revised, new_doc):
            monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, p=path, **k: (str(p), "")))
            flow = import_catalogue_interactive(win, small_store)
            qtbot.waitUntil(lambda f=flow: isinstance(f.dialog, ImportPreviewDialog) and f.dialog.isVisible(),
                            timeout=10000)
            with qtbot.waitSignal(flow.finished, timeout=10000):
                flow.dialog.apply_button.click()
            wait_idle(qtbot)
        win.change_text_size(+1)
        win.change_text_size(None)
        wait_idle(qtbot)
    guard.check()
    assert guard.off_ui_thread > 10  # the same work was done, on workers
    assert not [b for b in boxes if b.startswith("BOX ")], boxes  # no error box
    assert stored(small_store, YEARLY, 2024).status is Status.IN_PROGRESS
    assert stored(small_store, EVENT, 2024).evidence_count == 1
    assert get_profile(small_store).binding_documents == ("TT2020", "TT2023")
    win.close()
