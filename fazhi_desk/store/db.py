"""Opening the store: lock, integrity check, backup, migrate, engine with pragmas.

Order of :func:`open_store`: take the data directory's lock (a second instance
is refused), check the file is a SQLite database of ours, refuse one written by a
newer program, back it up and migrate it with foreign keys off (Alembic batch
migrations on SQLite would otherwise cascade-delete child rows), then check
foreign keys and hand out sessions with ``foreign_keys=ON``, WAL and
``synchronous=FULL``.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from fazhi_desk.errors import StoreLockedError, StoreTooNewError, UserError
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
# The newest migration in store/migrations/versions (a test keeps the two equal). Knowing it without
# loading Alembic keeps a normal start-up from importing Alembic at all (~0.2 s).
HEAD_REVISION = "0002"
KEEP_BACKUPS = 10


def _set_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
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


def _check_file(db_path: Path) -> None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return
    with db_path.open("rb") as f:
        magic = f.read(16)
    if magic != SQLITE_MAGIC:
        raise UserError(
            f"数据文件“{db_path}”不是本程序的数据库(文件已损坏或被其他文件替换)。"
            f"程序没有改动它。请从“{db_path.parent / 'backups'}”中的备份恢复,"
            "或另选一个数据目录(--data-dir)。"
        )
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise UserError(
            f"数据文件“{db_path}”已损坏,无法打开({e})。程序没有改动它。"
            f"请从“{db_path.parent / 'backups'}”中的备份恢复。"
        ) from e
    if ok != "ok":
        raise UserError(
            f"数据文件“{db_path}”完整性检查未通过({ok})。程序没有改动它。"
            f"请从“{db_path.parent / 'backups'}”中的备份恢复。"
        )
    if tables and "alembic_version" not in tables:
        raise UserError(
            f"数据文件“{db_path}”是其他程序的 SQLite 数据库,不是法治政府建设检查台的数据。"
            "程序没有改动它。请另选一个数据目录(--data-dir)。"
        )


def _current_revision(db_path: Path) -> str | None:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone():
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        con.close()
    return row[0] if row else None


def backup_db(db_path: Path, backups: Path, reason: str) -> Path:
    """Copy the database with SQLite's backup API to ``backups/`` (temp name, fsync, rename)."""
    import os

    backups.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    final = backups / f"{db_path.stem}-{stamp}-{reason}.sqlite3"
    tmp = final.with_suffix(".tmp")
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    os.replace(tmp, final)
    old = sorted(backups.glob(f"{db_path.stem}-*.sqlite3"))
    for p in old[:-KEEP_BACKUPS]:
        p.unlink(missing_ok=True)
    return final


def migrate(db_path: Path, backups: Path | None = None) -> None:
    """Bring the database to the head revision (backup first when it has data)."""
    current = _current_revision(db_path)
    if current == HEAD_REVISION:
        return
    from alembic import command

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
        where = backup_db(db_path, backups, f"before-{head}")
        log.info("backed up %s to %s before migrating", db_path, where)
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise UserError(f"数据库迁移后发现 {len(bad)} 处外键不一致。请把日志发给技术支持;迁移前的备份在“{backups}”。")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        engine.dispose()


@dataclass
class Store:
    """An open store: the data directory, its engine and session factory, and the held lock."""

    data: DataDir
    engine: Engine
    _lock: FileLock | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, future=True)

    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together, or rolled back on any error."""
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def open_store(data: DataDir) -> Store:
    """Open (creating and migrating as needed) the store in ``data``; see the module docstring.

    It holds no catalogue yet: ``services.workspace.open_workspace`` also installs the bundled ones.
    """
    data.ensure()
    # not thread-local: the window opens the store on a worker thread and closes it on the UI thread
    lock = FileLock(str(data.lock), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout as e:
        raise StoreLockedError(
            f"数据目录“{data.root}”已被另一个正在运行的法治政府建设检查台打开。"
            "请切换到已打开的窗口;若确认没有其他窗口,请稍候重试。"
        ) from e
    except OSError as e:
        raise UserError(f"无法在数据目录“{data.root}”创建锁文件:{e.strerror or e}。请检查该目录的写入权限。") from e
    try:
        _check_file(data.db)
        try:
            migrate(data.db, data.backups)
        except sqlite3.OperationalError as e:
            raise _environment_error(data, e) from e
        except Exception as e:  # SQLAlchemy wraps sqlite3 errors
            orig = getattr(e, "orig", None)
            if isinstance(orig, sqlite3.OperationalError):
                raise _environment_error(data, orig) from e
            raise
        engine = make_engine(data.db)
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
        store = Store(data=data, engine=engine, _lock=lock)
    except BaseException:
        lock.release()
        raise
    return store


def _environment_error(data: DataDir, e: sqlite3.OperationalError) -> UserError:
    msg = str(e).lower()
    if "readonly" in msg or "read-only" in msg:
        return UserError(
            f"数据目录“{data.root}”是只读的,无法保存数据。请换一个可写的目录(--data-dir),或请管理员开放写入权限。"
        )
    if "disk is full" in msg or "full" in msg:
        return UserError(f"磁盘已满,无法写入“{data.db}”。请清理磁盘空间后重试;已有数据未受影响。")
    return UserError(f"无法打开数据文件“{data.db}”:{e}。请检查磁盘和权限。")
