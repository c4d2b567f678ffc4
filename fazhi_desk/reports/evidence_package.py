"""The 佐证材料 package: one zip with a folder per item holding that year's evidence under its original names.

Everything sits under one top folder ``<单位>_<年度>_佐证材料/`` (extracted beside
the workbook, the 佐证材料 sheet's relative links open the files), which also
holds ``目录.csv``: every member with its item, original name, size and SHA-256 (each text
cell through :func:`fazhi_desk.safetext.csv_cell`: one that Excel would evaluate gets a ``'``).
The exact path each file got is handed back (:attr:`PackageResult.members`) and
written into the workbook, so the two always agree. Folder names are ``<编号> <事项内容>`` shortened to a safe length, file names are
the names the files had when they were added (a file added from a sub-folder of a dropped folder,
"会议/签到表.pdf", goes into that sub-folder of the item's folder, inside the session's folder when it
belongs to a session of the activity log); all are made safe for Windows
(reserved characters and names replaced, trailing dots and spaces removed) and
name clashes within a folder get `` (2)``, `` (3)`` … before the extension.
Each stored file is read and re-hashed through the evidence
:class:`~fazhi_desk.evidence.FileStore` while it is packed: a missing or altered
file is not packed but reported (and listed in
``缺失或已变更的材料.txt`` inside the zip). Already-compressed types are stored,
the rest deflated; entry names are UTF-8 (zip flag bit 11).
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import FileStore, StoredFileDamaged, is_sha256
from fazhi_desk.fileio import safe_file_name
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.annual import EvidenceCheck, ReportData, ReportEvidence
from fazhi_desk.reports.output import output_file

STORED_TYPES = frozenset(
    ".jpg .jpeg .png .gif .webp .heic .pdf .ofd .docx .xlsx .pptx .wps .et .dps .zip .rar .7z .gz .bz2 .xz "
    ".mp3 .mp4 .m4a .mov .avi .wmv .mkv".split()
)
FOLDER_MAX = 48  # characters of a folder name
FILE_MAX = 80  # characters of a file name (extension included)
IN_MEMORY_MAX = 64 * 1024 * 1024  # files up to this size are read once; larger ones are hashed, then copied
PROBLEMS_FILE = "缺失或已变更的材料.txt"


SUBFOLDER_SEP = "/"  # between sub-folders and the file name in an evidence link's original_name


def base_name(original_name: str) -> str:
    """The file name of an evidence link without the sub-folders it was found in ("会议/签到表.pdf" → "签到表.pdf")."""
    return original_name.rsplit(SUBFOLDER_SEP, 1)[-1]


def sub_folders(original_name: str) -> list[str]:
    """The sub-folders of an original_name ("会议/2025/签到表.pdf" → ["会议", "2025"]); empty, "." and ".." parts
    (which no real folder has, but a row from elsewhere might) are left out."""
    return [p for p in original_name.split(SUBFOLDER_SEP)[:-1] if p.strip() not in ("", ".", "..")]


def safe_name(name: str, limit: int) -> str:
    """A file or folder name Windows accepts, at most ``limit`` characters, extension kept."""
    return safe_file_name(name, limit=limit, max_bytes=None)


def folder_name(item_id: str, requirement: str) -> str:
    return safe_name(f"{item_id} {requirement}".strip(), FOLDER_MAX)


def _dedupe(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        taken.add(name.lower())
        return name
    stem, ext = os.path.splitext(name)
    n = 2
    while True:
        cand = f"{stem} ({n}){ext}"
        if cand.lower() not in taken:
            taken.add(cand.lower())
            return cand
        n += 1


@dataclass(frozen=True)
class PackedFile:
    item_id: str
    arcname: str
    sha256: str
    size: int


@dataclass(frozen=True)
class PackageResult:
    path: Path
    packed: tuple[PackedFile, ...] = ()
    missing: tuple[ReportEvidence, ...] = ()
    altered: tuple[ReportEvidence, ...] = ()
    checks: dict[int, EvidenceCheck] = field(default_factory=dict)  # index in data.evidence → state
    members: dict[int, str] = field(default_factory=dict)  # index in data.evidence → path in the zip
    root: str = ""  # the top folder
    package_id: str = ""  # the export id, also in the zip comment

    def apply_to(self, data: ReportData) -> ReportData:
        """The report data with each evidence file's hash-check state, path in the zip and export id filled in."""
        ev = tuple(replace(e, check=self.checks.get(i, e.check), member=self.members.get(i, ""))
                   for i, e in enumerate(data.evidence))
        return replace(data, evidence=ev, evidence_hashed=True, package_root=self.root,
                       export_id=self.package_id)


INDEX_FILE = "目录.csv"
INDEX_COLUMNS = ("包内路径", "编号", "事项内容", "原文件名", "说明", "文件日期", "字节数", "SHA-256")


def package_root(office_name: str, year: int) -> str:
    """The zip's one top folder: ``<单位>_<年度>_佐证材料``."""
    return safe_name(f"{office_name.strip() or '本单位'}_{year}_佐证材料", FOLDER_MAX + 20)


def _index_csv(rows: list[tuple]) -> bytes:
    import csv
    import io

    from fazhi_desk.safetext import csv_cell

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(INDEX_COLUMNS)
    w.writerows([csv_cell(v) for v in row] for row in rows)  # a spreadsheet evaluates "=…" in a CSV too
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def new_package_id(today: dt.date | None = None) -> str:
    """The export id that ties a report to the evidence package written with it, e.g. ``20260130-7F3A9C21``."""
    import secrets

    return f"{(today or dt.date.today()):%Y%m%d}-{secrets.token_hex(4).upper()}"


def package_comment(package_id: str) -> bytes:
    """The zip comment (in the zip's central directory) naming the package's export id."""
    return f"fazhi-desk 佐证材料包编号 {package_id}".encode("utf-8")


def _zip_info(arcname: str, when: dt.date | None, size: int) -> zipfile.ZipInfo:
    t = dt.datetime.combine(when, dt.time(12, 0)) if when and when.year >= 1980 else dt.datetime.now()
    zi = zipfile.ZipInfo(arcname, date_time=t.timetuple()[:6])
    zi.compress_type = zipfile.ZIP_STORED if PurePosixPath(arcname).suffix.lower() in STORED_TYPES else zipfile.ZIP_DEFLATED
    zi.file_size = size
    zi.external_attr = 0o644 << 16
    return zi


def write_package(ctx: JobContext, data: ReportData, files: FileStore, out_path: Path,
                  package_id: str = "") -> PackageResult:
    """Write the year's evidence package to ``out_path`` (temp file, fsync, replace), its export id in the zip comment."""
    out_path = Path(out_path)
    folders: dict[str, str] = {}
    sessions: dict[tuple[str, str], str] = {}  # (item, session label) → its sub-folder's name
    subdirs: dict[tuple[str, str], str] = {}  # (folder, sub-folder as added) → its name in the zip
    taken: dict[str, set[str]] = {}
    packed: list[PackedFile] = []
    missing: list[ReportEvidence] = []
    altered: list[ReportEvidence] = []
    checks: dict[int, EvidenceCheck] = {}
    members: dict[int, str] = {}
    index: list[tuple] = []
    root = package_root(data.office_name, data.year)
    total = len(data.evidence)
    with output_file(out_path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=6) as zf:
            if package_id:
                zf.comment = package_comment(package_id)
            for i, e in enumerate(data.evidence):
                ctx.check()
                if i % 20 == 0:
                    ctx.progress(i, total, f"正在打包佐证材料 {i}/{total}……")
                folder = folders.get(e.item_id)
                if folder is None:
                    folder = _dedupe(folder_name(e.item_id, e.requirement), taken.setdefault("", set()))
                    folders[e.item_id] = folder
                try:  # a row whose hash is no hash (a planted "../..") names no file: missing
                    size = files.path(e.sha256).stat().st_size if is_sha256(e.sha256) else -1
                except OSError:
                    size = -1
                content: bytes | None = None
                if size < 0:
                    state = "missing"
                elif size <= IN_MEMORY_MAX:
                    state, content = files.read_checked(e.sha256)
                else:
                    state = files.check(ctx, e.sha256, e.size)
                if state in ("missing", "unreadable"):
                    missing.append(e)
                    checks[i] = EvidenceCheck.MISSING
                    continue
                if state != "ok":
                    altered.append(e)
                    checks[i] = EvidenceCheck.ALTERED
                    continue
                where = folder
                if e.session:  # a session's sign-in sheet and photos: a sub-folder named by its date and title
                    sub = sessions.get((e.item_id, e.session))
                    if sub is None:
                        sub = sessions[(e.item_id, e.session)] = _dedupe(
                            safe_name(e.session, FOLDER_MAX), taken.setdefault(folder, set()))
                    where = f"{folder}/{sub}"
                for part in sub_folders(e.original_name):  # the sub-folders of a dropped folder, kept
                    sub = subdirs.get((where, part))
                    if sub is None:
                        sub = subdirs[(where, part)] = _dedupe(safe_name(part, FOLDER_MAX),
                                                               taken.setdefault(where, set()))
                    where = f"{where}/{sub}"
                name = _dedupe(safe_name(base_name(e.original_name), FILE_MAX), taken.setdefault(where, set()))
                arc = f"{root}/{where}/{name}"
                zi = _zip_info(arc, e.doc_date, size)
                if content is not None:
                    zf.writestr(zi, content)
                else:
                    try:
                        with zf.open(zi, "w", force_zip64=size > 2**31) as dst:
                            files.copy_into(ctx, e.sha256, dst)
                    except StoredFileDamaged:  # changed between checking and copying
                        raise UserError(
                            f"佐证材料“{e.original_name}”\uff08{e.item_id}\uff09在打包过程中被修改\uff0c打包已停止。请重试。"
                        ) from None
                packed.append(PackedFile(e.item_id, arc, e.sha256, size))
                checks[i] = EvidenceCheck.OK
                members[i] = arc
                index.append((arc, e.item_id, e.requirement, e.original_name, e.description,
                              e.doc_date.isoformat() if e.doc_date else "", size, e.sha256))
            zf.writestr(_zip_info(f"{root}/{INDEX_FILE}", None, 0), _index_csv(index))
            if missing or altered:
                lines = [f"{data.office_name}{data.year}年度佐证材料中以下文件未能打包:", ""]
                for label, group in (("缺失", missing), ("已变更(内容与登记时不一致)", altered)):
                    for e in group:
                        lines.append(f"[{label}] {e.item_id} {e.original_name}  SHA-256 {e.sha256}")
                zf.writestr(f"{root}/{PROBLEMS_FILE}", "\r\n".join(lines) + "\r\n")
        ctx.progress(total, total, "佐证材料打包完成")
    return PackageResult(out_path, tuple(packed), tuple(missing), tuple(altered), checks, members, root,
                         package_id)
