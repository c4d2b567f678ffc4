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
from fazhi_desk.services.catalogue import apply_import, install_new_document, installed_catalogues, preview_import
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
        "indicators[1].code:指标编码“TT_A”与 indicators[0] 重复,请换一个编码",
        "indicators[2].code:不能为空",
        "indicators[3].code:不能为空",
    ]
