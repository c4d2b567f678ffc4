"""Year semantics, overdue on a fixed today, edits with change log, carry-forward — against a real store."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError
from fazhi_desk.services.checklist import carry_forward, change_log, load_row, load_year, set_fields

YEARLY, ONCE, BIENNIAL, COUNTY, EVENT = "TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-02-02", "TT2020-03-01"


def rows(store, year, today=dt.date(2030, 1, 1)):
    with store.session() as s:
        return {r.item_id: r for r in load_year(s, year, today)}


def test_yearly_item_starts_fresh_each_year(small_store):
    set_fields(small_store, YEARLY, 2021, {"status": "已完成", "actual": 4, "completed_on": "2021-11-30"})
    assert rows(small_store, 2021)[YEARLY].status is Status.DONE
    assert rows(small_store, 2021)[YEARLY].actual == 4
    assert rows(small_store, 2022)[YEARLY].status is Status.NOT_STARTED


def test_one_time_item_done_stays_done_and_says_when(small_store):
    set_fields(small_store, ONCE, 2021, {"status": "已完成", "completed_on": "2021-06-01"})
    r = rows(small_store, 2023)[ONCE]
    assert r.status is Status.DONE and r.done_in_year == 2021 and not r.overdue
    assert rows(small_store, 2021)[ONCE].done_in_year is None


def test_biennial_due_every_other_year(small_store):
    due = {y: rows(small_store, y)[BIENNIAL].due for y in range(2020, 2025)}
    assert due == {2020: True, 2021: False, 2022: True, 2023: False, 2024: True}
    assert not rows(small_store, 2021)[BIENNIAL].overdue  # not due: never overdue


def test_overdue_on_a_fixed_today(small_store):
    today = dt.date(2022, 7, 1)
    r = rows(small_store, 2022, today)
    assert r[ONCE].overdue  # deadline 2022-06-30 passed
    assert not r[YEARLY].overdue  # due 2022-12-31
    assert rows(small_store, 2021, today)[YEARLY].overdue  # last year's, not done
    set_fields(small_store, ONCE, 2022, {"status": "已完成", "completed_on": "2022-06-30"})
    assert not rows(small_store, 2022, today)[ONCE].overdue
    set_fields(small_store, YEARLY, 2021, {"status": "不适用", "na_reason": "本年度无此项工作"})
    assert not rows(small_store, 2021, today)[YEARLY].overdue


def test_not_applicable_needs_a_reason_and_nothing_is_written(small_store):
    with pytest.raises(UserError, match="原因"):
        set_fields(small_store, YEARLY, 2024, {"status": "不适用"})
    with small_store.session() as s:
        assert not load_row(s, YEARLY, 2024).has_assessment
        assert change_log(s) == []


def test_edits_are_logged_and_return_old_values(small_store):
    old = set_fields(small_store, YEARLY, 2024, {"status": "进行中", "owner": "张三"}, user="tester")
    assert old == {"status": Status.NOT_STARTED, "owner": ""}
    old2 = set_fields(small_store, YEARLY, 2024, {"owner": "李四", "note": "已开展3次"}, user="tester")
    assert old2 == {"owner": "张三", "note": ""}
    assert set_fields(small_store, YEARLY, 2024, {"owner": "李四"}) == {}  # no change, no log line
    with small_store.session() as s:
        log = [(c.field, c.old_value, c.new_value, c.user) for c in reversed(change_log(s, YEARLY))]
    assert log == [
        ("status", "未开始", "进行中", "tester"),
        ("owner", "", "张三", "tester"),
        ("owner", "张三", "李四", "tester"),
        ("note", "", "已开展3次", "tester"),
    ]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"status": "完成了"}, "状态"),
        ({"actual": "三次"}, "不是数字"),
        ({"actual": -1}, "负数"),
        ({"completed_on": "2024-02-30"}, "日期"),
        ({"note": "字" * 5001}, "5000"),
    ],
)
def test_bad_values_are_refused_in_chinese(small_store, changes, message):
    with pytest.raises(UserError, match=message):
        set_fields(small_store, YEARLY, 2024, changes)


def test_done_sets_completion_date_when_missing(small_store):
    set_fields(small_store, YEARLY, 2024, {"status": "已完成"}, today=dt.date(2024, 5, 6))
    with small_store.session() as s:
        assert load_row(s, YEARLY, 2024).completed_on == dt.date(2024, 5, 6)


def test_carry_forward_owners_and_notes_never_statuses(small_store):
    set_fields(small_store, YEARLY, 2024, {"status": "已完成", "owner": "王五", "note": "全年学法4次",
                                          "completed_on": "2024-12-20"})
    set_fields(small_store, EVENT, 2024, {"owner": "赵六"})
    assert carry_forward(small_store, 2024, 2025, owners=True, notes=False) == 2
    r = rows(small_store, 2025)
    assert r[YEARLY].owner == "王五" and r[YEARLY].note == "" and r[YEARLY].status is Status.NOT_STARTED
    assert carry_forward(small_store, 2024, 2025, owners=True, notes=True) == 1
    assert rows(small_store, 2025)[YEARLY].note == "全年学法4次"


def test_unknown_item_is_a_user_error(small_store):
    with pytest.raises(UserError, match="找不到"):
        set_fields(small_store, "TT2020-99-99", 2024, {"status": "已完成"})
