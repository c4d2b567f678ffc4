"""撤销此次导入: put the catalogue and assessments back as they were before the latest catalogue import.

Every import is preceded by an automatic database backup (``…-导入目录前自动.fzbak``).
Undoing the latest import restores that backup's database (evidence files stay:
an import never changes them) through the ordinary restore, which first takes a
full backup of the current state, so the undo itself can be undone.

Whatever was changed after the import (statuses, notes, evidence added) goes
back too; :func:`undo_preview` lists those changes so the user confirms knowing
what will be lost. Only the latest import can be undone, and only while its
before-import backup is kept (the last four are).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fazhi_desk.backup.archive import iter_backups, live_connection
from fazhi_desk.backup.restore import RestoreResult, restore_backup
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.store.types import from_stored

BUNDLED_SOURCE = "内置目录"
FIELD_NAMES = {"status": "状态", "actual": "实际值", "owner": "责任人", "note": "工作情况说明",
               "completed_on": "完成日期", "na_reason": "不适用原因", "evidence": "佐证材料",
               "catalogue": "检查目录", "review": "复核"}


@dataclass(frozen=True)
class UndoPreview:
    """What undoing the latest import would do: the versions it removes, the backup used, the changes lost."""

    imported_at: dt.datetime
    versions: tuple[tuple[int, str, str, str], ...]  # (id, 文件代码, 版本, 来源文件)
    backup: Path
    lost: tuple[str, ...]  # changes made after the import, as Chinese lines

    def text(self) -> str:
        vers = "、".join(f"{code} 版本 {v}(来自“{src}”)" for _i, code, v, src in self.versions)
        lines = [f"将撤销 {self.imported_at:%Y-%m-%d %H:%M} 的导入:{vers}。",
                 f"检查目录和各年度完成情况将恢复到导入前的状态(备份“{self.backup.name}”)。"]
        if self.lost:
            lines.append(f"导入之后还做过 {len(self.lost)} 处修改,撤销后这些修改也会丢失:")
            lines += [f"  · {x}" for x in self.lost[:50]]
            if len(self.lost) > 50:
                lines.append(f"  ……另有 {len(self.lost) - 50} 处")
        else:
            lines.append("导入之后没有做过其他修改。")
        lines.append("撤销前程序会先备份当前数据,需要时可从“备份与恢复”中找回。")
        return "\n".join(lines)


def _latest_import(con: sqlite3.Connection) -> tuple[str, list[tuple[int, str, str, str]]] | None:
    """The raw ``imported_at`` text of the latest import from a file, and its version rows."""
    row = con.execute("SELECT max(imported_at) FROM catalogue_version WHERE source_file != ?",
                      (BUNDLED_SOURCE,)).fetchone()
    if not row or not row[0]:
        return None
    newest_any = con.execute("SELECT max(imported_at) FROM catalogue_version").fetchone()[0]
    if newest_any != row[0]:
        return None  # a bundled catalogue came after it: not undoable without undoing that too
    vers = con.execute("SELECT id, doc_code, version, source_file FROM catalogue_version WHERE imported_at = ? "
                       "ORDER BY doc_code", (row[0],)).fetchall()
    return row[0], [tuple(v) for v in vers]


def undo_preview(data: DataDir, store: Any = None) -> UndoPreview:
    """The latest import and what undoing it loses; UserError when there is none or its backup is gone.

    Pass the open ``store`` when this process has it open (its connection is used to read).
    """
    with live_connection(data.db, store) as con:
        latest = _latest_import(con)
        if latest is None:
            raise UserError("没有可以撤销的导入:只能撤销最近一次从文件导入的检查目录。")
        raw_at, versions = latest
        at = from_stored(raw_at).replace(tzinfo=None)  # stored in UTC; backups are named in local time
        # The import writes its own change-log rows at exactly its time; what came later has higher ids.
        anchor = con.execute("SELECT max(id) FROM change_log WHERE field = 'catalogue' AND at = ?",
                             (raw_at,)).fetchone()[0]
        cols = "SELECT at, user, item_id, year, field, old_value, new_value FROM change_log"
        if anchor is not None:
            lost_rows = con.execute(f"{cols} WHERE id > ? ORDER BY id", (anchor,)).fetchall()
        else:
            lost_rows = con.execute(f"{cols} WHERE at > ? ORDER BY id", (raw_at,)).fetchall()
    backup = _backup_before(data, at)
    if backup is None:
        raise UserError(f"找不到 {at:%Y-%m-%d %H:%M} 那次导入之前的自动备份(只保留最近 4 次导入前的备份),无法撤销。")
    lost = tuple(
        f"{from_stored(a):%Y-%m-%d %H:%M} {user}:" + (f"事项 {item} " + (f"{year} 年 " if year is not None else "") if item else "")
        + f"{FIELD_NAMES.get(field, field)} {old or '(空)'} → {new or '(空)'}"
        for a, user, item, year, field, old, new in lost_rows
    )
    return UndoPreview(at, tuple(versions), backup, lost)


def _backup_before(data: DataDir, at: dt.datetime) -> Path | None:
    """The newest before-import backup taken before ``at`` whose database has no catalogue from ``at`` on."""
    for path, m in iter_backups(data.backups):
        if m is None or m.reason != "before-import" or m.created_at > at:
            continue
        if m.created_at < at - dt.timedelta(hours=1):
            return None  # too old to be this import's (the one before it was pruned or failed)
        return path
    return None


def undo_latest_import(ctx: JobContext, data: DataDir, preview: UndoPreview) -> RestoreResult:
    """Restore the before-import backup (a full backup of the current state is taken first); the years marked
    已报送 stay as they were sent, and the version history records the undo."""
    from fazhi_desk.backup.keep_reported import after_undo, returns_to_keep

    kept = returns_to_keep(data.db)
    result = restore_backup(ctx, data, preview.backup)
    after_undo(data.db, preview.versions, kept)
    return result
