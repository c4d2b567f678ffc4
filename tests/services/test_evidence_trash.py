"""The evidence 回收站 over a real store: removed evidence is listed, restored after clean-up, emptied after 30 days."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from fazhi_desk.cli import run as cli_run
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.services import evidence as ev
from fazhi_desk.services.evidence_trash import list_trash, restore
from fazhi_desk.store.models import EvidenceTrash

A = "TT2020-01-01"


def _attach(store, tmp_path, name="会议纪要.pdf", data=b"minutes of the meeting"):
    p = tmp_path / "src" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    ev.attach(JobContext(), store, A, 2023, [p])
    return next(e for e in ev.list_evidence(store, A, 2023) if e.original_name == name)


def test_removed_evidence_is_listed_and_comes_back_after_clean_up(small_store, tmp_path):
    e = _attach(small_store, tmp_path)
    ev.unlink(small_store, e.link_id)
    (t,) = list_trash(small_store)
    assert (t.item_id, t.year, t.original_name, t.restorable) == (A, 2023, "会议纪要.pdf", True)
    assert t.days_left() == 30
    ev.gc(small_store, grace_seconds=0)  # the file is now unused: moved to evidence/.trash
    assert not ev.file_store(small_store).path(e.sha256).exists()
    r = restore(JobContext(), small_store, t.id)
    assert (r.item_id, r.year, r.original_name) == (A, 2023, "会议纪要.pdf")
    (back,) = ev.list_evidence(small_store, A, 2023)
    assert back.sha256 == e.sha256 and back.added_at == e.added_at
    assert ev.verify(JobContext(), small_store).ok
    assert list_trash(small_store) == []


def test_gc_empties_entries_older_than_30_days_and_nothing_is_promised(small_store, tmp_path):
    e = _attach(small_store, tmp_path)
    ev.unlink(small_store, e.link_id)
    old = dt.datetime.now() - dt.timedelta(days=31)
    with small_store.transaction() as s:
        s.execute(update(EvidenceTrash).values(removed_at=old))
    (t,) = list_trash(small_store)
    assert t.days_left() == 0
    fs = ev.file_store(small_store)
    fs.trash(e.sha256, today=old.date())  # moved aside 31 days ago by an earlier clean-up
    ev.gc(small_store, grace_seconds=0)
    assert list_trash(small_store) == []
    with pytest.raises(UserError, match="回收站中没有这一项"):
        restore(JobContext(), small_store, t.id)


def test_an_entry_whose_file_is_gone_is_not_restorable(small_store, tmp_path):
    e = _attach(small_store, tmp_path)
    ev.unlink(small_store, e.link_id)
    ev.gc(small_store, grace_seconds=0)
    ev.file_store(small_store).purge_trash(keep_days=-1)
    (t,) = list_trash(small_store)
    assert not t.restorable
    with pytest.raises(UserError, match="彻底清除"):
        restore(JobContext(), small_store, t.id)
    assert ev.list_evidence(small_store, A, 2023) == []


def test_cli_trash_list_and_restore(tmp_path, capsys):
    d = str(tmp_path / "d")
    f = tmp_path / "签到表.pdf"
    f.write_bytes(b"sign-in sheet")
    assert cli_run(["--data-dir", d, "evidence", "add", "SZ2015-01-01", "--year", "2025", str(f)]) == 0
    assert cli_run(["--data-dir", d, "evidence", "remove", "SZ2015-01-01", "--year", "2025", "签到表.pdf"]) == 0
    capsys.readouterr()
    assert cli_run(["--data-dir", d, "evidence", "trash", "list"]) == 0
    out = capsys.readouterr().out
    assert "签到表.pdf" in out and "SZ2015-01-01" in out and "可恢复" in out
    assert cli_run(["--data-dir", d, "evidence", "trash", "restore", "1"]) == 0
    assert "已把“签到表.pdf”恢复" in capsys.readouterr().out
    assert cli_run(["--data-dir", d, "evidence", "list", "SZ2015-01-01", "--year", "2025"]) == 0
    assert "签到表.pdf" in capsys.readouterr().out
