"""Restoring a backup over the workspace: check everything first, keep the current state, swap atomically.

Order of :func:`restore_backup` (the caller has closed its store; this takes the
data directory's lock itself, so no other fazhi-desk can be using the data):

1. finish any restore a crash interrupted (:mod:`fazhi_desk.store.swap`);
2. open the backup and refuse it when damaged, not ours, too new, or larger
   than the free disk (including room for the backup of the current state);
3. extract it into ``~restore-new/`` while checking every member's SHA-256,
   then migrate the extracted database if it is older, and run
   ``integrity_check`` and ``foreign_key_check`` on it;
4. back the current workspace up (``backups/…-恢复前.fzbak``);
5. mark the prepared folder ``READY`` and swap it in (stale ``-wal``/``-shm``
   of the old database move away with it).

Any failure before step 5 removes ``~restore-new`` and leaves the workspace
exactly as it was; a kill during step 5 is rolled forward by the next start.
A database-only backup (taken before a catalogue import) replaces the database
and keeps the evidence folder; it is refused if a file it references is gone.

The store's own copy of the database taken before a migration
(``backups/fazhi-desk-<时间>-before-<rev>.sqlite3``) is a backup too: :func:`peek_backup`
describes it like a ``.fzbak`` (database only) and :func:`restore_backup` restores
it by the same steps, so every list and message can offer the newest backup of
either kind.

A full backup brings its evidence folder, so the workspace id beside the
evidence (``evidence.workspace-id``) is set to the restored database's id in the
same swap: after moving to a new PC, ``evidence gc`` proves the evidence
belongs to the database and empties the trash as usual.

After a swap, ``restored.json`` records which backup was put in place and a
fingerprint of its data; a later restore over that same, unchanged state notes
it in its before-restore backup (``after_restore``), so rotation can keep the
backup taken before the first of a run of restores.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from fazhi_desk.backup.archive import (
    DB_MEMBER,
    SPACE_MARGIN,
    Counts,
    Manifest,
    _open,
    _referenced_files,
    check_database,
    create_backup,
    describe_db,
    disk_full_error,
    estimate_size,
    read_backup,
)
from fazhi_desk.errors import StoreLockedError, UserError
from fazhi_desk.evidence.filestore import os_error_text
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.store import holder, swap
from fazhi_desk.store.backend import SqliteBackend
from fazhi_desk.testpoints import pause

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceSummary:
    """What the current workspace holds (to show beside a backup before restoring over it)."""

    exists: bool
    office: str = ""
    schema_revision: str = ""
    counts: Counts = Counts()
    catalogues: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.exists or (not self.office and self.counts.assessments == 0)

    def describe(self) -> list[str]:
        if not self.exists:
            return ["当前没有数据(新安装)。"]
        c = self.counts
        years = f"{c.years[0]}—{c.years[-1]} 年" if len(c.years) > 1 else (f"{c.years[0]} 年" if c.years else "无")
        return [
            f"单位:{self.office or '(未填写)'}",
            f"年度:{years}",
            f"检查事项 {c.items} 项,年度记录 {c.assessments} 条,佐证材料 {c.evidence_links} 处"
            f"({c.evidence_files} 个文件),变更记录 {c.change_log} 条",
            "检查目录:" + ("、".join(f"{code} 版本 {v}" for code, v in self.catalogues) or "无"),
        ]


def current_summary(data: DataDir, store: Any = None) -> WorkspaceSummary:
    """The current workspace, read-only (through ``store``'s connection when this process has it open)."""
    if not data.db.is_file() or data.db.stat().st_size == 0:
        return WorkspaceSummary(False)
    try:
        rev, office, cats, counts = describe_db(data.db, store)
    except sqlite3.DatabaseError:
        return WorkspaceSummary(True, office="(数据库无法读取)")
    return WorkspaceSummary(True, office.get("office_name", ""), rev, counts, cats)


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    before_backup: Path | None  # the backup of the state that was replaced
    migrated_from: str | None  # schema revision of an older backup that was migrated

    def text(self) -> str:
        m = self.manifest
        lines = [f"已恢复 {m.created_at:%Y-%m-%d %H:%M} 的备份({m.office_name or '未填写单位'})。"]
        if self.migrated_from:
            lines.append(f"备份来自较早的程序版本(数据库版本 {self.migrated_from}),已升级到当前版本。")
        if self.before_backup is not None:
            lines.append(f"恢复前的数据已备份到“{self.before_backup}”,如需找回可从该文件恢复。")
        return "\n".join(lines)


def _lock(data: DataDir) -> FileLock:
    """The data directory's lock: another command is waited for; a window (or this process) is named at once;
    a lock another program holds is named as such (:mod:`fazhi_desk.store.holder`)."""
    lock = FileLock(str(data.lock), timeout=0)
    try:
        holder.acquire(lock, data)
    except StoreLockedError as e:
        h = getattr(e, "holder", None)
        if h is not None and (h.ours or h.kind == "window"):
            raise StoreLockedError(
                f"数据目录“{data.root}”正被另一个法治政府建设检查台窗口使用,不能恢复。请先关闭其他窗口后重试。"
            ) from e
        raise
    holder.claim(data)  # a process that waits meanwhile knows it waits for a restore of ours
    return lock


def restore_backup(
    ctx: JobContext,
    data: DataDir,
    path: Path | str,
    *,
    backup_current: bool = True,
) -> RestoreResult:
    """Replace the workspace in ``data`` with the backup at ``path``; see the module docstring."""
    data.ensure()
    lock = _lock(data)
    try:
        return _restore_locked(ctx, data, Path(path), backup_current)
    finally:
        lock.release()


def _restore_locked(ctx: JobContext, data: DataDir, path: Path, backup_current: bool) -> RestoreResult:
    swap.finish_interrupted_restore(data)
    swap.remove_stale_backup_temps(data.backups)
    staging = data.root / swap.NEW_DIR
    current = current_summary(data)
    keep_current = backup_current and current.exists and not current.is_empty

    # Room for the extracted backup and, first, for the backup of the current state. A .fzbak's zip index and
    # manifest are read once, for this check and the extraction (a backup may hold 200,000 files).
    copy_manifest = peek_backup(path) if is_database_copy(path) else None
    reader = _open(path, None) if copy_manifest is None else None
    try:
        need = (copy_manifest or reader.manifest).total_bytes + (estimate_size(data) if keep_current else 0)
        import shutil

        try:
            free = shutil.disk_usage(data.root).free
        except OSError:
            free = None
        if free is not None and need + SPACE_MARGIN > free:
            raise disk_full_error(data.root, need)
    except BaseException:
        if reader is not None:
            reader.zf.close()
        raise

    ctx.progress(0, 1000, "正在校验并解开备份……")
    try:
        if copy_manifest is not None:
            manifest = _stage_database_copy(path, staging, copy_manifest)
        else:
            manifest = read_backup(ctx, path, staging, space_dir=data.root, reader=reader)
    except OSError as e:
        if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            raise disk_full_error(data.root, need) from e
        raise UserError(f"无法在数据目录“{data.root}”写入恢复的文件\uff1a{os_error_text(e)}。程序没有改动现有数据。") from e
    pause("restore.staged")
    try:
        new_db = staging / DB_MEMBER
        migrated_from = _migrate_if_older(new_db, manifest)
        bad = check_database(new_db)
        if bad:
            raise UserError(f"恢复出的数据库检查未通过\uff08{bad}\uff09。程序没有改动现有数据。请换一个备份文件。")
        if not manifest.evidence_included:
            _require_current_evidence(data, new_db)
        else:
            _stage_evidence_id(new_db, staging)
        new_print = _fingerprint(new_db)
        ctx.check()
        before: Path | None = None
        if keep_current:
            ctx.progress(0, 1000, "正在备份当前数据……")
            from fazhi_desk.backup.auto import prune

            before = create_backup(ctx, data, reason="before-restore", after_restore=_unchanged_since_restore(data)).path
            prune(data)
        ctx.check()
        ctx.progress(1000, 1000, "正在替换数据……")
        swap._mark(staging / swap.READY)
    except BaseException:
        swap._rmtree(staging)
        raise
    # From here on the new workspace wins, even if this process dies: the next start rolls forward.
    pause("restore.ready")
    SqliteBackend.for_data_dir(data).replace(staging / DB_MEMBER)  # READY is marked: one rename per piece
    _record_restore(data, path, new_print)
    log.info("restored %s into %s (before-restore backup %s)", path, data.root, before)
    return RestoreResult(manifest, before, migrated_from)


# ---------------------------------------------------------------- the store's pre-migration copies


def is_database_copy(path: Path | str) -> bool:
    """Whether ``path`` is a plain SQLite database file (the store's copy taken before a migration)."""
    from fazhi_desk.store.db import SQLITE_MAGIC

    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


_STAMP_RE = re.compile(r"-(\d{8}-\d{6})-")


def _database_copy_manifest(path: Path) -> Manifest:
    """A database copy described as a database-only backup (its time from its name, as written when made)."""
    from fazhi_desk import __version__
    from fazhi_desk.backup.archive import Member, _check_schema

    m = _STAMP_RE.search(path.name)
    try:
        when = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S") if m else None
    except ValueError:
        when = None
    if when is None:
        when = dt.datetime.fromtimestamp(path.stat().st_mtime)
    bad = check_database(path)
    rev, office, cats, counts, ws = "", {}, (), Counts(), ""
    if bad is None:
        try:
            rev, office, cats, counts = describe_db(path)
            ws = _workspace_id(path)
        except sqlite3.DatabaseError as e:
            bad = f"数据库无法读取({e})"
    if bad is not None or not rev:
        from fazhi_desk.backup.archive import _damaged
        from fazhi_desk.errors import Problem

        raise _damaged(path, [Problem(path.name, bad or "不是法治政府建设检查台的数据库")])
    manifest = Manifest(
        created_at=when, reason="before-migration" if "-before-" in path.name else "manual",
        program_version=__version__, schema_revision=rev, office=office, catalogues=cats, counts=counts,
        members=(Member(DB_MEMBER, path.stat().st_size, ""),), evidence_included=False, workspace_id=ws,
    )
    _check_schema(path, manifest)  # a copy written by a newer program is refused like a newer .fzbak
    return manifest


def peek_backup(path: Path | str) -> Manifest:
    """What a backup of either kind holds (``.fzbak`` manifest, or a database copy described the same way)."""
    from fazhi_desk.backup.archive import peek_manifest

    path = Path(path)
    if is_database_copy(path):
        return _database_copy_manifest(path)
    return peek_manifest(path)


def _stage_database_copy(path: Path, staging: Path, manifest: Manifest) -> Manifest:
    """Put a copy of the database file into ``staging`` (SQLite's backup API, one self-contained file, fsynced)."""
    from fazhi_desk.fileio import fsync_dir, fsync_file

    staging.mkdir(parents=False, exist_ok=False)
    try:
        dst = staging / DB_MEMBER
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        out = sqlite3.connect(dst)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
            src.close()
        fsync_file(dst)
        fsync_dir(staging)
    except BaseException:
        swap._rmtree(staging)
        raise
    return manifest


# ---------------------------------------------------------------- workspace id and runs of restores


RESTORED_FILE = "restored.json"


def _workspace_id(db: Path) -> str:
    from fazhi_desk.backup.archive import _workspace_id as read

    return read(db)


def _stage_evidence_id(new_db: Path, staging: Path) -> None:
    """The restored evidence folder belongs to the restored database: give it the database's workspace id."""
    ws = _workspace_id(new_db)
    if ws:
        p = staging / "evidence.workspace-id"
        with open(p, "wb") as f:
            f.write((ws + "\n").encode("ascii", "replace"))
            f.flush()
            os.fsync(f.fileno())


def _fingerprint(db: Path) -> str:
    """What the data is, for telling "unchanged since it was restored" (counts, profile, catalogues, last change)."""
    try:
        rev, office, cats, counts = describe_db(db)
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            last = con.execute("SELECT max(id) FROM change_log").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return ""
    return json.dumps([rev, office, cats, list(counts.years), counts.items, counts.assessments,
                       counts.evidence_files, counts.evidence_links, counts.change_log, last], ensure_ascii=False)


def _record_restore(data: DataDir, path: Path, fingerprint: str) -> None:
    from fazhi_desk.fileio import write_bytes_atomic

    try:
        write_bytes_atomic(data.root / RESTORED_FILE, json.dumps(
            {"backup": path.name, "fingerprint": fingerprint}, ensure_ascii=False).encode("utf-8"))
    except OSError as e:  # only rotation's hint is lost: it then keeps more, never less
        log.warning("could not record the restore: %s", e)


def _unchanged_since_restore(data: DataDir) -> str:
    """The backup an earlier restore put in place, when the data is still exactly that; else ""."""
    try:
        rec = json.loads((data.root / RESTORED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(rec, dict) or not rec.get("fingerprint"):
        return ""
    return str(rec.get("backup") or "?") if _fingerprint(data.db) == rec["fingerprint"] else ""


def _migrate_if_older(db: Path, manifest: Manifest) -> str | None:
    from fazhi_desk.store.db import HEAD_REVISION, migrate

    if manifest.schema_revision == HEAD_REVISION:
        return None
    try:
        migrate(db, backups=None)
        con = sqlite3.connect(db)
        try:
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except UserError:
        raise
    except Exception as e:
        log.exception("migrating the restored database failed")
        raise UserError(f"备份来自较早的程序版本\uff0c升级其数据库时出错\uff08{e}\uff09。程序没有改动现有数据。") from e
    return manifest.schema_revision


def _require_current_evidence(data: DataDir, new_db: Path) -> None:
    from fazhi_desk.backup.archive import _find_evidence, _linked_files

    linked = _linked_files(new_db)
    missing = [sha for sha, _s in _referenced_files(new_db) if sha in linked and _find_evidence(data.evidence, sha) is None]
    if missing:
        raise UserError(
            f"这个备份只含数据库\uff0c它引用的 {len(missing)} 个佐证材料文件在本机已不存在\uff0c恢复后会缺失。"
            "程序没有改动现有数据。请改用完整备份恢复。"
        )
    # Files the snapshot references that a clean-up moved to the trash since: put them back.
    from fazhi_desk.evidence import FileStore

    fs = FileStore(data.evidence)
    for sha, _s in _referenced_files(new_db):
        if not fs.path(sha).is_file():
            p = _find_evidence(data.evidence, sha)
            if p is not None:
                fs.restore_from_trash(p)


def describe_change(manifest: Manifest, current: WorkspaceSummary) -> str:
    """The confirmation text: what the backup holds against the current data."""
    lines = ["备份中的数据:", *("  " + x for x in manifest.describe()), "", "当前的数据(将被替换):",
             *("  " + x for x in current.describe())]
    if current.exists and not current.is_empty:
        lines += ["", "恢复前程序会先把当前数据备份到数据目录的 backups 文件夹,需要时可以再恢复回来。"]
    return "\n".join(lines)


