"""Automatic backups: once a day, before a catalogue import and before a restore; bounded retention; a second folder.

Automatic backups go to ``<data>/backups/`` and are named
``<单位>-<YYYYMMDD-HHMMSS>-<kind>.fzbak`` (每日自动 / 导入目录前自动 / 恢复前自动).
:func:`prune` keeps the newest :data:`KEEP` of each kind; backups the user made
by hand are never pruned. When the user has chosen a second folder (a USB
stick, another disk), each automatic backup is copied there too (temp name,
fsync, rename) and pruned there by the same rule.

A daily backup and a restore's backup of the current state include the evidence
files; the backup before a catalogue import holds the database only (an import
never touches evidence files, which are stored by content and never changed),
so it is quick and small, and undoing the import restores just the database.

The choice of second folder belongs to this PC, not to the data: it lives in
``<data>/backup-settings.json``, not in the database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fazhi_desk.backup.archive import (
    REASONS,
    SUFFIX,
    BackupResult,
    create_backup,
    iter_backups,
)
from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import os_error_text
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

KEEP = {"daily": 7, "before-import": 4, "before-restore": 4}
SETTINGS_FILE = "backup-settings.json"
OLD_AFTER_DAYS = 7  # the status bar warns when the newest backup is older than this
_NAME_RE = re.compile(r"-(\d{8}-\d{6})(?:-(每日自动|导入目录前自动|恢复前自动|升级数据库前自动))?\.fzbak$")
_KIND_BY_LABEL = {REASONS[k].replace("备份", ""): k for k in REASONS}


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


def second_folder(data: DataDir) -> Path | None:
    try:
        d = json.loads(_settings_path(data).read_text(encoding="utf-8"))
        v = d.get("second_folder") or ""
        return Path(v) if v else None
    except (OSError, ValueError, AttributeError):
        return None


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
            raise UserError(f"无法写入文件夹“{folder}”:{os_error_text(e)}。请另选一个文件夹。") from e
        try:
            if folder.resolve() == data.backups.resolve():
                raise UserError("副本文件夹不能是数据目录中的 backups 文件夹本身。请选择另一块磁盘或 U 盘上的文件夹。")
        except OSError:
            pass
    p = _settings_path(data)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(json.dumps({"second_folder": str(folder) if folder else ""}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, p)


# ---------------------------------------------------------------- taking them


def prune(data: DataDir, folder: Path | None = None) -> list[Path]:
    """Delete automatic backups beyond :data:`KEEP` per kind (newest kept); manual ones stay."""
    folder = folder or data.backups
    by_kind: dict[str, list[tuple[dt.datetime, Path]]] = {}
    try:
        files = [p for p in folder.iterdir() if p.suffix == SUFFIX]
    except OSError:
        return []
    for p in files:
        k = backup_kind(p)
        if k and k[0] in KEEP:
            by_kind.setdefault(k[0], []).append((k[1], p))
    removed: list[Path] = []
    for kind, entries in by_kind.items():
        entries.sort(reverse=True)
        for _when, p in entries[KEEP[kind]:]:
            try:
                p.unlink()
                removed.append(p)
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


def auto_backup(ctx: JobContext, data: DataDir, reason: str, store: Any = None) -> AutoResult:
    """Take an automatic backup of kind ``reason`` into ``backups/``, copy it to the second folder, prune.

    ``store``: the open store, when this process has it open (the snapshot is read through it).
    """
    include_evidence = reason != "before-import"
    result = create_backup(ctx, data, reason=reason, include_evidence=include_evidence, store=store)
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
                prune(data, second)
            except OSError as e:
                err = f"无法把备份复制到副本文件夹“{second}”:{os_error_text(e)}。本次备份只保存在本机。"
        if err:
            log.warning("%s", err)
    return AutoResult(result, copied, err)


def daily_backup_due(data: DataDir, today: dt.date | None = None) -> bool:
    """Whether today has no daily backup yet (and there is data to back up)."""
    today = today or dt.date.today()
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
    """The first start of each day: a full backup (None when today's exists already)."""
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

    def warning(self, now: dt.datetime | None = None) -> str:
        """The status bar text when something needs the user's attention, else ""."""
        now = now or dt.datetime.now()
        parts: list[str] = []
        if self.last is None:
            parts.append("还没有任何备份")
        elif (now - self.last).days >= OLD_AFTER_DAYS:
            parts.append(f"最近一次备份是 {(now - self.last).days} 天前")
        if self.second_folder is not None and not self.second_folder_ok:
            parts.append(f"备份副本文件夹“{self.second_folder}”不可用(U 盘未插入?)")
        if not parts:
            return ""
        return "⚠ " + ";".join(parts) + "。请在“文件 → 备份与恢复…”中处理。"

    def text(self) -> str:
        last = f"{self.last:%Y-%m-%d %H:%M}" if self.last else "从未备份"
        second = ("未设置" if self.second_folder is None
                  else f"{self.second_folder}" + ("" if self.second_folder_ok else "(当前不可用)"))
        return f"最近一次备份:{last}\n副本文件夹:{second}"


def backup_status(data: DataDir) -> BackupStatus:
    """The newest backup in ``backups/`` (any kind, by file name or time) and the second folder's state."""
    last: tuple[dt.datetime, Path] | None = None
    try:
        files = [p for p in data.backups.iterdir() if p.suffix == SUFFIX]
    except OSError:
        files = []
    for p in files:
        k = backup_kind(p)
        when = k[1] if k else dt.datetime.fromtimestamp(p.stat().st_mtime)
        if k and k[0] == "before-import":
            continue  # database only: not a backup of the evidence
        if last is None or when > last[0]:
            last = (when, p)
    second = second_folder(data)
    return BackupStatus(last[0] if last else None, last[1] if last else None, second,
                        second is not None and second.is_dir())


def list_backups(data: DataDir):  # noqa: ANN201
    """The backups in ``backups/`` with their manifests, newest first."""
    return list(iter_backups(data.backups))


def _free(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None
