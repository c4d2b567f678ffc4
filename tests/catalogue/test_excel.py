"""The Excel catalogue template: round trip, layout, and every kind of bad input refused with its place."""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fazhi_desk.catalogue.excel import ITEM_COLUMNS, write_template
from fazhi_desk.catalogue.excel_reader import parse_date_text, read_template
from fazhi_desk.catalogue.reader import read_catalogue_file
from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.domain.model import Cycle, TownshipRole
from fazhi_desk.errors import UserError
from tests.conftest import make_catalogue

COL = {c.header: i + 1 for i, c in enumerate(ITEM_COLUMNS)}


def catalogues():
    a = make_catalogue()
    items = list(a.items)
    # Text that would become a formula, a range target, a fractional target, notes and a source text name.
    items[0] = dataclasses.replace(items[0], requirement="=每年组织学法", source_passage="  原文保留空格 ")
    items[1] = dataclasses.replace(items[1], target=1.0, target_max=2.0, unit="件")
    items[2] = dataclasses.replace(items[2], target=0.5, unit="万元")
    items[4] = dataclasses.replace(items[4], township_role=TownshipRole.TAKE_PART)  # 各镇办 take part
    doc = dataclasses.replace(a.document, notes=("修正了第 3 条的错字", "删去重复段落"), source_text="TT2020.txt",
                              term_start=2020, term_end=2023)
    a = dataclasses.replace(a, document=doc, items=tuple(items))
    b = make_catalogue("AB2021", "2.1", 2021)
    return [a, b]


@pytest.fixture
def template(tmp_path) -> Path:
    p = tmp_path / "目录.xlsx"
    write_template(catalogues(), p)
    return p


def edit(path: Path, sheet: str, changes: dict[str, object]) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for ref, value in changes.items():
        ws[ref] = value
    wb.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(UserError) as e:
        read_catalogue_file(path)
    return [str(p) for p in e.value.problems] or [e.value.message]


def col(header: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(COL[header])


# ---------------------------------------------------------------- round trip and layout


def test_round_trip_gives_equal_catalogues(template):
    assert read_template(template) == catalogues()


def test_empty_template_has_headers_and_no_rows(tmp_path):
    p = write_template([], tmp_path / "空白.xlsx")
    wb = openpyxl.load_workbook(p)
    assert [c.value for c in wb["检查事项"][1]][: len(ITEM_COLUMNS)] == [c.header for c in ITEM_COLUMNS]
    assert wb["检查事项"].max_row == 1
    assert "没有任何来源文件" in "\n".join(problems_of(p))


def test_layout_frozen_header_validations_real_dates_numbers(template):
    wb = openpyxl.load_workbook(template)
    ws = wb["检查事项"]
    assert ws.freeze_panes == "B2"
    assert ws["A1"].font.b
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"一次性,每年,每两年,按事件,持续"' in lists and '"是,否"' in lists
    assert isinstance(ws[f"{col('截止日期')}3"].value, dt.datetime)  # a real date, not text
    assert ws[f"{col('条')}2"].value == 1 and ws[f"{col('条')}2"].data_type == "n"
    assert ws[f"{col('事项内容')}2"].data_type == "s"  # "=…" stays text
    assert ws.column_dimensions[col("事项内容")].width >= 20  # wide enough for Chinese text
    doc_ws = wb["来源文件"]
    assert isinstance(doc_ws["E2"].value, dt.datetime)
    assert doc_ws["F2"].value == "1.0"


def test_write_replaces_existing_file_whole_and_leaves_no_temp(tmp_path):
    p = tmp_path / "out.xlsx"
    p.write_bytes(b"old")
    write_template(catalogues(), p)
    assert read_template(p) == catalogues()
    assert [x.name for x in tmp_path.iterdir()] == ["out.xlsx"]


def test_columns_found_by_header_in_any_order_and_extra_columns_ignored(template):
    wb = openpyxl.load_workbook(template)
    ws = wb["检查事项"]
    ws.move_range(f"A1:A{ws.max_row}", cols=ws.max_column + 1)  # 编号 moved to the far right
    ws.cell(row=1, column=ws.max_column + 1, value="备注")
    ws.cell(row=2, column=ws.max_column, value="县里的备注")
    wb.save(template)
    assert read_template(template) == catalogues()


def test_json_catalogue_is_read_too(tmp_path):
    p = tmp_path / "TT2020.json"
    p.write_text(dump_catalogue_json(make_catalogue()), "utf-8")
    assert read_catalogue_file(p) == [make_catalogue()]


@pytest.mark.parametrize(
    "text, date",
    [("2025-12-31", dt.date(2025, 12, 31)), ("2025年12月31日", dt.date(2025, 12, 31)),
     ("2025/6/1", dt.date(2025, 6, 1)), ("2025.06.01", dt.date(2025, 6, 1)), ("20250601", dt.date(2025, 6, 1)),
     ("2022年年底前", dt.date(2022, 12, 31)), ("2025年12月31日 ", dt.date(2025, 12, 31))],
)
def test_text_dates_accepted_when_unambiguous(text, date):
    assert parse_date_text(text) == date


@pytest.mark.parametrize("text", ["2025-02-30", "12/31/2025", "明年", "2025-13-01", "25-1-1"])
def test_impossible_or_ambiguous_text_dates_refused(text):
    with pytest.raises(ValueError):
        parse_date_text(text)


def test_text_date_in_cell_is_accepted(template):
    edit(template, "检查事项", {f"{col('截止日期')}2": "2025年12月31日"})
    cats = read_template(template)
    assert cats[0].items[0].deadline == dt.date(2025, 12, 31)


# ---------------------------------------------------------------- bad input, one case each


def test_not_an_xlsx(tmp_path):
    p = tmp_path / "目录.xlsx"
    p.write_text("这不是表格", "utf-8")
    assert "既不是 Excel 工作簿" in problems_of(p)[0]


def _cfb(stream_names: list[str]) -> bytes:
    """A minimal OLE compound file: header sector and one directory sector naming the streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1C] = struct.pack("<HH", 0x3E, 3)
    header[0x1C:0x20] = struct.pack("<HH", 0xFFFE, 9)
    directory = bytearray()
    for name in ["Root Entry", *stream_names]:
        raw = name.encode("utf-16-le") + b"\0\0"
        entry = bytearray(128)
        entry[: len(raw)] = raw
        entry[64:66] = struct.pack("<H", len(raw))
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes(512 - len(directory) % 512) if len(directory) % 512 else b""
    return bytes(header) + bytes(directory)


def test_old_xls_says_save_as_xlsx(tmp_path):
    p = tmp_path / "目录.xls"
    p.write_bytes(_cfb(["Workbook", "\x05SummaryInformation"]))
    msg = problems_of(p)[0]
    assert ".xls" in msg and "另存为" in msg and ".xlsx" in msg


def test_password_protected_workbook(tmp_path):
    p = tmp_path / "目录.xlsx"
    p.write_bytes(_cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]))
    assert "工作簿设置了密码\uff0c请取消密码后另存" in problems_of(p)[0]


def test_file_over_50_mb(tmp_path):
    p = tmp_path / "大.xlsx"
    with p.open("wb") as f:
        f.truncate(51 * 1024 * 1024)
    assert "超过 50 MB" in problems_of(p)[0]


def test_missing_sheet(template):
    wb = openpyxl.load_workbook(template)
    del wb["检查事项"]
    wb.save(template)
    assert any("缺少工作表“检查事项”" in m for m in problems_of(template))


def test_missing_column(template):
    wb = openpyxl.load_workbook(template)
    wb["检查事项"].delete_cols(COL["周期"])
    wb.save(template)
    msgs = problems_of(template)
    assert any("缺少列" in m and "“周期”" in m for m in msgs)


def test_term_and_township_role_round_trip(template):
    a = read_template(template)[0]
    assert (a.document.term_start, a.document.term_end) == (2020, 2023)
    roles = [i.township_role for i in a.items]
    assert roles == [TownshipRole.LEAD, TownshipRole.LEAD, TownshipRole.LEAD, TownshipRole.INFO,
                     TownshipRole.TAKE_PART]
    ws = openpyxl.load_workbook(template)["来源文件"]
    assert [c.value for c in ws[1]][-2:] == ["施行起始年份", "施行截止年份"]


def test_template_without_role_column_takes_the_role_from_applies(template):
    wb = openpyxl.load_workbook(template)
    wb["检查事项"].delete_cols(COL["乡镇角色"])
    wb.save(template)
    roles = [i.township_role for i in read_template(template)[0].items]
    assert roles == [TownshipRole.LEAD] * 3 + [TownshipRole.INFO, TownshipRole.LEAD]


def test_bad_township_role_and_term(template):
    edit(template, "检查事项", {f"{col('乡镇角色')}2": "主办", f"{col('乡镇角色')}3": "仅供了解"})
    from openpyxl.utils import get_column_letter

    end_col = get_column_letter(10)
    edit(template, "来源文件", {f"{end_col}2": 2019})
    msgs = problems_of(template)
    assert any(f"第 2 行 {end_col} 列“施行截止年份”" in m and "早于起始年份" in m for m in msgs), msgs
    assert any(f"第 2 行 {col('乡镇角色')} 列“乡镇角色”" in m and "主办" in m for m in msgs), msgs
    assert any(f"第 3 行 {col('乡镇角色')} 列“乡镇角色”" in m and "矛盾" in m for m in msgs), msgs


def test_empty_item_id(template):
    edit(template, "检查事项", {"A3": None})
    assert problems_of(template) == ["工作表“检查事项”第 3 行 A 列“编号”\uff1a不能为空\uff0c请填写编号"]


def test_duplicated_item_id(template):
    edit(template, "检查事项", {"A4": "TT2020-01-01"})
    assert problems_of(template) == ["工作表“检查事项”第 4 行 A 列“编号”\uff1a编号“TT2020-01-01”与第 2 行重复"]


def test_unknown_document_code(template):
    edit(template, "检查事项", {"B3": "XX2020", "A3": "XX2020-01-02"})
    msgs = problems_of(template)
    assert msgs == ["工作表“检查事项”第 3 行 B 列“文件代码”\uff1a文件代码“XX2020”不在“来源文件”工作表中\uff0c请先在该表添加此来源文件"]


def test_cycle_outside_allowed_words(template):
    edit(template, "检查事项", {f"{col('周期')}2": "每月"})
    msgs = problems_of(template)
    assert len(msgs) == 1 and f"第 2 行 {col('周期')} 列“周期”" in msgs[0] and "每月" in msgs[0]


@pytest.mark.parametrize("value", [-3, 0, "很多", "2~1"])
def test_target_not_a_positive_number(template, value):
    edit(template, "检查事项", {f"{col('目标值')}2": value})
    msgs = problems_of(template)
    assert len(msgs) == 1 and "“目标值”" in msgs[0] and "应为正数" in msgs[0]


def test_impossible_date(template):
    edit(template, "检查事项", {f"{col('截止日期')}3": "2025-02-30"})
    msgs = problems_of(template)
    assert len(msgs) == 1 and "第 3 行" in msgs[0] and "“2025-02-30”不是有效日期" in msgs[0]


def test_impossible_document_date(template):
    edit(template, "来源文件", {"E2": "2025年2月30日"})
    msgs = problems_of(template)
    assert msgs and msgs[0].startswith("工作表“来源文件”第 2 行 E 列“发布日期”") and len(msgs) == 1


def test_formula_where_text_is_expected(template):
    edit(template, "检查事项", {f"{col('事项内容')}3": '=CONCAT("每年","学法")'})
    msgs = problems_of(template)
    assert len(msgs) == 1 and "是公式" in msgs[0] and "第 3 行" in msgs[0]


def test_cell_over_5000_characters(template):
    edit(template, "检查事项", {f"{col('原文')}2": "法" * 5001})
    msgs = problems_of(template)
    assert len(msgs) == 1 and "超过 5000 个字符" in msgs[0]


def test_bad_applies_and_article(template):
    edit(template, "检查事项", {f"{col('适用乡镇')}2": "也许", f"{col('条')}3": "第四条"})
    msgs = problems_of(template)
    assert len(msgs) == 2 and "“也许”应为“是”或“否”" in msgs[0] and "应为非负整数" in msgs[1]


def test_bad_version(template):
    edit(template, "来源文件", {"F2": "第二版"})
    msgs = problems_of(template)
    assert len(msgs) == 1 and "F 列“版本”" in msgs[0]


def test_all_problems_of_a_file_listed_at_once_in_order(template):
    edit(template, "检查事项", {
        f"{col('周期')}2": "每月", f"{col('目标值')}3": -1, f"{col('截止日期')}4": "2025-02-30",
        "A5": None, f"{col('事项内容')}6": "=A1",
    })
    edit(template, "来源文件", {"F3": "x"})
    msgs = problems_of(template)
    assert len(msgs) == 6
    assert msgs[0].startswith("工作表“来源文件”第 3 行")
    rows = [int(m.split("第 ")[1].split(" 行")[0]) for m in msgs[1:]]
    assert rows == [2, 3, 4, 5, 6]


def _with_sheet_xml(template: Path, out: Path, transform) -> Path:
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = transform(data)
            zout.writestr(info, data)
    return out


ENTITY_DOCTYPE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                  b'<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n')


def _inject(data: bytes) -> bytes:
    body = data.split(b"?>", 1)[1].lstrip() if data.startswith(b"<?xml") else data
    return ENTITY_DOCTYPE + body


def test_xml_entities_inside_xlsx_refused(template, tmp_path):
    bad = _with_sheet_xml(template, tmp_path / "bomb.xlsx", _inject)
    msg = problems_of(bad)[0]
    assert "DTD/实体声明" in msg and "未导入" in msg


def test_defusedxml_guards_even_without_the_prescan(template, tmp_path, monkeypatch):
    """The second line of defence: the sheet parser itself refuses any DTD (as defusedxml does for openpyxl)."""
    import fazhi_desk.catalogue.excel_reader as excel

    bad = _with_sheet_xml(template, tmp_path / "bomb.xlsx", _inject)
    monkeypatch.setattr(excel, "check_xlsx_container", lambda path: None)
    with pytest.raises(UserError) as e:
        read_template(bad)
    assert "不安全的 XML" in e.value.message


def test_corrupt_zip(template, tmp_path):
    p = tmp_path / "坏.xlsx"
    p.write_bytes(template.read_bytes()[:2000])
    assert "已损坏" in problems_of(p)[0]


def test_cycle_values_all_round_trip(tmp_path):
    base = make_catalogue()
    items = tuple(dataclasses.replace(i, cycle=c) for i, c in zip(base.items, Cycle))
    cat = dataclasses.replace(base, items=items)
    assert read_template(write_template([cat], tmp_path / "c.xlsx")) == [cat]


def _to_shared_strings(src: Path, out: Path) -> Path:
    """Rewrite an openpyxl-written xlsx the way Excel saves it: strings in xl/sharedStrings.xml, one with
    rich-text runs and a phonetic guide (which is not part of the value)."""
    import re
    from xml.sax.saxutils import escape

    table: list[str] = []
    index: dict[str, int] = {}

    def shared(m: re.Match) -> str:
        from html import unescape  # numeric references too: openpyxl with lxml writes CJK as &#25991;

        text = unescape(m.group(3))
        if text not in index:
            index[text] = len(table)
            table.append(text)
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{index[text]}</v></c>'

    pattern = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = pattern.sub(shared, data.decode()).encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")
            zout.writestr(info, data)
        sis = []
        for text in table:
            if len(text) > 2 and not text.startswith(" "):
                a, b = text[:2], text[2:]
                sis.append(f'<si><r><t>{escape(a)}</t></r><r><rPr><b/></rPr><t xml:space="preserve">{escape(b)}</t></r>'
                           f'<rPh sb="0" eb="1"><t>ピン</t></rPh></si>')
            else:
                sis.append(f'<si><t xml:space="preserve">{escape(text)}</t></si>')
        zout.writestr("xl/sharedStrings.xml",
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats'
                      f'.org/spreadsheetml/2006/main" count="{len(table)}" uniqueCount="{len(table)}">{"".join(sis)}</sst>')
    return out


def test_workbook_saved_with_shared_strings_and_rich_text_reads_the_same(template, tmp_path):
    excel_like = _to_shared_strings(template, tmp_path / "excel.xlsx")
    with zipfile.ZipFile(excel_like) as z:
        assert b'inlineStr' not in z.read("xl/worksheets/sheet2.xml")
    assert read_template(excel_like) == catalogues()
    wb = openpyxl.load_workbook(excel_like)  # a valid workbook for openpyxl too
    assert wb["检查事项"]["A2"].value == "TT2020-01-01"


def test_help_sheet_and_bundled_notes_speak_plain_chinese(tmp_path):
    """A county clerk reads 填写说明 and the 说明 cells: no field names, no true/false, no example id already taken."""
    import re

    from fazhi_desk.catalogue.schema import ITEM_ID_RE
    from fazhi_desk.services.catalogue import installed_catalogues
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.paths import DataDir

    store = open_workspace(DataDir(tmp_path / "d").ensure())
    try:
        with store.session() as s:
            bundled = installed_catalogues(s)
        p = tmp_path / "模板.xlsx"
        write_template(bundled, p)
    finally:
        store.close()
    wb = openpyxl.load_workbook(p)
    help_text = "\n".join(str(r[0]) for r in wb["填写说明"].iter_rows(values_only=True) if r[0])
    notes_col = [c.value for c in wb["来源文件"][1]].index("说明") + 1
    notes = "\n".join(str(r[notes_col - 1]) for r in wb["来源文件"].iter_rows(min_row=2, values_only=True) if r[notes_col - 1])
    english = re.compile(r"\b(true|false|[a-z]+_[a-z_]+|title|notes)\b")
    assert not english.findall(help_text), english.findall(help_text)
    assert not english.findall(notes), english.findall(notes)
    from fazhi_desk.catalogue.excel import DOC_COLUMNS

    for col_header in [c.header for c in (*DOC_COLUMNS, *ITEM_COLUMNS)]:
        assert col_header in help_text, col_header  # every column is explained
    taken = {i.item_id for c in bundled for i in c.items}
    examples = set(re.findall(r"[A-Z][A-Z0-9]+-\d+-\d+", help_text))
    new_example = re.search(r"新增事项[^。]*?([A-Z][A-Z0-9]+-\d+-\d+)", help_text).group(1)
    assert ITEM_ID_RE.match(new_example) and new_example not in taken, new_example
    assert examples


def test_the_help_sheet_prints_within_the_width_of_an_a4_page(template):
    """The 填写说明 lines ran past the page's right edge when printed (seen in a LibreOffice render)."""
    ws = openpyxl.load_workbook(template)["填写说明"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # A4 landscape
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert all(c.alignment.wrap_text for (c,) in ws.iter_rows(min_col=1, max_col=1))
    # a long line gets the height of its wrapped lines (LibreOffice shows only one line otherwise)
    longest = max(ws.iter_rows(min_col=1, max_col=1), key=lambda r: len(str(r[0].value or "")))[0]
    assert ws.row_dimensions[longest.row].height and ws.row_dimensions[longest.row].height >= 30
