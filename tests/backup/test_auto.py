"""Automatic backups: once a day, bounded retention per kind, a copy in the second folder, the status warning."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.backup import create_backup, verify_backup
from fazhi_desk.backup.auto import (
    auto_backup,
    backup_kind,
    backup_status,
    daily_backup_due,
    prune,
    run_daily_backup,
    set_second_folder,
)
from fazhi_desk.cli import run as cli_run
from fazhi_desk.jobs import JobContext

from .helpers import make_workspace

NOW = dt.datetime(2026, 3, 20, 9, 0)


def test_retention_keeps_the_newest_of_each_kind_and_every_manual_backup(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=1)
    for d in range(10):
        create_backup(JobContext(), ws, reason="daily", now=NOW - dt.timedelta(days=d))
    for d in range(6):
        create_backup(JobContext(), ws, reason="before-import", include_evidence=False,
                      now=NOW - dt.timedelta(days=d, hours=1))
    for d in range(2):
        create_backup(JobContext(), ws, now=NOW - dt.timedelta(days=30 + d))  # by hand
    removed = prune(ws)
    kinds = sorted(backup_kind(p) for p in ws.backups.iterdir())
    daily = [w for k, w in kinds if k == "daily"]
    assert len(daily) == 7 and min(daily) == NOW - dt.timedelta(days=6)
    assert len([k for k, _w in kinds if k == "before-import"]) == 4
    assert len([k for k, _w in kinds if k == "manual"]) == 2
    assert len(removed) == 3 + 2


def test_daily_backup_once_a_day_copied_to_the_second_folder(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=2)
    usb = tmp_path / "U盘"
    usb.mkdir()
    set_second_folder(ws, usb)
    assert daily_backup_due(ws)
    r = run_daily_backup(JobContext(), ws)
    assert r is not None and r.copied_to is not None and r.copy_error == ""
    assert r.copied_to.read_bytes() == r.backup.path.read_bytes()
    verify_backup(JobContext(), r.copied_to)
    assert not daily_backup_due(ws) and run_daily_backup(JobContext(), ws) is None
    assert backup_status(ws).warning() == ""


def test_status_warns_when_the_backup_is_old_or_the_second_folder_is_gone(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=1)
    assert "还没有任何备份" in backup_status(ws).warning()
    create_backup(JobContext(), ws, reason="daily", now=dt.datetime.now() - dt.timedelta(days=9))
    assert "9 天前" in backup_status(ws).warning()
    usb = tmp_path / "U盘"
    usb.mkdir()
    set_second_folder(ws, usb)
    usb.rmdir()  # the stick was pulled out
    r = auto_backup(JobContext(), ws, "daily")
    assert "不可用" in r.copy_error and r.backup.path.is_file()  # the backup itself is still made
    w = backup_status(ws).warning()
    assert "副本文件夹" in w and "天前" not in w


def test_cli_list_and_second_folder(tmp_path, capsys):
    ws = make_workspace(tmp_path / "data", n_files=1)
    d = ["--data-dir", str(ws.root)]
    assert cli_run(d + ["backup", "create"]) == 0
    assert cli_run(d + ["backup", "second-folder", str(tmp_path / "nowhere")]) == 1  # does not exist
    (tmp_path / "usb").mkdir()
    assert cli_run(d + ["backup", "second-folder", str(tmp_path / "usb")]) == 0
    capsys.readouterr()
    assert cli_run(d + ["backup", "list"]) == 0
    out = capsys.readouterr().out
    assert "手动备份" in out and "乾佑街道办事处" in out and str(tmp_path / "usb") in out
