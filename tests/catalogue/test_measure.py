"""计量方式 逐次登记: a catalogue marks an item whose 实际值 is its activity log's total, in the JSON
format and the Excel template, and the store keeps it with each revision of the item."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pytest

from fazhi_desk.catalogue.excel import HELP_SHEET, ITEM_COLUMNS, write_template
from fazhi_desk.catalogue.excel_reader import read_template
from fazhi_desk.catalogue.schema import catalogue_to_dict, dump_catalogue_json, parse_catalogue_dict
from fazhi_desk.domain.model import MEASURE_LOGGED
from fazhi_desk.errors import UserError
from fazhi_desk.paths import DataDir
from fazhi_desk.services.catalogue import apply_import, installed_catalogues, items_needing_review, preview_import
from fazhi_desk.store.db import open_store
from tests.conftest import make_catalogue

LOGGED_ID = "TT2020-01-01"  # 每年组织集中学法不少于4次


def logged(version: str = "1.0"):  # noqa: ANN201
    cat = make_catalogue(version=version)
    items = tuple(dataclasses.replace(i, measure=MEASURE_LOGGED) if i.item_id == LOGGED_ID else i for i in cat.items)
    return dataclasses.replace(cat, items=items)


def test_measure_round_trips_through_json_and_an_old_catalogue_stays_valid():
    cat = logged()
    data = catalogue_to_dict(cat)
    assert [i.get("measure") for i in data["items"]] == [MEASURE_LOGGED, None, None, None, None]
    assert parse_catalogue_dict(json.loads(dump_catalogue_json(cat))) == cat
    assert cat.item_map()[LOGGED_ID].logged and not cat.item_map()["TT2020-01-02"].logged
    # a catalogue without the field writes no "measure" key, and one without it reads as typed values
    assert '"measure"' not in dump_catalogue_json(make_catalogue())
    old = catalogue_to_dict(make_catalogue())
    assert all("measure" not in i for i in old["items"])
    assert all(i.measure == "" for i in parse_catalogue_dict(old).items)


def test_a_wrong_measure_or_one_without_a_target_is_refused_by_place():
    data = catalogue_to_dict(make_catalogue())
    data["items"][0]["measure"] = "按次"
    data["items"][1]["measure"] = MEASURE_LOGGED  # 建立法律顾问制度: no number to count towards
    with pytest.raises(UserError) as e:
        parse_catalogue_dict(data, "t.json")
    places = {p.place: p.message for p in e.value.problems}
    assert "按次" in places["items[0].measure"] and MEASURE_LOGGED in places["items[0].measure"]
    assert "目标值" in places["items[1].measure"]


def test_measure_round_trips_through_the_template_with_a_list_and_a_help_line(tmp_path):
    path = write_template([logged()], tmp_path / "模板.xlsx")
    assert read_template(path) == [logged()]
    wb = openpyxl.load_workbook(path)
    ws = wb["检查事项"]
    header = [c.value for c in ws[1]]
    col = header.index("计量方式") + 1
    assert ws.cell(2, col).value == MEASURE_LOGGED and ws.cell(3, col).value is None
    lists = [dv for dv in ws.data_validations.dataValidation if MEASURE_LOGGED in (dv.formula1 or "")]
    assert lists and openpyxl.utils.get_column_letter(col) in str(lists[0].sqref)
    help_text = "\n".join(str(c.value or "") for (c,) in wb[HELP_SHEET].iter_rows(max_col=1))
    assert "计量方式:按次数或学时计数的事项" in help_text and "活动记录" in help_text


def test_a_template_without_the_column_still_reads(tmp_path):
    path = write_template([logged()], tmp_path / "旧模板.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["检查事项"]
    ws.delete_cols([c.header for c in ITEM_COLUMNS].index("计量方式") + 1)
    wb.save(path)
    assert read_template(path) == [make_catalogue()]


def test_a_wrong_measure_in_the_template_names_its_row_and_column(tmp_path):
    path = write_template([logged()], tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["检查事项"]
    col = [c.header for c in ITEM_COLUMNS].index("计量方式") + 1
    ws.cell(4, col).value = "每次"
    wb.save(path)
    with pytest.raises(UserError) as e:
        read_template(path)
    text = str(e.value)
    assert "第 4 行" in text and "计量方式" in text and "每次" in text


def test_measure_is_stored_per_revision_and_marking_an_item_asks_no_review(tmp_path):
    store = open_store(DataDir(tmp_path / "data").ensure())
    try:
        apply_import(store, preview_import(store, write_template([make_catalogue()], tmp_path / "v1.xlsx")))
        with store.session() as s:
            assert all(i.measure == "" for c in installed_catalogues(s) for i in c.items)
        preview = preview_import(store, write_template([logged("1.1")], tmp_path / "v2.xlsx"))
        lines = preview.lines(limit=100)
        assert any(f"计量方式: → {MEASURE_LOGGED}" in line for line in lines), lines
        apply_import(store, preview)
        with store.session() as s:
            got = {i.item_id: i.measure for c in installed_catalogues(s) for i in c.items}
        assert got[LOGGED_ID] == MEASURE_LOGGED and got["TT2020-01-02"] == ""
        assert items_needing_review(store) == []  # the obligation's wording is the same
    finally:
        store.close()


def test_a_store_with_the_previous_bundle_picks_up_the_logged_items_without_review(tmp_path, monkeypatch):
    """Stores holding bundle 1.3 (no 计量方式) are brought to 1.4 on open: the marks arrive, nothing to 复核."""
    from fazhi_desk.catalogue.schema import bundled_catalogues
    from fazhi_desk.services import catalogue as catalogue_service
    from fazhi_desk.services.workspace import open_workspace

    now = bundled_catalogues()
    before = [dataclasses.replace(c, document=dataclasses.replace(c.document, version="1.3"),
                                  items=tuple(dataclasses.replace(i, measure="") for i in c.items)) for c in now]
    data = DataDir(tmp_path / "data").ensure()
    with monkeypatch.context() as m:
        m.setattr(catalogue_service, "bundled_catalogues", lambda: before)
        open_workspace(data).close()
    st = open_workspace(data)
    try:
        with st.session() as s:
            got = {i.item_id for c in installed_catalogues(s) for i in c.items if i.logged}
        assert got == {i.item_id for c in now for i in c.items if i.logged} >= {"SZ2015-04-01", "SZ2015-04-02"}
        assert items_needing_review(st) == []
    finally:
        st.close()


def test_an_import_that_changes_target_and_unit_keeps_the_log_and_recounts_it(tmp_path):
    """40 学时 (hours summed) becomes 4 次 (sessions counted): the sessions stay, this year's 实际值 is their
    number; an earlier year keeps the figure it was assessed with."""
    import datetime as dt

    from fazhi_desk.services.activity import add_activity, list_activities
    from fazhi_desk.services.checklist import change_log, load_row

    this = dt.date.today().year
    today = dt.date(this, 12, 31)

    def hours(version: str, target: float, unit: str):  # noqa: ANN202
        cat = logged(version)
        items = tuple(dataclasses.replace(i, target=target, unit=unit) if i.item_id == LOGGED_ID else i
                      for i in cat.items)
        return dataclasses.replace(cat, items=items)

    store = open_store(DataDir(tmp_path / "data").ensure())
    try:
        apply_import(store, preview_import(store, write_template([hours("1.0", 40, "学时")], tmp_path / "v1.xlsx")))
        for year in (this - 1, this):
            for n, q in enumerate((2, 3, 4), start=1):
                add_activity(store, LOGGED_ID, year, dt.date(year, 1, n), f"第{n}次培训", quantity=q, today=today)

        def actual(year: int) -> float | None:
            with store.session() as s:
                return load_row(s, LOGGED_ID, year, today).actual

        assert actual(this) == 9 and actual(this - 1) == 9
        apply_import(store, preview_import(store, write_template([hours("1.1", 4, "次")], tmp_path / "v2.xlsx")))
        assert [a.quantity for a in list_activities(store, LOGGED_ID, this)] == [2, 3, 4]  # the log is kept
        assert len(list_activities(store, LOGGED_ID, this - 1)) == 3
        assert actual(this) == 3  # three sessions, now counted
        assert actual(this - 1) == 9  # assessed under 学时 before the import
        with store.session() as s:
            logs = [(c.field, c.old_value, c.new_value) for c in change_log(s, item_id=LOGGED_ID, year=this)
                    if c.field == "actual"]
        assert ("actual", "9", "3") in logs, logs
        # back to a summed unit: the hours count again; a target-only change leaves the figure alone
        apply_import(store, preview_import(store, write_template([hours("1.2", 30, "学时")], tmp_path / "v3.xlsx")))
        assert actual(this) == 9
        apply_import(store, preview_import(store, write_template([hours("1.3", 20, "学时")], tmp_path / "v4.xlsx")))
        assert actual(this) == 9 and len(list_activities(store, LOGGED_ID, this)) == 3
    finally:
        store.close()
