"""The window says what the command line says: a busy store or a full disk is its Chinese cause, not 内部错误.

One classifier (:func:`fazhi_desk.store.errors.classify`) judges an error for both; these tests make the
errors happen for real (the store's one connection held by another operation until the pool gives up, a
write to ``/dev/full``) and read the message the window shows.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

import fazhi_desk.store.db as db
from fazhi_desk.cli import as_user_error
from fazhi_desk.domain.model import Status
from fazhi_desk.paths import DataDir
from fazhi_desk.services.catalogue import install_new_document
from fazhi_desk.services.checklist import load_row
from fazhi_desk.store.db import open_store
from fazhi_desk.tasks import Op, runner
from fazhi_desk.ui.main_window import MainWindow
from tests.conftest import make_catalogue

TODAY = dt.date(2024, 7, 1)
YEARLY = "TT2020-01-01"


@pytest.fixture
def boxes(monkeypatch):
    """The error boxes the window shows, as (title, text, detail)."""
    seen: list[tuple[str, str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append(
        (self.windowTitle(), self.text(), self.detailedText())) or 0)
    return seen


def wait_idle(qtbot, timeout: int = 10000) -> None:
    qtbot.waitUntil(lambda: not runner().running(), timeout=timeout)


def test_an_edit_that_finds_the_store_busy_says_why_in_the_window(qtbot, tmp_path, monkeypatch, boxes):
    monkeypatch.setattr(db, "POOL_TIMEOUT", 0.5)  # a write waits half a second for the connection, not two minutes
    data = DataDir(tmp_path / "busy").ensure()
    store = open_store(data)
    try:
        with store.transaction() as s:
            install_new_document(s, make_catalogue(), source_file="test")
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("view/year", 2024)
        win = MainWindow(store, settings, today=TODAY)
        qtbot.addWidget(win)
        win.show()
        with qtbot.waitSignal(win.year_loaded, timeout=10000):
            win.start()
        assert win.select_item(YEARLY)
        wait_idle(qtbot)  # its attachments are read before the store gets busy

        holding, release = threading.Event(), threading.Event()

        def long_read(session) -> None:  # noqa: ANN001 - e.g. a backup reading the whole store
            session.execute(text("SELECT 1"))
            holding.set()
            release.wait(20)

        Op(long_read).in_session(store).run(win, "备份")
        assert holding.wait(5)
        combo = win.detail.status
        combo.setCurrentIndex(combo.findData(Status.DONE.value))
        combo.activated.emit(combo.currentIndex())
        qtbot.waitUntil(lambda: bool(boxes), timeout=10000)
        release.set()
        wait_idle(qtbot)
        title, message, _detail = boxes[0]
        assert title == "无法保存"
        assert "内部错误" not in message
        assert str(data.db) in message and "等待超时" in message and "本次操作没有改动任何数据" in message
        with store.session() as s:
            assert load_row(s, YEARLY, 2024, TODAY).status is Status.NOT_STARTED
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).status is Status.NOT_STARTED, timeout=5000)
        win.close()
    finally:
        store.close()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs the /dev/full device (Linux)")
def test_a_full_disk_in_a_window_operation_is_shown_as_the_command_line_says_it(qtbot, small_store, boxes):
    def write_out(store) -> None:  # noqa: ANN001 - a job that writes a file for the store's office
        with open("/dev/full", "wb", buffering=0) as f:  # the kernel answers ENOSPC: a disk with no room
            f.write(b"x" * 4096)

    failed: list[BaseException] = []
    Op(write_out, small_store).failure(failed.append).run(None, "导出年度报告")
    wait_idle(qtbot)
    Op(write_out, small_store).run(None, "导出年度报告")
    wait_idle(qtbot)
    assert len(failed) == 1 and len(boxes) == 1
    title, message, _detail = boxes[0]
    assert title == "导出年度报告"
    assert "内部错误" not in message and message.startswith("磁盘空间不足")
    try:
        write_out(small_store)
    except OSError as e:
        cli = as_user_error(e, small_store.data)
    assert cli is not None and str(cli) == message == str(failed[0])  # the same words on the command line
    assert Path("/dev/full").exists()


def test_a_read_that_comes_after_the_store_closed_shows_no_error(qtbot, tmp_path, boxes):
    """A refresh or a year's read still queued when a restore or the exit closes the store: nothing to say."""
    data = DataDir(tmp_path / "closing").ensure()
    store = open_store(data)
    with store.transaction() as s:
        install_new_document(s, make_catalogue(), source_file="test")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2024)
    win = MainWindow(store, settings, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.start()
    assert win.select_item(YEARLY)
    wait_idle(qtbot)
    store.close()
    win.checklist.refresh_rows([YEARLY])
    win.reload()
    win.evidence_panel.reload()
    win.activity_panel.set_row(win.checklist.current_row())  # the 活动记录 tab reads too
    wait_idle(qtbot)
    assert boxes == []
    win.close()
