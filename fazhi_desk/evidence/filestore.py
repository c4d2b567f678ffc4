"""A directory of files named by the SHA-256 of their content: put, read back, check, trash.

Layout under the root (``<data>/evidence``)::

    <sha[:2]>/<sha>        a stored file (read-only, no extension)
    part.~fazhi-desk-<pid>-<random>.tmp
                           a copy in progress (deleted when it fails; one whose process
                           has ended by the next attach, gc and the start-up)
    .trash/<YYYYMMDD>/<sha> files garbage collection moved aside (purged after 30 days)

:meth:`FileStore.put` copies and hashes in one pass into a temp file in the root,
checks that the byte count matches the source and that the source did not change
during the copy, fsyncs it and only then renames it to its final name (and
fsyncs the folder). For batches, :meth:`FileStore.stage` and
:meth:`FileStore.commit` split this so many small files are fsynced in parallel. A crash,
a read error, a full disk or a cancel therefore never leaves a half file under a
real name. Errors of the environment are :class:`~fazhi_desk.errors.UserError`
subclasses with a Chinese message naming the file.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import re
import shutil
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Literal, Sequence

from fazhi_desk.errors import UserError
from fazhi_desk.fileio import fsync_dir as _fsync_dir
from fazhi_desk.fileio import is_own_temp, read_chunks, remove_stale_temps, temp_path
from fazhi_desk.jobs import JobContext

CHUNK_SIZE = 4 << 20  # 4 MiB: large enough for disk speed, small enough for a prompt cancel
LEGACY_TMP_PREFIX = ".part-"  # temp names of earlier versions
PART_NAME = "part"  # copies in progress are temp files of this name (see fazhi_desk.fileio.temp_path)
TRASH_DIR = ".trash"
TRASH_KEEP_DAYS = 30
STALE_TEMP_SECONDS = 3600
FSYNC_THREADS = 8

_SHA_RE = re.compile(r"[0-9a-f]{64}")

Opener = Callable[[str], BinaryIO]
ByteCallback = Callable[[int], None]
CheckResult = Literal["ok", "missing", "altered", "unreadable"]


def os_error_text(e: OSError) -> str:
    """A short Chinese phrase for what went wrong at the OS level."""
    winerr = getattr(e, "winerror", None)
    if winerr in (32, 33):
        return "文件正被其他程序占用"
    code = e.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "磁盘空间不足"
    if code == errno.EROFS:
        return "磁盘是只读的"
    if code in (errno.EACCES, errno.EPERM):
        return "没有访问权限"
    if code == errno.ENOENT:
        return "文件不存在"
    if code == errno.ENOTDIR:
        return "路径中有一项不是文件夹"
    if code == errno.EISDIR:
        return "这是一个文件夹"
    if code == errno.EIO:
        return "读写出错(磁盘、U 盘或网络盘故障)"
    if code == errno.ENAMETOOLONG:
        return "路径太长"
    return e.strerror or str(e) or type(e).__name__


class SourceReadError(UserError):
    """The file to attach could not be read (vanished, unreadable, locked)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"无法读取“{path}”:{reason}。请确认文件存在、可以打开且未被其他程序占用,然后重试。")


class SourceChanged(UserError):
    """The source file changed size or modification time while it was being copied."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.reason = "复制过程中文件被修改或截断"
        super().__init__(
            f"“{path}”在复制过程中被修改或截断(例如仍在下载或扫描)。请等它保存完毕后重新添加。"
        )


class StoreWriteError(UserError):
    """The evidence directory (or a save-as target) could not be written."""

    def __init__(self, where: Path | str, e: OSError, needed: int | None = None) -> None:
        from fazhi_desk.errors import DiskFullError

        self.where = str(where)
        self.errno = e.errno
        self.reason = os_error_text(e)
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), getattr(errno, "EFBIG", -1)):
            msg = DiskFullError.for_path(where, needed=needed, what=f"写入“{where}”").message + "没有留下不完整的文件。"
        else:
            msg = (f"无法写入“{where}”({self.reason})。请检查该目录是否存在、是否可写,"
                   "或请管理员开放写入权限;没有留下不完整的文件。")
        super().__init__(msg)


class StoredFileDamaged(UserError):
    """A stored file is missing or no longer matches its hash."""


def _unreadable(src: Path) -> Callable[[OSError], StoredFileDamaged]:
    """The error of a stored file that cannot be read."""
    return lambda e: StoredFileDamaged(f"无法读取存储的佐证材料“{src}”:{os_error_text(e)}。")


@dataclass(frozen=True)
class Staged:
    """A file copied into a temp file of the store, not yet fsynced or named."""

    tmp: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class PutResult:
    sha256: str
    size: int
    created: bool  # False: identical content was already stored
    repaired: bool = False  # the stored copy was damaged and has been replaced by this one


def _os_path(p: Path | str) -> str:
    """The path to hand to the OS; on Windows long paths get the ``\\\\?\\`` prefix."""
    s = os.fspath(p)
    if sys.platform == "win32" and len(s) >= 240 and not s.startswith("\\\\?\\"):
        s = os.path.abspath(s)
        s = "\\\\?\\UNC\\" + s[2:] if s.startswith("\\\\") else "\\\\?\\" + s
    return s


def _fsync_path(p: str) -> None:
    fd = os.open(p, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _parallel(fn: Callable[[Any], None], args: Sequence[Any]) -> list[OSError | None]:
    """Run ``fn`` over ``args`` in a few threads (parallel fsyncs share journal commits); OSErrors per arg."""

    def one(a: Any) -> OSError | None:
        try:
            fn(a)
        except OSError as e:
            return e
        return None

    if len(args) <= 1:
        return [one(a) for a in args]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(FSYNC_THREADS, len(args))) as ex:
        return list(ex.map(one, args))




def _default_opener(path: str) -> BinaryIO:
    return open(path, "rb", buffering=0)


def _unlink_quietly(p: Path | str) -> None:
    try:
        os.chmod(p, stat.S_IWRITE | stat.S_IREAD)
    except OSError:
        pass
    try:
        os.unlink(p)
    except FileNotFoundError:
        pass
    except OSError:
        pass


def _write_all(fd: int, mv: memoryview) -> None:
    while mv:
        n = os.write(fd, mv)
        mv = mv[n:]


def is_sha256(s: object) -> bool:
    """Exactly 64 lowercase hex digits (``re.fullmatch``: no trailing newline slips through)."""
    return isinstance(s, str) and _SHA_RE.fullmatch(s) is not None


class NotAHash(UserError):
    """A value that should name a stored file (a SHA-256) is anything else: it never becomes a path."""

    def __init__(self, value: object, where: str = "") -> None:
        self.value = value
        shown = repr(value) if not isinstance(value, str) else value
        shown = shown if len(shown) <= 80 else shown[:77] + "…"
        super().__init__(
            f"{where or '数据库'}中佐证材料的编号“{shown}”不是有效的 SHA-256(应为 64 位十六进制数字),"
            "可能来自被改动或恶意构造的备份、目录或工作簿。程序没有按它读写任何文件。"
            "请运行“校验佐证材料”,或从可靠的备份恢复。"
        )


def require_sha256(value: object, where: str = "") -> str:
    """``value`` if it is a SHA-256 (see :func:`is_sha256`), else :class:`NotAHash`; call before any path is built."""
    if not is_sha256(value):
        raise NotAHash(value, where)
    return value  # type: ignore[return-value]


class FileStore:
    """The evidence directory; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- locations -------------------------------------------------------
    def path(self, sha256: str) -> Path:
        """Where the file of this hash lives: the one place a hash becomes a path (:class:`NotAHash` otherwise)."""
        require_sha256(sha256)
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path(sha256).is_file()

    def sizes(self, sha256s: Iterable[str]) -> dict[str, int]:
        """The stored size of each of these files that exists (absent ones are left out).

        One ``os.stat`` on a string path each: a report checks 50,000 files, and building a
        ``Path`` per file cost more than the system call.
        """
        root = os.fspath(self.root)
        sep = os.sep
        out: dict[str, int] = {}
        for sha in sha256s:
            if not is_sha256(sha):
                continue
            try:
                out[sha] = os.stat(f"{root}{sep}{sha[:2]}{sep}{sha}").st_size
            except OSError:
                pass
        return out

    @property
    def trash_root(self) -> Path:
        return self.root / TRASH_DIR

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self.root.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(self.root))
        except OSError as e:
            raise StoreWriteError(self.root, e) from e

    # --- writing -----------------------------------------------------------
    def put(
        self,
        ctx: JobContext,
        src: Path | str,
        *,
        on_bytes: ByteCallback | None = None,
        opener: Opener | None = None,
        chunk_size: int | None = None,
    ) -> PutResult:
        """Copy ``src`` into the store (one pass: read, hash, write), or find it already there.

        Raises :class:`SourceReadError`, :class:`SourceChanged`,
        :class:`StoreWriteError` or :class:`~fazhi_desk.jobs.Cancelled`; in every
        such case no temp file remains and no final name was created.
        """
        staged = self.stage(ctx, src, on_bytes=on_bytes, opener=opener, chunk_size=chunk_size)
        (result,) = self.commit(ctx, [staged])
        if isinstance(result, BaseException):
            raise result
        return result

    def stage(
        self,
        ctx: JobContext,
        src: Path | str,
        *,
        on_bytes: ByteCallback | None = None,
        opener: Opener | None = None,
        chunk_size: int | None = None,
    ) -> "Staged":
        """First half of :meth:`put`: copy and hash into a temp file (not yet fsynced, no final name).

        Many small files are staged and then committed together, so their fsyncs
        run in parallel (one fsync after another costs milliseconds per file).
        On any error or cancel the temp file is removed before raising.
        """
        src_s = _os_path(src)
        try:
            st0 = os.stat(src_s)
        except OSError as e:
            raise SourceReadError(src, "文件不存在或快捷方式已失效" if e.errno == errno.ENOENT else os_error_text(e)) from e
        if stat.S_ISDIR(st0.st_mode):
            raise SourceReadError(src, "这是一个文件夹,不是文件")
        if not stat.S_ISREG(st0.st_mode):
            raise SourceReadError(src, "不是普通文件")
        self._ensure_root()
        tmp = str(temp_path(self.root / PART_NAME))
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR | getattr(os, "O_BINARY", 0), 0o600)
        except OSError as e:
            raise StoreWriteError(self.root, e, needed=st0.st_size) from e
        size = chunk_size or CHUNK_SIZE
        try:
            h = hashlib.sha256()
            n = 0
            try:
                f_in = (opener or _default_opener)(src_s)
            except OSError as e:
                raise SourceReadError(src, os_error_text(e)) from e
            with f_in:
                for chunk in read_chunks(f_in, bytearray(size), ctx.check,
                                         lambda e: SourceReadError(src, os_error_text(e))):
                    h.update(chunk)
                    try:
                        _write_all(fd, chunk)
                    except OSError as e:
                        raise StoreWriteError(self.root, e, needed=st0.st_size) from e
                    n += len(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
            try:
                os.close(fd)
            except OSError as e:
                fd = -1
                raise StoreWriteError(self.root, e, needed=st0.st_size) from e
            fd = -1
            ctx.check()
            try:
                st1 = os.stat(src_s)
            except OSError as e:
                raise SourceReadError(src, "复制过程中文件被删除或移走") from e
            if n != st0.st_size or st1.st_size != n or st1.st_mtime_ns != st0.st_mtime_ns:
                raise SourceChanged(src)
            return Staged(Path(tmp), h.hexdigest(), n)
        except BaseException:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
            _unlink_quietly(tmp)
            raise

    def abandon(self, staged: Sequence["Staged"]) -> None:
        """Remove staged temp files that will not be committed (cancel, failure)."""
        for st in staged:
            _unlink_quietly(st.tmp)

    def commit(self, ctx: JobContext, staged: Sequence["Staged"]) -> list["PutResult | StoreWriteError"]:
        """Second half of :meth:`put`: fsync the temp files (in parallel), then give them their final names.

        Returns, per staged file, a :class:`PutResult` or the :class:`StoreWriteError`
        that kept it out (its temp file is removed). A cancel before the renames
        removes every temp file and raises :class:`~fazhi_desk.jobs.Cancelled`.
        """
        staged = list(staged)
        try:
            errors = _parallel(_fsync_path, [str(st.tmp) for st in staged])
            ctx.check()
        except BaseException:
            self.abandon(staged)
            raise
        results: list[PutResult | StoreWriteError] = []
        dirs: set[Path] = set()
        for i, (st, err) in enumerate(zip(staged, errors)):
            if err is not None:
                _unlink_quietly(st.tmp)
                results.append(StoreWriteError(self.root, err))
                continue
            try:
                r = self._place(ctx, st)
            except StoreWriteError as e:
                _unlink_quietly(st.tmp)
                results.append(e)
                continue
            except BaseException:
                self.abandon(staged[i:])
                raise
            if r.created or r.repaired:
                dirs.add(self.path(r.sha256).parent)
            results.append(r)
        _parallel(_fsync_dir, sorted(dirs))
        return results

    def _place(self, ctx: JobContext, st: "Staged") -> PutResult:
        tmp, sha, n = st.tmp, st.sha256, st.size
        try:
            on_disk = os.path.getsize(tmp)
        except OSError as e:
            raise StoreWriteError(self.root, e) from e
        if on_disk != n:  # what the disk says it holds is what we read
            raise StoreWriteError(self.root, OSError(errno.EIO, "size mismatch"))
        final = self.path(sha)
        repaired = False
        if final.is_file():
            if self._matches(ctx, final, sha, n):
                try:
                    os.utime(final)  # fresh mtime: gc's grace period covers a dedupe in progress
                except OSError:
                    pass
                _unlink_quietly(tmp)
                return PutResult(sha, n, created=False)
            repaired = True
        try:
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
            if repaired:
                _unlink_quietly(final)
            os.replace(tmp, final)
        except OSError as e:
            if final.is_file() and not repaired:  # a concurrent put of the same content won
                _unlink_quietly(tmp)
                return PutResult(sha, n, created=False)
            raise StoreWriteError(self.root, e) from e
        return PutResult(sha, n, created=not repaired, repaired=repaired)

    def _matches(self, ctx: JobContext, p: Path, sha: str, size: int) -> bool:
        try:
            if p.stat().st_size != size:
                return False
            return self.hash_path(ctx, p) == sha
        except OSError:
            return False

    def discard(self, sha256: str) -> None:
        """Delete a stored file outright (used to undo a put whose database row was never committed)."""
        _unlink_quietly(self.path(sha256))

    # --- reading -----------------------------------------------------------
    def hash_path(self, ctx: JobContext, p: Path, on_bytes: ByteCallback | None = None,
                  buf: bytearray | None = None) -> str:
        """SHA-256 of a file, honouring cancel; raises OSError."""
        h = hashlib.sha256()
        with open(p, "rb", buffering=0) as f:
            for chunk in read_chunks(f, buf if buf is not None else bytearray(CHUNK_SIZE), ctx.check):
                h.update(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
        return h.hexdigest()

    def check(self, ctx: JobContext, sha256: str, size: int | None = None,
              on_bytes: ByteCallback | None = None, buf: bytearray | None = None) -> CheckResult:
        """Whether the stored file is present and still has the content its name says (a non-hash: missing)."""
        if not is_sha256(sha256):
            return "missing"
        p = self.path(sha256)
        try:
            st = p.stat()
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "unreadable"
        if not stat.S_ISREG(st.st_mode):
            return "missing"
        if size is not None and st.st_size != size:
            if on_bytes is not None:
                on_bytes(size)
            return "altered"
        try:
            actual = self.hash_path(ctx, p, on_bytes, buf)
        except FileNotFoundError:
            return "missing"
        except OSError:
            return "unreadable"
        return "ok" if actual == sha256 else "altered"

    def read_checked(self, sha256: str) -> tuple[CheckResult, bytes | None]:
        """Read a stored file whole and check it against its name: ``("ok", content)``, else ``(state, None)``."""
        if not is_sha256(sha256):
            return "missing", None
        try:
            content = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return "missing", None
        except IsADirectoryError:
            return "missing", None
        except OSError:
            return "unreadable", None
        if hashlib.sha256(content).hexdigest() != sha256:
            return "altered", None
        return "ok", content

    def copy_into(self, ctx: JobContext, sha256: str, dst: BinaryIO) -> int:
        """Write a stored file to an open stream, checking its hash on the way; returns the byte count.

        Raises :class:`StoredFileDamaged` when it is missing or its content no longer matches
        (the caller discards what was written).
        """
        src = self.path(sha256)
        h = hashlib.sha256()
        n = 0
        try:
            with open(src, "rb", buffering=0) as f:
                for chunk in read_chunks(f, bytearray(CHUNK_SIZE), ctx.check, _unreadable(src)):
                    h.update(chunk)
                    dst.write(chunk)  # an error here is the destination's: it propagates as OSError
                    n += len(chunk)
        except FileNotFoundError as e:
            raise StoredFileDamaged(f"佐证材料在存储目录中已丢失(“{src}”)。") from e
        if h.hexdigest() != sha256:
            raise StoredFileDamaged(f"存储的佐证材料“{src}”在读取过程中被改动,与添加时的内容不一致。")
        return n

    def copy_out(self, ctx: JobContext, sha256: str, dest: Path,
                 on_bytes: ByteCallback | None = None, *, read_only: bool = False) -> Path:
        """Copy a stored file to ``dest`` (temp name beside it, hash checked, fsync, rename).

        Refuses (:class:`StoredFileDamaged`) when the stored file is missing or altered,
        so a damaged copy is never handed out as the evidence.
        """
        src = self.path(sha256)
        dest = Path(dest)
        try:
            f_in = open(src, "rb", buffering=0)
        except FileNotFoundError as e:
            raise StoredFileDamaged(
                f"佐证材料在存储目录中已丢失(“{src}”)。请运行“校验佐证材料”查看受影响的事项,并重新添加原始文件。"
            ) from e
        except OSError as e:
            raise _unreadable(src)(e) from e
        with f_in:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                remove_stale_temps(dest.parent, dest.name)
                tmp = _os_path(temp_path(dest))
                fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR | getattr(os, "O_BINARY", 0), 0o600)
            except OSError as e:
                raise StoreWriteError(dest.parent, e) from e
            try:
                h = hashlib.sha256()
                for chunk in read_chunks(f_in, bytearray(CHUNK_SIZE), ctx.check, _unreadable(src)):
                    h.update(chunk)
                    try:
                        _write_all(fd, chunk)
                    except OSError as e:
                        raise StoreWriteError(dest.parent, e) from e
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                try:
                    os.fsync(fd)
                except OSError as e:
                    raise StoreWriteError(dest.parent, e) from e
                os.close(fd)
                fd = -1
                if h.hexdigest() != sha256:
                    raise StoredFileDamaged(
                        f"存储的佐证材料“{src}”已被改动,与添加时的内容不一致,未导出。"
                        "请运行“校验佐证材料”查看受影响的事项,并重新添加原始文件。"
                    )
                if read_only:
                    os.chmod(tmp, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
                try:
                    os.replace(tmp, _os_path(dest))
                except OSError as e:
                    raise StoreWriteError(dest, e) from e
            except BaseException:
                if fd >= 0:
                    os.close(fd)
                _unlink_quietly(tmp)
                raise
        return dest

    # --- enumerating and garbage --------------------------------------------
    def iter_shas(self) -> Iterator[str]:
        """Every stored file's hash (the names under the two-letter folders)."""
        try:
            shards = sorted(os.scandir(self.root), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for shard in shards:
            if len(shard.name) != 2 or not shard.is_dir(follow_symlinks=False):
                continue
            for e in os.scandir(shard.path):
                if is_sha256(e.name) and e.name[:2] == shard.name and e.is_file(follow_symlinks=False):
                    yield e.name

    def mtime(self, sha256: str) -> float:
        return self.path(sha256).stat().st_mtime

    def trash(self, sha256: str, today: dt.date | None = None) -> Path | None:
        """Move a stored file to ``.trash/<YYYYMMDD>/``; returns where, or None if it was not there."""
        p = self.path(sha256)
        if not p.exists():
            return None
        day = (today or dt.date.today()).strftime("%Y%m%d")
        d = self.trash_root / day
        d.mkdir(parents=True, exist_ok=True)
        target = d / sha256
        if target.exists():
            _unlink_quietly(target)
        os.replace(p, target)
        return target

    def restore_from_trash(self, trashed: Path) -> None:
        """Undo :meth:`trash` (used when the database commit after it failed)."""
        final = self.path(trashed.name)
        final.parent.mkdir(exist_ok=True)
        if not final.exists():
            os.replace(trashed, final)

    def clean_temps(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Delete copies left behind by a crash: those whose process has ended, and old-style ``.part-*``
        older than ``older_than`` seconds."""
        n = len(remove_stale_temps(self.root, PART_NAME))
        now = time.time()
        try:
            entries = list(os.scandir(self.root))
        except OSError:  # missing, or not a folder: the write that follows says so
            return n
        for e in entries:
            if e.name.startswith(LEGACY_TMP_PREFIX) and e.is_file(follow_symlinks=False):
                try:
                    if now - e.stat().st_mtime >= older_than:
                        _unlink_quietly(e.path)
                        n += 1
                except OSError:
                    pass
        return n

    def temp_files(self) -> list[Path]:
        try:
            return [Path(e.path) for e in os.scandir(self.root)
                    if e.name.startswith(LEGACY_TMP_PREFIX) or is_own_temp(e.name)]
        except FileNotFoundError:
            return []

    def purge_trash(self, keep_days: int = TRASH_KEEP_DAYS, today: dt.date | None = None) -> int:
        """Delete trash folders older than ``keep_days``; returns the number of files deleted."""
        today = today or dt.date.today()
        n = 0
        if not self.trash_root.is_dir():
            return 0
        for d in self.trash_root.iterdir():
            try:
                day = dt.datetime.strptime(d.name, "%Y%m%d").date()
            except ValueError:
                continue
            if (today - day).days <= keep_days:
                continue
            for f in d.iterdir():
                _unlink_quietly(f)
                n += 1
            shutil.rmtree(d, ignore_errors=True)
        return n
