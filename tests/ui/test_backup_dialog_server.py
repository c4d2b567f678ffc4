"""文件 → 备份与恢复… on a desk whose store is on a PostgreSQL server: the same dialog as on a single PC.

A real desk (a data directory with evidence) is moved onto the session's private server with the real
``move_to``; the real main window opens it; the tests press the dialog's buttons. Back up now writes a
``.fzbak`` of the server's data and the shared evidence folder that ``verify`` accepts; 从备份恢复
previews the backup against the server's data, says it replaces every desk's data, and puts the backup
into the server (every row, as another desk reads it), after which the window shows the restored data.
A pre-migration copy of the local database is listed but cannot be restored into the server (disabled,
with the reason as its tooltip). A stopped server or a refused password ends in the store's Chinese
message, never a traceback, and the window works again once the server is back.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from fazhi_desk.backup import create_backup, verify_backup
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.services import set_operator
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.location import full_url, move_to, read_location
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.db import Store
from fazhi_desk.ui import backup_dialog as bd
from fazhi_desk.ui.main_window import MainWindow
from tests.backup.helpers import ITEMS, make_workspace
from tests.conftest import wait_idle
from tests.pg_fixtures import PgServer, dump_rows, find_bin_dir, pg_server  # noqa: F401

pytestmark = pytest.mark.postgres

ITEM = ITEMS[0]
OFFICE = "乾佑街道办事处"


@pytest.fixture(autouse=True)
def _no_operator_after():
    yield
    set_operator(None)


@pytest.fixture
def boxes(monkeypatch):
    """Every message box's texts (``seen``); a box that asks is answered by the next text in ``answers``."""

    class Boxes:
        seen: list[str] = []
        answers: list[str] = []
        before_answer = None  # called just before the answer is pressed

    b = Boxes()
    b.seen, b.answers = [], []

    def fake_exec(self) -> int:
        b.seen.append(f"{self.windowTitle()}|{self.text()}\n{self.informativeText()}\n{self.detailedText()}")
        want = b.answers.pop(0) if b.answers else None
        for button in self.buttons():
            if want is not None and button.text().replace("&", "") == want:
                if b.before_answer is not None:
                    b.before_answer()
                button.click()  # as a click on the shown box: clickedButton() is this button
                break
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a, **k: b.seen.append(f"{title}|{text}"))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: b.seen.append(f"{title}|{text}"))
    return b


def server_desk(server: PgServer, root: Path) -> tuple[DataDir, str, Path]:
    """A desk with three evidence files moved onto ``server`` (a new database, a shared evidence folder)."""
    data = make_workspace(root / "desk", n_files=3)
    db = server.create_database()
    shared = root / "shared-evidence"
    move_to(data, server.url(db), shared, "王敏")
    assert read_location(data).on_server
    return data, db, shared


def open_window(qtbot, data: DataDir, tmp_path: Path) -> MainWindow:
    store = open_workspace(data)  # the server the desk's setting names
    assert store.db_path is None and store.data == data
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    return win


def open_backup_dialog(qtbot, win: MainWindow) -> bd.BackupDialog:
    win.act_backup.trigger()  # 文件 → 备份与恢复…
    dlg = next((w for w in QApplication.topLevelWidgets() if isinstance(w, bd.BackupDialog) and w.isVisible()), None)
    assert dlg is not None, "the dialog did not open on a server desk"
    qtbot.addWidget(dlg)
    return dlg


def close_all(win: MainWindow, dlg: bd.BackupDialog | None = None) -> None:
    if dlg is not None:
        dlg.close()
    store = win.detach_store()
    if store is not None:
        store.close()
    win.close()


def another_desk(data: DataDir, shared: Path) -> Store:
    """The same server store opened as another desk would (its own connections)."""
    return Store(full_url(data, read_location(data)), shared).open()


def snapshot_rows(fzbak: Path, tmp_path: Path) -> list[str]:
    """Every row of the database inside a ``.fzbak`` (read with the same dump as a server store)."""
    from types import SimpleNamespace

    from sqlalchemy import create_engine

    with zipfile.ZipFile(fzbak) as z:
        name = next(n for n in z.namelist() if n.endswith(".sqlite3"))
        snap = tmp_path / "in-backup.sqlite3"
        snap.write_bytes(z.read(name))
    engine = create_engine(f"sqlite:///{snap}")
    try:
        return dump_rows(SimpleNamespace(engine=engine))
    finally:
        engine.dispose()


def _owner(rows: list[str]) -> list[str]:
    return [r for r in rows if r.startswith("assessment:") and ITEM in r and "2025" in r]


def test_backup_now_in_the_window_of_a_server_desk_writes_a_fzbak_that_verifies(qtbot, pg_server, tmp_path,  # noqa: F811
                                                                               monkeypatch, boxes):
    data, _db, shared = server_desk(pg_server, tmp_path)
    win = open_window(qtbot, data, tmp_path)
    set_fields(win.store, ITEM, 2025, {"owner": "服务器上的修改"})  # only on the server, not in the old local file
    dlg = open_backup_dialog(qtbot, win)
    try:
        assert not boxes.seen, boxes.seen  # no message naming the command line instead of the dialog
        assert "数据存放在" in dlg.status.text() and "postgresql" in dlg.status.text()
        assert dlg.btn_backup.isEnabled() and dlg.btn_restore.isEnabled() and dlg.btn_verify.isEnabled()
        out = tmp_path / "U盘" / "服务器备份.fzbak"
        out.parent.mkdir()
        asked: list[str] = []

        def save_as(_parent, _title, start, _filter):
            asked.append(start)
            return str(out), ""

        monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
        dlg.btn_backup.click()
        qtbot.waitUntil(lambda: any("已备份到" in t for t in boxes.seen), timeout=30000)
        assert OFFICE in Path(asked[0]).name  # the suggested name is the office's, read from the server
        result = verify_backup(JobContext(), out)
        m = result.manifest
        assert m.office_name == OFFICE and m.evidence_included and not m.missing_evidence
        assert m.counts.evidence_files == 3
        assert m.workspace_id == win.store.workspace_id
        # the backup holds the server's rows exactly, not the local file this desk no longer uses
        rows = snapshot_rows(out, tmp_path)
        assert rows == dump_rows(win.store)
        assert any("服务器上的修改" in r for r in _owner(rows))
        for sha in shared.glob("??/*"):
            assert any(n.endswith(sha.name) for n in zipfile.ZipFile(out).namelist())
        # 校验备份文件… in the dialog works as on a single PC
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(out), ""))
        dlg.btn_verify.click()
        qtbot.waitUntil(lambda: any(t.startswith("校验备份|") for t in boxes.seen), timeout=30000)
        assert not any("内部错误" in t or "Traceback" in t for t in boxes.seen), boxes.seen
    finally:
        wait_idle(qtbot, 30000)
        close_all(win, dlg)


def test_restore_in_the_window_puts_the_backup_into_the_server_for_every_desk(qtbot, pg_server, tmp_path,  # noqa: F811
                                                                            monkeypatch, boxes):
    data, _db, shared = server_desk(pg_server, tmp_path)
    other = another_desk(data, shared)
    try:
        set_fields(other, ITEM, 2025, {"owner": "备份时的责任人"}, user="李强")
        backup = create_backup(JobContext(), data, tmp_path / "服务器.fzbak", store=other).path
        at_backup = dump_rows(other)
        # after the backup: another desk changes an item and a shared evidence file is lost
        set_fields(other, ITEM, 2025, {"owner": "后来的修改"}, user="李强")
        lost = sorted(shared.glob("??/*"))[0]
        lost.unlink()
        win = open_window(qtbot, data, tmp_path)
        assert win.model.row_for(ITEM).owner == "后来的修改"
        dlg = open_backup_dialog(qtbot, win)
        try:
            monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
            boxes.answers.append("恢复")
            dlg.btn_restore.click()
            qtbot.waitUntil(lambda: any("已从备份恢复服务器上的数据" in t for t in boxes.seen), timeout=30000)
            confirm = next(t for t in boxes.seen if t.startswith("从备份恢复|确定用这个备份替换服务器上的数据"))
            assert "备份中的数据" in confirm and "当前的数据(将被替换)" in confirm and OFFICE in confirm
            assert "每一台电脑" in confirm and "postgresql" in confirm
            # the window reads the restored data from the server, on its own store again
            qtbot.waitUntil(lambda: win.store is not None and win.model.rowCount() > 0, timeout=20000)
            qtbot.waitUntil(lambda: win.model.row_for(ITEM).owner == "备份时的责任人", timeout=20000)
            assert win.store.is_open and win.store.db_path is None
        finally:
            wait_idle(qtbot, 30000)
            close_all(win, dlg)
        rows = dump_rows(other)
        restored = [r for r in rows if r.startswith("change_log:") and "'restore'" in r]
        assert len(restored) == 1 and f"从备份“{Path(backup).name}”恢复" in restored[0]  # the log says who restored what
        assert [r for r in rows if r not in restored] == at_backup  # every other row of every table, as another desk reads it
        assert lost.is_file()  # the lost evidence file is back in the shared folder
        assert any(p.name.endswith("恢复前自动.fzbak") for p in data.backups.iterdir())  # the server before it
        assert not any("内部错误" in t for t in boxes.seen), boxes.seen
    finally:
        other.close()


def test_declining_the_confirmation_changes_nothing_on_the_server(qtbot, pg_server, tmp_path, monkeypatch, boxes):  # noqa: F811
    data, _db, shared = server_desk(pg_server, tmp_path)
    other = another_desk(data, shared)
    try:
        backup = create_backup(JobContext(), data, tmp_path / "服务器.fzbak", store=other).path
        set_fields(other, ITEM, 2025, {"owner": "后来的修改"}, user="李强")
        before = dump_rows(other)
        win = open_window(qtbot, data, tmp_path)
        done: list[bool] = []
        boxes.answers.append("取消")
        bd.restore_interactive(win, win, data, str(backup), on_done=done.append)
        qtbot.waitUntil(lambda: done == [False], timeout=20000)
        confirm = next(t for t in boxes.seen if t.startswith("从备份恢复|"))
        assert "服务器上的数据" in confirm and "每一台电脑" in confirm and "后来的修改" not in confirm
        assert dump_rows(other) == before and win.store is not None
        close_all(win)
    finally:
        other.close()


def test_a_pre_migration_copy_is_listed_but_cannot_be_restored_into_the_server(qtbot, pg_server, tmp_path, boxes):  # noqa: F811
    data, _db, _shared = server_desk(pg_server, tmp_path)
    copy = data.backups / "fazhi-desk-20260101-120000-before-0001.sqlite3"
    data.backups.mkdir(exist_ok=True)
    src, dst = sqlite3.connect(data.db), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    win = open_window(qtbot, data, tmp_path)
    dlg = open_backup_dialog(qtbot, win)
    try:
        names = [dlg.table.item(r, 6).text() for r in range(dlg.table.rowCount())]
        assert copy.name in names  # listed, not hidden
        dlg.table.selectRow(names.index(copy.name))
        assert not dlg.btn_restore_selected.isEnabled()
        assert "不能恢复到服务器" in dlg.btn_restore_selected.toolTip()
        # chosen through 从备份恢复… anyway: refused with the same reason, nothing started
        assert bd.restore_interactive(dlg, win, data, str(copy)) is None
        assert any("不能恢复到服务器" in t for t in boxes.seen), boxes.seen
    finally:
        close_all(win, dlg)


@pytest.fixture
def own_server():
    """A private server of this test's own, which it may stop and whose password it may change."""
    if find_bin_dir() is None:
        pytest.skip("no PostgreSQL server programs")
    server = PgServer(find_bin_dir(), Path(tempfile.mkdtemp(prefix="fazhi-pg-own-", dir="/tmp"))).start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


def test_a_stopped_server_or_a_refused_password_ends_in_the_stores_message(qtbot, own_server, tmp_path,
                                                                           monkeypatch, boxes):
    data, db, shared = server_desk(own_server, tmp_path)
    other = another_desk(data, shared)
    backup = create_backup(JobContext(), data, tmp_path / "服务器.fzbak", store=other).path
    other.close()
    win = open_window(qtbot, data, tmp_path)
    dlg = open_backup_dialog(qtbot, win)
    try:
        out = tmp_path / "备份.fzbak"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
        own_server.stop_server("fast")
        dlg.btn_backup.click()
        qtbot.waitUntil(lambda: any("无法连接" in t for t in boxes.seen), timeout=30000)
        assert any(db in t for t in boxes.seen if "无法连接" in t)
        assert not out.exists()
        boxes.seen.clear()
        boxes.answers.append("恢复")
        bd.restore_interactive(dlg, win, data, str(backup))  # the server's data cannot be read for the preview
        qtbot.waitUntil(lambda: any("无法连接" in t for t in boxes.seen), timeout=30000)
        wait_idle(qtbot, 30000)
        boxes.answers.clear()
        assert not any("内部错误" in t or "Traceback" in t for t in boxes.seen), boxes.seen
        own_server.start_server()
        # the server stops between the confirmation and the restore: the message, and the window keeps its store
        store = win.store
        boxes.seen.clear()
        boxes.answers.append("恢复")
        boxes.before_answer = lambda: own_server.stop_server("fast")
        bd.restore_interactive(dlg, win, data, str(backup))
        qtbot.waitUntil(lambda: any("无法连接" in t for t in boxes.seen), timeout=30000)
        wait_idle(qtbot, 30000)
        boxes.before_answer = None
        assert win.store is store and store.is_open
        assert not any("内部错误" in t or "Traceback" in t or "已从备份恢复" in t for t in boxes.seen), boxes.seen
        own_server.start_server()
        set_fields(win.store, ITEM, 2025, {"owner": "服务器回来之后"})  # works again without a restart
        with qtbot.waitSignal(win.year_loaded, timeout=20000):
            win.reload()
        assert win.model.row_for(ITEM).owner == "服务器回来之后"
        # the server is back: the window works again without a restart (the same dialog backs up)
        boxes.seen.clear()
        dlg.btn_backup.click()
        qtbot.waitUntil(lambda: any("已备份到" in t for t in boxes.seen), timeout=30000)
        assert verify_backup(JobContext(), out).manifest.office_name == OFFICE
        # the administrator changes the password: every new connection is refused
        wait_idle(qtbot, 30000)
        own_server.psql("ALTER ROLE desk PASSWORD 'changed-by-the-admin'")
        own_server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'desk'")
        boxes.seen.clear()
        out.unlink()
        dlg.btn_backup.click()
        qtbot.waitUntil(lambda: any("拒绝了" in t and "登录" in t for t in boxes.seen), timeout=30000)
        assert not out.exists()
        assert not any("内部错误" in t or "Traceback" in t or "changed-by-the-admin" in t for t in boxes.seen)
    finally:
        wait_idle(qtbot, 30000)
        close_all(win, dlg)


def test_another_desks_window_shows_a_restore_into_the_server_within_5_seconds(qtbot, pg_server, tmp_path,  # noqa: F811
                                                                              boxes):
    """A restore puts the backup's change log back, whose ids are below what an open window has seen: the window
    still reads the restored data, and the changes made after it."""
    import time

    from fazhi_desk.services.location import restore_to_server

    data, _db, shared = server_desk(pg_server, tmp_path)
    other = another_desk(data, shared)
    try:
        set_fields(other, ITEM, 2025, {"owner": "备份时的责任人"}, user="李强")
        backup = create_backup(JobContext(), data, tmp_path / "服务器.fzbak", store=other).path
        for i in range(3):
            set_fields(other, ITEM, 2025, {"owner": f"后来的修改{i}"}, user="李强")
        win = open_window(qtbot, data, tmp_path)
        qtbot.waitUntil(lambda: win._remote_changes.last_id is not None, timeout=10000)  # where the log stands
        win._remote_changes.timer.stop()  # no poll between the restore and the saves after it
        restore_to_server(JobContext(), DataDir(tmp_path / "desk2"), other, backup)  # on another desk
        for i in range(6):  # saved in the seconds after the restore: the log climbs past what the window had seen
            set_fields(other, ITEMS[2], 2025, {"note": f"恢复后马上{i}"}, user="李强")
        win._remote_changes.timer.start()
        t0 = time.monotonic()
        qtbot.waitUntil(lambda: win.model.row_for(ITEM).owner == "备份时的责任人", timeout=5000)
        assert time.monotonic() - t0 < 5
        set_fields(other, ITEMS[1], 2025, {"owner": "恢复之后"}, user="李强")  # a save after the restore is read too
        qtbot.waitUntil(lambda: win.model.row_for(ITEMS[1]).owner == "恢复之后", timeout=5000)
        assert not boxes.seen, boxes.seen
        wait_idle(qtbot, 30000)
        close_all(win)
    finally:
        other.close()


def test_cancelling_a_backup_of_the_server_writes_nothing(qtbot, pg_server, tmp_path, monkeypatch, boxes):  # noqa: F811
    """立即备份 on a server desk runs off the UI thread with a progress dialog whose 取消 stops it: no file."""
    from PySide6.QtWidgets import QProgressDialog

    data, _db, _shared = server_desk(pg_server, tmp_path)
    win = open_window(qtbot, data, tmp_path)
    dlg = open_backup_dialog(qtbot, win)
    try:
        out = tmp_path / "U盘" / "服务器备份.fzbak"
        out.parent.mkdir()
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
        paused = tmp_path / "paused"
        monkeypatch.setenv("FAZHI_DESK_TEST_PAUSE", "backup.member:2")  # while the evidence files go in
        monkeypatch.setenv("FAZHI_DESK_TEST_PAUSE_FILE", str(paused))
        monkeypatch.setenv("FAZHI_DESK_TEST_PAUSE_SECONDS", "1.5")
        dlg.btn_backup.click()
        qtbot.waitUntil(paused.exists, timeout=30000)
        progress = None

        def shown() -> bool:
            nonlocal progress
            progress = next((w for w in QApplication.topLevelWidgets()
                             if isinstance(w, QProgressDialog) and w.isVisible()), None)
            return progress is not None

        qtbot.waitUntil(shown, timeout=10000)
        assert progress.windowTitle() == "立即备份"
        button = next(b for b in progress.findChildren(QPushButton) if b.text().replace("&", "") == "取消")
        button.click()
        qtbot.waitUntil(lambda: any("已取消" in t for t in boxes.seen), timeout=30000)
        assert not out.exists() and list(out.parent.iterdir()) == []  # not even a temp file
        assert not any("已备份到" in t for t in boxes.seen)
    finally:
        wait_idle(qtbot, 30000)
        close_all(win, dlg)
