"""Backup, verify and restore over real workspaces and real .fzbak files; damaged backups are refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from fazhi_desk.backup import (
    BackupDamaged,
    BackupTooNew,
    create_backup,
    peek_manifest,
    restore_backup,
    verify_backup,
)
from fazhi_desk.backup.archive import DB_MEMBER, MANIFEST
from fazhi_desk.errors import StoreLockedError, UserError
from fazhi_desk.jobs import Cancelled, JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.store import swap

from .helpers import make_workspace, state, temp_leftovers


@pytest.fixture
def ws(tmp_path) -> DataDir:
    return make_workspace(tmp_path / "data")


@pytest.fixture
def good(ws, tmp_path) -> Path:
    return create_backup(JobContext(), ws, tmp_path / "out" / "good.fzbak").path


def test_round_trip_into_a_new_pc_gives_the_same_rows_and_files(ws, good, tmp_path):
    before = state(ws)
    m = peek_manifest(good)
    assert m.office_name == "乾佑街道办事处"
    assert m.counts.evidence_files == 6 and m.counts.evidence_links == 6 and m.counts.years == (2024, 2025)
    assert {x.name for x in m.members} >= {DB_MEMBER} and len(m.members) == 7
    assert "完好" in verify_backup(JobContext(), good).text()
    new = DataDir(tmp_path / "new-pc")
    r = restore_backup(JobContext(), new, good)
    assert r.before_backup is None  # nothing to keep on an empty PC
    assert state(new) == before
    assert temp_leftovers(new.root, new.backups) == []


def test_backup_holds_the_latest_commit_still_in_the_wal(ws, tmp_path):
    """A file copy of a live database misses what is still in -wal; the snapshot does not."""
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.services.workspace import open_workspace

    store = open_workspace(ws)
    try:
        set_fields(store, "SZ2015-01-01", 2025, {"owner": "最后一位责任人"})
        assert Path(str(ws.db) + "-wal").stat().st_size > 0
        out = create_backup(JobContext(), ws, tmp_path / "live.fzbak", store=store).path  # while it is open
    finally:
        store.close()
    new = DataDir(tmp_path / "copy")
    restore_backup(JobContext(), new, out)
    assert any("最后一位责任人" in line for line in state(new)[0])


def test_restore_replaces_the_workspace_and_keeps_the_old_one_as_a_backup(ws, good, tmp_path):
    other = make_workspace(tmp_path / "other", n_files=2, seed=7, office="营盘镇")
    old_state = state(other)
    r = restore_backup(JobContext(), other, good)
    assert state(other) == state(ws)
    assert r.before_backup is not None and r.before_backup.parent == other.backups
    assert "恢复前" in r.before_backup.name
    # The kept backup gives the replaced workspace back.
    restore_backup(JobContext(), DataDir(tmp_path / "back"), r.before_backup)
    assert state(DataDir(tmp_path / "back")) == old_state


def test_restore_removes_a_stale_wal_of_the_replaced_database(ws, good, tmp_path):
    other = make_workspace(tmp_path / "other", n_files=1, seed=3)
    wal = Path(str(other.db) + "-wal")
    wal.write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 100)  # a -wal of some crashed session
    Path(str(other.db) + "-shm").write_bytes(b"\0" * 100)
    restore_backup(JobContext(), other, good)
    assert not wal.exists() and not Path(str(other.db) + "-shm").exists()
    assert state(other) == state(ws)


def test_cancelled_backup_leaves_no_file(ws, tmp_path):
    class CancelLate(JobContext):
        calls = 0

        def check(self):
            self.calls += 1
            if self.calls > 4:
                raise Cancelled()

    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        create_backup(CancelLate(), ws, out / "x.fzbak")
    assert list(out.iterdir()) == []
    assert temp_leftovers(ws.backups) == []


def test_restore_is_refused_while_the_window_has_the_data_open(ws, good):
    from fazhi_desk.services.workspace import open_workspace

    before = state(ws)
    store = open_workspace(ws)
    try:
        with pytest.raises(StoreLockedError, match="另一个法治政府建设检查台窗口"):
            restore_backup(JobContext(), ws, good)
    finally:
        store.close()
    assert state(ws) == before


# ---------------------------------------------------------------- damaged backups


def rewrite(src: Path, dst: Path, *, drop=(), add=(), manifest=None, order_first=(), replace=None) -> Path:
    """A copy of a backup zip with members dropped, added or replaced, or the manifest edited."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name, data, ctype in order_first:
            zout.writestr(zipfile.ZipInfo(name), data, compress_type=ctype)
        for zi in zin.infolist():
            if zi.filename in drop:
                continue
            data = (replace or {}).get(zi.filename) or zin.read(zi.filename)
            if zi.filename == MANIFEST and manifest is not None:
                d = json.loads(data)
                manifest(d)
                data = json.dumps(d).encode()
            zout.writestr(zi, data)
        for name, data, ctype in add:
            zout.writestr(zipfile.ZipInfo(name), data, compress_type=ctype)
    return dst


def evidence_members(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as z:
        return [zi for zi in z.infolist() if zi.filename.startswith("evidence/")]


def flip_byte(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    zi = evidence_members(src)[2]
    with open(dst, "r+b") as f:
        f.seek(zi.header_offset + 26)
        n, m = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
        at = zi.header_offset + 30 + n + m + zi.compress_size // 2
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0xFF]))
    return dst


def damaged_cases(good: Path, tmp: Path):
    ev = evidence_members(good)
    yield "truncated", lambda p: p.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3]), ["截断"]
    yield "altered", lambda p: flip_byte(good, p), ["改动"]
    yield "missing member", lambda p: rewrite(good, p, drop={ev[0].filename}), ["缺少", "材料"]
    yield "foreign zip", lambda p: _foreign(p), ["不是法治政府建设检查台的备份文件"]
    yield "dot-dot name", lambda p: rewrite(good, p, add=[("../evil.txt", b"x", zipfile.ZIP_STORED)]), ["不安全"]
    yield "absolute name", lambda p: rewrite(good, p, add=[("/tmp/evil-abs.txt", b"x", zipfile.ZIP_STORED)]), ["不安全"]
    bomb = "evidence/00/" + "0" * 64

    def make_bomb(p):
        def m(d):
            d["members"].append({"name": bomb, "size": 64 << 20, "sha256": "0" * 64})
        rewrite(good, p, add=[(bomb, b"\0" * (64 << 20), zipfile.ZIP_DEFLATED)], manifest=m)

    yield "zip bomb", make_bomb, ["压缩炸弹"]

    def newer(d):
        d["schema_revision"] = "9001"
        d["program_version"] = "9.0.0"

    yield "newer schema", lambda p: rewrite(good, p, manifest=newer), ["更新版本", "9.0.0"]


def _foreign(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("photos/1.jpg", b"\xff\xd8" + b"x" * 1000)
        z.writestr("readme.txt", "hello")


@pytest.mark.parametrize("case", ["truncated", "altered", "missing member", "foreign zip", "dot-dot name",
                                  "absolute name", "zip bomb", "newer schema"])
def test_damaged_backups_are_refused_and_nothing_changes(case, good, tmp_path):
    target = make_workspace(tmp_path / "target", n_files=2, seed=5, office="营盘镇")
    before = state(target)
    backups_before = sorted(target.backups.iterdir())
    name, make, words = next(c for c in damaged_cases(good, tmp_path) if c[0] == case)
    bad = tmp_path / f"{case}.fzbak"
    make(bad)
    with pytest.raises(UserError) as e1:
        verify_backup(JobContext(), bad)
    with pytest.raises(UserError) as e2:
        restore_backup(JobContext(), target, bad)
    for e in (e1, e2):
        text = str(e.value)
        assert "Traceback" not in text
        for w in words:
            assert w in text, text
        assert "没有改动" in text or "未改动" in text, text
    assert state(target) == before
    assert sorted(target.backups.iterdir()) == backups_before  # not even a before-restore backup
    assert temp_leftovers(target.root, target.backups) == []
    assert not (tmp_path / "evil.txt").exists() and not (target.root.parent / "evil.txt").exists()
    assert not Path("/tmp/evil-abs.txt").exists()
    if case == "newer schema":
        assert isinstance(e2.value, BackupTooNew)
    else:
        assert isinstance(e2.value, BackupDamaged)


def test_a_damaged_member_is_named_by_the_evidence_it_holds(good, tmp_path):
    bad = flip_byte(good, tmp_path / "bad.fzbak")
    with pytest.raises(BackupDamaged) as e:
        verify_backup(JobContext(), bad)
    assert "材料" in str(e.value) and "事项 SZ2015-" in str(e.value)


# ---------------------------------------------------------------- an interrupted restore


def test_next_start_rolls_a_ready_swap_forward_and_drops_an_unready_one(ws, good, tmp_path):
    from fazhi_desk.backup.archive import read_backup
    from fazhi_desk.store.db import open_store

    other = make_workspace(tmp_path / "other", n_files=2, seed=9, office="营盘镇")
    old = state(other)
    staging = other.root / swap.NEW_DIR
    read_backup(JobContext(), good, staging)
    open_store(other).close()  # not READY: the preparation is dropped, the old workspace stays
    assert not staging.exists() and state(other) == old

    read_backup(JobContext(), good, staging)
    swap._mark(staging / swap.READY)
    # Cut the swap short after the old database moved away but before the new one came in.
    (other.root / swap.OLD_DIR).mkdir()
    for suffix in ("-wal", "-shm", ""):
        p = Path(str(other.db) + suffix)
        if p.exists():
            p.rename(other.root / swap.OLD_DIR / p.name)
    open_store(other).close()
    assert state(other) == state(ws)
    assert temp_leftovers(other.root) == []


def test_cli_create_verify_restore(ws, tmp_path):
    from fazhi_desk.cli import run

    out = tmp_path / "cli.fzbak"
    assert run(["--data-dir", str(ws.root), "backup", "create", "--out", str(out)]) == 0
    assert run(["--data-dir", str(ws.root), "backup", "verify", str(out)]) == 0
    new = tmp_path / "cli-new"
    assert run(["--data-dir", str(new), "backup", "restore", str(out)]) == 2  # asks for --yes
    assert not (new / "fazhi-desk.sqlite3").exists()
    assert run(["--data-dir", str(new), "backup", "restore", str(out), "--yes"]) == 0
    assert state(DataDir(new)) == state(ws)
    bad = tmp_path / "cut.fzbak"
    bad.write_bytes(out.read_bytes()[:5000])
    assert run(["--data-dir", str(new), "backup", "verify", str(bad)]) == 1


def test_a_backup_from_an_older_version_restores_and_migrates(ws, good, tmp_path):
    import hashlib
    import sqlite3

    from fazhi_desk.store.db import HEAD_REVISION

    old_db = tmp_path / "old.sqlite3"
    with zipfile.ZipFile(good) as z:
        old_db.write_bytes(z.read(DB_MEMBER))
    # As the previous release wrote it: the newest migration undone by Alembic itself.
    from alembic import command
    from sqlalchemy import create_engine

    from fazhi_desk.store.db import _alembic_config

    engine = create_engine(f"sqlite:///{old_db}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "-1")
        conn.commit()
        previous = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        conn.exec_driver_sql("VACUUM")
    engine.dispose()
    assert previous != HEAD_REVISION
    raw = old_db.read_bytes()

    def older(d):
        d["schema_revision"] = previous
        d["program_version"] = "0.0.9"
        for m in d["members"]:
            if m["name"] == DB_MEMBER:
                m["size"], m["sha256"] = len(raw), hashlib.sha256(raw).hexdigest()

    old = rewrite(good, tmp_path / "old.fzbak", replace={DB_MEMBER: raw}, manifest=older)
    assert verify_backup(JobContext(), old)
    new = DataDir(tmp_path / "new")
    r = restore_backup(JobContext(), new, old)
    assert r.migrated_from == previous and "较早的程序版本" in r.text()
    con = sqlite3.connect(new.db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == HEAD_REVISION
    con.close()
    # the same rows and files: every column the older release had holds what it held (a column the newest
    # migration adds starts at its default, as it would for the older release's own data)
    def rows(db, tables):
        con = sqlite3.connect(db)
        try:
            return {t: sorted(con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}"'))
                    for t, cols in tables.items()}
        finally:
            con.close()

    con = sqlite3.connect(old_db)
    tables = {t: [c[1] for c in con.execute(f'PRAGMA table_info("{t}")')]
              for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                                      " AND name != 'alembic_version'")}
    con.close()
    assert tables and rows(new.db, tables) == rows(ws.db, tables)
    assert state(new)[1] == state(ws)[1]


@pytest.mark.system
def test_backup_from_another_process_while_the_window_keeps_the_database_says_so(ws, tmp_path):
    """The store keeps SQLite's lock to itself; a second process is told where to back up instead of hanging."""
    import subprocess
    import sys

    from fazhi_desk.services.workspace import open_workspace

    store = open_workspace(ws)
    try:
        with store.session() as s:  # the store's connection holds the database from its first use
            s.execute(__import__("sqlalchemy").text("SELECT 1"))
        p = subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(ws.root), "backup", "create",
                            "--out", str(tmp_path / "x.fzbak")], capture_output=True, text=True, timeout=120)
    finally:
        store.close()
    assert p.returncode == 1 and "备份与恢复" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert not (tmp_path / "x.fzbak").exists()
