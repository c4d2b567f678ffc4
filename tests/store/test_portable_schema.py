"""A schema a second dialect can hold: models agree with migrations, lengths with the services, UTC timestamps.

The checks run on SQLite (the only store the suite runs); each fails on what
PostgreSQL would refuse or misread: a column shorter than a value the services
accept, a timestamp without its zone, a new store whose schema differs from a
migrated one, SQLite-only SQL functions in the services.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import String, select

from fazhi_desk.paths import DataDir
from fazhi_desk.store import db as store_db
from fazhi_desk.store.db import HEAD_REVISION, migrate, open_store
from fazhi_desk.store.models import Base, ChangeLog
from fazhi_desk.store.types import now

# ----------------------------------------------------------------------------- helpers


def schema_of(path: Path) -> dict[str, object]:
    """Tables with their columns, indexes and foreign keys as SQLite reports them (SQL text aside)."""
    con = sqlite3.connect(path)
    try:
        out: dict[str, object] = {}
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for t in tables:
            cols = con.execute(f"PRAGMA table_info('{t}')").fetchall()
            idx = sorted(
                (name, unique, origin, tuple(c[2] for c in con.execute(f"PRAGMA index_info('{name}')")))
                for _seq, name, unique, origin, _partial in con.execute(f"PRAGMA index_list('{t}')")
            )
            fks = sorted(tuple(r[2:]) for r in con.execute(f"PRAGMA foreign_key_list('{t}')"))
            out[t] = (cols, idx, fks)
        out["alembic_version"] = con.execute("SELECT version_num FROM alembic_version").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture
def east8():
    """The clock of an office in China (UTC+8, no daylight saving), for the whole test."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "CST-8"
    time.tzset()
    yield dt.timezone(dt.timedelta(hours=8))
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def _upgrade_to(path: Path, revision: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            cfg = store_db._alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def _value(declared: str, i: int) -> object:
    """A value of the declared SQLite type for row ``i``; key-like text is the same in every table, so foreign keys hold."""
    t = declared.upper()
    if t.startswith(("INTEGER", "BOOLEAN")):
        return i
    if t.startswith("FLOAT"):
        return i + 0.5
    if t == "DATE":
        return f"2025-03-0{i}"
    if t == "DATETIME":
        return f"2025-06-0{i} 09:30:00.000000"  # written as local wall-clock time before 0006
    return f"K{i}"


# ----------------------------------------------------------------------------- models and migrations


def test_a_new_store_made_from_the_models_equals_a_migrated_one(tmp_path):
    replayed, made = tmp_path / "replayed.sqlite3", tmp_path / "made.sqlite3"
    migrate(replayed, replay=True)
    migrate(made)
    assert schema_of(made) == schema_of(replayed)
    assert schema_of(made)["alembic_version"] == [(HEAD_REVISION,)]


@pytest.mark.system
def test_a_new_store_needs_no_migration_tool(tmp_path):
    """The first start of an office does not import Alembic (it replays nothing)."""
    code = ("import sys; from pathlib import Path; from fazhi_desk.paths import DataDir; "
            "from fazhi_desk.store.db import open_store; "
            "open_store(DataDir(Path(sys.argv[1])).ensure()).close(); print('alembic' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "d")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_a_0005_store_migrates_keeping_every_row_and_moves_its_times_to_utc(tmp_path, east8):
    d = DataDir(tmp_path / "d").ensure()
    _upgrade_to(d.db, "0005")
    con = sqlite3.connect(d.db)
    before: dict[str, list[tuple]] = {}
    datetimes: dict[str, list[str]] = {}
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                        "AND name NOT IN ('alembic_version') AND name NOT LIKE 'sqlite_%'")]
    assert len(tables) >= 15
    for t in tables:
        cols = con.execute(f"PRAGMA table_info('{t}')").fetchall()
        datetimes[t] = [c[1] for c in cols if c[2].upper() == "DATETIME"]
        for i in (1, 2):
            con.execute(f"INSERT INTO \"{t}\" VALUES ({', '.join('?' * len(cols))})",
                        [_value(c[2], i) for c in cols])
        before[t] = con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall()
    con.commit()
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()

    store = open_store(d)  # migrates (FKs off, on a copy; foreign_key_check after)
    try:
        with store.session() as s:
            ats = sorted(s.scalars(select(ChangeLog.at)))
        assert ats == [dt.datetime(2025, 6, i, 9, 30, tzinfo=east8) for i in (1, 2)]  # read back in local time
        assert all(a.utcoffset() == dt.timedelta(hours=8) for a in ats)
    finally:
        store.close()

    con = sqlite3.connect(d.db)
    try:
        for t in tables:
            rows = con.execute(f'SELECT {", ".join(_names(con, t, before[t]))} FROM "{t}" ORDER BY rowid').fetchall()
            if t == "setting":
                rows = [r for r in rows if r[0] != store_db.ID_KEY]  # the open recorded the workspace id
            assert len(rows) == len(before[t]), t
            cols = _names(con, t, before[t])
            for old, new in zip(before[t], rows):
                for name, a, b in zip(cols, old, new):
                    if name in datetimes[t]:
                        assert b == a.replace(" 09:30", " 01:30"), (t, name, b)  # UTC, 8 hours earlier
                    else:
                        assert a == b, (t, name)
    finally:
        con.close()


def _names(con: sqlite3.Connection, table: str, rows: list[tuple]) -> list[str]:
    """The 0005 columns of ``table`` (a later migration may add columns at the end)."""
    n = len(rows[0])
    return [c[1] for c in con.execute(f"PRAGMA table_info('{table}')").fetchall()][:n]


# ----------------------------------------------------------------------------- lengths


def _limits() -> dict[tuple[str, str], tuple[int, str]]:
    """The longest value the program lets into each String column, and where that limit is set."""
    from fazhi_desk.catalogue import schema
    from fazhi_desk.domain.model import Cycle, Status, TownshipRole
    from fazhi_desk.domain.statistics import CODE_RE
    from fazhi_desk.services import checklist, profile

    def longest(rx: re.Pattern[str], probes: list[str]) -> int:
        """The longest probe the pattern accepts (probes run well past any sane column length)."""
        return max(len(p) for p in probes if rx.match(p))

    words = ["A" + "1" * n for n in range(200)]
    dotted = [".".join(["1" * k] * parts) for k in range(1, 60) for parts in range(1, 6)]
    ids = [f"A{'1' * a}-{'1' * b}" + f"-{'1' * b}" * c for a in range(1, 20) for b in range(1, 12) for c in range(5)]

    catalogue_text = (schema.MAX_TEXT, "catalogue.schema.MAX_TEXT")
    profile_text = (200, "services.profile.set_profile (最多 200 字)")
    user = (200, "the login name or 操作人 (services.current_user)")
    sha = (64, "SHA-256 in hex")
    doc_code = (longest(schema.DOC_CODE_RE, words), "catalogue.schema.DOC_CODE_RE")
    item_id = (longest(schema.ITEM_ID_RE, ids), "catalogue.schema.ITEM_ID_RE")
    indicator = (longest(CODE_RE, words), "domain.statistics.CODE_RE")
    assert "最多 200 字" in Path(profile.__file__).read_text(encoding="utf-8")
    return {
        ("profile", "office_name"): profile_text, ("profile", "county"): profile_text,
        ("profile", "contact"): profile_text, ("profile", "phone"): profile_text,
        ("profile", "leader"): profile_text, ("profile", "deputy"): profile_text,
        ("profile", "preparer"): profile_text,
        ("document", "code"): doc_code,
        ("document", "doc_number"): catalogue_text, ("document", "issuer"): catalogue_text,
        ("document", "source_text"): catalogue_text,
        ("catalogue_version", "version"): (longest(schema.VERSION_RE, dotted), "catalogue.schema.VERSION_RE"),
        ("catalogue_version", "doc_number"): catalogue_text, ("catalogue_version", "issuer"): catalogue_text,
        ("catalogue_version", "file_sha256"): sha, ("catalogue_version", "imported_by"): user,
        ("item", "item_id"): item_id,
        ("item_revision", "cycle"): (max(len(c.value) for c in Cycle), "domain.model.Cycle"),
        ("item_revision", "unit"): catalogue_text,
        ("item_revision", "township_role"): (max(len(r.value) for r in TownshipRole), "domain.model.TownshipRole"),
        ("assessment", "status"): (max(len(x.value) for x in Status), "domain.model.Status"),
        ("assessment", "owner"): (checklist.MAX_NOTE, "services.checklist.MAX_NOTE"),
        ("change_log", "user"): user, ("change_log", "item_id"): item_id,
        ("change_log", "field"): (40, "field names, cut to [:40] where they carry a label"),
        ("evidence_file", "sha256"): sha,
        ("evidence_file", "mime"): (200, "mimetypes.guess_type (services.evidence.guess_mime)"),
        ("evidence_link", "added_by"): user,
        ("setting", "key"): (100, "keys the program names"),
        ("annual_section", "key"): (20, "section keys the program names"),
        ("indicator", "code"): indicator,
        ("indicator", "doc_code"): doc_code,
        ("indicator", "unit"): catalogue_text, ("indicator", "category"): catalogue_text,
        ("indicator", "linked_item"): item_id,
        ("statistic_value", "code"): indicator,
        ("evidence_trash", "sha256"): sha, ("evidence_trash", "mime"): (200, "as evidence_file.mime"),
        ("evidence_trash", "item_id"): item_id, ("evidence_trash", "added_by"): user,
        ("evidence_trash", "removed_by"): user,
        **_activity_limits(user),
    }


def _activity_limits(user: tuple[int, str]) -> dict[tuple[str, str], tuple[int, str]]:
    tables = Base.metadata.tables
    return {("activity", "created_by"): user} if "activity" in tables else {}


def test_every_string_column_holds_what_the_program_accepts():
    limits = _limits()
    unknown, short = [], []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if not isinstance(col.type, String) or col.type.length is None:
                continue  # Text: unbounded on every dialect
            limit = limits.get((table.name, col.name))
            if limit is None and col.foreign_keys:  # holds what the column it refers to holds
                ref = next(iter(col.foreign_keys)).column
                limit = (ref.type.length, f"the length of {ref.table.name}.{ref.name}")
            if limit is None:
                unknown.append(f"{table.name}.{col.name}")
            elif col.type.length < limit[0]:
                short.append(f"{table.name}.{col.name}: String({col.type.length}) < {limit[0]} ({limit[1]})")
    assert not unknown, f"say where the limit of these String columns is set (or make them Text): {unknown}"
    assert not short, short


def test_the_version_pattern_is_bounded():
    from fazhi_desk.catalogue.schema import VERSION_RE

    assert VERSION_RE.match("123456789.123456789.123456789.123456789")
    assert not VERSION_RE.match("1" * 41)


# ----------------------------------------------------------------------------- timestamps


def test_timestamps_are_utc_in_the_file_and_local_when_read(tmp_path, east8):
    store = open_store(DataDir(tmp_path / "d").ensure())
    try:
        t = now()
        assert t.utcoffset() == dt.timedelta(hours=8)
        with store.transaction() as s:
            s.add(ChangeLog(at=t.replace(microsecond=0), user="u", field="status"))
            s.add(ChangeLog(at=dt.datetime(2025, 1, 1, 8, 0), user="naive", field="status"))  # naive = local
        with store.session() as s:
            got = dict(s.execute(select(ChangeLog.user, ChangeLog.at)).all())
        assert got["u"] == t.replace(microsecond=0) and got["u"].utcoffset() == dt.timedelta(hours=8)
        assert f"{got['naive']:%Y-%m-%d %H:%M}" == "2025-01-01 08:00"  # shown in local time
        raw = dict(store.engine.raw_connection().driver_connection.execute("SELECT user, at FROM change_log"))
        assert raw["naive"] == "2025-01-01 00:00:00.000000"  # UTC in the file
        with store.session() as s:  # a comparison binds through the same type
            assert s.scalar(select(ChangeLog.user).where(ChangeLog.at < dt.datetime(2025, 1, 1, 9, 0))) == "naive"
    finally:
        store.close()


def test_services_write_aware_timestamps():
    """A naive ``datetime.now()`` in a service means local time on one PC and nothing across desks."""
    root = Path(store_db.__file__).resolve().parents[1]
    bad = [f"{p.relative_to(root)}:{i}" for p in (root / "services").rglob("*.py")
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if re.search(r"datetime\.now\(\)|datetime\.utcnow\(|fromtimestamp\([^,()]*\)", line)
           and "generated_at" not in p.read_text(encoding="utf-8")]  # a report's printed local time, never stored
    assert not bad, bad


def test_services_use_no_sqlite_only_sql():
    root = Path(store_db.__file__).resolve().parents[1]
    bad = [f"{p.relative_to(root)}:{i}" for p in (root / "services").rglob("*.py")
           for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
           if re.search(r"group_concat|import sqlite3|PRAGMA ", line)]
    assert not bad, bad


def test_undo_import_finds_its_backup_in_an_office_east_of_utc(tmp_path, east8):
    """The import's time is read from the file in UTC; the backups beside it are named in local time."""
    from fazhi_desk.backup.undo_import import undo_preview
    from fazhi_desk.catalogue.schema import dump_catalogue_json
    from fazhi_desk.services.catalogue import apply_import, preview_import
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.services.workspace import open_workspace
    from tests.backup.helpers import make_workspace
    from tests.conftest import make_catalogue

    ws = make_workspace(tmp_path / "data", n_files=0)
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    store = open_workspace(ws)
    try:
        apply_import(store, preview_import(store, src))
        set_fields(store, "TT2020-01-01", 2025, {"owner": "导入后填写的责任人"})
    finally:
        store.close()
    pv = undo_preview(ws)  # without the zone, the import looked 8 hours older than its own backup
    local = dt.datetime.now()
    assert abs(pv.imported_at - local) < dt.timedelta(minutes=5)
    assert any(x.startswith(f"{local:%Y-%m-%d %H}") and "导入后填写的责任人" in x for x in pv.lost), pv.lost
