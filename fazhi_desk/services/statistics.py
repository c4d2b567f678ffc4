"""Statistics (统计数据): the year's indicator figures, read and written with the change log.

The indicators are the default set (:data:`fazhi_desk.domain.statistics.DEFAULT_INDICATORS`)
plus those installed catalogues define (table ``indicator``). A linked
indicator's figure *is* its item's 实际值: reading it reads the assessment,
writing it writes the assessment through :func:`services.checklist.set_fields`
(same validation, same change log), so the item and the statistic never
disagree (as long as the item's document binds the office and its 计量单位 is
the indicator's: otherwise the indicator keeps its own figure). Other figures
live in ``statistic_value``. Indicators a document defines are listed only
while the document is among the office's 适用文件.

A statistic never changes an item by itself: when a linked figure would
replace an 实际值 that was set by hand (in the checklist, not by an earlier
statistics entry), :func:`set_statistic` raises :class:`ItemValueConflict`
unless the caller passes ``overwrite_item=True`` (the window asks first; the
command line refuses and says how to change the item). The last figure the
statistics wrote to an item is kept in ``statistic_value`` too, which is how
a hand-set value is told from one the statistics set.

Counts are whole numbers, and the declared relations of
:data:`fazhi_desk.domain.statistics.RELATIONS` are checked on entry: a strict
one refuses, the others (and an event item marked 本年度未发生 while a figure
says the event occurred) are returned by :func:`findings` for the caller to
show, and listed in the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.changes import Changes
from fazhi_desk.domain.statistics import (
    CODE_RE,
    DEFAULT_INDICATORS,
    Finding,
    Indicator,
    check_figures,
    show,
    whole_number_problem,
)
from fazhi_desk.errors import UserError
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.models import Assessment, ChangeLog, IndicatorRow, ItemRevision, ItemRow, StatisticValue

LOG_PREFIX = "统计·"


@dataclass(frozen=True)
class SavedFigure:
    """What :func:`set_statistic` stored (``value``) and what it changed: the year's statistics, and the linked
    item's 实际值 when the figure is one."""

    year: int
    code: str
    value: float | None
    linked_item: str | None = None

    @property
    def changes(self) -> Changes:
        c = Changes.statistics_of(self.year)
        return c | Changes.item(self.linked_item, self.year) if self.linked_item else c


@dataclass(frozen=True)
class StatisticEntry:
    """One indicator with its figure in a year."""

    indicator: Indicator
    value: float | None
    linked: bool  # the figure is the linked item's 实际值 (the item is installed)


class ItemValueConflict(UserError):
    """A linked figure would replace an item's 实际值 that was set by hand."""

    def __init__(self, message: str, indicator: Indicator, item_id: str, current: float, new: float | None) -> None:
        super().__init__(message)
        self.indicator = indicator
        self.item_id = item_id
        self.current = current
        self.new = new


def _binding(s: Session) -> tuple[str, ...] | None:
    from fazhi_desk.services.profile import parse_binding
    from fazhi_desk.store.models import Profile

    p = s.get(Profile, 1)
    return parse_binding(p.binding_documents) if p is not None else None


def _live_links(s: Session, inds: list[Indicator]) -> set[str]:
    """The linked items that are installed, whose document binds the office (适用文件), and whose 计量单位 is the
    indicator's (a link between two different measures is no link: each keeps its own figure)."""
    unit = {i.linked_item: i.unit for i in inds if i.linked_item}
    if not unit:
        return set()
    binding = _binding(s)
    rows = s.execute(select(ItemRow.item_id, ItemRow.doc_code, ItemRevision.unit)
                     .join(ItemRevision, ItemRevision.id == ItemRow.current_revision_id, isouter=True)
                     .where(ItemRow.item_id.in_(list(unit)))).all()
    return {i for i, doc, u in rows if (binding is None or doc in binding) and (u or "") == unit[i]}


def indicators(s: Session) -> list[Indicator]:
    """The default set, then catalogue-defined indicators (a catalogue may not redefine a default code).

    Indicators a document defines are listed only while that document binds the office (适用文件).
    """
    out = list(DEFAULT_INDICATORS)
    known = {i.code for i in out}
    binding = _binding(s)
    for doc_code, defined in sorted(installed_indicators(s).items()):
        if binding is None or doc_code in binding:
            out += [i for i in defined if i.code not in known]
    return out


def load_statistics(s: Session, year: int) -> list[StatisticEntry]:
    """Every indicator with its figure for ``year`` (None where nothing was entered)."""
    inds = indicators(s)
    stored = {v.code: v.value for v in s.scalars(select(StatisticValue).where(StatisticValue.year == year))}
    live = _live_links(s, inds)
    actual = dict(s.execute(select(Assessment.item_id, Assessment.actual)
                            .where(Assessment.year == year, Assessment.item_id.in_(live))).all()) if live else {}
    out = []
    for i in inds:
        if i.linked_item in live:
            out.append(StatisticEntry(i, actual.get(i.linked_item), True))
        else:
            out.append(StatisticEntry(i, stored.get(i.code), False))
    return out


def _coerce(ind: Indicator, value: object) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UserError(f"统计指标“{ind.label}”的数值“{value}”不是数字。请输入不小于 0 的数。") from None
    if not math.isfinite(v) or v < 0:
        raise UserError(f"统计指标“{ind.label}”的数值“{value}”无效。请输入不小于 0 的数。")
    why = whole_number_problem(ind, v)
    if why:
        raise UserError(why)
    return v


_show = show


def _values(s: Session, year: int) -> dict[str, float | None]:
    return {e.indicator.code: e.value for e in load_statistics(s, year)}


def _no_event_items(s: Session, year: int) -> set[str]:
    from fazhi_desk.domain.model import Status

    return set(s.scalars(select(Assessment.item_id)
                         .where(Assessment.year == year, Assessment.status == Status.NO_EVENT.value)))


def findings(s: Session, year: int) -> list[Finding]:
    """What does not fit among the year's figures (broken relations, 本年度未发生 items whose event a figure
    counts), in the order of :func:`fazhi_desk.domain.statistics.check_figures`."""
    return check_figures(indicators(s), _values(s, year), _no_event_items(s, year))


def _hand_set(s: Session, ind: Indicator, year: int, v: float | None) -> float | None:
    """The item's 实际值 when ``v`` would replace one set by hand (not by an earlier statistics entry), else None."""
    current = s.scalar(select(Assessment.actual).where(Assessment.item_id == ind.linked_item,
                                                       Assessment.year == year))
    if current is None or current == v:
        return None
    shadow = s.get(StatisticValue, (year, ind.code))
    if shadow is not None and shadow.value == current:
        return None  # the statistics wrote it: the figure is being corrected, not an item's own value
    return current


def set_statistic(store: Store, year: int, code: str, value: object, *, user: str | None = None,
                  overwrite_item: bool = False, reason: str | None = None) -> SavedFigure:
    """Save one figure (None or "" clears it); returns the value stored and what changed (:class:`SavedFigure`).

    A linked indicator writes its item's 实际值 instead (see the module docstring); one that would replace
    an 实际值 set by hand raises :class:`ItemValueConflict` unless ``overwrite_item``. A count must be a whole
    number; a figure breaking a strict relation (出庭 > 应诉) is refused. Warnings: :func:`findings`.
    A year marked 已报送 takes a figure only with a ``reason`` (logged as 更正).
    """
    from fazhi_desk.services.checklist import set_fields

    if not 1990 <= year <= 2100:
        raise UserError(f"年度“{year}”无效\uff0c请输入 1990–2100 之间的年份。")
    with store.session() as s:
        inds = indicators(s)
        by_code = {i.code: i for i in inds}
        ind = by_code.get(code)
        if ind is None:
            raise UserError(f"没有编码为“{code}”的统计指标。")
        v = _coerce(ind, value)
        linked = bool(ind.linked_item) and ind.linked_item in _live_links(s, [ind])
        values = _values(s, year)
        values[code] = v
        for f in check_figures(inds, values):
            if f.strict and code in f.codes:
                raise UserError(f"{year}年度统计数据未保存\uff1a{f.text}。请先核对并改正相关的数字。")
        current = _hand_set(s, ind, year, v) if linked and not overwrite_item else None
    if current is not None:
        raise ItemValueConflict(
            f"统计指标\u201c{ind.label}\u201d就是事项 {ind.linked_item} 的实际值\uff0c该事项 {year} 年度的实际值"
            f"已手工填为 {show(current)}{ind.unit}\uff0c填写 {show(v) or '空'} 会改掉它\uff0c未保存。"
            f"如该事项的实际值确实应改\uff0c请在检查清单中修改它(命令行\uff1afazhi-desk status {ind.linked_item} "
            f"--year {year} --actual {show(v)})\uff1b如两个数不是同一回事\uff0c请核对后再填。",
            ind, ind.linked_item, current, v)
    user = user or current_user()
    if linked:
        set_fields(store, ind.linked_item, year, {"actual": v}, user=user, reason=reason)
        with store.transaction() as s:  # remember what the statistics wrote (see _hand_set)
            row = s.get(StatisticValue, (year, code)) or StatisticValue(year=year, code=code)
            row.value = v
            row.updated_at = timestamp_now()
            s.add(row)
        return SavedFigure(year, code, v, ind.linked_item)
    now = timestamp_now()
    with store.transaction() as s:
        row = s.get(StatisticValue, (year, code))
        before = row.value if row is not None else None
        if before == v:
            return SavedFigure(year, code, v)
        from fazhi_desk.services.submission import record_correction

        record_correction(s, year, None, reason, "统计数据\u201c" + ind.label + "\u201d", user=user, now=now)
        if row is None:
            row = StatisticValue(year=year, code=code)
            s.add(row)
        row.value = v
        row.updated_at = now
        s.add(ChangeLog(at=now, user=user, item_id=None, year=year, field=(LOG_PREFIX + ind.label)[:40],
                        old_value=_show(before), new_value=_show(v)))
    return SavedFigure(year, code, v)


def installed_indicators(s: Session) -> dict[str, tuple[Indicator, ...]]:
    """The indicators each installed catalogue defines (by 文件代码, in the catalogue's order), 适用文件 or not."""
    out: dict[str, list[Indicator]] = {}
    for r in s.scalars(select(IndicatorRow).order_by(IndicatorRow.doc_code, IndicatorRow.sort_key)):
        items = tuple(x for x in r.items.split(",") if x)
        out.setdefault(r.doc_code, []).append(
            Indicator(r.code, r.name, r.unit, r.category, items, r.linked_item, r.doc_code))
    return {k: tuple(v) for k, v in out.items()}


def install_indicators(s: Session, doc_code: str, defined: tuple[Indicator, ...]) -> None:
    """Replace the indicators a catalogue defines (called inside the catalogue import's transaction)."""
    for r in s.scalars(select(IndicatorRow).where(IndicatorRow.doc_code == doc_code)):
        s.delete(r)
    s.flush()
    defaults = {i.code for i in DEFAULT_INDICATORS}
    for n, ind in enumerate(defined):
        if ind.code in defaults or not CODE_RE.match(ind.code):
            continue
        existing = s.get(IndicatorRow, ind.code)
        if existing is not None:  # moved from another document of the same file (preview refuses any other case)
            s.delete(existing)
            s.flush()
        s.add(IndicatorRow(code=ind.code, doc_code=doc_code, name=ind.name, unit=ind.unit, category=ind.category,
                           items=",".join(ind.items), linked_item=ind.linked_item, sort_key=n))


def event_refusal(s: Session, item_id: str, year: int) -> str:
    """Why ``item_id`` cannot be marked 本年度未发生 in ``year`` ("" if it can): a figure of the year that counts its
    event is above 0 (LITIGATION 4 says 应诉 occurred, so SZ2015-22-02 cannot say it did not)."""
    values = _values(s, year)
    for ind in indicators(s):
        v = values.get(ind.code)
        if v and v > 0 and item_id in ind.items and item_id != ind.linked_item:
            return (f"{item_id} {year} 年不能标为\u201c本年度未发生\u201d\uff1a统计数据中\u201c{ind.label}\u201d为 "
                    f"{show(v)}{ind.unit}\uff0c说明该事件本年度已发生。请按实际情况选择已完成或进行中\uff0c"
                    "如统计数字填错了\uff0c请先在\u201c统计数据\u201d中改正。")
    return ""
