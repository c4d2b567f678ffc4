"""Automatic backups: once a day, before a catalogue import and before a restore; bounded retention; a second folder.

Automatic backups go to ``<data>/backups/`` and are named
``<单位>-<YYYYMMDD-HHMMSS>-<kind>.fzbak`` (每日自动 / 导入目录前自动 / 恢复前自动).
The store's own copy of the database taken before a migration
(``fazhi-desk-<YYYYMMDD-HHMMSS>-before-<rev>.sqlite3``) lives in the same folder;
:func:`list_backups` lists both kinds as one list, and both restore the same way.

:func:`prune` keeps the newest :data:`KEEP` of each kind, ordered by the time
recorded in each manifest when it was made (not the file name, not the file
time); backups the user made by hand are never pruned. It never deletes

* the newest *complete* backup (one holding every evidence file its database links),
* the newest backup holding an evidence file that is missing now, until the file is
  back or the user accepts its loss (:func:`accept_missing`),
* the backup taken before the first of a run of restores (a restore over a
  workspace that an earlier restore put in place, unchanged since, starts no run),
* a backup whose recorded time lies in the future (the clock ran ahead): it is
  reported as a clock problem and never counted as the newest.

When the user has chosen a second folder (a USB stick, another disk), each
automatic backup is copied there too (temp name, fsync, rename) and pruned
there by the same rule, but only among backups of this workspace (the
workspace id in the manifest): a shared stick keeps other offices' backups.

A daily backup and a restore's backup of the current state include the evidence
files; the backup before a catalogue import holds the database only (an import
never touches evidence files, which are stored by content and never changed),
so it is quick and small, and undoing the import restores just the database.

The choice of second folder belongs to this PC, not to the data: it lives in
``<data>/backup-settings.json``, not in the database.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from fazhi_desk.backup.archive import (
    EVIDENCE_PREFIX,
    REASONS,
    SUFFIX,
    BackupResult,
    Manifest,
    create_backup,
)
from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import os_error_text
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

KEEP = {"daily": 7, "before-import": 4, "before-restore": 4}
SETTINGS_FILE = "backup-settings.json"
OLD_AFTER_DAYS = 7  # the status bar warns when the newest backup is older than this
_NAME_RE = re.compile(r"-(\d{8}-\d{6})(?:-\d+)?(?:-(每日自动|导入目录前自动|恢复前自动|升级数据库前自动))?\.fzbak$")
_KIND_BY_LABEL = {REASONS[k].replace("备份", ""): k for k in REASONS}


# ---------------------------------------------------------------- clock


def _now() -> dt.datetime:
    """The time now (one place, so a test can move the day forward)."""
    return dt.datetime.now()


# ---------------------------------------------------------------- one list of backups


@dataclass(frozen=True)
class BackupEntry:
    """One backup in a folder: a ``.fzbak`` file or the store's pre-migration database copy."""

    path: Path
    manifest: Manifest | None  # None: unreadable (damaged, not ours)
    kind: str = "fzbak"  # or "database" (a plain SQLite copy taken before a migration)

    @property
    def made_at(self) -> dt.datetime | None:
        """When it was made, as recorded then (the manifest; for a database copy the time in its name)."""
        return self.manifest.created_at if self.manifest is not None else None

    @property
    def reason(self) -> str:
        return self.manifest.reason if self.manifest is not None else ""

    @property
    def complete(self) -> bool:
        return self.manifest is not None and self.manifest.complete

    @property
    def workspace_id(self) -> str:
        return self.manifest.workspace_id if self.manifest is not None else ""

    def is_future(self, now: dt.datetime | None = None) -> bool:
        return self.made_at is not None and self.made_at > (now or _now()) + FUTURE_SLACK

    def state_text(self, now: dt.datetime | None = None) -> str:
        m = self.manifest
        if m is None:
            return "无法读取(已损坏?)"
        if self.is_future(now):
            return "时间在未来(电脑时钟曾经不准?)"
        if not m.evidence_included:
            return "仅数据库"
        if m.missing_evidence:
            return f"不完整:缺 {len(m.missing_evidence)} 个佐证材料文件"
        return "完整"

    def reason_text(self) -> str:
        return "无法读取" if self.manifest is None else REASONS.get(self.reason, self.reason)

    def holds(self, sha: str) -> bool:
        m = self.manifest
        return m is not None and f"{EVIDENCE_PREFIX}{sha[:2]}/{sha}" in {x.name for x in m.members}


FUTURE_SLACK = dt.timedelta(hours=1)
_CACHE: dict[tuple[str, int, int], Manifest | None] = {}


def _entry(p: Path) -> BackupEntry | None:
    try:
        st = p.stat()
    except OSError:
        return None
    kind = "database" if p.suffix.lower() == ".sqlite3" else "fzbak"
    key = (str(p), st.st_size, st.st_mtime_ns)
    if key not in _CACHE:
        from fazhi_desk.backup.restore import peek_backup

        try:
            _CACHE[key] = peek_backup(p)
        except (UserError, OSError, ValueError):
            _CACHE[key] = None
        if len(_CACHE) > 512:
            _CACHE.pop(next(iter(_CACHE)))
    return BackupEntry(p, _CACHE[key], kind)


def list_backups(data: DataDir, folder: Path | None = None, now: dt.datetime | None = None) -> list[BackupEntry]:
    """Every backup in ``folder`` (default ``backups/``), both kinds, newest first.

    Ordered by the time recorded when each was made; backups from the future come after all
    others (never the newest), unreadable ones last.
    """
    from fazhi_desk.store.db import list_backups as database_copies

    folder = folder or data.backups
    now = now or _now()
    try:
        files = [p for p in folder.iterdir() if p.suffix.lower() == SUFFIX and p.is_file()]
    except OSError:
        files = []
    files += database_copies(folder)
    entries = [e for e in (_entry(p) for p in files) if e is not None]

    def key(e: BackupEntry) -> tuple[int, float, float]:
        try:
            mtime = e.path.stat().st_mtime  # only to order two made in the same second
        except OSError:
            mtime = 0.0
        if e.made_at is None:
            return 2, -mtime, 0.0
        return (1 if e.is_future(now) else 0), -e.made_at.timestamp(), -mtime

    return sorted(entries, key=key)


def newest_backup(data: DataDir, now: dt.datetime | None = None) -> BackupEntry | None:
    """The newest restorable backup of either kind (not one from the future); None when there is none."""
    now = now or _now()
    for e in list_backups(data, now=now):
        if e.manifest is not None and not e.is_future(now):
            return e
    return None


def backup_kind(p: Path) -> tuple[str, dt.datetime] | None:
    """(reason, time) from a backup's file name, or None for files not named by the program."""
    m = _NAME_RE.search(p.name)
    if not m:
        return None
    try:
        when = dt.datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return _KIND_BY_LABEL.get(m.group(2) or "", "manual"), when


# ---------------------------------------------------------------- settings


def _settings_path(data: DataDir) -> Path:
    return data.root / SETTINGS_FILE


def _settings(data: DataDir) -> dict[str, Any]:
    try:
        d = json.loads(_settings_path(data).read_text(encoding="utf-8"))
        return d if isinstance(d, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_settings(data: DataDir, values: dict[str, Any]) -> None:
    from fazhi_desk.fileio import write_bytes_atomic

    write_bytes_atomic(_settings_path(data), json.dumps(values, ensure_ascii=False, indent=1).encode("utf-8"))


def second_folder(data: DataDir) -> Path | None:
    v = _settings(data).get("second_folder") or ""
    return Path(str(v)) if v else None


def set_second_folder(data: DataDir, folder: Path | str | None) -> None:
    """Choose (or with None, forget) the folder that receives a copy of every automatic backup."""
    if folder:
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(f"文件夹“{folder}”不存在。请插入 U 盘或选择一个存在的文件夹。")
        try:
            probe = folder / f".fazhi-desk-probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise UserError(f"无法写入文件夹“{folder}”\uff1a{os_error_text(e)}。请另选一个文件夹。") from e
        try:
            if folder.resolve() == data.backups.resolve():
                raise UserError("副本文件夹不能是数据目录中的 backups 文件夹本身。请选择另一块磁盘或 U 盘上的文件夹。")
        except OSError:
            pass
    values = _settings(data)
    values["second_folder"] = str(folder) if folder else ""
    _save_settings(data, values)


def accepted_missing(data: DataDir) -> set[str]:
    """Evidence files whose loss the user accepted (rotation no longer keeps old backups for them)."""
    v = _settings(data).get("accepted_missing") or []
    return {str(x) for x in v} if isinstance(v, list) else set()


def accept_missing(data: DataDir, shas: Iterable[str]) -> None:
    """The user confirms these files are lost for good: old backups holding them may be rotated away."""
    values = _settings(data)
    values["accepted_missing"] = sorted(accepted_missing(data) | set(shas))
    _save_settings(data, values)


# ---------------------------------------------------------------- taking them


def missing_now(data: DataDir, entries: list[BackupEntry] | None = None,
                now: dt.datetime | None = None) -> tuple[str, ...]:
    """Evidence files missing as of the newest backup that includes evidence (less those the user gave up)."""
    entries = list_backups(data, now=now) if entries is None else entries
    gone = accepted_missing(data)
    for e in entries:
        m = e.manifest
        if m is not None and m.evidence_included and not e.is_future(now):
            return tuple(sha for sha in m.missing_evidence if sha not in gone)
    return ()


def prune(data: DataDir, folder: Path | None = None, *, workspace: str | None = None,
          now: dt.datetime | None = None) -> list[Path]:
    """Delete automatic backups beyond :data:`KEEP` per kind, with the exceptions of the module docstring.

    ``workspace``: prune only backups whose manifest names this workspace id (the second folder, which
    other offices may share); None prunes every automatic backup in ``folder`` (our own ``backups/``).
    """
    now = now or _now()
    folder = folder or data.backups
    entries = [e for e in list_backups(data, folder, now) if e.kind == "fzbak" and e.manifest is not None
               and not e.is_future(now)]
    if workspace is not None:
        entries = [e for e in entries if e.workspace_id == workspace and workspace]
    keep: set[Path] = set()
    complete = next((e for e in entries if e.complete), None)
    if complete is not None:
        keep.add(complete.path)
    for sha in missing_now(data, now=now):
        holder = next((e for e in entries if e.holds(sha)), None)
        if holder is not None:
            keep.add(holder.path)
    run_start = next((e for e in entries if e.reason == "before-restore" and not e.manifest.after_restore), None)
    if run_start is not None:
        keep.add(run_start.path)
    by_kind: dict[str, list[BackupEntry]] = {}
    for e in entries:
        if e.reason in KEEP:
            by_kind.setdefault(e.reason, []).append(e)  # already newest first
    removed: list[Path] = []
    for kind, kept in by_kind.items():
        for e in kept[KEEP[kind]:]:
            if e.path in keep:
                continue
            try:
                e.path.unlink()
                removed.append(e.path)
            except OSError:
                pass
    return removed


def _copy_to_second(ctx: JobContext, src: Path, folder: Path) -> Path:
    from fazhi_desk.backup.archive import _fsync_dir, _temp_name

    target = folder / src.name
    tmp = _temp_name(folder, "tmp")
    try:
        with open(src, "rb") as f_in, open(tmp, "xb") as f_out:
            while True:
                ctx.check()
                chunk = f_in.read(1 << 20)
                if not chunk:
                    break
                f_out.write(chunk)
            f_out.flush()
            os.fsync(f_out.fileno())
        os.replace(tmp, target)
        _fsync_dir(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


@dataclass(frozen=True)
class AutoResult:
    backup: BackupResult | None
    copied_to: Path | None = None
    copy_error: str = ""

    def text(self) -> str:
        """The status bar line after an automatic backup."""
        m = self.backup.manifest if self.backup is not None else None
        if m is not None and m.missing_evidence:
            names = "、".join(m.missing_labels[:3]) + ("等" if len(m.missing_labels) > 3 else "")
            msg = (f"今天的自动备份不完整:{len(m.missing_evidence)} 个佐证材料文件已丢失({names})。"
                   "较早的完整备份会一直保留,请找回这些文件。")
        else:
            msg = "已完成今天的自动备份。"
        return msg + (self.copy_error or "")


def auto_backup(ctx: JobContext, data: DataDir, reason: str, store: Any = None,
                now: dt.datetime | None = None) -> AutoResult:
    """Take an automatic backup of kind ``reason`` into ``backups/``, copy it to the second folder, prune.

    ``store``: the open store, when this process has it open (the snapshot is read through it).
    """
    include_evidence = reason != "before-import"
    result = create_backup(ctx, data, reason=reason, include_evidence=include_evidence, store=store,
                           now=now or _now())
    prune(data)
    copied: Path | None = None
    err = ""
    second = second_folder(data)
    if second is not None:
        if not second.is_dir():
            err = f"副本文件夹“{second}”不可用(U 盘未插入或已被移走),本次备份只保存在本机。"
        else:
            try:
                from fazhi_desk.store.swap import remove_stale_backup_temps

                remove_stale_backup_temps(second)
                copied = _copy_to_second(ctx, result.path, second)
                prune(data, second, workspace=result.manifest.workspace_id)
            except OSError as e:
                if e.errno == errno.EFBIG:
                    err = (f"备份文件超过了副本文件夹“{second}”所在磁盘允许的单个文件大小(FAT32 格式的 U 盘每个文件"
                           "最大 4 GB),本次备份只保存在本机。请另选副本文件夹,或把 U 盘格式化为 exFAT 或 NTFS。")
                else:
                    err = f"无法把备份复制到副本文件夹“{second}”:{os_error_text(e)}。本次备份只保存在本机。"
        if err:
            log.warning("%s", err)
    return AutoResult(result, copied, err)


def daily_backup_due(data: DataDir, today: dt.date | None = None) -> bool:
    """Whether today has no daily backup yet (and there is data to back up)."""
    today = today or _now().date()
    if not data.db.is_file() or data.db.stat().st_size == 0:
        return False
    try:
        files = list(data.backups.iterdir())
    except OSError:
        return True
    for p in files:
        k = backup_kind(p)
        if k and k[0] == "daily" and k[1].date() == today:
            return False
    return True


def run_daily_backup(ctx: JobContext, data: DataDir, today: dt.date | None = None,
                     store: Any = None) -> AutoResult | None:
    """The first start of each day (and each new day the window stays open): a full backup, or None."""
    if not daily_backup_due(data, today):
        return None
    return auto_backup(ctx, data, "daily", store=store)


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class BackupStatus:
    last: dt.datetime | None
    last_path: Path | None
    second_folder: Path | None
    second_folder_ok: bool
    missing: tuple[str, ...] = ()  # labels of evidence files missing as of the newest backup
    last_complete: BackupEntry | None = None
    future: tuple[BackupEntry, ...] = ()
    newest_any: BackupEntry | None = None  # the newest of either kind (a database-only copy counts here)

    def warning(self, now: dt.datetime | None = None) -> str:
        """The status bar text when something needs the user's attention, else ""."""
        now = now or _now()
        parts: list[str] = []
        if self.last is None and self.newest_any is not None and self.newest_any.made_at is not None:
            e = self.newest_any
            parts.append(f"还没有包含佐证材料的完整备份(只有 {e.made_at:%Y-%m-%d %H:%M} 的数据库备份“{e.path.name}”)")
        elif self.last is None:
            parts.append("还没有任何备份")
        elif (now - self.last).days >= OLD_AFTER_DAYS:
            parts.append(f"最近一次备份是 {(now - self.last).days} 天前")
        if self.missing:
            names = "、".join(self.missing[:3]) + ("等" if len(self.missing) > 3 else "")
            lc = self.last_complete
            where = (f"最近一次完整备份是 {lc.made_at:%Y-%m-%d %H:%M} 的“{lc.path.name}”(会一直保留)"
                     if lc is not None and lc.made_at is not None else "没有任何完整的备份")
            parts.append(f"最近的备份不完整:{len(self.missing)} 个佐证材料文件已丢失({names});{where}")
        if self.future:
            latest = max(e.made_at for e in self.future if e.made_at is not None)
            parts.append(f"有 {len(self.future)} 个备份的时间在未来(最晚 {latest:%Y-%m-%d}),"
                         "电脑时钟可能曾经不准,请核对系统日期和时间")
        if self.second_folder is not None and not self.second_folder_ok:
            parts.append(f"备份副本文件夹“{self.second_folder}”不可用(U 盘未插入?)")
        if not parts:
            return ""
        return "⚠ " + ";".join(parts) + "。请在“文件 → 备份与恢复…”中处理。"

    def text(self) -> str:
        last = f"{self.last:%Y-%m-%d %H:%M}" if self.last else "从未备份"
        second = ("未设置" if self.second_folder is None
                  else f"{self.second_folder}" + ("" if self.second_folder_ok else "(当前不可用)"))
        lines = [f"最近一次备份:{last}"]
        if self.missing:
            lc = self.last_complete
            lines.append("最近一次完整备份:" + (f"{lc.made_at:%Y-%m-%d %H:%M}“{lc.path}”" if lc and lc.made_at
                                              else "无"))
        lines.append(f"副本文件夹:{second}")
        w = self.warning()
        if w:
            lines.append(w)
        return "\n".join(lines)


def backup_status(data: DataDir, now: dt.datetime | None = None) -> BackupStatus:
    """The newest backup of the evidence in ``backups/`` (by its recorded time), its completeness, the clock
    and the second folder."""
    now = now or _now()
    entries = list_backups(data, now=now)
    usable = [e for e in entries if e.manifest is not None and not e.is_future(now)]
    full = [e for e in usable if e.manifest.evidence_included]  # database-only copies do not back up evidence
    last = full[0] if full else None
    complete = next((e for e in full if e.complete), None)
    gone = accepted_missing(data)
    missing: tuple[str, ...] = ()
    if last is not None and last.manifest.missing_evidence:
        m = last.manifest
        labels = dict(zip(m.missing_evidence, m.missing_labels)) if m.missing_labels else {}
        missing = tuple(labels.get(sha, sha[:12]) for sha in m.missing_evidence if sha not in gone)
    future = tuple(e for e in entries if e.manifest is not None and e.is_future(now))
    second = second_folder(data)
    return BackupStatus(last.made_at if last else None, last.path if last else None, second,
                        second is not None and second.is_dir(), missing, complete, future,
                        usable[0] if usable else None)


def _free(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
