"""The store under faults, with the real program in its own process (issue 18 §1, §4, §7).

A lost database is a damaged workspace, never a new install; a -wal that belongs
to another copy of the database is refused; after an unclean session the file is
integrity-checked; SQLite's refusals are Chinese messages, never 程序内部错误.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from fazhi_desk.paths import DataDir
from tests.faultkit import cli, cli_args, env, kill9, start

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

ITEM = "SZ2015-04-01"
YEAR = "2026"


def _evidence_files(data: DataDir) -> list[str]:
    return sorted(p.name for p in data.evidence.rglob("*") if p.is_file() and len(p.parent.name) == 2)


@pytest.fixture(scope="module")
def template(tmp_path_factory):  # noqa: ANN001, ANN201
    return _make_workspace(tmp_path_factory.mktemp("template"), "d")


@pytest.fixture
def used(template, tmp_path) -> DataDir:  # noqa: ANN001
    """A copy of a data directory used for real (closed cleanly)."""
    shutil.copytree(template.root, tmp_path / "d")
    return DataDir(tmp_path / "d")


def _make_workspace(tmp_path, name: str = "d"):  # noqa: ANN001, ANN202
    """A data directory used for real: profile, a status, two evidence files (all through the CLI)."""
    data = DataDir(tmp_path / name)
    r = cli(data.root, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "王敏")
    assert r.returncode == 0, r.stderr
    assert cli(data.root, "status", ITEM, "--year", YEAR, "--status", "已完成", "--note", "全年学法4次").returncode == 0
    src = tmp_path / f"src-{name}"
    src.mkdir()
    (src / "签到表.pdf").write_bytes(b"%PDF sign-in " * 100)
    (src / "会议记录.docx").write_bytes(b"PK minutes " * 100)
    r = cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(src / "签到表.pdf"), str(src / "会议记录.docx"))
    assert r.returncode == 0, r.stderr
    assert len(_evidence_files(data)) == 2
    return data


@pytest.mark.parametrize("damage", ["emptied", "deleted"])
def test_lost_database_with_evidence_is_a_damaged_workspace_not_a_new_install(used, damage):
    data = used
    if damage == "emptied":
        data.db.write_bytes(b"")
    else:
        data.db.unlink()
    before = _evidence_files(data)
    for args in (["list", "--year", YEAR], ["profile", "show"], ["evidence", "verify"], ["evidence", "gc"]):
        r = cli(data.root, *args)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert "以前使用过" in r.stderr and "不会把它当作新安装" in r.stderr, r.stderr
        assert "程序内部错误" not in r.stderr
    assert _evidence_files(data) == before  # gc moved nothing to the trash
    assert not (data.evidence / ".trash").exists() or not any((data.evidence / ".trash").rglob("*"))
    assert (not data.db.exists()) if damage == "deleted" else data.db.stat().st_size == 0  # nothing created


def test_damaged_workspace_error_names_the_newest_backup(tmp_path):
    from fazhi_desk.errors import WorkspaceDamagedError
    from fazhi_desk.store.db import backup_db, open_store

    data = DataDir(tmp_path / "d").ensure()
    open_store(data).close()
    older = backup_db(data.db, data.backups, "manual")
    os.utime(older, (1, 1))
    newest = backup_db(data.db, data.backups, "manual")
    data.db.write_bytes(b"")
    with pytest.raises(WorkspaceDamagedError) as ei:
        open_store(data)
    e = ei.value
    assert e.data_dir == data.root and e.newest_backup == newest and set(e.backups) == {older, newest}
    assert str(newest) in str(e)


def test_gc_moves_nothing_when_the_database_is_another_workspaces(used, tmp_path):
    """A database put back from somewhere else (valid, but not the one that wrote this evidence)."""
    data = used
    other = DataDir(tmp_path / "other")
    assert cli(other.root, "profile", "set", "--office", "营盘镇", "--county", "柞水县").returncode == 0
    shutil.copyfile(other.db, data.db)
    before = _evidence_files(data)
    r = cli(data.root, "evidence", "gc")
    assert r.returncode == 1 and "同一个工作区" in r.stderr, (r.stdout, r.stderr)
    assert _evidence_files(data) == before
    r = cli(data.root, "evidence", "verify")
    assert "不再被任何事项使用" not in r.stdout and "不会清理" in r.stdout


# ----------------------------------------------------------------------------- §4 a stale -wal

_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.services.checklist import set_fields
    store = open_workspace(DataDir(Path(sys.argv[1])))
    ids = sys.argv[2:]
    for n, item in enumerate(ids):
        set_fields(store, item, 2025, {"status": "进行中", "note": "崩溃前写入 %d" % n})
    print("written", flush=True)
    time.sleep(600)
""")


def _items(data: DataDir, n: int) -> list[str]:
    con = sqlite3.connect(f"file:{data.db}?immutable=1", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT item_id FROM item ORDER BY item_id LIMIT ?", (n,))]
    finally:
        con.close()


def _crash_after_writes(data: DataDir, items: list[str], tmp_path) -> None:  # noqa: ANN001
    p = start([sys.executable, "-c", _WRITER, str(data.root), *items], cwd=tmp_path)
    line = p.stdout.readline()
    assert line.strip() == "written", p.stderr.read()
    kill9(p)


def test_database_restored_by_hand_next_to_a_stale_wal_is_refused(used, tmp_path):
    data = used
    hand_copy = tmp_path / "手工备份.sqlite3"
    shutil.copyfile(data.db, hand_copy)  # the program is closed: a plain copy of the file
    _crash_after_writes(data, _items(data, 40), tmp_path)
    wal = data.db.with_name(data.db.name + "-wal")
    assert wal.stat().st_size > 0
    shutil.copyfile(hand_copy, data.db)  # the user puts the old copy back; the crashed session's -wal stays
    db_before, wal_before = data.db.read_bytes(), wal.read_bytes()
    r = cli(data.root, "list", "--year", "2025")
    assert r.returncode == 1, (r.stdout[-500:], r.stderr)
    assert "-wal" in r.stderr and "不属于这个数据文件" in r.stderr and "程序内部错误" not in r.stderr
    assert data.db.read_bytes() == db_before and wal.read_bytes() == wal_before  # nothing applied
    r = cli(data.root, "status", ITEM, "--year", "2025", "--status", "已完成")
    assert r.returncode == 1  # and no second row sneaks in


def test_wal_of_a_crashed_session_is_applied_after_integrity_check(used, tmp_path):
    data = used
    items = _items(data, 25)
    _crash_after_writes(data, items, tmp_path)
    r = cli(data.root, "list", "--year", "2025", "--all", "--status", "进行中")
    assert r.returncode == 0, r.stderr
    assert sum(1 for i in items if i in r.stdout) == len(items)  # every acknowledged write is there
    log = (data.logs / "fazhi-desk.log").read_text(encoding="utf-8")
    assert "integrity_check" in log.split("opened store")[-2]  # the unclean session got the full check


# ----------------------------------------------------------------------------- §7 say what is wrong

_HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(600)
""")


def test_database_locked_by_another_program_is_a_message(used, tmp_path):
    data = used
    holder = start([sys.executable, "-c", _HOLDER, str(data.db)], cwd=tmp_path)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "被锁时写入")
    finally:
        kill9(holder)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "其他程序占用" in r.stderr and "程序内部错误" not in r.stderr
    r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "解锁后写入")
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("chattr"), reason="needs root and chattr")
def test_read_only_database_is_a_message_and_writable_again_works(used):
    """A read-only database file (root ignores mode bits, so the file is made immutable, as a stricter read-only)."""
    data = used
    if subprocess.run(["chattr", "+i", str(data.db)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable attribute")
    try:
        r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "只读时写入")
    finally:
        subprocess.run(["chattr", "-i", str(data.db)], check=True)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "只读" in r.stderr and "程序内部错误" not in r.stderr
    r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "恢复可写后写入")
    assert r.returncode == 0, r.stderr  # nothing left behind (a read-only -shm) keeps blocking writes
    con = sqlite3.connect(f"file:{data.db}?immutable=1", uri=True)
    assert con.execute("SELECT note FROM assessment WHERE item_id=? AND year=?", (ITEM, int(YEAR))).fetchone() == \
        ("恢复可写后写入",)
    con.close()


@pytest.mark.parametrize("limit_kb", [8, 64])
def test_file_size_limit_is_a_message(used, limit_kb):
    """``ulimit -f``: the database, its -wal and the log may not grow past the limit."""
    import resource

    data = used
    limit = limit_kb << 10

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "限制下写入", preexec=small_files)
    assert r.returncode in (0, 1), (r.returncode, r.stderr)
    assert "程序内部错误" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    if r.returncode == 1:
        assert "没有改动任何数据" in r.stderr
    r2 = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "解除限制后写入")
    assert r2.returncode == 0, r2.stderr
    con = sqlite3.connect(f"file:{data.db}?immutable=1", uri=True)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_evidence_list_prints_no_raw_escape_sequences(used, tmp_path):
    data = used
    evil = tmp_path / "名单\x1b[2J\x1b]0;pwned\x07.pdf"
    evil.write_bytes(b"%PDF evil")
    r = cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(evil))
    assert r.returncode == 0, r.stderr
    for out in (r.stdout, cli(data.root, "evidence", "list", ITEM, "--year", YEAR).stdout):
        assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in cli(data.root, "evidence", "list", ITEM, "--year", YEAR).stdout


def test_file_link_inside_a_dropped_folder_is_not_followed(used, tmp_path):
    data = used
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"not for the package")
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "通知.pdf").write_bytes(b"%PDF notice")
    os.symlink(secret, folder / "链接.txt")
    r = cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(folder))
    listing = cli(data.root, "evidence", "list", ITEM, "--year", YEAR).stdout
    assert "通知.pdf" in listing and "链接.txt" not in listing
    assert "链接" in r.stdout  # said why it was left out
    import hashlib

    assert hashlib.sha256(b"not for the package").hexdigest() not in _evidence_files(data)


# ----------------------------------------------------------------------------- issue 23 §3: read-only, locks, waits


@pytest.fixture
def read_only_mount():
    """Make a folder read-only the way a write-protected disk is: a read-only bind mount of it (needs root)."""
    done = []

    def make(d) -> None:  # noqa: ANN001
        if os.geteuid() != 0:
            pytest.skip("a read-only bind mount needs root")
        for cmd in (["mount", "--bind", str(d), str(d)], ["mount", "-o", "remount,ro,bind", str(d)]):
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                if done or cmd[1] == "-o":
                    subprocess.run(["umount", str(d)], check=False)
                pytest.skip(f"cannot bind-mount read-only here: {p.stderr.strip()}")
        done.append(d)

    yield make
    for d in done:
        subprocess.run(["umount", "-l", str(d)], check=False)


def _immutable_folder(d):  # noqa: ANN001, ANN202
    if os.geteuid() != 0 or not shutil.which("chattr"):
        pytest.skip("needs root and chattr")
    if subprocess.run(["chattr", "+i", str(d)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable attribute")


@pytest.mark.parametrize("how", ["read-only disk", "folder without write permission"])
def test_read_only_data_folder_with_a_leftover_shm_can_be_listed_and_reported(used, tmp_path, how, read_only_mount):
    """A leftover -shm in a read-only folder failed every command with 程序内部错误 (or, on a read-only disk, the
    lock file refused them all): list, show and report now work and say the data is read-only; a write is refused
    with a message saying why and what to do."""
    data = used
    data.db.with_name(data.db.name + "-shm").write_bytes(b"\0" * 32768)  # left by a reader that was killed
    before = data.db.read_bytes()
    if how == "read-only disk":
        read_only_mount(data.root)
    else:
        _immutable_folder(data.root)  # no new file, no deleted one (the lock file itself is still writable)
    try:
        out = tmp_path / "报告"
        out.mkdir()
        runs = {
            "list": cli(data.root, "list", "--year", YEAR, "--all"),
            "show": cli(data.root, "show", ITEM, "--year", YEAR),
            "report": cli(data.root, "report", "--year", YEAR, "--out", str(out / "报告.xlsx")),
            "write": cli(data.root, "status", ITEM, "--year", YEAR, "--note", "只读时写入"),
        }
    finally:
        if how != "read-only disk":
            subprocess.run(["chattr", "-i", str(data.root)], check=True)
    for name, r in runs.items():
        assert "程序内部错误" not in r.stderr and "Traceback" not in r.stderr, (name, r.stderr)
        assert "只读" in r.stderr, (name, r.stderr)  # every command says the data is read-only
    assert runs["list"].returncode == 0 and ITEM in runs["list"].stdout
    assert runs["show"].returncode == 0 and "全年学法4次" in runs["show"].stdout
    assert runs["report"].returncode == 0, runs["report"].stderr
    assert (out / "报告.xlsx").is_file()
    w = runs["write"]
    assert w.returncode == 1 and "无法保存" in w.stderr and "写入权限" in w.stderr, w.stderr
    assert data.db.read_bytes() == before


_FLOCK = textwrap.dedent("""
    import fcntl, sys, time
    f = open(sys.argv[1], "a+")
    fcntl.flock(f, fcntl.LOCK_EX)
    print("locked", flush=True)
    time.sleep(600)
""")

_WINDOW = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import PySide6.QtWidgets  # noqa: F401 - what makes a process of ours a window
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.workspace import open_workspace
    store = open_workspace(DataDir(Path(sys.argv[1])))
    print("open", flush=True)
    time.sleep(600)
""")


def test_lock_file_held_by_another_program_is_not_called_a_window(used, tmp_path):
    data = used
    holder = start([sys.executable, "-c", _FLOCK, str(data.lock)], cwd=tmp_path)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = subprocess.run(cli_args(data.root, "status", ITEM, "--year", YEAR, "--note", "被锁时写入"),
                           capture_output=True, text=True, timeout=120, env=env(FAZHI_DESK_LOCK_WAIT="2"),
                           cwd=str(tmp_path))
    finally:
        kill9(holder)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "窗口" not in r.stderr and "程序内部错误" not in r.stderr, r.stderr
    assert "其他程序" in r.stderr and data.lock.name in r.stderr, r.stderr


def test_an_open_window_is_named_at_once(used, tmp_path):
    data = used
    window = start([sys.executable, "-c", _WINDOW, str(data.root)], cwd=tmp_path)
    try:
        assert window.stdout.readline().strip() == "open", window.stderr.read() if window.poll() is not None else ""
        t0 = time.monotonic()
        r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "窗口打开时写入")
        took = time.monotonic() - t0
    finally:
        kill9(window)
    assert r.returncode == 1 and "窗口" in r.stderr and str(window.pid) in r.stderr, r.stderr
    assert took < 20, took  # refused at once (the window keeps the data open), not after the wait for a command


@pytest.mark.parametrize("writers,rounds", [(2, 25)])
def test_two_command_line_writers_wait_for_each_other(used, writers, rounds):
    """50 `status` writes, 2 processes started together in each of 25 rounds (as a script runs them in the
    background): every one lands (3 of 50 were refused: the second to open the store met the lock)."""
    data = used
    items = _items(data, writers * rounds)
    results: dict[str, subprocess.CompletedProcess] = {}
    for k in range(rounds):
        batch = items[k * writers:(k + 1) * writers]
        procs = {item: subprocess.Popen(cli_args(data.root, "status", item, "--year", "2025", "--note", f"并行写入{item}"),
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
                                        cwd=str(data.root.parent)) for item in batch}
        for item, p in procs.items():
            out, err = p.communicate(timeout=180)
            results[item] = subprocess.CompletedProcess(p.args, p.returncode, out, err)
    refused = {i: r.stderr[-300:] for i, r in results.items() if r.returncode != 0}
    log = (data.logs / "fazhi-desk.log").read_text(encoding="utf-8", errors="replace")
    assert not refused, (refused, log[log.find("Traceback") - 200:][:4000] if "Traceback" in log else "")
    con = sqlite3.connect(f"file:{data.db}?immutable=1", uri=True)
    try:
        notes = dict(con.execute("SELECT item_id, note FROM assessment WHERE year=2025"))
    finally:
        con.close()
    assert all(notes.get(i) == f"并行写入{i}" for i in items), [i for i in items if notes.get(i) != f"并行写入{i}"]


_SQLITE_EXCLUSIVE = textwrap.dedent("""
    import sqlite3, sys, time
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("PRAGMA locking_mode=EXCLUSIVE")
    con.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    time.sleep(600)
""")


def test_database_a_tool_keeps_to_itself_is_not_called_a_window_by_backup(used, tmp_path):
    """`backup create` while a database tool (not fazhi-desk) holds SQLite's exclusive lock said
    “正被打开的法治政府建设检查台窗口独占使用”."""
    data = used
    tool = start([sys.executable, "-c", _SQLITE_EXCLUSIVE, str(data.db)], cwd=tmp_path)
    try:
        assert tool.stdout.readline().strip() == "locked"
        r = cli(data.root, "backup", "create", "--out", str(tmp_path / "备份.fzbak"))
    finally:
        kill9(tool)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "窗口" not in r.stderr and "程序内部错误" not in r.stderr, r.stderr
    assert "其他程序" in r.stderr, r.stderr
    assert not (tmp_path / "备份.fzbak").exists()
