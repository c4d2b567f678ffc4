"""The log: a file in the data directory, rotated at start (stderr when that cannot be written).

Rotation happens when the log is opened (``fazhi-desk.log`` → ``.1`` … ``.5`` once it
exceeds 2 MB) rather than through ``logging.handlers``, whose import (sockets,
pickle, queues) costs the window's first paint more than the rotation is worth.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fazhi_desk.paths import DataDir

LOG_FILE = "fazhi-desk.log"
MAX_BYTES = 2_000_000
BACKUPS = 5


def _rotate(path: Path) -> None:
    """Keep the last BACKUPS logs: shift ``.n`` to ``.n+1`` and the current file to ``.1``."""
    try:
        if path.stat().st_size <= MAX_BYTES:
            return
    except OSError:
        return
    for n in range(BACKUPS - 1, 0, -1):
        older = path.with_name(f"{path.name}.{n}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{n + 1}"))
    os.replace(path, path.with_name(f"{path.name}.1"))


class _FileHandler(logging.FileHandler):
    """The log file; a record it cannot write (disk full) is remembered instead of printed as a traceback."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        self.failed = True


def record(level: int, msg: str, *args: object, exc_info: bool = False) -> bool:
    """Log one record and say whether it reached the log file (False: disk full, no log file)."""
    root = logging.getLogger("fazhi_desk")
    files = [h for h in root.handlers if isinstance(h, _FileHandler)]
    for h in files:
        h.failed = False
    root.log(level, msg, *args, exc_info=exc_info)
    for h in files:
        try:
            h.flush()
        except OSError:
            h.failed = True
    return bool(files) and not any(h.failed for h in files)


def setup_logging(data: DataDir | None) -> Path | None:
    """A rotating log file in the data directory (stderr if that cannot be written)."""
    root = logging.getLogger("fazhi_desk")
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    path: Path | None = None
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if data is not None:
        try:
            data.logs.mkdir(parents=True, exist_ok=True)
            path = data.logs / LOG_FILE
            _rotate(path)
            h = _FileHandler(path, encoding="utf-8")
            h.setFormatter(fmt)
            root.addHandler(h)
        except OSError:
            path = None
    if path is None:
        h2 = logging.StreamHandler()
        h2.setFormatter(fmt)
        root.addHandler(h2)
    return path
