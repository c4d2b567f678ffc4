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
