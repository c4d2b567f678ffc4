"""The completion rule: what an item's assessment means for a year, and how a year is counted.

One rule, used by the dashboard, the checklist tree, the annual report (workbook
and written text) and the command line, so they can never disagree. :func:`judge`
turns an item, a year and the stored status into a :class:`Completion`; :class:`Tally`
adds those up, and :class:`Scope` says which rows a view counts and lists.

The rule, in the words the summary sheet of the report uses:

* 不适用 and 本年度未发生 (a per-event item whose event did not occur) are shown
  but left out of the completion rate.
* An item that does not fall due this year (a biennial item in its off year, an
  item before its first year, any item after its plan's term) and that nobody
  worked on is 本年度不检查, also left out. Off-year work (any status other than
  未开始) counts like any other.
* A one-time item done in an earlier year is history: shown as 已完成(2022年),
  not due again and not counted again (本年度不检查), so a year counts only the
  work that belongs to it.
* 已完成 counts as done, except where the item has a numeric target and the
  actual value misses it (or none was entered): that is 未达标, counted towards
  the rate but not as done.
* 逾期 (overdue): due this year, past its due date, and 未开始 or 进行中.
* An item retired by a catalogue import is, from the year of that import on,
  已退役: shown only where it has an assessment of substance, never due, never counted.
* First years: a document counts from its 施行起始年份 (else its 发布 year), an item from its
  首次年度 (its own, else the year of the catalogue import that added it), never earlier: a plan
  issued in 2026 or an item added by a 2026 revision leaves 2025 as it was.
* An office that starts late (开始使用年度, ``since``): a one-time item whose deadline (or, without
  one, its first year) falls before it is not overdue in every year; the office answers once: 以前年度已完成 (history, counted in no
  year) or 仍需完成 (due in the year it chose). Until it answers the item is 开始使用前到期,待确认,
  not counted.
* 可选 (the 事项内容 says 可/鼓励/有条件的): never overdue, counted only when worked on.
* Scope: only the office's own work counts, that is items of its 适用文件 that the
  township leads or takes part in (not 仅供了解). Other rows are shown on demand
  and counted only by a view that asks for :attr:`Scope.ALL`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fazhi_desk.domain.model import (
    Cycle,
    Item,
    Status,
    due_in_year,
    first_counted_year,
    is_optional,
    year_due_date,
)
from fazhi_desk.errors import UserError

YEAR_MIN = 1990
YEAR_MAX = 2100


def check_year(year: int) -> int:
    """The one year range check: an assessment year must lie in 1990–2100."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise UserError(f"年度“{year}”无效\uff0c应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份。") from None
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise UserError(f"年度“{year}”无效\uff0c应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份。")
    return y


class Standing(str, enum.Enum):
    """What the rule says about an item in a year: its status, refined by due, target and retirement."""

    DONE = "已完成"
    BELOW_TARGET = "未达标"
    IN_PROGRESS = "进行中"
    NOT_STARTED = "未开始"
    NOT_APPLICABLE = "不适用"
    NO_EVENT = "本年度未发生"
    NOT_DUE = "本年度不检查"
    RETIRED = "已退役"

    @property
    def counted(self) -> bool:
        """Whether an item in this standing counts towards the completion rate."""
        return self in _COUNTED

    @property
    def outstanding(self) -> bool:
        """Due and not (fully) done: what the office still owes for the year."""
        return self in (Standing.NOT_STARTED, Standing.IN_PROGRESS, Standing.BELOW_TARGET)


class Prior(str, enum.Enum):
    """The office's one answer for a one-time item due before its 开始使用年度."""

    DONE_BEFORE = "以前年度已完成"  # done before the office used the program: counted in no year
    STILL_DUE = "仍需完成"  # still to do: due in the year the office chose


_COUNTED = frozenset({Standing.DONE, Standing.BELOW_TARGET, Standing.IN_PROGRESS, Standing.NOT_STARTED})

# "15日内", "15个工作日以内", "不超过15日", "不得超过 3 天": the target is a ceiling, not a minimum.
_CEILING_AFTER = "{n}\\s*(?:个)?(?:工作)?{u}\\s*(?:以)?内"
_CEILING_BEFORE = "(?:不超过|不得超过|不多于|最多|至多)\\s*{n}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def target_is_ceiling(item: Item) -> bool:
    """Whether the item's 目标值 is an upper limit (e.g. 15日内报送备案) rather than a minimum."""
    if item.target is None:
        return False
    n = re.escape(_num(item.target_max if item.target_max is not None else item.target))
    u = re.escape(item.unit) if item.unit else ""
    text = item.requirement
    return bool(re.search(_CEILING_AFTER.format(n=n, u=u), text) or re.search(_CEILING_BEFORE.format(n=n), text))


def meets_target(item: Item, actual: float | None) -> bool | None:
    """Whether ``actual`` meets the item's numeric target; None when the item has none.

    No actual value means the target is not shown to be met.
    """
    if item.target is None:
        return None
    if actual is None:
        return False
    if target_is_ceiling(item):
        return actual <= (item.target_max if item.target_max is not None else item.target)
    return actual >= item.target


def below_target_reason(item: Item, actual: float | None) -> str:
    """Why 已完成 would be 未达标 (a sentence for the warning), or "" when the target is met or there is none."""
    if meets_target(item, actual) is not False:
        return ""
    target = item.target_text + item.unit
    if actual is None:
        return f"目标值为 {target},尚未填写实际值,按“未达标”统计,不计入已完成。"
    kind = "超过上限" if target_is_ceiling(item) else "低于目标值"
    return f"实际值 {_num(actual)}{item.unit} {kind} {target},按“未达标”统计,不计入已完成。"


@dataclass(frozen=True)
class Completion:
    """An item's standing in a year, with the dates the rule used."""

    standing: Standing
    due: bool  # falls due this year (never for history, a retired item, or after the plan's term)
    due_date: dt.date
    overdue: bool = False
    done_in_year: int | None = None  # a one-time item done in an earlier year: that year (history, NOT_DUE)
    retired_version: str = ""  # the catalogue version that retired it (only when RETIRED)
    status: Status = Status.NOT_STARTED  # the stored status it was judged from
    in_scope: bool = True  # the office's own work: a binding document, and the township acts (see Scope)
    optional: bool = False  # 可选 (可/鼓励/有条件的): never overdue, counted only when worked on
    before_since: bool = False  # a one-time item due before the office's 开始使用年度
    prior: Prior | None = None  # the office's answer for it (None: not answered yet)

    @property
    def counted(self) -> bool:
        return self.standing.counted

    @property
    def done(self) -> bool:
        return self.standing is Standing.DONE

    @property
    def awaiting_choice(self) -> bool:
        """Due before the office's 开始使用年度 and not answered yet (以前年度已完成 / 仍需完成)."""
        return self.before_since and self.prior is None and self.standing is Standing.NOT_DUE

    @property
    def text(self) -> str:
        """The status as the tree, the report and the command line say it."""
        if self.standing is Standing.NOT_DUE and self.done_in_year is None:
            if self.before_since and self.prior is Prior.DONE_BEFORE:
                return Prior.DONE_BEFORE.value
            if self.awaiting_choice:
                return "开始使用前到期(待确认)"
            if self.optional and self.due:
                return "可选(未开展)"
        return standing_text(self.standing, self.overdue, self.done_in_year, self.retired_version, self.status)


def standing_text(standing: Standing, overdue: bool = False, done_in_year: int | None = None,
                  retired_version: str = "", status: Status | None = None) -> str:
    """``已完成(2022年)``, ``进行中(逾期)``, ``已完成(已退役,版本 2.0)``…"""
    if standing is Standing.RETIRED:
        mark = f"已退役,版本 {retired_version}" if retired_version else "已退役"
        if status is not None and status is not Status.NOT_STARTED:
            return f"{status.value}({mark})"
        return f"已退役(版本 {retired_version})" if retired_version else "已退役"
    if done_in_year is not None:  # history: a one-time item done in an earlier year
        return f"已完成({done_in_year}年)"
    if overdue:
        return f"{standing.value}(逾期)"
    return standing.value


def judge(
    item: Item,
    year: int,
    doc_year: int,
    status: Status,
    actual: float | None,
    today: dt.date,
    *,
    done_in_year: int | None = None,
    retired_version: str | None = None,
    term_end: int | None = None,
    binding: bool = True,
    added_year: int | None = None,
    since: int | None = None,
    prior: Prior | None = None,
    prior_year: int | None = None,
) -> Completion:
    """Apply the completion rule (see the module docstring) to one item in one year.

    ``doc_year`` is the document's first year (:func:`~fazhi_desk.domain.model.document_start`);
    ``added_year`` the year of the catalogue import that added the item (None: it came with the
    document); ``retired_version`` is the version that retired the item, given only when
    ``year`` is the year of that import or later; ``done_in_year`` is the
    earlier year a one-time item was done in; nothing falls due after ``term_end``,
    the last year of the document's term; ``binding``: the item's document is
    among the office's 适用文件 (with the item's 乡镇角色 it decides the scope).
    ``since`` is the office's 开始使用年度; ``prior`` its answer for a one-time item due before it,
    and ``prior_year`` the year a 仍需完成 item falls due in (default ``since``).
    """
    due = due_in_year(item, year, doc_year, term_end, added_year)
    due_date = year_due_date(item, year)
    in_scope = binding and item.township_acts
    optional = is_optional(item)
    # a one-time item is due by its deadline, or (none given) from its first year: before the office's start?
    due_by = item.deadline.year if item.deadline is not None else first_counted_year(item, doc_year, added_year)
    before_since = since is not None and item.cycle is Cycle.ONCE and due_by < since
    if before_since:
        if prior is Prior.STILL_DUE:
            at = prior_year if prior_year is not None else since
            due, due_date = year == at, dt.date(at, 12, 31)
        else:
            due = False

    def c(standing: Standing, **kw: object) -> Completion:
        kw.setdefault("due", due)
        return Completion(standing, due_date=due_date, status=status, in_scope=in_scope, optional=optional,
                          before_since=before_since, prior=prior if before_since else None,
                          **kw)  # type: ignore[arg-type]

    if retired_version is not None:
        return c(Standing.RETIRED, due=False, retired_version=retired_version)
    if status is Status.NOT_APPLICABLE:
        return c(Standing.NOT_APPLICABLE)
    if status is Status.NO_EVENT:
        return c(Standing.NO_EVENT)
    if done_in_year is not None:  # history: done in an earlier year, not due nor counted again
        return c(Standing.NOT_DUE, due=False, done_in_year=done_in_year)
    if before_since and prior is Prior.DONE_BEFORE:  # done before the office's first year: no year counts it
        return c(Standing.NOT_DUE, due=False)
    if status is Status.DONE:
        return c(Standing.BELOW_TARGET if meets_target(item, actual) is False else Standing.DONE)
    if not due or (optional and status is Status.NOT_STARTED):
        if status is Status.NOT_STARTED:
            return c(Standing.NOT_DUE)
        return c(Standing(status.value))  # off-year work counts like any other
    return c(Standing(status.value), overdue=today > due_date and not optional)


def has_substance(status: Status | str, note: str, actual: float | None, evidence_count: int) -> bool:
    """An assessment of substance: a status other than 未开始, a note, an actual value or evidence.

    An owner alone (carried forward from last year) is not. A retired item is listed,
    from the year it was retired in, only where it has one.
    """
    st = status.value if isinstance(status, Status) else status
    return st != Status.NOT_STARTED.value or bool((note or "").strip()) or actual is not None or evidence_count > 0


def status_allowed(item: Item, status: Status) -> str:
    """Why ``status`` cannot be chosen for ``item`` ("" when it can)."""
    if status is Status.NO_EVENT and item.cycle is not Cycle.PER_EVENT:
        return (f"只有周期为“按事件”的事项可以标记为“本年度未发生”;{item.item_id} 的周期是“{item.cycle.value}”。"
                "如本年度确实不需要做,请选“不适用”并填写原因。")
    return ""


class Judged(Protocol):
    """A row a view shows: an item with its verdict for the year (a checklist row)."""

    @property
    def item(self) -> Item: ...

    @property
    def completion(self) -> Completion: ...


J = TypeVar("J", bound=Judged)


class Scope(enum.Enum):
    """Which rows a view counts and lists. Every view asks the rule, none filters on its own.

    ``OFFICE``: the office's own work, :attr:`Completion.in_scope` (its document is among the
    适用文件 and the township leads or takes part, not 仅供了解): what the report, the written
    report, the command line and the tree count. ``ALL``: every row given, what the overview
    counts while 显示全部事项 is ticked.
    """

    OFFICE = "本单位事项"
    ALL = "全部事项"

    def admits(self, c: Completion) -> bool:
        return self is Scope.ALL or c.in_scope

    def select(self, rows: Iterable[J]) -> list[J]:
        """The rows of this scope, in their order."""
        return [r for r in rows if self.admits(r.completion)]


@dataclass
class Tally:
    """Counts of one group (a chapter, a document, the whole year) under the completion rule."""

    label: str = ""
    items: int = 0
    done: int = 0
    below_target: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_applicable: int = 0
    no_event: int = 0
    not_due: int = 0
    retired: int = 0
    overdue: int = 0
    score_total: float = 0.0  # 分值 of the counted items that carry one (a 考核 table's weights)
    score_earned: float = 0.0  # 得分: 分值 of those done
    scored: int = 0  # counted items that carry a 分值

    _FIELD = {
        Standing.DONE: "done", Standing.BELOW_TARGET: "below_target", Standing.IN_PROGRESS: "in_progress",
        Standing.NOT_STARTED: "not_started", Standing.NOT_APPLICABLE: "not_applicable",
        Standing.NO_EVENT: "no_event", Standing.NOT_DUE: "not_due", Standing.RETIRED: "retired",
    }

    def add(self, standing: Standing, overdue: bool = False, score: float | None = None) -> "Tally":
        """Count one item; ``score`` is its 分值, if its document has scores.

        得分: a done item earns its score; 未达标 and unfinished items earn none; items not counted
        (不适用, 本年度未发生, 本年度不检查, 已退役) leave the total as well.
        """
        self.items += 1
        setattr(self, self._FIELD[standing], getattr(self, self._FIELD[standing]) + 1)
        self.overdue += int(overdue)
        if score is not None and standing.counted:
            self.scored += 1
            self.score_total += score
            if standing is Standing.DONE:
                self.score_earned += score
        return self

    def add_completion(self, c: Completion, score: float | None = None) -> "Tally":
        return self.add(c.standing, c.overdue, score)

    @classmethod
    def of(cls, rows: Iterable[Judged], scope: Scope, label: str = "") -> "Tally":
        """The tally of the rows in ``scope`` (rows out of it are left out, not counted as excluded)."""
        t = cls(label)
        for r in rows:
            if scope.admits(r.completion):
                t.add_completion(r.completion, r.item.score)
        return t

    @property
    def applicable(self) -> int:
        """应完成: the items counted towards the rate."""
        return self.done + self.below_target + self.in_progress + self.not_started

    @property
    def excluded(self) -> int:
        """Shown but not counted: 不适用, 本年度未发生, 本年度不检查, 已退役."""
        return self.not_applicable + self.no_event + self.not_due + self.retired

    @property
    def rate(self) -> float | None:
        """已完成 ÷ 应完成; None when nothing is counted."""
        return self.done / self.applicable if self.applicable else None

    def rate_text(self) -> str:
        """完成率 as every view and the report print it: one decimal (4.7%), "—" when nothing is counted."""
        return "—" if self.rate is None else f"{self.rate:.1%}"

    def score_text(self) -> str:
        """``得分 37/45``, or "" when no counted item carries a 分值."""
        if not self.scored:
            return ""
        return f"得分 {_num(self.score_earned)}/{_num(self.score_total)}"


RATE_RULE = ("完成率 = 已完成 ÷ 应完成;应完成 = 事项数 − 不适用 − 本年度未发生 − 本年度不检查 − 已退役。"
             "未达标(已完成但实际值未达到目标值或未填写)计入应完成,不计入已完成。"
             "每两年一次的事项在非检查年度、方案施行期限届满后的事项列为“本年度不检查”,但当年已开展的工作照常统计;"
             "以前年度已完成的一次性事项显示为“已完成(某年)”,列为“本年度不检查”,不再重复计入。"
             "文件自施行起始年份(或发布年份)起、事项自首次年度(或增加它的目录版本导入的年份)起计入,此前年度不计入;"
             "开始使用年度以前到期的一次性事项经确认为“以前年度已完成”的不计入任何年度;"
             "“可选”事项(可、鼓励、有条件的)从不逾期,只有开展了才计入。"
             "只统计本单位适用文件中乡镇牵头或参加的事项,“仅供了解”的事项不计入。"
             "有分值的事项:已完成得该项分值,未达标和未完成不得分,不计入完成率的事项不计入总分。")
