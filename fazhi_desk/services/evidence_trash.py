"""The evidence 回收站: removed evidence listed with its name, item, year and removal date, and put back.

:func:`~fazhi_desk.services.evidence.unlink` records every removed link here.
The file itself stays in the store while anything uses it, and clean-up
(:func:`~fazhi_desk.services.evidence.gc`) moves an unused one to
``evidence/.trash/<day>/``; :func:`restore` takes it from either place, checks
its hash, and re-creates the link in one transaction. Entries older than 30
days are emptied by clean-up; an entry whose file is no longer anywhere is
listed as not restorable rather than promised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from fazhi_desk.changes import Changes
from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import TRASH_DIR, TRASH_KEEP_DAYS
from fazhi_desk.jobs import JobContext
from fazhi_desk.services import current_user
from fazhi_desk.services.checklist import ensure_assessment
from fazhi_desk.services.evidence import CHANGE_FIELD, file_store
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.models import ChangeLog, EvidenceFile, EvidenceLink, EvidenceTrash, ItemRow


@dataclass(frozen=True)
class TrashEntry:
    id: int
    item_id: str
    year: int
    original_name: str
    size: int
    removed_at: dt.datetime
    removed_by: str
    restorable: bool  # the file is still in the store or its trash folder

    def days_left(self, today: dt.date | None = None) -> int:
        today = today or dt.date.today()
        return max(0, TRASH_KEEP_DAYS - (today - self.removed_at.date()).days)


def _file_available(store: Store, sha: str) -> bool:
    fs = file_store(store)
    if fs.path(sha).is_file():
        return True
    trash = fs.root / TRASH_DIR
    return trash.is_dir() and any((d / sha).is_file() for d in trash.iterdir())


def list_trash(store: Store) -> list[TrashEntry]:
    """回收站 entries, newest removal first."""
    with store.session() as s:
        rows = list(s.scalars(select(EvidenceTrash).order_by(EvidenceTrash.removed_at.desc(), EvidenceTrash.id.desc())))
    return [TrashEntry(r.id, r.item_id, r.year, r.original_name, r.size, r.removed_at, r.removed_by,
                       _file_available(store, r.sha256)) for r in rows]


@dataclass(frozen=True)
class RestoredEntry:
    item_id: str
    year: int
    original_name: str
    already_linked: bool

    @property
    def changes(self) -> Changes:
        return Changes.evidence_of((self.item_id, self.year))


def restore(ctx: JobContext, store: Store, trash_id: int, *, user: str | None = None) -> RestoredEntry:
    """Put a removed evidence file back on its item and year (file and link)."""
    user = user or current_user()
    fs = file_store(store)
    with store.session() as s:
        t = s.get(EvidenceTrash, trash_id)
        if t is None:
            raise UserError("回收站中没有这一项\uff08可能已恢复\uff0c或已超过 30 天被清空\uff09。")
        sha, size, name = t.sha256, t.size, t.original_name
        if s.get(ItemRow, t.item_id) is None:
            raise UserError(f"事项 {t.item_id} 已不在检查目录中\uff0c无法把“{name}”恢复到它名下。")
    moved_back = None
    if not fs.path(sha).is_file():
        trash = fs.root / TRASH_DIR
        found = [d / sha for d in sorted(trash.iterdir(), reverse=True) if (d / sha).is_file()] if trash.is_dir() else []
        if not found:
            raise UserError(f"“{name}”的文件已被彻底清除\uff08超过 {TRASH_KEEP_DAYS} 天\uff09\uff0c无法恢复。请重新添加原始文件。")
        fs.restore_from_trash(found[0])
        moved_back = found[0]
    if fs.check(ctx, sha, size) != "ok":
        raise UserError(f"回收站中“{name}”的文件已损坏或被改动\uff0c无法恢复。请重新添加原始文件。")
    now = timestamp_now()
    try:
        with store.transaction() as s:
            t = s.get(EvidenceTrash, trash_id)
            if t is None:
                raise UserError("回收站中没有这一项\uff08可能刚被恢复\uff09。")
            if s.get(EvidenceFile, sha) is None:
                s.add(EvidenceFile(sha256=sha, size=size, mime=t.mime, stored_at=now))
            a = ensure_assessment(s, t.item_id, t.year)
            s.flush()
            dup = s.scalar(select(EvidenceLink).where(EvidenceLink.assessment_id == a.id, EvidenceLink.sha256 == sha))
            if dup is None:
                s.add(EvidenceLink(assessment_id=a.id, sha256=sha, original_name=t.original_name,
                                   description=t.description, doc_date=t.doc_date, file_mtime=t.file_mtime,
                                   added_at=t.added_at, added_by=t.added_by))
                s.add(ChangeLog(at=now, user=user, item_id=t.item_id, year=t.year, field=CHANGE_FIELD,
                                old_value="", new_value=f"从回收站恢复佐证材料“{t.original_name}”"))
                a.updated_at = now
            result = RestoredEntry(t.item_id, t.year, t.original_name, dup is not None)
            s.delete(t)
    except BaseException:
        if moved_back is not None:  # the row was not written: the file goes back to where it was
            try:
                import os

                moved_back.parent.mkdir(parents=True, exist_ok=True)
                with store.session() as s:
                    if s.get(EvidenceFile, sha) is None:
                        os.replace(fs.path(sha), moved_back)
            except OSError:
                pass
        raise
    return result
