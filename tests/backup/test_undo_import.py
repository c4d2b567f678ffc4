"""撤销此次导入: the latest catalogue import is undone from its automatic before-import backup."""

from __future__ import annotations

import pytest

from fazhi_desk.backup.auto import backup_kind
from fazhi_desk.backup.undo_import import undo_latest_import, undo_preview
from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.catalogue import apply_import, preview_import
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.workspace import open_workspace
from tests.conftest import make_catalogue
from tests.pg_fixtures import pg_server, pg_templates  # noqa: F401

from .helpers import make_workspace, state


def test_undo_the_latest_import_lists_what_is_lost_and_gives_the_state_before_it(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=2)
    with pytest.raises(UserError, match="没有可以撤销的导入"):
        undo_preview(ws)
    before = state(ws)
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    store = open_workspace(ws)
    try:
        apply_import(store, preview_import(store, src))
        set_fields(store, "TT2020-01-01", 2025, {"owner": "导入后填写的责任人"})
    finally:
        store.close()
    kinds = [backup_kind(p) for p in ws.backups.glob("*.fzbak")]
    assert [k[0] for k in kinds if k] == ["before-import"]  # taken by the import itself
    pv = undo_preview(ws)
    text = pv.text()
    assert "TT2020 版本 1.0" in text and "新目录.json" in text
    assert "导入后填写的责任人" in text and "1 处修改" in text
    r = undo_latest_import(JobContext(), ws, pv)
    rows, files = state(ws)
    undo_lines = [x for x in rows if "撤销导入" in x]  # the version history keeps the undone import
    assert len(undo_lines) == 1 and "TT2020 版本 1.0" in undo_lines[0]
    assert ([x for x in rows if x not in undo_lines], files) == before
    assert r.before_backup is not None  # the undo itself can be undone
    with pytest.raises(UserError):
        undo_preview(ws)


def test_an_undone_import_stays_in_the_history_and_a_reported_year_stays_as_sent(tmp_path):
    from fazhi_desk.domain.completion import Scope, Tally
    from fazhi_desk.services.catalogue import list_versions
    from fazhi_desk.services.checklist import load_year
    from fazhi_desk.services.submission import STATE_SUBMITTED, mark_submitted, year_state

    ws = make_workspace(tmp_path / "data", n_files=0)
    store = open_workspace(ws)
    try:
        src = tmp_path / "新目录.json"
        src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
        apply_import(store, preview_import(store, src))
        mark_submitted(store, 2025, "FZ-20260110-0001")  # reported after the import
        with store.session() as s:
            sent = Tally.of(load_year(s, 2025), Scope.OFFICE)
    finally:
        store.close()
    undo_latest_import(JobContext(), ws, undo_preview(ws))
    store = open_workspace(ws)
    try:
        history = list_versions(store)
        assert any(v.doc_code == "TT2020" and "已撤销" in v.version and "撤销导入" in v.summary for v in history)
        with store.session() as s:
            assert year_state(s, 2025).state == STATE_SUBMITTED
            assert Tally.of(load_year(s, 2025), Scope.OFFICE).applicable == sent.applicable  # its items stay
    finally:
        store.close()


def test_the_command_line_undoes_the_latest_import_after_a_confirmation(tmp_path, capsys):
    from fazhi_desk.cli import run as cli

    ws = make_workspace(tmp_path / "data", n_files=1)
    before = state(ws)
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    assert cli(["--data-dir", str(ws.root), "catalogue", "import", str(src)]) == 0
    assert "catalogue undo-import" in capsys.readouterr().out
    assert cli(["--data-dir", str(ws.root), "catalogue", "undo-import"]) == 2  # no terminal to confirm on
    out = capsys.readouterr()
    assert "TT2020 版本 1.0" in out.out and "--yes" in out.err
    assert cli(["--data-dir", str(ws.root), "catalogue", "undo-import", "--yes"]) == 0
    assert "已撤销此次导入" in capsys.readouterr().out
    rows, files = state(ws)
    assert ([x for x in rows if "撤销导入" not in x], files) == before
    assert cli(["--data-dir", str(ws.root), "catalogue", "undo-import", "--yes"]) == 1
    assert "没有可以撤销的导入" in capsys.readouterr().err


# ----------------------------------------------------------------------------- on a server store (several desks)

ITEM = "SZ2015-01-01"


@pytest.fixture
def _operator_reset():
    from fazhi_desk.services import set_operator

    yield
    set_operator(None)


def _two_desks(pg_server, templates, tmp_path):  # noqa: ANN001, ANN202, F811
    """Desk 1 (王敏) moves its record onto a new server database, with an evidence file; desk 2 (李强) connects."""
    from fazhi_desk.cli import run as cli
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.evidence import attach
    from tests.conftest import bundled_data_dir

    first = bundled_data_dir(templates, tmp_path / "desk1")
    pdf = tmp_path / "签到表.pdf"
    pdf.write_bytes(b"%PDF-1.4 sign-in sheet")
    store = open_workspace(first)
    try:
        attach(JobContext(), store, ITEM, 2025, [pdf])
    finally:
        store.close()
    second = DataDir(tmp_path / "desk2").ensure()
    db = pg_server.create_database()
    shared = tmp_path / "shared"
    assert cli(["--data-dir", str(first.root), "store", "move-to", pg_server.url(db), "--evidence-dir", str(shared),
                "--operator", "王敏", "--yes"]) == 0
    assert cli(["--data-dir", str(second.root), "store", "connect", pg_server.url(db), "--evidence-dir", str(shared),
                "--operator", "李强"]) == 0
    return first, second


def _server_rows(data) -> list[str]:  # noqa: ANN001
    from tests.pg_fixtures import dump_rows

    store = open_workspace(data)
    try:
        assert store.db_path is None  # the desk works on the server
        return dump_rows(store)
    finally:
        store.close()


@pytest.mark.postgres
def test_an_import_on_a_server_desk_is_backed_up_there_and_undone_into_the_server(
        pg_server, templates, tmp_path, capsys, _operator_reset):  # noqa: F811
    from fazhi_desk.backup.restore import peek_backup
    from fazhi_desk.cli import run as cli

    first, second = _two_desks(pg_server, templates, tmp_path)
    before = _server_rows(first)
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    capsys.readouterr()
    assert cli(["--data-dir", str(first.root), "catalogue", "import", str(src)]) == 0
    assert "catalogue undo-import" in capsys.readouterr().out
    # the before-import backup is this desk's, of the server's data (database only), in its backups/
    made = [p for p in first.backups.glob("*.fzbak") if backup_kind(p) and backup_kind(p)[0] == "before-import"]
    assert len(made) == 1 and not list(second.backups.glob("*.fzbak"))
    m = peek_backup(made[0])
    assert m.reason == "before-import" and not m.evidence_included
    assert ("TT2020", "1.0") not in m.catalogues and m.counts.change_log == sum("change_log" in r for r in before)
    # another desk changes an item after the import: the change is listed as lost
    assert cli(["--data-dir", str(second.root), "status", ITEM, "--year", "2025", "--owner", "导入后填写的责任人"]) == 0
    after_import = _server_rows(first)
    assert any("TT2020" in r for r in after_import)

    # the other desk cannot undo it: the backup is on 王敏's desk; it is told so in Chinese, nothing changes
    capsys.readouterr()
    assert cli(["--data-dir", str(second.root), "catalogue", "undo-import", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "王敏" in err and "另一台电脑" in err and "backups" in err and str(second.backups) in err
    assert "Traceback" not in err and "内部错误" not in err
    assert _server_rows(second) == after_import

    # on the desk that imported: the preview reads the server, the undo puts the backup back into the server
    capsys.readouterr()
    assert cli(["--data-dir", str(first.root), "catalogue", "undo-import"]) == 2  # not confirmed: nothing done
    out = capsys.readouterr()
    assert "TT2020 版本 1.0" in out.out and "1 处修改" in out.out and "李强" in out.out
    assert "加 --yes" in out.err and _server_rows(first) == after_import
    assert cli(["--data-dir", str(first.root), "catalogue", "undo-import", "--yes"]) == 0
    out = capsys.readouterr()
    assert "已撤销此次导入" in out.out and "Traceback" not in out.err
    rows = _server_rows(first)
    undo_lines = [r for r in rows if "撤销导入" in r]
    assert len(undo_lines) == 1 and "TT2020 版本 1.0" in undo_lines[0] and "王敏" in undo_lines[0]
    restored = [r for r in rows if r.startswith("change_log:") and "'restore'" in r]
    assert len(restored) == 1 and "导入目录前自动" in restored[0]  # the backup put back, in the log too
    assert [r for r in rows if r not in undo_lines and r not in restored] == before  # the server's rows exactly as before the import
    assert any(backup_kind(p) and backup_kind(p)[0] == "before-restore" for p in first.backups.glob("*.fzbak"))
    # both desks see it, and there is nothing left to undo
    assert cli(["--data-dir", str(second.root), "status", ITEM, "--year", "2025", "--owner", "撤销之后"]) == 0  # ids go on
    capsys.readouterr()
    assert cli(["--data-dir", str(first.root), "catalogue", "undo-import", "--yes"]) == 1
    assert "没有可以撤销的导入" in capsys.readouterr().err
    # 李强 imports it again on his desk: 王敏's desk still holds its own before-import backup of the first
    # import, within the hour, but it is not the state this import started from: never restored in its place
    assert cli(["--data-dir", str(second.root), "catalogue", "import", str(src)]) == 0
    assert len(list(second.backups.glob("*导入目录前自动.fzbak"))) == 1
    now = _server_rows(first)
    capsys.readouterr()
    assert cli(["--data-dir", str(first.root), "catalogue", "undo-import", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "李强" in err and "另一台电脑" in err
    assert _server_rows(first) == now


@pytest.mark.postgres
def test_undo_on_a_server_keeps_a_reported_year_as_sent(pg_templates, tmp_path, _operator_reset):  # noqa: F811
    from fazhi_desk.domain.completion import Scope, Tally
    from fazhi_desk.services.catalogue import list_versions
    from fazhi_desk.services.checklist import load_year
    from fazhi_desk.services.submission import STATE_SUBMITTED, mark_submitted, year_state
    from tests.pg_fixtures import pg_store_of

    store = pg_store_of(pg_templates, "bundled", tmp_path / "evidence")
    try:
        data = store.data
        src = tmp_path / "新目录.json"
        src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
        apply_import(store, preview_import(store, src))
        mark_submitted(store, 2025, "FZ-20260110-0001")  # reported after the import
        with store.session() as s:
            sent = Tally.of(load_year(s, 2025), Scope.OFFICE)
        pv = undo_preview(data, store)
        r = undo_latest_import(JobContext(), data, pv, store)
        assert r.before_backup is not None and r.before_backup.parent == data.backups  # the undo can be undone
        history = list_versions(store)
        assert any(v.doc_code == "TT2020" and "已撤销" in v.version and "撤销导入" in v.summary for v in history)
        with store.session() as s:
            assert year_state(s, 2025).state == STATE_SUBMITTED
            assert Tally.of(load_year(s, 2025), Scope.OFFICE).applicable == sent.applicable  # its items stay
        with pytest.raises(UserError, match="没有可以撤销的导入"):
            undo_preview(data, store)
    finally:
        store.close()
