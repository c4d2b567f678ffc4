"""Replacing a workspace's database and evidence folder as one step, and finishing a replacement a crash cut short.

A restore prepares the new workspace in ``<data>/~restore-new/`` (the database
and, for a full backup, ``evidence/``) and, once every file is written, checked
and fsynced, writes the marker ``~restore-new/READY``. Only then does
:func:`swap_in` move the current pieces (``fazhi-desk.sqlite3`` with its
``-wal``/``-shm``/``-journal``, and ``evidence/``) into ``<data>/~restore-old/``
and the new pieces into place, each with one rename, writes ``~restore-old/DONE``
and finally deletes both folders.

Every step can be repeated, so :func:`finish_interrupted_restore`, run under
the data directory's lock before the store is opened, decides from what is on
disk alone:

* ``~restore-new`` without ``READY``: the preparation was cut short; the current
  workspace was never touched. The folder is deleted (old workspace in full).
* ``~restore-new`` with ``READY``: the swap had begun or was about to; it is
  rolled forward (new workspace in full).
* ``~restore-old/DONE``: the swap completed; both folders are deleted.

A stale ``-wal``/``-shm`` of the old database is always moved away before the new
database is put in place, so it can never be applied to the restored file.

This module knows only file names (no SQL, no Qt): the store calls it at open.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import time
from pathlib import Path

from fazhi_desk.fileio import fsync_dir as _fsync_dir
from fazhi_desk.fileio import pid_alive
from fazhi_desk.paths import DataDir
from fazhi_desk.testpoints import pause

log = logging.getLogger(__name__)

NEW_DIR = "~restore-new"
OLD_DIR = "~restore-old"
READY = "READY"
DONE = "DONE"
DB_SUFFIXES = ("-wal", "-shm", "-journal", "")
# Temp files of a backup being written: ~fzbak-<pid>-<token>.<ext>
TEMP_PREFIX = "~fzbak-"
_TEMP_RE = re.compile(r"^~fzbak-(\d+)-")
STALE_TEMP_SECONDS = 24 * 3600




def _rmtree(p: Path) -> None:
    def onerror(func, path, _exc):  # noqa: ANN001
        try:
            os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
            func(path)
        except OSError:
            pass

    if p.exists():
        shutil.rmtree(p, onerror=onerror)


def _move_current_db_away(data: DataDir, old: Path) -> None:
    for suffix in DB_SUFFIXES:
        p = data.root / (data.db.name + suffix)
        if p.exists():
            os.replace(p, old / p.name)


def _move_current_evidence_away(data: DataDir, old: Path) -> None:
    cur = data.evidence
    if not cur.exists():
        return
    target = old / "evidence"
    n = 1
    while target.exists():  # an earlier attempt already moved one; this one is what came after
        try:
            cur.rmdir()  # empty (re-created by a start-up): nothing to keep
            return
        except OSError:
            target = old / f"evidence-{n}"
            n += 1
    os.replace(cur, target)


def swap_in(data: DataDir) -> None:
    """Put the prepared workspace in ``~restore-new`` (with ``READY``) in place of the current one.

    Idempotent: repeating it after a crash at any point finishes the job.
    """
    new = data.root / NEW_DIR
    old = data.root / OLD_DIR
    if not (new / READY).is_file():
        raise FileNotFoundError(f"{new / READY} missing: the prepared workspace is incomplete")
    old.mkdir(exist_ok=True)
    _fsync_dir(data.root)
    new_db = new / data.db.name
    if new_db.exists():
        _move_current_db_away(data, old)
        pause("swap.db_moved")
        os.replace(new_db, data.db)
    new_ev = new / "evidence"
    if new_ev.exists():
        _move_current_evidence_away(data, old)
        os.replace(new_ev, data.evidence)
    new_id = new / data.evidence_id.name  # the restored evidence's workspace id goes with it
    if new_id.exists():
        os.replace(new_id, data.evidence_id)
    _fsync_dir(data.root)
    _mark(old / DONE)  # the swap is complete: from here on only clean-up remains
    pause("swap.done")
    _clean_up(new, old)
    data.evidence.mkdir(exist_ok=True)
    _fsync_dir(data.root)


def _clean_up(new: Path, old: Path) -> None:
    """Delete both folders after a swap; ``old/DONE`` goes last, so a kill here is finished by the next start."""
    _rmtree(new)
    if old.exists():
        for p in old.iterdir():
            if p.name != DONE:
                if p.is_dir() and not p.is_symlink():
                    _rmtree(p)
                else:
                    p.unlink()
        (old / DONE).unlink(missing_ok=True)
        old.rmdir()


def _mark(p: Path) -> None:
    with open(p, "wb") as f:
        f.write(b"ok\n")
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(p.parent)


def finish_interrupted_restore(data: DataDir) -> str | None:
    """Bring a data directory a crash left mid-restore to the old or the new workspace in full.

    Call with the data directory's lock held, before the database is opened.
    Returns a short description of what was done (for the log), or None.
    """
    new = data.root / NEW_DIR
    old = data.root / OLD_DIR
    done: str | None = None
    if (old / DONE).is_file():
        _clean_up(new, old)
        data.evidence.mkdir(exist_ok=True)
        done = "removed the previous workspace of a completed restore"
    elif new.exists() and (new / READY).is_file():
        swap_in(data)
        done = "rolled an interrupted restore forward"
    elif new.exists():
        # READY is written before ~restore-old is created, so the current workspace was never touched.
        _rmtree(new)
        done = "removed an unfinished restore preparation"
    if old.exists() and not new.exists() and not (old / DONE).exists():
        try:
            old.rmdir()  # DONE is deleted last: an empty folder is a clean-up cut short
        except OSError:
            pass
    if old.exists() and not new.exists() and not (old / DONE).exists():
        log.error("%s exists without %s: left in place for inspection", old, DONE)
    if done:
        log.warning("%s in %s", done, data.root)
    return done




def remove_stale_backup_temps(folder: Path) -> int:
    """Delete ``~fzbak-<pid>-*`` temp files in ``folder`` whose process is gone (or older than a day)."""
    n = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    now = time.time()
    for e in entries:
        m = _TEMP_RE.match(e.name)
        if not m:
            continue
        try:
            old = now - e.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS
            if old or not pid_alive(int(m.group(1))):
                if e.is_dir(follow_symlinks=False):
                    _rmtree(Path(e.path))
                else:
                    os.unlink(e.path)
                n += 1
        except OSError:
            pass
    return n
