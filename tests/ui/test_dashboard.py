"""The dashboard's tiles over a real year: the unfinished tile counts year-end deadlines in the last month."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.services.checklist import load_year
from fazhi_desk.ui.dashboard import Dashboard, days_left_in_year


def test_days_left_in_year():
    assert days_left_in_year(2024, dt.date(2024, 12, 31)) == 1
    assert days_left_in_year(2024, dt.date(2024, 11, 30)) == 32
    assert days_left_in_year(2024, dt.date(2025, 1, 1)) == 0
    assert days_left_in_year(2025, dt.date(2024, 6, 1)) == 365


def test_on_30_november_items_due_31_december_are_shown_as_still_open(qtbot, small_store):
    today = dt.date(2024, 11, 30)
    with small_store.session() as s:
        rows = load_year(s, 2024, today)
    dash = Dashboard()
    qtbot.addWidget(dash)
    dash.update_rows(rows, 2024, today)
    open_ids = {r.item_id for r in dash.summary.due_soon}
    # the yearly, biennial and per-event township items all fall due on 31 December 2024
    assert {"TT2020-01-01", "TT2020-02-01", "TT2020-03-01"} <= open_ids
    assert dash.t_left.value.text() == str(dash.summary.total.applicable - dash.summary.total.done)
    assert dash.t_left.caption.text() == "未完成\uff0c本年度剩余 32 天"
    assert dash.lists.tabText(dash.lists.indexOf(dash.v_soon)) == f"年底前到期({len(open_ids)})"
    dash.update_rows(rows, 2024, dt.date(2025, 1, 5))
    assert dash.t_left.caption.text() == "未完成\uff0c本年度已结束"


def test_the_overview_gives_the_rate_at_the_precision_of_the_report(qtbot, small_store):
    """4 of 86 is 4.7 % in the report; the overview said 5 %. One precision: Tally.rate_text()."""
    from fazhi_desk.domain.completion import Tally

    with small_store.session() as s:
        rows = load_year(s, 2024, dt.date(2024, 7, 1))
    dash = Dashboard()
    qtbot.addWidget(dash)
    dash.update_rows(rows, 2024, dt.date(2024, 7, 1))
    assert dash.t_rate.value.text() == dash.summary.total.rate_text()
    assert Tally(done=4, not_started=82).rate_text() == "4.7%"
