"""Statistics (统计数据): the year's indicator figures, read and written with the change log.

The indicators are the default set (:data:`fazhi_desk.domain.statistics.DEFAULT_INDICATORS`)
plus those installed catalogues define (table ``indicator``). A linked
indicator's figure *is* its item's 实际值: reading it reads the assessment,
writing it writes the assessment through :func:`services.checklist.set_fields`
(same validation, same change log), so the item and the statistic never
disagree (as long as the item's document binds the office: a default
indicator linked to another area's item keeps its own figure). Other figures
live in ``statistic_value``. Indicators a document defines are listed only
while the document is among the office's 适用文件.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.domain.statistics import CODE_RE, DEFAULT_INDICATORS, Indicator
from fazhi_desk.errors import UserError
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Assessment, ChangeLog, IndicatorRow, ItemRow, StatisticValue

LOG_PREFIX = "统计·"


@dataclass(frozen=True)
class StatisticEntry:
    """One indicator with its figure in a year."""

    indicator: Indicator
    value: float | None
    linked: bool  # the figure is the linked item's 实际值 (the item is installed)


def _binding(s: Session) -> tuple[str, ...] | None:
    from fazhi_desk.services.profile import parse_binding
    from fazhi_desk.store.models import Profile

    p = s.get(Profile, 1)
    return parse_binding(p.binding_documents) if p is not None else None


def _live_links(s: Session, item_ids: list[str]) -> set[str]:
    """The linked items that are installed and whose document binds the office (适用文件)."""
    if not item_ids:
        return set()
    binding = _binding(s)
    rows = s.execute(select(ItemRow.item_id, ItemRow.doc_code).where(ItemRow.item_id.in_(item_ids))).all()
    return {i for i, doc in rows if binding is None or doc in binding}


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
    live = _live_links(s, [i.linked_item for i in inds if i.linked_item])
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
    return v


def _show(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def set_statistic(store: Store, year: int, code: str, value: object, *, user: str | None = None) -> float | None:
    """Save one figure (None or "" clears it); returns the value stored.

    A linked indicator writes its item's 实际值 instead (see the module docstring).
    """
    from fazhi_desk.services.checklist import set_fields

    if not 1990 <= year <= 2100:
        raise UserError(f"年度“{year}”无效,请输入 1990–2100 之间的年份。")
    with store.session() as s:
        by_code = {i.code: i for i in indicators(s)}
        ind = by_code.get(code)
        if ind is None:
            raise UserError(f"没有编码为“{code}”的统计指标。")
        linked = bool(ind.linked_item) and ind.linked_item in _live_links(s, [ind.linked_item])
    v = _coerce(ind, value)
    if linked:
        set_fields(store, ind.linked_item, year, {"actual": v}, user=user)
        return v
    user = user or current_user()
    now = dt.datetime.now()
    with store.transaction() as s:
        row = s.get(StatisticValue, (year, code))
        before = row.value if row is not None else None
        if before == v:
            return v
        if row is None:
            row = StatisticValue(year=year, code=code)
            s.add(row)
        row.value = v
        row.updated_at = now
        s.add(ChangeLog(at=now, user=user, item_id=None, year=year, field=(LOG_PREFIX + ind.label)[:40],
                        old_value=_show(before), new_value=_show(v)))
    return v


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
