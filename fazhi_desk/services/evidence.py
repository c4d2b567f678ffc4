"""Evidence (佐证材料) use cases: attach files to an item's year, link, unlink, edit, list, verify, gc.

The bytes live in the content-addressed :class:`~fazhi_desk.evidence.FileStore`
(``<data>/evidence``); the database holds what they are: ``evidence_file`` (one
row per distinct content) and ``evidence_link`` (one row per file per
assessment, with the name it had, a description and a document date).

Decisions:

* **A batch is all or nothing on cancel.** :func:`attach` copies every file
  first, then writes all rows in one transaction. Cancelling (or a failing
  commit) discards the files this batch newly stored and writes no row; files
  that failed individually (unreadable, vanished, 0 bytes, disk full) are
  listed in the summary and the rest of the batch still goes in.
* **0-byte files are refused**: an empty scan proves nothing and is almost
  always a failed save or download.
* **Duplicates**: the same content already attached to this item and year (or
  twice in one batch) is skipped and reported, not linked twice; content
  already stored for another item is linked without a second copy.
* **Removing a link never deletes a file**: :func:`unlink` removes the link
  and records it in the 回收站 (``evidence_trash``), from which
  :mod:`fazhi_desk.services.evidence_trash` puts it back for 30 days.
  :func:`gc` later moves files nothing links to (and stray files with no
  database row, after a one-hour grace period) into ``evidence/.trash/<day>/``,
  and purges trash older than 30 days. So a removal can be undone from the
  trash for a month, and a file still linked elsewhere is never touched.
* **Sub-folders are kept**: a file found in a sub-folder of a dropped folder is
  named with that sub-folder, relative to the dropped folder ("会议/签到表.pdf",
  ``original_name``; "/" never occurs in a file name), and the evidence package
  puts it in that sub-folder; lists show the whole name, copies out use the
  file name alone.
* **Verify repairs nothing**: :func:`verify` re-hashes every linked file and
  reports missing, altered or unreadable ones with the items and years they
  prove and the names they had.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from fazhi_desk.changes import Changes
from fazhi_desk.domain.completion import check_year
from fazhi_desk.errors import UserError
from fazhi_desk.evidence import FileStore, SourceChanged, SourceReadError, StoreWriteError
from fazhi_desk.evidence.filestore import CHUNK_SIZE, STALE_TEMP_SECONDS, TRASH_KEEP_DAYS, Staged
from fazhi_desk.fileio import safe_file_name as _safe_file_name
from fazhi_desk.reports.evidence_package import SUBFOLDER_SEP, base_name
from fazhi_desk.safetext import show_controls
from fazhi_desk.jobs import JobContext
from fazhi_desk.services import current_user
from fazhi_desk.store.backend import evidence_lock
from fazhi_desk.services.checklist import check_item_year, current_item, ensure_assessment, retired_refusal
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.models import Assessment, ChangeLog, EvidenceFile, EvidenceLink, EvidenceTrash

MAX_DESCRIPTION = 2000
SUBFOLDER_DEPTH = 3  # sub-folders kept below a dropped folder (deeper ones are folded into the third)
# Files are staged (copied, hashed) and then fsynced and named in groups: parallel fsyncs.
GROUP_FILES = 64
GROUP_BYTES = 64 << 20
CHANGE_FIELD = "evidence"  # change_log.field for evidence added/removed/edited

# Files a folder drop brings along that are never evidence.
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"}

_EXTRA_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "PDF 文件"),
    ".doc": ("application/msword", "Word 文档"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"),
    ".xls": ("application/vnd.ms-excel", "Excel 表格"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"),
    ".ppt": ("application/vnd.ms-powerpoint", "演示文稿"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "演示文稿"),
    ".wps": ("application/kswps", "WPS 文字"),
    ".et": ("application/kset", "WPS 表格"),
    ".dps": ("application/ksdps", "WPS 演示"),
    ".ofd": ("application/ofd", "OFD 版式文件"),
    ".txt": ("text/plain", "文本文件"),
    ".jpg": ("image/jpeg", "图片"),
    ".jpeg": ("image/jpeg", "图片"),
    ".png": ("image/png", "图片"),
    ".heic": ("image/heic", "图片"),
    ".tif": ("image/tiff", "图片"),
    ".tiff": ("image/tiff", "图片"),
    ".bmp": ("image/bmp", "图片"),
    ".zip": ("application/zip", "压缩包"),
    ".rar": ("application/vnd.rar", "压缩包"),
    ".7z": ("application/x-7z-compressed", "压缩包"),
    ".mp4": ("video/mp4", "视频"),
    ".mp3": ("audio/mpeg", "音频"),
}


def guess_mime(name: str) -> str:
    ext = os.path.splitext(name)[1].lower()
    if ext in _EXTRA_TYPES:
        return _EXTRA_TYPES[ext][0]
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def kind_label(name: str, mime: str = "") -> str:
    """类型 as the user knows it: "Word 文档", "图片", "PDF 文件", otherwise "XYZ 文件"."""
    ext = os.path.splitext(name)[1].lower()
    if ext in _EXTRA_TYPES:
        return _EXTRA_TYPES[ext][1]
    top = mime.split("/", 1)[0]
    if top == "image":
        return "图片"
    if top == "video":
        return "视频"
    if top == "audio":
        return "音频"
    return f"{ext[1:].upper()} 文件" if ext else "文件"


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n_f = n / 1024
        if n_f < 1024 or unit == "TB":
            return f"{n_f:.1f} {unit}" if n_f < 100 else f"{n_f:.0f} {unit}"
        n = int(n_f)
    return f"{n} B"  # pragma: no cover


def file_store(store: Store) -> FileStore:
    """The evidence file store of an open store."""
    return FileStore(store.evidence_root)


# --- dataclasses crossing layers -------------------------------------------------


@dataclass(frozen=True)
class EvidenceEntry:
    """One attachment (an evidence link) as lists and dialogs show it."""

    link_id: int
    item_id: str
    year: int
    sha256: str
    original_name: str
    size: int
    mime: str
    description: str
    doc_date: dt.date | None
    file_mtime: dt.datetime | None
    added_at: dt.datetime
    added_by: str
    link_count: int  # how many item-years this same file proves

    @property
    def kind(self) -> str:
        return kind_label(self.original_name, self.mime)

    @property
    def changes(self) -> Changes:
        """A link made or edited: its item's year shows other attachments (and the row another count)."""
        return Changes.evidence_of((self.item_id, self.year))


@dataclass(frozen=True)
class AttachedFile:
    source: str
    original_name: str
    sha256: str
    size: int
    shared: bool  # identical content was already stored (no second copy)
    repaired: bool = False  # the stored copy was damaged and has been replaced


@dataclass(frozen=True)
class FileOutcome:
    """A file that was not attached, and why (Chinese)."""

    source: str
    reason: str


@dataclass(frozen=True)
class AttachSummary:
    item_id: str
    year: int
    added: tuple[AttachedFile, ...] = ()
    skipped: tuple[FileOutcome, ...] = ()  # duplicates: already attached, or twice in this batch
    failed: tuple[FileOutcome, ...] = ()
    ignored: int = 0  # system files (Thumbs.db, ~$ lock files, hidden) inside dropped folders

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def changes(self) -> Changes:
        return Changes.evidence_of((self.item_id, self.year))

    def text(self) -> str:
        """A Chinese summary for a message box or the console."""
        lines = [f"事项 {self.item_id}({self.year} 年):添加 {len(self.added)} 个文件"
                 + (f",跳过重复 {len(self.skipped)} 个" if self.skipped else "")
                 + (f",失败 {len(self.failed)} 个" if self.failed else "") + "。"]
        shared = sum(1 for a in self.added if a.shared)
        if shared:
            lines.append(f"其中 {shared} 个文件与已存储的文件内容相同,已直接关联,未重复占用空间。")
        for a in self.added:
            if a.repaired:
                lines.append(f"存储中“{a.original_name}”的副本已损坏,已用本次添加的文件替换。")
        if self.ignored:
            lines.append(f"文件夹中的 {self.ignored} 个系统或隐藏文件(如 Thumbs.db、~$ 临时文件)已忽略。")
        if self.failed:
            lines.append("以下文件未添加:")
            lines += [f"  · {f.source}:{f.reason}" for f in self.failed[:50]]
            if len(self.failed) > 50:
                lines.append(f"  ……另有 {len(self.failed) - 50} 个")
        if self.skipped:
            lines.append("以下文件已跳过:")
            lines += [f"  · {f.source}:{f.reason}" for f in self.skipped[:20]]
            if len(self.skipped) > 20:
                lines.append(f"  ……另有 {len(self.skipped) - 20} 个")
        return "\n".join(lines)


@dataclass(frozen=True)
class UnlinkResult:
    entry: EvidenceEntry
    remaining_links: int  # other item-years still using the same file

    @property
    def changes(self) -> Changes:
        return self.entry.changes


@dataclass(frozen=True)
class LinkRef:
    """Where a stored file is used: which item, which year, under which name."""

    item_id: str
    year: int
    original_name: str
    link_id: int


NOT_PROVEN = ("无法确认佐证材料目录与当前数据库属于同一个工作区(工作区编号不一致或缺失,例如数据库是从别处恢复的),"
              "因此不能判断哪些文件已不再使用;程序不会清理任何文件。")

PROBLEM_TEXT = {"missing": "文件丢失", "altered": "内容已被改动", "unreadable": "无法读取"}


@dataclass(frozen=True)
class VerifyProblem:
    sha256: str
    kind: str  # "missing" | "altered" | "unreadable"
    links: tuple[LinkRef, ...]

    @property
    def kind_text(self) -> str:
        return PROBLEM_TEXT.get(self.kind, self.kind)


@dataclass(frozen=True)
class ItemProblems:
    item_id: str
    year: int
    files: tuple[tuple[str, str], ...]  # (original name, problem text)


@dataclass(frozen=True)
class VerifyReport:
    checked: int  # stored files re-hashed
    total_bytes: int
    problems: tuple[VerifyProblem, ...] = ()
    unreferenced: int = 0  # files nothing links to any more (gc moves them to the trash)
    stray: int = 0  # files in the folder without a database row
    proven: bool = True  # the evidence folder provably belongs to this database (else nothing counts as unused)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_item(self) -> list[ItemProblems]:
        groups: dict[tuple[str, int], list[tuple[str, str]]] = {}
        for p in self.problems:
            for ref in p.links:
                groups.setdefault((ref.item_id, ref.year), []).append((ref.original_name, p.kind_text))
        return [ItemProblems(k[0], k[1], tuple(sorted(v))) for k, v in sorted(groups.items())]

    def text(self) -> str:
        head = f"已校验 {self.checked} 个佐证材料文件({size_text(self.total_bytes)})。"
        if self.ok:
            lines = [head + "全部完好。"]
        else:
            n_links = sum(len(p.links) for p in self.problems)
            lines = [head + f"发现 {len(self.problems)} 个文件有问题,涉及 {n_links} 处佐证材料:"]
            for g in self.by_item():
                lines.append(f"事项 {g.item_id}({g.year} 年):")
                lines += [f"  · {name}:{what}" for name, what in g.files]
            lines.append("程序没有自动修复。请找到原始文件,移除有问题的佐证材料后重新添加。")
        if not self.proven:
            lines.append(NOT_PROVEN)
        elif self.unreferenced or self.stray:
            lines.append(f"另有 {self.unreferenced + self.stray} 个文件已不再被任何事项使用,可运行“清理”移入回收目录。")
        return "\n".join(lines)


@dataclass(frozen=True)
class GcReport:
    trashed: int  # unreferenced files moved to the trash (their rows deleted)
    stray_trashed: int  # files without a database row moved to the trash
    temps_removed: int  # copies left behind by a crash
    purged: int  # trash files older than the keep period deleted
    freed_bytes: int

    def text(self) -> str:
        return (f"已把 {self.trashed + self.stray_trashed} 个不再使用的文件({size_text(self.freed_bytes)})"
                f"移入回收目录(保留 {TRASH_KEEP_DAYS} 天),删除 {self.temps_removed} 个中断留下的临时文件,"
                f"清除 {self.purged} 个过期的回收文件。")


# --- helpers ------------------------------------------------------------------


def _check_year(year: int) -> None:
    check_year(year)


def _require_item(s: Session, item_id: str, year: int) -> None:
    """Refuse an unknown item, and new evidence for a retired item in a year where it has no record."""
    row, _item, doc = current_item(s, item_id)
    check_item_year(item_id, doc, year)
    why = retired_refusal(s, row, year)
    if why:
        raise UserError(why)


def _is_ignored(entry: os.DirEntry) -> bool:
    name = entry.name
    if name.lower() in _IGNORED_NAMES or name.startswith("~$") or name.startswith("."):
        return True
    attrs = getattr(entry.stat(), "st_file_attributes", 0)
    return bool(attrs & (getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2) | getattr(stat, "FILE_ATTRIBUTE_SYSTEM", 4)))


NOT_REGULAR = "不是普通文件(命名管道、设备或套接字),已跳过;请只添加文档、图片等普通文件"
LINK_IN_FOLDER = "这是文件夹中的链接(快捷方式),不会被跟随;如需添加,请直接选择它指向的文件"


def _relative_folder(root: Path, folder: str) -> str:
    """A folder found inside a dropped folder ``root``, relative to it, as stored: parts joined by "/",
    NFC, direction controls shown, at most :data:`SUBFOLDER_DEPTH` levels ("" for ``root`` itself)."""
    rel = os.path.relpath(folder, root)
    if rel in (".", ""):
        return ""
    parts = [show_controls(unicodedata.normalize("NFC", p)).replace(SUBFOLDER_SEP, "_")
             for p in Path(rel).parts if p not in (".", "..")]
    if len(parts) > SUBFOLDER_DEPTH:
        parts = [*parts[:SUBFOLDER_DEPTH - 1], "-".join(parts[SUBFOLDER_DEPTH - 1:])]
    return SUBFOLDER_SEP.join(parts)


def collect_files(paths: Iterable[str | os.PathLike[str]], recursive: bool = True
                  ) -> tuple[list[tuple[Path, str]], list[FileOutcome], int]:
    """Expand folders (recursively, following no link, neither to a folder nor to a file) into files.

    Returns (files in a stable order, each with the sub-folder it was found in below the dropped folder
    ("" for a file given itself or lying in the dropped folder), paths refused with a reason, number of
    system/hidden files ignored inside folders).
    """
    files: list[tuple[Path, str]] = []
    failed: list[FileOutcome] = []
    ignored = 0
    seen: set[str] = set()

    def add(p: Path, folder: str = "") -> None:
        key = os.path.normcase(os.path.abspath(p))
        if key not in seen:
            seen.add(key)
            files.append((p, folder))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if not recursive:
                failed.append(FileOutcome(str(p), "这是一个文件夹;请用“添加文件夹…”添加其中的文件"))
                continue
            found = 0
            errors: list[OSError] = []
            for root, dirs, names in os.walk(p, onerror=errors.append, followlinks=False):
                dirs.sort()
                folder = _relative_folder(p, root)
                with os.scandir(root) as it:
                    entries = {e.name: e for e in it}
                for name in sorted(names):
                    e = entries.get(name)
                    if e is None or e.is_symlink():  # a link inside a folder is never followed (nor vanished)
                        failed.append(FileOutcome(str(Path(root) / name), LINK_IN_FOLDER))
                        continue
                    if e is not None:
                        try:
                            if _is_ignored(e):
                                ignored += 1
                                continue
                        except OSError:
                            pass
                    if not e.is_file(follow_symlinks=False):  # a FIFO would block the copy; a device never ends
                        failed.append(FileOutcome(str(Path(root) / name), NOT_REGULAR))
                        continue
                    add(Path(root) / name, folder)
                    found += 1
            for err in errors:
                failed.append(FileOutcome(str(err.filename or p), "无法读取该文件夹(没有访问权限或已被移走)"))
            if not found and not errors:
                failed.append(FileOutcome(str(p), "文件夹中没有可添加的文件"))
        elif p.is_file():
            add(p)
        elif os.path.islink(p):
            failed.append(FileOutcome(str(p), "快捷方式(链接)指向的文件不存在"))
        elif not p.exists():
            failed.append(FileOutcome(str(p), "文件不存在(可能已被移动或删除)"))
        else:
            failed.append(FileOutcome(str(p), "不是普通文件"))
    return files, failed, ignored


def _link_counts(s: Session, shas: Iterable[str]) -> dict[str, int]:
    shas = list(set(shas))
    if not shas:
        return {}
    return dict(s.execute(
        select(EvidenceLink.sha256, func.count(EvidenceLink.id))
        .where(EvidenceLink.sha256.in_(shas)).group_by(EvidenceLink.sha256)
    ).all())


def _entries(s: Session, where) -> list[EvidenceEntry]:  # noqa: ANN001
    rows = s.execute(
        select(EvidenceLink, EvidenceFile, Assessment.item_id, Assessment.year)
        .join(EvidenceFile, EvidenceFile.sha256 == EvidenceLink.sha256)
        .join(Assessment, Assessment.id == EvidenceLink.assessment_id)
        .where(where)
        .order_by(EvidenceLink.added_at, EvidenceLink.id)
    ).all()
    counts = _link_counts(s, (r[0].sha256 for r in rows))
    return [
        EvidenceEntry(
            link_id=link.id, item_id=item_id, year=year, sha256=link.sha256,
            original_name=show_controls(link.original_name), size=f.size, mime=f.mime, description=link.description,
            doc_date=link.doc_date, file_mtime=link.file_mtime, added_at=link.added_at,
            added_by=link.added_by, link_count=counts.get(link.sha256, 1),
        )
        for link, f, item_id, year in rows
    ]


def _get_link(s: Session, link_id: int) -> EvidenceLink:
    link = s.get(EvidenceLink, link_id)
    if link is None:
        raise UserError(f"找不到编号为 {link_id} 的佐证材料\uff08可能已被移除\uff09。请刷新后重试。")
    return link


def _log(s: Session, a: Assessment, user: str, now: dt.datetime, old: str, new: str) -> None:
    s.add(ChangeLog(at=now, user=user, item_id=a.item_id, year=a.year, field=CHANGE_FIELD,
                    old_value=old, new_value=new))


def _permille(done: int, total: int) -> int:
    return 1000 if total <= 0 else min(1000, done * 1000 // total)


# --- queries ------------------------------------------------------------------


def list_evidence(store: Store, item_id: str, year: int) -> list[EvidenceEntry]:
    """The attachments of one item in one year, oldest first."""
    with store.session() as s:
        a_id = s.scalar(select(Assessment.id).where(Assessment.item_id == item_id, Assessment.year == year))
        if a_id is None:
            return []
        return _entries(s, EvidenceLink.assessment_id == a_id)


def get_entry(store: Store, link_id: int) -> EvidenceEntry:
    with store.session() as s:
        found = _entries(s, EvidenceLink.id == link_id)
    if not found:
        raise UserError(f"找不到编号为 {link_id} 的佐证材料\uff08可能已被移除\uff09。请刷新后重试。")
    return found[0]


def links_of_file(store: Store, sha256: str) -> list[EvidenceEntry]:
    """Every item-year a stored file proves."""
    with store.session() as s:
        return _entries(s, EvidenceLink.sha256 == sha256)


# --- attaching ------------------------------------------------------------------


@dataclass
class _Pending:
    source: Path
    name: str
    sha256: str
    size: int
    mime: str
    mtime: dt.datetime | None
    created: bool
    repaired: bool


def attach(
    ctx: JobContext,
    store: Store,
    item_id: str,
    year: int,
    paths: Sequence[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    description: str = "",
    doc_date: str | dt.date | None = None,
    user: str | None = None,
) -> AttachSummary:
    """Copy files (folders: recursively) into the evidence store and attach them to an item's year.

    See the module docstring for cancel, duplicate and 0-byte rules. Raises
    :class:`~fazhi_desk.jobs.Cancelled` (nothing changed) or :class:`UserError`
    for problems of the whole batch (unknown item, bad year, commit failed).
    """
    _check_year(year)
    when = parse_doc_date(doc_date)  # 文件日期 of every file added now (refused before anything is copied)
    if len(description) > MAX_DESCRIPTION:
        raise UserError(f"说明超过 {MAX_DESCRIPTION} 字\uff0c请精简后再保存。")
    user = user or current_user()
    with store.session() as s:
        _require_item(s, item_id, year)
        a_id = s.scalar(select(Assessment.id).where(Assessment.item_id == item_id, Assessment.year == year))
        already: dict[str, str] = {}
        if a_id is not None:
            already = dict(s.execute(
                select(EvidenceLink.sha256, EvidenceLink.original_name).where(EvidenceLink.assessment_id == a_id)
            ).all())

    found, failed, ignored = collect_files(paths, recursive)
    files = [p for p, _folder in found]
    folders = {p: folder for p, folder in found}
    sizes: dict[Path, int] = {}
    for p in files:
        try:
            sizes[p] = p.stat().st_size
        except OSError:
            sizes[p] = 0
    total = sum(sizes.values())
    fs = file_store(store)
    fs.clean_temps()  # copies a killed earlier attach left (their process has ended)
    pending: list[_Pending] = []
    skipped: list[FileOutcome] = []
    in_batch: dict[str, str] = {}
    done = 0
    created_here: list[str] = []
    n_files = len(files)

    group: list[tuple[Staged, Path, str, os.stat_result]] = []  # staged, not yet fsynced and named
    group_bytes = 0

    def flush_group() -> None:
        nonlocal group_bytes
        results = fs.commit(ctx, [g[0] for g in group])
        for (stg, p, name, st), r in zip(group, results):
            if isinstance(r, StoreWriteError):
                failed.append(FileOutcome(str(p), r.message))
                in_batch.pop(stg.sha256, None)
                continue
            if r.created:
                created_here.append(r.sha256)
            try:
                mtime: dt.datetime | None = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).astimezone()
            except (OverflowError, OSError, ValueError):
                mtime = None
            pending.append(_Pending(p, name, r.sha256, r.size, guess_mime(name), mtime, r.created, r.repaired))
        group.clear()
        group_bytes = 0

    try:
        for i, p in enumerate(files, 1):
            ctx.check()
            name = show_controls(unicodedata.normalize("NFC", p.name))  # "\u202efdp.exe" is kept as "[U+202E]fdp.exe"
            if folders.get(p):  # found in a sub-folder of a dropped folder: kept with it ("会议/签到表.pdf")
                name = f"{folders[p]}{SUBFOLDER_SEP}{name}"
            ctx.progress(_permille(done, total), 1000, f"正在添加第 {i}/{n_files} 个文件:{name}")
            try:
                st = p.stat()
            except OSError:
                failed.append(FileOutcome(str(p), "文件不存在或已被移走"))
                continue
            if not stat.S_ISREG(st.st_mode):
                failed.append(FileOutcome(str(p), NOT_REGULAR))
                continue
            if st.st_size == 0:
                failed.append(FileOutcome(str(p), "文件为空(0 字节),不能证明任何事情;请检查是否选错了文件或文件未保存完整"))
                continue
            start = done

            def on_bytes(k: int, _i: int = i, _name: str = name) -> None:
                nonlocal done
                done += k
                ctx.progress(_permille(done, total), 1000, f"正在添加第 {_i}/{n_files} 个文件:{_name}")

            try:
                stg = fs.stage(ctx, p, on_bytes=on_bytes)
            except (SourceReadError, SourceChanged) as e:
                failed.append(FileOutcome(str(p), e.reason))
                done = start + sizes.get(p, 0)
                continue
            except StoreWriteError as e:
                failed.append(FileOutcome(str(p), e.message))
                done = start + sizes.get(p, 0)
                continue
            if stg.sha256 in already:
                fs.abandon([stg])
                skipped.append(FileOutcome(str(p), f"与本事项已有的“{already[stg.sha256]}”内容相同,未重复添加"))
                continue
            if stg.sha256 in in_batch:
                fs.abandon([stg])
                skipped.append(FileOutcome(str(p), f"与本次添加的“{in_batch[stg.sha256]}”内容相同,未重复添加"))
                continue
            in_batch[stg.sha256] = name
            group.append((stg, p, name, st))
            group_bytes += stg.size
            if len(group) >= GROUP_FILES or group_bytes >= GROUP_BYTES:
                flush_group()
        if group:
            flush_group()

        ctx.check()
        if pending:
            ctx.progress(1000, 1000, "正在保存……")
            _commit_links(store, fs, item_id, year, pending, description, user, when)
    except BaseException:
        fs.abandon([g[0] for g in group])
        _discard_uncommitted(store, fs, created_here)
        raise

    added = tuple(AttachedFile(str(x.source), x.name, x.sha256, x.size, shared=not x.created, repaired=x.repaired)
                  for x in pending)
    return AttachSummary(item_id, year, added, tuple(skipped), tuple(failed), ignored)


def _commit_links(store: Store, fs: FileStore, item_id: str, year: int, pending: list[_Pending],
                  description: str, user: str, doc_date: dt.date | None = None) -> None:
    now = timestamp_now()
    # store.transaction() turns SQLite's refusals (disk full, read-only...) into Chinese messages.
    with store.transaction() as s:
        evidence_lock(s)  # a server store: clean-up on another desk waits for these links (and they for it)
        a = ensure_assessment(s, item_id, year)
        for x in pending:
            f = s.get(EvidenceFile, x.sha256)
            if f is None:
                s.add(EvidenceFile(sha256=x.sha256, size=x.size, mime=x.mime, stored_at=now))
            s.add(EvidenceLink(assessment_id=a.id, sha256=x.sha256, original_name=x.name,
                               description=description, doc_date=doc_date, file_mtime=x.mtime,
                               added_at=now, added_by=user))
            _log(s, a, user, now, "", f"添加佐证材料“{x.name}”")
        a.updated_at = now
        s.flush()  # holds the write lock from here: a concurrent gc can no longer move files
        for x in pending:
            if not fs.exists(x.sha256):
                raise UserError(
                    f"“{x.name}”保存后被同时运行的清理操作移走。请重新添加这些文件\uff1b本次没有添加任何文件。"
                )


def _discard_uncommitted(store: Store, fs: FileStore, shas: list[str]) -> None:
    """Delete files this batch newly stored, unless some committed row uses them."""
    if not shas:
        return
    try:
        with store.session() as s:
            kept = set(s.scalars(select(EvidenceFile.sha256).where(EvidenceFile.sha256.in_(shas))))
    except Exception:
        return  # leave them: gc removes strays once it can read the database
    for sha in shas:
        if sha not in kept:
            fs.discard(sha)


def link_existing(store: Store, link_id: int, item_id: str, year: int, *, user: str | None = None) -> EvidenceEntry:
    """Use an attached file also for another item (or year) without storing it twice."""
    _check_year(year)
    user = user or current_user()
    now = timestamp_now()
    with store.transaction() as s:
        src = _get_link(s, link_id)
        _require_item(s, item_id, year)
        a = ensure_assessment(s, item_id, year)
        dup = s.scalar(select(EvidenceLink).where(EvidenceLink.assessment_id == a.id,
                                                  EvidenceLink.sha256 == src.sha256))
        if dup is not None:
            raise UserError(f"“{src.original_name}”已经是事项 {item_id}\uff08{year} 年\uff09的佐证材料\uff08名为“{dup.original_name}”\uff09。")
        new = EvidenceLink(assessment_id=a.id, sha256=src.sha256, original_name=src.original_name,
                           description=src.description, doc_date=src.doc_date, file_mtime=src.file_mtime,
                           added_at=now, added_by=user)
        s.add(new)
        _log(s, a, user, now, "", f"添加佐证材料“{src.original_name}”(与其他事项共用)")
        a.updated_at = now
        s.flush()
        new_id = new.id
    return get_entry(store, new_id)


def unlink(store: Store, link_id: int, *, user: str | None = None) -> UnlinkResult:
    """Remove one attachment; the stored file stays until :func:`gc` (and is kept if used elsewhere)."""
    entry = get_entry(store, link_id)
    user = user or current_user()
    now = timestamp_now()
    with store.transaction() as s:
        link = _get_link(s, link_id)
        a = s.get(Assessment, link.assessment_id)
        s.add(EvidenceTrash(sha256=link.sha256, size=entry.size, mime=entry.mime, item_id=entry.item_id,
                            year=entry.year, original_name=link.original_name, description=link.description,
                            doc_date=link.doc_date, file_mtime=link.file_mtime, added_at=link.added_at,
                            added_by=link.added_by, removed_at=now, removed_by=user))
        s.delete(link)
        if a is not None:
            _log(s, a, user, now, f"佐证材料“{link.original_name}”", "已移除")
            a.updated_at = now
        s.flush()
        remaining = s.scalar(select(func.count(EvidenceLink.id)).where(EvidenceLink.sha256 == entry.sha256)) or 0
    return UnlinkResult(entry, remaining)


_UNSET: object = object()
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_doc_date(text: str | dt.date | None) -> dt.date | None:
    """文件日期 from "2023-05-01", "2023/5/1", "2023.5.1", "2023年5月1日" or "20230501"; "" clears it."""
    if text is None or isinstance(text, dt.date):
        return text  # type: ignore[return-value]
    t = str(text).strip()
    if not t:
        return None
    m = _DATE_RE.match(t)
    try:
        if m:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif re.fullmatch(r"\d{8}", t):
            d = dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        else:
            raise ValueError(t)
    except ValueError:
        raise UserError(f"文件日期“{t}”不是有效日期。请按 2023-05-01 或 2023年5月1日 的格式填写\uff0c或留空。") from None
    if not 1949 <= d.year <= 2100:
        raise UserError(f"文件日期“{t}”的年份不合理。请检查后重新填写。")
    return d


def update_link(store: Store, link_id: int, *, description: object = _UNSET, doc_date: object = _UNSET,
                user: str | None = None) -> EvidenceEntry:
    """Change an attachment's 说明 and/or 文件日期 (text or date; "" clears the date)."""
    user = user or current_user()
    now = timestamp_now()
    changes: dict[str, object] = {}
    if description is not _UNSET:
        d = "" if description is None else str(description).strip()
        if len(d) > MAX_DESCRIPTION:
            raise UserError(f"说明超过 {MAX_DESCRIPTION} 字\uff0c请精简后再保存。")
        changes["description"] = d
    if doc_date is not _UNSET:
        changes["doc_date"] = parse_doc_date(doc_date)  # type: ignore[arg-type]
    with store.transaction() as s:
        link = _get_link(s, link_id)
        a = s.get(Assessment, link.assessment_id)
        for k, v in changes.items():
            before = getattr(link, k)
            if before == v:
                continue
            setattr(link, k, v)
            if a is not None:
                label = "说明" if k == "description" else "文件日期"
                show = (lambda x: x.isoformat() if isinstance(x, dt.date) else (x or ""))
                _log(s, a, user, now, f"“{link.original_name}”{label}:{show(before)}", show(v))
    return get_entry(store, link_id)


# --- copies out -------------------------------------------------------------------

def safe_file_name(name: str) -> str:
    """A name every Windows and Linux file system accepts, as close to ``name`` as possible (the file name only:
    the sub-folders of "会议/签到表.pdf" are left out)."""
    return _safe_file_name(base_name(name), fallback="佐证材料")


def _copy_progress(ctx: JobContext, size: int, text: str) -> Callable[[int], None]:
    """A byte counter for copying one file out of the store that reports progress in per mille."""
    total = max(size, 1)
    done = 0

    def on_bytes(k: int) -> None:
        nonlocal done
        done += k
        ctx.progress(_permille(done, total), 1000, text)

    return on_bytes


def export_copy(ctx: JobContext, store: Store, link_id: int, dest: str | os.PathLike[str]) -> Path:
    """另存为: copy an attachment to ``dest`` (checked against its hash; temp name, fsync, rename)."""
    e = get_entry(store, link_id)
    on_bytes = _copy_progress(ctx, e.size, f"正在复制“{e.original_name}”")
    return file_store(store).copy_out(ctx, e.sha256, Path(dest), on_bytes)


def open_copy_dir() -> Path:
    return Path(tempfile.gettempdir()) / "fazhi-desk-open"


def temp_copy(ctx: JobContext, store: Store, link_id: int) -> Path:
    """A read-only copy under the original name in the temp folder, to open or show in the file manager.

    Programs then show a sensible name, and nothing they do can alter the stored
    evidence. An unchanged earlier copy of the same file is reused.
    """
    e = get_entry(store, link_id)
    fs = file_store(store)
    base = open_copy_dir() / e.sha256[:16]
    dest = base / safe_file_name(e.original_name)
    if dest.is_file():
        try:
            if dest.stat().st_size == e.size and fs.hash_path(ctx, dest) == e.sha256:
                return dest
        except OSError:
            pass
        base.parent.mkdir(parents=True, exist_ok=True)
        dest = Path(tempfile.mkdtemp(prefix=e.sha256[:8] + "-", dir=base.parent)) / dest.name
    on_bytes = _copy_progress(ctx, e.size, f"正在准备“{e.original_name}”")
    return fs.copy_out(ctx, e.sha256, dest, on_bytes, read_only=True)


# --- verify and gc -----------------------------------------------------------------


def verify(ctx: JobContext, store: Store) -> VerifyReport:
    """校验: re-hash every stored file a link uses; list missing/altered ones by item. Changes nothing."""
    with store.session() as s:
        files = {sha: size for sha, size in s.execute(select(EvidenceFile.sha256, EvidenceFile.size))}
        refs: dict[str, list[LinkRef]] = {}
        for sha, item_id, year, name, lid in s.execute(
            select(EvidenceLink.sha256, Assessment.item_id, Assessment.year, EvidenceLink.original_name,
                   EvidenceLink.id)
            .join(Assessment, Assessment.id == EvidenceLink.assessment_id)
            .order_by(Assessment.item_id, Assessment.year, EvidenceLink.id)
        ):
            refs.setdefault(sha, []).append(LinkRef(item_id, year, name, lid))
    fs = file_store(store)
    linked = sorted(sha for sha in files if sha in refs)
    total = sum(files[sha] for sha in linked)
    done = 0
    buf = bytearray(CHUNK_SIZE)
    problems: list[VerifyProblem] = []

    def on_bytes(k: int) -> None:
        nonlocal done
        done += k

    for i, sha in enumerate(linked, 1):
        ctx.check()
        ctx.progress(_permille(done, total), 1000, f"正在校验第 {i}/{len(linked)} 个文件")
        start = done
        result = fs.check(ctx, sha, files[sha], on_bytes, buf)
        done = start + files[sha]
        if result != "ok":
            problems.append(VerifyProblem(sha, result, tuple(refs[sha])))
    ctx.progress(1000, 1000, "校验完成")
    on_disk = set(fs.iter_shas())
    return VerifyReport(
        checked=len(linked), total_bytes=total, problems=tuple(problems),
        unreferenced=sum(1 for sha in files if sha not in refs and sha in on_disk),
        stray=len(on_disk - files.keys()), proven=store.evidence_belongs(),
    )


def gc(store: Store, *, grace_seconds: float = STALE_TEMP_SECONDS, keep_days: int = TRASH_KEEP_DAYS) -> GcReport:
    """Move files nothing links to into ``evidence/.trash/<day>/``; see the module docstring.

    Files without a database row are only moved when older than ``grace_seconds``
    (an attach in progress writes the file before its row).
    """
    import time

    if not store.evidence_belongs():
        raise UserError(NOT_PROVEN)
    fs = file_store(store)
    temps = fs.clean_temps(grace_seconds)
    trashed: list[Path] = []
    freed = 0
    try:
        with store.transaction() as s:
            evidence_lock(s, exclusive=True)  # no other desk is linking a file in a transaction not yet committed
            gone = list(s.execute(
                delete(EvidenceFile)
                .where(~exists().where(EvidenceLink.sha256 == EvidenceFile.sha256))
                .returning(EvidenceFile.sha256, EvidenceFile.size)
            ).all())
            for sha, size in gone:
                try:
                    t = fs.trash(sha)
                except OSError as e:
                    raise UserError(f"无法把不再使用的文件移入回收目录“{fs.trash_root}”\uff1a{e.strerror or e}。"
                                    "请检查佐证材料目录的写入权限\uff1b没有删除任何文件。") from e
                if t is not None:
                    trashed.append(t)
                    freed += size
    except BaseException:
        for t in trashed:
            try:
                fs.restore_from_trash(t)
            except OSError:
                pass
        raise
    with store.session() as s:
        known = set(s.scalars(select(EvidenceFile.sha256)))
    stray = 0
    now = time.time()
    for sha in list(fs.iter_shas()):
        if sha in known:
            continue
        try:
            p = fs.path(sha)
            if now - p.stat().st_mtime < grace_seconds:
                continue
            size = p.stat().st_size
            if fs.trash(sha) is not None:
                stray += 1
                freed += size
        except OSError:
            continue
    purged = fs.purge_trash(keep_days)
    with store.transaction() as s:  # 回收站 entries older than the keep period go with their files
        s.execute(delete(EvidenceTrash).where(
            EvidenceTrash.removed_at < timestamp_now() - dt.timedelta(days=keep_days)))
    return GcReport(trashed=len(trashed), stray_trashed=stray, temps_removed=temps, purged=purged, freed_bytes=freed)
