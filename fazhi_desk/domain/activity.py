"""The activity log (活动台账): one record per session of counted work, and how a year's sessions add up.

Many obligations are counted (每年安排领导干部集中学法不少于4次, 每年组织工作人员法律培训
不少于40学时, 普法活动场次). An office records each session the day it happens: its date,
name, place, who spoke and who attended, a quantity and a note. Once an item has
sessions in a year, its 实际值 for that year is their total:

* the number of sessions, where the item counts occasions (次, 期, 场, 件 …);
* the sum of the sessions' 数量, where the unit measures time or people (学时, 小时, 人次 …),
  each session's 数量 being its hours or its attendance.

Plain values and rules only: the store keeps the sessions, :mod:`fazhi_desk.services.activity`
writes them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from fazhi_desk.errors import UserError

# Units whose total is the sum of the sessions' 数量 (hours, attendance); any other unit counts sessions.
SUMMED_UNITS = frozenset({"学时", "课时", "小时", "人次", "人", "天", "日"})
MAX_TEXT = 2000
MAX_QUANTITY = 1_000_000


def is_summed(unit: str) -> bool:
    """Whether a year's total of this unit adds the sessions' 数量 (学时, 人次…) rather than counting them."""
    return (unit or "").strip() in SUMMED_UNITS


def quantity_label(unit: str) -> str:
    """What the 数量 column means for an item of this unit: 学时, 人次 … or 次数 for counted units."""
    return unit if is_summed(unit) else "次数"


@dataclass(frozen=True)
class Activity:
    """One session in the log (plain values; ``activity_id`` is its number, stable for ``activity remove N``)."""

    activity_id: int
    item_id: str
    year: int
    date: dt.date
    title: str
    place: str = ""
    people: str = ""
    quantity: float = 1.0
    note: str = ""
    evidence_count: int = 0

    @property
    def label(self) -> str:
        return session_label(self.date, self.title)


def session_label(date: dt.date, title: str) -> str:
    """``2025-03-18 学习宪法``: how the change log, messages and the evidence package name a session."""
    return f"{date.isoformat()} {title}"


def total(activities: list[Activity] | tuple[Activity, ...], unit: str) -> float:
    """The year's 实际值 from its sessions: their number, or the sum of their 数量 for 学时/人次 units."""
    return total_of([a.quantity for a in activities], unit)


def total_of(quantities: list[float], unit: str) -> float:
    """:func:`total` from the sessions' 数量 alone (what a plain query of the log gives)."""
    return float(sum(quantities)) if is_summed(unit) else float(len(quantities))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def progress_text(actual: float | None, target_text: str, unit: str) -> str:
    """``3 / 4 次``: the log's total against the item's target, as the tree and panel show it."""
    got = "0" if actual is None else _num(actual)
    return f"{got} / {target_text} {unit}".strip() if target_text else f"{got} {unit}".strip()


def behind_pace(actual: float | None, target: float | None, year: int, today: dt.date) -> bool:
    """进度落后: the year's total is behind an even pace towards the target (e.g. 1 of 4 by July).

    An even pace of ``target`` over the year expects ``target × (elapsed days / days in year)`` by today,
    rounded down to whole sessions; only the current year can be behind (a past year is judged by the
    completion rule, a future one has not started).
    """
    if target is None or target <= 0 or today.year != year:
        return False
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    expected = math.floor(target * ((today - start).days + 1) / days)
    return (actual or 0) < expected


def behind_schedule(item, actual: float | None, completion, year: int, today: dt.date) -> bool:  # noqa: ANN001
    """进度落后: a logged item (计量方式 逐次登记) still owed this year whose total is behind an even pace.

    ``item`` is a domain Item, ``completion`` its :class:`~fazhi_desk.domain.completion.Completion` for
    ``year``. Only items the clerk logs session by session are judged by pace; a ceiling target
    (15日内) has no pace.
    """
    from fazhi_desk.domain.completion import Standing, target_is_ceiling

    if not getattr(item, "logged", False) or item.target is None or target_is_ceiling(item):
        return False
    if completion.standing not in (Standing.NOT_STARTED, Standing.IN_PROGRESS, Standing.BELOW_TARGET):
        return False
    return behind_pace(actual, item.target, year, today)


def check_session(item_id: str, year: int, date: dt.date, title: str, quantity: float, unit: str,
                  today: dt.date, *, place: str = "", people: str = "", note: str = "") -> None:
    """Refuse a session the log cannot hold, with a Chinese message naming the value (nothing is written)."""
    if date.year != year:
        raise UserError(f"活动日期 {date.isoformat()} 不在 {year} 年度内\uff1a{item_id} {year} 年的活动记录\uff0c"
                        f"日期应在 {year}-01-01 至 {year}-12-31 之间。")
    if date > today:
        raise UserError(f"活动日期 {date.isoformat()} 晚于今天\uff08{today.isoformat()}\uff09\uff1a活动记录只登记已经开展的活动\uff0c"
                        "请在活动结束后再登记。")
    if not (title or "").strip():
        raise UserError("请填写活动名称\uff08例如“学习《中华人民共和国宪法》”\uff09。")
    for name, text in (("活动名称", title), ("地点", place), ("主讲/参加人员", people), ("说明", note)):
        if len(text or "") > MAX_TEXT:
            raise UserError(f"{name}超过 {MAX_TEXT} 字\uff0c请精简后再保存。")
    try:
        q = float(quantity)
    except (TypeError, ValueError):
        raise UserError(f"数量“{quantity}”不是数字\uff0c请填写大于 0 的数。") from None
    if not math.isfinite(q) or q <= 0 or q > MAX_QUANTITY:
        raise UserError(f"数量“{quantity}”无效\uff1a应为大于 0 的数\uff08{quantity_label(unit)}\uff09。")
    if not is_summed(unit) and q != 1:
        raise UserError(f"{item_id} 按活动次数统计\uff08计量单位“{unit or '次'}”\uff09\uff0c每条活动记录计 1 次\uff1b"
                        "如开展了多次\uff0c请逐次登记。")


def parse_date(text: str | dt.date, what: str = "活动日期") -> dt.date:
    """``2025-03-18`` (also 2025/3/18, 2025.3.18, 2025年3月18日) as a date, or a Chinese UserError naming it."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    import re

    t = str(text).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", t)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise UserError(f"{what}“{text}”不是有效日期\uff0c请按 YYYY-MM-DD 填写\uff08例如 2025-03-18\uff09。")
