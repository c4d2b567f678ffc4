"""报送: a year sent to the county is sealed; an office that starts late; what carry-forward copied.

* **报送.** Exporting the return with 标记为已报送 (``report --submitted``) freezes the year's figures
  with the return's 导出编号 (:func:`mark_submitted`). From then on :func:`load_year
  <fazhi_desk.services.checklist.load_year>` shows the year as it was sent: a later import, the undo
  of one, carry-forward or statistics cannot move it. An edit to the year asks for a reason
  (:func:`record_correction`): it is logged as 更正, the edited items are judged afresh, and the
  next export of the year is the 更正版, naming both 导出编号. :func:`year_state` says 填报中, 已报送
  or 已更正 for the overview.
* **开始使用年度.** A one-time item due before the office's first year here gets one answer
  (:func:`set_prior`): 以前年度已完成 (counted in no year) or 仍需完成 (due in the year chosen).
* **沿用.** Carry-forward marks the fields it copied (:class:`CarriedMarks`) until they are edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fazhi_desk.domain.completion import Completion, Prior, Standing, check_year
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, Status, TownshipRole
from fazhi_desk.errors import UserError
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import CarriedField, ChangeLog, PriorWork, YearSubmission
from fazhi_desk.store.types import now as timestamp_now

SUBMITTED = "报送"
CORRECTION = "更正"
STATE_OPEN = "填报中"
STATE_SUBMITTED = "已报送"
STATE_CORRECTED = "已更正"
MAX_REASON = 2000


class CorrectionReasonRequired(UserError):
    """An edit to a year marked 已报送 without a reason: the window asks for one and saves again."""

    def __init__(self, message: str, year: int, export_id: str) -> None:
        super().__init__(message)
        self.year, self.export_id = year, export_id


# ------------------------------------------------------------------------------------------- 报送


@dataclass(frozen=True)
class YearState:
    """A year's 报送 state, as the overview shows it."""

    year: int
    state: str  # 填报中 / 已报送 / 已更正
    export_id: str = ""  # the newest return sent
    previous_export_id: str = ""  # the return a 更正版 replaced
    submitted_at: dt.datetime | None = None
    reasons: tuple[str, ...] = ()  # why the year was changed after it was sent
    pending: bool = False  # changed after the last return: the next export is a 更正版

    @property
    def sealed(self) -> bool:
        return self.state != STATE_OPEN

    @property
    def text(self) -> str:
        """``2025年:已报送(导出编号 …)`` and, after a correction, what it still needs."""
        if not self.sealed:
            return f"{self.year}年\uff1a{STATE_OPEN}"
        t = f"{self.year}年\uff1a{self.state}(导出编号 {self.export_id}"
        if self.previous_export_id and self.state == STATE_CORRECTED and not self.pending:
            t += f"\uff0c更正前 {self.previous_export_id}"
        t += ")"
        if self.pending:
            t += "\uff1b报送后有更正\uff0c请重新导出更正版报送县里"
        return t


def _rows(s: Session, year: int) -> list[YearSubmission]:
    return list(s.scalars(select(YearSubmission).where(YearSubmission.year == year).order_by(YearSubmission.id)))


def _state(year: int, rows: list[YearSubmission]) -> YearState:
    sent = [r for r in rows if r.export_id]
    if not sent:
        return YearState(year, STATE_OPEN)
    last = sent[-1]
    pending = bool(rows) and not rows[-1].export_id
    corrected = last.kind == CORRECTION or pending
    reasons = tuple(x for r in rows if r.kind == CORRECTION for x in r.reason.split("\n") if x)
    prev = rows[-1].previous_export_id if pending else last.previous_export_id
    return YearState(year, STATE_CORRECTED if corrected else STATE_SUBMITTED, last.export_id, prev,
                     last.submitted_at, reasons, pending)


def year_state(s: Session, year: int) -> YearState:
    return _state(year, _rows(s, year))


def year_states(s: Session) -> dict[int, YearState]:
    """Every year with a return marked 已报送 (years not listed are 填报中)."""
    by: dict[int, list[YearSubmission]] = {}
    for r in s.scalars(select(YearSubmission).order_by(YearSubmission.id)):
        by.setdefault(r.year, []).append(r)
    return {y: _state(y, rows) for y, rows in by.items()}


def load_year_states(store: Store, years: Iterable[int]) -> list[YearState]:
    """The states of ``years`` (for the overview, run through the task runner)."""
    with store.session() as s:
        known = year_states(s)
    return [known.get(y, YearState(y, STATE_OPEN)) for y in years]


def overview_states(store: Store, year: int) -> list[YearState]:
    """The 报送 state of ``year`` and of every year with data or a return (the overview's line)."""
    from fazhi_desk.services.checklist import years_with_data

    with store.session() as s:
        known = year_states(s)
        years = set(years_with_data(s)) | set(known) | {year}
    return [known.get(y, YearState(y, STATE_OPEN)) for y in sorted(years)]


_FIELDS = ("rev", "standing", "overdue", "due", "due_date", "in_scope", "done_in_year", "retired_version",
           "status", "optional", "before_since", "prior")


def _plain(obj) -> dict:  # noqa: ANN001 - an Item or SourceDocument
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, enum.Enum):
            v = v.value
        elif isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, tuple):
            v = list(v)
        out[f.name] = v
    return out


def _item(d: dict) -> Item:
    d = dict(d)
    d["cycle"] = Cycle(d["cycle"])
    d["township_role"] = TownshipRole(d["township_role"]) if d.get("township_role") else None
    d["deadline"] = dt.date.fromisoformat(d["deadline"]) if d.get("deadline") else None
    return Item(**d)


def _document(d: dict) -> SourceDocument:
    d = dict(d)
    d["date"] = dt.date.fromisoformat(d["date"])
    d["notes"] = tuple(d.get("notes") or ())
    return SourceDocument(**d)


class Frozen:
    """A sealed year as it was sent: each listed item's wording, document, values and verdict, and the items
    edited since (with a reason)."""

    def __init__(self, items: dict[str, dict], changed: set[str], docs: dict[str, dict] | None = None) -> None:
        self._items, self._changed, self._docs = items, changed, docs or {}

    def revisions(self, item_ids: list[str] | None = None) -> dict[str, int]:
        keys = self._items if item_ids is None else [k for k in item_ids if k in self._items]
        return {k: self._items[k]["c"][0] for k in keys if self._items[k]["c"][0] is not None}

    def revision(self, item_id: str) -> int | None:
        v = self._items.get(item_id)
        return v["c"][0] if v is not None else None

    def lists(self, item_id: str) -> bool:
        """Whether the item is in the year (as sent, or edited since with a reason)."""
        return item_id in self._items or item_id in self._changed

    def holds(self, item_id: str) -> bool:
        """Whether the item's verdict is the one sent (not edited since)."""
        return item_id in self._items and item_id not in self._changed

    def ids(self) -> list[str]:
        return list(self._items)

    def completion(self, item_id: str) -> Completion:
        d = dict(zip(_FIELDS, self._items[item_id]["c"]))
        return Completion(
            Standing(d["standing"]), due=d["due"], due_date=dt.date.fromisoformat(d["due_date"]),
            overdue=d["overdue"], done_in_year=d["done_in_year"], retired_version=d["retired_version"],
            status=Status(d["status"]), in_scope=d["in_scope"], optional=d["optional"],
            before_since=d["before_since"], prior=Prior(d["prior"]) if d["prior"] else None)

    def row(self, item_id: str, year: int):  # noqa: ANN201 - a ChecklistRow
        """The row as sent, for an item the store no longer has (an undone import took its document away)."""
        from fazhi_desk.services.checklist import ChecklistRow

        e = self._items[item_id]
        status, actual, owner, completed_on, note, na_reason, n_ev, binding = e["a"]
        return ChecklistRow(
            item=_item(e["item"]), document=_document(self._docs[e["item"]["doc_code"]]), year=year, status=Status(status), actual=actual,
            owner=owner, completed_on=dt.date.fromisoformat(completed_on) if completed_on else None, note=note,
            na_reason=na_reason, evidence_count=n_ev, completion=self.completion(item_id), needs_review=False,
            retired=False, has_assessment=True, binding=binding, revision_id=e["c"][0])


def _freeze(rows) -> str:  # noqa: ANN001 - ChecklistRow list
    items, docs = {}, {}
    for r in rows:
        if r.item.doc_code not in docs:
            docs[r.item.doc_code] = _plain(r.document)
        c = r.completion
        items[r.item_id] = {
            "c": [r.revision_id, c.standing.value, c.overdue, c.due, c.due_date.isoformat(), c.in_scope,
                  c.done_in_year, c.retired_version, c.status.value, c.optional, c.before_since,
                  c.prior.value if c.prior else None],
            "a": [r.status.value, r.actual, r.owner, r.completed_on.isoformat() if r.completed_on else None, r.note,
                  r.na_reason, r.evidence_count, r.binding],
            "item": _plain(r.item)}
    return json.dumps({"items": items, "docs": docs}, ensure_ascii=False)


_PARSED: dict[tuple, dict] = {}  # (database, submission id, 导出编号) → its parsed figures (written once)


def frozen_year(s: Session, year: int) -> Frozen | None:
    """The sealed year's figures (None while the year is 填报中).

    The figures of a return are written once; they are parsed once per database and kept, so re-reading
    one row of a sealed year (after an edit) does not parse the whole year again.
    """
    marks = s.execute(select(YearSubmission.id, YearSubmission.export_id).where(YearSubmission.year == year)
                      .order_by(YearSubmission.id)).all()
    sent = [i for i, export_id in marks if export_id]
    if not sent:
        return None
    key = (str(s.get_bind().url), sent[-1], next(e for i, e in marks if i == sent[-1]))
    data = _PARSED.get(key)
    if data is None:
        data = json.loads(s.scalar(select(YearSubmission.figures).where(YearSubmission.id == sent[-1])) or "{}")
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[key] = data
    changed: set[str] = set()
    if not marks[-1][1]:
        pending = s.scalar(select(YearSubmission.figures).where(YearSubmission.id == marks[-1][0]))
        changed = set(json.loads(pending or "{}").get("changed", []))
    return Frozen(data.get("items", {}), changed, data.get("docs", {}))


def mark_submitted(store: Store, year: int, export_id: str, *, today: dt.date | None = None,
                   user: str | None = None) -> YearState:
    """标记为已报送: freeze the year's figures with the return's 导出编号.

    After an edit with a reason the return is the 更正版: the pending 更正 gets this 导出编号 and the
    figures as corrected. A year already sent and not changed since keeps its first 导出编号.
    """
    from fazhi_desk.services.checklist import load_year

    check_year(year)
    if not export_id:
        raise UserError(f"{year} 年的报告没有导出编号\uff0c无法标记为已报送\uff1b请重新导出后再标记。")
    user = user or current_user()
    with store.transaction() as s:
        rows = _rows(s, year)
        state = _state(year, rows)
        if state.sealed and not state.pending:
            return state
        figures = _freeze(load_year(s, year, today, evidence_text=False))
        now = timestamp_now()
        if state.pending:
            row = rows[-1]
            row.export_id, row.figures, row.submitted_at, row.submitted_by = export_id, figures, now, user
            new = f"更正版 {export_id}(更正 {row.previous_export_id})"
        else:
            s.add(YearSubmission(year=year, export_id=export_id, kind=SUBMITTED, previous_export_id="", reason="",
                                 figures=figures, submitted_at=now, submitted_by=user))
            new = f"已报送 {export_id}"
        s.add(ChangeLog(at=now, user=user, item_id=None, year=year, field="submission", old_value=state.state,
                        new_value=new))
        s.flush()
        return year_state(s, year)


def edition(s: Session, year: int) -> tuple[str, str]:
    """(版本, 原导出编号) of the next export of ``year``: ("更正版", the id it corrects) after an edit to a sealed
    year, else ("", "")."""
    st = year_state(s, year)
    if st.pending:
        return "更正版", st.previous_export_id or st.export_id
    return "", ""


def sealed_refusal(s: Session, year: int, what: str) -> str:
    """Why an automatic change (``what``: 沿用上年, 统计数据…) may not touch ``year`` ("" while 填报中)."""
    st = year_state(s, year)
    if not st.sealed:
        return ""
    return (f"{year} 年已报送县里(导出编号 {st.export_id})\uff0c{what}不会改动该年度\uff1b"
            f"确需修改\uff0c请逐项修改并填写更正原因(命令行\uff1a--correction)\uff0c再导出更正版报送。")


def record_correction(s: Session, year: int, item_id: str | None, reason: str | None, what: str, *,
                      user: str, now: dt.datetime) -> None:
    """Inside an edit's transaction: refuse a change to a sealed year without a reason; with one, log 更正.

    A no-op while the year is 填报中.
    """
    rows = _rows(s, year)
    st = _state(year, rows)
    if not st.sealed:
        return
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionReasonRequired(f"{year} 年已报送县里(导出编号 {st.export_id})\uff0c修改{what}须填写更正原因"
                                       f"(命令行\uff1a--correction \u201c原因\u201d)\uff1b未保存。", year, st.export_id)
    if len(reason) > MAX_REASON:
        raise UserError(f"更正原因超过 {MAX_REASON} 字\uff0c请精简后再保存。")
    if rows and not rows[-1].export_id:
        row = rows[-1]
    else:
        row = YearSubmission(year=year, export_id="", kind=CORRECTION, previous_export_id=st.export_id,
                             reason="", figures="{}", submitted_at=now, submitted_by=user)
        s.add(row)
    data = json.loads(row.figures or "{}")
    changed = set(data.get("changed", []))
    if item_id:
        changed.add(item_id)
    row.figures = json.dumps({"changed": sorted(changed)}, ensure_ascii=False)
    if reason not in row.reason.split("\n"):
        row.reason = (row.reason + "\n" + reason).strip("\n")
    s.add(ChangeLog(at=now, user=user, item_id=item_id, year=year, field="correction",
                    old_value=f"已报送 {st.export_id}", new_value=f"更正\uff1a{reason}"))


# ------------------------------------------------------------------------------------ 撤销此次导入

UNDO_MARK = "撤销导入"
def undone_imports(s: Session) -> list[tuple[dt.datetime, str, str, str, str]]:
    """(when, who, 文件代码, what was undone, summary) of every undone import, newest first (version history)."""
    out = []
    for c in s.scalars(select(ChangeLog).where(ChangeLog.field == "catalogue", ChangeLog.item_id.is_(None),
                                               ChangeLog.new_value.startswith(UNDO_MARK))
                       .order_by(ChangeLog.id.desc())):
        code = c.old_value.split(" ", 1)[0]
        out.append((c.at, c.user, code, c.old_value, c.new_value))
    return out


# ------------------------------------------------------------------------------------ 开始使用年度


def prior_answers(s: Session) -> dict[str, tuple[Prior, int | None]]:
    """编号 → (以前年度已完成 / 仍需完成, the year a 仍需完成 item falls due)."""
    out = {}
    for r in s.scalars(select(PriorWork)):
        try:
            out[r.item_id] = (Prior(r.choice), r.due_year)
        except ValueError:
            continue
    return out


def prior_candidates(store: Store, year: int, today: dt.date | None = None) -> list:
    """The office's own rows of ``year`` due before its 开始使用年度 and not answered yet (shown once, grouped)."""
    from fazhi_desk.services.checklist import load_year

    with store.session() as s:
        # the items, not the year's figures: a year already sent keeps its figures whatever is answered here
        return [r for r in load_year(s, year, today, evidence_text=False, as_sent=False)
                if r.completion.awaiting_choice and r.completion.in_scope]


def set_prior(store: Store, item_ids: Iterable[str], choice: Prior | str, *, note: str = "",
              due_year: int | None = None, user: str | None = None) -> int:
    """Answer once for one-time items due before the 开始使用年度: 以前年度已完成 (with an optional note) or
    仍需完成 (due in ``due_year``, default the 开始使用年度). Returns how many were answered."""
    from fazhi_desk.services.profile import read_since
    from fazhi_desk.store.models import ItemRow

    choice = choice if isinstance(choice, Prior) else Prior(str(choice).strip())
    if due_year is not None:
        due_year = check_year(due_year)
    user = user or current_user()
    now = timestamp_now()
    n = 0
    with store.transaction() as s:
        since = read_since(s)
        if since is None:
            raise UserError("尚未设置开始使用年度\uff1b请先在\u201c设置 → 单位信息\u201d中填写"
                            "\uff08命令行\uff1afazhi-desk profile set --since 2025\uff09。")
        for item_id in item_ids:
            if s.get(ItemRow, item_id) is None:
                raise UserError(f"找不到检查事项\u201c{item_id}\u201d。请检查编号是否正确。")
            row = s.get(PriorWork, item_id)
            before = row.choice if row is not None else ""
            if row is None:
                row = PriorWork(item_id=item_id, choice=choice.value, decided_at=now, decided_by=user)
                s.add(row)
            row.choice, row.note, row.decided_at, row.decided_by = choice.value, note.strip(), now, user
            row.due_year = (due_year or since) if choice is Prior.STILL_DUE else None
            s.add(ChangeLog(at=now, user=user, item_id=item_id, year=row.due_year, field="prior",
                            old_value=before, new_value=choice.value + (f"\uff1a{note.strip()}" if note.strip() else "")))
            n += 1
    return n


# ------------------------------------------------------------------------------------------- 沿用


class CarriedMarks:
    """The fields carry-forward copied into a year and nobody has edited since: (item, field) → from year."""

    def __init__(self, marks: dict[str, tuple[tuple[str, int], ...]]) -> None:
        self._marks = marks

    @classmethod
    def read(cls, s: Session, year: int, item_ids: list[str] | None = None) -> "CarriedMarks":
        q = select(CarriedField.item_id, CarriedField.field, CarriedField.from_year).where(CarriedField.year == year)
        if item_ids is not None:
            q = q.where(CarriedField.item_id.in_(item_ids))
        marks: dict[str, list[tuple[str, int]]] = {}
        for item_id, f, y in s.execute(q):
            marks.setdefault(item_id, []).append((f, y))
        return cls({k: tuple(sorted(v)) for k, v in marks.items()})

    def of(self, item_id: str) -> tuple[tuple[str, int], ...]:
        return self._marks.get(item_id, ())


def mark_carried(s: Session, item_id: str, year: int, field: str, from_year: int) -> None:
    row = s.get(CarriedField, (item_id, year, field))
    if row is None:
        s.add(CarriedField(item_id=item_id, year=year, field=field, from_year=from_year))
    else:
        row.from_year = from_year


def clear_carried(s: Session, item_id: str, year: int, fields: Iterable[str]) -> None:
    """An edit to a field ends its 沿用 mark."""
    fields = list(fields)
    if fields:
        s.execute(delete(CarriedField).where(CarriedField.item_id == item_id, CarriedField.year == year,
                                             CarriedField.field.in_(fields)))


def carried_text(from_year: int) -> str:
    return f"沿用自{from_year}年"
