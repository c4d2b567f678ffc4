"""The written annual report (年度报告): its sections in the store, drafting them, exporting the .docx.

Each year has five sections (:data:`fazhi_desk.domain.annual.SECTIONS`). A section
nobody has typed into is not stored: it is drafted afresh whenever it is shown
or exported, so its figures are always the workbook's. Once the clerk edits a
section, the store keeps the text and the draft it was compared with; a
paragraph left as drafted still follows the data, a paragraph the clerk changed
is kept, and flagged (:class:`fazhi_desk.domain.annual.Stale`) when the figures
of its place in the draft have changed since (:func:`fazhi_desk.domain.annual.compose`).
Viewing never writes. Regenerating replaces an edited section only when told to
(after asking). Every saved change is in the change log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.domain.annual import (
    SECTIONS,
    SECTION_TITLES,
    AnnualDocument,
    SectionText,
    SectionView,
    Stale,
    StatisticFigure,
    compose,
    fullwidth,
    placeholders,
)
from fazhi_desk.domain.completion import Scope
from fazhi_desk.domain.model import Cycle, SourceDocument
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.evidence_package import base_name
from fazhi_desk.reports.drafts import DraftActivity, DraftFigure, DraftInput, DraftRow, draft_all
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import ActivityRow, AnnualReport, AnnualSection, Assessment, ChangeLog, EvidenceLink
from fazhi_desk.store.types import now as timestamp_now

MAX_SECTION = 50_000
LOG_PREFIX = "年度报告·"


@dataclass(frozen=True)
class AnnualText:
    year: int
    sections: tuple[SectionText, ...]
    submit_date: dt.date | None

    def section(self, key: str) -> SectionText:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


@dataclass(frozen=True)
class Regenerated:
    """What :func:`regenerate` did: sections replaced, and edited sections left alone (ask before replacing)."""

    replaced: tuple[str, ...]
    kept_edited: tuple[str, ...]


def _check_year(year: int) -> None:
    if not 1990 <= year <= 2100:
        raise UserError(f"年度“{year}”无效\uff0c请输入 1990–2100 之间的年份。")


def _check_key(key: str) -> None:
    if key not in SECTION_TITLES:
        raise UserError(f"年度报告没有“{key}”这一部分。")


def load_annual_text(store: Store, year: int) -> AnnualText:
    with store.session() as s:
        return _load(s, year)


def _load(s: Session, year: int) -> AnnualText:
    rows = {r.key: r for r in s.scalars(select(AnnualSection).where(AnnualSection.year == year))}
    rep = s.get(AnnualReport, year)
    secs = tuple(SectionText(k, rows[k].text, rows[k].draft) if k in rows else SectionText(k) for k, _t in SECTIONS)
    return AnnualText(year, secs, rep.submit_date if rep else None)


def _log(s: Session, year: int, what: str, old: str, new: str, user: str, now: dt.datetime) -> None:
    s.add(ChangeLog(at=now, user=user, item_id=None, year=year, field=(LOG_PREFIX + what)[:40],
                    old_value=old, new_value=new))


def save_section(store: Store, year: int, key: str, text: str, *, draft: str | None = None,
                 user: str | None = None, today: dt.date | None = None) -> bool:
    """Save the clerk's text of one section; returns whether anything changed.

    ``draft`` is the drafted text the clerk's text is compared with (the tab passes the
    :attr:`SectionView.base` it showed); without it, the section as it shows now is the base.
    Text equal to its base is no edit: the section stays drafted (live) and nothing is stored.
    """
    _check_year(year)
    _check_key(key)
    if len(text) > MAX_SECTION:
        raise UserError(f"“{SECTION_TITLES[key]}”超过 {MAX_SECTION} 字\uff0c请精简后再保存。")
    if draft is None:
        draft = section_views(store, year, today, keys=(key,))[key].base
    user = user or current_user()
    now = timestamp_now()
    with store.transaction() as s:
        row = s.get(AnnualSection, (year, key))
        old = row.text if row else ""
        if _lines(text) == _lines(draft):  # as drafted: no edit (a stored edit is undone)
            if row is None:
                return False
            s.delete(row)
            _log(s, year, SECTION_TITLES[key], old, "(恢复为程序起草)", user, now)
            return True
        if old == text and row is not None and row.draft == draft:
            return False
        if row is None:
            row = AnnualSection(year=year, key=key, text="", draft="")
            s.add(row)
        row.text = text
        row.draft = draft
        row.updated_at = now
        if old != text:
            _log(s, year, SECTION_TITLES[key], old, text, user, now)
    return True


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def set_submit_date(store: Store, year: int, when: dt.date | None, *, user: str | None = None) -> None:
    """报送日期 of the year's report (distinct from the date the files are generated)."""
    _check_year(year)
    if when is not None and not (dt.date(year, 1, 1) <= when <= dt.date(year + 1, 12, 31)):
        raise UserError(f"报送日期 {when:%Y-%m-%d} 不在 {year} 年至 {year + 1} 年之间\uff0c请检查。")
    user = user or current_user()
    now = timestamp_now()
    with store.transaction() as s:
        rep = s.get(AnnualReport, year)
        old = rep.submit_date if rep else None
        if old == when:
            return
        if rep is None:
            rep = AnnualReport(year=year)
            s.add(rep)
        rep.submit_date = when
        rep.updated_at = now
        _log(s, year, "报送日期", old.isoformat() if old else "", when.isoformat() if when else "", user, now)


def draft_input(store: Store, year: int, today: dt.date | None = None) -> DraftInput:
    """The year's data as the drafts need it (see :mod:`fazhi_desk.reports.drafts`).

    Every row is judged by the completion rule, in the office's scope: this year's rows with their
    standing; next year's plan is the rows judged due next year and still to do (not an ongoing
    持续 item, which is no new arrangement); a document is cited for a year only while in force.
    The year's sessions (activity log) and evidence names are read in one query each.
    """
    from fazhi_desk.services.checklist import load_year
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.report_template import read_template
    from fazhi_desk.services.statistics import load_statistics

    today = today or dt.date.today()
    office = get_profile(store).office_name or "本单位"
    with store.session() as s:
        rows = Scope.OFFICE.select(load_year(s, year, today, evidence_text=False))
        stats = load_statistics(s, year)
        figures = tuple(DraftFigure(e.indicator.code, e.indicator.category, e.indicator.name, e.indicator.unit,
                                    e.value) for e in stats)
        nxt = Scope.OFFICE.select(load_year(s, year + 1, today, evidence_text=False))
        in_scope = {r.item_id for r in rows}
        activities = tuple(
            DraftActivity(a.item_id, a.date, a.title, a.quantity)
            for a in s.execute(select(ActivityRow.item_id, ActivityRow.date, ActivityRow.title, ActivityRow.quantity)
                               .where(ActivityRow.year == year).order_by(ActivityRow.date, ActivityRow.id))
            if a.item_id in in_scope)
        evidence: dict[str, list[str]] = {}
        for item_id, name in s.execute(select(Assessment.item_id, EvidenceLink.original_name)
                                       .join(EvidenceLink, EvidenceLink.assessment_id == Assessment.id)
                                       .where(Assessment.year == year).order_by(EvidenceLink.id)):
            evidence.setdefault(item_id, []).append(base_name(name))  # "会议/通知.pdf": the file name
        template = read_template(s)
    names = {}
    for e in stats:  # a linked indicator names its item's sessions (集中学法)
        if e.indicator.linked_item:
            names[e.indicator.linked_item] = e.indicator.category
    docs = {r.document.code: r.document for r in rows}
    next_docs = {r.document.code: r.document for r in nxt}

    def cite(ds: dict[str, SourceDocument], y: int) -> tuple[tuple[str, str], ...]:
        return tuple((d.title, d.doc_number) for d in ds.values() if d.in_force(y))

    ended = tuple((d.title, d.doc_number) for d in docs.values() if d.in_force(year) and not d.in_force(year + 1))
    next_rows = tuple(_draft_row(r) for r in nxt if planned(r))
    return DraftInput(office, year, cite(docs, year), tuple(_draft_row(r) for r in rows), next_rows, figures,
                      next_documents=cite(next_docs, year + 1), ended_documents=ended, activities=activities,
                      evidence_titles={k: tuple(v) for k, v in evidence.items()}, activity_names=names,
                      headings=dict(template.headings))


def planned(r) -> bool:  # noqa: ANN001 - a checklist row of next year
    """Whether next year's plan lists the row: the rule judges it due that year and still to do (an ongoing
    持续 item is no new arrangement)."""
    return r.due and r.completion.standing.outstanding and r.item.cycle is not Cycle.ONGOING


def _draft_row(r) -> DraftRow:  # noqa: ANN001 - a checklist row
    it = r.item
    return DraftRow(r.document.title, it.chapter, it.section, it.requirement, r.completion.standing, r.overdue,
                    r.actual, it.target_text, it.unit, r.note, r.due_date, r.evidence_count, it.item_id,
                    it.article_title)


def drafts(store: Store, year: int, today: dt.date | None = None) -> dict[str, str]:
    """Freshly assembled drafts of all five sections (nothing is stored)."""
    return draft_all(draft_input(store, year, today))


def section_views(store: Store, year: int, today: dt.date | None = None,
                  keys: tuple[str, ...] | None = None) -> dict[str, SectionView]:
    """Each section as it reads now: stored edits kept, drafted paragraphs live, stale figures flagged.

    Reads only; this is what the tab shows, ``report text show`` prints and the .docx holds.
    """
    _check_year(year)
    fresh = drafts(store, year, today)
    stored = load_annual_text(store, year)
    return {sec.key: compose(sec.key, sec.text, sec.draft, fresh[sec.key])
            for sec in stored.sections if keys is None or sec.key in keys}


@dataclass(frozen=True)
class AnnualView:
    """What the 年度报告 tab shows for a year (read off the UI thread; nothing is written)."""

    year: int
    sections: tuple[SectionView, ...]
    submit_date: dt.date | None

    def section(self, key: str) -> SectionView:
        return next(s for s in self.sections if s.key == key)

    @property
    def stale(self) -> tuple[Stale, ...]:
        return tuple(x for s in self.sections for x in s.stale)


def annual_view(store: Store, year: int, today: dt.date | None = None) -> AnnualView:
    views = section_views(store, year, today)
    return AnnualView(year, tuple(views[k] for k, _t in SECTIONS), load_annual_text(store, year).submit_date)


def regenerate(store: Store, year: int, keys: tuple[str, ...] | None = None, *,
               overwrite: tuple[str, ...] = (), today: dt.date | None = None,
               user: str | None = None) -> Regenerated:
    """Put the sections ``keys`` (default: all) back to the program's draft.

    A section nobody edited is the draft already (nothing is written). A section the clerk edited is
    replaced only when its key is in ``overwrite``; otherwise it is left as it is and named in
    :attr:`Regenerated.kept_edited`, so the caller can ask and call again.
    """
    _check_year(year)
    keys = keys or tuple(k for k, _t in SECTIONS)
    for k in keys:
        _check_key(k)
    views = section_views(store, year, today)
    user = user or current_user()
    now = timestamp_now()
    replaced: list[str] = []
    kept: list[str] = []
    with store.transaction() as s:
        for k in keys:
            row = s.get(AnnualSection, (year, k))
            if row is None:
                continue
            if views[k].edited and k not in overwrite:
                kept.append(k)
                continue
            _log(s, year, SECTION_TITLES[k], row.text, "(恢复为程序起草)", user, now)
            s.delete(row)
            replaced.append(k)
    return Regenerated(tuple(replaced), tuple(kept))


@dataclass(frozen=True)
class Unfinished:
    """Something a reviewer should not receive: a 【请填写…】 left, a blank 单位负责人, a stale paragraph."""

    text: str

    def __str__(self) -> str:
        return self.text


def annual_document(store: Store, year: int, today: dt.date | None = None) -> AnnualDocument:
    """What the .docx shows: every section as it reads now (see :func:`section_views`)."""
    return _document(store, year, today)[0]


def _document(store: Store, year: int, today: dt.date | None) -> tuple[AnnualDocument, tuple[Unfinished, ...]]:
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.report_template import get_template
    from fazhi_desk.services.statistics import load_statistics

    _check_year(year)
    today = today or dt.date.today()
    prof = get_profile(store)
    if not prof.is_set:
        raise UserError(
            "尚未设置单位信息\uff08乡镇/街道名称\uff09\uff0c报告无法注明报送单位。"
            "请先在“设置 → 单位信息”中填写\uff08命令行\uff1afazhi-desk profile set --office 名称 --county 县\uff09。"
        )
    views = section_views(store, year, today)
    secs = tuple(SectionText(k, views[k].text, views[k].base) for k, _t in SECTIONS)
    with store.session() as s:
        figs = tuple(StatisticFigure(e.indicator.category, e.indicator.name, e.indicator.unit, e.value)
                     for e in load_statistics(s, year))
    tpl = get_template(store)
    submit = load_annual_text(store, year).submit_date
    doc = AnnualDocument(prof.office_name, prof.county, year, secs, submit or today, figs,
                         opening=fullwidth(tpl.opening_for(prof.office_name, year)), closing=fullwidth(tpl.closing))
    problems: list[Unfinished] = []
    for k, _t in SECTIONS:
        left = placeholders(views[k].text)
        if left:
            problems.append(Unfinished(f"“{SECTION_TITLES[k]}”中还有 {len(left)} 处待填写:{'、'.join(left[:3])}"
                                    f"{'等' if len(left) > 3 else ''}"))
        problems += [Unfinished(x.message()) for x in views[k].stale]
    if not prof.leader.strip():
        problems.append(Unfinished("单位信息中的“单位负责人”为空(设置 → 单位信息;命令行 profile set --leader 姓名)"))
    return doc, tuple(problems)


def report_problems(store: Store, year: int, today: dt.date | None = None) -> tuple[Unfinished, ...]:
    """What should be finished before the report goes to the county (the window asks, the CLI refuses)."""
    return _document(store, year, today)[1]


class UnfinishedReport(UserError):
    """The written report still has placeholders, a blank 单位负责人 or stale figures."""

    def __init__(self, year: int, unfinished: tuple[Unfinished, ...]) -> None:
        super().__init__(f"{year} 年度文字报告尚未完成,未导出。请在“年度报告”页或用 fazhi-desk report text set "
                         "修改下列内容后再导出;确需先导出草稿的,加 --allow-placeholders:", list(unfinished))


def export_docx(ctx: JobContext, store: Store, year: int, out_path: Path | str,
                today: dt.date | None = None, *, allow_unfinished: bool = True) -> Path:
    """Write the year's written report to ``out_path`` (.docx, temp name, fsync, rename).

    With ``allow_unfinished=False`` a report with :func:`report_problems` is refused
    (:class:`UnfinishedReport`) before anything is written.
    """
    from fazhi_desk.reports.docx import write_docx
    from fazhi_desk.reports.output import check_writable

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".docx":
        raise UserError(f"文字报告文件名“{out_path.name}”应以 .docx 结尾。")
    check_writable(out_path)
    ctx.progress(0, 2, "正在整理年度报告……")
    doc, problems = _document(store, year, today)
    if problems and not allow_unfinished:
        raise UnfinishedReport(year, problems)
    ctx.check()
    ctx.progress(1, 2, "正在写入文字报告……")
    write_docx(doc, out_path)
    ctx.progress(2, 2, "文字报告已保存")
    return out_path
