"""Writing an output file safely: a temp file beside the target, fsync, then os.replace.

A failure or a cancel leaves nothing under the final name (and no temp file);
the operating system's refusals become Chinese messages that name the file and
say what to do (a report still open in Excel is the usual one).
"""

from __future__ import annotations

import errno
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from fazhi_desk.errors import UserError


def output_error(e: OSError, path: Path) -> UserError:
    if isinstance(e, PermissionError) or e.errno in (errno.EACCES, errno.EPERM, errno.EBUSY):
        if path.exists() and not path.is_dir():
            return UserError(
                f"无法写入“{path}”:文件正被其他程序打开(例如 Excel 或 WPS),或者是只读文件。请关闭该文件后重试。"
            )
        return UserError(f"无法在文件夹“{path.parent}”中写入文件:没有写入权限。请换一个文件夹(例如“文档”)后重试。")
    if e.errno == errno.ENOSPC:
        return UserError(f"磁盘空间不足,无法写入“{path}”。请清理磁盘空间或换一个磁盘后重试。")
    if isinstance(e, FileNotFoundError) or e.errno == errno.ENOENT:
        return UserError(f"文件夹“{path.parent}”不存在。请选择一个已存在的文件夹。")
    return UserError(f"无法写入“{path}”:{e.strerror or e}。请检查磁盘和权限后重试。")


def check_writable(path: Path) -> None:
    """Refuse early (before long work) a target that is a folder, open elsewhere, or in a missing folder."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"“{path}”是一个文件夹,请输入文件名。")
    if not path.parent.is_dir():
        raise UserError(f"文件夹“{path.parent}”不存在。请选择一个已存在的文件夹。")
    if path.exists():
        try:
            with open(path, "ab"):
                pass
        except OSError as e:
            raise output_error(e, path) from e


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temp path in the target folder; on success fsync it and move it to ``path``.

    Any exception inside the block (including :class:`~fazhi_desk.jobs.Cancelled`)
    removes the temp file and leaves ``path`` as it was.
    """
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise output_error(e, path) from e
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            raise output_error(e, path) from e
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:  # pragma: no cover - Windows may hold it briefly
                pass
