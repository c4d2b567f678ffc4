"""Workbooks from others that would abort or exhaust the process are refused, in Chinese, naming the file.

A cell at XFD1048576 makes python-calamine ask for 549,755,813,888 bytes and abort (SIGABRT): the
roll-up and the table draft are therefore run in a subprocess, so a failure shows as a dead child
instead of killing the test run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fazhi_desk.errors import UserError
from fazhi_desk.spreadsheets import MAX_CELLS, check_workbook

RUNNER = r"""
import sys
from pathlib import Path
from fazhi_desk.errors import UserError
kind, path = sys.argv[1], Path(sys.argv[2])
try:
    if kind == "rollup":
        from fazhi_desk.reports.rollup import read_office_report
        read_office_report(path)
    else:
        from fazhi_desk.catalogue.draft.table import draft_table
        draft_table(path, "XX2020", 2020)
except UserError as e:
    print("REFUSED:" + str(e))
    sys.exit(3)
print("READ")
"""


def _run(kind: str, path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-c", RUNNER, kind, str(path)], capture_output=True, text=True,
                          timeout=120, env=env)


def _table(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总数据"  # the roll-up reads this sheet (and aborted on it)
    ws.append(["序号", "考核内容", "评分标准", "分值"])
    ws.append([1, "每年组织集中学法不少于4次", "少一次扣1分", 4])
    wb.save(path)
    return path


def _far_cell(path: Path) -> Path:
    _table(path)
    wb = openpyxl.load_workbook(path)
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    return path


def _edit_sheet(src: Path, dst: Path, fn) -> Path:  # noqa: ANN001
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for zi in zin.infolist():
            data = zin.read(zi.filename)
            if zi.filename == "xl/worksheets/sheet1.xml":
                data = fn(data)
            zout.writestr(zi, data)
    return dst


def _declared_only(path: Path) -> Path:
    src = _table(path.with_name("plain-" + path.name))
    return _edit_sheet(src, path, lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d))


def _dtd(path: Path) -> Path:
    src = _table(path.with_name("plain-" + path.name))
    dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'

    def add(d: bytes) -> bytes:
        if d.startswith(b"<?xml"):
            end = d.index(b"?>") + 2
            return d[:end] + dtd + d[end:]
        return dtd + d

    return _edit_sheet(src, path, add)


def _bomb(path: Path) -> Path:
    src = _table(path.with_name("plain-" + path.name))
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for zi in zin.infolist():
            zout.writestr(zi, zin.read(zi.filename))
        zout.writestr("xl/sharedStrings2.xml", b"<sst>" + b" " * (64 << 20) + b"</sst>")
    return path


CASES = {
    "far cell": (_far_cell, "1,048,576"),
    "declared extent": (_declared_only, "声明的范围"),
    "dtd": (_dtd, "DTD"),
    "zip bomb": (_bomb, "恶意"),
}


@pytest.mark.parametrize("kind", ["rollup", "draft"])
@pytest.mark.parametrize("case", list(CASES))
def test_hostile_workbooks_are_refused_before_any_reader_sees_them(kind, case, tmp_path):
    make, words = CASES[case]
    path = make(tmp_path / f"单位报告-{case.replace(' ', '_')}.xlsx")
    assert path.stat().st_size < 2_000_000
    res = _run(kind, path)
    assert res.returncode == 3, (res.returncode, res.stdout[-500:], res.stderr[-1500:])
    msg = res.stdout
    assert "REFUSED:" in msg and path.name in msg and words in msg, msg
    assert "Traceback" not in res.stderr


def test_an_ordinary_report_workbook_passes_the_guard(tmp_path):
    p = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 3001):
        ws.append([f"TT-{r}", "事项内容" * 5, "已完成", r, None, "说明"])
    wb.save(p)
    check_workbook(p)  # no error
    assert 3000 * 6 < MAX_CELLS


def test_the_template_importer_uses_the_same_guard(tmp_path):
    from fazhi_desk.catalogue.excel_reader import read_template

    p = _far_cell(tmp_path / "目录模板.xlsx")
    with pytest.raises(UserError) as e:
        read_template(p)
    assert "目录模板.xlsx" in str(e.value) and "未导入" in str(e.value)


def test_a_far_cell_is_found_without_a_dimension(tmp_path):
    src = _far_cell(tmp_path / "src.xlsx")
    p = _edit_sheet(src, tmp_path / "无范围.xlsx", lambda d: re.sub(rb"<dimension [^>]*/>", b"", d))
    with pytest.raises(UserError) as e:
        check_workbook(p, "年度报告")
    assert "无范围.xlsx" in str(e.value) and "单元格远在数据之外" in str(e.value)


@pytest.mark.parametrize("spelling", [b"r = 'XFD1048576'", b'r="$XFD$1048576"', b"\n r\t=\"ZZ200000\""])
def test_a_far_cell_spelled_unusually_is_found(tmp_path, spelling):
    src = _far_cell(tmp_path / "src.xlsx")

    def respell(d: bytes) -> bytes:
        d = re.sub(rb"<dimension [^>]*/>", b"", d)
        return d.replace(b' r="XFD1048576"', b" " + spelling)

    p = _edit_sheet(src, tmp_path / "怪写法.xlsx", respell)
    with pytest.raises(UserError) as e:
        check_workbook(p)
    assert "怪写法.xlsx" in str(e.value)



def _ods(path: Path, rows_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="汇总数据">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>考核内容</text:p></table:table-cell></table:table-row>'
        + rows_xml + "</table:table></office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml",
                   '<?xml version="1.0"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                   '<manifest:file-entry manifest:full-path="/" '
                   'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                   '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                   "</manifest:manifest>")
        z.writestr("content.xml", content)
    return path


def test_an_ods_with_content_after_a_million_repeated_rows_is_refused(tmp_path):
    far = ('<table:table-row table:number-rows-repeated="1048570"><table:table-cell '
           'table:number-columns-repeated="16000"/></table:table-row>'
           '<table:table-row><table:table-cell table:number-columns-repeated="16000"/>'
           '<table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell></table:table-row>')
    p = _ods(tmp_path / "远处.ods", far)
    for kind in ("rollup", "draft"):
        res = _run(kind, p)
        assert res.returncode == 3 and "远处.ods" in res.stdout and "远在数据之外" in res.stdout, res.stdout + res.stderr
    # LibreOffice's own trailing padding (empty repeated rows and cells) is no extent
    pad = ('<table:table-row><table:table-cell office:value-type="float"><text:p>1</text:p></table:table-cell>'
           '<table:table-cell table:number-columns-repeated="1022"/></table:table-row>'
           '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
           'table:number-columns-repeated="1024"/></table:table-row>')
    check_workbook(_ods(tmp_path / "正常.ods", pad))


def test_an_xls_with_a_far_cell_is_refused_and_an_ordinary_one_passes(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("汇总数据")
    ws.write(0, 0, "序号")
    ws.write(65535, 255, "far")  # 5 KB; calamine allocates 16.7 million cells (about 1 GB) to read it
    far = tmp_path / "远处.xls"
    wb.save(str(far))
    for kind in ("rollup", "draft"):
        res = _run(kind, far)
        assert res.returncode == 3 and "远处.xls" in res.stdout and "远在数据之外" in res.stdout, res.stdout + res.stderr
    wb = xlwt.Workbook()
    ws = wb.add_sheet("考核细则")
    for r in range(2000):
        for c in range(6):
            ws.write(r, c, f"内容{r}-{c}")
    ok = tmp_path / "正常.xls"
    wb.save(str(ok))
    check_workbook(ok)
