"""Rotation never deletes the last good copy (issue 23 §1): lost evidence, restores in a row, a clock that ran
ahead, a shared U盘, a backup that is not one, and the workspace id after moving to a new PC."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import stat

import pytest

from fazhi_desk.backup import create_backup, peek_manifest, restore_backup
from fazhi_desk.backup.auto import (
    accept_missing,
    auto_backup,
    backup_status,
    list_backups,
    prune,
    set_second_folder,
)
from fazhi_desk.cli import run as cli_run
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

from .helpers import make_workspace, state

DAY0 = dt.datetime(2026, 3, 1, 9, 0)


def _stored(ws: DataDir) -> list:
    return sorted(p for p in ws.evidence.glob("??/*") if p.is_file())


def _lose(p) -> bytes:
    """A stored evidence file vanishes (antivirus quarantine, a disk error); its bytes, to put it back later."""
    data = p.read_bytes()
    os.chmod(p, stat.S_IWRITE | stat.S_IREAD)
    p.unlink()
    return data


def _put_back(p, data: bytes) -> None:
    p.write_bytes(data)
    os.chmod(p, stat.S_IREAD)


def _daily(ws: DataDir, day: int):
    """The day's automatic backup, then rotation (as each start of the program does)."""
    r = create_backup(JobContext(), ws, reason="daily", now=DAY0 + dt.timedelta(days=day))
    prune(ws)
    return r


def test_lost_evidence_marks_backups_incomplete_and_rotation_keeps_the_last_good_copies(tmp_path, capsys):
    ws = make_workspace(tmp_path / "data", n_files=6)
    files = _stored(ws)
    good = _daily(ws, 0)
    assert good.manifest.complete and peek_manifest(good.path).complete
    x_bytes = _lose(files[0])  # day 1: one file is gone
    day1 = _daily(ws, 1)
    assert not day1.manifest.complete and day1.manifest.missing_labels
    assert "不完整" in day1.text()
    _put_back(files[0], x_bytes)  # day 2: that one is back, another one is gone
    _lose(files[1])
    day2 = _daily(ws, 2)
    assert day2.manifest.missing_evidence == (files[1].name,)
    for d in range(3, 15):  # two weeks of daily starts: "the 7 newest" alone would delete every good copy
        _daily(ws, d)
    left = {p.name for p in ws.backups.glob("*.fzbak")}
    assert good.path.name in left  # the newest complete backup
    assert day1.path.name in left  # the last backup holding the file missing now (files[1])
    assert len(left) == 7 + 2

    st = backup_status(ws, now=DAY0 + dt.timedelta(days=14))
    w = st.warning(now=DAY0 + dt.timedelta(days=14))
    assert "不完整" in w and good.path.name in w and "材料" in w
    capsys.readouterr()
    assert cli_run(["--data-dir", str(ws.root), "backup", "list"]) == 0
    out = capsys.readouterr().out
    assert "不完整:缺 1 个佐证材料文件" in out and "完整" in out and good.path.name in out

    # The user confirms the file is lost for good: the old backup holding it may go.
    accept_missing(ws, [files[1].name])
    prune(ws, now=DAY0 + dt.timedelta(days=14))
    left = {p.name for p in ws.backups.glob("*.fzbak")}
    assert day1.path.name not in left and good.path.name in left


def test_restores_in_a_row_keep_the_backup_taken_before_the_first(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=2)
    work = state(ws)  # the office's own work, before anything is restored
    other = make_workspace(tmp_path / "other", n_files=1, seed=3, office="营盘镇")
    b = create_backup(JobContext(), other, tmp_path / "other.fzbak").path
    firsts = []
    for _ in range(6):
        r = restore_backup(JobContext(), ws, b)
        firsts.append(r.before_backup)
    kept = sorted(ws.backups.glob("*恢复前自动.fzbak"))
    assert firsts[0] in kept and len(kept) == 4 + 1
    assert peek_manifest(firsts[0]).office_name == "乾佑街道办事处"
    assert all(peek_manifest(p).after_restore == b.name for p in kept if p != firsts[0])
    back = DataDir(tmp_path / "back")
    restore_backup(JobContext(), back, firsts[0])
    assert state(back) == work


def test_a_clock_that_ran_ahead_never_pushes_out_todays_backup(tmp_path, capsys):
    ws = make_workspace(tmp_path / "data", n_files=1)
    future = dt.datetime.now() + dt.timedelta(days=40)
    for d in range(7):
        create_backup(JobContext(), ws, reason="daily", now=future + dt.timedelta(days=d))
    today = auto_backup(JobContext(), ws, "daily").backup
    assert today.path.is_file()  # not deleted right after it was written
    rows = list_backups(ws)
    assert rows[0].path == today.path and all(e.is_future() for e in rows[1:])
    st = backup_status(ws)
    assert st.last_path == today.path
    w = st.warning()
    assert "时间在未来" in w and "时钟" in w and f"{future + dt.timedelta(days=6):%Y-%m-%d}" in w
    assert len(list(ws.backups.glob("*.fzbak"))) == 8
    capsys.readouterr()
    assert cli_run(["--data-dir", str(ws.root), "backup", "list"]) == 0
    out = capsys.readouterr().out
    assert out.index(today.path.name) < out.index(f"{future:%Y%m%d}") and "时间在未来" in out


def test_the_second_folder_prunes_only_this_workspaces_backups(tmp_path, monkeypatch):
    from fazhi_desk.backup import auto

    ws = make_workspace(tmp_path / "data", n_files=1)
    neighbour = make_workspace(tmp_path / "neighbour", n_files=1, seed=9, office="营盘镇")
    usb = tmp_path / "U盘"
    usb.mkdir()
    for d in range(10):  # another office backs up to the same stick
        create_backup(JobContext(), neighbour, usb, reason="daily", now=DAY0 + dt.timedelta(days=d, hours=1))
    theirs = sorted(p.name for p in usb.iterdir())
    set_second_folder(ws, usb)
    for d in range(10):
        monkeypatch.setattr(auto, "_now", lambda d=d: DAY0 + dt.timedelta(days=d), raising=False)
        r = auto_backup(JobContext(), ws, "daily")
        assert r.copied_to is not None
    names = sorted(p.name for p in usb.iterdir())
    assert [n for n in names if n.startswith("营盘镇")] == theirs
    ours = [n for n in names if n.startswith("乾佑")]
    assert len(ours) == 7
    ids = {peek_manifest(usb / n).workspace_id for n in ours}
    assert len(ids) == 1 and ids != {peek_manifest(usb / theirs[0]).workspace_id}


def _corrupt(db) -> None:
    """Overwrite a page in the middle of the file (a disk error): the header still reads."""
    with open(db, "r+b") as f:
        size = f.seek(0, 2)
        page = 4096
        f.seek((size // page // 2) * page)
        f.write(b"\xa5" * page)


@pytest.mark.parametrize("what", ["corrupt", "foreign"])
def test_backup_create_of_a_database_that_is_no_backup_fails(tmp_path, capsys, what):
    ws = make_workspace(tmp_path / "data", n_files=1)
    if what == "corrupt":
        _corrupt(ws.db)
    else:
        ws.db.unlink()
        con = sqlite3.connect(ws.db)
        con.execute("CREATE TABLE t(x)")
        con.execute("INSERT INTO t VALUES (1)")
        con.commit()
        con.close()
    capsys.readouterr()
    rc = cli_run(["--data-dir", str(ws.root), "backup", "create"])
    out = capsys.readouterr()
    assert rc == 1 and "已备份到" not in out.out and "备份失败" in out.err, (out.out, out.err)
    assert list(ws.backups.glob("*.fzbak")) == []
    assert backup_status(ws).last is None


def test_after_moving_to_a_new_pc_evidence_gc_works_and_empties_the_old_trash(tmp_path):
    from fazhi_desk.services.evidence import gc, list_evidence, unlink
    from fazhi_desk.services.workspace import open_workspace

    old = make_workspace(tmp_path / "old-pc", n_files=3)
    store = open_workspace(old)
    try:
        unlink(store, list_evidence(store, "SZ2015-01-01", 2025)[0].link_id)
        gc(store, grace_seconds=0)  # the old PC's trash holds one file
    finally:
        store.close()
    b = create_backup(JobContext(), old, tmp_path / "move.fzbak").path
    new = DataDir(tmp_path / "new-pc")
    open_workspace(new).close()  # the documented move: install, open once, then restore
    restore_backup(JobContext(), new, b)
    trash_day = new.evidence / ".trash" / "20000101"
    trash_day.mkdir(parents=True)
    (trash_day / ("ab" * 32)).write_bytes(b"old")
    store = open_workspace(new)
    try:
        assert store.evidence_belongs()
        report = gc(store, grace_seconds=0)
    finally:
        store.close()
    assert report.purged >= 1 and not trash_day.exists()
    shutil.rmtree(tmp_path / "old-pc")
