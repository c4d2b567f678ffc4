"""Statistics: the default set, a linked indicator and its item never disagree, catalogue-defined indicators."""

from __future__ import annotations

import json

import pytest

from fazhi_desk.domain.statistics import DEFAULT_INDICATORS
from fazhi_desk.errors import UserError
from fazhi_desk.services.catalogue import apply_import, preview_import
from fazhi_desk.services.checklist import load_row, set_fields
from fazhi_desk.services.statistics import load_statistics, set_statistic


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
    set_fields(store, "SZ2015-04-01", 2025, {"status": "进行中", "actual": 3})
    f = figures(store, 2025)["STUDY_SESSIONS"]
    assert f.linked and f.value == 3
    set_statistic(store, 2025, "STUDY_SESSIONS", 5)
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual == 5
    set_fields(store, "SZ2015-04-01", 2025, {"actual": 6})
    assert figures(store, 2025)["STUDY_SESSIONS"].value == 6
    set_statistic(store, 2025, "STUDY_SESSIONS", "")
    with store.session() as s:
        assert load_row(s, "SZ2015-04-01", 2025).actual is None


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
