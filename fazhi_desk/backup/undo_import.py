"""撤销此次导入: put the catalogue and assessments back as they were before the latest catalogue import.

Every import is preceded by an automatic database backup (``…-导入目录前自动.fzbak``).
Undoing the latest import restores that backup's database (evidence files stay:
an import never changes them) through the ordinary restore, which first takes a
full backup of the current state, so the undo itself can be undone.

Whatever was changed after the import (statuses, notes, evidence added) goes
back too; :func:`undo_preview` lists those changes so the user confirms knowing
what will be lost. Only the latest import can be undone, and only while its
before-import backup is kept (the last four are).

On a desk whose store is on a server the same holds: the latest import is read from the server, the
before-import backup is the one the importing desk wrote into its own ``backups/``, and undoing puts it back
into the server (:func:`fazhi_desk.services.location.restore_into_server`: the server's data is backed up first,
every table replaced in one transaction), keeping the reported years as sent. Another desk has no such backup
and is told which 操作人 imported, and what to do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from fazhi_desk.backup.archive import iter_backups, live_connection
from fazhi_desk.backup.restore import RestoreResult, restore_backup
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.services import current_user
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


def _rows(con: Any, sql: str, *params: Any) -> list[tuple]:
    """Run portable ``sql`` (``?`` placeholders) on a sqlite3 connection, or on a server store's SQLAlchemy one.

    Values come back as each driver gives them (SQLite: the stored text; the server: datetimes) and go back
    unchanged, so comparing a column with a value read from it is exact on both."""
    if isinstance(con, sqlite3.Connection):
        return con.execute(sql, params).fetchall()
    from sqlalchemy import text

    head, *rest = sql.split("?")
    named = head + "".join(f":p{i}{part}" for i, part in enumerate(rest))
    return [tuple(r) for r in con.execute(text(named), {f"p{i}": v for i, v in enumerate(params)})]


def _latest_import(con: Any) -> tuple[Any, list[tuple[int, str, str, str]]] | None:
    """The stored ``imported_at`` of the latest import from a file, and its version rows."""
    row = _rows(con, "SELECT max(imported_at) FROM catalogue_version WHERE source_file != ?", BUNDLED_SOURCE)
    if not row or not row[0][0]:
        return None
    raw_at = row[0][0]
    newest_any = _rows(con, "SELECT max(imported_at) FROM catalogue_version")[0][0]
    if newest_any != raw_at:
        return None  # a bundled catalogue came after it: not undoable without undoing that too
    vers = _rows(con, "SELECT id, doc_code, version, source_file FROM catalogue_version WHERE imported_at = ? "
                      "AND source_file != ? ORDER BY doc_code", raw_at, BUNDLED_SOURCE)  # bundled ones of that second stay
    return raw_at, [tuple(v) for v in vers]


def _local_time(value: Any) -> dt.datetime:
    """A stored instant as naive local time (backups are named, and their manifests timed, in local time)."""
    return from_stored(value).replace(tzinfo=None)


def _server_store(data: DataDir, store: Any) -> tuple[Any, bool]:
    """The server store this desk uses (``store`` when given), or None for a local one; and whether it was
    opened here (then the caller closes it)."""
    if store is not None:
        return (store, False) if store.db_path is None else (None, False)
    from fazhi_desk.services.location import read_location, store_for

    if not read_location(data).on_server:
        return None, False
    return store_for(data).open(), True


@contextmanager
def _reading(data: DataDir, store: Any, server: Any) -> Iterator[Any]:
    """A connection to read the store: the server's (SQLAlchemy), else the live SQLite database's (sqlite3)."""
    if server is not None:
        with server.backend.errors(), server.engine.connect() as con:
            yield con
    else:
        with live_connection(data.db, store) as con:
            yield con


def undo_preview(data: DataDir, store: Any = None) -> UndoPreview:
    """The latest import and what undoing it loses; UserError when there is none or its backup is gone.

    Pass the open ``store`` when this process has it open (its connection is used to read). On a desk whose
    store is on a server the server is read (opened here when no ``store`` is given).
    """
    server, opened = _server_store(data, store)
    try:
        with _reading(data, store, server) as con:
            latest = _latest_import(con)
            if latest is None:
                raise UserError("没有可以撤销的导入\uff1a只能撤销最近一次从文件导入的检查目录。")
            raw_at, versions = latest
            at = _local_time(raw_at)  # stored in UTC; backups are named in local time
            who = _rows(con, "SELECT imported_by FROM catalogue_version WHERE imported_at = ? AND source_file != ? "
                             "ORDER BY id", raw_at, BUNDLED_SOURCE)[0][0] or ""
            earlier = _rows(con, "SELECT max(imported_at) FROM catalogue_version WHERE imported_at < ?", raw_at)[0][0]
            # The import writes its own change-log rows at exactly its time; what came later has higher ids.
            first, anchor = _rows(con, "SELECT min(id), max(id) FROM change_log WHERE field = 'catalogue' AND at = ?",
                                  raw_at)[0]
            kept_before = (_rows(con, "SELECT count(*) FROM change_log WHERE id < ?", first)[0][0]
                           if first is not None else None)
            cols = 'SELECT at, "user", item_id, year, field, old_value, new_value FROM change_log'
            if anchor is not None:
                lost_rows = _rows(con, f"{cols} WHERE id > ? ORDER BY id", anchor)
            else:
                lost_rows = _rows(con, f"{cols} WHERE at > ? ORDER BY id", raw_at)
        workspace = server.workspace_id if server is not None else None
    finally:
        if opened:
            server.close()
    backup = _backup_before(data, at, earlier=_local_time(earlier) if earlier else None, changes=kept_before,
                            workspace=workspace)
    if backup is None:
        raise _no_backup(data, at, who, on_server=server is not None)
    lost = tuple(
        f"{from_stored(a):%Y-%m-%d %H:%M} {user}:" + (f"事项 {item} " + (f"{year} 年 " if year is not None else "") if item else "")
        + f"{FIELD_NAMES.get(field, field)} {old or '(空)'} → {new or '(空)'}"
        for a, user, item, year, field, old, new in lost_rows
    )
    return UndoPreview(at, tuple(versions), backup, lost)


def _no_backup(data: DataDir, at: dt.datetime, who: str, *, on_server: bool) -> UserError:
    """Why there is nothing to undo from, and what to do (on a server: the backup is on the desk that imported)."""
    when = f"{at:%Y-%m-%d %H:%M}"
    if on_server and who and who != current_user():
        return UserError(
            f"{when} 的那次导入是操作人“{who}”在另一台电脑上做的\uff0c导入前的自动备份保存在那台电脑的数据目录的 "
            "backups 文件夹中\uff08文件名含“导入目录前自动”\uff09\uff0c这台电脑上没有\uff0c因此无法在这里撤销\uff0c数据没有改动。"
            f"请到“{who}”的电脑上撤销此次导入\uff1b或把那个备份文件复制到这台电脑的“{data.backups}”文件夹后再撤销。")
    text = f"找不到 {when} 那次导入之前的自动备份(只保留最近 4 次导入前的备份),无法撤销。"
    if on_server:
        text += (f"数据存放在服务器上\uff1a如果那次导入是在另一台电脑上做的\uff0c备份在那台电脑的 backups 文件夹中\uff0c"
                 f"请在那台电脑上撤销\uff0c或把备份文件(文件名含“导入目录前自动”)复制到这台电脑的“{data.backups}”文件夹后再撤销。")
    return UserError(text)


def _backup_before(data: DataDir, at: dt.datetime, *, earlier: dt.datetime | None = None,
                   changes: int | None = None, workspace: str | None = None) -> Path | None:
    """The before-import backup of the import made at ``at``: the newest taken before it, within the hour, not
    before the catalogue change preceding it (``earlier``), of this workspace, and holding exactly the
    ``changes`` change-log rows the store had when the import began (a backup taken before another desk's
    changes, or an earlier import's, would silently lose them)."""
    for path, m in iter_backups(data.backups):
        if m is None or m.reason != "before-import" or m.created_at > at:
            continue
        if m.created_at < at - dt.timedelta(hours=1):
            return None  # too old to be this import's (the one before it was pruned or failed)
        if earlier is not None and m.created_at < earlier:
            return None  # taken before an earlier catalogue change: not this import's
        if workspace and m.workspace_id and m.workspace_id != workspace:
            continue  # another workspace's (this desk's own data before it used the server)
        if changes is not None and m.counts.change_log and m.counts.change_log != changes:
            continue  # not the state the import started from
        return path
    return None


def undo_latest_import(ctx: JobContext, data: DataDir, preview: UndoPreview, store: Any = None) -> RestoreResult:
    """Restore the before-import backup (a full backup of the current state is taken first); the years marked
    已报送 stay as they were sent, and the version history records the undo.

    On a desk whose store is on a server the backup goes back into the server (opened here when no ``store``
    is given): the server's data is backed up first and every table replaced in one transaction, the
    reported years and the undo's history lines included.
    """
    from fazhi_desk.backup.keep_reported import after_undo, returns_to_keep

    server, opened = _server_store(data, store)
    if server is None:
        kept = returns_to_keep(data.db)
        result = restore_backup(ctx, data, preview.backup)
        after_undo(data.db, preview.versions, kept)
        return result
    import tempfile

    from fazhi_desk.services.location import restore_into_server

    try:
        data.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=data.root, prefix="~undo-import-") as tmp:
            ctx.progress(0, 1000, "正在读取服务器上已报送的年度……")
            kept = returns_to_keep(_returns_file(server, Path(tmp)))
        _rows_back, result = restore_into_server(
            ctx, data, server, preview.backup, prepare=lambda db: after_undo(db, preview.versions, kept))
        return result
    finally:
        if opened:
            server.close()


def _returns_file(server: Any, folder: Path) -> Path:
    """The server's 报送 rows in a new SQLite file, written through the same column types as a snapshot of the
    whole store would be (so :func:`~fazhi_desk.backup.keep_reported.returns_to_keep` reads them as from a local
    database), without copying every other table."""
    from sqlalchemy import create_engine, insert, select

    from fazhi_desk.store.models import YearSubmission

    table = YearSubmission.__table__
    db = folder / "returns.sqlite3"
    engine = create_engine(f"sqlite:///{db}")
    try:
        table.create(engine)
        with server.backend.errors(), server.engine.connect() as r, engine.begin() as w:
            rows = [dict(x) for x in r.execute(select(table).order_by(table.c.id)).mappings()]
            if rows:
                w.execute(insert(table), rows)
    finally:
        engine.dispose()
    return db
