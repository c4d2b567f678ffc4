"""The backend seam: where a store is, a snapshot as a SQLite file, a snapshot put in place, any URL opened."""

from __future__ import annotations

import datetime as dt
import sqlite3

from sqlalchemy import func, select

from fazhi_desk.backup.archive import check_database
from fazhi_desk.paths import DataDir
from fazhi_desk.services.profile import get_profile, set_profile
from fazhi_desk.store.backend import SqliteBackend, UrlBackend, backend_for
from fazhi_desk.store.db import HEAD_REVISION, Store, open_store
from fazhi_desk.store.models import Base, ChangeLog
from fazhi_desk.store.types import now


def _counts(path) -> dict[str, int]:  # noqa: ANN001
    con = sqlite3.connect(path)
    try:
        return {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in Base.metadata.sorted_tables}
    finally:
        con.close()


def test_describe_names_the_place_and_never_the_password(tmp_path):
    data = DataDir(tmp_path / "d")
    b = backend_for(f"sqlite:///{data.db}")
    assert isinstance(b, SqliteBackend) and b.describe().kind == "sqlite"
    assert b.describe().where == str(data.db) and str(data.db) in b.describe().text()
    server = backend_for("postgresql+psycopg://clerk:s3cret-pw@db.county.local:5433/zhashui")
    loc = server.describe()
    assert isinstance(server, UrlBackend)
    assert (loc.kind, loc.host, loc.port, loc.database) == ("postgresql", "db.county.local", 5433, "zhashui")
    assert loc.where == "db.county.local:5433/zhashui"
    assert "s3cret" not in f"{loc} {loc.text()} {server!r}"


def test_snapshot_through_the_open_store_and_from_a_closed_one(store, tmp_path):
    set_profile(store, office_name="乾佑街道办事处")
    store.snapshot(tmp_path / "open.sqlite3")  # the store keeps its exclusive lock: read through its connection
    assert check_database(tmp_path / "open.sqlite3") is None
    assert _counts(tmp_path / "open.sqlite3") == _counts_of(store)
    store.close()
    store.snapshot(tmp_path / "closed.sqlite3")
    assert _counts(tmp_path / "closed.sqlite3") == _counts(tmp_path / "open.sqlite3")
    store.open()


def _counts_of(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_replace_puts_a_snapshot_in_place_of_the_database(tmp_path):
    data = DataDir(tmp_path / "d").ensure()
    store = open_store(data)
    set_profile(store, office_name="甲")
    store.snapshot(tmp_path / "snap.sqlite3")
    set_profile(store, office_name="乙")
    store.close()
    SqliteBackend.for_data_dir(data).replace(tmp_path / "snap.sqlite3")
    assert not (data.root / "~restore-new").exists() and not (data.root / "~restore-old").exists()
    assert (tmp_path / "snap.sqlite3").exists()  # the caller's file is copied, not taken
    store.open()
    try:
        assert get_profile(store).office_name == "甲"
    finally:
        store.close()


def test_a_store_at_any_url_opens_migrated_and_snapshots_as_a_sqlite_file(tmp_path):
    """The plain URL path (what a server store refines): migrate in one transaction, copy rows for a snapshot."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    backend = UrlBackend(url)
    engine = backend.open()
    try:
        assert backend.workspace_id
        with engine.begin() as c:
            c.execute(ChangeLog.__table__.insert(), [{"at": now(), "user": "王敏", "field": "status",
                                                     "old_value": "", "new_value": "已完成"}])
        backend.snapshot(tmp_path / "snap.sqlite3", engine)
    finally:
        backend.close(engine)
    snap = tmp_path / "snap.sqlite3"
    assert check_database(snap) is None
    assert _counts(snap) == _counts(tmp_path / "server.sqlite3")
    con = sqlite3.connect(snap)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
        assert con.execute("SELECT value FROM setting").fetchall() == [(backend.workspace_id,)]
    finally:
        con.close()
    # the snapshot opens as a local store, with the same instant in the change log
    data = DataDir(tmp_path / "restored").ensure()
    data.db.write_bytes(snap.read_bytes())
    restored = open_store(data)
    try:
        with restored.session() as s:
            at = s.scalar(select(ChangeLog.at))
        assert abs(at - now()) < dt.timedelta(minutes=5)
    finally:
        restored.close()


def test_a_store_in_memory_is_served_by_url(tmp_path):
    store = Store("sqlite://", tmp_path / "evidence").open()
    try:
        assert isinstance(store.backend, UrlBackend) and store.db_path is None
        set_profile(store, office_name="营盘镇")
        assert get_profile(store).office_name == "营盘镇"
    finally:
        store.close()


def test_classify_names_the_store_file_and_leaves_bugs_alone(tmp_path):
    import errno
    import sqlite3 as sq

    from fazhi_desk.errors import DiskFullError

    data = DataDir(tmp_path / "d")
    b = SqliteBackend.for_data_dir(data)
    full = sq.OperationalError("database or disk is full")
    full.sqlite_errorcode, full.sqlite_errorname = 13, "SQLITE_FULL"
    assert isinstance(b.classify(full), DiskFullError) and str(data.db) in str(b.classify(full))
    assert b.classify(KeyError("bug")) is None
    disk = OSError(errno.ENOSPC, "No space left on device")
    assert isinstance(UrlBackend("sqlite://").classify(disk), DiskFullError)
    assert UrlBackend("sqlite://").classify(KeyError("bug")) is None
