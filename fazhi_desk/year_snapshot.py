"""The year the checklist showed, kept beside the store so that the next start shows it before the store is open.

Opening the store costs the import of SQLAlchemy and the ORM models (most of a start); the rows the
tree showed do not need them. When the window closes (the store closed, its files final) the rows of
the shown year are written to ``checklist-snapshot.bin`` in the data directory with the store's data
version: the size and modification time of the database file and of its ``-wal``. At the next start
they are shown at once, read-only and marked as loading, and replaced by the rows read from the store
when it is open. A snapshot whose version is not the store's (another program, another desk, a restore
or a crash wrote after it) is never shown; neither is one of another year or format, nor for a store
on a server (its data changes without this PC). It is a cache: any error reading or writing it is the
same as having none. While the window is open it is also written a few seconds after the year was
loaded or rows were read again, when no operation is unfinished (with the version of that moment: a
later write makes it stale), so that a start after a crash has one too.

The rows are plain objects with the values of :class:`fazhi_desk.services.checklist.ChecklistRow`
(its fields and derived values), made of domain types only: reading them imports no SQLAlchemy.
Unpickling is restricted to those types.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

SNAPSHOT_NAME = "checklist-snapshot.bin"
FORMAT = 1
# services.location.CONFIG_NAME: the data directory's store is on a server (not imported: it loads SQLAlchemy)
LOCATION_NAME = "store-location.json"
_ALLOWED = {"datetime": {"date", "datetime", "timedelta"}}
_ALLOWED_PREFIX = "fazhi_desk.domain."

Version = tuple[tuple[int, int] | None, ...]


class SnapshotRow:
    """A checklist row as it was shown: the same attribute names as ``ChecklistRow``, read-only."""

    snapshot = True  # not read from the store: the window offers no edit on it

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a snapshot row is read-only")

    def carried_from(self, field: str) -> int | None:
        return next((y for f, y in self.carried if f == field), None)

    def behind_schedule(self, today: dt.date) -> bool:
        from fazhi_desk.domain.activity import behind_schedule

        return behind_schedule(self.item, self.actual, self.completion, self.year, today)

    def __reduce__(self):  # noqa: ANN204 - pickled as its values
        return (SnapshotRow, (dict(self.__dict__),))


@dataclasses.dataclass(frozen=True)
class Snapshot:
    year: int
    rows: list[SnapshotRow]


def snapshot_path(data: DataDir) -> Path:
    return data.root / SNAPSHOT_NAME


def store_version(data: DataDir) -> Version | None:
    """The data version of the data directory's own store file, or None (no file, or the store is on a server)."""
    if (data.root / LOCATION_NAME).exists():
        return None
    out: list[tuple[int, int] | None] = []
    for p in (data.db, data.db.with_name(data.db.name + "-wal")):
        try:
            st = p.stat()
        except OSError:
            out.append(None)
            continue
        out.append((st.st_size, st.st_mtime_ns))
    return tuple(out) if out[0] is not None else None


def row_values(row: Any) -> dict[str, Any]:
    """A ``ChecklistRow``'s fields and derived values, with domain types only."""
    values = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    values["review"] = None  # what a 复核 changed: its type lives with the store's services; shown once loaded
    cls = type(row)
    for name in dir(cls):
        if isinstance(getattr(cls, name, None), property):
            values[name] = getattr(row, name)
    return values


def write_snapshot(data: DataDir, year: int, rows: list[Any], version: Version | None = None) -> bool:
    """Write the shown year with the store's version when ``rows`` were current (by default: now, the store
    closed). False when none was written."""
    path = snapshot_path(data)
    version = store_version(data) if version is None else version
    live = [r for r in rows if not getattr(r, "snapshot", False)]
    try:
        if version is None or not live or len(live) != len(rows):
            path.unlink(missing_ok=True)  # nothing current to keep: an old one must not be shown either
            return False
        payload = pickle.dumps((FORMAT, version, year, [SnapshotRow(row_values(r)) for r in live]),
                               protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(f"{path.name}.~{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return True
    except Exception as e:  # a cache: never a reason to fail closing the window
        log.warning("checklist snapshot not written (%s): %r", path, e)
        try:
            path.with_name(f"{path.name}.~{os.getpid()}.tmp").unlink(missing_ok=True)
        except OSError:
            pass
        return False


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module.startswith(_ALLOWED_PREFIX) or name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        if module == __name__ and name == "SnapshotRow":
            return SnapshotRow
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")


def read_snapshot(data: DataDir, year: int) -> Snapshot | None:
    """The snapshot of ``year`` if it is of the store as it is now, else None."""
    path = snapshot_path(data)
    try:
        version = store_version(data)
        if version is None or not path.is_file():
            return None
        fmt, saved, saved_year, rows = _Unpickler(io.BytesIO(path.read_bytes())).load()
    except Exception as e:  # damaged, another format: as if there were none
        log.info("checklist snapshot not used (%s): %r", path, e)
        return None
    if fmt != FORMAT or saved_year != year or tuple(saved) != version or not rows:
        return None
    return Snapshot(year, list(rows))

