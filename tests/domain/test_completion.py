"""The completion rule (domain/completion.py): due, done, not applicable, no event, overdue, off-year work,
below target, retired, one-time history, scope, and how a year is tallied. Pure: no store, no files, no Qt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from fazhi_desk.domain.completion import (
    RATE_RULE,
    Completion,
    Scope,
    Standing,
    Tally,
    below_target_reason,
    check_year,
    judge,
    meets_target,
    status_allowed,
    target_is_ceiling,
)
from fazhi_desk.domain.model import Cycle, Item, Status, TownshipRole
from fazhi_desk.errors import UserError

DOC_YEAR = 2020
END_2024 = dt.date(2024, 12, 31)


def item(cycle=Cycle.YEARLY, **kw) -> Item:
    return Item(item_id="T-01", doc_code="T", cycle=cycle, **kw)


def j(it, status=Status.NOT_STARTED, year=2024, actual=None, today=dt.date(2024, 7, 1), **kw):
    return judge(it, year, DOC_YEAR, status, actual, today, **kw)


def test_yearly_item_each_status():
    it = item()
    assert j(it).standing is Standing.NOT_STARTED and j(it).counted and not j(it).done
    assert j(it, Status.IN_PROGRESS).standing is Standing.IN_PROGRESS
    assert j(it, Status.DONE).done and j(it, Status.DONE).counted
    na = j(it, Status.NOT_APPLICABLE)
    assert na.standing is Standing.NOT_APPLICABLE and not na.counted


def test_overdue_only_past_the_due_date_and_not_done():
    it = item()
    assert not j(it, today=END_2024).overdue  # the last day is still in time
    late = dt.date(2025, 1, 1)
    assert j(it, today=late).overdue and j(it, Status.IN_PROGRESS, today=late).overdue
    for st in (Status.DONE, Status.NOT_APPLICABLE):
        assert not j(it, st, today=late).overdue
    assert j(it, today=late).text == "未开始(逾期)"


def test_one_time_item_due_by_its_deadline_and_done_earlier_is_history():
    it = item(Cycle.ONCE, deadline=dt.date(2022, 6, 30))
    assert j(it, year=2022, today=dt.date(2022, 7, 1)).overdue
    assert j(it, Status.DONE, year=2022, today=dt.date(2022, 7, 1)).done  # counted in the year it was done
    # a later year carries it as history: shown as done in its year, neither due nor counted again
    # (it used to count as done in every later year, so the same work raised each year's rate)
    c = j(it, Status.DONE, done_in_year=2022, today=dt.date(2030, 1, 1))
    assert c.standing is Standing.NOT_DUE and not c.due and not c.counted and not c.done and not c.overdue
    assert c.done_in_year == 2022 and c.text == "已完成(2022年)"
    assert "不再重复计入" in RATE_RULE


def test_biennial_on_year_off_year_and_off_year_work():
    it = item(Cycle.BIENNIAL, first_year=2020)
    on = j(it, year=2024)
    assert on.due and on.standing is Standing.NOT_STARTED and on.counted
    off = j(it, year=2023, today=dt.date(2024, 7, 1))
    assert not off.due and off.standing is Standing.NOT_DUE and not off.counted and not off.overdue
    assert off.text == "本年度不检查"
    # work done in an off year counts like any other (the old dashboard said 0 %, the report 50 %)
    worked = j(it, Status.DONE, year=2023)
    assert worked.done and worked.counted
    started = j(it, Status.IN_PROGRESS, year=2023, today=dt.date(2030, 1, 1))
    assert started.counted and not started.overdue  # never overdue in a year it is not due


def test_before_the_first_year_nothing_is_due():
    it = item(first_year=2022)
    assert j(it, year=2021).standing is Standing.NOT_DUE


def test_per_event_no_event_is_left_out_like_not_applicable():
    it = item(Cycle.PER_EVENT)
    c = j(it, Status.NO_EVENT, today=dt.date(2030, 1, 1))
    assert c.standing is Standing.NO_EVENT and not c.counted and not c.overdue and c.text == "本年度未发生"
    assert status_allowed(it, Status.NO_EVENT) == ""
    assert "按事件" in status_allowed(item(Cycle.YEARLY), Status.NO_EVENT)


def test_below_target_is_counted_but_not_done():
    it = item(target=6, unit="天", requirement="每年组织执法人员参加公共法律知识培训不少于6天")
    assert meets_target(it, 6) is True and meets_target(it, 7.5) is True
    assert meets_target(it, 2) is False and meets_target(it, None) is False
    c = j(it, Status.DONE, actual=2)
    assert c.standing is Standing.BELOW_TARGET and c.counted and not c.done and not c.overdue
    assert "低于目标值 6天" in below_target_reason(it, 2)
    assert "尚未填写实际值" in below_target_reason(it, None)
    assert below_target_reason(it, 6) == ""
    assert j(it, Status.DONE, actual=6).done
    assert meets_target(item(), None) is None  # no numeric target: nothing to miss
    assert j(item(), Status.DONE).done


def test_a_ceiling_target_is_met_by_staying_under_it():
    it = item(Cycle.PER_EVENT, target=15, unit="日", requirement="规范性文件自发布之日起15日内报县市区政府备案")
    assert target_is_ceiling(it)
    assert meets_target(it, 10) is True and meets_target(it, 15) is True
    assert meets_target(it, 20) is False
    assert "超过上限" in below_target_reason(it, 20)
    assert not target_is_ceiling(item(target=4, unit="次", requirement="每年安排领导干部集中学法不少于4次"))


def test_retired_is_never_counted_nor_overdue():
    it = item()
    c = j(it, Status.IN_PROGRESS, retired_version="2.0", today=dt.date(2030, 1, 1))
    assert c.standing is Standing.RETIRED and not c.counted and not c.overdue
    assert c.text == "进行中(已退役,版本 2.0)"
    assert j(it, retired_version="2.0").text == "已退役(版本 2.0)"


def test_retired_is_never_due():
    assert not j(item(), retired_version="2.0").due


@dataclass(frozen=True)
class Row:
    item: Item
    completion: Completion


def test_scope_is_part_of_the_verdict_and_the_tally():
    lead = item(target=2, score=5.0)
    info = item(township_role=TownshipRole.INFO)
    assert j(lead).in_scope and not j(info).in_scope
    assert not j(lead, binding=False).in_scope  # a document outside the office's 适用文件
    rows = [Row(lead, j(lead, Status.DONE, actual=2)), Row(info, j(info)), Row(lead, j(lead, binding=False))]
    assert Scope.OFFICE.select(rows) == rows[:1]
    assert Scope.ALL.select(rows) == rows
    office = Tally.of(rows, Scope.OFFICE, "x")
    assert (office.label, office.items, office.done, office.applicable) == ("x", 1, 1, 1)
    assert (office.score_earned, office.score_total) == (5.0, 5.0)
    everything = Tally.of(rows, Scope.ALL)
    assert (everything.items, everything.done, everything.applicable) == (3, 1, 3)


def test_tally_counts_and_rate():
    t = Tally("x")
    for st in (Standing.DONE, Standing.DONE, Standing.BELOW_TARGET, Standing.IN_PROGRESS, Standing.NOT_STARTED,
               Standing.NOT_APPLICABLE, Standing.NO_EVENT, Standing.NOT_DUE, Standing.RETIRED):
        t.add(st)
    t.add(Standing.NOT_STARTED, overdue=True)
    assert (t.items, t.applicable, t.excluded, t.done, t.below_target, t.overdue) == (10, 6, 4, 2, 1, 1)
    assert t.rate == pytest.approx(2 / 6) and t.rate_text() == "33.3%"
    assert Tally().rate is None and Tally().rate_text() == "—"


def test_outstanding_states():
    assert {s for s in Standing if s.outstanding} == {Standing.NOT_STARTED, Standing.IN_PROGRESS,
                                                       Standing.BELOW_TARGET}


def test_one_year_range_check():
    assert check_year(2024) == 2024
    for bad in (1989, 2101, "abc"):
        with pytest.raises(UserError, match="1990–2100"):
            check_year(bad)


def test_status_words_parse_including_no_event():
    assert Status.parse("本年度未发生") is Status.NO_EVENT
    with pytest.raises(ValueError):
        Status.parse("完成")


# ------------------------------------------------------------------ first years, a late start, optional items


def test_a_document_counts_only_from_its_first_year():
    from fazhi_desk.domain.model import SourceDocument, document_start

    plan = SourceDocument(code="ZF2026", title="t", doc_number="柞法治委发〔2026〕1号", issuer="", version="1.0",
                          date=dt.date(2026, 3, 1))
    assert document_start(plan) == 2026
    assert document_start(SourceDocument(**{**plan.__dict__, "term_start": 2027})) == 2027
    # an item of that plan, even one claiming an earlier 首次年度, is nothing in 2025 (it was 未开始(逾期))
    for it in (item(), item(Cycle.ONCE, deadline=dt.date(2009, 5, 31)), item(first_year=2020)):
        c = judge(it, 2025, document_start(plan), Status.NOT_STARTED, None, dt.date(2026, 12, 7))
        assert c.standing is Standing.NOT_DUE and not c.counted and not c.overdue, it
        assert judge(it, 2026, 2026, Status.NOT_STARTED, None, dt.date(2026, 12, 7)).counted


def test_an_item_added_by_a_later_catalogue_version_counts_from_that_import():
    it = item()
    before = j(it, year=2025, today=dt.date(2026, 2, 1), added_year=2026)
    assert before.standing is Standing.NOT_DUE and not before.counted and not before.overdue
    assert j(it, year=2026, today=dt.date(2026, 2, 1), added_year=2026).counted
    # its own 首次年度 decides when the catalogue gives one
    assert j(item(first_year=2025), year=2025, added_year=2026).counted


def test_an_office_starting_late_answers_once_for_one_time_items_due_before_it():
    from fazhi_desk.domain.completion import Prior

    goal = item(Cycle.ONCE, deadline=dt.date(2017, 12, 31), requirement="通过2~3年努力实现总体目标")
    late = dt.date(2025, 7, 1)
    # without a start year: 逾期 in every year (what the office saw)
    assert j(goal, year=2025, today=late).overdue
    # not answered yet: grouped for one choice, neither overdue nor counted
    waiting = j(goal, year=2025, today=late, since=2025)
    assert waiting.awaiting_choice and not waiting.counted and not waiting.overdue
    assert waiting.text == "开始使用前到期(待确认)"
    # 以前年度已完成: counted in no year
    for y in (2017, 2024, 2025, 2026):
        c = j(goal, year=y, today=late, since=2025, prior=Prior.DONE_BEFORE)
        assert not c.counted and not c.overdue and not c.awaiting_choice and c.text == "以前年度已完成", y
    # 仍需完成: due in the office's first year (or the year it chose), by the end of that year
    due = j(goal, year=2025, today=late, since=2025, prior=Prior.STILL_DUE)
    assert due.due and due.counted and due.due_date == dt.date(2025, 12, 31) and not due.overdue
    assert j(goal, year=2025, today=dt.date(2026, 1, 1), since=2025, prior=Prior.STILL_DUE).overdue
    assert not j(goal, year=2026, today=late, since=2025, prior=Prior.STILL_DUE).counted
    assert j(goal, year=2026, since=2025, prior=Prior.STILL_DUE, prior_year=2026).counted
    # a one-time item due after the start year is untouched
    later = item(Cycle.ONCE, deadline=dt.date(2025, 6, 30))
    assert j(later, year=2025, today=late, since=2025).overdue
    # a one-time goal of a 2015 document with no deadline ("通过2~3年努力…") was due from 2015 on: the same answer
    open_ended = item(Cycle.ONCE, requirement="通过2~3年努力实现依法行政工作总体目标")
    assert j(open_ended, year=2025, today=dt.date(2026, 1, 1)).overdue
    assert j(open_ended, year=2025, today=late, since=2025).awaiting_choice
    assert not j(open_ended, year=2025, today=late, since=2020).before_since  # its document's own first year


def test_an_optional_measure_is_never_overdue_and_counts_only_when_worked_on():
    from fazhi_desk.domain.model import is_optional

    opt = item(Cycle.ONCE, deadline=dt.date(2022, 12, 31), requirement="有条件的可成立联合执法办公室")
    assert is_optional(opt) and is_optional(item(requirement="鼓励乡镇聘请法律顾问"))
    assert not is_optional(item(requirement="不可超过15日报送备案")) and not is_optional(item(requirement="建立学法制度"))
    idle = j(opt, year=2022, today=dt.date(2030, 1, 1))
    assert not idle.overdue and not idle.counted and idle.text == "可选(未开展)"
    assert j(opt, Status.DONE, year=2022).done
    working = j(opt, Status.IN_PROGRESS, year=2022, today=dt.date(2030, 1, 1))
    assert working.counted and not working.overdue
    t = Tally.of([Row(opt, idle)], Scope.OFFICE)
    assert t.applicable == 0 and t.overdue == 0
