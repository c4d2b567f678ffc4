"""Where a desk's store lives: ``store move-to``, ``connect``, ``show``, ``disconnect``, ``operator``; the
password kept out of sight; every row and every evidence file checked before a desk switches."""

from __future__ import annotations

import json
import logging
import os
import stat

import pytest
from sqlalchemy import select

from fazhi_desk.cli import run as cli
from fazhi_desk.paths import DataDir
from fazhi_desk.services import current_user, set_operator
from fazhi_desk.services.location import config_path, read_location
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.models import ChangeLog
from tests.pg_fixtures import PASSWORD

pytestmark = pytest.mark.postgres

ITEM = "SZ2015-01-01"


@pytest.fixture(autouse=True)
def _no_operator_after():
    yield
    set_operator(None)


def _desk(tmp_path, templates, name: str) -> DataDir:  # noqa: ANN001
    from tests.conftest import bundled_data_dir

    return bundled_data_dir(templates, tmp_path / name)


def _evidence(tmp_path, data: DataDir) -> list[str]:  # noqa: ANN001
    """Attach two files to an item of the local store; their hashes."""
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.evidence import attach

    files = []
    for i, body in enumerate((b"%PDF-1.4 sign-in sheet", b"photo bytes " * 1000)):
        p = tmp_path / f"f{i}.pdf"
        p.write_bytes(body)
        files.append(p)
    store = open_workspace(data)
    try:
        attach(JobContext(), store, ITEM, 2025, files)
        with store.session() as s:
            from fazhi_desk.store.models import EvidenceFile

            return sorted(s.scalars(select(EvidenceFile.sha256)))
    finally:
        store.close()


def test_move_to_copies_every_row_and_file_checks_them_and_switches(pg_server, templates, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    data = _desk(tmp_path, templates, "desk1")
    shas = _evidence(tmp_path, data)
    assert cli(["--data-dir", str(data.root), "status", ITEM, "--year", "2025", "--status", "进行中"]) == 0
    db = pg_server.create_database()
    url = pg_server.url(db)
    shared = tmp_path / "shared-evidence"
    capsys.readouterr()
    assert cli(["--data-dir", str(data.root), "store", "move-to", url, "--evidence-dir", str(shared),
                "--operator", "王敏", "--yes"]) == 0
    out = capsys.readouterr()
    assert "逐表核对行数一致" in out.out and "SHA-256" in out.out
    assert PASSWORD not in out.out + out.err
    for sha in shas:
        assert (shared / sha[:2] / sha).is_file()
    # the config names the server without the password; the password is in a file only the user can read
    cfg = config_path(data).read_text(encoding="utf-8")
    assert PASSWORD not in cfg and json.loads(cfg)["kind"] == "postgresql"
    pw_file = data.root / "store-password"
    assert pw_file.is_file() and stat.S_IMODE(os.stat(pw_file).st_mode) == 0o600
    # the desk now works on the server: a change there is logged under its 操作人
    assert cli(["--data-dir", str(data.root), "status", ITEM, "--year", "2025", "--status", "已完成",
                "--completed-on", "2025-06-01"]) == 0
    rows = pg_server.psql(f"SELECT \"user\", new_value FROM change_log WHERE item_id = '{ITEM}' ORDER BY id", db=db)
    assert rows.splitlines()[-1].startswith("王敏|")
    assert len(rows.splitlines()) >= 2  # the change made on the single PC came along
    capsys.readouterr()
    assert cli(["--data-dir", str(data.root), "store", "show"]) == 0
    shown = capsys.readouterr().out
    assert "PostgreSQL" in shown and "127.0.0.1" in shown and db in shown and str(shared) in shown
    assert "王敏" in shown and PASSWORD not in shown
    assert PASSWORD not in caplog.text
    # the local database was left as it was; it is not what a backup of this desk would hold any more
    assert data.db.is_file()
    # a backup of this desk is the server's data and the shared evidence, the same .fzbak as a single PC's
    capsys.readouterr()
    assert cli(["--data-dir", str(data.root), "backup", "create", "--out", str(tmp_path / "b.fzbak")]) == 0
    assert cli(["--data-dir", str(data.root), "backup", "verify", str(tmp_path / "b.fzbak")]) == 0
    import zipfile

    with zipfile.ZipFile(tmp_path / "b.fzbak") as z:
        names = z.namelist()
        snap = tmp_path / "b.sqlite3"
        snap.write_bytes(z.read(next(n for n in names if n.endswith(".sqlite3"))))
    assert all(any(n.endswith(sha) for n in names) for sha in shas)
    import sqlite3

    con = sqlite3.connect(snap)
    try:
        assert con.execute("SELECT user FROM change_log ORDER BY id DESC LIMIT 1").fetchone()[0] == "王敏"
    finally:
        con.close()
    # a change after the backup, then the backup restored into the server store: the change is gone,
    # the evidence is in the shared folder, the server's state before the restore was backed up first
    assert cli(["--data-dir", str(data.root), "status", ITEM, "--year", "2025", "--owner", "后来的修改"]) == 0
    for sha in shas:
        (shared / sha[:2] / sha).unlink()
    capsys.readouterr()
    assert cli(["--data-dir", str(data.root), "backup", "restore", str(tmp_path / "b.fzbak"), "--yes"]) == 0
    out = capsys.readouterr()
    assert "服务器" in out.out and "Traceback" not in out.err, out.err
    owner = pg_server.psql(f"SELECT owner FROM assessment WHERE item_id = '{ITEM}' AND year = 2025", db=db)
    assert owner != "后来的修改"
    for sha in shas:
        assert (shared / sha[:2] / sha).is_file()
    assert any("恢复前" in p.name for p in data.backups.glob("*.fzbak"))  # the server before the restore
    assert cli(["--data-dir", str(data.root), "status", ITEM, "--year", "2025", "--owner", "恢复之后"]) == 0  # ids go on
    # back to the local store
    assert cli(["--data-dir", str(data.root), "store", "disconnect"]) == 0
    assert not read_location(data).on_server and not pw_file.exists()
    assert read_location(data).operator == "王敏"


def test_move_to_a_database_that_is_not_empty_changes_nothing(pg_server, templates, tmp_path, capsys):
    data = _desk(tmp_path, templates, "desk1")
    db = pg_server.create_database()
    pg_server.psql("CREATE TABLE payroll (id int)", db=db)
    shared = tmp_path / "shared"
    assert cli(["--data-dir", str(data.root), "store", "move-to", pg_server.url(db), "--evidence-dir", str(shared),
                "--operator", "王敏", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "不是法治政府建设检查台的数据库" in err and "Traceback" not in err and PASSWORD not in err
    assert not config_path(data).exists() and not shared.exists()
    assert pg_server.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", db=db) == "payroll"


def test_move_to_a_used_server_store_is_refused(pg_server, templates, tmp_path, capsys):
    first, second = _desk(tmp_path, templates, "desk1"), _desk(tmp_path, templates, "desk2")
    db = pg_server.create_database()
    args = ["store", "move-to", pg_server.url(db), "--evidence-dir", str(tmp_path / "shared"), "--operator", "甲", "--yes"]
    assert cli(["--data-dir", str(first.root), *args]) == 0
    capsys.readouterr()
    assert cli(["--data-dir", str(second.root), *args]) == 1
    assert "已经有数据" in capsys.readouterr().err
    assert not read_location(second).on_server


def test_connect_a_second_desk_and_both_see_one_record(pg_server, templates, tmp_path, capsys):
    first = _desk(tmp_path, templates, "desk1")
    second = DataDir(tmp_path / "desk2").ensure()
    db = pg_server.create_database()
    shared = tmp_path / "shared"
    assert cli(["--data-dir", str(first.root), "store", "move-to", pg_server.url(db), "--evidence-dir", str(shared),
                "--operator", "王敏", "--yes"]) == 0
    assert cli(["--data-dir", str(second.root), "store", "connect", pg_server.url(db), "--evidence-dir", str(shared),
                "--operator", "李强"]) == 0
    assert cli(["--data-dir", str(second.root), "status", ITEM, "--year", "2025", "--owner", "李强"]) == 0
    store = open_workspace(first)
    try:
        with store.session() as s:
            last = s.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
        assert (last.user, last.new_value) == ("李强", "李强")
    finally:
        store.close()
    # a wrong evidence folder (another workspace's) is refused
    other = tmp_path / "other"
    other.mkdir()
    (other / "workspace-id.txt").write_text("0" * 32)
    capsys.readouterr()
    assert cli(["--data-dir", str(second.root), "store", "connect", pg_server.url(db), "--evidence-dir", str(other),
                "--operator", "李强"]) == 1
    assert "另一份数据" in capsys.readouterr().err
    assert read_location(second).evidence_dir == str(shared)


def test_connect_with_a_wrong_password_says_so_and_keeps_the_desk_as_it_was(pg_server, tmp_path, capsys):
    data = DataDir(tmp_path / "d").ensure()
    db = pg_server.create_database()
    assert cli(["--data-dir", str(data.root), "store", "connect", pg_server.url(db, password="secret-x"),
                "--evidence-dir", str(tmp_path / "e"), "--operator", "李强"]) == 1
    err = capsys.readouterr().err
    assert "密码不对" in err and "secret-x" not in err and not config_path(data).exists()
    log_text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in data.logs.glob("*.log*"))
    assert "secret-x" not in log_text and "refused" in log_text


def test_the_operator_names_changes_on_a_single_pc_too(templates, tmp_path, capsys):
    from fazhi_desk.services import login_name

    data = _desk(tmp_path, templates, "desk1")
    assert current_user() == login_name()
    assert cli(["--data-dir", str(data.root), "store", "operator", "赵丽"]) == 0
    assert cli(["--data-dir", str(data.root), "status", ITEM, "--year", "2025", "--status", "进行中"]) == 0
    store = open_workspace(data)
    try:
        with store.session() as s:
            last = s.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
        assert last.user == "赵丽"
    finally:
        store.close()
    capsys.readouterr()
    assert cli(["--data-dir", str(data.root), "store", "show"]) == 0
    out = capsys.readouterr().out
    assert "本机" in out and "赵丽" in out
