"""The county's roll-up: 20 generated township workbooks read, checked and combined; bad sets refused whole."""

from __future__ import annotations

import random

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.reports.rollup import rollup
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.services.statistics import set_statistic
from tests.reports.conftest import TODAY, YEAR

N = 20


@pytest.fixture(scope="module")
def townships(tmp_path_factory):
    """20 township workbooks of one county and year, with different progress and figures."""
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.db import open_store
    from tests.conftest import make_catalogue

    root = tmp_path_factory.mktemp("townships")
    st = open_store(DataDir(root / "data").ensure())
    with st.transaction() as s:
        install_new_document(s, make_catalogue(), source_file="test")
    rnd = random.Random(15)
    paths = []
    expected = {}
    try:
        for n in range(N):
            office = f"第{n + 1:02d}镇"
            set_profile(st, office_name=office, county="柞水县")
            done = rnd.randint(0, 3)
            for i, item in enumerate(("TT2020-01-01", "TT2020-01-02", "TT2020-03-01")):
                status = "已完成" if i < done else ("进行中" if i == done else "未开始")
                ch = {"status": status}
                if item == "TT2020-01-01" and status == "已完成":
                    ch.update(actual=4, completed_on="2025-06-01")
                if item == "TT2020-03-01" and status == "已完成":
                    ch.update(actual=10, completed_on="2025-06-01")
                if item == "TT2020-01-02" and status == "已完成":
                    ch.update(completed_on="2025-06-01")
                set_fields(st, item, YEAR, ch)
            set_statistic(st, YEAR, "MEDIATION", n)
            p = root / f"{office}.xlsx"
            res = export_report(JobContext(), st, YEAR, p, today=TODAY)
            expected[office] = (res.done, res.rate)
            paths.append(p)
    finally:
        st.close()
    return paths, expected


def _sheet(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_rollup_ranks_builds_the_matrix_and_sums_statistics(townships, tmp_path):
    paths, expected = townships
    out = tmp_path / "汇总.xlsx"
    res = rollup(paths, out)
    assert (res.offices, res.year, res.mismatches) == (N, YEAR, 0)
    rank = _sheet(out, "排名")
    head = rank[0]
    rows = [dict(zip(head, r)) for r in rank[1:]]
    assert len(rows) == N and [r["名次"] for r in rows] == list(range(1, N + 1))
    rates = [r["完成率"] if r["完成率"] != "" else -1 for r in rows]
    assert rates == sorted(rates, reverse=True)
    for r in rows:
        assert r["已完成"] == expected[r["单位"]][0]
    matrix = _sheet(out, "事项矩阵")
    assert matrix[0][:4] == ["编号", "文件", "事项内容", "已完成单位数"] and len(matrix[0]) == 4 + N
    assert {m[0] for m in matrix[1:]} == {"TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"}
    for m in matrix[1:]:
        assert m[3] == sum(1 for s in m[4:] if s == "已完成")
    stats = _sheet(out, "统计汇总")
    med = next(r for r in stats[1:] if r[0] == "MEDIATION")
    assert med[4] == sum(range(N)) and med[5] == N
    assert _sheet(out, "目录版本")[1][0] == "各单位检查目录版本一致"
    openpyxl.load_workbook(out)  # openpyxl reads it too


def test_a_township_on_another_catalogue_version_is_listed(townships, tmp_path):
    paths, _e = townships
    odd = tmp_path / "odd.xlsx"
    wb = openpyxl.load_workbook(paths[3])
    ws = wb[F.SHEET_SUMMARY_DATA]
    col = [c.value for c in ws[1]].index("目录版本") + 1
    ws.cell(2, col).value = "TT2020 0.9"
    wb.save(odd)
    out = tmp_path / "汇总.xlsx"
    res = rollup([*paths[:3], odd, *paths[4:]], out)
    assert res.mismatches == 1
    rows = _sheet(out, "目录版本")
    assert rows[1] == ["第04镇", "TT2020", "0.9", "1.0"]


def test_the_same_office_twice_is_refused_and_nothing_is_written(townships, tmp_path):
    paths, _e = townships
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(UserError, match="第01镇.*出现了两次"):
        rollup([paths[0], paths[1], paths[0]], out)
    assert not out.exists()


def test_an_older_format_and_a_foreign_workbook_get_clear_messages(townships, tmp_path):
    paths, _e = townships
    old = tmp_path / "旧版.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = F.SHEET_SUMMARY
    wb.create_sheet(F.SHEET_CHECKLIST)
    wb.save(old)
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(UserError, match="旧版.xlsx.*旧版本.*重新导出"):
        rollup([paths[0], old], out)
    other = tmp_path / "别的.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(UserError, match="不是法治政府建设检查台导出的年度报告"):
        rollup([other], out)
    text = tmp_path / "a.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(UserError, match="无法作为 Excel 工作簿读取"):
        rollup([text], out)
    assert not out.exists()


def test_another_year_is_refused(townships, tmp_path):
    paths, _e = townships
    odd = tmp_path / "2024.xlsx"
    wb = openpyxl.load_workbook(paths[5])
    ws = wb[F.SHEET_SUMMARY_DATA]
    ws.cell(2, [c.value for c in ws[1]].index("年度") + 1).value = 2024
    wb.save(odd)
    with pytest.raises(UserError, match="年度不一致.*2024.xlsx"):
        rollup([*paths[:5], odd], tmp_path / "汇总.xlsx")


def test_cli_rollup(townships, tmp_path):
    from tests.cli.test_cli import run

    paths, _e = townships
    out = tmp_path / "汇总.xlsx"
    p = run("rollup", *map(str, paths[:5]), "--out", str(out), data=tmp_path / "d")
    assert "已汇总 5 个单位" in p.stdout and out.exists()
    p = run("rollup", str(paths[0]), str(paths[0]), "--out", str(tmp_path / "x.xlsx"), data=tmp_path / "d",
            check=False)
    assert p.returncode == 1 and "出现了两次" in p.stderr
