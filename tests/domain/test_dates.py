"""The 完成日期 rule, without a store."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_desk.domain.dates import (
    CompletionDateRequired,
    check_completion_date,
    default_completion_date,
    proposed_completion_date,
)
from fazhi_desk.errors import UserError

TODAY = dt.date(2026, 11, 30)


def test_default_is_today_only_in_the_current_year():
    assert default_completion_date(2026, TODAY) == TODAY
    with pytest.raises(CompletionDateRequired, match="2025 年内"):
        default_completion_date(2025, TODAY)
    with pytest.raises(UserError, match="还没有开始"):
        default_completion_date(2027, TODAY)
    assert proposed_completion_date(2025, TODAY) == dt.date(2025, 12, 31)
    assert proposed_completion_date(2026, TODAY) == TODAY


@pytest.mark.parametrize("d, message", [
    (dt.date(2026, 11, 30), None),
    (dt.date(2025, 12, 31), "不在 2026 年度内"),
    (dt.date(2027, 1, 1), "不在 2026 年度内"),
    (dt.date(2026, 12, 1), "晚于今天"),
])
def test_a_date_lies_in_the_year_and_not_after_today(d, message):
    if message is None:
        check_completion_date(d, 2026, TODAY)
    else:
        with pytest.raises(UserError, match=message):
            check_completion_date(d, 2026, TODAY)
