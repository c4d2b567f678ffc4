"""Everything a database dialect decides, behind one interface: the :class:`Backend`.

A :class:`~fazhi_desk.store.db.Store` and everything above it are the same on
every dialect. Its backend:

* ``open()``: checks, migrates and returns the engine (a session of use begins:
  ``workspace_id`` is known afterwards); ``close(engine)`` ends it;
* ``migrate()``: brings the schema to the head revision;
* ``translate(exc)``: the dialect's refusals as Chinese :class:`UserError` messages
  (a bug is returned as it is); ``classify(exc)`` is the judgement the command line
  and the window share (:func:`fazhi_desk.store.errors.classify`: a message, or None for a bug);
* ``snapshot(dst, engine)``: writes a consistent copy of the data to a new SQLite
  file, the database inside every ``.fzbak`` whatever the store;
* ``replace(snapshot)``: makes a checked snapshot (a SQLite file at the head
  revision) the store's data;
* ``describe()``: where the store is (kind and location, never a password), for
  ``store show`` and for messages.

:class:`SqliteBackend` is the embedded store in a data directory, the program's
behaviour as it always was (the order of opening is in :mod:`fazhi_desk.store.db`).
:class:`UrlBackend` serves any other SQLAlchemy URL the plain way (migrate in one
transaction, copy rows for a snapshot); a server backend (PostgreSQL) refines it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ContextManager, Iterator, Protocol

from filelock import FileLock
from sqlalchemy import Engine, MetaData, Table, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from fazhi_desk.errors import StoreTooNewError, UserError
from fazhi_desk.fileio import fsync_dir, fsync_file, remove_stale_temps, write_bytes_atomic
from fazhi_desk.paths import DataDir
from fazhi_desk.store import db as _db
from fazhi_desk.store import holder, readonly, swap
from fazhi_desk.store.errors import classify, server_error, set_current_server, sqlite_errors
from fazhi_desk.store.errors import translate as _sqlite_translate

log = logging.getLogger(__name__)

SNAPSHOT_LOCK_WAIT = 10  # seconds a snapshot waits for a read lock another process holds


@dataclass(frozen=True)
class Location:
    """Where a store is: ``kind`` ("sqlite", "postgresql", …) and a place to show (no password)."""

    kind: str
    where: str  # the database file, or host:port/database
    host: str = ""
    port: int | None = None
    database: str = ""

    def text(self) -> str:
        if self.kind == "sqlite":
            return f"本机数据文件“{self.where}”"
        return f"{self.kind} 数据库“{self.where}”"


class Backend(Protocol):
    """What the store asks of a dialect (see the module docstring)."""

    kind: str
    workspace_id: str | None

    def describe(self) -> Location: ...
    def open(self) -> Engine: ...
    def close(self, engine: Engine | None) -> None: ...
    def migrate(self) -> None: ...
    def translate(self, exc: BaseException) -> BaseException: ...
    def classify(self, exc: BaseException) -> UserError | None: ...
    def errors(self) -> ContextManager[None]: ...
    def snapshot(self, dst: Path, engine: Engine | None = None) -> None: ...
    def replace(self, snapshot: Path) -> None: ...


def backend_for(url: str, data: DataDir | None = None) -> Backend:
    """The backend of a SQLAlchemy URL: a SQLite file is a data directory's store; anything else goes by URL."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        db = Path(u.database)
        return SqliteBackend(db, data or DataDir(db.parent))
    if u.get_backend_name() == "postgresql":
        return PostgresBackend(url)
    return UrlBackend(url)


# ----------------------------------------------------------------------------- SQLite


@contextmanager
def sqlite_reader(db: Path, engine: Engine | None = None) -> Iterator[sqlite3.Connection]:
    """A connection to read the live SQLite database ``db``: the open store's own (``engine``), else a read-only one.

    Through the store's connection the read works even when the store keeps SQLite's lock to itself
    (``locking_mode=EXCLUSIVE``); it waits its turn like any other session.
    """
    if engine is not None:
        raw = engine.raw_connection()
        try:
            yield raw.driver_connection
        finally:
            raw.close()
        return
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=SNAPSHOT_LOCK_WAIT)
    try:
        yield con
    finally:
        con.close()


class SqliteBackend:
    """The embedded store: one SQLite file in a data directory, with its lock, marker, backups and evidence."""

    kind = "sqlite"

    def __init__(self, db: Path, data: DataDir) -> None:
        self.db = Path(db)
        self.data = data
        self.workspace_id: str | None = None
        self._lock: FileLock | None = None
        self._seq: int | None = None
        self.read_only = False  # opened from a read-only data folder (fazhi_desk.store.readonly)

    @classmethod
    def for_data_dir(cls, data: DataDir) -> "SqliteBackend":
        return cls(data.db, data)

    def __repr__(self) -> str:
        return f"SqliteBackend({str(self.db)!r})"

    def describe(self) -> Location:
        return Location("sqlite", str(self.db), database=str(self.db))

    def translate(self, exc: BaseException) -> BaseException:
        return _sqlite_translate(exc, self.db)

    def classify(self, exc: BaseException) -> UserError | None:
        return classify(exc, self.db, self.data.root)

    def errors(self) -> ContextManager[None]:
        return sqlite_errors(self.db)

    def migrate(self) -> None:
        _db.migrate(self.db, self.data.backups)

    # --- open / close ---------------------------------------------------------------------------
    def open(self) -> Engine:
        data = self.data
        if not data.root.is_dir():
            data.ensure()
        if readonly.folder_is_read_only(data.root):  # list, show and report still work; every write is refused
            engine = readonly.open_read_only(data)
            self.read_only, self.workspace_id = True, readonly.workspace_id(engine)
            return engine
        # not thread-local: the window opens the store on a worker thread and closes it on the UI thread
        lock = FileLock(str(data.lock), timeout=0, thread_local=False)
        try:
            holder.acquire(lock, data)  # waits for another command; a window or another program: says which
        except OSError as e:
            raise UserError(f"无法在数据目录“{data.root}”创建锁文件\uff1a{e.strerror or e}。请检查该目录的写入权限。") from e
        try:
            holder.claim(data)  # who holds the lock, for a process that finds it held
            swap.finish_interrupted_restore(data)  # a restore cut short: the old or the new workspace, never a mix
            swap.remove_stale_backup_temps(data.backups)
            for folder in (data.root, data.backups, data.evidence):
                for p in remove_stale_temps(folder, all_but_ours=True):
                    log.info("removed a temp file a killed run left: %s", p)
            with sqlite_errors(data.db):
                _db.prepare_file(data)
                _db.migrate(data.db, data.backups)
                engine = _db.make_engine(data.db)
                try:
                    with engine.connect() as c:
                        c.execute(text("SELECT 1"))
                    self._start(engine)
                except BaseException:
                    engine.dispose()
                    raise
            self._lock = lock
            return engine
        except BaseException:
            lock.release()
            raise

    def _start(self, engine: Engine) -> None:
        """Begin a session of use: workspace id in the database and beside the evidence, session number."""
        data = self.data
        marker = _db.read_marker(data) or {}
        with engine.connect() as c:
            stored_id = c.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": _db.ID_KEY}).scalar()
            stored_seq = int(c.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        ws_id = stored_id or marker.get("workspace_id") or _db.read_evidence_id(data) or uuid.uuid4().hex
        seq = max(stored_seq, _db._int(str(marker.get("session", 0)), 0)) + 1
        try:
            with engine.begin() as c:
                if stored_id is None:
                    c.execute(text("INSERT INTO setting(key, value) VALUES (:k, :v)"), {"k": _db.ID_KEY, "v": ws_id})
                c.exec_driver_sql(f"PRAGMA user_version={int(seq)}")
            with engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            _db._write_marker(data, workspace_id=ws_id, session=seq, state="open", **holder.fields(),
                              opened_at=dt.datetime.now().isoformat(timespec="seconds"))
            if _db.read_evidence_id(data) is None and not data.evidence_id.exists():
                data.evidence.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(data.evidence_id, (ws_id + "\n").encode("ascii"))
            self._seq = seq
        except Exception as e:  # a full disk must not keep the user from reading the data
            t = self.translate(e)
            if t is e and not isinstance(e, (OSError, UserError)):
                raise
            log.warning("could not record the session start (continuing read-mostly): %s", e)
        self.workspace_id = ws_id

    def close(self, engine: Engine | None) -> None:
        """Close cleanly: checkpoint the WAL into the database, record the clean close, release the lock."""
        try:
            if engine is not None:
                try:
                    with engine.connect() as c:
                        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                except Exception as e:  # a full disk may refuse the checkpoint: the WAL then stays, which is safe
                    log.warning("checkpoint at close failed: %s", e)
                engine.dispose()
                if self._seq is not None:
                    try:
                        _db._write_marker(self.data, workspace_id=self.workspace_id, session=self._seq,
                                          state="closed", closed_at=dt.datetime.now().isoformat(timespec="seconds"))
                    except (OSError, UserError) as e:
                        log.warning("could not record the clean close: %s", e)
        finally:
            self._seq, self.read_only = None, False
            if self._lock is not None:
                self._lock.release()
                self._lock = None

    # --- snapshot / replace ---------------------------------------------------------------------
    def _reader(self, engine: Engine | None):  # noqa: ANN202 - a context manager of a sqlite3.Connection
        return sqlite_reader(self.db, engine)

    def snapshot(self, dst: Path, engine: Engine | None = None) -> None:
        """Copy the live database with the online backup API (one step: one consistent read transaction).

        The read lock is taken first with an ordinary statement, which honours the busy timeout
        and fails with "database is locked" when another process keeps the database to itself;
        the backup API on its own would retry such a lock for ever. SQLite's errors are raised
        as they are (the caller says what a backup could not do).
        """
        deadline = time.monotonic() + SNAPSHOT_LOCK_WAIT

        def give_up_when_locked(status: int, _remaining: int, _total: int) -> None:
            if status in (5, 6) and time.monotonic() > deadline:  # SQLITE_BUSY, SQLITE_LOCKED
                raise sqlite3.OperationalError("database is locked")

        with self._reader(engine) as src:
            dst_con = sqlite3.connect(dst)
            try:
                if not src.in_transaction:
                    src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                src.backup(dst_con, progress=give_up_when_locked)
                dst_con.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                dst_con.close()

    def replace(self, snapshot: Path) -> None:
        """Put a checked snapshot in place of the database (the store must be closed, its lock held by the caller).

        The snapshot goes to ``~restore-new`` (a restore extracts it there, with the
        evidence folder of a full backup beside it), which is marked ``READY`` and
        swapped in with one rename per piece (:func:`~fazhi_desk.store.swap.swap_in`):
        a kill at any point is finished by the next start, and a stale ``-wal`` of the
        old database moves away with it.
        """
        staging = self.data.root / swap.NEW_DIR
        staged = staging / self.db.name
        if Path(snapshot).resolve() != staged.resolve():
            staging.mkdir(exist_ok=True)
            tmp = staging / (self.db.name + ".part")
            with open(snapshot, "rb") as f_in, open(tmp, "wb") as f_out:
                while chunk := f_in.read(1 << 20):
                    f_out.write(chunk)
            fsync_file(tmp)
            os.replace(tmp, staged)
            fsync_dir(staging)
        if not (staging / swap.READY).is_file():
            swap._mark(staging / swap.READY)
        swap.swap_in(self.data)


# ----------------------------------------------------------------------------- any other URL


class UrlBackend:
    """A store at any other SQLAlchemy URL: migrated in one transaction, snapshots by copying rows.

    Its errors are not classified yet (a server backend adds its dialect's
    classifier); :meth:`replace` is the server store's to write.
    """

    def __init__(self, url: str) -> None:
        self.url = str(url)
        self.kind = make_url(self.url).get_backend_name()
        self.workspace_id: str | None = None

    def __repr__(self) -> str:
        return f"UrlBackend({self.describe().where!r})"

    def describe(self) -> Location:
        u = make_url(self.url)
        if self.kind == "sqlite":
            return Location("sqlite", u.database or ":memory:", database=u.database or "")
        where = f"{u.host or 'localhost'}{f':{u.port}' if u.port else ''}/{u.database or ''}"
        return Location(self.kind, where, host=u.host or "", port=u.port, database=u.database or "")

    def translate(self, exc: BaseException) -> BaseException:
        return exc

    def classify(self, exc: BaseException) -> UserError | None:
        return classify(exc)  # the user's own errors and a full local disk; the server's refusals are bugs yet

    @contextmanager
    def errors(self) -> Iterator[None]:
        yield

    def _upgrade(self, conn) -> None:  # noqa: ANN001
        from alembic import command

        cfg = _db._alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")

    def migrate(self) -> None:
        engine = create_engine(self.url, future=True)
        try:
            with engine.begin() as conn:
                self._upgrade(conn)
        finally:
            engine.dispose()

    def open(self) -> Engine:
        engine = create_engine(self.url, future=True)
        try:
            with engine.begin() as conn:
                self._upgrade(conn)
            with engine.begin() as c:
                ws = c.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": _db.ID_KEY}).scalar()
                if ws is None:
                    ws = uuid.uuid4().hex
                    c.execute(text("INSERT INTO setting(key, value) VALUES (:k, :v)"), {"k": _db.ID_KEY, "v": ws})
        except BaseException:
            engine.dispose()
            raise
        self.workspace_id = ws
        return engine

    def close(self, engine: Engine | None) -> None:
        if engine is not None:
            engine.dispose()

    def snapshot(self, dst: Path, engine: Engine | None = None) -> None:
        """Copy every table, in one read transaction, into a new SQLite file made from the models."""
        from fazhi_desk.store.models import Base

        own = engine is None
        engine = engine or create_engine(self.url, future=True)
        out = create_engine(f"sqlite:///{dst}", future=True)
        try:
            with out.begin() as w:
                w.exec_driver_sql("PRAGMA foreign_keys=OFF")
                _db.create_schema(w)
            with engine.connect() as r, r.begin(), out.begin() as w:
                w.exec_driver_sql("DELETE FROM alembic_version")
                tables = [Table("alembic_version", MetaData(), autoload_with=r), *Base.metadata.sorted_tables]
                for table in tables:
                    rows = [dict(m) for m in r.execute(select(table)).mappings()]
                    if rows:
                        w.execute(insert(table), rows)
            with out.connect() as w:
                w.exec_driver_sql("PRAGMA journal_mode=DELETE")
        finally:
            out.dispose()
            if own:
                engine.dispose()

    def replace(self, snapshot: Path) -> None:
        raise UserError(f"{self.describe().text()}还不能从备份恢复。请在本机数据目录中恢复。")


# ----------------------------------------------------------------------------- PostgreSQL

#: ``pg_advisory_xact_lock`` keys (any two bigints nobody else uses): schema changes and copies, and
#: evidence clean-up (``gc`` never removes a file another desk is adding).
MIGRATE_LOCK = 0x66617A6869  # "fazhi"
EVIDENCE_LOCK = 0x66617A6865  # "fazhe"
CONNECT_TIMEOUT = 10  # seconds to wait for a server that does not answer


def postgres_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named (``postgresql://`` → ``postgresql+psycopg://``)."""
    u = make_url(url)
    if u.get_backend_name() == "postgresql" and u.get_driver_name() != "psycopg":
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def _use_alter_columns(table: Table) -> list[str]:
    """The columns of ``table`` whose foreign key closes a cycle (``use_alter``): filled in a second pass."""
    return [fk.parent.name for fk in table.foreign_keys if fk.use_alter or fk.constraint.use_alter]


def copy_rows(src, dst, *, chunk: int = 2000) -> dict[str, int]:  # noqa: ANN001 - two SQLAlchemy connections
    """Copy every model table's rows from ``src`` to ``dst`` (empty tables, same schema); rows per table.

    Parents come before children; a foreign key that closes a cycle (``document.current_version_id``,
    ``item.current_revision_id``) is written NULL first and set once every row is in, so no
    constraint needs to be deferrable. A server's id sequences are moved past the copied ids.
    """
    from sqlalchemy import bindparam, func, update

    from fazhi_desk.store.models import Base

    counts: dict[str, int] = {}
    later: list[tuple[Table, list[str], list[dict]]] = []
    for table in Base.metadata.sorted_tables:
        cycle_cols = _use_alter_columns(table)
        pk = [c.name for c in table.primary_key.columns]
        fixes: list[dict] = []
        n = 0
        result = src.execution_options(yield_per=chunk).execute(select(table))
        for part in result.mappings().partitions(chunk):
            rows = [dict(r) for r in part]
            for r in rows:
                if any(r.get(c) is not None for c in cycle_cols):
                    fixes.append({**{f"k_{k}": r[k] for k in pk}, **{f"v_{c}": r[c] for c in cycle_cols}})
                    for c in cycle_cols:
                        r[c] = None
            dst.execute(insert(table), rows)
            n += len(rows)
        counts[table.name] = n
        if fixes:
            later.append((table, pk, fixes))
    for table, pk, fixes in later:
        cols = _use_alter_columns(table)
        stmt = update(table).where(*[table.c[k] == bindparam(f"k_{k}") for k in pk]).values(
            {c: bindparam(f"v_{c}") for c in cols})
        dst.execute(stmt.execution_options(synchronize_session=False), fixes)
    if dst.dialect.name == "postgresql":
        for table in Base.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and isinstance(pk[0].type, _Integer):
                top = dst.execute(select(func.max(pk[0]))).scalar() or 0
                dst.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, :called)"),
                            {"t": table.name, "c": pk[0].name, "v": max(top, 1), "called": top > 0})
    return counts


def count_rows(conn) -> dict[str, int]:  # noqa: ANN001
    """Rows in every model table (to check a copy)."""
    from sqlalchemy import func

    from fazhi_desk.store.models import Base

    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() or 0
            for t in Base.metadata.sorted_tables}


from sqlalchemy import Integer as _Integer  # noqa: E402 - used by copy_rows only


class PostgresBackend(UrlBackend):
    """A store on a PostgreSQL server: several desks at once, one record.

    ``open`` makes a small pool (``pool_pre_ping``: a server restarted in between is met with a
    fresh connection, not an error) and migrates once, under ``pg_advisory_xact_lock``, in one
    transaction (PostgreSQL's DDL is transactional): an empty database gets the schema from the
    models, stamped; a database of ours is upgraded; a newer schema, or a database that is not
    empty and not ours, is refused and nothing is changed. Every refusal of the server becomes a
    Chinese message naming ``host:port/database`` (:func:`fazhi_desk.store.errors.server_error`);
    the password is never shown or logged.
    """

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__(postgres_url(url))
        self.kind = "postgresql"

    def describe(self) -> Location:
        u = make_url(self.url)
        where = f"{u.host or 'localhost'}{f':{u.port}' if u.port else ''}/{u.database or ''}"
        return Location("postgresql", where, host=u.host or "", port=u.port, database=u.database or "")

    def translate(self, exc: BaseException) -> BaseException:
        if isinstance(exc, UserError):
            return exc
        ue = server_error(exc, self.describe().where)
        if ue is None:
            return exc
        log.warning("server error on %s: %s", self.describe().where, _one_line(exc))
        return ue

    def classify(self, exc: BaseException) -> UserError | None:
        return server_error(exc, self.describe().where) or classify(exc)

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except UserError:
            raise
        except Exception as e:
            t = self.translate(e)
            if t is e:
                raise
            raise t from e

    def engine(self, **kw) -> Engine:  # noqa: ANN003
        """An engine on the server: a small pool whose connections are checked before each use."""
        opts = dict(future=True, pool_pre_ping=True, pool_size=4, max_overflow=4, pool_timeout=60,
                    pool_recycle=1800, hide_parameters=True,
                    connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "fazhi-desk"})
        opts.update(kw)
        return create_engine(self.url, **opts)

    # --- schema ----------------------------------------------------------------------------------
    @staticmethod
    def _tables(conn) -> set[str]:  # noqa: ANN001
        return set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())

    def state(self, conn) -> tuple[str | None, set[str]]:  # noqa: ANN001
        """(the stamped revision or None, the tables in the database's schema)."""
        tables = self._tables(conn)
        rev = None
        if "alembic_version" in tables:
            rev = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return rev, tables

    def _refuse_foreign(self, tables: set[str]) -> None:
        shown = "、".join(sorted(tables)[:5]) + (" 等" if len(tables) > 5 else "")
        raise UserError(
            f"{self.describe().text()}不是空的\uff0c也不是法治政府建设检查台的数据库\uff08已有数据表\uff1a{shown}\uff09。"
            "程序没有改动它。请管理员另建一个空数据库给本程序使用\uff0c再重新连接。")

    def _migrate_locked(self, conn) -> None:  # noqa: ANN001
        """Bring the schema to the head revision; ``conn`` is in a transaction holding :data:`MIGRATE_LOCK`."""
        rev, tables = self.state(conn)
        if rev is None:
            if tables:
                self._refuse_foreign(tables)
            _db.create_schema(conn)
            log.info("created the schema %s on %s", _db.MODELS_REVISION, self.describe().where)
            return
        if rev == _db.HEAD_REVISION:
            return
        if rev not in _db.known_revisions():
            raise StoreTooNewError(
                f"{self.describe().text()}由更新版本的法治政府建设检查台使用(数据库版本 {rev})。"
                "本程序无法安全打开它,数据未被改动。请在这台电脑上安装与其他电脑相同(或更新)版本的程序后再连接。")
        self._upgrade(conn)
        log.info("migrated %s from %s to %s", self.describe().where, rev, _db.HEAD_REVISION)

    def migrate(self, engine: Engine | None = None) -> None:
        """Migrate once, whichever desk comes first: one transaction under the advisory lock."""
        own = engine is None
        engine = engine or self.engine()
        try:
            with self.errors(), engine.begin() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
                self._migrate_locked(conn)
                self.workspace_id = self._workspace_id(conn)
        finally:
            if own:
                engine.dispose()

    @staticmethod
    def _workspace_id(conn) -> str:  # noqa: ANN001
        ws = conn.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": _db.ID_KEY}).scalar()
        if ws is None:
            ws = uuid.uuid4().hex
            conn.execute(text("INSERT INTO setting(key, value) VALUES (:k, :v)"), {"k": _db.ID_KEY, "v": ws})
        return ws

    def open(self) -> Engine:
        engine = self.engine()
        try:
            self.migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        set_current_server(self.describe().where)
        return engine

    def close(self, engine: Engine | None) -> None:
        if engine is not None:
            engine.dispose()
        set_current_server(None)

    # --- copies ------------------------------------------------------------------------------------
    def snapshot(self, dst: Path, engine: Engine | None = None) -> None:
        """Every table in one REPEATABLE READ transaction (one consistent view) into a new SQLite file."""
        own = engine is None
        engine = engine or self.engine()
        try:
            with self.errors():
                super().snapshot(dst, engine.execution_options(isolation_level="REPEATABLE READ"))
        finally:
            if own:
                engine.dispose()

    def load(self, snapshot: Path, *, engine: Engine | None = None, replace: bool = False) -> dict[str, int]:
        """Copy a checked SQLite snapshot (at the head revision) into the server database, in one transaction.

        ``replace`` empties a store of ours first (a restore); without it the database must be empty
        (no tables) or hold only our empty schema (a move), else it is refused and nothing changes.
        Returns the rows copied per table.
        """
        from fazhi_desk.store.models import Base

        src = create_engine(f"sqlite:///{snapshot}", future=True)
        own = engine is None
        engine = engine or self.engine()
        try:
            with src.connect() as r:
                rev = r.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if rev != _db.HEAD_REVISION:
                    raise UserError(f"要复制的数据\uff08数据库版本 {rev}\uff09与本程序的版本 {_db.HEAD_REVISION} 不一致。"
                                    "请先用本程序打开一次本机数据\uff08会自动升级\uff09\uff0c再重试。")
                with self.errors(), engine.begin() as w:
                    w.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
                    db_rev, tables = self.state(w)
                    if db_rev is None and tables:
                        self._refuse_foreign(tables)
                    self._migrate_locked(w)
                    if replace:
                        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                        w.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                    else:
                        held = {t: n for t, n in count_rows(w).items() if n and t != "setting"}
                        if held:
                            raise UserError(
                                f"{self.describe().text()}里已经有数据\uff08{'、'.join(sorted(held))} 等表不是空的\uff09。"
                                "程序没有改动它。要让这台电脑使用其中的数据\uff0c请用“store connect”\uff1b"
                                "要迁入本机数据\uff0c请管理员另建一个空数据库。")
                        w.execute(text("DELETE FROM setting"))
                    counts = copy_rows(r, w)
                    if count_rows(w) != counts:
                        raise UserError("复制到服务器后各表行数与原数据不一致\uff0c已撤销本次复制。请把日志发给技术支持。")
            return counts
        finally:
            src.dispose()
            if own:
                engine.dispose()

    def replace(self, snapshot: Path) -> None:
        """Make a checked snapshot the server store's data (a restore), in one transaction."""
        self.load(snapshot, replace=True)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def file_counts(snapshot: Path) -> dict[str, int]:
    """Rows in every model table of a SQLite snapshot file."""
    engine = create_engine(f"sqlite:///{snapshot}", future=True)
    try:
        with engine.connect() as c:
            return count_rows(c)
    finally:
        engine.dispose()


def file_evidence(snapshot: Path) -> dict[str, int]:
    """The evidence files (SHA-256 → size) a SQLite snapshot file records."""
    from fazhi_desk.store.models import EvidenceFile

    engine = create_engine(f"sqlite:///{snapshot}", future=True)
    try:
        with engine.connect() as c:
            return {sha: size for sha, size in c.execute(select(EvidenceFile.sha256, EvidenceFile.size))}
    finally:
        engine.dispose()


def evidence_lock(session, *, exclusive: bool = False) -> None:  # noqa: ANN001 - a Session in a transaction
    """On a server store, hold :data:`EVIDENCE_LOCK` to the end of the transaction: shared by every desk that
    links evidence files, exclusive for clean-up (``gc``), so clean-up never removes a file row another desk
    is linking to in a transaction not yet committed. A SQLite store has one writer: nothing to do."""
    if session.get_bind().dialect.name != "postgresql":
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SELECT {fn}(:k)"), {"k": EVIDENCE_LOCK})
