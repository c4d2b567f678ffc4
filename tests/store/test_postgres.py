"""The store on a PostgreSQL server: schema made or migrated once under a lock, refusals, the server's
errors in Chinese naming the server (never the password), a server stopped and back, copies both ways.

Every test runs against the session's private server (tests/pg_fixtures.py).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine

from fazhi_desk.backup.archive import check_database
from fazhi_desk.errors import DiskFullError, StoreError, StoreTooNewError, UserError
from fazhi_desk.paths import DataDir
from fazhi_desk.services.profile import get_profile, set_profile
from fazhi_desk.store.backend import PostgresBackend, backend_for
from fazhi_desk.store.db import HEAD_REVISION, Store, open_store
from fazhi_desk.store.errors import classify
from fazhi_desk.store.models import Base
from tests.pg_fixtures import PASSWORD, PgServer, find_bin_dir

pytestmark = pytest.mark.postgres


def _tables(server: PgServer, db: str) -> set[str]:
    out = server.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", db=db)
    return set(out.split()) if out else set()


def test_an_empty_database_gets_the_schema_once_and_keeps_its_workspace(pg_server, tmp_path):
    db = pg_server.create_database()
    url = pg_server.url(db)
    store = Store(url, tmp_path / "ev").open()
    try:
        assert isinstance(store.backend, PostgresBackend)
        ws = store.workspace_id
        assert ws
        set_profile(store, office_name="乾佑街道办事处")
    finally:
        store.close()
    assert _tables(pg_server, db) == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert pg_server.psql("SELECT version_num FROM alembic_version", db=db) == HEAD_REVISION
    again = Store(url, tmp_path / "ev").open()
    try:
        assert again.workspace_id == ws
        assert get_profile(again).office_name == "乾佑街道办事处"
    finally:
        again.close()


def test_desks_opening_a_new_database_at_once_make_one_schema_and_one_workspace(pg_server, tmp_path):
    url = pg_server.url(pg_server.create_database())
    ids: list[str] = []
    errors: list[BaseException] = []

    def desk() -> None:
        try:
            s = Store(url, tmp_path / "ev").open()
            ids.append(s.workspace_id)
            s.close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=desk) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(ids) == 5 and len(set(ids)) == 1


def test_an_older_schema_is_migrated_under_the_lock_in_one_transaction(pg_server, tmp_path):
    """A server store made by an older program (the migrations replayed up to 0007) is upgraded on open."""
    from alembic import command

    from fazhi_desk.store.db import _alembic_config

    db = pg_server.create_database()
    engine = create_engine(pg_server.url(db), future=True)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0007")
    finally:
        engine.dispose()
    assert pg_server.psql("SELECT version_num FROM alembic_version", db=db) == "0007"
    store = Store(pg_server.url(db), tmp_path / "ev").open()
    try:
        set_profile(store, office_name="营盘镇")
    finally:
        store.close()
    assert pg_server.psql("SELECT version_num FROM alembic_version", db=db) == HEAD_REVISION


def test_a_newer_schema_is_refused_and_left_alone(pg_server, tmp_path):
    db = pg_server.create_database()
    Store(pg_server.url(db), tmp_path / "ev").open().close()
    pg_server.psql("UPDATE alembic_version SET version_num = '9999'", db=db)
    with pytest.raises(StoreTooNewError) as e:
        Store(pg_server.url(db), tmp_path / "ev").open()
    msg = str(e.value)
    assert f"127.0.0.1:{pg_server.port}/{db}" in msg and "9999" in msg and "安装" in msg
    assert PASSWORD not in msg
    assert pg_server.psql("SELECT version_num FROM alembic_version", db=db) == "9999"


def test_a_database_that_is_not_empty_and_not_ours_is_refused(pg_server, tmp_path):
    db = pg_server.create_database()
    pg_server.psql("CREATE TABLE payroll (id int); INSERT INTO payroll VALUES (1)", db=db)
    with pytest.raises(UserError) as e:
        Store(pg_server.url(db), tmp_path / "ev").open()
    assert "不是法治政府建设检查台的数据库" in str(e.value) and "payroll" in str(e.value)
    assert _tables(pg_server, db) == {"payroll"}


def _refusal(url: str, tmp_path) -> UserError:  # noqa: ANN001
    with pytest.raises(UserError) as e:
        Store(url, tmp_path / "ev").open()
    assert PASSWORD not in str(e.value) and "secret-x" not in str(e.value)
    return e.value


def test_wrong_password_names_the_server_and_the_user(pg_server, tmp_path):
    db = pg_server.create_database()
    e = _refusal(pg_server.url(db, password="secret-x"), tmp_path)
    assert isinstance(e, StoreError) and e.code == "PG_PASSWORD"
    assert f"127.0.0.1:{pg_server.port}/{db}" in str(e) and "“desk”" in str(e) and "store connect" in str(e)


def test_an_unreachable_server_says_what_to_check(pg_server, tmp_path):
    from tests.pg_fixtures import _free_port

    e = _refusal(f"postgresql://desk:secret-x@127.0.0.1:{_free_port()}/zhashui", tmp_path)
    assert isinstance(e, StoreError) and e.code == "PG_UNREACHABLE"
    assert "/zhashui" in str(e) and "无需重启" in str(e)


def test_a_missing_database_and_no_permission(pg_server, tmp_path):
    e = _refusal(pg_server.url("nosuchdb"), tmp_path)
    assert e.code == "PG_NO_DATABASE" and "nosuchdb" in str(e)
    db = pg_server.create_database(owner="postgres")  # the desk's user may connect, but not create tables
    e = _refusal(pg_server.url(db), tmp_path)
    assert e.code == "PG_PERMISSION" and db in str(e) and "所有者" in str(e)
    assert _tables(pg_server, db) == set()


def test_disk_full_on_the_server_is_a_disk_full_message():
    import psycopg.errors

    err = psycopg.errors.DiskFull("could not extend file \"base/1/2\": No space left on device")
    ue = backend_for("postgresql://desk:secret-x@db.county.local/zhashui").classify(err)
    assert isinstance(ue, DiskFullError) and "db.county.local/zhashui" in str(ue) and "secret-x" not in str(ue)
    assert classify(err) is not None  # the command line's and the window's judgement too
    assert classify(RuntimeError("a bug")) is None


def test_the_password_is_never_logged(pg_server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    db = pg_server.create_database()
    s = Store(pg_server.url(db), tmp_path / "ev").open()
    try:
        set_profile(s, office_name="甲")
        assert PASSWORD not in repr(s) and PASSWORD not in s.describe().text()
    finally:
        s.close()
    with pytest.raises(UserError):
        Store(pg_server.url(db, password="secret-x"), tmp_path / "ev").open()
    assert PASSWORD not in caplog.text and "secret-x" not in caplog.text


@pytest.fixture
def own_server(tmp_path_factory):
    """A second private server this test may stop and start."""
    if find_bin_dir() is None:
        pytest.skip("no PostgreSQL server programs")
    import tempfile
    from pathlib import Path

    server = PgServer(find_bin_dir(), Path(tempfile.mkdtemp(prefix="fazhi-pg-own-", dir="/tmp"))).start()
    yield server
    server.stop()


def test_a_server_stopped_mid_use_is_a_message_and_work_resumes_when_it_is_back(own_server, tmp_path):
    db = own_server.create_database()
    store = Store(own_server.url(db), tmp_path / "ev").open()
    try:
        set_profile(store, office_name="甲")
        own_server.stop_server("fast")
        with pytest.raises(StoreError) as e:
            set_profile(store, office_name="乙")
        assert e.value.code == "PG_UNREACHABLE" and db in str(e.value)
        own_server.start_server()
        assert get_profile(store).office_name == "甲"  # nothing half-written; no reopen needed
        set_profile(store, office_name="丙")
        assert get_profile(store).office_name == "丙"
    finally:
        store.close()


def _counts_sqlite(path) -> dict[str, int]:  # noqa: ANN001
    con = sqlite3.connect(path)
    try:
        return {t.name: con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0] for t in Base.metadata.sorted_tables}
    finally:
        con.close()


def test_snapshot_of_a_server_store_is_a_checked_sqlite_file_that_opens_on_a_single_pc(any_store, store_kind, tmp_path):
    from fazhi_desk.services.checklist import set_fields

    set_profile(any_store, office_name="乾佑街道办事处")
    with any_store.session() as s:
        from sqlalchemy import select

        from fazhi_desk.store.models import ItemRow

        item_id = s.scalars(select(ItemRow.item_id).order_by(ItemRow.item_id)).first()
    set_fields(any_store, item_id, 2025, {"status": "进行中", "owner": "王敏"})
    snap = tmp_path / "snap.sqlite3"
    any_store.snapshot(snap)
    assert check_database(snap) is None
    counts = _counts_sqlite(snap)
    assert counts["item"] > 0 and counts["change_log"] >= 2
    con = sqlite3.connect(snap)
    try:  # the cycle's foreign keys are in the file even after the server's schema was made in this process
        fks = {(t, r[3]) for t in ("document", "item") for r in con.execute(f"PRAGMA foreign_key_list({t})")}
    finally:
        con.close()
    assert {("document", "current_version_id"), ("item", "current_revision_id")} <= fks
    data = DataDir(tmp_path / "single").ensure()
    data.db.write_bytes(snap.read_bytes())
    single = open_store(data)
    try:
        assert get_profile(single).office_name == "乾佑街道办事处"
        assert single.workspace_id == any_store.workspace_id
    finally:
        single.close()


def test_a_snapshot_loads_into_an_empty_server_database_with_every_row_and_sequences_past_the_ids(
        store, pg_server, tmp_path):
    from fazhi_desk.services.checklist import set_fields

    with store.session() as s:
        from sqlalchemy import select

        from fazhi_desk.store.models import ItemRow

        item_id = s.scalars(select(ItemRow.item_id).order_by(ItemRow.item_id)).first()
    set_fields(store, item_id, 2025, {"status": "进行中"})
    snap = tmp_path / "snap.sqlite3"
    store.snapshot(snap)
    db = pg_server.create_database()
    backend = PostgresBackend(pg_server.url(db))
    counts = backend.load(snap)
    assert counts == _counts_sqlite(snap)
    server = Store(pg_server.url(db), tmp_path / "ev").open()
    try:
        assert server.workspace_id == store.workspace_id
        set_fields(server, item_id, 2025, {"owner": "王敏"})  # new change_log ids after the copied ones
        set_fields(server, item_id, 2024, {"status": "进行中"})  # a new assessment row
    finally:
        server.close()
    # a second load into the same (now used) database is refused, nothing changes
    before = pg_server.psql("SELECT count(*) FROM change_log", db=db)
    with pytest.raises(UserError) as e:
        backend.load(snap)
    assert "已经有数据" in str(e.value)
    assert pg_server.psql("SELECT count(*) FROM change_log", db=db) == before
    # a restore (replace) puts the snapshot's rows back
    backend.replace(snap)
    assert int(pg_server.psql("SELECT count(*) FROM change_log", db=db)) == _counts_sqlite(snap)["change_log"]


def test_a_catalogue_import_on_a_server_store_without_a_desk_is_refused_in_chinese_not_a_crash(pg_templates, tmp_path):
    """A desk keeps an import's before-import backup in its data directory (tests/backup/test_undo_import.py); a
    server store opened without one (a script) cannot take that backup: the import is refused, nothing written."""
    from fazhi_desk.catalogue.schema import write_catalogue_json
    from fazhi_desk.services.catalogue import apply_import, preview_import
    from tests.conftest import make_catalogue
    from tests.pg_fixtures import dump_rows, pg_store_of

    desk = pg_store_of(pg_templates, "small", tmp_path / "ev")
    store = Store(desk.url, tmp_path / "ev").open()
    assert store.data is None
    try:
        f = tmp_path / "c.json"
        write_catalogue_json(make_catalogue(version="1.1"), f)
        preview = preview_import(store, f)
        before = dump_rows(store)
        with pytest.raises(UserError) as e:
            apply_import(store, preview)
        assert "自动备份" in str(e.value) and "没有导入" in str(e.value) and "数据目录" in str(e.value)
        assert dump_rows(store) == before
    finally:
        store.close()
        desk.close()
