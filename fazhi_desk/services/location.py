"""Where this desk's store lives, and who works at it: the local file, or a PostgreSQL server.

A small config file in the data directory (``store-location.json``, written atomically) says where
the store is: ``{"kind": "sqlite"}`` (the default, also when the file is missing) or
``{"kind": "postgresql", "url": …, "evidence_dir": …}``, and the desk's 操作人 (its operator, named in
the change log; the login name when none is set). The URL is kept WITHOUT its password: the password
goes to the system's credential store through ``keyring`` (Windows 凭据管理器) when one works, else to a
file in the data directory that only the user can read (0600). It is never printed or logged.

* :func:`move_to`: copy this desk's whole workspace (every table, every evidence file and the evidence
  trash) into an empty server database and an evidence folder, check every row count and every
  evidence file's SHA-256, and only then switch this desk to it. The local database stays where it
  was, unchanged.
* :func:`connect` points a desk at a server store another desk moved there; :func:`disconnect` goes
  back to the local store; :func:`show` says where the store is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import make_url

from fazhi_desk.errors import UserError
from fazhi_desk.fileio import fsync_dir, fsync_file, is_own_temp, temp_path, write_bytes_atomic
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

CONFIG_NAME = "store-location.json"
PASSWORD_NAME = "store-password"
KEYRING_SERVICE = "fazhi-desk"
OPERATOR_MAX = 200  # ChangeLog.user is String(200)


@dataclass(frozen=True)
class StoreLocation:
    """Where a desk's store is (``kind`` "sqlite" or "postgresql"), without any password."""

    kind: str = "sqlite"
    url: str = ""  # the server URL without its password
    evidence_dir: str = ""
    operator: str = ""

    @property
    def on_server(self) -> bool:
        return self.kind != "sqlite"

    def fields(self, data: DataDir) -> list[tuple[str, str]]:
        """(label, value) of where the store is: kind, host, database, evidence folder, 操作人 (never a password)."""
        from fazhi_desk.services import login_name

        who = self.operator or f"{login_name()}(未设置,使用登录名)"
        if not self.on_server:
            return [("存放位置", "本机(SQLite 数据文件)"), ("数据文件", str(data.db)),
                    ("佐证材料文件夹", str(data.evidence)), ("操作人", who)]
        u = make_url(self.url)
        return [("存放位置", "PostgreSQL 服务器"), ("服务器", f"{u.host or 'localhost'}{f':{u.port}' if u.port else ''}"),
                ("数据库", u.database or ""), ("数据库用户", u.username or ""),
                ("佐证材料文件夹", self.evidence_dir), ("操作人", who)]

    def lines(self, data: DataDir) -> list[str]:
        """What ``store show`` prints: :meth:`fields`, one ``label:value`` a line."""
        return [f"{label}:{value}" for label, value in self.fields(data)]


def without_password(url: str) -> str:
    """``url`` with no password in it at all (not even ``***``)."""
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def config_path(data: DataDir) -> Path:
    return data.root / CONFIG_NAME


def read_location(data: DataDir) -> StoreLocation:
    """This desk's store location (the local file when no config file is there)."""
    p = config_path(data)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StoreLocation()
    except (OSError, ValueError) as e:
        raise UserError(f"数据存放位置的设置文件“{p}”无法读取\uff08{e}\uff09。请用“fazhi-desk store connect”重新设置\uff0c"
                        "或删除该文件以使用本机数据。") from e
    if not isinstance(raw, dict):
        raw = {}
    return StoreLocation(kind=str(raw.get("kind") or "sqlite"), url=str(raw.get("url") or ""),
                         evidence_dir=str(raw.get("evidence_dir") or ""), operator=str(raw.get("operator") or ""))


def write_location(data: DataDir, loc: StoreLocation) -> None:
    """Write the config file atomically (temp name, fsync, rename); the URL never holds a password."""
    url = without_password(loc.url) if loc.url else ""
    body = {"kind": loc.kind, "url": url, "evidence_dir": loc.evidence_dir, "operator": loc.operator}
    data.root.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(config_path(data), json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))


# ----------------------------------------------------------------------------- the password


def _keyring():  # noqa: ANN202
    """The system credential store, or None where there is none (no keyring package, or only its fail backend)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - keyring is optional
        return None
    try:
        kr = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(kr, fail.Keyring) or "null" in type(kr).__module__.lower():
        return None
    return keyring


def _key(url: str) -> str:
    u = make_url(url)
    return f"{u.username or ''}@{u.host or 'localhost'}:{u.port or 5432}/{u.database or ''}"


def save_password(data: DataDir, url: str, password: str) -> str:
    """Keep ``password`` for ``url``: in the credential store, else in a 0600 file; returns where (for messages)."""
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(KEYRING_SERVICE, _key(url), password)
            (data.root / PASSWORD_NAME).unlink(missing_ok=True)
            return "系统凭据管理器"
        except Exception as e:  # noqa: BLE001 - a locked or broken credential store: fall back to the file
            log.warning("the credential store refused the password (%s); keeping it in a private file", type(e).__name__)
    p = data.root / PASSWORD_NAME
    tmp = temp_path(p)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    try:
        os.write(fd, json.dumps({_key(url): password}).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)
    fsync_dir(p.parent)
    return f"只有本用户可读的文件“{p}”"


def load_password(data: DataDir, url: str) -> str | None:
    kr = _keyring()
    if kr is not None:
        try:
            pw = kr.get_password(KEYRING_SERVICE, _key(url))
            if pw is not None:
                return pw
        except Exception:  # noqa: BLE001
            pass
    try:
        stored = json.loads((data.root / PASSWORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored.get(_key(url)) if isinstance(stored, dict) else None


def forget_password(data: DataDir, url: str) -> None:
    kr = _keyring()
    if kr is not None:
        try:
            kr.delete_password(KEYRING_SERVICE, _key(url))
        except Exception:  # noqa: BLE001 - nothing stored there
            pass
    (data.root / PASSWORD_NAME).unlink(missing_ok=True)


# ----------------------------------------------------------------------------- opening this desk's store


def check_server_url(url: str) -> str:
    """``url`` if it is a PostgreSQL URL with a host and a database, else a Chinese refusal."""
    try:
        u = make_url(url)
    except Exception as e:  # noqa: BLE001 - sqlalchemy's ArgumentError and friends
        raise UserError(f"无法识别数据库地址\uff08{type(e).__name__}\uff09。格式\uff1apostgresql://用户名\uff1a密码@服务器\uff1a端口/数据库名") from e
    if u.get_backend_name() != "postgresql" or not u.host or not u.database or not u.username:
        raise UserError("数据库地址应为 postgresql://用户名\uff1a密码@服务器[\uff1a端口]/数据库名\uff08例如 "
                        "postgresql://fazhi@192.168.1.10:5432/qianyou\uff09。")
    return url


def full_url(data: DataDir, loc: StoreLocation) -> str:
    """The server URL with the password kept for it (never shown)."""
    u = make_url(loc.url)
    if u.password is None:
        pw = load_password(data, loc.url)
        if pw is not None:
            u = u.set(password=pw)
    return u.render_as_string(hide_password=False)


def store_for(data: DataDir):  # noqa: ANN201 - Store
    """This desk's store (not opened): the data directory's file, or the server the config names."""
    from fazhi_desk.store.db import Store

    loc = read_location(data)
    apply_operator(loc)
    if not loc.on_server:
        return Store.for_data_dir(data)
    return Store(full_url(data, loc), Path(loc.evidence_dir), data=data)  # data: this desk's logs, lock-free


def apply_operator(loc: StoreLocation) -> None:
    """Make the configured 操作人 the name every change of this process is logged under."""
    from fazhi_desk.services import set_operator

    set_operator(loc.operator or None)


def _check_operator(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise UserError("请用 --operator 给出这台电脑的操作人\uff08姓名\uff09\uff0c变更记录会写明每项修改是谁做的。")
    if len(name) > OPERATOR_MAX:
        raise UserError(f"操作人不能超过 {OPERATOR_MAX} 个字。")
    return name


def set_operator_name(data: DataDir, name: str) -> StoreLocation:
    loc = replace(read_location(data), operator=_check_operator(name))
    write_location(data, loc)
    apply_operator(loc)
    return loc


# ----------------------------------------------------------------------------- evidence


def _evidence_files(root: Path) -> list[Path]:
    """Every file under the evidence folder (stored files, the trash), without temp files and the id file."""
    out: list[Path] = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            if is_own_temp(p.name):
                continue
            out.append(p)
    return sorted(out)


def _copy_file(src: Path, dst: Path) -> None:
    """Copy to a temp name beside ``dst``, fsync, rename: a second desk adding the same file stores it once."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(dst)
    try:
        shutil.copyfile(src, tmp)
        fsync_file(tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class MoveReport:
    """What a move copied and checked."""

    where: str
    evidence_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    hashed: int = 0

    def text(self) -> str:
        return (f"已把本机数据迁到 {self.where}:{sum(self.rows.values())} 行数据({len(self.rows)} 个表,逐表核对行数一致),"
                f"{self.files} 个佐证材料文件({self.bytes / (1 << 20):.1f} MB,{self.hashed} 个逐一核对 SHA-256 一致)"
                f"复制到“{self.evidence_dir}”。这台电脑今后使用服务器上的数据;本机原数据文件保留未动。")


def _check_evidence_folder(evidence_dir: Path, workspace_id: str | None) -> None:
    from fazhi_desk.store.db import EVIDENCE_ID_NAME

    idp = evidence_dir / EVIDENCE_ID_NAME
    try:
        theirs = idp.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return
    except OSError as e:
        raise UserError(f"无法读取佐证材料文件夹“{evidence_dir}”\uff1a{e.strerror or e}。请检查共享文件夹的权限。") from e
    if workspace_id and theirs != workspace_id:
        raise UserError(f"佐证材料文件夹“{evidence_dir}”属于另一份数据\uff08工作区编号不同\uff09。程序没有改动任何数据。"
                        "请另选一个空文件夹\uff0c或选与服务器数据库配套的那个文件夹。")


def move_to(data: DataDir, url: str, evidence_dir: Path | str, operator: str,
            progress: Callable[[str], None] = lambda _t: None, ctx=None, store=None) -> MoveReport:  # noqa: ANN001
    """Copy the local workspace to the server and the evidence folder, check it all, then switch this desk.

    Nothing of this desk changes unless every check passes: a server database that is not empty or
    not ours is refused before anything is written to it; evidence files are copied first (to temp
    names, renamed; content-addressed, so a retry copies only what is missing) and each one's SHA-256
    checked; the rows go in one transaction whose counts are checked against the snapshot, then again
    through a new connection. Only then is the config file written.

    ``ctx`` (a :class:`~fazhi_desk.jobs.JobContext`, the window's) gets each step as progress and may stop the
    move until the rows start going in (nothing of this desk changes). ``store`` is this desk's local store when
    it is open already (the window's): the snapshot is taken through its connection instead of opening it again.
    """
    import tempfile

    from fazhi_desk.backup.archive import check_database
    from fazhi_desk.services.workspace import Workspace
    from fazhi_desk.store.backend import PostgresBackend, count_rows, file_counts, file_evidence
    from fazhi_desk.store.db import EVIDENCE_ID_NAME, Store

    check_server_url(url)
    operator = _check_operator(operator)
    evidence_dir = Path(evidence_dir).expanduser()
    loc = read_location(data)
    if loc.on_server:
        raise UserError(f"这台电脑已经在使用服务器上的数据\uff08{loc.lines(data)[1]}\uff09。"
                        "要迁回本机\uff0c请先用“store disconnect”\uff0c再从备份恢复。")
    backend = PostgresBackend(url)
    where = backend.describe().text()

    def say(text: str, done: int = 0, total: int = 0, can_stop: bool = True) -> None:
        progress(text)
        if ctx is not None:
            if can_stop:
                ctx.check()  # before the rows go in: stopping leaves this desk and the server's database as they were
            ctx.progress(done, total, text)

    ws = None
    if store is not None and store.is_open and store.db_path == data.db:
        local = store  # the window's open store: its lock is held, its connection takes the snapshot
    else:
        ws = Workspace(data)
        local = ws.open()
    try:
        say("正在检查服务器……")
        engine = backend.engine()
        try:
            with backend.errors(), engine.connect() as c:
                rev, tables = backend.state(c)
                if rev is None and tables:
                    backend._refuse_foreign(tables)
                if rev is not None:
                    held = {t: n for t, n in count_rows(c).items() if n and t != "setting"}
                    if held:
                        raise UserError(f"{where}里已经有数据。程序没有改动它\uff0c这台电脑仍使用本机数据。要使用服务器上的数据\uff0c"
                                        "请用“store connect”\uff1b要迁入本机数据\uff0c请管理员另建一个空数据库。")
        finally:
            engine.dispose()
        _check_evidence_folder(evidence_dir, local.workspace_id)
        try:
            evidence_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise UserError(f"无法创建佐证材料文件夹“{evidence_dir}”\uff1a{e.strerror or e}。"
                            "请确认共享文件夹已连接且可写。这台电脑仍使用本机数据。") from e
        probe = temp_path(evidence_dir / "write-test")
        try:  # before anything is written to the server: a folder we cannot write is refused now, not after the rows
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as e:
            raise UserError(f"佐证材料文件夹“{evidence_dir}”不可写\uff1a{e.strerror or e}。"
                            "请确认共享文件夹已连接、这台电脑的用户有写入权限。这台电脑仍使用本机数据\uff0c服务器上没有写入任何数据。") from e
        with tempfile.TemporaryDirectory(dir=data.root, prefix="~move-") as tmpd:
            snap = Path(tmpd) / "snapshot.sqlite3"
            say("正在复制数据库快照……")
            local.snapshot(snap)
            bad = check_database(snap)
            if bad:
                raise UserError(f"本机数据快照检查未通过\uff08{bad}\uff09\uff0c没有迁移。请先从备份恢复本机数据。")
            shas = file_evidence(snap)
            report = MoveReport(where=where, evidence_dir=evidence_dir)
            src_root = local.evidence_root
            files = _evidence_files(src_root) if src_root.is_dir() else []
            for i, src in enumerate(files, 1):
                rel = src.relative_to(src_root)
                if rel.name == EVIDENCE_ID_NAME and len(rel.parts) == 1:
                    continue
                say(f"正在复制佐证材料 {i}/{len(files)}……", i, len(files))
                dst = evidence_dir / rel
                try:
                    if not (dst.exists() and dst.stat().st_size == src.stat().st_size and _sha256(dst) == _sha256(src)):
                        _copy_file(src, dst)
                except OSError as e:
                    raise UserError(f"复制佐证材料“{src}”到“{dst}”时出错\uff1a{e.strerror or e}。"
                                    "这台电脑仍使用本机数据\uff1b请检查共享文件夹的空间和权限后重试。") from e
                report.files += 1
                report.bytes += src.stat().st_size
            say("正在核对佐证材料……")
            from fazhi_desk.evidence.filestore import FileStore

            target = FileStore(evidence_dir)
            for sha, size in shas.items():
                p = target.path(sha)
                if not p.is_file():
                    if FileStore(src_root).path(sha).is_file():
                        raise UserError(f"佐证材料文件“{p}”复制后找不到。这台电脑仍使用本机数据\uff1b请重试。")
                    continue  # missing here already: 校验 reports it on both
                if p.stat().st_size != size or _sha256(p) != sha:
                    raise UserError(f"佐证材料文件“{p}”复制后核对 SHA-256 不一致。这台电脑仍使用本机数据\uff1b请检查共享文件夹后重试。")
                report.hashed += 1
            say("正在把数据写入服务器……")
            report.rows = backend.load(snap)
            expected = file_counts(snap)
    finally:
        if ws is not None:
            ws.close()
    if report.rows != expected:
        raise UserError("写入服务器的行数与本机数据不一致\uff0c没有切换。请把日志发给技术支持。")
    say("正在核对服务器上的数据……", can_stop=False)
    full = make_url(url).render_as_string(hide_password=False)
    check = Store(full, evidence_dir).open()
    try:
        with check.engine.connect() as c:
            got = count_rows(c)
        if got != expected:
            raise UserError(f"重新连接后核对{where}的行数不一致\uff0c没有切换。请把日志发给技术支持。")
        if check.workspace_id != local.workspace_id or not check.evidence_belongs():
            raise UserError("服务器上的数据与佐证材料文件夹的工作区编号不一致\uff0c没有切换。请把日志发给技术支持。")
    finally:
        check.close()
    _switch(data, url, evidence_dir, operator)
    return report


def _switch(data: DataDir, url: str, evidence_dir: Path, operator: str) -> StoreLocation:
    u = make_url(url)
    if u.password is not None:
        save_password(data, url, u.password)
    loc = StoreLocation(kind="postgresql", url=without_password(url),
                        evidence_dir=str(evidence_dir), operator=operator)
    write_location(data, loc)
    apply_operator(loc)
    return loc


def connect(data: DataDir, url: str, evidence_dir: Path | str, operator: str) -> StoreLocation:
    """Point this desk at a server store (checked by opening it, and its evidence folder's workspace id)."""
    from fazhi_desk.store.db import Store

    check_server_url(url)
    operator = _check_operator(operator)
    evidence_dir = Path(evidence_dir).expanduser()
    u = make_url(url)
    if u.password is None:
        pw = load_password(data, url)
        if pw is not None:
            u = u.set(password=pw)
    store = Store(u.render_as_string(hide_password=False), evidence_dir)
    store.open()
    try:
        _check_evidence_folder(evidence_dir, store.workspace_id)
        if not store.evidence_belongs():
            raise UserError(f"无法确认佐证材料文件夹“{evidence_dir}”与服务器上的数据配套\uff08文件夹不可写或工作区编号缺失\uff09。"
                            "请检查共享文件夹后重试。")
    finally:
        store.close()
    return _switch(data, u.render_as_string(hide_password=False), evidence_dir, operator)


def disconnect(data: DataDir) -> StoreLocation:
    """Back to the local store (the server's data stays on the server); the kept password is removed."""
    loc = read_location(data)
    if loc.on_server:
        forget_password(data, loc.url)
    new = StoreLocation(operator=loc.operator)
    write_location(data, new)
    return new


def hide_password(text: str) -> str:
    """A URL-looking ``text`` with its password as ``***`` (anything else as it is)."""
    if "://" not in text or "@" not in text:
        return text
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL after all: hide everything between :// and @
        head, _, rest = text.partition("://")
        return f"{head}://***@{rest.rpartition('@')[2]}"


# ----------------------------------------------------------------------------- other desks' changes


@dataclass(frozen=True)
class OtherChanges:
    """What other desks changed since ``since`` (the change log's highest id seen before)."""

    last_id: int
    items: frozenset[tuple[str, int]] = frozenset()  # (item_id, year)
    years: frozenset[int] = frozenset()  # years changed as a whole (statistics, a report, a submission)
    catalogue: bool = False
    users: frozenset[str] = frozenset()
    replaced: bool = False  # the change log went back below ``since``: the data was restored from a backup

    def changes(self):  # noqa: ANN201 - fazhi_desk.changes.Changes
        from fazhi_desk.changes import Changes

        return Changes(items=self.items, evidence=self.items, catalogue=self.catalogue,
                       statistics=self.years, profile=self.catalogue)


def changes_since(store, since: int | None, limit: int = 2000) -> OtherChanges:  # noqa: ANN001
    """The change log's entries after ``since`` written by other desks (None: just the highest id now): not by
    ``store`` itself (its ``own_log_ids``; a desk with the same 操作人 name is still another desk).

    One indexed read of the primary key: cheap enough to ask every few seconds. More than ``limit``
    entries at once (an import on another desk) is reported as a catalogue change: read everything again.
    """
    from sqlalchemy import func, select

    from fazhi_desk.store.models import ChangeLog

    with store.session() as s:
        if since is None:
            return OtherChanges(last_id=s.scalar(select(func.max(ChangeLog.id))) or 0)
        rows = s.execute(select(ChangeLog.id, ChangeLog.user, ChangeLog.item_id, ChangeLog.year, ChangeLog.field)
                         .where(ChangeLog.id > since).order_by(ChangeLog.id).limit(limit + 1)).all()
    if not rows:
        with store.session() as s:  # a restore replaces the log with the backup's, whose ids may be lower
            top = s.scalar(select(func.max(ChangeLog.id))) or 0
        if top < since:
            return OtherChanges(last_id=top, catalogue=True, replaced=True)
        return OtherChanges(last_id=since)
    last = rows[-1][0]
    restored = [r for r in rows if r[4] == "restore"]
    if restored:  # whoever restored (two desks may share an 操作人's name): everything is read again
        with store.session() as s:
            last = s.scalar(select(func.max(ChangeLog.id))) or last
        return OtherChanges(last_id=last, catalogue=True, replaced=True, users=frozenset(r[1] for r in restored))
    own = store.own_log_ids
    others = [r for r in rows if r[0] not in own]
    if len(rows) > limit:
        with store.session() as s:
            last = s.scalar(select(func.max(ChangeLog.id))) or last
        return OtherChanges(last_id=last, catalogue=bool(others), users=frozenset(r[1] for r in others))
    items = frozenset((r[2], r[3]) for r in others if r[2] and r[3] is not None)
    years = frozenset(r[3] for r in others if not r[2] and r[3] is not None)
    catalogue = any(not r[2] and r[3] is None for r in others)
    return OtherChanges(last_id=last, items=items, years=years, catalogue=catalogue,
                        users=frozenset(r[1] for r in others))


# ----------------------------------------------------------------------------- restoring into a server store


def restore_to_server(ctx, data: DataDir, store, path: Path | str, *,  # noqa: ANN001
                      prepare: Callable[[Path], None] | None = None) -> dict[str, int]:
    """Put a ``.fzbak`` back into the server store this desk uses: checked in full first, the server's current
    state backed up to this desk's ``backups/``, the evidence files copied into the shared folder (temp name,
    rename; each SHA-256 checked), then every table replaced in one transaction. A failure before that
    transaction leaves the server's data as it was. Returns the rows put back per table.

    ``prepare`` is called with the backup's database (a SQLite file, checked) before anything is written,
    to amend what goes in (undoing an import keeps the years already reported); see :func:`restore_into_server`.
    """
    return restore_into_server(ctx, data, store, path, prepare=prepare)[0]


# ----------------------------------------------------------------------------- one desk a day backs the server up

DAILY_KEY = "store.daily_backup"  # setting: "<date>|<操作人>" of the desk that took the day's backup
DAILY_LOCK = 0x66617A6864  # pg_advisory_xact_lock key while a desk claims the day's backup


def server_daily_backup(ctx, data: DataDir, store, today=None):  # noqa: ANN001, ANN201 - AutoResult | None
    """The day's automatic backup of a server store, taken by the first desk that starts that day (into its own
    ``backups/``), not by every desk. The claim is a row in the store, written under an advisory lock; a
    backup that fails gives the claim back, so another desk (or this one, later) tries again."""
    import datetime as dt

    from sqlalchemy import text

    from fazhi_desk.backup.auto import auto_backup
    from fazhi_desk.services import current_user
    from fazhi_desk.store.models import Setting

    today = today or dt.date.today()
    with store.transaction() as s:
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DAILY_LOCK})
        row = s.get(Setting, DAILY_KEY)
        before = row.value if row is not None else None
        if before is not None and before.split("|", 1)[0] == today.isoformat():
            return None
        if row is None:
            s.add(Setting(key=DAILY_KEY, value=f"{today.isoformat()}|{current_user()}"))
        else:
            row.value = f"{today.isoformat()}|{current_user()}"
    try:
        return auto_backup(ctx, data, "daily", store=store)
    except BaseException:
        with store.transaction() as s:
            row = s.get(Setting, DAILY_KEY)
            if row is not None:
                if before is None:
                    s.delete(row)
                else:
                    row.value = before
        raise


# ----------------------------------------------------------------------------- restoring into a server store (body)


def restore_into_server(ctx, data: DataDir, store, path: Path | str, *,  # noqa: ANN001, ANN201
                        prepare: Callable[[Path], None] | None = None):
    """:func:`restore_to_server`, returning the rows put back per table and a
    :class:`~fazhi_desk.backup.restore.RestoreResult` (the backup restored, the backup of the server's data
    taken first, the schema revision an older backup was upgraded from)."""
    import tempfile

    from fazhi_desk.backup.archive import DB_MEMBER, check_database, create_backup, read_backup
    from fazhi_desk.backup.restore import RestoreResult, _migrate_if_older
    from fazhi_desk.evidence.filestore import FileStore
    from fazhi_desk.store.backend import file_evidence

    why = server_restore_refusal(path)
    if why:
        raise UserError(why)
    data.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data.root, prefix="~server-restore-") as tmp:
        staging = Path(tmp) / "new"
        ctx.progress(0, 1000, "正在校验并解开备份……")
        manifest = read_backup(ctx, path, staging, space_dir=data.root)
        new_db = staging / DB_MEMBER
        migrated = _migrate_if_older(new_db, manifest)
        bad = check_database(new_db)
        if bad:
            raise UserError(f"恢复出的数据库检查未通过\uff08{bad}\uff09。服务器上的数据没有改动。请换一个备份文件。")
        if prepare is not None:
            prepare(new_db)
        ctx.progress(0, 1000, "正在备份服务器上的当前数据……")
        before = create_backup(ctx, data, reason="before-restore", store=store)
        log.info("server store backed up before the restore: %s", before.path)
        target = FileStore(store.evidence_root)
        src = FileStore(staging / "evidence")
        for sha, size in file_evidence(new_db).items():
            p = src.path(sha)
            if not p.is_file():
                continue  # not in the backup (a database-only one): the shared folder keeps what it has
            dst = target.path(sha)
            if not (dst.is_file() and dst.stat().st_size == size and _sha256(dst) == sha):
                _copy_file(p, dst)
                if _sha256(dst) != sha:
                    raise UserError(f"佐证材料文件“{dst}”复制后核对 SHA-256 不一致。服务器上的数据没有改动\uff1b"
                                    "请检查共享文件夹后重试。")
        _log_the_restore(store, new_db, Path(path).name, manifest)
        ctx.progress(0, 1000, "正在写入服务器……")
        store.close()
        try:
            rows = store.backend.load(new_db, replace=True)
        finally:
            store.open()
    return rows, RestoreResult(manifest, before.path, migrated)


def _log_the_restore(store, db: Path, name: str, manifest) -> None:  # noqa: ANN001
    """Add the restore itself to the change log going into the server, above every id the server's log had.

    Other desks' windows poll the log for ids above the last they saw: the backup's own log usually ends lower,
    and a desk that saved in the seconds after the restore could lift it past that mark again unseen. An entry
    above the old top (a catalogue-level change of another 操作人) makes every open window read everything again,
    and the log says who restored which backup.
    """
    import datetime as dt

    from sqlalchemy import create_engine, func, insert, select

    from fazhi_desk.services import current_user
    from fazhi_desk.store.models import ChangeLog

    with store.session() as s:
        top = s.scalar(select(func.max(ChangeLog.id))) or 0
    made = getattr(manifest, "created_at", None)
    when = f"(备份时间 {made.astimezone():%Y-%m-%d %H:%M})" if isinstance(made, dt.datetime) else ""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as c:
            mine = c.scalar(select(func.max(ChangeLog.id))) or 0
            c.execute(insert(ChangeLog).values(
                id=max(top, mine) + 1, at=dt.datetime.now(dt.timezone.utc), user=current_user(), item_id=None,
                year=None, field="restore", old_value="", new_value=f"从备份“{name}”恢复服务器上的数据{when}"))
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- 备份与恢复 of a server store (window, command line)


def server_summary(ctx, data: DataDir, store):  # noqa: ANN001, ANN201 - WorkspaceSummary
    """What the server store holds now, described as a single PC's data is (shown beside a backup before a
    restore): its snapshot (one consistent read) into a temp folder of this desk's data directory, read like a
    database file. Raises the store's Chinese message when the server refuses, Cancelled when asked to stop."""
    import tempfile

    from fazhi_desk.backup.archive import describe_db
    from fazhi_desk.backup.restore import WorkspaceSummary

    data.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data.root, prefix="~server-now-") as tmp:
        snap = Path(tmp) / "now.sqlite3"
        store.snapshot(snap)
        ctx.check()
        rev, office, cats, counts = describe_db(snap)
    return WorkspaceSummary(True, office.get("office_name", ""), rev, counts, cats)


SERVER_RESTORE_QUESTION = "确定用这个备份替换服务器上的数据吗?"


def describe_server_restore(manifest, current, store) -> str:  # noqa: ANN001
    """The preview before a restore into the server store: what the backup holds against the server's data now,
    and that it replaces the data every desk works on."""
    from fazhi_desk.backup.restore import describe_change

    return (describe_change(manifest, current) + "\n\n"
            + f"将替换{store.describe().text()}上的数据。这是各台电脑共用的数据:恢复后,连接这个服务器的每一台电脑"
              "都使用恢复后的数据,备份之后各台电脑所做的修改都会被替换。恢复前请先告知其他电脑的操作人。")


def server_restored_text(rows: dict[str, int], data: DataDir) -> str:
    """What a finished restore into the server store says (``rows``: what :func:`restore_to_server` returned)."""
    return (f"已从备份恢复服务器上的数据:{sum(rows.values())} 行({len(rows)} 个表)。"
            f"恢复前的数据已备份到“{data.backups}”。其他电脑稍后会看到恢复后的数据。")


def server_restore_refusal(path: Path | str) -> str | None:
    """Why ``path`` cannot be restored into a server store, or None: a copy of the local database the program
    kept before migrating it is this desk's old local data (no evidence, no server's history), not a backup
    of the server's data."""
    from fazhi_desk.backup.restore import is_database_copy

    if is_database_copy(path):
        return (f"“{Path(path).name}”是升级本机数据库前自动保存的数据库副本(本机的旧数据,不含佐证材料),"
                "不能恢复到服务器上,服务器上的数据没有改动。请选择 .fzbak 备份文件;要用这个副本,"
                "请先用“fazhi-desk store disconnect”改回本机数据,再从它恢复。")
    return None
