"""Migrations: empty → head, models agree with migrations, newer and foreign files are refused."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from fazhi_desk.errors import StoreLockedError, StoreTooNewError, UserError
from fazhi_desk.paths import DataDir
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.db import HEAD_REVISION, head_revision, migrate, open_store
from fazhi_desk.store.models import Base


def test_upgrade_empty_to_head_and_models_match(tmp_path):
    db = tmp_path / "x.sqlite3"
    migrate(db)
    con = sqlite3.connect(db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    con.close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_pragmas_are_on(store):
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_newer_store_is_refused_and_untouched(tmp_path):
    d = DataDir(tmp_path / "d")
    s = open_store(d.ensure())
    s.close()
    con = sqlite3.connect(d.db)
    con.execute("UPDATE alembic_version SET version_num='9999_future'")
    con.commit()
    con.close()
    before = d.db.read_bytes()
    with pytest.raises(StoreTooNewError, match="更新版本"):
        open_store(d)
    assert d.db.read_bytes() == before


def test_foreign_and_corrupt_files_are_refused(tmp_path):
    d = DataDir(tmp_path / "d").ensure()
    d.db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(UserError, match="不是本程序的数据库"):
        open_store(d)
    d.db.unlink()
    con = sqlite3.connect(d.db)
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    with pytest.raises(UserError, match="其他程序"):
        open_store(d)


def test_second_instance_is_refused(tmp_path):
    d = DataDir(tmp_path / "d")
    first = open_store(d.ensure())
    try:
        with pytest.raises(StoreLockedError, match="另一个"):
            open_store(d)
    finally:
        first.close()
    open_store(d).close()  # free again once the first closed


def test_backup_before_migration(tmp_path, monkeypatch):
    d = DataDir(tmp_path / "d").ensure()
    con = sqlite3.connect(d.db)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.commit()
    con.close()
    open_store(d).close()
    assert list(d.backups.glob("*.sqlite3")), "a store with a revision older than head is backed up first"


def test_head_constant_matches_the_migrations():
    assert HEAD_REVISION == head_revision()


def test_bundled_catalogues_are_loaded_once(data_dir):
    from sqlalchemy import func, select

    from fazhi_desk.catalogue.schema import bundled_catalogues
    from fazhi_desk.store.models import CatalogueVersion, ItemRow

    expected = sum(len(c.items) for c in bundled_catalogues())
    for _ in range(2):
        s = open_workspace(data_dir)
        with s.session() as ses:
            assert ses.scalar(select(func.count()).select_from(ItemRow)) == expected
            assert ses.scalar(select(func.count()).select_from(CatalogueVersion)) == len(bundled_catalogues())
        s.close()
