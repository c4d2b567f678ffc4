"""A plan's term: after its last year nothing of it falls due or is overdue; a plan without an end stays in force."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.domain.completion import Standing, judge
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, Status, due_in_year

ONCE = Item("ZS2022-17-01", "ZS2022", requirement="2022年年底前基本形成行政复议体制", cycle=Cycle.ONCE,
            deadline=dt.date(2022, 12, 31))
YEARLY = Item("ZS2022-27-02", "ZS2022", requirement="执行法治政府建设年度报告制度", cycle=Cycle.YEARLY,
              deadline=dt.date(2025, 12, 31))


def _judge(item: Item, year: int, today: dt.date, status: Status = Status.NOT_STARTED):
    return judge(item, year, 2022, status, None, today, term_end=2025)


def test_nothing_falls_due_after_the_term():
    for item in (ONCE, YEARLY):
        assert due_in_year(item, 2025, 2022, term_end=2025)
        assert not due_in_year(item, 2026, 2022, term_end=2025)
        assert due_in_year(item, 2026, 2022)  # without a term it would
    assert _judge(ONCE, 2025, dt.date(2026, 3, 1)).overdue
    after = _judge(ONCE, 2026, dt.date(2026, 3, 1))
    assert not after.due and not after.overdue and after.standing is Standing.NOT_DUE and not after.counted
    assert not _judge(YEARLY, 2026, dt.date(2027, 1, 2)).overdue
    # work recorded after the term still counts, as off-year work does, but is never overdue
    late = _judge(YEARLY, 2026, dt.date(2027, 1, 2), Status.IN_PROGRESS)
    assert late.counted and not late.overdue


def test_in_force_and_term_text():
    doc = SourceDocument("ZS2022", "方案", "", "", dt.date(2022, 8, 5), "1.2", term_start=2022, term_end=2025)
    assert doc.in_force(2025) and not doc.in_force(2026)
    assert doc.term_text == "2022—2025年"
    open_ended = SourceDocument("SZ2015", "意见", "", "", dt.date(2015, 2, 1), "1.2")
    assert open_ended.in_force(2040) and open_ended.term_text == ""
