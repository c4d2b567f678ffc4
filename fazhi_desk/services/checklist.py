"""The year's checklist: items with their assessments, status and field edits, the change log, carrying a year forward."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from fazhi_desk.catalogue.diff import changed_item_fields
from fazhi_desk.changes import NOTHING, Changes
from fazhi_desk.domain.dates import check_completion_date, default_completion_date
from fazhi_desk.domain.completion import Completion, check_year, has_substance, judge, status_allowed
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, Status, document_start
from fazhi_desk.errors import UserError
from fazhi_desk.services import current_user
from fazhi_desk.store.mapping import (
    ITEM_REVISION_FIELDS,
    REVISION_COLUMNS,
    document_from_row,
    item_from_revision,
    item_from_values,
)
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.models import (
    Assessment,
    ChangeLog,
    CatalogueVersion,
    Document,
    EvidenceLink,
    ItemRevision,
    ItemRow,
)

# Fields of an assessment that a user edits, with their Chinese names (change log, messages).
EDITABLE_FIELDS: dict[str, str] = {
    "status": "状态",
    "actual": "实际值",
    "owner": "责任人",
    "completed_on": "完成日期",
    "note": "工作情况说明",
    "na_reason": "不适用原因",
}
# Change-log fields that are not assessment fields.
LOG_FIELD_NAMES: dict[str, str] = {**EDITABLE_FIELDS, "evidence": "佐证材料", "review": "复核", "catalogue": "检查目录",
                                   "correction": "更正", "submission": "报送", "prior": "开始使用前到期",
                                   "restore": "从备份恢复"}
MAX_NOTE = 5000


@dataclass(frozen=True)
class ReviewChange:
    """What the import awaiting 复核 changed in an item: the wording before and after, field by field."""

    old: Item
    new: Item
    old_version: str
    new_version: str
    fields: tuple[str, ...]  # keys of catalogue.diff.ITEM_FIELD_LABELS that differ


@dataclass(frozen=True)
class ChecklistRow:
    """One item in one year, everything the checklist, dashboard and report show."""

    item: Item
    document: SourceDocument
    year: int
    status: Status  # as stored (已完成 for a one-time item done in an earlier year)
    actual: float | None
    owner: str
    completed_on: dt.date | None
    note: str
    na_reason: str
    evidence_count: int
    completion: Completion  # the completion rule's verdict for this year (domain.completion.judge)
    needs_review: bool  # 条文已更新,请复核
    retired: bool  # retired by a catalogue import (in any year)
    has_assessment: bool
    retired_version: str = ""  # the catalogue version that retired it ("" when live)
    evidence_text: str = ""  # the year's evidence file names and descriptions (searched, not shown)
    binding: bool = True  # its document is among the office's 适用文件
    review: ReviewChange | None = None  # while 条文已更新,请复核: what changed (old → new)
    carried: tuple[tuple[str, int], ...] = ()  # (field, year) carry-forward copied and nobody edited since
    revision_id: int | None = None  # the wording (item revision) the row shows
    version: int = 0  # the assessment row's version as read (0: none yet); a save passes it back as seen_version

    def carried_from(self, field: str) -> int | None:
        """The year carry-forward copied ``field`` from (沿用自2025年), None once it was edited."""
        return next((y for f, y in self.carried if f == field), None)

    @property
    def item_id(self) -> str:
        return self.item.item_id

    @property
    def due(self) -> bool:
        """Falls due this year."""
        return self.completion.due

    @property
    def due_date(self) -> dt.date:
        return self.completion.due_date

    @property
    def overdue(self) -> bool:
        return self.completion.overdue

    @property
    def done_in_year(self) -> int | None:
        """A one-time item done in an earlier year: that year."""
        return self.completion.done_in_year

    @property
    def status_text(self) -> str:
        """The status as every view says it (已完成(2022年), 进行中(逾期), 未达标, 已完成(已退役,版本 2.0)…)."""
        return self.completion.text

    @property
    def in_scope(self) -> bool:
        """Whether the row is this office's work: its document binds the office and the township has a part in it
        (not 仅供了解), as the completion rule judged it (``Scope.OFFICE``)."""
        return self.completion.in_scope

    def behind_schedule(self, today: dt.date) -> bool:
        """进度落后: a logged item whose sessions so far are behind an even pace towards its target (1 of 4 by July)."""
        from fazhi_desk.domain.activity import behind_schedule

        return behind_schedule(self.item, self.actual, self.completion, self.year, today)


def _doc_year(doc: SourceDocument) -> int:
    """The document's first year: its 施行起始年份, else its 发布 year (a 2026 plan never counts in 2025)."""
    return document_start(doc)


def added_years(s: Session, item_ids: list[str] | None = None) -> dict[str, int]:
    """Items added to their document by a later catalogue version: 编号 → the year that version was imported.

    Items that came with the document's first version are not listed (they count from the document's year).
    """
    first_of_doc = dict(s.execute(select(CatalogueVersion.doc_code, func.min(CatalogueVersion.id))
                                  .group_by(CatalogueVersion.doc_code)
                                  .having(func.count(CatalogueVersion.id) > 1)).all())
    if not first_of_doc:
        return {}  # every document has its first version only: nothing was added later
    when = {v: at for v, at in s.execute(select(CatalogueVersion.id, CatalogueVersion.imported_at))}
    out: dict[str, int] = {}
    q = (select(ItemRevision.item_id, ItemRow.doc_code, func.min(ItemRevision.version_id))
         .join(ItemRow, ItemRow.item_id == ItemRevision.item_id).where(ItemRow.doc_code.in_(list(first_of_doc)))
         .group_by(ItemRevision.item_id, ItemRow.doc_code))
    if item_ids is not None:
        q = q.where(ItemRevision.item_id.in_(item_ids))
    for item_id, doc_code, first_ver in s.execute(q):
        if first_ver is not None and first_ver != first_of_doc.get(doc_code) and first_ver in when:
            out[item_id] = when[first_ver].year
    return out


# Item fields whose values repeat across a year's rows: shared, not one copy per row (a year of 10,000 items).
_SHARED_AT = tuple(i for i, n in enumerate(ITEM_REVISION_FIELDS)
                   if n in ("chapter", "section", "lead_units", "participating_units", "unit", "evidence_hint",
                            "measure"))


def _shared_values(values: Any, share: Any) -> list:
    v = list(values)
    for i in _SHARED_AT:
        x = v[i]
        if type(x) is str:
            v[i] = share(x, x)
    return v


def load_year(
    s: Session, year: int, today: dt.date | None = None, item_ids: list[str] | None = None, *,
    evidence_text: bool = True, as_sent: bool = True,
) -> list[ChecklistRow]:
    """Every item visible in ``year`` with its assessment, in catalogue order.

    A past year shows each item in the wording its assessment was made under.
    A retired item is shown as it was in the years before the year it was
    retired in; from that year on only where it has an assessment of substance
    (:func:`has_substance`), judged 已退役. ``item_ids`` restricts the result
    (re-reading one row after an edit). ``evidence_text=False`` leaves out the evidence names and
    descriptions the search needs (the report reads the evidence itself).
    """
    today = today or dt.date.today()
    docs: dict[str, SourceDocument] = {}
    for doc in s.scalars(select(Document)):
        ver = s.get(CatalogueVersion, doc.current_version_id) if doc.current_version_id else None
        docs[doc.code] = document_from_row(doc, ver)
    from fazhi_desk.services.profile import parse_binding
    from fazhi_desk.store.models import Profile

    from fazhi_desk.services.profile import read_since
    from fazhi_desk.services.submission import CarriedMarks, frozen_year, prior_answers

    prof = s.get(Profile, 1)
    binding = parse_binding(prof.binding_documents) if prof is not None else None
    added = added_years(s, item_ids)
    since = read_since(s)
    priors = prior_answers(s) if since is not None else {}
    # a year marked 已报送: its figures as sent, until an edit with a reason (``as_sent=False``: judged afresh)
    frozen = frozen_year(s, year) if as_sent else None
    carried = CarriedMarks.read(s, year, item_ids)

    def only(q, col):  # noqa: ANN001, ANN202
        return q.where(col.in_(item_ids)) if item_ids is not None else q

    # Plain column queries (no ORM objects): a year of 10,000 items is read for the annual report.
    assessments = {
        a.item_id: a for a in s.execute(only(
            select(Assessment.item_id, Assessment.revision_id, Assessment.status, Assessment.actual, Assessment.owner,
                   Assessment.completed_on, Assessment.note, Assessment.na_reason, Assessment.version)
            .where(Assessment.year == year),
            Assessment.item_id))
    }
    ev_counts: dict[str, int] = {}
    ev_texts: dict[str, str] = {}  # file names and descriptions, for the search
    texts = (func.aggregate_strings(EvidenceLink.original_name + " " + EvidenceLink.description, "\n") if evidence_text
             else literal(""))
    for item_id, count, text in s.execute(
        only(
            select(Assessment.item_id, func.count(EvidenceLink.id), texts)
            .join(EvidenceLink, EvidenceLink.assessment_id == Assessment.id)
            .where(Assessment.year == year),
            Assessment.item_id,
        ).group_by(Assessment.item_id)
    ):
        ev_counts[item_id] = count
        ev_texts[item_id] = text or ""
    # One-time items done in an earlier year stay done.
    done_before = dict(
        s.execute(
            only(
                select(Assessment.item_id, func.max(Assessment.year))
                .where(Assessment.year < year, Assessment.status == Status.DONE.value),
                Assessment.item_id,
            ).group_by(Assessment.item_id)
        ).all()
    )
    # A revision is read as (id, version_id, *REVISION_COLUMNS); its Item is made only when the row is used.
    # Only the wordings older than the current one are read here (most assessments are under the current one).
    rev_cols = (ItemRevision.id, ItemRevision.version_id, *REVISION_COLUMNS)
    old_revs = {
        r[0]: r for r in s.execute(only(
            select(*rev_cols).join(Assessment, Assessment.revision_id == ItemRevision.id)
            .join(ItemRow, ItemRow.item_id == Assessment.item_id)
            .where(Assessment.year == year, Assessment.revision_id != ItemRow.current_revision_id),
            Assessment.item_id))
    }
    if frozen is not None:  # the wording a sealed year was sent under, for items it has no assessment of
        want = {r for r in frozen.revisions(item_ids).values() if r not in old_revs}
        if want:
            for r in s.execute(select(*rev_cols).where(ItemRevision.id.in_(want))):
                old_revs[r[0]] = r
    version_names = dict(s.execute(select(CatalogueVersion.id, CatalogueVersion.version)).all())
    # the wording before the import that is awaiting 复核: the newest revision older than the current one
    review_prev: dict[str, Any] = {}
    for item_id, *rev in s.execute(only(
            select(ItemRevision.item_id, *rev_cols).join(ItemRow, ItemRow.item_id == ItemRevision.item_id)
            .where(ItemRow.needs_review.is_(True), ItemRevision.id < ItemRow.current_revision_id)
            .order_by(ItemRevision.id), ItemRevision.item_id)):
        review_prev[item_id] = rev
    q = only(
        select(ItemRow.item_id, ItemRow.doc_code, ItemRow.retired_at, ItemRow.retired_in_version_id,
               ItemRow.needs_review, *rev_cols)
        .join(ItemRevision, ItemRevision.id == ItemRow.current_revision_id)
        .order_by(ItemRow.doc_code, ItemRow.sort_key, ItemRow.item_id),
        ItemRow.item_id,
    )
    rows: list[ChecklistRow] = []
    share = {}.setdefault  # one string object for each repeated value (owners, units, chapters, document codes)
    for row in s.execute(q):
        item_id, doc_code, retired_at, retired_in, needs_review = row[:5]
        cur_rev = row[5:]
        a = assessments.get(item_id)
        n_ev = ev_counts.get(item_id, 0)
        retired = retired_at is not None
        retired_version = ""
        retired_now: str | None = None  # the retiring version, from the year of the import on
        if frozen is not None and not frozen.lists(item_id):
            continue  # not in the year as it was sent (added or brought back by a later import)
        if retired:
            retired_version = version_names.get(retired_in, "")
            if year >= retired_at.year and frozen is None:
                if a is None or not has_substance(a.status, a.note, a.actual, n_ev):
                    continue
                retired_now = retired_version
        if a is not None and a.revision_id:
            rev = old_revs.get(a.revision_id, cur_rev)
        elif frozen is not None and frozen.revision(item_id) is not None:
            rev = old_revs.get(frozen.revision(item_id), cur_rev)
        else:
            rev = cur_rev
        doc = docs[doc_code]
        if a is None and frozen is None and year < max(_doc_year(doc), added.get(item_id, 0)):
            continue  # before its document's (or its own catalogue version's) first year: not in that year at all
        item = item_from_values(_shared_values(rev[2:], share), share(doc_code, doc_code))
        status = Status(a.status) if a else Status.NOT_STARTED
        done_in = None
        if item.cycle is Cycle.ONCE and status is not Status.DONE and item_id in done_before:
            done_in = done_before[item_id]
            status = Status.DONE
        actual = a.actual if a else None
        review = None
        prev = review_prev.get(item_id)
        if needs_review and prev is not None:
            before, after = item_from_values(prev[2:], doc_code), item_from_values(cur_rev[2:], doc_code)
            review = ReviewChange(before, after, version_names.get(prev[1], ""),
                                  version_names.get(cur_rev[1], ""), changed_item_fields(before, after))
        binds = binding is None or doc_code in binding
        rows.append(
            ChecklistRow(
                item=item,
                document=doc,
                year=year,
                status=status,
                actual=actual,
                owner=share(a.owner, a.owner) if a else "",
                completed_on=a.completed_on if a else None,
                note=a.note if a else "",
                na_reason=a.na_reason if a else "",
                evidence_count=n_ev,
                completion=(frozen.completion(item_id) if frozen is not None and frozen.holds(item_id) else
                            judge(item, year, _doc_year(doc), status, actual, today, done_in_year=done_in,
                                  retired_version=retired_now, term_end=doc.term_end, binding=binds,
                                  added_year=added.get(item_id), since=since,
                                  prior=priors.get(item_id, (None, None))[0],
                                  prior_year=priors.get(item_id, (None, None))[1])),
                needs_review=needs_review,
                retired=retired,
                has_assessment=a is not None,
                retired_version=retired_version,
                evidence_text=ev_texts.get(item_id, ""),
                binding=binds,
                review=review,
                carried=carried.of(item_id),
                revision_id=rev[0],
                version=a.version if a else 0,
            )
        )
    if frozen is not None:  # a sealed year keeps the items it was sent with, even if an undone import removed them
        seen = {r.item_id for r in rows}
        for item_id in (frozen.ids() if item_ids is None else item_ids):
            if item_id not in seen and frozen.holds(item_id):
                rows.append(frozen.row(item_id, year))
    return rows


def load_row(s: Session, item_id: str, year: int, today: dt.date | None = None) -> ChecklistRow:
    """One item's row (re-read after an edit)."""
    for r in load_year(s, year, today, [item_id]):
        return r
    raise UserError(f"找不到检查事项“{item_id}”\uff08或它在 {year} 年已退役\uff09。请检查编号是否正确。")


def _coerce(field: str, value: Any) -> Any:
    """Validate and normalise one edited field; raises UserError with a Chinese message."""
    name = EDITABLE_FIELDS.get(field)
    if name is None:
        raise UserError(f"不能修改字段“{field}”。")
    if field == "status":
        if isinstance(value, Status):
            return value.value
        try:
            return Status.parse(str(value)).value
        except ValueError:
            raise UserError(status_error(value)) from None
    if field == "actual":
        if value in (None, ""):
            return None
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise UserError(f"实际值“{value}”不是数字。") from None
        if not math.isfinite(v):
            raise UserError(f"实际值“{value}”不是有效的数字\uff0c请填写具体数值\uff08如 4\uff09。")
        if v < 0:
            raise UserError(f"实际值“{value}”不能为负数。")
        return v
    if field == "completed_on":
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise UserError(f"完成日期“{value}”不是有效日期\uff08格式 YYYY-MM-DD\uff09。") from None
    text = "" if value is None else str(value)
    if len(text) > MAX_NOTE:
        raise UserError(f"{name}超过 {MAX_NOTE} 字\uff0c请精简后再保存。")
    return text


def _show(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def ensure_assessment(s: Session, item_id: str, year: int) -> Assessment:
    """The assessment row of an item in a year, created (under the item's current wording) if missing."""
    a = s.scalar(select(Assessment).where(Assessment.item_id == item_id, Assessment.year == year))
    if a is not None:
        return a
    row = s.get(ItemRow, item_id)
    if row is None:
        raise UserError(f"找不到检查事项“{item_id}”。请检查编号是否正确。")
    a = Assessment(item_id=item_id, year=year, revision_id=row.current_revision_id, status=Status.NOT_STARTED.value,
                   owner="", note="", na_reason="")
    s.add(a)
    s.flush()
    return a


def status_error(value: Any) -> str:
    """The message for a status word we do not know (the window, ``status`` and ``list --status`` share it)."""
    return f"状态“{value}”无效,应为 {'/'.join(x.value for x in Status)} 之一。"


def resolve_item_id(s: Session, text: str) -> str:
    """The stored 编号 matching ``text`` (case-insensitive, spaces trimmed); refuses an unknown one."""
    t = (text or "").strip()
    if t and s.get(ItemRow, t) is not None:
        return t
    found = list(s.scalars(select(ItemRow.item_id).where(func.upper(ItemRow.item_id) == t.upper()).limit(2)))
    if len(found) == 1:
        return found[0]
    raise UserError(f"找不到检查事项“{text}”。请检查编号是否正确\uff08可用 fazhi-desk list 查看全部编号\uff09。")


def current_item(s: Session, item_id: str) -> tuple[ItemRow, Item, SourceDocument]:
    """An item's row, its current wording and its document (with the current version)."""
    row = s.get(ItemRow, item_id)
    if row is None or row.current_revision_id is None:
        raise UserError(f"找不到检查事项“{item_id}”。请检查编号是否正确。")
    rev = s.get(ItemRevision, row.current_revision_id)
    doc = s.get(Document, row.doc_code)
    assert rev is not None and doc is not None
    ver = s.get(CatalogueVersion, doc.current_version_id) if doc.current_version_id else None
    return row, item_from_revision(rev, row.doc_code), document_from_row(doc, ver)


def check_item_year(item_id: str, doc: SourceDocument, year: int, today: dt.date | None = None) -> None:
    """Refuse a year outside the document's span: before its term (or its date), after its term, or after next year."""
    check_year(year)
    first = doc.term_start or doc.date.year
    last = (today or dt.date.today()).year + 1
    if doc.term_end is not None:
        last = min(last, doc.term_end)
    if not first <= year <= last:
        span = f"施行期限 {doc.term_text}" if doc.term_end is not None else f"{first}—{last} 年"
        raise UserError(f"{year} 年不在《{doc.title}》的检查年度内\uff08{span}\uff09\uff0c"
                        f"{item_id} 在该年度不能填写。请检查年度\uff08命令行\uff1a--year\uff09。")


def retired_refusal(s: Session, row: ItemRow, year: int) -> str:
    """Why new data for a retired item in ``year`` is refused ("" when it may be saved).

    From the year of the import that retired it on, only an assessment of substance may still be edited.
    """
    if row.retired_at is None or year < row.retired_at.year:
        return ""
    a = s.scalar(select(Assessment).where(Assessment.item_id == row.item_id, Assessment.year == year))
    if a is not None:
        n_ev = s.scalar(select(func.count(EvidenceLink.id)).where(EvidenceLink.assessment_id == a.id)) or 0
        if has_substance(a.status, a.note, a.actual, n_ev):
            return ""
    ver = s.get(CatalogueVersion, row.retired_in_version_id) if row.retired_in_version_id else None
    by = f"{row.doc_code} 目录版本 {ver.version}" if ver else f"{row.doc_code} 的新版目录"
    return (f"检查事项“{row.item_id}”已在 {by}({row.retired_at:%Y-%m-%d} 导入)中退役,{year} 年没有它的完成情况记录,"
            "不能再填写新的内容。以前年度的记录仍保留;如县里恢复了该事项,请导入新版目录。")


class Edited(dict):
    """The old values of the fields an edit changed (what an undo sets back), and what it changed (``changes``)."""

    def __init__(self, old: dict[str, Any], item_id: str, year: int) -> None:
        super().__init__(old)
        self.item_id, self.year = item_id, year

    @property
    def changes(self) -> Changes:
        return Changes.item(self.item_id, self.year) if self else NOTHING


class StaleEdit(UserError):
    """Another desk changed the item since this one read it; nothing was saved (the view must re-read it)."""

    def __init__(self, item_id: str, year: int, who: str) -> None:
        super().__init__(f"另一台电脑\uff08操作人 {who or '未知'}\uff09刚刚修改了此事项\uff08{item_id} {year} 年\uff09\uff0c"
                         "本次修改没有保存\u3002已显示最新内容\uff0c请核对后重新修改\u3002")
        self.item_id, self.year, self.who = item_id, year, who


def _last_editor(s: Session, item_id: str, year: int) -> str:
    return s.scalar(select(ChangeLog.user).where(ChangeLog.item_id == item_id, ChangeLog.year == year)
                    .order_by(ChangeLog.id.desc()).limit(1)) or ""


def assessment_version(store: Store, item_id: str, year: int) -> int:
    """The version of an item's assessment row in a year (0: none yet), to pass back as ``seen_version``."""
    with store.session() as s:
        return s.scalar(select(Assessment.version).where(Assessment.item_id == item_id, Assessment.year == year)) or 0


def set_fields(
    store: Store, item_id: str, year: int, changes: dict[str, Any], *, user: str | None = None,
    today: dt.date | None = None, reason: str | None = None, seen_version: int | None = None,
) -> Edited:
    """:func:`_set_fields`, refusing a stale write: ``seen_version`` is the row's version the caller's view
    showed (:func:`assessment_version`); a row another desk changed since, or changes while this write is on
    its way (SQLAlchemy's ``version_id_col`` raises), is a :class:`StaleEdit` naming that desk's 操作人."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    try:
        return _set_fields(store, item_id, year, changes, user=user, today=today, reason=reason,
                           seen_version=seen_version)
    except (StaleDataError, IntegrityError) as e:
        with store.session() as s:
            rid = resolve_item_id(s, item_id)
            exists = s.scalar(select(Assessment.id).where(Assessment.item_id == rid, Assessment.year == year))
            if isinstance(e, IntegrityError) and exists is None:
                raise
            raise StaleEdit(rid, year, _last_editor(s, rid, year)) from e


def _set_fields(
    store: Store, item_id: str, year: int, changes: dict[str, Any], *, user: str | None = None,
    today: dt.date | None = None, reason: str | None = None, seen_version: int | None = None,
) -> Edited:
    """Save edits to an item's assessment for a year in one transaction; log each change.

    Returns the old values of the changed fields (what an undo sets back), as :class:`Edited`
    (a dict that also says which row changed).
    Marking an item 不适用 requires a reason (given now or already stored); a reason is
    refused for any other status; 本年度未发生 is only for per-event items; an actual
    value only for items with a numeric target. A retired item takes new data only
    where it still has an assessment of substance (:func:`retired_refusal`).
    完成日期 follows :mod:`fazhi_desk.domain.dates`: marking 已完成 dates it today in
    the current year and needs a date for a past year; a date outside the year or
    after ``today`` is refused; only an item that is 已完成 has one, and leaving
    已完成 clears it (returned with the old values, so an undo brings it back).
    A year marked 已报送 takes an edit only with a ``reason`` (logged as 更正; the next export is the 更正版).
    An edit ends the 沿用 mark of the fields it changes.
    """
    from fazhi_desk.services.submission import clear_carried, record_correction

    check_year(year)
    clean = {f: _coerce(f, v) for f, v in changes.items()}
    user = user or current_user()
    today = today or dt.date.today()
    now = timestamp_now()
    with store.transaction() as s:
        item_id = resolve_item_id(s, item_id)
        row, item, doc = current_item(s, item_id)
        check_item_year(item_id, doc, year, today)
        why = retired_refusal(s, row, year)
        if why:
            raise UserError(why)
        if seen_version is not None:
            now_version = s.scalar(select(Assessment.version).where(Assessment.item_id == item_id,
                                                                    Assessment.year == year)) or 0
            if now_version != seen_version:
                raise StaleEdit(item_id, year, _last_editor(s, item_id, year))
        a = ensure_assessment(s, item_id, year)
        new_status = clean.get("status", a.status)
        new_reason = clean.get("na_reason", a.na_reason)
        if "status" in clean:
            why = status_allowed(item, Status(clean["status"]))
            if why and clean["status"] != a.status:
                raise UserError(why)
            if clean["status"] == Status.NO_EVENT.value and clean["status"] != a.status:
                from fazhi_desk.services.statistics import event_refusal

                why = event_refusal(s, item_id, year)
                if why:
                    raise UserError(why)
        if new_status == Status.NOT_APPLICABLE.value and not (new_reason or "").strip():
            raise UserError("标记为“不适用”时必须填写原因。")
        if (clean.get("na_reason") or "").strip() and new_status != Status.NOT_APPLICABLE.value \
                and clean["na_reason"] != a.na_reason:
            raise UserError(f"不适用原因只能在状态为“不适用”时填写\uff08{item_id} {year} 年的状态是“{new_status}”\uff09\uff0c"
                            "原有内容未改动。如确属不适用\uff0c请同时把状态改为“不适用”。")
        if clean.get("actual") is not None and item.target is None:
            raise UserError(f"{item_id} 没有数值目标值\uff0c不能填写实际值。请把完成情况写在工作情况说明中。")
        if "actual" in clean and clean["actual"] != a.actual:
            why = _logged_actual_refusal(s, item_id, year, item.unit, clean["actual"])
            if why:
                raise UserError(why)
        if new_status == Status.DONE.value:
            if clean.get("status") == Status.DONE.value and a.status != Status.DONE.value \
                    and "completed_on" not in clean and a.completed_on is None:
                clean["completed_on"] = default_completion_date(year, today)
        elif clean.get("completed_on") is not None:
            raise UserError(f"只有“已完成”的事项才填写完成日期\uff1a{item_id} {year} 年的状态是“{new_status}”。"
                            "如确已完成\uff0c请同时把状态改为“已完成”。")
        elif "status" in clean and clean["status"] != a.status and a.completed_on is not None:
            clean["completed_on"] = None  # the date goes with 已完成 (an undo brings it back)
        if clean.get("completed_on") is not None:
            check_completion_date(clean["completed_on"], year, today)
        old: dict[str, Any] = {}
        for f, v in clean.items():
            before = getattr(a, f)
            if before == v:
                continue
            old[f] = before
            setattr(a, f, v)
            s.add(ChangeLog(at=now, user=user, item_id=item_id, year=year, field=f,
                            old_value=_show(before), new_value=_show(v)))
        if old:
            a.updated_at = now  # before the queries below flush: one UPDATE of the row, one version step
            if row.current_revision_id:
                a.revision_id = row.current_revision_id
            record_correction(s, year, item_id, reason, "事项 " + item_id, user=user, now=now)
            clear_carried(s, item_id, year, old)
    return Edited({f: (Status(v) if f == "status" and v else v) for f, v in old.items()}, item_id, year)


def _fmt(v: float | None) -> str:
    return "" if v is None else (str(int(v)) if float(v).is_integer() else f"{v:g}")


def item_record(store: Store, item_id: str, year: int, today: dt.date | None = None) -> list[str]:
    """One item's full record for a year, as Chinese lines (``fazhi-desk show``): its text, target,
    status, actual, owner, date, note, evidence, review and retirement state."""
    from fazhi_desk.domain.completion import Standing, below_target_reason

    check_year(year)
    with store.session() as s:
        item_id = resolve_item_id(s, item_id)
        row_db, current, doc = current_item(s, item_id)
        rows = load_year(s, year, today, [item_id])
        r = rows[0] if rows else None
        it = r.item if r is not None else current
        names = list(s.scalars(
            select(EvidenceLink.original_name).join(Assessment, Assessment.id == EvidenceLink.assessment_id)
            .where(Assessment.item_id == item_id, Assessment.year == year).order_by(EvidenceLink.added_at,
                                                                                    EvidenceLink.id)))
        retired_ver = (s.get(CatalogueVersion, row_db.retired_in_version_id)
                       if row_db.retired_in_version_id else None)
    art = f"第{it.article_no}条 {it.article_title}".strip() if it.article_no else it.article_title
    target = f"{it.target_text}{it.unit}" if it.target_text else "(无数值目标)"
    lines = [
        f"编号:{it.item_id}",
        f"文件:{doc.title}({doc.doc_number}),目录版本 {doc.version}",
        f"位置:{' / '.join(p for p in (it.chapter, it.section, art) if p)}",
        f"事项内容:{it.requirement}",
        f"原文:{it.source_passage}",
        f"牵头单位:{it.lead_units}",
        f"参加单位:{it.participating_units}",
        f"适用乡镇:{'是' if it.applies_to_township else '否'}",
        f"周期:{it.cycle.value}",
        f"目标值:{target}",
        f"截止日期:{it.deadline.isoformat() if it.deadline else ''}",
        f"—— {year} 年 ——",
    ]
    if r is None:
        lines.append(f"状态:已退役({year} 年没有该事项的完成情况记录)")
    else:
        c = r.completion
        lines += [
            f"状态:{r.status_text}" + (f"(已登记为“{r.status.value}”)" if c.standing is Standing.BELOW_TARGET else ""),
        ]
        if c.standing is Standing.BELOW_TARGET:
            lines.append(f"未达标原因:{below_target_reason(r.item, r.actual)}")
        lines += [
            f"应完成日期:{c.due_date.isoformat() if c.due else '本年度不检查'}",
            f"实际值:{_fmt(r.actual)}{r.item.unit if r.actual is not None else ''}",
            f"责任人:{r.owner}",
            f"完成日期:{r.completed_on.isoformat() if r.completed_on else ''}",
        ]
        if r.status is Status.NOT_APPLICABLE or r.na_reason:
            lines.append(f"不适用原因:{r.na_reason}")
        lines.append(f"工作情况说明:{r.note}")
    lines.append(f"佐证材料:{len(names)} 个" + ("" if not names else ":" + "、".join(names)))
    lines.append("复核:" + ("条文已更新,待复核" if row_db.needs_review else "无需复核"))
    if row_db.retired_at is not None:
        v = f"{row_db.doc_code} 目录版本 {retired_ver.version}" if retired_ver else "新版目录"
        lines.append(f"退役:已退役({v},{row_db.retired_at:%Y-%m-%d} 导入);"
                     f"{row_db.retired_at.year} 年起不再检查,以前年度的记录保留")
    else:
        lines.append("退役:否")
    return lines


def _logged_actual_refusal(s: Session, item_id: str, year: int, unit: str, value: float | None) -> str:
    """Why a typed 实际值 cannot be saved: the item has sessions in its activity log and their total differs."""
    from fazhi_desk.domain.activity import total_of
    from fazhi_desk.store.models import ActivityRow

    quantities = list(s.scalars(select(ActivityRow.quantity).where(ActivityRow.item_id == item_id,
                                                                    ActivityRow.year == year)))
    if not quantities:
        return ""
    got = total_of(quantities, unit)
    if value == got:
        return ""
    return (f"实际值按活动记录自动统计:{item_id} {year} 年已登记活动,合计 {got:g}{unit}。"
            "如需更改,请在“活动记录”中增加、修改或删除活动(命令行:fazhi-desk activity)。")


def change_log(s: Session, item_id: str | None = None, year: int | None = None, limit: int = 500) -> list[ChangeLog]:
    q = select(ChangeLog).order_by(ChangeLog.id.desc()).limit(limit)
    if item_id:
        q = q.where(ChangeLog.item_id == item_id)
    if year:
        q = q.where(ChangeLog.year == year)
    return list(s.scalars(q))


def years_with_data(s: Session) -> list[int]:
    return list(s.scalars(select(Assessment.year).distinct().order_by(Assessment.year)))


def carry_forward(
    store: Store, from_year: int, to_year: int, *, owners: bool = True, notes: bool = False,
    not_applicable: bool = False, user: str | None = None, today: dt.date | None = None,
) -> int:
    """Copy 责任人 (and optionally notes) of ``from_year`` into ``to_year`` where those are empty.

    With ``not_applicable``, an item 不适用 in ``from_year`` (a structural reason such
    as 本街道非城关镇) becomes 不适用 with the same reason in ``to_year`` where that
    year is still 未开始. No other status is ever carried. Only items due in ``to_year`` (as the
    completion rule judges them) receive anything; each copied field is marked 沿用自<from_year>年
    until edited. A year marked 已报送 is never changed (refused). Returns the number of
    assessments changed.
    """
    from fazhi_desk.services.submission import mark_carried, sealed_refusal

    if not (owners or notes or not_applicable):
        return 0
    user = user or current_user()
    now = timestamp_now()
    n = 0
    with store.transaction() as s:
        why = sealed_refusal(s, to_year, "沿用上年")
        if why:
            raise UserError(why)
        due = {r.item_id for r in load_year(s, to_year, today, evidence_text=False)
               if r.completion.due and not r.retired}
        src = list(s.scalars(select(Assessment).where(Assessment.year == from_year)))
        for a in src:
            if a.item_id not in due:
                continue  # not due that year (off year, history, after its term, retired): nothing to carry
            want = {}
            if owners and a.owner:
                want["owner"] = a.owner
            if notes and a.note:
                want["note"] = a.note
            na = not_applicable and a.status == Status.NOT_APPLICABLE.value and bool(a.na_reason.strip())
            if not (want or na):
                continue
            b = ensure_assessment(s, a.item_id, to_year)
            changed = False
            if na and b.status == Status.NOT_STARTED.value:
                for f, v in (("na_reason", a.na_reason), ("status", Status.NOT_APPLICABLE.value)):
                    s.add(ChangeLog(at=now, user=user, item_id=a.item_id, year=to_year, field=f,
                                    old_value=getattr(b, f), new_value=f"{v}(沿用 {from_year} 年)"))
                    setattr(b, f, v)
                    mark_carried(s, a.item_id, to_year, f, from_year)
                changed = True
            for f, v in want.items():
                if not getattr(b, f):
                    setattr(b, f, v)
                    s.add(ChangeLog(at=now, user=user, item_id=a.item_id, year=to_year, field=f,
                                    old_value="", new_value=f"{v}(沿用 {from_year} 年)"))
                    mark_carried(s, a.item_id, to_year, f, from_year)
                    changed = True
            if changed:
                b.updated_at = now
                n += 1
    return n


def carry_forward_candidates(s: Session, year: int) -> tuple[int, int]:
    """(assessments already in ``year``, assessments of the year before with an owner or a note).

    The window offers to carry the previous year forward when the second is
    non-zero and the first is zero.
    """
    this_year = s.scalar(select(func.count()).select_from(Assessment).where(Assessment.year == year)) or 0
    prev = s.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.year == year - 1, (Assessment.owner != "") | (Assessment.note != "")
        | (Assessment.status == Status.NOT_APPLICABLE.value))) or 0
    return this_year, prev
