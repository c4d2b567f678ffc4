"""Writing an output file safely (the helpers of :mod:`fazhi_desk.fileio`, with the report's checks).

A failure or a cancel leaves nothing under the final name (and no temp file);
the operating system's refusals become Chinese messages that name the file and
say what to do (a report still open in Excel is the usual one).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from fazhi_desk.errors import UserError
from fazhi_desk.fileio import atomic_write, write_error


def output_error(e: OSError, path: Path) -> UserError:
    return write_error(e, path)


def check_writable(path: Path) -> None:
    """Refuse early (before long work) a target that is a folder, open elsewhere, or in a missing folder."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"“{path}”是一个文件夹\uff0c请输入文件名。")
    if not path.parent.is_dir():
        raise UserError(f"文件夹“{path.parent}”不存在。请选择一个已存在的文件夹。")
    if path.exists():
        try:
            with open(path, "ab"):
                pass
        except OSError as e:
            raise output_error(e, path) from e


def atomic_output(path: Path):  # noqa: ANN201 - a context manager yielding the temp Path
    """Yield a temp path in the target folder; on success fsync it and move it to ``path``.

    Any exception inside the block (including :class:`~fazhi_desk.jobs.Cancelled`)
    removes the temp file and leaves ``path`` as it was (see :func:`fazhi_desk.fileio.atomic_write`).
    """
    return atomic_write(path)


@contextmanager
def output_file(path: Path) -> Iterator[Path]:
    """:func:`atomic_output`, with an OS error inside the block (a full disk, a file open in Excel)
    raised as the Chinese message that names ``path``."""
    with atomic_output(path) as tmp:
        try:
            yield tmp
        except OSError as e:
            raise output_error(e, path) from e
