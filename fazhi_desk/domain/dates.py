"""The 完成日期 rule: which date an item's completion in a year may carry, and which date it gets by default.

One rule for the window and the command line (both go through
``services.checklist.set_fields``): a completion date lies inside the assessed
year and not after today. Marking an item 已完成 in the current year dates it
today; for a past year nobody can know the date, so the user must give one (the
window proposes the year's last day, the command line asks for
``--completed-on``). A year that has not begun cannot be marked done.
"""

from __future__ import annotations

import datetime as dt

from fazhi_desk.errors import UserError


class CompletionDateRequired(UserError):
    """已完成 for a past year without a completion date: the caller must ask the user for one."""

    def __init__(self, year: int) -> None:
        super().__init__(f"{year} 年度已经过去,标记为“已完成”时请给出 {year} 年内的完成日期。")
        self.year = year


def year_bounds(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last date a completion in ``year`` may carry (the last is today within the current year)."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)


def proposed_completion_date(year: int, today: dt.date) -> dt.date:
    """The date the window proposes when asking: today in the current year, else the year's last day."""
    return today if today.year == year else dt.date(year, 12, 31)


def default_completion_date(year: int, today: dt.date) -> dt.date:
    """The date an item marked 已完成 without one gets: today, when today is in ``year``.

    Raises :class:`CompletionDateRequired` for a past year and a UserError for a
    year that has not begun.
    """
    if year == today.year:
        return today
    if year > today.year:
        raise UserError(f"{year} 年度还没有开始\uff0c不能标记为“已完成”。")
    raise CompletionDateRequired(year)


def check_completion_date(d: dt.date, year: int, today: dt.date) -> None:
    """Refuse a completion date outside the assessed year or after today (a Chinese UserError)."""
    if d.year != year:
        raise UserError(
            f"完成日期 {d.isoformat()} 不在 {year} 年度内\uff1a{year} 年度的事项\uff0c完成日期应在 "
            f"{year}-01-01 至 {year}-12-31 之间。")
    if d > today:
        raise UserError(f"完成日期 {d.isoformat()} 晚于今天\uff08{today.isoformat()}\uff09\uff1a不能填写将来的日期。")
