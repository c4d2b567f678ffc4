"""The annual report workbook and evidence package, generated from a real store and read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from fazhi_desk.errors import UserError
from fazhi_desk.jobs import Cancelled, JobContext
from fazhi_desk.reports.annual import (
    SHEET_CHECKLIST,
    SHEET_EVIDENCE,
    SHEET_NOTES,
    SHEET_OUTSTANDING,
    SHEET_SUMMARY,
)
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.reports.evidence_package import INDEX_FILE, PROBLEMS_FILE, safe_name
from fazhi_desk.reports.output import check_writable, output_error
from fazhi_desk.reports.workbook import write_report
from fazhi_desk.services.report import export_report, load_report_data
from tests.reports.conftest import INJECTION, LONG_NOTE, TODAY, YEAR


def _export(seeded, tmp_path, **kw):
    out = tmp_path / "out" / "报告.xlsx"
    out.parent.mkdir(exist_ok=True)
    res = export_report(JobContext(), seeded.store, YEAR, out, today=TODAY, **kw)
    return res, openpyxl.load_workbook(out)


def _rows(ws):
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def _col(ws, header):
    heads = [c.value for c in ws[1]]
    return heads.index(header)


def test_workbook_sheets_totals_and_statuses(seeded, tmp_path):
    res, wb = _export(seeded, tmp_path)
    assert wb.sheetnames == list(F.SHEETS)  # every year the same sheets, empty ones included
    # 4 items apply to a township; the biennial one is not due in 2025 and the one-time one is overdue.
    assert (res.items, res.applicable, res.done, res.in_progress, res.not_started) == (4, 3, 1, 1, 1)
    assert (res.overdue, res.not_due, res.not_applicable, res.evidence_files) == (2, 1, 0, 5)

    ck = wb[SHEET_CHECKLIST]
    assert tuple(c.value for c in ck[1]) == F.CHECKLIST_COLUMNS
    rows = {r[0]: r for r in _rows(ck)}
    assert set(rows) == {"TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"}  # not TT2020-02-02
    st = _col(ck, "状态")
    assert rows["TT2020-01-01"][st] == "已完成"
    assert rows["TT2020-01-02"][st] == "未开始" and rows["TT2020-01-02"][_col(ck, "逾期")] == "是"
    assert rows["TT2020-02-01"][st] == "本年度不检查"
    assert rows["TT2020-03-01"][st] == "进行中" and rows["TT2020-03-01"][_col(ck, "逾期")] == "是"
    assert rows["TT2020-01-01"][_col(ck, "逾期")] is None
    assert rows["TT2020-01-01"][_col(ck, "完成日期")] == dt.datetime(2025, 11, 20)
    assert rows["TT2020-01-01"][_col(ck, "实际值")] == 4
    assert rows["TT2020-01-01"][_col(ck, "目标值")] == 4 and rows["TT2020-01-01"][_col(ck, "计量单位")] == "次"
    assert rows["TT2020-01-01"][_col(ck, "佐证材料")] == "3 个"
    # Colours: done green, overdue red.
    by_id = {ck.cell(r, 1).value: r for r in range(2, ck.max_row + 1)}
    assert ck.cell(by_id["TT2020-01-01"], st + 1).fill.fgColor.rgb.endswith("C6EFCE")
    assert ck.cell(by_id["TT2020-01-02"], _col(ck, "逾期") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert ck.freeze_panes == "B2"
    assert ck.auto_filter.ref == f"A1:W{ck.max_row}"

    # Summary: the total row agrees with the store.
    sm = wb[SHEET_SUMMARY]
    head = [r for r in sm.iter_rows(values_only=True) if r[0] == "文件" and r[1] == "章 / 节"][0]
    total = dict(zip(head, [r for r in sm.iter_rows(values_only=True) if r[0] == "总计"][0]))
    assert [total[h] for h in ("事项数", "应完成", "已完成", "进行中", "未开始", "不适用", "本年度不检查", "逾期")] == \
        [4, 3, 1, 1, 1, 0, 1, 2]
    assert total["完成率"] == pytest.approx(1 / 3)
    assert sm["B3"].value == "营盘镇" and sm["B4"].value == "柞水县"
    assert any("应完成 3 项,已完成 1 项" in str(c.value) for row in sm.iter_rows() for c in row)
    charts = sm._charts
    assert len(charts) == 1 and charts[0].tagname == "barChart"

    out = wb[SHEET_OUTSTANDING]
    assert [r[0] for r in _rows(out)] == ["TT2020-01-02", "TT2020-03-01"]
    assert _rows(out)[0][_col(out, "工作情况说明")] == "(未填写说明)"


def test_user_text_is_never_a_formula(seeded, tmp_path):
    _res, wb = _export(seeded, tmp_path)
    ck = wb[SHEET_CHECKLIST]
    note_col = _col(ck, "工作情况说明") + 1
    cell = next(ck.cell(r, note_col) for r in range(2, ck.max_row + 1) if ck.cell(r, 1).value == "TT2020-01-01")
    assert cell.data_type == "s"
    assert cell.value == INJECTION
    assert cell.quotePrefix
    ev = wb[SHEET_EVIDENCE]
    desc = [ev.cell(r, 4) for r in range(2, ev.max_row + 1) if str(ev.cell(r, 4).value).startswith("=")]
    assert len(desc) == 1 and desc[0].data_type == "s" and desc[0].quotePrefix
    # No formula anywhere in the workbook (the package links are ours: checked with the package below).
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
    zpath = tmp_path / "out" / "z.zip"
    _res, wb = _export(seeded, tmp_path, evidence_zip=zpath)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert ws.title == SHEET_EVIDENCE and c.value.startswith('=HYPERLINK("营盘镇_2025_佐证材料/')


def test_long_note_is_shortened_in_tables_and_complete_in_notes_sheet(seeded, tmp_path):
    _res, wb = _export(seeded, tmp_path)
    ck = wb[SHEET_CHECKLIST]
    note = next(r[_col(ck, "工作情况说明")] for r in _rows(ck) if r[0] == "TT2020-03-01")
    assert note.startswith(LONG_NOTE[:200]) and "全文共 5000 字" in note
    assert note.split("……")[0].endswith("。")  # cut at a sentence end
    notes = wb[SHEET_NOTES]
    parts = [r[3] for r in _rows(notes) if r[0] == "TT2020-03-01"]
    assert "".join(parts) == LONG_NOTE
    assert all(notes.row_dimensions[r].height <= 409 for r in range(2, notes.max_row + 1))


def test_evidence_sheet_lists_the_years_files(seeded, tmp_path):
    _res, wb = _export(seeded, tmp_path)
    rows = _rows(wb[SHEET_EVIDENCE])
    want = sorted((i, n, hashlib.sha256(c).hexdigest(), len(c)) for i, n, c in seeded.evidence)
    got = sorted((r[0], r[2], r[_col(wb[SHEET_EVIDENCE], "SHA-256")], r[_col(wb[SHEET_EVIDENCE], "字节数")])
                 for r in rows)
    assert got == want  # the 2024 file is not listed
    assert {r[7] for r in rows} == {"正常"}
    assert all(r[4] == dt.datetime(2025, 3, 2) for r in rows)


def test_print_settings_on_every_sheet(seeded, tmp_path):
    _res, wb = _export(seeded, tmp_path)
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ps.orientation == "landscape", ws.title
        assert int(ps.paperSize) == 9
        assert int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        if ws.title != SHEET_SUMMARY:  # 汇总 is a page of its own, not a table
            assert ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.oddHeader.center.text.startswith("营盘镇 2025年度法治政府建设年度报告")
        assert ws.title in ws.oddHeader.center.text


def test_fast_writer_matches_plain_openpyxl(seeded, tmp_path):
    data = load_report_data(seeded.store, YEAR, TODAY)
    a, b = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    write_report(JobContext(), data, a, fast=True)
    write_report(JobContext(), data, b, fast=False)
    wa, wb_ = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb_.sheetnames
    for name in wa.sheetnames:
        x, y = wa[name], wb_[name]
        assert x.dimensions == y.dimensions, name
        for rx, ry in zip(x.iter_rows(), y.iter_rows()):
            for cx, cy in zip(rx, ry):
                where = (name, cx.coordinate)
                assert (cx.value, cx.data_type, cx.number_format) == (cy.value, cy.data_type, cy.number_format), where
                assert (cx.fill.fgColor.rgb, cx.font.b, cx.alignment.wrap_text, cx.quotePrefix) == \
                       (cy.fill.fgColor.rgb, cy.font.b, cy.alignment.wrap_text, cy.quotePrefix), where
        for r in range(1, x.max_row + 1):
            assert x.row_dimensions[r].height == y.row_dimensions[r].height, (name, r)


def test_evidence_zip_holds_exactly_the_years_files(seeded, tmp_path):
    zpath = tmp_path / "out" / "佐证材料.zip"
    res, _wb = _export(seeded, tmp_path, evidence_zip=zpath)
    assert res.packed_files == 5 and not res.missing and not res.altered
    with zipfile.ZipFile(zpath) as zf:
        infos = zf.infolist()
        got = {i.filename: zf.read(i) for i in infos}
        assert zf.testzip() is None
    want = {hashlib.sha256(c).hexdigest() for _i, _n, c in seeded.evidence}
    root = "营盘镇_2025_佐证材料"
    assert {hashlib.sha256(b).hexdigest() for n, b in got.items() if not n.endswith(INDEX_FILE)} == want
    assert f"{root}/{INDEX_FILE}" in got and len(got) == 6
    names = sorted(n for n in got if not n.endswith(INDEX_FILE))
    assert all(n.startswith(root + "/") for n in got)
    names = [n[len(root) + 1:] for n in names]
    assert all(n.count("/") == 1 for n in names)
    assert all(not set('<>:"\\|?*').intersection(n) for n in names)
    folders = {n.split("/")[0] for n in names}
    assert folders == {"TT2020-01-01 每年组织集中学法不少于4次", "TT2020-03-01 规范性文件发布后15日内报送备案"}
    files = {n.split("/")[1] for n in names}
    assert "照片_会场.jpg" in files  # ':' is not allowed on Windows
    assert {"备案报告.txt", "备案报告 (2).TXT"} <= files  # case-insensitive clash
    for i in infos:
        assert i.flag_bits & 0x800  # UTF-8 names
        ext = Path(i.filename).suffix.lower()
        assert i.compress_type == (zipfile.ZIP_STORED if ext in (".jpg", ".pdf", ".docx") else zipfile.ZIP_DEFLATED)


def test_missing_and_altered_evidence_are_reported(seeded, tmp_path):
    ev = seeded.store.data.evidence
    gone = hashlib.sha256(seeded.evidence[0][2]).hexdigest()
    changed = hashlib.sha256(seeded.evidence[3][2]).hexdigest()
    (ev / gone[:2] / gone).unlink()
    p = ev / changed[:2] / changed
    p.write_bytes(b"X" + p.read_bytes()[1:])  # same size, other content
    zpath = tmp_path / "out" / "包.zip"
    res, wb = _export(seeded, tmp_path, evidence_zip=zpath)
    assert res.missing == ("TT2020-01-01 学法通知.pdf",)
    assert res.altered == ("TT2020-03-01 备案报告.txt",)
    checks = {r[2]: r[7] for r in _rows(wb[SHEET_EVIDENCE])}
    assert checks["学法通知.pdf"] == "缺失" and checks["备案报告.txt"] == "已变更"
    assert checks["签到表.docx"] == "正常"
    with zipfile.ZipFile(zpath) as zf:
        names = zf.namelist()
        problems = f"营盘镇_2025_佐证材料/{PROBLEMS_FILE}"
        assert problems in names
        assert not any(n.endswith("学法通知.pdf") or n.endswith("/备案报告.txt") for n in names)
        assert "学法通知.pdf" in zf.read(problems).decode("utf-8")
    # Without the package the size check still finds the missing file (the altered one has the same size).
    _res2, wb2 = _export(seeded, tmp_path)
    checks2 = {r[2]: r[7] for r in _rows(wb2[SHEET_EVIDENCE])}
    assert checks2["学法通知.pdf"] == "缺失" and checks2["备案报告.txt"] == "正常"


class _CancelAfter(JobContext):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def check(self) -> None:
        self.n -= 1
        if self.n <= 0:
            self.cancel()
        super().check()


@pytest.mark.parametrize("after", [1, 3, 6, 12])
def test_cancel_leaves_no_file(seeded, tmp_path, after):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(Cancelled):
        export_report(_CancelAfter(after), seeded.store, YEAR, out_dir / "r.xlsx", out_dir / "r.zip", today=TODAY)
    assert list(out_dir.iterdir()) == []


def test_existing_report_untouched_on_failure(seeded, tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    out = d / "r.xlsx"
    out.write_bytes(b"old report")
    with pytest.raises(Cancelled):
        export_report(_CancelAfter(3), seeded.store, YEAR, out, today=TODAY)
    assert out.read_bytes() == b"old report"
    assert sorted(p.name for p in d.iterdir()) == ["r.xlsx"]


def test_refusals_are_chinese_and_name_the_place(seeded, tmp_path):
    with pytest.raises(UserError, match="应以 .xlsx 结尾"):
        export_report(JobContext(), seeded.store, YEAR, tmp_path / "r.txt")
    with pytest.raises(UserError, match="不存在"):
        export_report(JobContext(), seeded.store, YEAR, tmp_path / "nope" / "r.xlsx")
    with pytest.raises(UserError, match="是一个文件夹"):
        check_writable(tmp_path)
    target = tmp_path / "open.xlsx"
    target.write_bytes(b"x")
    msg = str(output_error(PermissionError(13, "denied"), target))
    assert "文件正被其他程序打开" in msg and str(target) in msg


def test_profile_required(small_store, tmp_path):
    with pytest.raises(UserError, match="尚未设置单位信息"):
        export_report(JobContext(), small_store, YEAR, tmp_path / "r.xlsx")
    assert not (tmp_path / "r.xlsx").exists()


def test_past_year_keeps_the_wording_it_was_assessed_under(seeded, tmp_path):
    """After a catalogue update, 2025's report shows the old wording; 2026's the new one."""
    from fazhi_desk.store.models import CatalogueVersion, ItemRevision, ItemRow

    st = seeded.store
    with st.transaction() as s:
        ver = CatalogueVersion(doc_code="TT2020", version="2.0", imported_at=dt.datetime(2026, 1, 2))
        s.add(ver)
        s.flush()
        row = s.get(ItemRow, "TT2020-01-01")
        old = s.get(ItemRevision, row.current_revision_id)
        new = ItemRevision(item_id=old.item_id, version_id=ver.id, chapter=old.chapter, article_no=old.article_no,
                           requirement="每年组织集中学法不少于6次", cycle=old.cycle, target=6, unit="次")
        s.add(new)
        s.flush()
        row.current_revision_id = new.id
    by_year = {}
    for year in (2025, 2026):
        data = load_report_data(st, year, TODAY)
        by_year[year] = next(r.requirement for r in data.rows if r.item_id == "TT2020-01-01")
    assert by_year == {2025: "每年组织集中学法不少于4次", 2026: "每年组织集中学法不少于6次"}
    # Its evidence rows carry the assessment-year wording too.
    data = load_report_data(st, 2025, TODAY)
    assert {e.requirement for e in data.evidence if e.item_id == "TT2020-01-01"} == {"每年组织集中学法不少于4次"}


def test_safe_names():
    assert safe_name('a<b>c:d"e/f\\g|h?i*j.pdf', 80) == "a_b_c_d_e_f_g_h_i_j.pdf"
    assert safe_name("CON.txt", 80) == "_CON.txt"
    assert safe_name("名字. ", 80) == "名字"
    long = safe_name("长" * 200 + ".docx", 80)
    assert len(long) == 80 and long.endswith(".docx")


def test_cli_report(seeded, tmp_path, capsys):
    from fazhi_desk.cli import run

    seeded.store.close()  # the CLI opens the store itself (one instance per data directory)
    out, z = tmp_path / "cli.xlsx", tmp_path / "cli.zip"
    code = run(["--data-dir", str(seeded.store.data.root), "report", "--year", str(YEAR), "--out", str(out),
                "--evidence-zip", str(z)])
    assert code == 0
    assert "2025年度报告已保存" in capsys.readouterr().out
    assert openpyxl.load_workbook(out).sheetnames[0] == SHEET_SUMMARY
    with zipfile.ZipFile(z) as zf:
        assert len(zf.namelist()) == 6  # five files and 目录.csv


def test_cli_report_bad_year_is_a_message(seeded, tmp_path, capsys):
    from fazhi_desk.cli import run

    seeded.store.close()
    code = run(["--data-dir", str(seeded.store.data.root), "report", "--year", "3000", "--out",
                str(tmp_path / "x.xlsx")])
    assert code == 1
    assert "年度“3000”无效" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_report_from_bundled_catalogues(store, tmp_path):
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.store.models import ItemRow

    with store.session() as s:
        n = len(list(s.scalars(select(ItemRow.item_id))))
    assert n > 0, "the bundled catalogues ship with the program: the store must hold their items"
    set_profile(store, office_name="测试镇", county="测试县")
    res = export_report(JobContext(), store, YEAR, tmp_path / "b.xlsx", today=TODAY)
    ck = openpyxl.load_workbook(tmp_path / "b.xlsx")[SHEET_CHECKLIST]
    assert ck.max_row - 1 == res.items > 0


def test_every_part_is_well_formed_and_streaming_readers_see_all_rows(seeded, tmp_path):
    """Excel refuses a workbook with one malformed part; read-only openpyxl (and pandas) trust <dimension>."""
    import xml.dom.minidom

    _export(seeded, tmp_path)
    out = tmp_path / "out" / "报告.xlsx"
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                xml.dom.minidom.parseString(z.read(name))  # raises on a malformed part
    full = openpyxl.load_workbook(out)
    streamed = openpyxl.load_workbook(out, read_only=True)
    for ws in full.worksheets:
        rows = sum(1 for _ in streamed[ws.title].iter_rows())
        assert rows == ws.max_row > 1, ws.title
