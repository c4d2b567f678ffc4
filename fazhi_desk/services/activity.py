"""The activity log (活动台账): add, edit, remove and list an item's sessions, and keep its 实际值 their total.

Every write is one transaction that also sets the assessment's 实际值 to the log's
total (:func:`fazhi_desk.domain.activity.total`) and records the change in the
change log under the field 活动记录 (with the session's date and title), so every
view that reads 实际值 (tree, overview, report, a linked statistics indicator) reads
the log's total. A removed session can be put back with :func:`restore_activity`
(the window's undo): same number, same fields, same evidence links.

Evidence of a session is an ordinary evidence link of the item and year (listed
under the item as before) that also belongs to the session; removing the session
keeps the files as the item's evidence.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from fazhi_desk.domain.activity import Activity, check_session, parse_date, total
from fazhi_desk.domain.completion import check_year
from fazhi_desk.errors import UserError
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import ActivityEvidence, ActivityRow, Assessment, ChangeLog, EvidenceLink
from fazhi_desk.store.types import now as utc_now

LOG_FIELD = "活动记录"


@dataclass(frozen=True)
class RemovedActivity:
    """What :func:`remove_activity` took away, enough for :func:`restore_activity` to put it back."""

    activity: Activity
    link_ids: tuple[int, ...]


def _item(s: Session, item_id: str, year: int):  # noqa: ANN202 - (item_id, Item, doc)
    from fazhi_desk.services.checklist import check_item_year, current_item, resolve_item_id

    item_id = resolve_item_id(s, item_id)
    row, item, doc = current_item(s, item_id)
    if item.target is None:
        raise UserError(f"{item_id} 没有数值目标值\uff08如“不少于4次”\uff09\uff0c不需要逐次登记活动\uff1b"
                        "请把完成情况写在工作情况说明中\uff0c并添加佐证材料。")
    check_item_year(item_id, doc, year)
    return item_id, item, row


def _to_activity(r: ActivityRow, evidence_count: int = 0) -> Activity:
    return Activity(r.id, r.item_id, r.year, r.date, r.title, r.place, r.people, r.quantity, r.note,
                    evidence_count)


def _activities(s: Session, item_id: str, year: int) -> list[Activity]:
    counts = dict(s.execute(
        select(ActivityEvidence.activity_id, func.count(ActivityEvidence.link_id))
        .join(ActivityRow, ActivityRow.id == ActivityEvidence.activity_id)
        .where(ActivityRow.item_id == item_id, ActivityRow.year == year)
        .group_by(ActivityEvidence.activity_id)).all())
    rows = s.scalars(select(ActivityRow).where(ActivityRow.item_id == item_id, ActivityRow.year == year)
                     .order_by(ActivityRow.date, ActivityRow.id))
    return [_to_activity(r, counts.get(r.id, 0)) for r in rows]


def list_activities(store: Store, item_id: str, year: int) -> list[Activity]:
    """The item's sessions in ``year``, by date."""
    check_year(year)
    with store.session() as s:
        from fazhi_desk.services.checklist import resolve_item_id

        return _activities(s, resolve_item_id(s, item_id), year)


def log_total(s: Session, item_id: str, year: int, unit: str) -> float | None:
    """The log's total for an item's year, or None when it has no sessions (then 实际值 is typed)."""
    acts = _activities(s, item_id, year)
    return total(acts, unit) if acts else None


def _log(s: Session, item_id: str, year: int, user: str, when: dt.datetime, old: str, new: str) -> None:
    s.add(ChangeLog(at=when, user=user, item_id=item_id, year=year, field=LOG_FIELD, old_value=old, new_value=new))


def _sync_actual(s: Session, item_id: str, year: int, unit: str, user: str, when: dt.datetime) -> None:
    """Set the assessment's 实际值 to the log's total (None once the last session is gone), logging a change."""
    from fazhi_desk.services.checklist import _show, ensure_assessment

    s.flush()
    new = log_total(s, item_id, year, unit)
    a = ensure_assessment(s, item_id, year)
    if a.actual != new:
        s.add(ChangeLog(at=when, user=user, item_id=item_id, year=year, field="actual",
                        old_value=_show(a.actual), new_value=_show(new)))
        a.actual = new
    a.updated_at = when


def recount_after_unit_change(s: Session, item_id: str, old_unit: str, new_unit: str, from_year: int,
                              user: str, when: dt.datetime) -> list[int]:
    """A catalogue import moved an item's unit between counted (次) and summed (学时) units: from ``from_year``
    on, each year with sessions gets the log's total under the new unit as its 实际值 (logged like any change).

    The sessions themselves are kept as they are; earlier years keep the wording and figure they were
    assessed under. Returns the years recounted. Runs in the caller's transaction (the import's).
    """
    from fazhi_desk.domain.activity import is_summed

    if is_summed(old_unit) == is_summed(new_unit):
        return []
    years = list(s.scalars(select(ActivityRow.year).where(ActivityRow.item_id == item_id,
                                                          ActivityRow.year >= from_year)
                           .distinct().order_by(ActivityRow.year)))
    for year in years:
        _sync_actual(s, item_id, year, new_unit, user, when)
    return years


def _describe(a: Activity, unit: str) -> str:
    from fazhi_desk.domain.activity import is_summed

    parts = [a.label]
    if is_summed(unit):
        parts.append(f"{a.quantity:g}{unit}")
    return ",".join(parts)


def add_activity(store: Store, item_id: str, year: int, date: str | dt.date, title: str, *,
                 quantity: float = 1.0, place: str = "", people: str = "", note: str = "",
                 user: str | None = None, today: dt.date | None = None, activity_id: int | None = None) -> Activity:
    """Record one session; its item's 实际值 for the year becomes the log's total. Nothing is written on a refusal."""
    check_year(year)
    today = today or dt.date.today()
    day = parse_date(date)
    user = user or current_user()
    when = utc_now()
    with store.transaction() as s:
        item_id, item, _row = _item(s, item_id, year)
        title, place, people, note = (t.strip() for t in (title, place, people, note))
        check_session(item_id, year, day, title, quantity, item.unit, today, place=place, people=people, note=note)
        row = ActivityRow(item_id=item_id, year=year, date=day, title=title, place=place, people=people,
                          quantity=float(quantity), note=note, created_at=when, created_by=user)
        if activity_id is not None:
            row.id = activity_id
        s.add(row)
        s.flush()
        act = _to_activity(row)
        _log(s, item_id, year, user, when, "", "新增:" + _describe(act, item.unit))
        _sync_actual(s, item_id, year, item.unit, user, when)
    return act


def update_activity(store: Store, activity_id: int, *, user: str | None = None, today: dt.date | None = None,
                    **fields: object) -> tuple[Activity, Activity]:
    """Change fields of a session (date, title, place, people, quantity, note); returns (before, after)."""
    allowed = {"date", "title", "place", "people", "quantity", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise UserError(f"活动记录没有“{'、'.join(sorted(unknown))}”这一项。")
    today = today or dt.date.today()
    user = user or current_user()
    when = utc_now()
    with store.transaction() as s:
        row = _get(s, activity_id)
        _i, item, _r = _item(s, row.item_id, row.year)
        before = _to_activity(row)
        after = replace(before, **{k: (parse_date(v) if k == "date" else
                                      (float(v) if k == "quantity" else str(v).strip()))  # type: ignore[arg-type]
                                   for k, v in fields.items()})
        check_session(row.item_id, row.year, after.date, after.title, after.quantity, item.unit, today,
                      place=after.place, people=after.people, note=after.note)
        if after == before:
            return before, after
        for k in fields:
            setattr(row, k, getattr(after, k))
        row.updated_at = when
        _log(s, row.item_id, row.year, user, when, _describe(before, item.unit), "修改为:" + _describe(after, item.unit))
        _sync_actual(s, row.item_id, row.year, item.unit, user, when)
    return before, after


def _get(s: Session, activity_id: int) -> ActivityRow:
    try:
        n = int(activity_id)
    except (TypeError, ValueError):
        raise UserError(f"活动记录编号“{activity_id}”无效\uff0c应为数字\uff08见 fazhi-desk activity list\uff09。") from None
    row = s.get(ActivityRow, n)
    if row is None:
        raise UserError(f"没有编号为 {n} 的活动记录\uff08可能已删除\uff09。请用 fazhi-desk activity list 事项编号 --year 年度 查看。")
    return row


def get_activity(store: Store, activity_id: int) -> Activity:
    with store.session() as s:
        row = _get(s, activity_id)
        n = s.scalar(select(func.count()).select_from(ActivityEvidence)
                     .where(ActivityEvidence.activity_id == row.id)) or 0
        return _to_activity(row, n)


def remove_activity(store: Store, activity_id: int, *, user: str | None = None) -> RemovedActivity:
    """Remove a session (its files stay as the item's evidence); the 实际值 follows the log."""
    user = user or current_user()
    when = utc_now()
    with store.transaction() as s:
        row = _get(s, activity_id)
        _i, item, _r = _item(s, row.item_id, row.year)
        links = tuple(s.scalars(select(ActivityEvidence.link_id).where(ActivityEvidence.activity_id == row.id)))
        act = _to_activity(row, len(links))
        s.execute(delete(ActivityEvidence).where(ActivityEvidence.activity_id == row.id))
        s.delete(row)
        _log(s, act.item_id, act.year, user, when, _describe(act, item.unit), "已删除")
        _sync_actual(s, act.item_id, act.year, item.unit, user, when)
    return RemovedActivity(act, links)


def restore_activity(store: Store, removed: RemovedActivity, *, user: str | None = None) -> Activity:
    """Put a removed session back (the window's undo): same number, fields and evidence links that still exist."""
    a = removed.activity
    user = user or current_user()
    when = utc_now()
    with store.transaction() as s:
        if s.get(ActivityRow, a.activity_id) is not None:
            raise UserError(f"编号为 {a.activity_id} 的活动记录已经存在\uff0c无需恢复。")
        _i, item, _r = _item(s, a.item_id, a.year)
        s.add(ActivityRow(id=a.activity_id, item_id=a.item_id, year=a.year, date=a.date, title=a.title,
                          place=a.place, people=a.people, quantity=a.quantity, note=a.note,
                          created_at=when, created_by=user))
        s.flush()
        alive = set(s.scalars(select(EvidenceLink.id).where(EvidenceLink.id.in_(removed.link_ids))))
        for link_id in removed.link_ids:
            if link_id in alive:
                s.add(ActivityEvidence(activity_id=a.activity_id, link_id=link_id))
        _log(s, a.item_id, a.year, user, when, "", "恢复:" + _describe(a, item.unit))
        _sync_actual(s, a.item_id, a.year, item.unit, user, when)
    return replace(a, evidence_count=len(alive))


def link_evidence(store: Store, activity_id: int, link_ids: Sequence[int]) -> int:
    """Make evidence links of the session's item and year belong to the session; returns how many were new."""
    with store.transaction() as s:
        row = _get(s, activity_id)
        ok = set(s.scalars(
            select(EvidenceLink.id).join(Assessment, Assessment.id == EvidenceLink.assessment_id)
            .where(EvidenceLink.id.in_(list(link_ids)), Assessment.item_id == row.item_id,
                   Assessment.year == row.year)))
        bad = [i for i in link_ids if i not in ok]
        if bad:
            raise UserError(f"佐证材料 {bad[0]} 不属于事项 {row.item_id}\uff08{row.year} 年\uff09\uff0c不能归入这条活动记录。")
        have = set(s.scalars(select(ActivityEvidence.link_id).where(ActivityEvidence.activity_id == row.id)))
        new = [i for i in link_ids if i not in have]
        for i in new:
            s.add(ActivityEvidence(activity_id=row.id, link_id=i))
    return len(new)


def attach_files(ctx, store: Store, activity_id: int, paths: Sequence[str | os.PathLike[str]]):  # noqa: ANN001, ANN201
    """Attach files as the item's evidence for the year and make them the session's (签到表, 照片)."""
    from fazhi_desk.services.evidence import attach

    act = get_activity(store, activity_id)
    summary = attach(ctx, store, act.item_id, act.year, paths, doc_date=act.date)
    shas = [f.sha256 for f in summary.added]
    if shas:
        with store.session() as s:
            ids = list(s.scalars(
                select(EvidenceLink.id).join(Assessment, Assessment.id == EvidenceLink.assessment_id)
                .where(Assessment.item_id == act.item_id, Assessment.year == act.year,
                       EvidenceLink.sha256.in_(shas))))
        link_evidence(store, activity_id, ids)
    return summary


def activity_lines(store: Store, item_id: str, year: int) -> list[str]:
    """The year's sessions and the 实际值 they add up to, as Chinese lines (``fazhi-desk show``)."""
    from fazhi_desk.domain.activity import progress_text
    from fazhi_desk.services.checklist import current_item, resolve_item_id

    with store.session() as s:
        item_id = resolve_item_id(s, item_id)
        _row, item, _doc = current_item(s, item_id)
        acts = _activities(s, item_id, year)
    if item.target is None:
        return []
    if not acts:
        return ["活动记录:无(实际值按填写的数值统计)"]
    lines = [f"活动记录:{len(acts)} 次,实际值按活动记录自动统计为 "
             f"{progress_text(total(acts, item.unit), item.target_text, item.unit)}"]
    for a in acts:
        q = f",{a.quantity:g}{item.unit}" if a.quantity != 1 else ""
        lines.append(f"  {a.activity_id}. {a.date.isoformat()} {a.title}{q}")
    return lines
