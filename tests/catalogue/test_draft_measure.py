"""The drafter proposes 计量方式 逐次登记 for targets counted session by session (不少于4次/2期/3场/40学时),
as a guess the review grid flags like its other guesses, and the edited rows keep it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from fazhi_desk.catalogue.draft import DraftMeta, draft_catalogue
from fazhi_desk.catalogue.draft.rows import COLUMNS, catalogue_from_rows, rows_from_items
from fazhi_desk.domain.model import MEASURE_LOGGED
from fazhi_desk.paths import resource_path
from tests.catalogue.test_draft import _write_xlsx

PLAN = """关于加强法治建设的实施方案
一、主要任务
1.加强学法。各镇每年安排领导干部集中学法不少于4次。每年组织工作人员法律培训不少于40学时。
2.普法宣传。各镇每年至少举办2期法治讲座,开展普法活动不少于3场。每年组织执法人员参加培训不少于6天。
3.普法工作。每年至少召开两次普法工作会议。
4.备案审查。规范性文件备案率达到100%。规范性文件发布后15日内报送备案。各镇要建立法律顾问制度,聘请法律顾问不少于1名。
"""


def _by_text(items) -> dict[str, str]:  # noqa: ANN001
    return {i.requirement: i.measure for i in items}


def test_counted_targets_are_proposed_as_logged_and_flagged_for_review():
    d = draft_catalogue(PLAN, DraftMeta(code="FZ2024", date=dt.date(2024, 3, 1)), pasted=True)
    got = {i.source_passage.rstrip("。"): i for i in d.catalogue.items}

    def measure(phrase: str) -> str:
        return next(i.measure for text, i in got.items() if phrase in text)

    for phrase in ("集中学法不少于4次", "不少于40学时", "举办2期法治讲座", "不少于3场", "培训不少于6天"):
        assert measure(phrase) == MEASURE_LOGGED, phrase
    assert next(i for text, i in got.items() if "召开两次" in text).target == 2  # a number written in words
    for phrase in ("备案率达到100%", "15日内报送备案", "聘请法律顾问不少于1名"):
        assert measure(phrase) == "", phrase
    flagged = {w.item_id for w in d.warnings if MEASURE_LOGGED in w.message and "请确认" in w.message}
    assert flagged == {i.item_id for i in d.catalogue.items if i.logged}
    # the review grid shows the guess in its own column and in the row's 提示 (a yellow row)
    rows = rows_from_items(d.catalogue.items, d.warnings)
    assert ("measure", "计量方式") in COLUMNS
    logged_rows = [r for r in rows if r.measure == MEASURE_LOGGED]
    assert logged_rows and all("逐次登记" in r.warnings for r in logged_rows)
    # the reviewed rows keep it, and a clerk who clears the cell clears it
    cat = catalogue_from_rows(d.catalogue.document, rows)
    assert _by_text(cat.items) == _by_text(d.catalogue.items)
    cleared = [dataclasses.replace(r, measure="") for r in rows]
    assert not any(i.logged for i in catalogue_from_rows(d.catalogue.document, cleared).items)


def test_the_bundled_sources_draft_their_logged_items():
    def logged(code: str) -> set[tuple[float, str]]:
        text = resource_path("sources", f"{code}.txt").read_text("utf-8")
        d = draft_catalogue(text, DraftMeta(code=code, date=None), pasted=True)
        return {(i.target, i.unit) for i in d.catalogue.items if i.logged}

    assert logged("SZ2015") >= {(4, "次"), (40, "学时"), (6, "天")}
    assert logged("ZS2022") == {(2, "期"), (100, "学时")}  # 每年至少举办两期法治专题讲座


def test_a_county_table_row_with_a_count_is_proposed_as_logged(tmp_path):
    path = _write_xlsx(tmp_path / "考核细则.xlsx")
    d = draft_catalogue(path, DraftMeta(code="KH2023", title="考核细则", date=dt.date(2023, 3, 1)))
    items = d.catalogue.items
    assert items[-1].unit == "次" and items[-1].measure == MEASURE_LOGGED
    assert items[2].unit == "%" and items[2].measure == ""
    assert any(w.item_id == items[-1].item_id and MEASURE_LOGGED in w.message for w in d.warnings)
