"""The backup file (.fzbak): write one from a live workspace, and read one back with every check.

A backup is a zip (members stored, not compressed: evidence is mostly PDF and
JPEG already, and storing keeps a backup as fast as copying) holding::

    fazhi-desk.sqlite3           a consistent snapshot of the database (SQLite online backup API)
    evidence/<sha[:2]>/<sha>     every evidence file the snapshot references (a full backup)
    说明.txt                     what this file is and how to restore it, for a person who finds it
    manifest.json                written last: program version, schema revision, office profile,
                                 catalogue versions, counts, and every member's size and SHA-256

The snapshot is taken while the program may be writing: the backup API copies
the database under one read transaction, so it holds exactly the commits made
before it began. Evidence files are immutable and named by their hash; one that
a concurrent clean-up moved to the trash is taken from there.

Writing goes to ``~fzbak-<pid>-<token>.tmp`` beside the final name, is fsynced,
and only then renamed; a cancel, an error or a kill leaves no file under the
final name (the temp is removed on error, and by the next start or backup when
its process is gone).

Reading (:func:`read_backup`) refuses, with a Chinese message naming the
damage, a file that is not a zip or is cut short, a zip that is not ours,
unsafe member names (``..``, absolute, drive letters), members whose declared
sizes exceed the free disk or a sane compression ratio, a member missing or
added, a member whose bytes differ from the manifest, a database that fails
``integrity_check`` or whose counts differ, and a schema newer than this
program knows. Nothing is ever written outside the target directory.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import stat
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from fazhi_desk import __version__
from fazhi_desk.errors import Problem, UserError
from fazhi_desk.evidence.filestore import TRASH_DIR, is_sha256, os_error_text
from fazhi_desk.fileio import fsync_dir as _fsync_dir
from fazhi_desk.fileio import read_chunks
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.store.swap import TEMP_PREFIX, remove_stale_backup_temps
from fazhi_desk.testpoints import pause

FORMAT = "fazhi-desk-backup"
FORMAT_VERSION = 1
SUFFIX = ".fzbak"
DB_MEMBER = "fazhi-desk.sqlite3"
MANIFEST = "manifest.json"
README_MEMBER = "说明.txt"
EVIDENCE_PREFIX = "evidence/"
CHUNK = 1 << 20
MAX_MANIFEST = 64 << 20
MAX_RATIO = 100  # a declared size more than 100× the stored bytes is a zip bomb, not a backup
SPACE_MARGIN = 8 << 20  # the snapshot's own journal, directory entries, rounding

REASONS = {
    "manual": "手动备份",
    "daily": "每日自动备份",
    "before-import": "导入目录前自动备份",
    "before-restore": "恢复前自动备份",
    "before-migration": "升级数据库前自动备份",
}

README_TEXT = """这是“法治政府建设检查台”(fazhi-desk)的备份文件。

它包含:数据库(单位信息、检查目录、各年度完成情况、变更记录)和全部佐证材料文件,
以及一份清单(manifest.json,记录每个文件的 SHA-256,用于校验)。

恢复方法:在程序中选择“文件 → 备份与恢复… → 从备份恢复…”,选中本文件;
或在命令行运行 fazhi-desk backup restore 本文件。
请不要解压后手工修改其中的文件,否则校验不通过,程序将拒绝恢复。
"""


# ---------------------------------------------------------------- errors and results


class BackupDamaged(UserError):
    """The backup file cannot be used; ``problems`` name each damage. Nothing was changed."""


class BackupTooNew(UserError):
    """The backup was written by a newer program (its schema is unknown here)."""


class NotEnoughSpace(UserError):
    """The target disk cannot hold what is about to be written; the message says how much to free."""


def size_text(n: float) -> str:
    if n < 1024:
        return f"{int(n)} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"
    return f"{n:.1f} TB"  # pragma: no cover


def disk_full_error(where: Path | str, needed: int | None = None, *, changed: str = "现有数据没有任何改动") -> NotEnoughSpace:
    """The Chinese message for a full disk: where, how much to free, and that nothing changed."""
    free = None
    try:
        free = shutil.disk_usage(where if Path(where).is_dir() else Path(where).parent).free
    except OSError:
        pass
    need = ""
    if needed is not None:
        short = max(needed + SPACE_MARGIN - (free or 0), SPACE_MARGIN)
        need = f"需要约 {size_text(needed)},可用 {size_text(free or 0)};请至少腾出 {size_text(short)}"
    else:
        need = "请清理磁盘空间(例如删除不需要的文件,或清空回收站)"
    return NotEnoughSpace(f"“{where}”所在磁盘空间不足。{need}后重试。{changed}\uff0c没有留下不完整的文件。")


@dataclass(frozen=True, slots=True)  # slots: a backup may list 200,000 of them
class Member:
    name: str
    size: int
    sha256: str


_MEMBER_KEYS = frozenset(("name", "size", "sha256"))


def _member_hook(d: dict) -> object:
    """A manifest's member as its :class:`Member` while json parses (the dict is dropped at once)."""
    if d.keys() == _MEMBER_KEYS:
        try:
            return Member(str(d["name"]), int(d["size"]), str(d["sha256"]))
        except (TypeError, ValueError):
            return d  # from_json refuses it as before
    return d


def _utf8(s: str) -> str:
    """A string parsed from Latin-1 text of UTF-8 bytes, as the characters it stands for."""
    return s if s.isascii() else s.encode("latin-1").decode("utf-8")


def _member_hook_latin1(d: dict) -> object:
    if d.keys() == _MEMBER_KEYS:
        try:
            return Member(_utf8(str(d["name"])), int(d["size"]), _utf8(str(d["sha256"])))
        except (TypeError, ValueError) as e:
            if isinstance(e, UnicodeError):
                raise
            return d
    return d


def _from_latin1(v: object) -> object:
    """Every string in a parsed manifest (but its members, done as they were parsed) as UTF-8 again."""
    if isinstance(v, str):
        return _utf8(v)
    if isinstance(v, dict):
        return {_utf8(k) if isinstance(k, str) else k: _from_latin1(x) for k, x in v.items()}
    if isinstance(v, list):
        return v if v and all(isinstance(x, Member) for x in v) else [_from_latin1(x) for x in v]
    return v


@dataclass(frozen=True)
class Counts:
    items: int = 0
    assessments: int = 0
    evidence_files: int = 0
    evidence_links: int = 0
    change_log: int = 0
    years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Manifest:
    """What a backup holds (``manifest.json``)."""

    created_at: dt.datetime
    reason: str
    program_version: str
    schema_revision: str
    office: dict[str, str]
    catalogues: tuple[tuple[str, str], ...]  # (文件代码, 版本)
    counts: Counts
    members: tuple[Member, ...]
    evidence_included: bool = True
    missing_evidence: tuple[str, ...] = ()  # referenced files that were missing or altered when backed up
    missing_labels: tuple[str, ...] = ()  # the same files as the user knows them (“原名”,事项 X,Y 年)
    workspace_id: str = ""  # the workspace the database belongs to (store.workspace_id); "" in older backups
    after_restore: str = ""  # the backup a restore had put in place, unchanged since (a run of restores)

    @property
    def office_name(self) -> str:
        return self.office.get("office_name", "")

    @property
    def complete(self) -> bool:
        """Holds the database and every evidence file it links (nothing was missing when it was made)."""
        return self.evidence_included and not self.missing_evidence

    @property
    def total_bytes(self) -> int:
        return sum(m.size for m in self.members)

    def to_json(self) -> bytes:
        d = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "reason": self.reason,
            "program_version": self.program_version,
            "schema_revision": self.schema_revision,
            "office": self.office,
            "catalogues": [list(c) for c in self.catalogues],
            "counts": {**asdict(self.counts), "years": list(self.counts.years)},
            "evidence_included": self.evidence_included,
            "missing_evidence": list(self.missing_evidence),
            "missing_labels": list(self.missing_labels),
            "complete": self.complete,
            "workspace_id": self.workspace_id,
            "after_restore": self.after_restore,
            "members": [asdict(m) for m in self.members],
        }
        return json.dumps(d, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> "Manifest":
        """From the manifest's bytes, or from them decoded as Latin-1 (one byte a character: the text of a
        manifest listing 200,000 files is half the size of the same text with its Chinese as Chinese)."""
        if isinstance(raw, str):
            d = None
            if "\\u" not in raw:  # no escapes: every non-ASCII character is a byte of UTF-8, put back below
                try:
                    d = _from_latin1(json.loads(raw, object_hook=_member_hook_latin1))
                except UnicodeError:
                    d = None
            if d is None:
                d = json.loads(raw.encode("latin-1").decode("utf-8"), object_hook=_member_hook)
        else:
            d = json.loads(raw.decode("utf-8"), object_hook=_member_hook)
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError("not our manifest")
        c = d.get("counts") or {}
        return cls(
            created_at=dt.datetime.fromisoformat(d["created_at"]),
            reason=str(d.get("reason", "manual")),
            program_version=str(d.get("program_version", "")),
            schema_revision=str(d["schema_revision"]),
            office={str(k): str(v) for k, v in (d.get("office") or {}).items()},
            catalogues=tuple((str(a), str(b)) for a, b in d.get("catalogues") or ()),
            counts=Counts(int(c.get("items", 0)), int(c.get("assessments", 0)), int(c.get("evidence_files", 0)),
                          int(c.get("evidence_links", 0)), int(c.get("change_log", 0)),
                          tuple(int(y) for y in c.get("years") or ())),
            members=tuple(m if isinstance(m, Member) else Member(str(m["name"]), int(m["size"]), str(m["sha256"]))
                          for m in d["members"]),
            evidence_included=bool(d.get("evidence_included", True)),
            missing_evidence=tuple(str(x) for x in d.get("missing_evidence") or ()),
            missing_labels=tuple(str(x) for x in d.get("missing_labels") or ()),
            workspace_id=str(d.get("workspace_id") or ""),
            after_restore=str(d.get("after_restore") or ""),
        )

    def describe(self) -> list[str]:
        """What it holds, as Chinese lines (restore confirmation, CLI)."""
        c = self.counts
        years = f"{c.years[0]}—{c.years[-1]} 年" if len(c.years) > 1 else (f"{c.years[0]} 年" if c.years else "无")
        lines = [
            f"单位:{self.office_name or '(未填写)'}",
            f"备份时间:{self.created_at:%Y-%m-%d %H:%M:%S}({REASONS.get(self.reason, self.reason)})",
            f"年度:{years}",
            f"检查事项 {c.items} 项,年度记录 {c.assessments} 条,佐证材料 {c.evidence_links} 处"
            f"({c.evidence_files} 个文件),变更记录 {c.change_log} 条",
            "检查目录:" + ("、".join(f"{code} 版本 {v}" for code, v in self.catalogues) or "无"),
            f"程序版本 {self.program_version},数据库版本 {self.schema_revision},大小 {size_text(self.total_bytes)}",
        ]
        if not self.evidence_included:
            lines.append("(仅数据库:佐证材料文件不在此备份中,恢复时使用本机现有的文件)")
        if self.missing_evidence:
            lines.append(f"不完整:备份时有 {len(self.missing_evidence)} 个佐证材料文件已丢失或被改动,未包含在内"
                         + (f"({'、'.join(self.missing_labels[:5])}{'等' if len(self.missing_labels) > 5 else ''})"
                            if self.missing_labels else "") + "。")
        return lines


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    seconds: float

    def text(self) -> str:
        m = self.manifest
        extra = (f"注意:备份不完整,{len(m.missing_evidence)} 个佐证材料文件已丢失或被改动,未能备份"
                 + (f"({'、'.join(m.missing_labels[:5])}{'等' if len(m.missing_labels) > 5 else ''})"
                    if m.missing_labels else "")
                 + "。请运行“校验佐证材料”查看并找回这些文件;较早的完整备份会一直保留。") if m.missing_evidence else ""
        return (f"已备份到“{self.path}”({size_text(self.path.stat().st_size)},"
                f"{m.counts.evidence_files - len(m.missing_evidence)} 个佐证材料文件,用时 {self.seconds:.1f} 秒)。"
                + extra)


# ---------------------------------------------------------------- reading the snapshot


def live_connection(db: Path, store: Any = None):  # noqa: ANN201 - a context manager of a sqlite3.Connection
    """A connection to read the live database: the open store's own (when this process has it open), else a
    read-only one (:func:`fazhi_desk.store.backend.sqlite_reader`)."""
    from fazhi_desk.store.backend import sqlite_reader

    return sqlite_reader(db, getattr(store, "engine", None) if store is not None else None)


def _snapshot(src_db: Path, dst: Path, store: Any = None) -> None:
    """Copy the live database into the new SQLite file ``dst``, through the store's backend.

    The open ``store`` reads through its own connection; without one, the SQLite
    backend of ``src_db`` reads it (:meth:`~fazhi_desk.store.backend.SqliteBackend.snapshot`:
    SQLite's online backup API, one consistent read transaction, giving up on a lock another
    process keeps after a while). SQLite's errors come through as they are.
    """
    if store is not None and hasattr(store, "snapshot"):
        store.snapshot(dst)
        return
    from fazhi_desk.store.backend import SqliteBackend

    SqliteBackend(src_db, DataDir(src_db.parent)).snapshot(dst)


def _table_names(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def describe_db(db: Path, store: Any = None) -> tuple[str, dict[str, str], tuple[tuple[str, str], ...], Counts]:
    """Schema revision, office profile, catalogue versions and counts of a database file (read-only)."""
    with live_connection(db, store) as con:
        tables = _table_names(con)
        rev = ""
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else ""
        office: dict[str, str] = {}
        if "profile" in tables:
            row = con.execute("SELECT office_name, county, contact, phone FROM profile WHERE id=1").fetchone()
            if row:
                office = dict(zip(("office_name", "county", "contact", "phone"), (r or "" for r in row)))
        cats: tuple[tuple[str, str], ...] = ()
        if "document" in tables:
            cats = tuple(con.execute(
                "SELECT d.code, COALESCE(v.version, '') FROM document d "
                "LEFT JOIN catalogue_version v ON v.id = d.current_version_id ORDER BY d.code"
            ).fetchall())

        def count(table: str) -> int:
            return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if table in tables else 0  # noqa: S608

        years: tuple[int, ...] = ()
        if "assessment" in tables:
            years = tuple(r[0] for r in con.execute("SELECT DISTINCT year FROM assessment ORDER BY year"))
        counts = Counts(count("item"), count("assessment"), count("evidence_file"), count("evidence_link"),
                        count("change_log"), years)
    return rev, office, cats, counts


def _workspace_id(db: Path) -> str:
    """The workspace id a database file records (``setting`` ``store.workspace_id``), or ""."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if "setting" not in _table_names(con):
            return ""
        row = con.execute("SELECT value FROM setting WHERE key = 'store.workspace_id'").fetchone()
        return str(row[0]) if row and row[0] else ""
    except sqlite3.Error:
        return ""
    finally:
        con.close()


def _refuse_unsound_snapshot(db: Path, snap: Path) -> None:
    """A backup of a damaged or foreign database would not verify: refuse it before anything is written."""
    from fazhi_desk.store.db import HEAD_REVISION, known_revisions

    bad = check_database(snap)
    if bad:
        raise UserError(f"数据库“{db}”已损坏\uff08{bad}\uff09\uff0c备份失败\uff0c没有写入备份文件。"
                        "请从较早的备份恢复\uff08“文件 → 备份与恢复…”或 fazhi-desk backup list\uff09\uff0c或联系技术支持。")
    try:
        con = sqlite3.connect(f"file:{snap}?mode=ro", uri=True)
        try:
            tables = _table_names(con)
            row = (con.execute("SELECT version_num FROM alembic_version").fetchone()
                   if "alembic_version" in tables else None)
        finally:
            con.close()
    except sqlite3.Error:
        row = None
    if row is None or (row[0] != HEAD_REVISION and row[0] not in known_revisions()):
        raise UserError(f"数据库“{db}”不是法治政府建设检查台的数据\uff08其他程序的数据库\uff0c或更新版本的程序写入\uff09\uff0c"
                        "备份失败\uff0c没有写入备份文件。请检查数据目录\uff08--data-dir\uff09是否选对。")


def _referenced_files(db: Path) -> list[tuple[str, int]]:
    """(sha256, size) of every evidence file the database knows (rows of evidence_file and of the trash list)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = _table_names(con)
        rows: dict[str, int] = {}
        if "evidence_file" in tables:
            rows.update(con.execute("SELECT sha256, size FROM evidence_file").fetchall())
        if "evidence_trash" in tables:
            for sha, size in con.execute("SELECT sha256, size FROM evidence_trash"):
                rows.setdefault(sha, size)
    finally:
        con.close()
    return sorted(rows.items())


def _all_evidence_refs(db: Path) -> set[str]:
    """Every value the database uses as an evidence file's hash (files, links, trash)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = _table_names(con)
        return {r[0] for t in ("evidence_file", "evidence_link", "evidence_trash") if t in tables
                for r in con.execute(f"SELECT DISTINCT sha256 FROM {t}")}  # noqa: S608 - fixed names
    finally:
        con.close()


def _linked_files(db: Path) -> set[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if "evidence_link" not in _table_names(con):
            return set()
        return {r[0] for r in con.execute("SELECT DISTINCT sha256 FROM evidence_link")}
    finally:
        con.close()


# ---------------------------------------------------------------- writing


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < SPACE_MARGIN
    except OSError:
        return False


def _snapshot_folder(data: DataDir, folder: Path) -> Path:
    """Where the database snapshot is written: ``backups/``, or the target folder when the data disk is full."""
    if not data.backups.is_dir():
        return folder
    need = sum(os.path.getsize(str(data.db) + x) for x in ("", "-wal") if os.path.exists(str(data.db) + x))
    try:
        if shutil.disk_usage(data.backups).free < need + SPACE_MARGIN and folder != data.backups:
            return folder  # e.g. a backup to a U盘 while the data disk is full: it still works
    except OSError:
        pass
    return data.backups


def _snapshot_on_a_full_disk(data: DataDir, snap: Path) -> None:
    """Copy the database when its disk is full: a reader cannot create the ``-shm`` SQLite wants, so the file
    is read as it is (``immutable``), which is safe only while nobody can write it: under the data
    directory's lock, and with no ``-wal`` pending."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(data.lock), timeout=0)
    try:
        lock.acquire()
    except (Timeout, OSError) as e:
        raise UserError(f"数据目录“{data.root}”所在磁盘已满\uff0c而数据正被打开的窗口或另一个命令使用\uff0c无法从这里读取。"
                        "请在窗口中选择“文件 → 备份与恢复… → 立即备份…”\uff0c或先在该磁盘上腾出空间后重试。") from e
    try:
        wal = Path(str(data.db) + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise disk_full_error(data.root, changed="没有写入备份")
        src = sqlite3.connect(f"{data.db.resolve().as_uri()}?immutable=1", uri=True)
        dst = sqlite3.connect(snap)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
            src.close()
    finally:
        lock.release()


def _locked_error(data: DataDir) -> UserError:
    """SQLite refused to let the snapshot read: say who keeps the database, by the lock's recorded holder."""
    from fazhi_desk.store.holder import holder_of

    h = holder_of(data)
    if h is not None and h.kind == "window":
        return UserError(f"数据库“{data.db}”正被打开的法治政府建设检查台窗口独占使用\uff08进程 {h.pid}\uff09\uff0c无法从这里读取。"
                         "请在窗口中选择“文件 → 备份与恢复… → 立即备份…”\uff0c或关闭窗口后再运行本命令。")
    if h is not None:
        return UserError(f"数据库“{data.db}”正被另一个法治政府建设检查台命令独占使用\uff08进程 {h.pid}\uff09\uff0c无法从这里读取。"
                         "请等它结束后重试。没有写入备份。")
    return UserError(f"数据库“{data.db}”被其他程序锁定\uff08不是法治政府建设检查台\uff1a没有正在运行的本程序在使用这个数据目录\uff1b"
                     "例如数据库工具、备份或同步软件正在读写它\uff09\uff0c无法读取。请关闭那个程序后重试。没有写入备份。")


def _too_large_error(final: Path | None, folder: Path) -> UserError:
    """EFBIG: the target's file system caps one file's size (FAT32: 4 GB)."""
    return UserError(f"备份文件“{final or folder}”超过了“{folder}”所在磁盘允许的单个文件大小"
                     "\uff08FAT32 格式的 U 盘每个文件最大 4 GB\uff09。没有写入备份\uff0c没有留下不完整的文件。"
                     "请另选一个位置\uff08例如 NTFS 格式的移动硬盘\uff09\uff0c或把 U 盘格式化为 exFAT 或 NTFS 后重试。")


def _temp_name(folder: Path, ext: str) -> Path:
    return folder / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.{ext}"




def _zipinfo(name: str, size: int, when: dt.datetime) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    zi.compress_type = zipfile.ZIP_STORED
    zi.file_size = size
    zi.external_attr = (stat.S_IFREG | 0o644) << 16
    return zi


def _find_evidence(evidence_root: Path, sha: str) -> Path | None:
    if not is_sha256(sha):  # a planted "../../etc/passwd" names no stored file, and is never opened
        return None
    p = evidence_root / sha[:2] / sha
    if p.is_file():
        return p
    trash = evidence_root / TRASH_DIR
    if trash.is_dir():  # moved aside by a clean-up since the snapshot
        for day in sorted(trash.iterdir(), reverse=True):
            q = day / sha
            if q.is_file():
                return q
    return None


def default_backup_name(office: str, when: dt.datetime, reason: str = "manual") -> str:
    from fazhi_desk.services.evidence import safe_file_name

    label = "" if reason == "manual" else "-" + REASONS.get(reason, reason).replace("备份", "")
    base = safe_file_name(office or "法治政府建设检查台")
    return f"{base}-{when:%Y%m%d-%H%M%S}{label}{SUFFIX}"


def estimate_size(data: DataDir, include_evidence: bool = True, evidence_root: Path | None = None) -> int:
    """Roughly what a backup of ``data`` takes (database + evidence), without a snapshot.

    ``evidence_root`` is a server store's shared evidence folder: its files are counted, and the local
    database (which a desk on a server no longer uses) is not; the server's rows are measured once read."""
    total = 0
    for suffix in ("", "-wal") if evidence_root is None else ():
        try:
            total += os.path.getsize(str(data.db) + suffix)
        except OSError:
            pass
    evidence = data.evidence if evidence_root is None else Path(evidence_root)
    if include_evidence and evidence.is_dir():
        for shard in os.scandir(evidence):
            if len(shard.name) == 2 and shard.is_dir(follow_symlinks=False):
                for e in os.scandir(shard.path):
                    try:
                        total += e.stat(follow_symlinks=False).st_size
                    except OSError:
                        pass
    return total


def check_backup_name(out: Path | str) -> None:
    """Refuse a backup path that cannot be what was meant: one ending in a folder separator (a folder typed
    after the suggested name) or a file name starting with a dot (hidden, e.g. ``.fzbak``). Raises UserError."""
    text = str(out).strip()
    name = text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if text.endswith(("/", "\\")):
        why = f"以文件夹分隔符结尾,“{name}”会被当作文件夹"
    elif name.startswith("."):
        why = f"文件名“{name}”以“.”开头,会成为隐藏文件"
    else:
        return
    raise UserError(f"备份文件名“{text}”{why}\uff0c没有写入备份。请只修改文件名\uff08如“单位-日期.fzbak”\uff09\uff0c"
                    "要换文件夹请在对话框中进入该文件夹。")


def create_backup(
    ctx: JobContext,
    data: DataDir,
    out: Path | str | None = None,
    *,
    reason: str = "manual",
    include_evidence: bool = True,
    now: dt.datetime | None = None,
    store: Any = None,
    after_restore: str = "",
) -> BackupResult:
    """Write a backup of the workspace in ``data`` to ``out`` (default: ``data/backups/<单位>-<时间>.fzbak``).

    A snapshot that is not a sound database of this program (damaged, another program's) is refused:
    nothing is written under the final name, so it can never be counted as a backup.

    Works while the program is open and writing (the lock is not needed); pass the open ``store``
    when this process has it open, so the snapshot is read through its connection. Raises
    :class:`UserError` (nothing under the final name) or
    :class:`~fazhi_desk.jobs.Cancelled`.
    """
    import time

    t0 = time.perf_counter()
    now = now or dt.datetime.now()
    on_server = store is not None and getattr(store, "db_path", True) is None  # a store on a server: its snapshot
    evidence_root = Path(store.evidence_root) if on_server else data.evidence
    if not on_server and (not data.db.is_file() or data.db.stat().st_size == 0):
        raise UserError(f"数据目录“{data.root}”中还没有数据\uff08找不到“{data.db.name}”\uff09\uff0c无需备份。")
    out_path = Path(out) if out is not None else None
    if out_path is not None and not out_path.is_dir():
        check_backup_name(out)  # type: ignore[arg-type]
    if out_path is not None and out_path.is_dir():
        folder, final = out_path, None
    elif out_path is not None:
        folder, final = out_path.parent, out_path
        if final.suffix.lower() != SUFFIX:
            final = final.with_name(final.name + SUFFIX)
    else:
        folder, final = data.backups, None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"无法创建备份文件夹“{folder}”\uff1a{os_error_text(e)}。请另选一个位置。") from e
    remove_stale_backup_temps(folder)
    remove_stale_backup_temps(data.backups)

    # Rough check first, so a disk that is obviously too small is refused before anything is written.
    estimate = estimate_size(data, include_evidence, evidence_root if on_server else None)
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if free is not None and free < estimate + SPACE_MARGIN:
        raise disk_full_error(folder, estimate, changed="没有写入备份")

    ctx.progress(0, 1000, "正在复制数据库快照……")
    snap_dir = _snapshot_folder(data, folder)
    snap = _temp_name(snap_dir, "db")
    tmp: Path | None = None
    try:
        try:
            open(snap, "xb").close()  # a read-only or missing folder is named here, not as a database error
        except OSError as e:
            if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
                raise disk_full_error(snap_dir, changed="没有写入备份") from e
            raise UserError(f"无法在文件夹“{snap_dir}”中写入备份的临时文件\uff1a{os_error_text(e)}。没有写入备份。"
                            "请检查该文件夹\uff08及其所在磁盘\uff09是否可写\uff0c或另选一个位置。") from e
        try:
            try:
                _snapshot(data.db, snap, store)
            except sqlite3.OperationalError as e:
                if store is None and "i/o" in str(e).lower() and _nearly_full(data.root):
                    _snapshot_on_a_full_disk(data, snap)  # a reader's -shm has no room: read the file itself
                else:
                    raise
        except sqlite3.OperationalError as e:
            if "full" in str(e).lower() or ("i/o" in str(e).lower() and _nearly_full(snap_dir)):
                raise disk_full_error(snap_dir, changed="没有写入备份") from e
            if "locked" in str(e).lower() or "busy" in str(e).lower():
                raise _locked_error(data) from e
            raise UserError(f"无法读取数据库“{data.db}”制作快照\uff1a{e}。请稍后重试\uff1b若反复出现\uff0c请运行“校验”并联系技术支持。") from e
        except sqlite3.DatabaseError as e:
            raise UserError(f"数据库“{data.db}”已损坏\uff0c无法备份\uff08{e}\uff09。请从较早的备份恢复。") from e
        ctx.check()
        pause("backup.snapshot")
        _refuse_unsound_snapshot(data.db, snap)
        rev, office, cats, counts = describe_db(snap)
        ws_id = _workspace_id(snap)
        files = _referenced_files(snap) if include_evidence else []
        linked = _linked_files(snap) if include_evidence else set()
        if final is None:
            final = folder / default_backup_name(office.get("office_name", ""), now, reason)
            n = 1
            while final.exists():  # two in one second (restores in a row): never replace the earlier one
                n += 1
                stem = default_backup_name(office.get("office_name", ""), now, reason)
                head, stamp_end = stem.split(f"{now:%Y%m%d-%H%M%S}", 1)
                final = folder / f"{head}{now:%Y%m%d-%H%M%S}-{n}{stamp_end}"
        tmp = _temp_name(folder, "tmp")
        db_size = snap.stat().st_size
        total = db_size + sum(s for _sha, s in files)
        if free is not None and free < total + SPACE_MARGIN and folder != snap_dir:
            raise disk_full_error(folder, total, changed="没有写入备份")
        done = 0
        members: list[Member] = []
        missing: list[str] = []
        buf = bytearray(CHUNK)

        def add(zf: zipfile.ZipFile, name: str, src: Path, size: int, expect: str | None) -> bool:
            nonlocal done
            h = hashlib.sha256()
            n = 0
            with open(src, "rb", buffering=0) as f_in, zf.open(_zipinfo(name, size, now), "w", force_zip64=size > (1 << 31)) as w:
                for chunk in read_chunks(f_in, buf, ctx.check):
                    k = len(chunk)
                    h.update(chunk)
                    w.write(chunk)
                    n += k
                    done += k
                    ctx.progress(min(999, done * 1000 // max(total, 1)), 1000, f"正在备份……{size_text(done)} / {size_text(total)}")
            digest = h.hexdigest()
            members.append(Member(name, n, digest))
            return expect is None or (digest == expect and n == size)

        try:
            with open(tmp, "xb") as raw:
                with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                    zf.writestr(_zipinfo(README_MEMBER, 0, now), README_TEXT.encode("utf-8"))
                    add(zf, DB_MEMBER, snap, db_size, None)
                    for sha, size in files:
                        pause("backup.member")
                        src = _find_evidence(evidence_root, sha)
                        if src is None:
                            if sha in linked:
                                missing.append(sha)
                            done += size
                            continue
                        try:
                            actual = src.stat().st_size
                        except OSError:
                            actual = -1
                        if actual != size:
                            if sha in linked:
                                missing.append(sha)
                            done += size
                            continue
                        if not add(zf, EVIDENCE_PREFIX + f"{sha[:2]}/{sha}", src, size, sha):
                            missing.append(sha)  # altered since it was stored: kept, but flagged
                    labels = _evidence_names(snap) if missing else {}
                    manifest = Manifest(
                        created_at=now, reason=reason, program_version=__version__, schema_revision=rev,
                        office=office, catalogues=cats, counts=counts, members=tuple(members),
                        evidence_included=include_evidence, missing_evidence=tuple(missing),
                        missing_labels=tuple(labels.get(sha, sha[:12]) for sha in missing),
                        workspace_id=ws_id, after_restore=after_restore,
                    )
                    mi = zipfile.ZipInfo(MANIFEST, date_time=now.timetuple()[:6])
                    mi.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(mi, manifest.to_json())
                ctx.progress(999, 1000, "正在写入磁盘……")
                raw.flush()
                os.fsync(raw.fileno())
            ctx.check()
            pause("backup.written")
            os.replace(tmp, final)
            tmp = None
            pause("backup.renamed")
            _fsync_dir(folder)
        except OSError as e:
            if e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
                raise disk_full_error(folder, total, changed="没有写入备份") from e
            if e.errno == errno.EFBIG:
                raise _too_large_error(final, folder) from e
            raise UserError(f"无法写入备份文件“{final}”\uff1a{os_error_text(e)}。请检查该位置是否可写\uff0c或另选一个位置。"
                            "没有留下不完整的文件。") from e
    finally:
        for p in (snap, tmp):
            if p is not None:
                try:
                    os.unlink(p)
                except OSError:
                    pass
    ctx.progress(1000, 1000, "备份完成")
    return BackupResult(final, manifest, time.perf_counter() - t0)


# ---------------------------------------------------------------- reading back


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    parts = PurePosixPath(name).parts
    return any(p in ("..", ".", "") for p in parts) or PurePosixPath(name).is_absolute()


def _member_kind(name: str) -> str:
    if name in (DB_MEMBER, MANIFEST, README_MEMBER):
        return name
    if name.startswith(EVIDENCE_PREFIX):
        rest = name[len(EVIDENCE_PREFIX):].split("/")
        if len(rest) == 2 and len(rest[1]) == 64 and rest[0] == rest[1][:2] and all(c in "0123456789abcdef" for c in rest[1]):
            return "evidence"
    return ""


@dataclass
class _Reader:
    path: Path
    zf: zipfile.ZipFile
    manifest: Manifest
    infos: dict[str, zipfile.ZipInfo] = field(default_factory=dict)


def _damaged(path: Path, problems: list[Problem], what: str = "") -> BackupDamaged:
    head = what or f"备份文件“{path}”已损坏或不完整,不能使用"
    return BackupDamaged(
        f"{head}(共 {len(problems)} 处问题)。程序没有改动现有数据。"
        "请换一个备份文件(例如 backups 文件夹中较早的备份,或 U 盘等副本文件夹中的同名文件):",
        problems,
    )


def _open(path: Path, target_dir: Path | None) -> _Reader:
    """Open the zip, read the manifest and do every check that needs no member's bytes."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as e:
        raise UserError(f"无法打开备份文件“{path}”\uff1a{os_error_text(e)}。") from e
    if size == 0:
        raise _damaged(path, [Problem(name, "文件为空\uff080 字节\uff09\uff0c复制可能没有完成")])
    try:
        zf = zipfile.ZipFile(path, "r", allowZip64=True)
    except zipfile.BadZipFile as e:
        raise _damaged(path, [Problem(name, "不是完整的备份文件\uff1a文件末尾的目录缺失\uff0c文件可能被截断\uff08复制或下载没有完成\uff09"
                                            "或根本不是备份文件")]) from e
    except OSError as e:
        raise UserError(f"无法读取备份文件“{path}”\uff1a{os_error_text(e)}。") from e
    try:
        infos: dict[str, zipfile.ZipInfo] = zf.NameToInfo  # zipfile's own index (the last of two same names)
        problems: list[Problem] = []
        seen: set[str] | None = set() if len(zf.filelist) != len(infos) else None  # only when names repeat
        for zi in zf.filelist:
            if _unsafe_name(zi.filename):
                problems.append(Problem(zi.filename, "文件名含有不安全的路径\uff08“..”、绝对路径或盘符\uff09\uff0c"
                                                     "可能试图写到数据目录之外"))
            elif seen is not None and zi.filename in seen:
                problems.append(Problem(zi.filename, "同名文件出现了两次"))
            if seen is not None:
                seen.add(zi.filename)
        if problems:
            raise _damaged(path, problems, f"备份文件“{path}”含有不安全的内容,已拒绝")
        if MANIFEST not in infos:
            raise _damaged(path, [Problem(name, "其中没有 manifest.json\uff1a这不是法治政府建设检查台的备份文件"
                                                "\uff08可能是其他程序的压缩包\uff09")],
                           f"“{path}”不是法治政府建设检查台的备份文件")
        mi = infos[MANIFEST]
        if mi.file_size > MAX_MANIFEST:
            raise _damaged(path, [Problem(MANIFEST, f"清单声明的大小\uff08{size_text(mi.file_size)}\uff09不合理")])
        try:
            manifest = Manifest.from_json(zf.read(MANIFEST).decode("latin-1"))  # the bytes go before the parse
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise _damaged(path, [Problem(MANIFEST, f"清单无法读取\uff08{e}\uff09")]) from e
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:  # a list for a dict, 200k deep
            raise _damaged(path, [Problem(MANIFEST, "清单不是本程序的格式\uff1a这不是法治政府建设检查台的备份文件")],
                           f"“{path}”不是法治政府建设检查台的备份文件") from e
        _check_schema(path, manifest)
        declared = 0
        expected = {m.name: m for m in manifest.members}
        for m in manifest.members:
            if _unsafe_name(m.name) or not _member_kind(m.name):
                problems.append(Problem(m.name, "清单中的文件名不安全或不是备份应有的文件"))
                continue
            if not is_sha256(m.sha256):
                problems.append(Problem(m.name, "清单记录的 SHA-256 不是 64 位十六进制数字"))
                continue
            zi = infos.get(m.name)
            if zi is None:
                problems.append(Problem(m.name, _missing_text(m.name)))
                continue
            if zi.file_size != m.size:
                problems.append(Problem(m.name, f"声明的大小 {zi.file_size} 字节与清单记录的 {m.size} 字节不符"))
            if zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                problems.append(Problem(m.name, "使用了本程序不会写入的压缩方式"))
            if zi.file_size > max(zi.compress_size, 1) * MAX_RATIO and zi.file_size > (1 << 20):
                problems.append(Problem(m.name, f"声明解压后 {size_text(zi.file_size)}\uff0c却只占 "
                                                f"{size_text(zi.compress_size)}\uff1a压缩比异常\uff08疑似“压缩炸弹”\uff09"))
            declared += zi.file_size
        if DB_MEMBER not in expected:
            problems.append(Problem(DB_MEMBER, "清单中没有数据库"))
        problems += [Problem(MANIFEST, f"清单中丢失的佐证材料编号“{x[:80]}”不是有效的 SHA-256")
                     for x in manifest.missing_evidence if not is_sha256(x)]
        for n in infos:
            if n not in expected and n not in (MANIFEST, README_MEMBER):
                problems.append(Problem(n, "清单之外多出的文件\uff08备份被改动过\uff09"))
        if problems:
            raise _damaged(path, problems)
        if target_dir is not None:
            try:
                free = shutil.disk_usage(target_dir).free
            except OSError:
                free = None
            if free is not None and declared + SPACE_MARGIN > free:
                raise NotEnoughSpace(
                    f"恢复“{path.name}”需要约 {size_text(declared)} 的空间\uff0c而“{target_dir}”所在磁盘只有 "
                    f"{size_text(free)} 可用。请至少腾出 {size_text(declared + SPACE_MARGIN - free)} 后重试。"
                    "程序没有改动现有数据。"
                )
        return _Reader(path, zf, manifest, infos)
    except BaseException:
        zf.close()
        raise


def _missing_text(name: str) -> str:
    if name == DB_MEMBER:
        return "缺少数据库文件"
    return "缺少这个佐证材料文件(清单中有,备份里没有)"


def _check_schema(path: Path, manifest: Manifest) -> None:
    from fazhi_desk.store.db import HEAD_REVISION, known_revisions

    rev = manifest.schema_revision
    if rev == HEAD_REVISION:
        return
    if rev not in known_revisions():
        raise BackupTooNew(
            f"备份文件“{path}”由更新版本的法治政府建设检查台写入(程序版本 {manifest.program_version},"
            f"数据库版本 {rev}),本程序(版本 {__version__})无法安全恢复它。请先安装最新版本的程序,再恢复。"
            "程序没有改动现有数据。"
        )


def _stream_member(ctx: JobContext, r: _Reader, m: Member, dest: Path | None,
                   on_bytes: Callable[[int], None]) -> str | None:
    """Read a member (to ``dest`` if given; the caller fsyncs); return a damage text or None."""
    h = hashlib.sha256()
    n = 0
    out = None
    try:
        if dest is not None:
            dest.parent.mkdir(parents=True, exist_ok=True)
            out = open(dest, "xb")
        with r.zf.open(r.infos[m.name]) as f:
            while True:
                ctx.check()
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
                if out is not None:
                    out.write(chunk)
                on_bytes(len(chunk))
        if out is not None:
            out.flush()
    except zipfile.BadZipFile as e:
        return f"内容已损坏({'校验码不符:文件内容被改动' if 'CRC' in str(e) else e})"
    except (EOFError, zipfile.LargeZipFile) as e:
        return f"文件不完整({e or '提前结束'}),备份可能被截断"
    except OSError as e:
        if dest is not None and e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            raise
        if dest is not None and e.filename is not None:
            raise
        return f"无法读取({os_error_text(e)}),备份可能被截断"
    finally:
        if out is not None:
            out.close()
    if n != m.size:
        return f"实际 {n} 字节,清单记录 {m.size} 字节:文件不完整"
    if h.hexdigest() != m.sha256:
        return "内容与清单记录的 SHA-256 不符:文件已被改动"
    return None


def check_database(db: Path) -> str | None:
    """``integrity_check`` and ``foreign_key_check`` of a database file; a damage text or None."""
    try:
        with open(db, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return "不是 SQLite 数据库"
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            res = [r[0] for r in con.execute("PRAGMA integrity_check")]
            if res != ["ok"]:
                return "数据库完整性检查未通过:" + ";".join(res[:5])
            bad = con.execute("PRAGMA foreign_key_check").fetchall()
            if bad:
                return f"数据库有 {len(bad)} 处外键不一致"
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        return f"数据库无法打开({e})"
    return None


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    manifest: Manifest

    def text(self) -> str:
        m = self.manifest
        return "\n".join([f"备份文件“{self.path}”完好:{len(m.members)} 个文件的 SHA-256、数据库完整性和清单中的数量均已核对。",
                          *m.describe()])


def read_backup(
    ctx: JobContext,
    path: Path | str,
    dest: Path | None = None,
    *,
    space_dir: Path | None = None,
    reader: "_Reader | None" = None,
) -> Manifest:
    """Check a backup completely; with ``dest``, also extract it there (``dest`` must not exist).

    ``dest`` receives ``fazhi-desk.sqlite3`` and ``evidence/<sha[:2]>/<sha>``, every
    file fsynced. Raises :class:`BackupDamaged`, :class:`BackupTooNew`,
    :class:`NotEnoughSpace` or :class:`~fazhi_desk.jobs.Cancelled`; on any of
    them ``dest`` is removed again. Verification alone extracts only the
    database, to a temp folder.
    """
    path = Path(path)
    r = reader if reader is not None else _open(path, space_dir if dest is not None else None)
    own_tmp: Path | None = None
    try:
        if dest is None:
            own_tmp = Path(tempfile.mkdtemp(prefix="fazhi-desk-verify-"))
            work = own_tmp
        else:
            dest.mkdir(parents=False, exist_ok=False)
            work = dest
        total = max(r.manifest.total_bytes, 1)
        done = 0

        def on_bytes(k: int) -> None:
            nonlocal done
            done += k
            ctx.progress(min(999, done * 1000 // total), 1000,
                         f"正在{'恢复' if dest is not None else '校验'}……{size_text(done)} / {size_text(total)}")

        problems: list[Problem] = []
        db_member = next(m for m in r.manifest.members if m.name == DB_MEMBER)
        db_path = work / DB_MEMBER
        what = _stream_member(ctx, r, db_member, db_path, on_bytes)
        if what:
            problems.append(Problem(DB_MEMBER, what))
        else:
            bad = check_database(db_path)
            if bad:
                problems.append(Problem(DB_MEMBER, bad))
            else:
                rev, _office, _cats, counts = describe_db(db_path)
                c = r.manifest.counts
                if rev != r.manifest.schema_revision:
                    problems.append(Problem(DB_MEMBER, f"数据库版本 {rev} 与清单记录的 {r.manifest.schema_revision} 不符"))
                if (counts.items, counts.assessments, counts.evidence_links, counts.evidence_files) != (
                        c.items, c.assessments, c.evidence_links, c.evidence_files):
                    problems.append(Problem(DB_MEMBER, "数据库中的事项、记录或佐证材料数量与清单不符"))
        if not problems:  # a row whose hash is no hash would become a path outside the store: refuse
            problems += [Problem(DB_MEMBER, f"数据库中佐证材料的编号“{str(sha)[:80]}”不是有效的 SHA-256"
                                            "\uff08可能是恶意构造的备份\uff0c试图读写数据目录之外的文件\uff09")
                         for sha in _bad_evidence_refs(db_path)]
        names = _Labels(db_path if not problems else None)
        missing_then = set(r.manifest.missing_evidence)
        if r.manifest.evidence_included and not problems:
            stored = {m.name for m in r.manifest.members}  # the members' own strings: a small set
            for sha in _linked_referenced(db_path):
                name = EVIDENCE_PREFIX + f"{sha[:2]}/{sha}"
                if name not in stored and sha not in missing_then:
                    problems.append(Problem(name, f"数据库引用的佐证材料\uff08{names.get(sha, len(problems)) or sha}\uff09不在备份中"))
            del stored
        for m in r.manifest.members:
            if m.name == DB_MEMBER:
                continue
            sha = m.name.rsplit("/", 1)[-1]
            target = (work / m.name) if dest is not None else None
            what = _stream_member(ctx, r, m, target, on_bytes)
            if what:
                label = names.label(m.name, sha, len(problems))
                problems.append(Problem(label, what))
            elif m.sha256 != sha and sha not in missing_then:
                label = names.label(m.name, sha, len(problems))
                problems.append(Problem(label, "内容与文件名\uff08SHA-256\uff09不符\uff0c而清单没有把它记为备份时已改动\uff1a备份被改动过"))
            elif target is not None and m.sha256 != sha:
                target.unlink()  # flagged as altered when backed up: never put it in the store under its name
        names.close()
        if problems:
            raise _damaged(path, problems)
        if dest is not None:
            ctx.progress(999, 1000, "正在写入磁盘……")
            _fsync_tree(dest)
        ctx.progress(1000, 1000, "校验完成")
        return r.manifest
    except BaseException:
        if dest is not None and dest.exists():
            from fazhi_desk.store.swap import _rmtree

            _rmtree(dest)
        raise
    finally:
        r.zf.close()
        if own_tmp is not None:
            from fazhi_desk.store.swap import _rmtree

            _rmtree(own_tmp)


def _fsync_tree(root: Path) -> None:
    """fsync every file, then every folder, under ``root`` (in parallel: one after another costs ms each)."""
    from fazhi_desk.evidence.filestore import _fsync_path, _parallel

    dirs: list[Path] = []
    evidence = str(root / "evidence")
    for d, _sub, names in os.walk(root):  # folder by folder (a shard holds 1/256 of the files), in batches:
        dirs.append(Path(d))  # never a list of every file nor a future for each at once
        for i in range(0, len(names), FSYNC_BATCH):
            batch = [os.path.join(d, n) for n in names[i:i + FSYNC_BATCH]]
            for err in _parallel(_fsync_path, batch):
                if err is not None:
                    raise err
            if d.startswith(evidence):  # stored evidence is read-only, as the file store keeps it
                for f in batch:
                    os.chmod(f, stat.S_IREAD | stat.S_IRGRP | stat.S_IROTH)
    _parallel(_fsync_dir, dirs)


FSYNC_BATCH = 512


def _bad_evidence_refs(db: Path) -> Iterator[str]:
    """Values the database uses as an evidence file's hash that are no SHA-256 (read row by row)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = _table_names(con)
        for t in ("evidence_file", "evidence_link", "evidence_trash"):
            if t in tables:
                for (sha,) in con.execute(f"SELECT DISTINCT sha256 FROM {t}"):  # noqa: S608 - fixed names
                    if not is_sha256(sha):
                        yield sha
    finally:
        con.close()


def _linked_referenced(db: Path) -> Iterator[str]:
    """Hashes of the evidence files the database knows that an item's year links (row by row, no list)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = _table_names(con)
        if not {"evidence_link", "assessment"} <= tables:
            return
        known = [f"SELECT sha256 FROM {t}" for t in ("evidence_file", "evidence_trash") if t in tables]
        if not known:
            return
        yield from (r[0] for r in con.execute(
            "SELECT DISTINCT l.sha256 FROM evidence_link l JOIN assessment a ON a.id = l.assessment_id "
            f"WHERE l.sha256 IN ({' UNION '.join(known)})"))  # noqa: S608 - fixed names
    finally:
        con.close()


class _Labels:
    """“原名”,事项 X,Y 年 of a damaged member, looked up one by one (a backup may hold 200,000 files: no dict of
    them all); only the first :data:`LABELLED` problems are labelled (a message lists no more)."""

    LABELLED = 200

    def __init__(self, db: Path | None) -> None:
        self.db = db
        self._con: sqlite3.Connection | None = None

    def get(self, sha: str, n_problems: int = 0) -> str | None:
        if self.db is None or n_problems >= self.LABELLED:
            return None
        try:
            if self._con is None:
                self._con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
            row = self._con.execute(
                "SELECT l.original_name, a.item_id, a.year FROM evidence_link l "
                "JOIN assessment a ON a.id = l.assessment_id WHERE l.sha256 = ? ORDER BY l.id LIMIT 1", (sha,)
            ).fetchone()
        except sqlite3.Error:
            return None
        return f"“{row[0]}”,事项 {row[1]},{row[2]} 年" if row else None

    def label(self, name: str, sha: str, n_problems: int) -> str:
        what = self.get(sha, n_problems)
        return f"{name}({what})" if what else name

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _evidence_names(db: Path) -> dict[str, str]:
    """sha256 → "原名(事项 X,Y 年)" of the first link, to name a damaged member."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        if not {"evidence_link", "assessment"} <= _table_names(con):
            return {}
        out: dict[str, str] = {}
        for sha, name, item, year in con.execute(
            "SELECT l.sha256, l.original_name, a.item_id, a.year FROM evidence_link l "
            "JOIN assessment a ON a.id = l.assessment_id ORDER BY l.id"
        ):
            out.setdefault(sha, f"“{name}”,事项 {item},{year} 年")
        return out
    except sqlite3.Error:
        return {}
    finally:
        con.close()


def verify_backup(ctx: JobContext, path: Path | str) -> VerifyResult:
    """校验备份: every member's hash, the database's integrity and the manifest's counts. Writes nothing."""
    m = read_backup(ctx, path)
    return VerifyResult(Path(path), m)


def peek_manifest(path: Path | str) -> Manifest:
    """The manifest alone, with the quick checks (names, sizes, schema); no member is read."""
    r = _open(Path(path), None)
    r.zf.close()
    return r.manifest


def iter_backups(folder: Path) -> Iterable[tuple[Path, Manifest | None]]:
    """Backups in ``folder`` (newest name first) with their manifests (None when unreadable)."""
    try:
        files = sorted((p for p in folder.iterdir() if p.suffix.lower() == SUFFIX and p.is_file()),
                       key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for p in files:
        try:
            yield p, peek_manifest(p)
        except UserError:
            yield p, None
