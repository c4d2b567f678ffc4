"""Opening and closing the store: lock, workspace checks, migration on a copy, one connection.

A :class:`Store` is made from a SQLAlchemy URL and an evidence root and can be
closed and opened again while the program runs (restore closes it, puts files
back, and opens it again). SQLite is the default and the only store we test;
everything a dialect decides sits behind :mod:`fazhi_desk.store.backend`, whose
SQLite backend uses the files and checks below.

Opening a SQLite data directory, in order:

1. Take the data directory's lock (a second instance is refused) and remove
   temp files that killed runs left behind (the lock proves they are stale).
2. A data directory used before (workspace marker, evidence, backups, a log of
   an opened store) whose database is missing, empty or damaged is a *damaged
   workspace* (:class:`~fazhi_desk.errors.WorkspaceDamagedError`, naming the
   backups), never a new install.
3. A ``-wal`` left by a session that did not close is applied only when it
   belongs to this database file: each session starts by writing its sequence
   number into the database header (``PRAGMA user_version``) and checkpointing, and records the number in the
   workspace marker; a database file with another number (an older copy put
   back by hand) next to a ``-wal`` is refused
   (:class:`~fazhi_desk.errors.StaleJournalError`). After an unclean session the
   file gets ``integrity_check`` (indexes against tables), not only ``quick_check``.
4. Migrations run on a copy: SQLite's backup API into a temp file, Alembic on
   the copy with foreign keys off, ``integrity_check`` and
   ``foreign_key_check``, then an atomic rename over the original. A failure or
   a kill leaves the original untouched and the next start retries. The
   database is backed up to ``backups/`` first (one backup per pending
   migration, however many starts fail; rotation keeps the newest backup taken
   before a migration).
5. One connection, ``locking_mode=EXCLUSIVE``, WAL, ``synchronous=FULL``,
   foreign keys on. Exclusive locking keeps SQLite's WAL index in heap memory:
   no ``-shm`` file is memory-mapped, so a full disk cannot kill the process
   with SIGBUS. Sessions on other threads wait for the connection in turn.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from fazhi_desk.errors import (
    StaleJournalError,
    StoreTooNewError,
    UserError,
    WorkspaceDamagedError,
)
from fazhi_desk.fileio import fsync_dir, fsync_file, remove_stale_temps, temp_path, write_bytes_atomic
from fazhi_desk.paths import DataDir
from fazhi_desk.testpoints import pause

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
# The newest migration in store/migrations/versions (a test keeps the two equal). Knowing it without
# loading Alembic keeps a normal start-up from importing Alembic at all (~0.2 s).
HEAD_REVISION = "0010"
# The revision the ORM models describe (a test compares a store made from them with a migrated one): a new
# store is made from the models and stamped with it, in one transaction, instead of replaying every migration.
MODELS_REVISION = HEAD_REVISION
KEEP_BACKUPS = 10
OPENED_LOG_LINE = "opened store"  # written to the log on every successful open (a sign of earlier use)
ID_KEY = "store.workspace_id"
EVIDENCE_ID_NAME = "workspace-id.txt"  # inside a server store's evidence folder: the workspace it belongs to
OWN_LOG_KEEP = 20_000  # change-log ids a store remembers writing (a poll every few seconds needs the last few)
BACKUP_SEQ = -1  # the session number stamped into backups: a backup never matches a live -wal
POOL_TIMEOUT = 120  # seconds a session waits for the one connection


# ----------------------------------------------------------------------------- engine


def _set_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    cur = dbapi_conn.cursor()
    # Before the first access in WAL mode: the WAL index then lives in heap memory, no -shm is mapped.
    cur.execute("PRAGMA locking_mode=EXCLUSIVE")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class OneConnectionPool(QueuePool):
    """The store's one connection, taken by one session at a time (other threads wait their turn).

    A second checkout on the thread that already holds it could only deadlock; it
    fails at once instead, naming the bug.
    """

    def __init__(self, *a, **kw) -> None:  # noqa: ANN002, ANN003
        kw.update(pool_size=1, max_overflow=0)
        super().__init__(*a, **kw)
        self._holder: int | None = None

    def _do_get(self):  # noqa: ANN202
        me = threading.get_ident()
        if self._holder == me:
            raise RuntimeError("a second session on the thread that already holds the store's connection")
        rec = super()._do_get()
        self._holder = me
        return rec

    def _do_return_conn(self, record) -> None:  # noqa: ANN001
        self._holder = None
        super()._do_return_conn(record)


def make_engine(db_path: Path | str) -> Engine:
    """The engine of a SQLite store file: one exclusive connection that sessions take in turn."""
    engine = create_engine(
        f"sqlite:///{db_path}", future=True, poolclass=OneConnectionPool,
        pool_timeout=POOL_TIMEOUT, connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "fazhi_desk:store/migrations")
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


# ----------------------------------------------------------------------------- files


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def shm_path(db: Path) -> Path:
    return db.with_name(db.name + "-shm")


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def list_backups(backups: Path, stem: str = "fazhi-desk") -> list[Path]:
    """The database backups in ``backups``, newest first."""
    try:
        found = [p for p in backups.glob(f"{stem}-*.sqlite3") if p.is_file()]
    except OSError:
        return []
    def key(p: Path) -> tuple[float, str]:
        try:
            return p.stat().st_mtime, p.name
        except OSError:
            return 0.0, p.name

    return sorted(found, key=key, reverse=True)


def restorable_backups(backups: Path) -> list[Path]:
    """Every backup in ``backups`` a restore can use, newest first: the database copies above and the
    ``.fzbak`` backups (one list, so a message never counts one kind and offers the other).

    Ordered by the time in the name (written when it was made), then the file's time; one dated in
    the future (a clock that ran ahead) comes last, never as the newest.
    """
    try:
        found = list_backups(backups) + [p for p in backups.glob("*.fzbak") if p.is_file()]
    except OSError:
        return []
    ahead = dt.datetime.now() + dt.timedelta(hours=1)

    def key(p: Path) -> tuple[bool, str, float]:
        m = _STAMP_RE.search(p.name)
        stamp = m.group(1) if m else ""
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        if not stamp:
            stamp = dt.datetime.fromtimestamp(mtime).strftime("%Y%m%d-%H%M%S")
        return stamp <= ahead.strftime("%Y%m%d-%H%M%S"), stamp, mtime

    return sorted(found, key=key, reverse=True)


_STAMP_RE = re.compile(r"-(\d{8}-\d{6})(?=[-.])")


def _immutable(db: Path) -> sqlite3.Connection:
    """The database file alone, read-only, ignoring any -wal (and creating no file)."""
    return sqlite3.connect(f"{db.resolve().as_uri()}?immutable=1", uri=True)


def _read_only(db: Path) -> sqlite3.Connection:
    """A read-only connection that creates no -wal/-shm when the database has no -wal (the usual case)."""
    if _size(wal_path(db)) == 0:
        return _immutable(db)
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def _setting(con: sqlite3.Connection, key: str) -> str | None:
    try:
        row = con.execute("SELECT value FROM setting WHERE key=?", (key,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _int(v: str | None, default: int = 0) -> int:
    try:
        return int(v) if v is not None else default
    except ValueError:
        return default


def _current_revision(db_path: Path) -> str | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    con = _read_only(db_path)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone():
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        con.close()
    return row[0] if row else None


def _check_file(db_path: Path, *, full: bool = False, backups: Path | None = None) -> None:
    """Refuse a file that is not our SQLite database or fails its check (``integrity_check`` when ``full``)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    backups = backups or db_path.parent / "backups"
    _check_magic(db_path, backups)
    pragma = "integrity_check" if full else "quick_check"
    try:
        con = _read_only(db_path)
        try:
            rows = [r[0] for r in con.execute(f"PRAGMA {pragma}").fetchmany(20)]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise _damaged(db_path, backups, f"数据文件“{db_path}”已损坏,无法打开({e})。程序没有改动它。", "corrupt") from e
    if rows != ["ok"]:
        log.error("%s of %s failed: %s", pragma, db_path, rows)
        raise _damaged(db_path, backups,
                       f"数据文件“{db_path}”完整性检查未通过({rows[0] if rows else '无结果'})。程序没有改动它。",
                       "integrity")
    if full:
        log.info("integrity_check of %s (the previous session did not close cleanly): ok", db_path)
    if tables and "alembic_version" not in tables:
        raise UserError(
            f"数据文件“{db_path}”是其他程序的 SQLite 数据库\uff0c不是法治政府建设检查台的数据。"
            "程序没有改动它。请另选一个数据目录\uff08--data-dir\uff09。"
        )


def _damaged(db_path: Path, backups: Path, msg: str, reason: str) -> WorkspaceDamagedError:
    return WorkspaceDamagedError(msg + _restore_hint(backups), data_dir=db_path.parent,
                                 backups=restorable_backups(backups), reason=reason)


def _check_magic(db_path: Path, backups: Path) -> None:
    with db_path.open("rb") as f:
        magic = f.read(16)
    if magic != SQLITE_MAGIC:
        raise _damaged(db_path, backups,
                       f"数据文件“{db_path}”不是本程序的数据库(文件已损坏或被其他文件替换)。程序没有改动它。", "notadb")


def _restore_hint(backups: Path) -> str:
    found = restorable_backups(backups)
    if found:
        return f"请从备份恢复:最新的备份是“{found[0]}”(共 {len(found)} 个备份,在“{backups}”)。"
    return f"“{backups}”中没有备份;请找回数据文件的副本,或联系技术支持。"


def _sqlite_backup(src_path: Path, dst_path: Path) -> None:
    """Copy a database with SQLite's backup API (a consistent copy, whatever the source's journal)."""
    src = _read_only(src_path)
    dst = sqlite3.connect(dst_path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup_db(db_path: Path, backups: Path, reason: str) -> Path:
    """Copy the database with SQLite's backup API to ``backups/`` (temp name, fsync, rename), then rotate.

    The copy's session number is stamped so that it never passes for the live
    file next to a ``-wal`` (see the module docstring). Rotation keeps the
    :data:`KEEP_BACKUPS` newest backups and, always, the newest one taken before a migration.
    """
    backups.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(backups)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    final = backups / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    n = 1
    while final.exists():
        n += 1
        final = backups / f"{db_path.stem}-{stamp}-{reason}-{n}.sqlite3"
    tmp = temp_path(final)
    try:
        _sqlite_backup(db_path, tmp)
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute(f"PRAGMA user_version={BACKUP_SEQ}")
            con.commit()
        finally:
            con.close()
        fsync_file(tmp)
        os.replace(tmp, final)
        fsync_dir(backups)
    except BaseException:
        for p in (tmp, tmp.with_name(tmp.name + "-journal")):
            p.unlink(missing_ok=True)
        raise
    rotate_backups(backups, db_path.stem)
    return final


def rotate_backups(backups: Path, stem: str = "fazhi-desk", keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete all but the ``keep`` newest backups, never the newest one taken before a migration."""
    found = list_backups(backups, stem)
    protected = next((p for p in found if "-before-" in p.name), None)
    removed = []
    for p in found[keep:]:
        if p != protected:
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


# ----------------------------------------------------------------------------- migration


def _pending_backup(db_path: Path, backups: Path, head: str) -> Path | None:
    """A backup taken before migrating to ``head`` that is newer than the database file (a failed earlier try)."""
    try:
        db_mtime = db_path.stat().st_mtime
    except OSError:
        return None
    for p in list_backups(backups, db_path.stem):
        if p.name.endswith(f"-before-{head}.sqlite3") or f"-before-{head}-" in p.name:
            try:
                if p.stat().st_mtime >= db_mtime:
                    return p
            except OSError:
                continue
    return None


def migrate(db_path: Path, backups: Path | None = None, *, replay: bool = False) -> None:
    """Bring the database to the head revision, on a copy that replaces the original only when it is sound.

    A new (missing or empty) file is made from the models (:func:`create_schema`) unless ``replay``.
    """
    current = _current_revision(db_path)
    if current == HEAD_REVISION:
        return
    if not replay and current is None and _size(db_path) == 0 and HEAD_REVISION == MODELS_REVISION:
        _new_file(db_path)
        return
    head = head_revision()
    if current is not None and current not in known_revisions():
        raise StoreTooNewError(
            f"数据文件“{db_path}”由更新版本的法治政府建设检查台写入(数据库版本 {current}),"
            "本程序无法安全打开。请安装最新版本的程序后再打开。数据未被改动。"
        )
    if current == head:
        return
    has_data = db_path.exists() and db_path.stat().st_size > 0
    if has_data and backups is not None:
        where = _pending_backup(db_path, backups, head)
        if where is None:
            where = backup_db(db_path, backups, f"before-{head}")
        log.info("backup before migrating %s to %s: %s", db_path, head, where)
        pause("migrate.backed_up")
    tmp = temp_path(db_path)
    leftovers = [tmp.with_name(tmp.name + x) for x in ("-journal", "-wal", "-shm")]
    try:
        if has_data:
            _sqlite_backup(db_path, tmp)
        _migrate_file(tmp, head, backups)
        pause("migrate.migrated")
        fsync_file(tmp)
        os.replace(tmp, db_path)
        pause("migrate.replaced")
        fsync_dir(db_path.parent)
        log.info("migrated %s from %s to %s", db_path, current, head)
    finally:
        for p in [tmp, *leftovers]:
            p.unlink(missing_ok=True)


ALEMBIC_VERSION_DDL = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                       "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")  # as Alembic makes it


def create_schema(conn) -> None:  # noqa: ANN001
    """Make the schema of :data:`MODELS_REVISION` from the models on ``conn`` (an empty database) and stamp it."""
    from fazhi_desk.store.models import Base

    # On a dialect that adds the cycle's foreign keys with ALTER (PostgreSQL), SQLAlchemy marks those
    # constraints to be left out of CREATE TABLE for good; a SQLite store made later in the same process
    # (a snapshot) would then lack them. Put the marks back as they were.
    rules = [(c, c.__dict__.get("_create_rule")) for t in Base.metadata.sorted_tables for c in t.constraints]
    try:
        Base.metadata.create_all(conn, checkfirst=False)  # an empty database: no table to look for
    finally:
        for c, rule in rules:
            c._create_rule = rule
    conn.exec_driver_sql(ALEMBIC_VERSION_DDL)
    conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": MODELS_REVISION})


def _private_copy_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=DELETE")
    cur.execute("PRAGMA synchronous=OFF")  # the file is fsynced as a whole before the rename
    cur.execute("PRAGMA foreign_keys=OFF")
    cur.close()


def _new_file(db_path: Path) -> None:
    """A new store: the schema from the models in one transaction on a temp file, fsynced, renamed into place.

    Replaying every migration costs an fsync per DDL statement (hundreds) and the
    import of Alembic; this is one transaction. The models and the migrations are
    kept equal by a test, so the result is the store the migrations would make.
    """
    tmp = temp_path(db_path)
    try:
        engine = create_engine(f"sqlite:///{tmp}", future=True, poolclass=QueuePool, pool_size=1, max_overflow=0)
        event.listen(engine, "connect", _private_copy_pragmas)
        try:
            with engine.begin() as conn:
                create_schema(conn)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        finally:
            engine.dispose()
        fsync_file(tmp)
        os.replace(tmp, db_path)
        fsync_dir(db_path.parent)
        log.info("created %s at %s from the models", db_path, MODELS_REVISION)
    finally:
        for p in (tmp, *(tmp.with_name(tmp.name + x) for x in ("-journal", "-wal", "-shm"))):
            p.unlink(missing_ok=True)


def _migrate_file(path: Path, head: str, backups: Path | None) -> None:
    """Run the migrations on ``path`` (a private copy) and check the result."""
    from alembic import command

    engine = create_engine(f"sqlite:///{path}", future=True, poolclass=QueuePool, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
            conn.exec_driver_sql("PRAGMA synchronous=OFF")  # a private copy, fsynced as a whole before the rename
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise UserError(
                    f"数据库升级后发现 {len(bad)} 处外键不一致\uff0c升级没有生效\uff0c原数据文件未被改动。"
                    f"请把日志发给技术支持\uff1b升级前的备份在“{backups}”。")
            ok = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchmany(20)]
            if ok != ["ok"]:
                log.error("integrity_check after migrating: %s", ok)
                raise UserError("数据库升级后完整性检查未通过\uff0c升级没有生效\uff0c原数据文件未被改动。请把日志发给技术支持。")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- workspace marker


def read_marker(data: DataDir) -> dict | None:
    try:
        return json.loads(data.marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}


def _write_marker(data: DataDir, **values: object) -> None:
    write_bytes_atomic(data.marker, json.dumps(values, ensure_ascii=False, indent=1).encode("utf-8"))


def read_evidence_id(data: DataDir) -> str | None:
    try:
        return data.evidence_id.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def used_before(data: DataDir) -> list[str]:
    """Signs that ``data`` held a workspace before (empty for a new data directory)."""
    signs: list[str] = []
    if data.marker.exists():
        signs.append("工作区标记文件")
    if data.evidence_id.exists():
        signs.append("佐证材料目录的工作区编号")
    try:
        for shard in os.scandir(data.evidence):
            if shard.is_dir(follow_symlinks=False) and any(True for _ in os.scandir(shard.path)):
                signs.append("佐证材料文件")
                break
    except OSError:
        pass
    if restorable_backups(data.backups):
        signs.append("备份")
    try:
        for p in data.logs.glob("*.log*"):
            with p.open("rb") as f:
                if OPENED_LOG_LINE.encode() in f.read(4 << 20):
                    signs.append("日志")
                    break
    except OSError:
        pass
    return signs


# ----------------------------------------------------------------------------- opening a data directory's file


def prepare_file(data: DataDir) -> None:
    """Steps 2 and 3 of the module docstring: a damaged workspace and a foreign -wal are refused.

    Run with the data directory's lock held, before migrating and opening.
    """
    db, wal, shm = data.db, wal_path(data.db), shm_path(data.db)
    marker = read_marker(data)
    if _size(db) == 0:
        signs = used_before(data)
        if signs:
            what = "不存在" if not db.exists() else "是空文件(0 字节)"
            raise WorkspaceDamagedError(
                f"数据目录“{data.root}”以前使用过(有{'、'.join(signs)}),但数据文件“{db.name}”{what}。"
                f"程序不会把它当作新安装,也没有改动任何文件。{_restore_hint(data.backups)}",
                data_dir=data.root, backups=restorable_backups(data.backups), reason="missing" if not db.exists() else "empty")
        for p in (wal, shm):  # a journal without its database belongs to nothing
            p.unlink(missing_ok=True)
        return
    _check_magic(db, data.backups)
    unclean = bool(marker) and marker.get("state") == "open"
    if _size(wal) > 0:
        _check_wal_belongs(data, marker)
        unclean = True
        _fold_wal(db)
    shm.unlink(missing_ok=True)  # with no -wal (and the lock held) a -shm is stale; a read-only one blocks writes
    _check_file(db, full=unclean, backups=data.backups)


def _check_wal_belongs(data: DataDir, marker: dict | None) -> None:
    """Refuse a -wal that another copy of the database wrote (see the module docstring)."""
    db = data.db
    try:
        con = _immutable(db)
        try:
            file_seq = int(con.execute("PRAGMA user_version").fetchone()[0])
            file_id = _setting(con, ID_KEY)
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return  # not a readable database: _check_file says so
    if marker and marker.get("session") is not None:
        if marker.get("workspace_id") == file_id and _int(str(marker.get("session")), -3) == file_seq:
            return
        reason = (f"数据文件属于第 {file_seq} 次使用,而“{db.name}-wal”是第 {marker.get('session')} 次使用留下的"
                  if marker.get("workspace_id") == file_id else "数据文件与“-wal”属于不同的工作区")
    else:
        if _combined_is_sound(db):
            return
        reason = "数据文件与“-wal”合并后完整性检查未通过"
    raise StaleJournalError(
        f"数据文件“{db}”旁边有上次未正常关闭时留下的“{db.name}-wal”,但它不属于这个数据文件({reason};"
        "例如数据文件被手工换成了旧的副本)。程序没有应用它,也没有改动任何文件,以免数据错乱。"
        f"请用“从备份恢复”恢复数据(恢复会删除这个旧的“-wal”);{_restore_hint(data.backups)}",
        data_dir=data.root, backups=restorable_backups(data.backups), reason="stale-wal")


def _combined_is_sound(db: Path) -> bool:
    """integrity_check of the database with its -wal applied, on a private copy (the originals stay as they are)."""
    tmp = temp_path(db)
    tmp_wal = tmp.with_name(tmp.name + "-wal")
    try:
        shutil.copyfile(db, tmp)
        shutil.copyfile(wal_path(db), tmp_wal)
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA locking_mode=EXCLUSIVE")
            rows = [r[0] for r in con.execute("PRAGMA integrity_check").fetchmany(20)]
        finally:
            con.close()
        if rows != ["ok"]:
            log.error("database + -wal fail integrity_check: %s", rows)
        return rows == ["ok"]
    except sqlite3.DatabaseError as e:
        log.error("database + -wal cannot be read: %s", e)
        return False
    finally:
        for p in (tmp, tmp_wal, tmp.with_name(tmp.name + "-shm")):
            p.unlink(missing_ok=True)


def _fold_wal(db: Path) -> None:
    """Checkpoint a -wal that belongs to ``db`` into it, so migration and the checks see one file."""
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        con.close()


# ----------------------------------------------------------------------------- the store


class Store:
    """A store made from a SQLAlchemy URL and an evidence root; open, close and open again.

    Services take a :class:`Store` and ask it for sessions; they never see the
    URL, the dialect or its errors: everything a dialect decides is its
    :attr:`backend`'s (:mod:`fazhi_desk.store.backend`). ``data`` is the data
    directory of a SQLite store (its database, evidence, backups and logs).
    """

    def __init__(self, url: str, evidence_root: Path | str, *, data: DataDir | None = None) -> None:
        from fazhi_desk.store.backend import SqliteBackend, backend_for

        self.url = str(url)
        self.evidence_root = Path(evidence_root)
        self.backend = backend_for(self.url, data)
        self._sqlite_file: Path | None = self.backend.db if isinstance(self.backend, SqliteBackend) else None
        if data is None and isinstance(self.backend, SqliteBackend):
            data = self.backend.data
        self.data = data
        self.engine: Engine | None = None
        self.workspace_id: str | None = None
        self._sessions: sessionmaker | None = None
        self._guard = threading.Lock()
        # ids of the change-log entries this process wrote through this store (the newest OWN_LOG_KEEP): another
        # desk's entries are the others, even when both desks record the same 操作人 name
        self.own_log_ids: set[int] = set()
        self._own_lock = threading.Lock()

    @classmethod
    def for_data_dir(cls, data: DataDir) -> "Store":
        return cls(f"sqlite:///{data.db}", data.evidence, data=data)

    def __repr__(self) -> str:
        from sqlalchemy.engine import make_url

        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r}, open={self.is_open})"  # no password

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    @property
    def db_path(self) -> Path | None:
        """The database file of a SQLite store (None for other URLs)."""
        return self._sqlite_file

    # --- sessions ---------------------------------------------------------------------------
    def session(self) -> Session:
        if self._sessions is None:
            raise UserError("数据库已关闭\uff08正在恢复或退出\uff09。请稍候重试。")
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or rolled back on any error.

        SQLite's refusals (disk full, read-only, locked, damaged) become Chinese
        :class:`UserError` messages; nothing of the transaction is kept.
        """
        try:
            with self.session() as s, s.begin():
                yield s
        except UserError:
            raise
        except Exception as e:
            t = self.backend.translate(e)
            if t is e:
                raise
            raise t from e

    # --- open / close -------------------------------------------------------------------------
    def open(self) -> "Store":
        """Open the store (see the module docstring); returns self. Opening an open store does nothing."""
        with self._guard:
            if self.engine is not None:
                return self
            try:
                engine = self.backend.open()
            except BaseException:
                self.engine, self._sessions = None, None
                raise
            self.engine = engine
            self._sessions = sessionmaker(engine, expire_on_commit=False, future=True)
            event.listen(self._sessions, "after_flush", self._note_own_log)
            self.workspace_id = self.backend.workspace_id
            if self._sqlite_file is None and self.workspace_id:
                self._claim_evidence_folder()
            log.info("%s %s (workspace %s, session %s)", OPENED_LOG_LINE, self.backend.describe().where, self.workspace_id,
                     getattr(self.backend, "_seq", None))
            return self

    def _note_own_log(self, session: Session, _context: object) -> None:
        from fazhi_desk.store.models import ChangeLog

        ids = [o.id for o in session.new if isinstance(o, ChangeLog) and o.id is not None]
        if ids:
            with self._own_lock:
                self.own_log_ids.update(ids)
                if len(self.own_log_ids) > OWN_LOG_KEEP:
                    self.own_log_ids = set(sorted(self.own_log_ids)[-OWN_LOG_KEEP // 2:])

    def close(self) -> None:
        """Close cleanly (SQLite: checkpoint the WAL into the database, record the clean close, release the lock)."""
        with self._guard:
            engine, self.engine, self._sessions = self.engine, None, None
            self.backend.close(engine)

    def reopen(self) -> "Store":
        """Close and open again on the same data (restore uses this after putting files back)."""
        self.close()
        return self.open()

    def describe(self):  # noqa: ANN201
        """Where the store is (:class:`~fazhi_desk.store.backend.Location`: kind and place, never a password)."""
        return self.backend.describe()

    def snapshot(self, dst: Path) -> None:
        """Write a consistent copy of the data to the new SQLite file ``dst`` (through the open connection, if any)."""
        self.backend.snapshot(Path(dst), self.engine)

    @property
    def evidence_id_path(self) -> Path:
        """The file that names the workspace the evidence folder belongs to: beside it in a data directory,
        inside it for a store at another URL (a shared folder several desks reach)."""
        if self.data is not None and self._sqlite_file is not None:
            return self.data.evidence_id
        return self.evidence_root / EVIDENCE_ID_NAME

    def evidence_belongs(self) -> bool:
        """Whether the evidence folder provably belongs to this database (same workspace id on both)."""
        if self.workspace_id is None:
            return False
        if self._sqlite_file is None:
            try:
                return self.evidence_id_path.read_text(encoding="utf-8").strip() == self.workspace_id
            except OSError:
                return False
        if self.data is None:
            return False
        return read_evidence_id(self.data) == self.workspace_id

    def _claim_evidence_folder(self) -> None:
        """A store at another URL: write its workspace id into a new evidence folder (once; never overwritten)."""
        p = self.evidence_id_path
        try:
            if not p.exists():
                p.parent.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(p, (str(self.workspace_id) + "\n").encode("ascii"))
        except (OSError, UserError) as e:  # an unreachable share must not keep the desk from the database
            log.warning("could not write the evidence folder's workspace id %s: %s", p, e)


def open_store(data: DataDir) -> Store:
    """Open (creating and migrating as needed) the SQLite store in ``data``; see the module docstring.

    It holds no catalogue yet: ``services.workspace.open_workspace`` also installs the bundled ones.
    """
    return Store.for_data_dir(data).open()
