"""Crafted backups: a planted path, a member that lies about its content, a manifest of the wrong shape.

Each is refused with a Chinese message, and nothing outside the store is ever read into a backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from fazhi_desk.backup import BackupDamaged, create_backup, restore_backup, verify_backup
from fazhi_desk.backup.archive import DB_MEMBER, MANIFEST
from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import FileStore, NotAHash
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

from .helpers import make_workspace, state
from .test_backup import rewrite

PLANTED = "../" * 30 + "etc/passwd"  # sha[:2] == "..": evidence/../../…/etc/passwd


@pytest.fixture
def ws(tmp_path) -> DataDir:
    return make_workspace(tmp_path / "data")


@pytest.fixture
def good(ws, tmp_path) -> Path:
    return create_backup(JobContext(), ws, tmp_path / "out" / "good.fzbak").path


def _plant(db: Path, sha: str = PLANTED) -> None:
    """An evidence row (file and link) whose hash is a path out of the store."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        size = os.path.getsize("/etc/passwd")
        con.execute("INSERT INTO evidence_file (sha256, size, mime, stored_at) VALUES (?, ?, '', '2025-01-01 00:00:00')",
                    (sha, size))
        aid = con.execute("SELECT id FROM assessment ORDER BY id LIMIT 1").fetchone()[0]
        con.execute("INSERT INTO evidence_link (assessment_id, sha256, original_name, description, added_at, added_by) "
                    "VALUES (?, ?, 'passwd.pdf', '', '2025-01-01 00:00:00', 'x')", (aid, sha))
        con.commit()
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()


def _planted_backup(good: Path, tmp_path: Path) -> Path:
    with zipfile.ZipFile(good) as z:
        db = tmp_path / "planted.sqlite3"
        db.write_bytes(z.read(DB_MEMBER))
    _plant(db)
    raw = db.read_bytes()

    def m(d):
        for mem in d["members"]:
            if mem["name"] == DB_MEMBER:
                mem["size"], mem["sha256"] = len(raw), hashlib.sha256(raw).hexdigest()
        d["counts"]["evidence_files"] += 1
        d["counts"]["evidence_links"] += 1
        d["missing_evidence"] = [*d.get("missing_evidence", []), PLANTED]  # "missing when backed up"

    return rewrite(good, tmp_path / "planted.fzbak", replace={DB_MEMBER: raw}, manifest=m)


def test_a_planted_path_in_a_backup_is_refused_by_verify_and_restore(good, tmp_path):
    bad = _planted_backup(good, tmp_path)
    target = make_workspace(tmp_path / "target", n_files=2, seed=5, office="营盘镇")
    before = state(target)
    for call in (lambda: verify_backup(JobContext(), bad), lambda: restore_backup(JobContext(), target, bad)):
        with pytest.raises(BackupDamaged) as e:
            call()
        assert "SHA-256" in str(e.value) and "没有改动" in str(e.value), str(e.value)
    assert state(target) == before


def test_a_planted_row_in_the_workspace_never_brings_an_outside_file_into_a_backup(ws, tmp_path):
    _plant(ws.db)
    res = create_backup(JobContext(), ws, tmp_path / "out" / "after.fzbak")
    passwd = Path("/etc/passwd").read_bytes()
    with zipfile.ZipFile(res.path) as z:
        names = z.namelist()
        assert all(".." not in n for n in names), names
        assert not any(z.read(n) == passwd for n in names if n.startswith("evidence/"))
    assert PLANTED in res.manifest.missing_evidence
    fs = FileStore(ws.evidence)
    with pytest.raises(NotAHash) as e:
        fs.path(PLANTED)
    assert "SHA-256" in str(e.value)
    assert fs.check(JobContext(), PLANTED) == "missing" and not fs.exists(PLANTED)
    assert fs.read_checked(PLANTED) == ("missing", None)


def test_a_member_whose_content_does_not_match_its_name_is_refused(good, tmp_path):
    with zipfile.ZipFile(good) as z:
        ev = [n for n in z.namelist() if n.startswith("evidence/")]
        other = z.read(ev[1])
    lie = ev[0]

    def m(d):  # the manifest agrees with the bytes, but the bytes are not what the name says
        for mem in d["members"]:
            if mem["name"] == lie:
                mem["size"], mem["sha256"] = len(other), hashlib.sha256(other).hexdigest()

    bad = rewrite(good, tmp_path / "lie.fzbak", replace={lie: other}, manifest=m)
    with pytest.raises(BackupDamaged) as e:
        verify_backup(JobContext(), bad)
    assert "不符" in str(e.value) and lie in str(e.value)
    target = make_workspace(tmp_path / "target", n_files=2, seed=5, office="营盘镇")
    with pytest.raises(BackupDamaged):
        restore_backup(JobContext(), target, bad)


def _deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("case", ["office list", "counts list", "office deep", "counts deep", "members deep"])
def test_a_manifest_of_the_wrong_shape_is_refused_in_chinese(case, good, tmp_path):
    with zipfile.ZipFile(good) as z:
        d = json.loads(z.read(MANIFEST))
    field, how = case.split()
    raw = json.dumps(d).encode()
    if how == "list":
        d[field] = [["office_name", "x"]] if field == "office" else [1, 2, 3]
        raw = json.dumps(d).encode()
    else:
        d[field] = "@@DEEP@@"
        raw = json.dumps(d).encode().replace(b'"@@DEEP@@"', _deep(200_000).encode())
    bad = rewrite(good, tmp_path / "m.fzbak", replace={MANIFEST: raw})
    with pytest.raises(UserError) as e:
        verify_backup(JobContext(), bad)
    assert "清单" in str(e.value) and "没有改动" in str(e.value)
