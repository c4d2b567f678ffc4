"""The county's live view: ``rollup --store URL`` reads offices' server stores directly and writes the same
roll-up as from the workbooks they would export."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from fazhi_desk.cli import run as cli
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.report import export_report
from tests.pg_fixtures import pg_store_of

pytestmark = pytest.mark.postgres

YEAR = dt.date.today().year


def _sheets(path) -> dict[str, list[tuple]]:  # noqa: ANN001
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def test_rollup_from_server_stores_equals_the_rollup_of_their_workbooks(pg_templates, tmp_path, capsys):
    offices = []
    for i, (name, status) in enumerate((("营盘镇", "进行中"), ("乾佑街道办事处", "未开始")), 1):
        store = pg_store_of(pg_templates, "small", tmp_path / f"ev{i}")
        try:
            set_profile(store, office_name=name, county="柞水县", contact="李四")
            set_fields(store, "TT2020-01-01", YEAR, {"status": status, "owner": f"责任人{i}"})
            export_report(JobContext(), store, YEAR, tmp_path / f"{i}.xlsx")
            offices.append(store.url)
        finally:
            store.close()
    data = ["--data-dir", str(tmp_path / "county")]
    assert cli([*data, "rollup", str(tmp_path / "1.xlsx"), str(tmp_path / "2.xlsx"),
                "--out", str(tmp_path / "from-files.xlsx")]) == 0
    args = [*data, "rollup", "--year", str(YEAR), "--out", str(tmp_path / "from-stores.xlsx")]
    for url in offices:
        args += ["--store", url]
    assert cli(args) == 0
    out = capsys.readouterr()
    assert "desk-test-pw" not in out.out + out.err
    files, stores = _sheets(tmp_path / "from-files.xlsx"), _sheets(tmp_path / "from-stores.xlsx")
    assert files.keys() == stores.keys()
    for sheet in ("事项矩阵", "统计汇总"):
        if sheet in files:
            assert files[sheet] == stores[sheet], sheet
    assert any("营盘镇" in str(c) for r in stores.get("事项矩阵", [()]) for c in r)


def test_rollup_store_needs_a_year(tmp_path, capsys):
    assert cli(["--data-dir", str(tmp_path / "county"), "rollup", "--store", "postgresql://u:p@h/db",
                "--out", str(tmp_path / "x.xlsx")]) == 1
    assert "--year" in capsys.readouterr().err
