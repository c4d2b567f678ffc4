"""SQLite's refusals as Chinese messages: the one place that knows SQLite's error codes.

Errors are classified by SQLite's extended result code (``sqlite3.Error.sqlite_errorcode``
and ``sqlite_errorname``, Python 3.11), never by the message text: busy or locked
by another program, read-only (file, folder, or a read-only ``-shm`` left behind),
disk full (or a file-size limit), I/O error, damaged file, not a database.
Everything above ``store/`` calls :func:`user_error` (or :func:`translate`) and
never sees a ``sqlite3`` exception.

:func:`classify` is the one judgement the command line and the window share: an
exception is either a message for the user (a :class:`UserError`, a refusal of the
store, the disk refusing a write, the store's one connection not coming free) or
a bug (``None``: log it and say 内部错误).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from fazhi_desk.errors import DiskFullError, StoreError, UserError

log = logging.getLogger(__name__)

# Primary result codes (the low byte of an extended code).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_PROTOCOL = 15
SQLITE_TOOBIG = 18
SQLITE_NOTADB = 26

NOTHING_CHANGED = "本次操作没有改动任何数据。"


def _driver_error(exc: BaseException | None, kind: type[BaseException]):  # noqa: ANN202 - a ``kind`` or None
    """The ``kind`` error inside ``exc``: itself, SQLAlchemy's ``.orig``, or one of its causes."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, kind):
            return exc
        orig = getattr(exc, "orig", None)
        if isinstance(orig, kind):
            return orig
        exc = exc.__cause__ or exc.__context__
    return None


def sqlite_error_of(exc: BaseException | None) -> sqlite3.Error | None:
    """The ``sqlite3`` error inside ``exc`` (itself, SQLAlchemy's ``.orig``, or a cause), if any."""
    return _driver_error(exc, sqlite3.Error)


def error_code(exc: BaseException) -> tuple[int, str]:
    """(extended result code, its name) of a sqlite3 error; (0, "") when SQLite gave none."""
    e = sqlite_error_of(exc)
    if e is None:
        return 0, ""
    return int(getattr(e, "sqlite_errorcode", 0) or 0), str(getattr(e, "sqlite_errorname", "") or "")


def _disk_full(db: Path) -> DiskFullError:
    size = 0
    for p in (db, db.with_name(db.name + "-wal")):
        try:
            size += p.stat().st_size
        except OSError:
            pass
    # A write may need room for the WAL to grow and for SQLite's temp files: a tenth of the store, 10 MB at least.
    return DiskFullError.for_path(db, needed=max(10 << 20, size // 10), what=f"保存到数据文件“{db}”")


def user_error(exc: BaseException, db: Path | str) -> UserError | None:
    """A Chinese message for a SQLite error about the store file ``db``; None if ``exc`` is not one we know."""
    db = Path(db)
    code, name = error_code(exc)
    if not code:
        return None
    primary = code & 0xFF
    if primary == SQLITE_FULL:
        return _disk_full(db)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreError(
            f"数据文件“{db}”正被其他程序占用\uff08例如另一个数据库工具或备份软件正在读写它\uff09。"
            f"请关闭那个程序后重试。{NOTHING_CHANGED}", code=name)
    if primary in (SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PERM) and _not_writable(db):
        primary, name = SQLITE_READONLY, name or "SQLITE_READONLY"  # e.g. IOERR_LOCK on a file opened read-only
    if primary == SQLITE_READONLY:
        if name in ("SQLITE_READONLY_DBMOVED",):
            return StoreError(
                f"数据文件“{db}”在程序运行期间被移动、改名或替换。请关闭程序后重新打开。{NOTHING_CHANGED}", code=name)
        if name in ("SQLITE_READONLY_CANTINIT", "SQLITE_READONLY_RECOVERY", "SQLITE_READONLY_CANTLOCK"):
            return StoreError(
                f"数据文件“{db}”旁的辅助文件\uff08“{db.name}-shm”或“{db.name}-wal”\uff09是只读的\uff0c数据无法保存。"
                "请关闭程序\uff0c确认这两个文件和所在文件夹可写\uff08或删除只读的“-shm”文件\uff09后重新打开。"
                f"{NOTHING_CHANGED}", code=name)
        return StoreError(
            f"数据文件“{db}”或它所在的文件夹是只读的\uff0c数据无法保存。请取消该文件的“只读”属性或开放文件夹的写入权限\uff0c"
            f"然后关闭程序重新打开\uff1b也可以换一个可写的数据目录\uff08--data-dir\uff09。{NOTHING_CHANGED}", code=name)
    if primary == SQLITE_IOERR:
        if name in ("SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_IOERR_TRUNCATE",
                    "SQLITE_IOERR_SHMSIZE", "SQLITE_IOERR_SHMMAP") and _looks_full(db):
            return _disk_full(db)
        return StoreError(
            f"读写数据文件“{db}”时磁盘出错\uff08{name}\uff09。请检查磁盘\uff08或 U 盘、移动硬盘\uff09是否连接正常、空间是否充足\uff0c"
            f"然后重试\uff1b若反复出现\uff0c请从“备份”恢复。{NOTHING_CHANGED}", code=name)
    if primary == SQLITE_CORRUPT:
        return StoreError(
            f"数据文件“{db}”已损坏\uff08{name}\uff09\uff0c程序不能继续使用它。程序没有改动它。"
            f"请从“{db.parent / 'backups'}”中的备份恢复。", code=name)
    if primary == SQLITE_NOTADB:
        return StoreError(
            f"数据文件“{db}”不是本程序的数据库\uff08文件已损坏或被其他文件替换\uff09。程序没有改动它。"
            f"请从“{db.parent / 'backups'}”中的备份恢复\uff0c或另选一个数据目录\uff08--data-dir\uff09。", code=name)
    if primary in (SQLITE_CANTOPEN, SQLITE_PERM):
        return StoreError(
            f"无法打开数据文件“{db}”\uff08{name}\uff09\uff1a文件或所在文件夹不存在、没有访问权限\uff0c或被其他程序锁定。"
            "请检查数据目录的权限后重试。", code=name)
    if primary == SQLITE_PROTOCOL:
        return StoreError(f"数据文件“{db}”正被其他程序频繁读写\uff0c暂时无法使用。请稍候重试。{NOTHING_CHANGED}", code=name)
    return None


def _pool_timeout(exc: BaseException) -> bool:
    """SQLAlchemy's pool gave up waiting for the store's one connection (another operation kept it)."""
    try:
        from sqlalchemy.exc import TimeoutError as PoolTimeout
    except ImportError:  # pragma: no cover - SQLAlchemy is a dependency
        return False
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, PoolTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _store_busy(db: Path | None) -> StoreError:
    place = f"数据文件“{db}”" if db is not None else "数据库"
    return StoreError(
        f"{place}正被本程序的另一项操作\uff08如备份、导出或导入\uff09长时间占用\uff0c本次操作等待超时。"
        f"请等那项操作完成后重试。{NOTHING_CHANGED}", code="POOL_TIMEOUT")


def classify(exc: BaseException, db: Path | str | None = None, root: Path | str | None = None) -> UserError | None:
    """The message for the user that ``exc`` amounts to, or None when it is a bug.

    ``db`` is the store's database file (named in the message), ``root`` the data directory
    (named when a full disk has no file name of its own). The command line and the window
    both ask this; neither decides alone.
    """
    import errno

    if isinstance(exc, UserError):
        return exc
    ue = server_error(exc)
    if ue is not None:
        return ue
    if db is not None:
        ue = user_error(exc, db)
        if ue is not None:
            return ue
    if _pool_timeout(exc):  # any store: its connections did not come free in time
        return _store_busy(Path(db) if db is not None else None)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1),
                                                  getattr(errno, "EFBIG", -1)):
        return DiskFullError.for_path(exc.filename or root or db or ".")
    return None


def _not_writable(db: Path) -> bool:
    """The file (or, for its journal, the folder) refuses writes: mode bits, immutable flag, read-only mount."""
    import os

    try:
        return (db.exists() and not os.access(db, os.W_OK)) or not os.access(db.parent, os.W_OK)
    except OSError:
        return False


def _looks_full(db: Path) -> bool:
    from fazhi_desk.errors import free_bytes

    free = free_bytes(db.parent)
    return free is not None and free < (1 << 20)


def translate(exc: BaseException, db: Path | str) -> BaseException:
    """The :class:`UserError` for a SQLite error, else ``exc`` itself (a bug)."""
    if isinstance(exc, UserError):
        return exc
    ue = user_error(exc, db)
    if ue is None and _pool_timeout(exc):
        ue = _store_busy(Path(db))
    if ue is None:
        return exc
    log.warning("store error on %s: %s (%s)", db, sqlite_error_of(exc) or exc, error_code(exc)[1] or type(exc).__name__)
    return ue


@contextmanager
def sqlite_errors(db: Path | str) -> Iterator[None]:
    """Turn SQLite's errors raised inside the block into Chinese :class:`UserError` messages."""
    try:
        yield
    except UserError:
        raise
    except Exception as e:
        t = translate(e, db)
        if t is e:
            raise
        raise t from e


# ----------------------------------------------------------------------------- a PostgreSQL server's refusals

#: The server the open store is on (host:port/database), named when an error does not carry its own.
_current_server: list[str] = []


def set_current_server(where: str | None) -> None:
    """Record (or forget, with None) the server of the open store, for messages about it."""
    _current_server[:] = [where] if where else []


def server_error_of(exc: BaseException | None):  # noqa: ANN201 - psycopg.Error | None
    """The ``psycopg`` error inside ``exc`` (itself, SQLAlchemy's ``.orig``, or a cause), if any."""
    import sys

    psycopg = sys.modules.get("psycopg")
    return None if psycopg is None else _driver_error(exc, psycopg.Error)


def _where_of(e, where: str | None) -> tuple[str, str]:  # noqa: ANN001
    """(server, user) for the message: from the failed connection, else the store's (never a password)."""
    user = ""
    pgconn = getattr(e, "pgconn", None)
    if pgconn is not None:
        try:
            host = (pgconn.host or b"").decode("utf-8", "replace")
            port = (pgconn.port or b"").decode("utf-8", "replace")
            db = (pgconn.db or b"").decode("utf-8", "replace")
            user = (pgconn.user or b"").decode("utf-8", "replace")
            if host and not where:
                where = f"{host}{':' + port if port and port != '5432' else ''}/{db}"
        except Exception:  # noqa: BLE001 - a finished connection may refuse; the store's place is enough
            pass
    if not where:
        where = _current_server[0] if _current_server else "数据库服务器"
    return where, user


_UNREACHABLE = ("connection refused", "could not connect", "failed to resolve host", "name or service not known",
                "timeout expired", "timed out", "no route to host", "network is unreachable",
                "could not translate host name", "connection is lost", "server closed the connection",
                "consuming input failed", "connection is closed", "the connection is closed", "ssl syscall error",
                "connection reset", "broken pipe", "terminating connection", "server conn crashed",
                "the database system is starting up", "the database system is shutting down",
                "the database system is in recovery mode")
_BAD_PASSWORD = ("password authentication failed", "no password supplied", "密码认证失败", "认证失败",
                 "fe_sendauth", "authentication failed")
_NO_DB = ('database "', "数据库 \"")


def server_error(exc: BaseException, where: str | None = None) -> UserError | None:
    """A Chinese message for a PostgreSQL server's refusal, naming the server (``host:port/db``); None if not one.

    By SQLSTATE where the server sent one, else (a connection that failed before the server
    answered) by libpq's text: unreachable or stopped, wrong password, no such database, no
    permission, disk full, too many connections, a conflict with another desk.
    """
    e = server_error_of(exc)
    if e is None:
        return None
    where, user = _where_of(e, where)
    state = str(getattr(e, "sqlstate", None) or "")
    text = str(e).lower()
    place = f"数据库服务器“{where}”"
    who = f"用户“{user}”" if user else "所用的数据库用户"
    if state.startswith("53") and state != "53300" or "no space left" in text or "could not extend file" in text:
        return DiskFullError(f"{place}的磁盘空间不足,数据没有保存。请通知服务器管理员清理或扩充磁盘后重试。{NOTHING_CHANGED}",
                             where=where)
    if state == "53300" or "too many connections" in text or "remaining connection slots" in text:
        return StoreError(f"{place}的连接数已满\uff0c暂时无法连接。请稍候重试\uff0c或请管理员调大 max_connections。{NOTHING_CHANGED}",
                          code="PG_TOO_MANY")
    if state in ("28P01", "28000") or any(s in text for s in _BAD_PASSWORD):
        return StoreError(
            f"{place}拒绝了{who}的登录\uff08用户名或密码不对\uff09。请向管理员核对用户名和密码\uff0c"
            "然后用“fazhi-desk store connect”重新连接\uff08密码只保存在本机凭据中\uff09。", code="PG_PASSWORD")
    if state == "3D000" or ("does not exist" in text and any(s in text for s in _NO_DB)):
        return StoreError(f"{place}上没有这个数据库。请管理员先建好数据库和用户\uff08见说明书“Several desks on one server”\uff09\uff0c"
                          "或检查连接地址中的数据库名。", code="PG_NO_DATABASE")
    if state == "42501" or "permission denied" in text or "权限不够" in text:
        return StoreError(
            f"{who}没有使用{place}的权限\uff08{str(e).splitlines()[-1][:120] if str(e) else state}\uff09。"
            "请管理员把这个数据库的所有者设为该用户\uff08或授予它建表和读写的全部权限\uff09\uff0c然后重试。"
            f"{NOTHING_CHANGED}", code="PG_PERMISSION")
    if state == "25006":
        return StoreError(f"{place}当前只读\uff08可能是备用服务器\uff09\uff0c数据无法保存。请连接主服务器\uff0c或请管理员检查。{NOTHING_CHANGED}",
                          code="PG_READ_ONLY")
    if state in ("40001", "40P01", "55P03"):
        return StoreError(f"另一台电脑正在同时修改相同的数据\uff0c本次保存没有生效。请稍候重试。{NOTHING_CHANGED}", code="PG_CONFLICT")
    if state.startswith("08") or state.startswith("57P") or any(s in text for s in _UNREACHABLE):
        return StoreError(
            f"无法连接{place}\uff0c或连接中断了\uff08服务器未开机、数据库服务已停止、网络不通或防火墙拦截\uff09。"
            f"{NOTHING_CHANGED}请确认服务器和网络正常\uff08可请信息化管理员检查\uff09后重试\uff1b服务器恢复后无需重启本程序。",
            code="PG_UNREACHABLE")
    return None
