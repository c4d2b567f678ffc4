"""The workbook as a return the county stacks: fixed sheets and columns, 汇总数据, 统计数据, sign-off, 节 rows,
print layout, and an evidence package whose every member the 佐证材料 sheet names exactly. Read back with
openpyxl and with python-calamine."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from fazhi_desk.domain.statistics import DEFAULT_INDICATORS
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.services.annual_text import set_submit_date
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.services.statistics import set_statistic
from tests.reports.conftest import TODAY, YEAR, add_evidence


CODE = "ZS-YP-001"  # a county-issued 单位编码


@pytest.fixture
def exported(seeded, tmp_path):
    st = seeded.store
    set_profile(st, office_name="营盘镇", county="柞水县", contact="李四", phone="0914-4321000", leader="赵一",
                deputy="钱二", preparer="孙三", office_code=CODE)
    set_submit_date(st, YEAR, dt.date(2026, 1, 10))
    set_statistic(st, YEAR, "MEDIATION", 12)
    # two files whose names the package must change: a reserved name and an over-long one
    add_evidence(st, "TT2020-01-01", YEAR, "CON.txt", b"reserved name")
    add_evidence(st, "TT2020-01-01", YEAR, ("很长的文件名" * 20) + ".pdf", b"long name")
    out = tmp_path / "报告.xlsx"
    zip_path = tmp_path / "佐证材料.zip"
    res = export_report(JobContext(), st, YEAR, out, zip_path, today=TODAY)
    return res, out, zip_path


def _table(rows):
    head = [str(h) for h in rows[0]]
    return head, [dict(zip(head, r)) for r in rows[1:]]


def test_every_sheet_reads_back_the_same_with_openpyxl_and_calamine(exported):
    _res, out, _z = exported
    wb = openpyxl.load_workbook(out, data_only=True)
    cw = CalamineWorkbook.from_path(str(out))
    assert wb.sheetnames == list(F.SHEETS) == cw.sheet_names
    for name in F.SHEETS:
        ws = wb[name]
        a = [[c for c in r] for r in ws.iter_rows(values_only=True)]
        b = cw.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert len(b) == len(a), name
        for ra, rb in zip(a, b):
            norm = lambda v: "" if v is None else (v.date() if isinstance(v, dt.datetime) else v)  # noqa: E731
            assert [norm(x) for x in ra][: len(rb)] == [norm(x) for x in rb][: len(ra)], name


def test_summary_row_and_stacking_columns(exported):
    res, out, _z = exported
    cw = CalamineWorkbook.from_path(str(out))
    head, rows = _table(cw.get_sheet_by_name(F.SHEET_SUMMARY_DATA).to_python())
    assert tuple(head) == F.SUMMARY_DATA_COLUMNS and len(rows) == 1
    row = rows[0]
    assert (row["单位"], row["县"], row["年度"]) == ("营盘镇", "柞水县", YEAR)
    assert (row["应完成"], row["已完成"], row["逾期"]) == (res.applicable, res.done, res.overdue)
    assert row["完成率"] == pytest.approx(res.done / res.applicable)
    assert row["格式版本"] == F.FORMAT_VERSION and row["目录版本"] == "TT2020 1.0"

    head, rows = _table(cw.get_sheet_by_name(F.SHEET_CHECKLIST).to_python())
    assert tuple(head) == F.CHECKLIST_COLUMNS
    assert all((r["单位"], r["县"], r["年度"], r["目录版本"], r["单位编码"])
               == ("营盘镇", "柞水县", YEAR, "TT2020 1.0", CODE) for r in rows)
    by_id = {r["编号"]: r for r in rows}
    assert by_id["TT2020-01-01"]["状态"] == "已完成" and by_id["TT2020-01-01"]["目标值"] == 4
    assert by_id["TT2020-01-01"]["计量单位"] == "次" and by_id["TT2020-01-01"]["文件"] == "测〔2020〕1号"
    assert by_id["TT2020-01-02"]["状态"] == "未开始" and by_id["TT2020-01-02"]["逾期"] == "是"
    assert by_id["TT2020-01-01"]["章节条"] == "一第1条"
    assert all(" " not in r["状态"] and "(" not in r["状态"] for r in rows)  # one word

    head, rows = _table(cw.get_sheet_by_name(F.SHEET_STATISTICS).to_python())
    assert tuple(head) == F.STATISTICS_COLUMNS
    med = next(r for r in rows if r["编码"] == "MEDIATION")
    assert med["数值"] == 12 and med["单位"] == "营盘镇" and med["单位编码"] == CODE
    assert "调解" in med["口径"]


def test_summary_goes_down_to_sections_and_carries_the_sign_off(exported):
    _res, out, _z = exported
    ws = openpyxl.load_workbook(out)[F.SHEET_SUMMARY]
    text = [[c.value for c in r] for r in ws.iter_rows()]
    flat = [str(v) for r in text for v in r if v is not None]
    for label, value in (("单位负责人", "赵一"), ("分管领导", "钱二"), ("填报人", "孙三"), ("联系人", "李四"),
                         ("联系电话", "0914-4321000"), ("报送日期", "2026年1月10日")):
        row = next(r for r in text if label in [str(v) for v in r])
        assert value in [str(v) for v in row]
    assert "报送单位(盖章)" in flat
    head = next(r for r in text if r[0] == "文件" and r[1] == "章 / 节")
    assert {"已完成", "未达标", "已完成但\n无佐证材料", "逾期"} <= set(head)  # printed in two whole words
    assert any("没有佐证材料" in v for v in flat)
    assert ws._charts and ws._charts[0].grouping == "stacked"


def test_checklist_prints_on_a4_landscape_without_the_machine_columns(exported):
    _res, out, _z = exported
    wb = openpyxl.load_workbook(out)
    ws = wb[F.SHEET_CHECKLIST]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_area.replace("$", "").split("!")[-1].startswith("A1:Q")
    assert ws.print_title_rows.replace("$", "") == "1:1"
    ev = wb[F.SHEET_EVIDENCE]
    assert ev.print_area.replace("$", "").split("!")[-1].startswith("A1:H")  # SHA-256 not printed


def test_every_evidence_row_names_a_member_of_the_zip(exported):
    _res, out, zip_path = exported
    cw = CalamineWorkbook.from_path(str(out))
    _head, rows = _table(cw.get_sheet_by_name(F.SHEET_EVIDENCE).to_python())
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        tops = {n.split("/")[0] for n in names}
        assert tops == {"营盘镇_2025_佐证材料"}
        for r in rows:
            assert r["包内路径"] in names, r["包内路径"]
            assert z.read(r["包内路径"]) and len(z.read(r["包内路径"])) == r["字节数"]
        index = z.read("营盘镇_2025_佐证材料/目录.csv").decode("utf-8-sig")
    listed = list(csv.DictReader(io.StringIO(index)))
    assert {r["包内路径"] for r in listed} == {r["包内路径"] for r in rows}
    assert all(r["编号"] for r in listed)
    # the link is relative and opens the member when the zip is extracted beside the workbook: plain text with a
    # native hyperlink, no formula (openpyxl's default read gets the path itself)
    ws = openpyxl.load_workbook(out)[F.SHEET_EVIDENCE]
    col = [c.value for c in ws[1]].index("包内路径") + 1
    assert ws.max_row == len(rows) + 1
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, col)
        assert cell.data_type == "s" and cell.value.startswith("营盘镇_2025_佐证材料/")
        assert cell.hyperlink is not None and cell.hyperlink.target == cell.value
    for sheet in openpyxl.load_workbook(out).worksheets:
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], sheet.title


@pytest.fixture(scope="module")
def bundled_year(tmp_path_factory):
    """The return of a realistic year on the bundled catalogues (200 items: 汇总's table runs over pages)."""
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.workspace import open_workspace
    from tests.reports.annual_year import TODAY as DAY, YEAR as Y, build_year

    tmp = tmp_path_factory.mktemp("bundled")
    st = open_workspace(DataDir(tmp / "data").ensure())
    try:
        build_year(st, tmp)
        set_submit_date(st, Y, DAY)
        out = tmp / "报告.xlsx"
        export_report(JobContext(), st, Y, out, today=DAY)
    finally:
        st.close()
    return out


def test_the_summary_prints_headed_pages_and_keeps_the_sign_off_with_the_totals(bundled_year):
    from fazhi_desk.reports.workbook import SUMMARY_WIDTHS, _Pages

    ws = openpyxl.load_workbook(bundled_year)[F.SHEET_SUMMARY]
    rows = {r[0].row: [c.value for c in r] for r in ws.iter_rows()}
    breaks = sorted(b.id for b in ws.row_breaks.brk)  # a break after each of these rows
    head = next(n for n, v in rows.items() if v[0] == "文件" and v[1] == "章 / 节")
    total = next(n for n, v in rows.items() if v[0] == "总计")
    phone = next(n for n, v in rows.items() if v[0] == "联系电话" and n > total)
    inside = [b for b in breaks if head < b < total]
    assert inside, "a 200-item table runs over more than one page"
    for b in inside:  # each page of the table starts with its header
        assert rows[b + 1][:2] == ["文件", "章 / 节"], b
    for b in breaks:  # no heading ends a page: 一、… 二、… 三、… and a chapter whose sections follow
        last = rows[b]
        assert not (isinstance(last[0], str) and last[0][1:2] == "、"), last
        assert not (ws.cell(b, 2).font.b and rows[b + 1][0] == last[0] and ws.cell(b + 1, 2).alignment.indent), last
    # the sign-off is on the page of the totals it certifies
    assert not [b for b in breaks if total <= b < phone]
    # every page's rows fit the page (rows as tall as set, none left to the reader's own break)
    height = _Pages(ws, SUMMARY_WIDTHS).height
    starts = [1, *(b + 1 for b in breaks)]
    ends = [*breaks, phone]
    for a, z in zip(starts, ends):
        assert sum(ws.row_dimensions[r].height or 15 for r in range(a, z + 1)) <= height, (a, z)


def test_no_header_breaks_inside_a_word(bundled_year):
    from fazhi_desk.reports.xlsx import header_width

    wb = openpyxl.load_workbook(bundled_year)
    for name in (F.SHEET_CHECKLIST, F.SHEET_STATISTICS, F.SHEET_EVIDENCE, F.SHEET_ACTIVITY, F.SHEET_OUTSTANDING,
                 F.SHEET_SUMMARY_DATA):
        ws = wb[name]
        for cell in ws[1]:
            width = ws.column_dimensions[cell.column_letter].width
            assert width >= header_width(cell.value), (name, cell.value, width)
    sm = wb[F.SHEET_SUMMARY]
    head = next(r for r in sm.iter_rows() if r[0].value == "文件" and r[1].value == "章 / 节")
    for cell in head:  # one line, or whole words a line ("已完成但" / "无佐证材料")
        assert sm.column_dimensions[cell.column_letter].width >= header_width(cell.value), cell.value


def test_a_dropped_folder_keeps_its_sub_folders_in_the_package(seeded, tmp_path):
    from fazhi_desk.services.evidence import attach

    src = tmp_path / "学法材料"
    for rel, data in (("通知.pdf", b"notice"), ("会议/签到表.pdf", b"sign 1"), ("会议/照片/1.jpg", b"photo"),
                      ("培训/签到表.pdf", b"sign 2")):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data * 20)
    attach(JobContext(), seeded.store, "TT2020-01-01", YEAR, [src])
    out, zip_path = tmp_path / "报告.xlsx", tmp_path / "佐证材料.zip"
    export_report(JobContext(), seeded.store, YEAR, out, zip_path, today=TODAY)
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
    folder = next(n.rsplit("/", 1)[0] for n in names if n.endswith("/通知.pdf"))
    assert folder.count("/") == 1  # <root>/<item folder>/通知.pdf: a file of the dropped folder itself
    for rel, data in (("会议/签到表.pdf", b"sign 1"), ("会议/照片/1.jpg", b"photo"), ("培训/签到表.pdf", b"sign 2")):
        assert f"{folder}/{rel}" in names, rel
    _head, rows = _table(CalamineWorkbook.from_path(str(out)).get_sheet_by_name(F.SHEET_EVIDENCE).to_python())
    by_name = {r["文件名"]: r["包内路径"] for r in rows}
    assert by_name["会议/照片/1.jpg"] == f"{folder}/会议/照片/1.jpg"


def test_an_empty_year_has_every_sheet_and_column(seeded, tmp_path):
    out = tmp_path / "空.xlsx"
    export_report(JobContext(), seeded.store, 2019, out, today=TODAY)
    cw = CalamineWorkbook.from_path(str(out))
    assert cw.sheet_names == list(F.SHEETS)
    assert tuple(cw.get_sheet_by_name(F.SHEET_EVIDENCE).to_python()[0]) == F.EVIDENCE_COLUMNS
    assert tuple(cw.get_sheet_by_name(F.SHEET_NOTES).to_python()[0])[:2] == ("编号", "事项内容")
    wb = openpyxl.load_workbook(out)
    assert wb[F.SHEET_NOTES].sheet_state == "hidden"  # an empty 说明全文 prints nothing
    assert all(wb[n].sheet_state == "visible" for n in F.SHEETS if n != F.SHEET_NOTES)


def test_dates_are_dates_versions_are_text_and_the_return_counts_what_the_county_asks(exported):
    res, out, _z = exported
    ws = openpyxl.load_workbook(out)[F.SHEET_SUMMARY_DATA]
    row = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]]))
    assert isinstance(row["生成时间"], dt.datetime) and row["生成时间"].date() == TODAY
    assert row["报送日期"] == dt.datetime(2026, 1, 10)  # a date cell (openpyxl reads dates as datetimes)
    assert ws.cell(2, list(row).index("报送日期") + 1).is_date
    assert row["目录版本"] == "TT2020 1.0" and isinstance(row["目录版本"], str)
    assert (row["进行中"], row["未开始"], row["不适用"], row["本年度未发生"]) == (
        res.in_progress, res.not_started, res.not_applicable, res.no_event)
    assert (row["联系人"], row["联系电话"], row["单位编码"]) == ("李四", "0914-4321000", CODE)
    assert row["导出编号"] and len(row["校验码"]) == 64
    ck = openpyxl.load_workbook(out)[F.SHEET_CHECKLIST]
    col = [c.value for c in ck[1]].index("目录版本") + 1
    assert {ck.cell(r, col).data_type for r in range(2, ck.max_row + 1)} == {"s"}


def test_the_checksum_is_what_a_reader_recomputes(exported):
    """The 校验码 matches the sheets as calamine reads them back, and no longer after one cell is edited."""
    from fazhi_desk.reports.rollup import read_office_report

    _res, out, _z = exported
    rep = read_office_report(out)
    assert rep.checksum_ok is True
    wb = openpyxl.load_workbook(out)
    ws = wb[F.SHEET_CHECKLIST]
    col = [c.value for c in ws[1]].index("状态") + 1
    ws.cell(3, col).value = "已完成"
    edited = out.with_name("改过.xlsx")
    wb.save(edited)
    assert read_office_report(edited).checksum_ok is False


def test_statistics_sheet_states_each_meaning_and_what_does_not_fit(seeded, tmp_path):
    from fazhi_desk.services.checklist import set_fields

    st = seeded.store
    set_statistic(st, YEAR, "LITIGATION", 4)
    set_statistic(st, YEAR, "NORM_ISSUED", 1)
    set_statistic(st, YEAR, "NORM_FILED", 2)
    set_statistic(st, YEAR, "MEDIATION", 0)
    set_fields(st, "TT2020-03-01", YEAR, {"status": "本年度未发生"})
    out = tmp_path / "报告.xlsx"
    export_report(JobContext(), st, YEAR, out, today=TODAY)
    cw = CalamineWorkbook.from_path(str(out))
    _head, rows = _table(cw.get_sheet_by_name(F.SHEET_STATISTICS).to_python())
    by = {r["编码"]: r for r in rows}
    assert all(r["口径"] for r in rows)
    assert "报备件数 2件 大于 规范性文件·制发件数 1件" in by["NORM_FILED"]["说明"]
    assert by["NORM_FILED"]["说明"] == by["NORM_ISSUED"]["说明"]
    assert by["MEDIATION"]["数值"] == 0 and by["MEDIATION"]["说明"] == ""  # 0 is a figure
    assert by["RECONSIDERATION"]["数值"] == "" and by["RECONSIDERATION"]["说明"] == "未填报"
    summary = [str(v) for r in cw.get_sheet_by_name(F.SHEET_SUMMARY).to_python() for v in r]
    line = next(v for v in summary if v.startswith("以下") and "需核对" in v)
    assert "报备件数 2件" in line


def test_statistics_sheet_lists_the_binding_documents_indicators_only(seeded, tmp_path):
    """The default indicators and those of documents that bind the office; 0 is shown as 0, an empty figure as
    未填报 (General format: Excel shows "0.##" as "0.")."""
    import json

    from fazhi_desk.catalogue.schema import catalogue_to_dict
    from fazhi_desk.services.catalogue import apply_import, preview_import
    from tests.conftest import make_catalogue

    st = seeded.store
    data = catalogue_to_dict(make_catalogue("XK2024", year=2024))
    data["indicators"] = [{"code": "XK_PERMITS", "category": "行政许可", "name": "办理件数", "unit": "件",
                           "items": ["XK2024-01-01"], "linked_item": ""}]
    path = tmp_path / "xk.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    apply_import(st, preview_import(st, path))
    set_statistic(st, YEAR, "MEDIATION", 0)

    def sheet(binding):
        set_profile(st, office_name="营盘镇", county="柞水县", binding_documents=binding)
        out = tmp_path / f"{'-'.join(binding)}.xlsx"
        export_report(JobContext(), st, YEAR, out, today=TODAY)
        ws = openpyxl.load_workbook(out)[F.SHEET_STATISTICS]
        head = [c.value for c in ws[1]]
        return {r[0].value: dict(zip(head, r)) for r in ws.iter_rows(min_row=2)}

    bound = sheet(["TT2020", "XK2024"])
    assert "XK_PERMITS" in bound and bound["XK_PERMITS"]["说明"].value == "未填报"
    by = sheet(["TT2020"])
    assert "XK_PERMITS" not in by  # a document the office is not bound by: not its figure
    assert {i.code for i in DEFAULT_INDICATORS} <= set(by)
    zero, empty = by["MEDIATION"], by["RECONSIDERATION"]
    assert zero["数值"].value == 0 and zero["数值"].number_format == "General" and zero["说明"].value is None
    assert empty["数值"].value is None and empty["说明"].value == "未填报"


def test_the_checksum_ignores_how_many_digits_a_program_saves():
    """A rate saved with 15 significant digits (as Excel does) is the same figure; a changed figure is not."""
    a = [("汇总数据", [["完成率"], [2 / 3]])]
    b = [("汇总数据", [["完成率"], [float(f"{2 / 3:.15g}")]])]
    c = [("汇总数据", [["完成率"], [0.6667]])]
    assert F.checksum(a) == F.checksum(b) != F.checksum(c)
