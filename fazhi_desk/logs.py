"""The log: a rotating file in the data directory (stderr when that cannot be written)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from fazhi_desk.paths import DataDir

LOG_FILE = "fazhi-desk.log"


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
            h = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
            h.setFormatter(fmt)
            root.addHandler(h)
        except OSError:
            path = None
    if path is None:
        h2 = logging.StreamHandler()
        h2.setFormatter(fmt)
        root.addHandler(h2)
    return path
