"""Backups and the open window: a new day's backup on a timer, a command-line backup taken by the window,
the status bar naming lost files and the newest complete backup, and a lost database naming its backup."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from fazhi_desk.backup import create_backup
from fazhi_desk.backup import auto
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.ui import backup_dialog as bd
from fazhi_desk.ui.main_window import MainWindow
from tests.faultkit import cli

from .helpers import make_workspace


def _window(qtbot, data: DataDir, tmp_path):
    store = open_workspace(data)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    return win


def _dailies(data: DataDir) -> list[str]:
    return sorted(p.name for p in data.backups.glob("*每日自动.fzbak"))


@pytest.fixture
def close_store():
    wins = []
    yield wins.append
    for w in wins:
        st = w.detach_store()
        if st is not None:
            st.close()


def test_a_window_left_open_backs_up_again_on_the_next_day(qtbot, tmp_path, monkeypatch, close_store):
    data = make_workspace(tmp_path / "data", n_files=1)
    win = _window(qtbot, data, tmp_path)
    close_store(win)
    bd.after_first_paint(win, delay_ms=0)
    qtbot.waitUntil(lambda: len(_dailies(data)) == 1, timeout=20000)
    timer = win.findChild(QTimer, "daily_backup_timer")
    assert timer is not None and timer.isActive() and timer.interval() <= 3600 * 1000
    qtbot.waitUntil(lambda: win._daily_backup_op.done.is_set(), timeout=20000)
    tomorrow = dt.datetime.now() + dt.timedelta(days=1)
    monkeypatch.setattr(auto, "_now", lambda: tomorrow)
    timer.timeout.emit()  # the window stayed open over night
    qtbot.waitUntil(lambda: len(_dailies(data)) == 2, timeout=20000)
    assert f"{tomorrow:%Y%m%d}" in _dailies(data)[-1]


@pytest.mark.system
def test_backup_create_on_the_command_line_is_taken_by_the_open_window(qtbot, tmp_path, close_store):
    data = make_workspace(tmp_path / "data", n_files=2)
    win = _window(qtbot, data, tmp_path)
    close_store(win)
    bd.after_first_paint(win, delay_ms=3_600_000)  # the hand-off, without today's backup in the way
    out = tmp_path / "计划任务" / "夜间备份.fzbak"
    out.parent.mkdir()
    r = cli(data.root, "backup", "create", "--out", str(out), timeout=120)
    assert r.returncode == 0 and "已备份到" in r.stdout and str(out) in r.stdout, (r.stdout, r.stderr)
    from fazhi_desk.backup import verify_backup

    assert verify_backup(JobContext(), out).manifest.counts.evidence_files == 2


def test_the_status_bar_names_the_lost_files_and_the_newest_complete_backup(qtbot, tmp_path, monkeypatch,
                                                                             close_store):
    data = make_workspace(tmp_path / "data", n_files=3)
    good = create_backup(JobContext(), data, reason="daily",
                         now=dt.datetime.now() - dt.timedelta(days=1)).path
    lost = sorted(p for p in data.evidence.glob("??/*") if p.is_file())[0]
    os.chmod(lost, stat.S_IWRITE | stat.S_IREAD)
    lost.unlink()
    win = _window(qtbot, data, tmp_path)
    close_store(win)
    job = bd.start_daily_backup(win)
    assert job is not None
    qtbot.waitUntil(lambda: job.done.is_set(), timeout=20000)
    qtbot.waitUntil(lambda: getattr(win, "_backup_warning", None) is not None
                    and "不完整" in win._backup_warning.text(), timeout=20000)
    assert win._backup_warning.isVisible()
    text = win._backup_warning.text()
    assert "不完整" in text and "材料" in text and good.name in text
    dlg = bd.BackupDialog(data, win)
    qtbot.addWidget(dlg)
    states = [dlg.table.item(r, 2).text() for r in range(dlg.table.rowCount())]
    assert states[0].startswith("不完整") and "完整" in states
    assert dlg.btn_accept_missing.isVisibleTo(dlg)  # the user may confirm the loss: then rotation goes on
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dlg.btn_accept_missing.click()
    assert auto.accepted_missing(data) == {lost.name} and not dlg.btn_accept_missing.isVisibleTo(dlg)


def test_a_lost_database_offers_the_daily_backup_it_names(qtbot, tmp_path):
    from fazhi_desk.errors import WorkspaceDamagedError
    from fazhi_desk.ui.application import _offer_restore_after_open_failed

    data = make_workspace(tmp_path / "data", n_files=1)
    daily = create_backup(JobContext(), data, reason="daily").path
    data.db.unlink()
    with pytest.raises(WorkspaceDamagedError) as ei:
        open_workspace(data)
    win = MainWindow(None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    seen: list[str] = []

    def press_quit():
        w = QApplication.activeModalWidget()
        if not isinstance(w, QMessageBox):
            QTimer.singleShot(20, press_quit)
            return
        seen.append(w.text() + "\n" + w.informativeText())
        next(b for b in w.findChildren(QPushButton) if b.text() == "退出").click()

    QTimer.singleShot(0, press_quit)
    assert _offer_restore_after_open_failed(win, data, ei.value) is False
    assert daily.name in seen[0] and "没有备份" not in seen[0]
    assert seen[0].count(daily.name) == 2  # the store's message and the offer name the same file


def test_backup_restore_and_undo_read_the_store_off_the_ui_thread(qtbot, tmp_path, monkeypatch, close_store):
    """立即备份, 从备份恢复 and 撤销此次导入 read the current data through the runner, never on the UI thread."""
    import threading

    from PySide6.QtWidgets import QFileDialog
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    data = make_workspace(tmp_path / "data", n_files=1)
    other = make_workspace(tmp_path / "other", n_files=1, seed=4, office="营盘镇")
    backup = create_backup(JobContext(), other, tmp_path / "other.fzbak").path
    win = _window(qtbot, data, tmp_path)
    close_store(win)
    on_ui: list[str] = []

    def checkout(*_a) -> None:
        if threading.current_thread() is threading.main_thread():
            on_ui.append("checkout")

    infos: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: infos.append(text))
    out = tmp_path / "now.fzbak"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    seen: list[str] = []

    def press(label: str) -> None:
        w = QApplication.activeModalWidget()
        if not isinstance(w, QMessageBox):
            QTimer.singleShot(20, lambda: press(label))
            return
        seen.append(w.text() + "\n" + w.informativeText())
        next(b for b in w.findChildren(QPushButton) if b.text().replace("&", "") == label).click()

    event.listen(Pool, "checkout", checkout)
    try:
        bd.backup_now(win, data, store=win.store)
        qtbot.waitUntil(lambda: any("已备份到" in t for t in infos), timeout=20000)
        ended: list[bool] = []
        QTimer.singleShot(0, lambda: press("取消"))
        assert bd.restore_interactive(win, win, data, str(backup), on_done=ended.append) is not None
        qtbot.waitUntil(lambda: ended == [False], timeout=20000)
        assert "营盘镇" in seen[-1] and "乾佑街道办事处" in seen[-1]

        def press_any() -> None:
            w = QApplication.activeModalWidget()
            if not isinstance(w, QMessageBox):
                QTimer.singleShot(20, press_any)
                return
            seen.append(w.text())
            w.buttons()[0].click()

        QTimer.singleShot(0, press_any)
        undone: list[bool] = []
        bd.undo_import_interactive(win, win, data, on_done=undone.append)
        qtbot.waitUntil(lambda: undone == [False], timeout=20000)
        assert "没有可以撤销的导入" in seen[-1]
    finally:
        event.remove(Pool, "checkout", checkout)
    assert out.is_file() and on_ui == []
