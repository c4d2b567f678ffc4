"""分值 (score): a 考核 table's weight of each item travels through the JSON format, the Excel template,
the import (a changed score is a new revision that asks for no review) and the store."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from fazhi_desk.catalogue.excel import ITEM_COLUMNS, write_template
from fazhi_desk.catalogue.excel_reader import read_template
from fazhi_desk.catalogue.schema import dump_catalogue_json, parse_catalogue_dict
from fazhi_desk.errors import UserError
from fazhi_desk.paths import DataDir
from fazhi_desk.services.catalogue import apply_import, installed_catalogues, items_needing_review, preview_import
from fazhi_desk.store.db import open_store
from tests.conftest import make_catalogue


def scored(version: str = "1.0", first: float = 4):  # noqa: ANN201
    cat = make_catalogue(version=version)
    items = tuple(dataclasses.replace(i, score=(first if n == 0 else 2.5 if n == 1 else None))
                  for n, i in enumerate(cat.items))
    return dataclasses.replace(cat, items=items)


def test_score_round_trips_through_json_and_template(tmp_path):
    cat = scored()
    import json

    assert parse_catalogue_dict(json.loads(dump_catalogue_json(cat))) == cat
    # a catalogue without scores writes no "score" key (bundled files stay as they are)
    assert '"score"' not in dump_catalogue_json(make_catalogue())
    path = write_template([cat], tmp_path / "模板.xlsx")
    assert read_template(path) == [cat]
    ws = openpyxl.load_workbook(path)["检查事项"]
    header = [c.value for c in ws[1]]
    assert "分值" in header
    assert ws.cell(2, header.index("分值") + 1).value == 4


def test_a_bad_score_names_its_row_and_column(tmp_path):
    path = write_template([scored()], tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["检查事项"]
    col = [c.header for c in ITEM_COLUMNS].index("分值") + 1
    ws.cell(3, col).value = "五分"
    ws.cell(4, col).value = -1
    wb.save(path)
    with pytest.raises(UserError) as e:
        read_template(path)
    text = str(e.value)
    assert "第 3 行" in text and "分值" in text and "五分" in text
    assert "第 4 行" in text and "0 到 1000" in text


def test_score_is_stored_and_a_changed_score_needs_no_review(tmp_path):
    store = open_store(DataDir(tmp_path / "data").ensure())
    try:
        first = write_template([scored("1.0")], tmp_path / "v1.xlsx")
        apply_import(store, preview_import(store, first))
        with store.session() as s:
            got = {i.item_id: i.score for c in installed_catalogues(s) for i in c.items}
        assert got["TT2020-01-01"] == 4 and got["TT2020-01-02"] == 2.5 and got["TT2020-02-01"] is None
        second = write_template([scored("1.1", first=6)], tmp_path / "v2.xlsx")
        preview = preview_import(store, second)
        assert any("分值:4 → 6" in line for line in preview.lines(limit=100)), preview.lines(limit=100)
        apply_import(store, preview)
        with store.session() as s:
            got = {i.item_id: i.score for c in installed_catalogues(s) for i in c.items}
        assert got["TT2020-01-01"] == 6
        assert items_needing_review(store) == []
    finally:
        store.close()
