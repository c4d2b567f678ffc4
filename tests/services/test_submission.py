"""A reported year never changes by itself: first years of documents and items, 报送 (sealed years and
更正), carry-forward marks, and an office that starts late — against a real store, real imports."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import update

from fazhi_desk.catalogue.schema import Catalogue, dump_catalogue_json
from fazhi_desk.domain.completion import Prior, Scope, Tally
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, Status
from fazhi_desk.errors import UserError
from fazhi_desk.services.catalogue import apply_import, preview_import
from fazhi_desk.services.checklist import carry_forward, change_log, load_year, set_fields
from fazhi_desk.services.profile import get_profile, set_since
from fazhi_desk.services.submission import (
    STATE_CORRECTED,
    STATE_OPEN,
    STATE_SUBMITTED,
    edition,
    mark_submitted,
    prior_candidates,
    set_prior,
    year_state,
)
from fazhi_desk.store.models import CatalogueVersion
from tests.conftest import make_catalogue

YEARLY, ONCE, BIENNIAL, EVENT = "TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"
TODAY = dt.date(2026, 12, 7)


def rows(store, year, today=TODAY):
    with store.session() as s:
        return {r.item_id: r for r in load_year(s, year, today)}


def tally(store, year, today=TODAY) -> Tally:
    return Tally.of(rows(store, year, today).values(), Scope.OFFICE)


def figures(t: Tally) -> tuple:
    return t.applicable, t.done, t.overdue, t.not_due, t.retired


def _import(store, tmp_path, cat: Catalogue, name: str, imported: dt.datetime | None = None) -> None:
    p = tmp_path / name
    p.write_text(dump_catalogue_json(cat), "utf-8")
    apply_import(store, preview_import(store, p))
    if imported is not None:  # the import's year, fixed (the store stamps the real clock)
        with store.transaction() as s:
            s.execute(update(CatalogueVersion).where(CatalogueVersion.file_sha256 != "",
                                                     CatalogueVersion.source_file == name)
                      .values(imported_at=imported))


def plan_2026() -> Catalogue:
    doc = SourceDocument(code="ZF2026", title="2026年法治建设实施方案", doc_number="柞法治委发〔2026〕1号",
                         issuer="测试机关", date=dt.date(2026, 3, 1), version="1.0")
    items = (
        Item(item_id="ZF2026-01-01", doc_code="ZF2026", requirement="每年组织集中学法", cycle=Cycle.YEARLY),
        # a deadline copied from an old plan, and an item claiming an earlier first year
        Item(item_id="ZF2026-01-02", doc_code="ZF2026", requirement="建立法律顾问制度", cycle=Cycle.ONCE,
             deadline=dt.date(2009, 5, 31)),
        Item(item_id="ZF2026-01-03", doc_code="ZF2026", requirement="开展执法检查", first_year=2023),
    )
    return Catalogue(document=doc, items=items)


# ------------------------------------------------------------------ later documents and items


def test_a_plan_issued_in_2026_leaves_2025_as_it_was(small_store, tmp_path):
    before = {y: figures(tally(small_store, y)) for y in (2023, 2024, 2025)}
    p = tmp_path / "plan.json"
    p.write_text(dump_catalogue_json(plan_2026()), "utf-8")
    preview = preview_import(small_store, p)
    text = "\n".join(preview.lines())
    assert "自2026年起计入统计" in text and "2025年及以前的年度不受影响" in text
    assert "截止日期早于文件的首个年度 2026 年" in text  # the 2009 deadline is warned about
    apply_import(small_store, preview)
    assert {y: figures(tally(small_store, y)) for y in (2023, 2024, 2025)} == before
    for y in (2023, 2024, 2025):
        r = rows(small_store, y)
        assert not any(r[i].completion.counted or r[i].overdue for i in r if i.startswith("ZF2026")), y
    r = rows(small_store, 2026)
    assert sum(r[i].completion.counted for i in r if i.startswith("ZF2026")) == 3


def test_an_item_added_by_a_revision_counts_from_the_year_it_was_imported(small_store, tmp_path):
    before = figures(tally(small_store, 2025))
    cat = make_catalogue(version="1.1")
    extra = Item(item_id="TT2020-04-01", doc_code="TT2020", requirement="每年公开法治政府建设情况报告")
    _import(small_store, tmp_path, dataclasses.replace(cat, items=cat.items + (extra,)), "tt11.json",
            dt.datetime(2026, 2, 1, 9, 0, tzinfo=dt.timezone.utc))
    assert figures(tally(small_store, 2025)) == before  # it was 未开始(逾期) in 2025
    assert "TT2020-04-01" not in rows(small_store, 2025)  # not in that year at all
    assert rows(small_store, 2026)["TT2020-04-01"].completion.counted


# ------------------------------------------------------------------ 报送


def test_a_submitted_year_is_sealed_against_imports_carry_forward_and_edits(small_store, tmp_path):
    set_fields(small_store, YEARLY, 2025, {"status": "已完成", "actual": 4, "completed_on": "2025-11-30"},
               today=TODAY)
    sent = figures(tally(small_store, 2025))
    assert year_state_of(small_store, 2025).state == STATE_OPEN
    st = mark_submitted(small_store, 2025, "FZ-20260110-0001", today=TODAY)
    assert st.state == STATE_SUBMITTED and st.export_id == "FZ-20260110-0001"
    # an import in 2025's own year that changes a cycle, adds an item and retires one
    cat = make_catalogue(version="2.0")
    changed = tuple(dataclasses.replace(i, cycle=Cycle.YEARLY, deadline=None) if i.item_id == BIENNIAL else i
                    for i in cat.items if i.item_id != EVENT)
    extra = Item(item_id="TT2020-04-01", doc_code="TT2020", requirement="每年公开法治政府建设情况报告",
                 first_year=2025)
    _import(small_store, tmp_path, dataclasses.replace(cat, items=changed + (extra,)), "tt20.json",
            dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.timezone.utc))
    assert figures(tally(small_store, 2025)) == sent
    assert "TT2020-04-01" not in rows(small_store, 2025) and EVENT in rows(small_store, 2025)
    # carry-forward and edits without a reason leave it alone
    with pytest.raises(UserError, match="已报送"):
        carry_forward(small_store, 2024, 2025)
    with pytest.raises(UserError, match="更正原因"):
        set_fields(small_store, ONCE, 2025, {"status": "已完成", "completed_on": "2025-06-01"}, today=TODAY)
    assert figures(tally(small_store, 2025)) == sent
    # an edit with a reason is a 更正: logged, the year is 已更正 and the next export its 更正版
    set_fields(small_store, ONCE, 2025, {"status": "已完成", "completed_on": "2025-06-01"}, today=TODAY,
               reason="漏报了法律顾问合同")
    assert tally(small_store, 2025).done == sent[1] + 1
    with small_store.session() as s:
        assert any(c.field == "correction" and "漏报了法律顾问合同" in c.new_value for c in change_log(s, year=2025))
        assert edition(s, 2025) == ("更正版", "FZ-20260110-0001")
        st = year_state(s, 2025)
    assert st.state == STATE_CORRECTED and st.pending and "重新导出更正版" in st.text
    # the return exported now is the 更正版 and names the one it corrects
    import openpyxl

    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.report import export_report

    set_profile(small_store, office_name="乾佑街道")
    out = tmp_path / "更正.xlsx"
    result = export_report(JobContext(), small_store, 2025, out, today=TODAY)
    assert result.corrects == "FZ-20260110-0001"
    cells = [str(c) for row in openpyxl.load_workbook(out, read_only=True)["汇总"].iter_rows(values_only=True)
             for c in row if c]
    assert any("更正版" in c and "FZ-20260110-0001" in c and result.export_id in c for c in cells)
    st = mark_submitted(small_store, 2025, "FZ-20260301-0002", today=TODAY)
    assert (st.state, st.export_id, st.previous_export_id, st.pending) == (
        STATE_CORRECTED, "FZ-20260301-0002", "FZ-20260110-0001", False)
    assert "FZ-20260110-0001" in st.text and "FZ-20260301-0002" in st.text
    with small_store.session() as s:
        assert edition(s, 2025) == ("", "")


def year_state_of(store, year):
    with store.session() as s:
        return year_state(s, year)


def test_statistics_of_a_submitted_year_need_a_reason(store):
    from fazhi_desk.services.statistics import indicators, set_statistic

    with store.session() as s:
        code = next(i.code for i in indicators(s) if not i.linked_item)
    set_statistic(store, 2025, code, 3)
    mark_submitted(store, 2025, "FZ-1")
    with pytest.raises(UserError, match="更正原因"):
        set_statistic(store, 2025, code, 5)
    set_statistic(store, 2025, code, 5, reason="统计口径更正")
    assert year_state_of(store, 2025).state == STATE_CORRECTED


# ------------------------------------------------------------------ carry-forward


def test_carry_forward_marks_what_it_copied_and_skips_items_not_due(small_store):
    for item_id in (YEARLY, BIENNIAL):
        set_fields(small_store, item_id, 2024, {"owner": "王五", "note": "已安排"})
    n = carry_forward(small_store, 2024, 2025, owners=True, notes=True, today=TODAY)
    r = rows(small_store, 2025)
    assert n == 1  # the biennial item is not due in 2025: nothing copied into it
    assert r[BIENNIAL].owner == "" and not r[BIENNIAL].has_assessment
    assert r[YEARLY].owner == "王五" and r[YEARLY].carried_from("owner") == 2024
    assert r[YEARLY].carried_from("note") == 2024
    set_fields(small_store, YEARLY, 2025, {"owner": "赵六"}, today=TODAY)
    r = rows(small_store, 2025)[YEARLY]
    assert r.carried_from("owner") is None and r.carried_from("note") == 2024


def test_the_workbook_says_what_was_carried(small_store, tmp_path):
    import openpyxl

    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.report import export_report

    set_profile(small_store, office_name="乾佑街道")
    set_fields(small_store, YEARLY, 2024, {"owner": "王五"})
    carry_forward(small_store, 2024, 2025, today=TODAY)
    out = tmp_path / "r.xlsx"
    export_report(JobContext(), small_store, 2025, out, today=TODAY)
    wb = openpyxl.load_workbook(out, read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("沿用自2024年" in c for c in cells)


# ------------------------------------------------------------------ 开始使用年度


def test_an_office_starting_late_answers_once_for_old_one_time_items(small_store):
    # TT2020-01-02 (一次性, due 2022-06-30) was 未开始(逾期) in every year for an office starting in 2025
    assert rows(small_store, 2025)[ONCE].overdue
    set_since(small_store, 2025)
    assert get_profile(small_store).since_year == 2025
    r = rows(small_store, 2025)[ONCE]
    assert r.completion.awaiting_choice and not r.overdue and not r.completion.counted
    assert [x.item_id for x in prior_candidates(small_store, 2025, TODAY)] == [ONCE]
    set_prior(small_store, [ONCE], Prior.DONE_BEFORE, note="2021年已聘请")
    for y in (2022, 2025, 2026):
        c = rows(small_store, y)[ONCE].completion
        assert not c.counted and c.text == "以前年度已完成", y
    assert prior_candidates(small_store, 2025, TODAY) == []
    set_prior(small_store, [ONCE], "仍需完成")
    c = rows(small_store, 2025)[ONCE].completion
    assert c.counted and c.due_date == dt.date(2025, 12, 31) and c.overdue
    assert not rows(small_store, 2026)[ONCE].completion.counted
    with small_store.session() as s:
        assert any(x.field == "prior" for x in change_log(s, item_id=ONCE))


def test_set_prior_needs_a_start_year(small_store):
    with pytest.raises(UserError, match="开始使用年度"):
        set_prior(small_store, [ONCE], Prior.DONE_BEFORE)
    assert rows(small_store, 2025)[ONCE].status is Status.NOT_STARTED
