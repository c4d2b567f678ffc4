"""Writing files so nothing is lost: temp names we recognise, atomic replace, Windows-safe names.

Every package may import this module (it depends on :mod:`fazhi_desk.errors` only).

* :func:`atomic_write` yields a temp path beside the target; on success the temp
  file is fsynced and renamed over the target (and the folder fsynced), on any
  error it is removed and the target is left as it was.
* Temp files are named ``<name>.~fazhi-desk-<pid>-<random>.tmp``: never a
  leading dot (Windows does not hide those), always recognisable as ours, and
  carrying the process that writes them. :func:`remove_stale_temps` deletes the
  ones whose process is gone; the next run of the same command and the
  start-up (for the data directory) call it.
* :func:`safe_file_name` is the one function that turns a user's file name
  into one every Windows and Linux file system accepts.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from fazhi_desk.errors import UserError

TEMP_TAG = ".~fazhi-desk-"
TEMP_SUFFIX = ".tmp"
_TEMP_RE = re.compile(r"^(?P<base>.*)\.~fazhi-desk-(?P<pid>\d+)-(?P<rand>[0-9a-f]+)\.tmp(?P<extra>-journal|-wal|-shm)?$")


# --------------------------------------------------------------------------- temp names


def temp_path(target: Path | str) -> Path:
    """A fresh temp name beside ``target`` that :func:`is_own_temp` recognises."""
    target = Path(target)
    base = target.name
    if len(base) > 80:  # keep the whole name well under every file system's limit
        stem, ext = os.path.splitext(base)
        base = stem[:60] + ext[:16]
    return target.with_name(f"{base}{TEMP_TAG}{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def parse_temp(name: str) -> tuple[str, int] | None:
    """(the target's name, the writing process id) of one of our temp names, else None."""
    m = _TEMP_RE.match(name)
    return (m["base"], int(m["pid"])) if m else None


def is_own_temp(name: str) -> bool:
    return parse_temp(name) is not None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id is running (our own process counts as running)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
        STILL_ACTIVE = 259
        k32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        h = k32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not h:
            return False
        try:
            code = ctypes.c_ulong()
            return bool(k32.GetExitCodeProcess(h, ctypes.byref(code))) and code.value == STILL_ACTIVE
        finally:
            k32.CloseHandle(h)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    # A zombie (killed, not yet reaped by its parent) owns nothing any more.
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return True


def remove_stale_temps(folder: Path | str, base: str | None = None, *, all_but_ours: bool = False) -> list[Path]:
    """Delete our temp files in ``folder`` whose writing process has ended; returns what was removed.

    ``base`` limits it to the temps of one target name (the next run of the same
    command). ``all_but_ours`` also removes temps of live processes other than
    this one: for the data directory, whose lock proves no other process uses it.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        parsed = parse_temp(e.name)
        # a temp of one of our temps (a writer that itself writes atomically) belongs to the same target
        if parsed is None or (base is not None and parsed[0] != base and not parsed[0].startswith(base + TEMP_TAG)):
            continue
        pid = parsed[1]
        if pid == os.getpid() or (not all_but_ours and pid_alive(pid)):
            continue
        try:
            if e.is_dir(follow_symlinks=False):
                continue
            try:
                os.chmod(e.path, 0o600)
            except OSError:
                pass
            os.unlink(e.path)
            removed.append(Path(e.path))
        except FileNotFoundError:
            pass
        except OSError:
            pass
    return removed


# --------------------------------------------------------------------------- atomic write


def fsync_dir(d: Path | str) -> None:
    """Make a rename in ``d`` durable (no-op on Windows, where a directory cannot be opened)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(p: Path | str) -> None:
    fd = os.open(p, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_chunks(f: BinaryIO, buf: bytearray, check: Callable[[], None],
                read_error: Callable[[OSError], BaseException] | None = None) -> Iterator[memoryview]:
    """The rest of an open file, read into ``buf`` chunk by chunk (each a view of ``buf``, valid
    until the next one); ``check`` runs before each read (a cancel raises there). An ``OSError``
    of a read is raised as ``read_error(e)`` when given."""
    mv = memoryview(buf)
    while True:
        check()
        try:
            k = f.readinto(buf)
        except OSError as e:
            if read_error is None:
                raise
            raise read_error(e) from e
        if not k:
            return
        yield mv[:k]


def write_error(e: OSError, path: Path) -> UserError:
    """The operating system's refusal to write ``path`` as a Chinese message that says what to do."""
    from fazhi_desk.errors import DiskFullError

    if isinstance(e, PermissionError) or e.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        if path.exists() and not path.is_dir():
            return UserError(
                f"无法写入“{path}”\uff1a文件正被其他程序打开\uff08例如 Excel 或 WPS\uff09\uff0c或者是只读文件。请关闭该文件后重试。"
            )
        return UserError(f"无法在文件夹“{path.parent}”中写入文件\uff1a没有写入权限。请换一个文件夹\uff08例如“文档”\uff09后重试。")
    if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), getattr(errno, "EFBIG", -1)):
        return DiskFullError.for_path(path)
    if e.errno == errno.EROFS:
        return UserError(f"“{path.parent}”所在的磁盘是只读的\uff0c无法写入。请换一个磁盘或文件夹后重试。")
    if isinstance(e, FileNotFoundError) or e.errno == errno.ENOENT:
        return UserError(f"文件夹“{path.parent}”不存在。请选择一个已存在的文件夹。")
    return UserError(f"无法写入“{path}”\uff1a{e.strerror or e}。请检查磁盘和权限后重试。")


@contextmanager
def atomic_write(path: Path | str, *, clean_stale: bool = True) -> Iterator[Path]:
    """Yield a temp path beside ``path``; when the block succeeds, fsync it and rename it to ``path``.

    Any exception inside the block (a cancel included) removes the temp file and
    leaves ``path`` as it was. OS errors of the final steps become :class:`UserError`.
    Stale temps of the same target left by a killed earlier run are removed first.
    """
    path = Path(path)
    if clean_stale:
        remove_stale_temps(path.parent, path.name)
    tmp = temp_path(path)
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o644)
        os.close(fd)
    except OSError as e:
        raise write_error(e, path) from e
    try:
        yield tmp
        try:
            fsync_file(tmp)
            os.replace(tmp, path)
        except OSError as e:
            raise write_error(e, path) from e
        fsync_dir(path.parent)
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:  # pragma: no cover - Windows may hold it briefly
                pass


def write_bytes_atomic(path: Path | str, data: bytes) -> Path:
    """``path.write_bytes(data)``, atomically (see :func:`atomic_write`)."""
    path = Path(path)
    with atomic_write(path) as tmp:
        try:
            tmp.write_bytes(data)
        except OSError as e:
            raise write_error(e, path) from e
    return path


# --------------------------------------------------------------------------- file names

_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str, *, limit: int | None = None, max_bytes: int | None = 200, fallback: str = "_") -> str:
    """A name every Windows and Linux file system accepts, as close to ``name`` as possible.

    Characters Windows refuses and control characters become ``_``, direction controls
    (U+202E …) are written out visibly (``[U+202E]``); trailing dots and
    spaces go; a reserved device name (CON, NUL, COM1…) gets a leading ``_``. The result
    keeps its extension and is at most ``limit`` characters (when given) and
    ``max_bytes`` UTF-8 bytes.
    """
    from fazhi_desk.safetext import show_controls

    # a right-to-left override would show "\u202efdp.exe" as "exe.pdf": written out as [U+202E]
    n = show_controls(unicodedata.normalize("NFC", name)).replace("\n", " ").replace("\r", " ")
    n = _BAD_CHARS.sub("_", n).strip().rstrip(". ")
    if not n:
        n = fallback
    stem, ext = os.path.splitext(n)
    if len(ext) > 12 or not stem:
        stem, ext = n, ""
    if limit is not None and len(stem) + len(ext) > limit:
        stem = stem[: max(1, limit - len(ext))].rstrip(". ") or "_"
    while max_bytes is not None and len((stem + ext).encode("utf-8")) > max_bytes and len(stem) > 1:
        stem = stem[:-1]
    n = stem + ext
    if n.split(".")[0].upper() in _RESERVED:
        n = "_" + n
    return n
