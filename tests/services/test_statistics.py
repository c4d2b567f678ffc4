"""Statistics: the default set, a linked indicator and its item never disagree, catalogue-defined indicators."""

from __future__ import annotations

import json

import pytest

from fazhi_desk.domain.statistics import DEFAULT_INDICATORS
from fazhi_desk.errors import UserError
from fazhi_desk.services.catalogue import apply_import, preview_import
from fazhi_desk.services.checklist import load_row, set_fields
from fazhi_desk.services.statistics import ItemValueConflict, findings, load_statistics, set_statistic


def figures(store, year):
    with store.session() as s:
        return {e.indicator.code: e for e in load_statistics(s, year)}


def test_default_set_is_listed_and_values_are_logged(store):
    f = figures(store, 2025)
    for code in ("NORM_ISSUED", "RECONSIDERATION", "LITIGATION", "HEAD_IN_COURT", "STUDY_SESSIONS",
                 "STUDY_HOURS", "MEDIATION", "PUBLICITY_EVENTS", "MAJOR_DECISIONS", "COUNSEL_REVIEWS"):
        assert code in f and f[code].value is None
    assert len(f) == len(DEFAULT_INDICATORS)
    set_statistic(store, 2025, "MEDIATION", "57")
    assert figures(store, 2025)["MEDIATION"].value == 57
    assert figures(store, 2024)["MEDIATION"].value is None
    from fazhi_desk.services.checklist import change_log

    with store.session() as s:
        log = change_log(s, year=2025)
    assert log[0].field.startswith("统计·人民调解") and log[0].new_value == "57"


@pytest.mark.parametrize("bad", ["-1", "abc", "inf", "nan"])
def test_bad_values_are_refused_in_chinese(store, bad):
    with pytest.raises(UserError, match="人民调解"):
        set_statistic(store, 2025, "MEDIATION", bad)
    assert figures(store, 2025)["MEDIATION"].value is None


def test_linked_indicator_and_item_actual_are_one_number(store):
    # 集中学法 次数 is the actual of SZ2015-04-01 (每年安排领导干部集中学法不少于4次).
    set_statistic(store, 2025, "STUDY_SESSIONS", 3)
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 3
    f = figures(store, 2025)["STUDY_SESSIONS"]
    assert f.linked and f.value == 3
    set_statistic(store, 2025, "STUDY_SESSIONS", 5)  # correcting its own figure is no conflict
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 5
    set_fields(store, "SZ2015-04-01", 2025, {"actual": 6})
    assert figures(store, 2025)["STUDY_SESSIONS"].value == 6
    set_statistic(store, 2025, "STUDY_SESSIONS", "", overwrite_item=True)
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual is None


def test_a_statistic_never_overwrites_an_actual_set_by_hand(store):
    """The 42-学时 case: an item's 实际值 typed in the checklist is not replaced by a statistics entry."""
    set_fields(store, "SZ2015-04-01", 2025, {"status": "已完成", "actual": 5, "completed_on": "2025-11-01"})
    with pytest.raises(ItemValueConflict, match="SZ2015-04-01.*已手工填为 5次.*fazhi-desk status SZ2015-04-01"):
        set_statistic(store, 2025, "STUDY_SESSIONS", 3)
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 5
    set_statistic(store, 2025, "STUDY_SESSIONS", 5)  # the same number changes nothing: no question
    set_statistic(store, 2025, "STUDY_SESSIONS", 3, overwrite_item=True)  # asked, and confirmed
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 3


def test_study_hours_is_not_the_staff_training_item(store):
    """集中学法·学时 (leaders' study hours) is not SZ2015-04-02 (per-person staff training): 14 leaves 42 alone."""
    set_fields(store, "SZ2015-04-02", 2025, {"status": "已完成", "actual": 42, "completed_on": "2025-11-01"})
    set_statistic(store, 2025, "STUDY_HOURS", 14)
    with store.session() as s:
        row = load_row(s, "SZ2015-04-02", 2025)
    assert row.actual == 42 and row.completion.standing.value == "已完成"
    f = figures(store, 2025)["STUDY_HOURS"]
    assert not f.linked and f.value == 14 and "人均" in f.indicator.scope


def test_every_default_link_is_the_same_measure(store):
    """Audit: a default indicator is linked only to an item of the same 计量单位; each states its 口径."""
    from fazhi_desk.store.models import ItemRevision, ItemRow

    with store.session() as s:
        units = {i: (u or "") for i, u in s.query(ItemRow.item_id, ItemRevision.unit)
                 .join(ItemRevision, ItemRevision.id == ItemRow.current_revision_id)}
    for ind in DEFAULT_INDICATORS:
        assert ind.scope, ind.code
        if ind.linked_item:
            assert units[ind.linked_item] == ind.unit, ind.code
        for item_id in ind.items:
            assert item_id in units, (ind.code, item_id)
    assert [i.code for i in DEFAULT_INDICATORS if i.linked_item] == ["STUDY_SESSIONS"]


def test_counts_are_whole_numbers(store):
    with pytest.raises(UserError, match="整数"):
        set_statistic(store, 2025, "LITIGATION", "2.5")
    assert figures(store, 2025)["LITIGATION"].value is None
    set_statistic(store, 2025, "STUDY_HOURS", "2.5")  # hours may be fractional
    assert figures(store, 2025)["STUDY_HOURS"].value == 2.5


def test_declared_relations_refuse_or_warn(store):
    set_statistic(store, 2025, "LITIGATION", 2)
    with pytest.raises(UserError, match="未保存.*负责人出庭应诉件数 9件 大于 行政应诉·案件数 2件"):
        set_statistic(store, 2025, "HEAD_IN_COURT", 9)
    set_statistic(store, 2025, "HEAD_IN_COURT", 2)
    with pytest.raises(UserError, match="不可能"):
        set_statistic(store, 2025, "LITIGATION", 1)  # either side of the relation
    # a relation real figures can break (filed in January what was issued in December) only warns
    set_statistic(store, 2025, "NORM_ISSUED", 1)
    set_statistic(store, 2025, "NORM_FILED", 2)
    with store.session() as s:
        found = findings(s, 2025)
    assert [(f.codes, f.strict) for f in found] == [(("NORM_FILED", "NORM_ISSUED"), False)]
    assert "需核对" in found[0].text


def test_an_event_item_marked_no_event_while_a_figure_counts_it(store):
    set_fields(store, "SZ2015-22-02", 2025, {"status": "本年度未发生"})
    set_statistic(store, 2025, "LITIGATION", 4)
    with store.session() as s:
        found = findings(s, 2025)
    assert [f.item_id for f in found] == ["SZ2015-22-02"]
    assert "本年度未发生" in found[0].text and "4件" in found[0].text


def test_cli_stats_refuses_to_overwrite_an_item_and_warns(store, capsys):
    from fazhi_desk.cli import run as main

    set_fields(store, "SZ2015-04-01", 2025, {"actual": 5})
    home = str(store.data.root)
    store.close()
    assert main(["--data-dir", home, "stats", "--year", "2025", "STUDY_SESSIONS=3"]) == 1
    err = capsys.readouterr().err
    assert "已手工填为 5次" in err and "Traceback" not in err
    assert main(["--data-dir", home, "stats", "--year", "2025", "NORM_ISSUED=1", "NORM_FILED=2"]) == 0
    assert "注意" in capsys.readouterr().err


def test_a_catalogue_defines_its_own_indicators(store, tmp_path):
    from fazhi_desk.catalogue.schema import catalogue_to_dict
    from tests.conftest import make_catalogue

    data = catalogue_to_dict(make_catalogue("XK2024", year=2024))
    data["indicators"] = [
        {"code": "XK_PERMITS", "category": "行政许可", "name": "办理件数", "unit": "件", "items": ["XK2024-01-01"],
         "linked_item": ""},
        {"code": "XK_STUDY", "category": "学法", "name": "学法次数", "unit": "次", "items": ["XK2024-01-01"],
         "linked_item": "XK2024-01-01"},
    ]
    path = tmp_path / "xk.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    apply_import(store, preview_import(store, path))
    f = figures(store, 2025)
    assert f["XK_PERMITS"].indicator.unit == "件" and f["XK_PERMITS"].indicator.source == "XK2024"
    set_statistic(store, 2025, "XK_STUDY", 4)
    with store.session() as s:
        assert load_row(s, "XK2024-01-01", 2025).actual == 4


def test_a_catalogue_naming_an_unknown_item_is_refused(store, tmp_path):
    from fazhi_desk.catalogue.schema import catalogue_to_dict
    from tests.conftest import make_catalogue

    data = catalogue_to_dict(make_catalogue("XK2024", year=2024))
    data["indicators"] = [{"code": "XK_PERMITS", "name": "办理件数", "items": ["XK2024-99-99"]}]
    path = tmp_path / "xk.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with pytest.raises(UserError, match=r"indicators\[0\].items"):
        preview_import(store, path)


def test_statistics_follow_the_binding_documents(store, tmp_path):
    """Only the chosen documents count: their indicators are listed and only their items are linked."""
    from fazhi_desk.catalogue.schema import catalogue_to_dict
    from fazhi_desk.services.profile import set_profile
    from tests.conftest import make_catalogue

    data = catalogue_to_dict(make_catalogue("XK2024", year=2024))
    data["indicators"] = [{"code": "XK_PERMITS", "category": "行政许可", "name": "办理件数", "unit": "件",
                           "items": ["XK2024-01-01"], "linked_item": ""}]
    path = tmp_path / "xk.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    apply_import(store, preview_import(store, path))
    set_fields(store, "SZ2015-04-01", 2025, {"status": "进行中", "actual": 3})
    assert "XK_PERMITS" in figures(store, 2025) and figures(store, 2025)["STUDY_SESSIONS"].value == 3
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    f = figures(store, 2025)
    assert "XK_PERMITS" not in f  # another document's indicator
    # 集中学法次数 is no longer Suzhou's item's 实际值 for a 柞水 township: it is the office's own figure
    assert not f["STUDY_SESSIONS"].linked and f["STUDY_SESSIONS"].value is None
    set_statistic(store, 2025, "STUDY_SESSIONS", 5)
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 3
    assert figures(store, 2025)["STUDY_SESSIONS"].value == 5
    with pytest.raises(UserError, match="XK_PERMITS"):
        set_statistic(store, 2025, "XK_PERMITS", 1)


def test_an_event_item_cannot_be_marked_no_event_when_a_figure_counts_it(store):
    set_statistic(store, 2025, "LITIGATION", 4)
    with pytest.raises(UserError, match="SZ2015-22-02 2025 年不能标为“本年度未发生”.*行政应诉·案件数”为 4件"):
        set_fields(store, "SZ2015-22-02", 2025, {"status": "本年度未发生"})
    with store.session() as s:
        assert load_row(s, "SZ2015-22-02", 2025).status.value != "本年度未发生"
    set_fields(store, "SZ2015-22-02", 2024, {"status": "本年度未发生"})  # another year: no figure, allowed
