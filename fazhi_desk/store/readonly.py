"""Read-only mode: a data directory whose folder refuses writes can still be listed, shown and reported.

A data folder on a read-only disk, a write-protected U盘, or a folder without write
permission used to fail every command (a leftover ``-shm`` could not be removed, the
lock file could not be created: 程序内部错误). Such a folder is now opened read-only:

* nothing is written: no lock file, no temp clean-up, no marker, no migration;
* the database file is read as it is (``immutable``: SQLite creates no ``-shm`` or
  ``-wal`` and ignores a leftover ``-shm``), with ``query_only`` on, so every write
  is refused by SQLite as a read-only database: the store's usual Chinese message
  ("…是只读的,数据无法保存。请…");
* a database that still needs its ``-wal`` applied, or a migration, cannot be read
  without writing: refused with a message saying why and what to do.

Only the folder decides (a writable folder with a read-only database file is the usual
store, which refuses the write and recovers when the file is writable again).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text

from fazhi_desk.errors import UserError
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)


def folder_is_read_only(root: Path) -> bool:
    """Whether the data folder refuses new files (read-only mount, no write permission, immutable folder)."""
    try:
        return root.is_dir() and not os.access(root, os.W_OK)
    except OSError:
        return False


def notice(data: DataDir) -> str:
    """The line the command line prints when it works on a read-only data directory."""
    return (f"注意:数据目录“{data.root}”是只读的,已按只读方式打开:可以查看、列出和导出报告,不能保存任何修改。"
            "如需修改,请开放该文件夹的写入权限(或把整个数据目录复制到可写的位置,用 --data-dir 指定)。")


def _refuse(data: DataDir, why: str) -> UserError:
    return UserError(f"数据目录“{data.root}”是只读的\uff0c{why}。程序没有改动任何文件。"
                     "请开放该文件夹的写入权限\uff08或把整个数据目录复制到可写的位置\uff0c用 --data-dir 指定\uff09后重试。")


def open_read_only(data: DataDir) -> Engine:
    """An engine that reads the database in the read-only folder ``data`` and refuses every write."""
    from fazhi_desk.store import db as _db

    db, wal = data.db, _db.wal_path(data.db)
    if _db._size(db) == 0:
        signs = _db.used_before(data)
        if signs:
            _db.prepare_file(data)  # the damaged-workspace message (it writes nothing for a missing database)
        raise _refuse(data, f"其中还没有数据文件“{db.name}”,无法新建")
    _db._check_magic(db, data.backups)
    if _db._size(wal) > 0:
        raise _refuse(data, f"而上次使用没有正常关闭(留有“{wal.name}”),要先把它写回数据文件才能读取")
    current = _db._current_revision(db)
    if current != _db.HEAD_REVISION:
        raise _refuse(data, f"而数据文件需要升级到当前版本(数据库版本 {current} → {_db.HEAD_REVISION})才能打开")
    _db._check_file(db, backups=data.backups)
    uri = f"{db.resolve().as_uri()}?immutable=1"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    def pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    engine = create_engine("sqlite://", creator=connect, future=True, poolclass=_db.OneConnectionPool,
                           pool_timeout=_db.POOL_TIMEOUT)
    event.listen(engine, "connect", pragmas)
    try:
        with engine.connect() as c:
            c.execute(text("SELECT 1"))
    except BaseException:
        engine.dispose()
        raise
    log.warning("data directory %s is read-only: opened read-only", data.root)
    return engine


def workspace_id(engine: Engine) -> str | None:
    from fazhi_desk.store.db import ID_KEY

    with engine.connect() as c:
        return c.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": ID_KEY}).scalar()
