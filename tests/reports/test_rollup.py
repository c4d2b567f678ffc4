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
            set_profile(st, office_name=office, county="柞水县", office_code=f"ZS-{n + 1:03d}")
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
            if n % 5 == 4:  # the per-event item's event did not occur (the office says why)
                set_fields(st, "TT2020-03-01", YEAR, {"status": "本年度未发生", "note": f"本年度未制发规范性文件({n})"})
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
    assert rank[0][0] == f"柞水县{YEAR}年度法治政府建设完成情况排名(按各单位检查清单重新计算)"  # the title
    head = rank[1]
    rows = [dict(zip(head, r)) for r in rank[2:]]
    assert len(rows) == N
    rates = [r["完成率"] if r["完成率"] != "" else -1 for r in rows]
    assert rates == sorted(rates, reverse=True)
    for n, r in enumerate(rows):  # tied rates share a rank (1, 1, 3 …)
        first = next(k for k, x in enumerate(rows) if x["完成率"] == r["完成率"])
        assert r["名次"] == first + 1
        assert (r["并列"] == "并列") == (sum(1 for x in rows if x["完成率"] == r["完成率"]) > 1)
    for r in rows:
        assert r["已完成"] == expected[r["单位"]][0] and r["核对"] == ""
        assert r["单位编码"].startswith("ZS-") and r["导出编号"]
    matrix = _sheet(out, "事项矩阵")
    assert matrix[1][0].startswith("图例") and "完=已完成" in matrix[1][0]
    matrix = matrix[2:]
    assert matrix[0][:5] == ["编号", "文件", "事项内容", "应完成单位数", "已完成单位数"] and len(matrix[0]) == 5 + N
    # catalogue order, not text order
    assert [m[0] for m in matrix[1:]] == ["TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"]
    for m in matrix[1:]:  # one character a status
        assert m[4] == sum(1 for s in m[5:] if s == "完")
        assert m[3] == sum(1 for s in m[5:] if s in ("完", "欠", "进", "未"))
    stats = _sheet(out, "统计汇总")
    med = next(r for r in stats[1:] if r[0] == "MEDIATION")
    assert med[4] == sum(range(N)) and med[5] == N
    assert _sheet(out, "目录版本")[1][0].startswith("各单位适用文件的检查目录版本与")
    assert _sheet(out, "汇总数据核对")[1][0].startswith("各单位的汇总数据均与其检查清单一致")
    excluded = _sheet(out, "不计入事项")
    assert len(excluded) - 1 == N // 5
    assert all(r[4] == "本年度未发生" and r[5].startswith("本年度未制发规范性文件") for r in excluded[1:])
    wb = openpyxl.load_workbook(out)  # openpyxl reads it too
    brief = wb["排名简表"]
    assert brief.page_setup.fitToHeight == 1 and brief.page_setup.fitToWidth == 1 and brief.max_row == N + 2
    assert brief["A1"].value == f"柞水县{YEAR}年度法治政府建设完成情况排名"
    assert wb["排名"].print_area.replace("$", "").split("!")[-1].startswith("A1:R")  # no machine columns
    assert wb["排名"].print_title_rows.replace("$", "") == "2:2"
    m = wb["事项矩阵"]  # A3 landscape, office names top to bottom in narrow columns, legend and header on each page
    assert int(m.page_setup.paperSize) == 8 and m.page_setup.orientation == "landscape"
    assert m.cell(3, 6).alignment.textRotation == 255 and m.column_dimensions["F"].width <= 5
    assert m.print_title_rows.replace("$", "") == "2:3"
    for ws in wb.worksheets:  # every row as tall as its text: no row left at the default height
        heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
        assert all(h for h in heights), ws.title


def test_the_matrix_merges_the_offices_catalogue_orders():
    from fazhi_desk.reports.rollup import catalogue_order

    a = ["A-01", "A-02", "A-03"]  # an office bound by document A
    b = ["B-01", "B-02"]  # one bound by B only
    c = ["A-01", "A-02", "A-02b", "A-03", "B-01", "B-02"]  # one on a later version of A, bound by both
    assert catalogue_order([b, a, c]) == ["B-01", "B-02", "A-01", "A-02", "A-02b", "A-03"]
    assert catalogue_order([a, b]) == ["A-01", "A-02", "A-03", "B-01", "B-02"]
    assert catalogue_order([["X-10", "X-02"]]) == ["X-10", "X-02"]  # the catalogue's order, never the text's


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
    # against the version the county issued: every office on 1.0 is listed when the county issued 1.1
    res = rollup(paths[:3], out, county_versions={"TT2020": "1.1", "SZ2015": "1.2"})
    assert res.mismatches == 3
    rows = _sheet(out, "目录版本")
    assert rows[0][3] == "县发布版本" and {tuple(r) for r in rows[1:]} == {
        (f"第0{n}镇", "TT2020", "1.0", "1.1") for n in (1, 2, 3)}  # nothing said about SZ2015: not bound by it


def test_the_same_office_twice_is_refused_and_nothing_is_written(townships, tmp_path):
    paths, _e = townships
    out = tmp_path / "汇总.xlsx"
    with pytest.raises(UserError, match="ZS-001 出现了两次"):
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
    with pytest.raises(UserError, match="无法作为 Excel 工作簿读取") as e:
        rollup([text], out)
    assert not any(w in str(e.value) for w in ("Cannot", "EOCD", "Error", "format"))  # Chinese only
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


@pytest.mark.system
def test_cli_rollup(townships, tmp_path):
    from tests.cli.test_cli import run

    paths, _e = townships
    out = tmp_path / "汇总.xlsx"
    p = run("rollup", *map(str, paths[:5]), "--out", str(out), data=tmp_path / "d")
    assert "已汇总 5 个单位" in p.stdout and out.exists()
    p = run("rollup", str(paths[0]), str(paths[0]), "--out", str(tmp_path / "x.xlsx"), data=tmp_path / "d",
            check=False)
    assert p.returncode == 1 and "出现了两次" in p.stderr
    p = run("rollup", str(tmp_path / "没有这个.xlsx"), "--out", str(tmp_path / "x.xlsx"), data=tmp_path / "d",
            check=False)
    assert p.returncode == 1 and "找不到文件" in p.stderr


# ---------------------------------------------------------------- a return the county can trust


def _edit(src, dst, edits):
    """Open a return with openpyxl, change cells the way a hand would (sheet, row match, column → value), save."""
    wb = openpyxl.load_workbook(src)
    for sheet, match, col, value in edits:
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        for r in range(2, ws.max_row + 1):
            if match is None or match(dict(zip(head, [c.value for c in ws[r]]))):
                ws.cell(r, head.index(col) + 1).value = value
    wb.save(dst)
    return dst


def _ranking(out):
    rank = _sheet(out, "排名")
    return [dict(zip(rank[1], r)) for r in rank[2:]]


def test_a_resaved_return_still_matches_its_checksum(townships, tmp_path):
    from fazhi_desk.reports.rollup import read_office_report

    paths, _e = townships
    assert read_office_report(paths[0]).checksum_ok is True
    copy = _edit(paths[0], tmp_path / "copy.xlsx", [])  # opened and saved by openpyxl, nothing changed
    assert read_office_report(copy).checksum_ok is True


def test_a_tampered_summary_row_is_flagged_and_the_ranking_is_recomputed(townships, tmp_path):
    paths, expected = townships
    worst = min(range(N), key=lambda n: (expected[f"第{n + 1:02d}镇"][1] or 0, -n))
    office = f"第{worst + 1:02d}镇"
    fake = _edit(paths[worst], tmp_path / "tampered.xlsx", [
        (F.SHEET_SUMMARY_DATA, None, "已完成", 39), (F.SHEET_SUMMARY_DATA, None, "完成率", 0.975),
        (F.SHEET_SUMMARY_DATA, None, "逾期", 0)])
    out = tmp_path / "汇总.xlsx"
    res = rollup([*paths[:worst], fake, *paths[worst + 1:]], out)
    rows = _ranking(out)
    me = next(r for r in rows if r["单位"] == office)
    assert me["完成率"] == (expected[office][1] if expected[office][1] is not None else "")
    assert me["完成率"] == rows[-1]["完成率"]  # still at the bottom: ranked on the checklist, not the stated 97.5 %
    assert "导出后被改动" in me["核对"] and "汇总数据与清单不符" in me["核对"]
    assert res.edited == ("tampered.xlsx",) and res.disagreeing == ("tampered.xlsx",)
    check = _sheet(out, "汇总数据核对")
    listed = {(r[1], r[2]): (r[3], r[4]) for r in check[1:]}
    assert ("tampered.xlsx", "校验码") in listed
    assert listed[("tampered.xlsx", "已完成")] == (39, expected[office][0])
    assert ("tampered.xlsx", "完成率") in listed and ("tampered.xlsx", "逾期") in listed
    assert any("tampered.xlsx" in w and "已完成 填报 39" in w for w in res.warnings)


def test_an_edited_checklist_changes_the_ranking_and_is_flagged(townships, tmp_path):
    paths, expected = townships
    worst = min(range(N), key=lambda n: (expected[f"第{n + 1:02d}镇"][0], n))
    office = f"第{worst + 1:02d}镇"
    edited = _edit(paths[worst], tmp_path / "edited.xlsx", [
        (F.SHEET_CHECKLIST, lambda r: r["状态"] in ("未开始", "进行中"), "状态", "已完成"),
        (F.SHEET_CHECKLIST, None, "逾期", None)])
    out = tmp_path / "汇总.xlsx"
    res = rollup([*paths[:worst], edited, *paths[worst + 1:]], out)
    rows = _ranking(out)
    me = next(r for r in rows if r["单位"] == office)
    assert me["名次"] == 1 and me["完成率"] == 1 and me["逾期"] == 0  # ranked on what the checklist now says
    assert "导出后被改动" in me["核对"] and "汇总数据与清单不符" in me["核对"]
    assert res.edited == ("edited.xlsx",)
    matrix = _sheet(out, "事项矩阵")[2:]
    col = matrix[0].index(office)
    assert all(m[col] in ("完", "不", "无") for m in matrix[1:])


def test_a_renamed_resubmission_is_refused_by_its_code(townships, tmp_path):
    paths, _e = townships
    renamed = _edit(paths[0], tmp_path / "renamed.xlsx", [
        (sheet, None, "单位", "第01镇人民政府") for sheet in (F.SHEET_SUMMARY_DATA, F.SHEET_CHECKLIST)])
    with pytest.raises(UserError, match="单位编码 ZS-001 出现了两次.*renamed.xlsx"):
        rollup([*paths[:3], renamed], tmp_path / "汇总.xlsx")
    # without a code, the names that differ only by 人民政府 and the same 导出编号 are warned about
    nocode = _edit(renamed, tmp_path / "nocode.xlsx", [(F.SHEET_SUMMARY_DATA, None, "单位编码", None)])
    res = rollup([*paths[:3], nocode], tmp_path / "汇总.xlsx")
    kinds = {r[0] for r in _sheet(tmp_path / "汇总.xlsx", "核对提示")[1:]}
    assert {"名称相近", "导出编号相同"} <= kinds
    assert any(w.startswith("[名称相近]") for w in res.warnings)


def test_offices_of_another_county_are_ranked_apart(townships, tmp_path):
    paths, _e = townships
    other = _edit(paths[0], tmp_path / "other.xlsx", [
        (sheet, None, "县", "镇安县") for sheet in (F.SHEET_SUMMARY_DATA, F.SHEET_CHECKLIST)])
    res = rollup([other, *paths[1:6]], tmp_path / "汇总.xlsx")
    rows = _ranking(tmp_path / "汇总.xlsx")
    assert res.counties == ("柞水县", "镇安县") and "按县分别排名" in res.summary()
    zhenan = [r for r in rows if r["县"] == "镇安县"]
    assert len(zhenan) == 1 and zhenan[0]["名次"] == 1
    assert [r["县"] for r in rows] == sorted(r["县"] for r in rows)


def test_statistics_that_do_not_fit_are_listed(townships, tmp_path):
    paths, _e = townships
    odd = _edit(paths[1], tmp_path / "odd.xlsx", [
        (F.SHEET_STATISTICS, lambda r: r["编码"] == "LITIGATION", "数值", 2),
        (F.SHEET_STATISTICS, lambda r: r["编码"] == "HEAD_IN_COURT", "数值", 9),
        (F.SHEET_STATISTICS, lambda r: r["编码"] == "MEDIATION", "数值", 2.5)])
    out = tmp_path / "汇总.xlsx"
    rollup([paths[0], odd], out)
    hints = [r for r in _sheet(out, "核对提示")[1:] if r[0] == "统计数据"]
    assert any("负责人出庭应诉件数 9件 大于" in r[3] for r in hints)
    assert any("2.5" in r[3] and "不是整数" in r[3] for r in hints)


def test_an_even_mix_of_years_says_so(townships, tmp_path):
    paths, _e = townships
    odd = _edit(paths[1], tmp_path / "2024.xlsx", [(F.SHEET_SUMMARY_DATA, None, "年度", 2024)])
    with pytest.raises(UserError, match="2024 年 1 份、2025 年 1 份.*无法判断"):
        rollup([paths[0], odd], tmp_path / "汇总.xlsx")


@pytest.mark.system
def test_cli_lists_every_disagreement_and_an_older_format_is_refused(townships, tmp_path):
    from tests.cli.test_cli import run

    paths, expected = townships
    fake = _edit(paths[2], tmp_path / "改过.xlsx", [(F.SHEET_SUMMARY_DATA, None, "逾期", 0),
                                                   (F.SHEET_SUMMARY_DATA, None, "已完成", 99)])
    p = run("rollup", str(paths[0]), str(fake), "--out", str(tmp_path / "汇总.xlsx"), data=tmp_path / "d")
    assert "[导出后被改动] 改过.xlsx(第03镇)" in p.stdout
    assert f"[汇总数据不符] 改过.xlsx(第03镇):已完成 填报 99,按检查清单为 {expected['第03镇'][0]}" in p.stdout
    old = _edit(paths[1], tmp_path / "格式2.xlsx", [(F.SHEET_SUMMARY_DATA, None, "格式版本", 2)])
    with pytest.raises(UserError, match=r"格式2.xlsx.*旧版本程序导出的报告\uff08报表格式 2\uff09"):
        rollup([paths[0], old], tmp_path / "汇总.xlsx")


def test_a_linked_figure_is_cross_checked_with_its_items_actual(townships, tmp_path):
    """集中学法·次数 is SZ2015-04-01's 实际值: a return where the two differ was edited by hand; say so."""
    paths, _e = townships
    odd = _edit(paths[1], tmp_path / "odd.xlsx", [
        (F.SHEET_CHECKLIST, lambda r: r["编号"] == "TT2020-01-01", "实际值", 5),
        (F.SHEET_CHECKLIST, lambda r: r["编号"] == "TT2020-01-01", "编号", "SZ2015-04-01"),
        (F.SHEET_STATISTICS, lambda r: r["编码"] == "STUDY_SESSIONS", "数值", 3)])
    out = tmp_path / "汇总.xlsx"
    rollup([paths[0], odd], out)
    hints = [r[3] for r in _sheet(out, "核对提示")[1:] if r[0] == "统计数据"]
    assert any("集中学法·次数 3次 与检查清单中事项 SZ2015-04-01 的实际值 5次 不一致" in h for h in hints)
