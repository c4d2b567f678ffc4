"""One list of backups: the store's pre-migration database copy and the .fzbak backups are named, counted and
restored alike, in the store's message, the command line and the backup list (issue 22 §2)."""

from __future__ import annotations

import os
import time

import pytest

from fazhi_desk.backup import create_backup, restore_backup
from fazhi_desk.backup.auto import backup_status, list_backups, newest_backup
from fazhi_desk.backup.restore import peek_backup
from fazhi_desk.cli import run as cli_run
from fazhi_desk.errors import WorkspaceDamagedError
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.db import backup_db

from .helpers import evidence_hashes, make_workspace, state


def test_a_lost_database_names_the_daily_backup_in_the_message_and_on_the_command_line(tmp_path, capsys):
    ws = make_workspace(tmp_path / "data", n_files=2)
    daily = create_backup(JobContext(), ws, reason="daily").path
    before = state(ws)
    ws.db.unlink()
    with pytest.raises(WorkspaceDamagedError) as ei:
        open_workspace(ws)
    msg = str(ei.value)
    assert "没有备份" not in msg and daily.name in msg and "共 1 个备份" in msg
    assert ei.value.newest_backup == daily
    assert newest_backup(ws).path == daily

    capsys.readouterr()
    assert cli_run(["--data-dir", str(ws.root), "profile", "show"]) == 1
    err = capsys.readouterr().err
    assert daily.name in err and "没有备份" not in err
    assert cli_run(["--data-dir", str(ws.root), "backup", "restore", str(daily), "--yes"]) == 0
    assert state(ws) == before


def test_the_pre_migration_copy_is_listed_named_and_restored_like_any_backup(tmp_path, capsys):
    ws = make_workspace(tmp_path / "data", n_files=2)
    daily = create_backup(JobContext(), ws, reason="daily").path
    os.utime(daily, (time.time() - 60, time.time() - 60))
    time.sleep(1.1)  # the copy's name carries its time to the second
    copy = backup_db(ws.db, ws.backups, "before-9999")
    before = state(ws)

    rows = list_backups(ws)
    assert [e.path for e in rows] == [copy, daily]
    assert rows[0].kind == "database" and rows[0].reason == "before-migration"
    assert rows[0].manifest.office_name == "乾佑街道办事处" and not rows[0].manifest.evidence_included
    capsys.readouterr()
    assert cli_run(["--data-dir", str(ws.root), "backup", "list"]) == 0
    out = capsys.readouterr().out
    assert copy.name in out and daily.name in out and "升级数据库前自动备份" in out

    ws.db.unlink()
    with pytest.raises(WorkspaceDamagedError) as ei:
        open_workspace(ws)
    assert copy.name in str(ei.value) and "共 2 个备份" in str(ei.value)

    m = peek_backup(copy)
    assert m.counts.evidence_files == 2
    restore_backup(JobContext(), ws, copy)  # database only: the evidence folder stays
    assert state(ws)[1] == before[1] == evidence_hashes(ws)
    store = open_workspace(ws)
    try:
        from fazhi_desk.services.profile import get_profile

        assert get_profile(store).office_name == "乾佑街道办事处"
    finally:
        store.close()


def test_with_only_the_pre_migration_copy_the_status_names_it(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=1)
    copy = backup_db(ws.db, ws.backups, "before-9999")
    w = backup_status(ws).warning()
    assert "还没有任何备份" not in w and copy.name in w and "完整备份" in w
