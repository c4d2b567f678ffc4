"""Statistics indicators a catalogue defines: the diff counts them, an import installs them, the JSON and the
Excel template refuse the same mistakes, and the template's 统计指标 sheet round-trips."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from fazhi_desk.catalogue.diff import diff, format_diff
from fazhi_desk.catalogue.schema import catalogue_to_dict, dump_catalogue_json
from fazhi_desk.cli import run as cli_run
from fazhi_desk.domain.statistics import Indicator
from fazhi_desk.errors import UserError
from fazhi_desk.services.catalogue import apply_import, installed_catalogues, preview_import
from fazhi_desk.services.statistics import indicators
from tests.conftest import dump_db as dump, make_catalogue

CODE = "TT2020"


def permits(**kw) -> Indicator:
    base = Indicator("TT_PERMITS", "办理件数", "件", "行政许可", (f"{CODE}-01-01", f"{CODE}-03-01"), "", CODE)
    return dataclasses.replace(base, **kw)


def study(**kw) -> Indicator:
    base = Indicator("TT_STUDY", "集中学法次数", "次", "学法", (f"{CODE}-01-01",), f"{CODE}-01-01", CODE)
    return dataclasses.replace(base, **kw)


def hearings(**kw) -> Indicator:
    base = Indicator("TT_HEARINGS", "听证次数", "次", "重大行政决策", (), "", CODE)
    return dataclasses.replace(base, **kw)


def with_indicators(*inds: Indicator, version: str = "1.0"):
    return dataclasses.replace(make_catalogue(version=version), indicators=tuple(inds))


def write_json(path: Path, cat) -> Path:
    path.write_text(dump_catalogue_json(cat), "utf-8")
    return path


def installed(store):
    with store.session() as s:
        return {c.document.code: c for c in installed_catalogues(s)}


def listed(store) -> dict[str, Indicator]:
    with store.session() as s:
        return {i.code: i for i in indicators(s) if i.source != "内置"}


# ---------------------------------------------------------------- the diff


def test_diff_counts_indicators_added_changed_removed():
    old = with_indicators(permits(), study())
    new = with_indicators(permits(unit="宗", items=(f"{CODE}-01-01",)), hearings())
    d = diff([old], [new])
    assert not d.is_empty
    doc = d.documents[0]
    assert [i.code for i in doc.indicators_added] == ["TT_HEARINGS"]
    assert [i.code for i in doc.indicators_removed] == ["TT_STUDY"]
    assert [(c.code, c.fields) for c in doc.indicators_changed] == [("TT_PERMITS", ("unit", "items"))]
    assert doc.changes_without_new_version
    lines = format_diff(d)
    assert "  统计指标:新增 1 项,修改 1 项,删除 1 项" in lines
    assert any(ln.startswith("  + 新增统计指标 TT_HEARINGS 重大行政决策·听证次数") for ln in lines)
    assert any(ln.startswith("  - 删除统计指标 TT_STUDY 学法·集中学法次数") for ln in lines)
    assert "  ~ 修改统计指标 TT_PERMITS 行政许可·办理件数(件)" in lines
    assert "      计量单位:件 → 宗" in lines
    assert f"      证明事项:{CODE}-01-01、{CODE}-03-01 → {CODE}-01-01" in lines
    assert "内容有变化,但版本号仍是 1.0" in "\n".join(lines)


def test_diff_of_equal_indicators_is_empty_and_a_new_document_lists_them():
    assert diff([with_indicators(permits())], [with_indicators(permits())]).is_empty
    new = diff([], [with_indicators(permits(), study())])
    assert [i.code for i in new.documents[0].indicators_added] == ["TT_PERMITS", "TT_STUDY"]
    text = "\n".join(format_diff(new))
    assert "统计指标 2 项" in text and "+ 新增统计指标 TT_STUDY" in text


# ---------------------------------------------------------------- importing


def test_installed_catalogue_carries_its_indicators(small_store, tmp_path):
    apply_import(small_store, preview_import(small_store, write_json(tmp_path / "v.json",
                                                                      with_indicators(permits(), study(), version="1.1"))))
    assert installed(small_store)[CODE].indicators == (permits(), study())


def test_indicator_only_change_under_a_new_version_is_imported(small_store, tmp_path):
    apply_import(small_store, preview_import(small_store, write_json(tmp_path / "v1.json",
                                                                      with_indicators(permits(), version="1.1"))))
    v2 = write_json(tmp_path / "v2.json", with_indicators(permits(name="受理件数"), study(), version="1.2"))
    preview = preview_import(small_store, v2)
    assert not preview.is_empty
    assert any("统计指标:新增 1 项,修改 1 项,删除 0 项" in ln for ln in preview.lines())
    result = apply_import(small_store, preview)
    assert result.changed and "统计指标" in result.summary
    got = listed(small_store)
    assert got["TT_PERMITS"].name == "受理件数" and "TT_STUDY" in got
    assert installed(small_store)[CODE].document.version == "1.2"


def test_indicator_only_change_under_the_same_version_warns_and_is_imported(small_store, tmp_path):
    """The installed catalogue (1.0, no indicators) and a file adding two indicators, still 1.0."""
    p = write_json(tmp_path / "same-version.json", with_indicators(permits(), study()))
    preview = preview_import(small_store, p)
    assert not preview.is_empty
    dd = preview.diff.documents[0]
    assert dd.changes_without_new_version
    assert any("内容有变化,但版本号仍是 1.0" in ln for ln in preview.lines())
    apply_import(small_store, preview)
    assert set(listed(small_store)) == {"TT_PERMITS", "TT_STUDY"}
    # importing the same file again is now a no-op
    again = preview_import(small_store, p)
    assert again.is_empty
    before = dump(small_store)
    assert not apply_import(small_store, again).changed
    assert dump(small_store) == before


def test_removing_every_indicator_is_a_change(small_store, tmp_path):
    apply_import(small_store, preview_import(small_store, write_json(tmp_path / "v1.json",
                                                                      with_indicators(permits(), version="1.1"))))
    preview = preview_import(small_store, write_json(tmp_path / "v2.json", with_indicators(version="1.2")))
    assert [i.code for i in preview.diff.documents[0].indicators_removed] == ["TT_PERMITS"]
    apply_import(small_store, preview)
    assert listed(small_store) == {}


def test_cli_import_of_indicator_only_change_installs_them(tmp_path, capsys):
    data = str(tmp_path / "cli")
    assert cli_run(["--data-dir", data, "catalogue", "import", str(write_json(tmp_path / "v1.json", make_catalogue()))]) == 0
    capsys.readouterr()
    v2 = write_json(tmp_path / "v2.json", with_indicators(permits(), version="1.1"))
    assert cli_run(["--data-dir", data, "catalogue", "import", str(v2)]) == 0
    out = capsys.readouterr().out
    assert "没有变化" not in out and "统计指标:新增 1 项,修改 0 项,删除 0 项" in out and "已导入" in out
    assert cli_run(["--data-dir", data, "stats", "--year", "2025"]) == 0
    assert "TT_PERMITS\t行政许可·办理件数" in capsys.readouterr().out


# ---------------------------------------------------------------- the JSON rules


def _json_problems(tmp_path, indicators_raw) -> list[str]:
    data = catalogue_to_dict(make_catalogue())
    data["indicators"] = indicators_raw
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    from fazhi_desk.catalogue.reader import read_catalogue_file

    with pytest.raises(UserError) as e:
        read_catalogue_file(p)
    return [str(x) for x in e.value.problems]


def test_json_catalogue_may_not_redefine_a_default_indicator(tmp_path):
    """Before, the indicator was accepted and then silently dropped on install."""
    msgs = _json_problems(tmp_path, [{"code": "MEDIATION", "name": "调解件数", "unit": "件", "items": []}])
    assert len(msgs) == 1 and msgs[0].startswith("indicators[0].code")
    assert "程序内置" in msgs[0] and "人民调解" in msgs[0] and "请换一个编码" in msgs[0]


def test_json_duplicate_code_names_the_first_and_an_empty_code_is_not_a_duplicate(tmp_path):
    msgs = _json_problems(tmp_path, [
        {"code": "TT_A", "name": "甲"}, {"code": "TT_A", "name": "乙"}, {"code": "", "name": "丙"},
        {"code": "", "name": "丁"},
    ])
    assert msgs == [
        "indicators[1].code\uff1a指标编码“TT_A”与 indicators[0] 重复\uff0c请换一个编码",
        "indicators[2].code\uff1a不能为空",
        "indicators[3].code\uff1a不能为空",
    ]


# ---------------------------------------------------------------- the Excel template's 统计指标 sheet


def two_catalogues():
    """TT2020 with two indicators (one linked), AB2021 with one; both as a county would send them in JSON."""
    a = with_indicators(permits(), study())
    b = dataclasses.replace(make_catalogue("AB2021", "2.1", 2021), indicators=(
        Indicator("AB_HEARINGS", "听证次数", "", "", ("AB2021-02-01",), "", "AB2021"),))
    return [a, b]


def test_json_with_indicators_to_template_and_back_is_the_same_catalogue(tmp_path):
    from fazhi_desk.catalogue.excel import write_template
    from fazhi_desk.catalogue.excel_reader import read_template
    from fazhi_desk.catalogue.schema import load_catalogue_json

    cats = [load_catalogue_json(write_json(tmp_path / f"{c.document.code}.json", c)) for c in two_catalogues()]
    assert cats == two_catalogues()
    p = write_template(cats, tmp_path / "模板.xlsx")
    back = read_template(p)
    assert back == cats and back[0].indicators == (permits(), study())
    import openpyxl

    ws = openpyxl.load_workbook(p)["统计指标"]
    assert [c.value for c in ws[1]] == ["指标编码", "文件代码", "类别", "指标名称", "计量单位", "证明事项", "关联事项"]
    assert [c.value for c in ws[2]] == ["TT_PERMITS", CODE, "行政许可", "办理件数", "件", f"{CODE}-01-01、{CODE}-03-01",
                                       None]
    assert [c.value for c in ws[4]][:2] == ["AB_HEARINGS", "AB2021"] and ws.max_row == 4
    assert ws["A1"].font.b and ws.freeze_panes == "B2"
    assert openpyxl.load_workbook(p).sheetnames == ["来源文件", "检查事项", "统计指标", "填写说明"]


def test_exported_template_imports_its_indicators_into_a_store(tmp_path, capsys):
    """JSON → store → `catalogue export` → a fresh store imports the .xlsx → `stats` lists the indicators."""
    a = tmp_path / "a"
    for c in two_catalogues():
        assert cli_run(["--data-dir", str(a), "catalogue", "import", str(write_json(tmp_path / "in.json", c))]) == 0
    out = tmp_path / "导出.xlsx"
    assert cli_run(["--data-dir", str(a), "catalogue", "export", str(out)]) == 0
    capsys.readouterr()
    b = tmp_path / "b"
    assert cli_run(["--data-dir", str(b), "catalogue", "import", str(out), "--binds"]) == 0
    text = capsys.readouterr().out
    assert "统计指标 2 项" in text and "+ 新增统计指标 TT_STUDY 学法·集中学法次数(次)" in text
    assert cli_run(["--data-dir", str(b), "stats", "--year", "2025", "TT_STUDY=5"]) == 0
    stats = capsys.readouterr().out
    assert "TT_PERMITS\t行政许可·办理件数" in stats and "AB_HEARINGS\t·听证次数" not in stats
    assert "AB_HEARINGS\t听证次数" in stats
    assert f"TT_STUDY\t学法·集中学法次数\t5次\t(即 {CODE}-01-01 的实际值)" in stats
    # the store reads back the same catalogues the JSON files held
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.paths import DataDir

    store = open_workspace(DataDir(b).ensure())
    try:
        got = installed(store)
        assert [got[c.document.code] for c in two_catalogues()] == two_catalogues()
        # and importing the export again changes nothing
        assert preview_import(store, out).is_empty
    finally:
        store.close()


def test_an_older_template_without_the_sheet_still_reads(tmp_path):
    import openpyxl

    from fazhi_desk.catalogue.excel import write_template
    from fazhi_desk.catalogue.excel_reader import read_template

    p = write_template(two_catalogues(), tmp_path / "旧模板.xlsx")
    wb = openpyxl.load_workbook(p)
    del wb["统计指标"]
    wb.save(p)
    assert read_template(p) == [dataclasses.replace(c, indicators=()) for c in two_catalogues()]


@pytest.mark.parametrize("cell, ids", [
    (f"{CODE}-01-01、{CODE}-03-01", (f"{CODE}-01-01", f"{CODE}-03-01")),
    (f"{CODE}-01-01,{CODE}-03-01", (f"{CODE}-01-01", f"{CODE}-03-01")),
    (f"{CODE}-01-01, {CODE}-03-01", (f"{CODE}-01-01", f"{CODE}-03-01")),
    (f"{CODE}-01-01\n{CODE}-03-01\n", (f"{CODE}-01-01", f"{CODE}-03-01")),
    ("", ()),
])
def test_proved_items_separated_by_either_comma_or_new_lines(tmp_path, cell, ids):
    from fazhi_desk.catalogue.excel import write_template
    from fazhi_desk.catalogue.excel_reader import read_template

    p = write_template(two_catalogues(), tmp_path / "t.xlsx")
    _edit(p, {"F2": cell or None})
    assert read_template(p)[0].indicators[0].items == ids


def _edit(path: Path, changes: dict[str, object]) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for ref, value in changes.items():
        wb["统计指标"][ref] = value
    wb.save(path)
    return path


def _excel_problems(path: Path) -> tuple[str, list[str]]:
    from fazhi_desk.catalogue.reader import read_catalogue_file

    with pytest.raises(UserError) as e:
        read_catalogue_file(path)
    return e.value.message, [str(x) for x in e.value.problems]


def test_every_mistake_in_the_sheet_is_named_with_its_place_and_what_to_do(tmp_path):
    from fazhi_desk.catalogue.excel import write_template

    p = write_template(two_catalogues(), tmp_path / "县里的目录.xlsx")
    _edit(p, {
        "A2": "tt permits",                         # bad code
        "A3": "AB_HEARINGS",                        # the same code as row 4 (another document)
        "F2": f"{CODE}-01-01、{CODE}-77-01",         # an item that is not in TT2020
        "G3": "AB2021-01-01",                       # linked to another document's item
        "D4": None,                                 # no 指标名称
        "A5": "MEDIATION", "B5": CODE, "D5": "调解件数",  # a default indicator's code
        "A6": "ZZ_OTHER", "B6": "ZZ2030", "D6": "其他",   # a document not in 来源文件
    })
    headline, msgs = _excel_problems(p)
    assert headline.startswith("文件“县里的目录.xlsx”有错误\uff0c未导入。请改正后重新导入")
    assert msgs == [
        "工作表“统计指标”第 2 行 A 列“指标编码”\uff1a指标编码“tt permits”应为大写字母开头的大写字母、数字或下划线"
        "\uff082 到 40 个字符\uff0c如 TT2020_PERMITS\uff09\uff0c请改正",
        f"工作表“统计指标”第 2 行 F 列“证明事项”\uff1a事项“{CODE}-77-01”不是本目录\uff08文件代码 {CODE}\uff09的检查事项\uff0c请核对编号",
        f"工作表“统计指标”第 3 行 G 列“关联事项”\uff1a事项“AB2021-01-01”不是本目录\uff08文件代码 {CODE}\uff09的检查事项\uff0c"
        "请核对编号\uff08关联事项的实际值就是这个指标的数值\uff1b没有可留空\uff09",
        "工作表“统计指标”第 4 行 A 列“指标编码”\uff1a指标编码“AB_HEARINGS”与第 3 行重复\uff0c请换一个编码",
        "工作表“统计指标”第 4 行 D 列“指标名称”\uff1a不能为空\uff0c请填写指标名称",
        "工作表“统计指标”第 5 行 A 列“指标编码”\uff1a指标编码“MEDIATION”是程序内置的统计指标“人民调解·件数”\uff0c"
        f"目录不能重新定义它\uff1b请换一个编码\uff08如在前面加上文件代码\uff1a{CODE}_MEDIATION\uff09\uff0c或删去这一行直接使用内置指标",
        "工作表“统计指标”第 6 行 B 列“文件代码”\uff1a文件代码“ZZ2030”不在“来源文件”工作表中\uff0c"
        "请改为该表中的文件代码\uff0c或先在该表添加此来源文件",
    ]


def test_a_default_code_is_refused_the_same_way_in_json_and_excel(tmp_path):
    from fazhi_desk.catalogue.excel import write_template

    cat = with_indicators(permits(code="MEDIATION"))
    data = catalogue_to_dict(cat)
    json_msgs = _json_problems(tmp_path, data["indicators"])
    p = tmp_path / "t.xlsx"
    write_template([dataclasses.replace(cat, indicators=())], p)
    _edit(p, {"A2": "MEDIATION", "B2": CODE, "D2": "办理件数"})
    _headline, excel_msgs = _excel_problems(p)
    assert len(json_msgs) == len(excel_msgs) == 1
    assert json_msgs[0].split("\uff1a", 1)[1] == excel_msgs[0].split("\uff1a", 1)[1]
    assert excel_msgs[0].startswith("工作表“统计指标”第 2 行 A 列“指标编码”")


def test_duplicate_code_within_one_document_and_bad_headers(tmp_path):
    import openpyxl

    from fazhi_desk.catalogue.excel import write_template

    p = write_template(two_catalogues(), tmp_path / "t.xlsx")
    _edit(p, {"A3": "TT_PERMITS"})
    assert _excel_problems(p)[1] == ["工作表“统计指标”第 3 行 A 列“指标编码”\uff1a指标编码“TT_PERMITS”与第 2 行重复\uff0c请换一个编码"]
    wb = openpyxl.load_workbook(p)
    wb["统计指标"]["D1"] = "名称"
    wb.save(p)
    headline, msgs = _excel_problems(p)
    assert "表头不对" in headline and msgs == ["工作表“统计指标”第 1 行\uff1a缺少列\uff1a“指标名称”\uff08第 1 行应为表头\uff09"]


def test_help_sheet_explains_every_indicator_column(tmp_path):
    import openpyxl

    from fazhi_desk.catalogue.excel import INDICATOR_COLUMNS, write_template

    p = write_template([], tmp_path / "空白.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb["统计指标"].max_row == 1
    lines = [str(r[0]) for r in wb["填写说明"].iter_rows(values_only=True) if r[0]]
    start = lines.index("四、“统计指标”表各列")
    section = "\n".join(lines[start:])
    for c in INDICATOR_COLUMNS:
        assert any(ln.startswith(c.header) or f"、{c.header}" in ln.split(":")[0] for ln in lines[start + 1:]), c.header
    assert "旧模板" in "\n".join(lines[:start]) and "MEDIATION" in section  # a default code is named as taken


def test_a_code_another_installed_document_defines_is_refused_in_both_formats(small_store, tmp_path):
    """Before, importing AB2021 with TT2020's code silently moved the indicator away from TT2020."""
    from fazhi_desk.catalogue.excel import write_template

    apply_import(small_store, preview_import(small_store, write_json(tmp_path / "tt.json",
                                                                      with_indicators(permits(), version="1.1"))))
    ab = dataclasses.replace(make_catalogue("AB2021", "2.1", 2021), indicators=(
        Indicator("TT_PERMITS", "许可件数", "件", "", (), "", "AB2021"),))
    before = dump(small_store)
    with pytest.raises(UserError) as e:
        preview_import(small_store, write_json(tmp_path / "ab.json", ab))
    msg = "指标编码“TT_PERMITS”已是已安装的来源文件 TT2020 的统计指标\uff0c请换一个编码\uff08如 AB2021_PERMITS\uff09"
    assert [str(x) for x in e.value.problems] == [f"indicators[0].code\uff1a{msg}"]
    with pytest.raises(UserError) as e:
        preview_import(small_store, write_template([ab], tmp_path / "ab.xlsx"))
    assert [str(x) for x in e.value.problems] == [f"工作表“统计指标”第 2 行 A 列“指标编码”\uff1a{msg}"]
    assert dump(small_store) == before
    # moving it in one file is fine: TT2020's new version no longer defines it
    tt = with_indicators(version="1.2")
    p = write_template([tt, ab], tmp_path / "move.xlsx")
    apply_import(small_store, preview_import(small_store, p))
    assert listed(small_store)["TT_PERMITS"].source == "AB2021"
    assert installed(small_store)[CODE].indicators == ()
