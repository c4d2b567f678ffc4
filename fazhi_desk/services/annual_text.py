"""The written annual report (年度报告): its sections in the store, drafting them, exporting the .docx.

Each year has five sections (:data:`fazhi_desk.domain.annual.SECTIONS`). The
store keeps, per section, the user's text and the draft the program last
assembled; regenerating replaces a section only where the user has not
changed the draft (or when told to, after asking), so nothing the user wrote
is overwritten silently. Every saved change is in the change log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.domain.annual import SECTIONS, SECTION_TITLES, AnnualDocument, SectionText, StatisticFigure
from fazhi_desk.domain.completion import Scope
from fazhi_desk.domain.model import Cycle, SourceDocument
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.drafts import DraftFigure, DraftInput, DraftRow, draft_all
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.models import AnnualReport, AnnualSection, ChangeLog

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
        raise UserError(f"年度“{year}”无效,请输入 1990–2100 之间的年份。")


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


def save_section(store: Store, year: int, key: str, text: str, *, user: str | None = None) -> bool:
    """Save the user's text of one section; returns whether anything changed."""
    _check_year(year)
    _check_key(key)
    if len(text) > MAX_SECTION:
        raise UserError(f"“{SECTION_TITLES[key]}”超过 {MAX_SECTION} 字,请精简后再保存。")
    user = user or current_user()
    now = timestamp_now()
    with store.transaction() as s:
        row = s.get(AnnualSection, (year, key))
        old = row.text if row else ""
        if old == text:
            return False
        if row is None:
            row = AnnualSection(year=year, key=key, text="", draft="")
            s.add(row)
        row.text = text
        row.updated_at = now
        _log(s, year, SECTION_TITLES[key], old, text, user, now)
    return True


def set_submit_date(store: Store, year: int, when: dt.date | None, *, user: str | None = None) -> None:
    """报送日期 of the year's report (distinct from the date the files are generated)."""
    _check_year(year)
    if when is not None and not (dt.date(year, 1, 1) <= when <= dt.date(year + 1, 12, 31)):
        raise UserError(f"报送日期 {when:%Y-%m-%d} 不在 {year} 年至 {year + 1} 年之间,请检查。")
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
    """
    from fazhi_desk.services.checklist import load_year
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.statistics import load_statistics

    today = today or dt.date.today()
    office = get_profile(store).office_name or "本单位"
    with store.session() as s:
        rows = Scope.OFFICE.select(load_year(s, year, today, evidence_text=False))
        figures = tuple(DraftFigure(e.indicator.code, e.indicator.category, e.indicator.name, e.indicator.unit,
                                    e.value) for e in load_statistics(s, year))
        nxt = Scope.OFFICE.select(load_year(s, year + 1, today, evidence_text=False))
    docs = {r.document.code: r.document for r in rows}
    next_docs = {r.document.code: r.document for r in nxt}

    def cite(ds: dict[str, SourceDocument], y: int) -> tuple[tuple[str, str], ...]:
        return tuple((d.title, d.doc_number) for d in ds.values() if d.in_force(y))

    ended = tuple((d.title, d.doc_number) for d in docs.values() if d.in_force(year) and not d.in_force(year + 1))
    next_rows = tuple(_draft_row(r) for r in nxt if planned(r))
    return DraftInput(office, year, cite(docs, year), tuple(_draft_row(r) for r in rows), next_rows, figures,
                      next_documents=cite(next_docs, year + 1), ended_documents=ended)


def planned(r) -> bool:  # noqa: ANN001 - a checklist row of next year
    """Whether next year's plan lists the row: the rule judges it due that year and still to do (an ongoing
    持续 item is no new arrangement)."""
    return r.due and r.completion.standing.outstanding and r.item.cycle is not Cycle.ONGOING


def _draft_row(r) -> DraftRow:  # noqa: ANN001 - a checklist row
    it = r.item
    return DraftRow(r.document.title, it.chapter, it.section, it.requirement, r.completion.standing, r.overdue,
                    r.actual, it.target_text, it.unit, r.note, r.due_date, r.evidence_count, it.item_id)


def drafts(store: Store, year: int, today: dt.date | None = None) -> dict[str, str]:
    """Freshly assembled drafts of all five sections (nothing is stored)."""
    return draft_all(draft_input(store, year, today))


def regenerate(store: Store, year: int, keys: tuple[str, ...] | None = None, *,
               overwrite: tuple[str, ...] = (), today: dt.date | None = None,
               user: str | None = None) -> Regenerated:
    """Put fresh drafts into the sections ``keys`` (default: all).

    A section the user edited is replaced only when its key is in ``overwrite``;
    otherwise it is left as it is and named in :attr:`Regenerated.kept_edited`,
    so the caller can ask and call again.
    """
    _check_year(year)
    keys = keys or tuple(k for k, _t in SECTIONS)
    for k in keys:
        _check_key(k)
    new = drafts(store, year, today)
    user = user or current_user()
    now = timestamp_now()
    replaced: list[str] = []
    kept: list[str] = []
    with store.transaction() as s:
        current = _load(s, year)
        for k in keys:
            sec = current.section(k)
            if sec.edited and k not in overwrite:
                kept.append(k)
                continue
            row = s.get(AnnualSection, (year, k))
            if row is None:
                row = AnnualSection(year=year, key=k, text="", draft="")
                s.add(row)
            if row.text != new[k]:
                _log(s, year, SECTION_TITLES[k], row.text, new[k], user, now)
                replaced.append(k)
            row.text = row.draft = new[k]
            row.updated_at = now
    return Regenerated(tuple(replaced), tuple(kept))


def annual_document(store: Store, year: int, today: dt.date | None = None) -> AnnualDocument:
    """What the .docx shows: the stored sections (a section never written uses a fresh draft)."""
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.statistics import load_statistics

    _check_year(year)
    today = today or dt.date.today()
    prof = get_profile(store)
    if not prof.is_set:
        raise UserError(
            "尚未设置单位信息(乡镇/街道名称),报告无法注明报送单位。"
            "请先在“设置 → 单位信息”中填写(命令行:fazhi-desk profile set --office 名称 --county 县)。"
        )
    text = load_annual_text(store, year)
    fresh: dict[str, str] | None = None
    secs = []
    for sec in text.sections:
        if not sec.text.strip():
            fresh = fresh or drafts(store, year, today)
            sec = SectionText(sec.key, fresh[sec.key], fresh[sec.key])
        secs.append(sec)
    with store.session() as s:
        figs = tuple(StatisticFigure(e.indicator.category, e.indicator.name, e.indicator.unit, e.value)
                     for e in load_statistics(s, year))
    return AnnualDocument(prof.office_name, prof.county, year, tuple(secs), text.submit_date or today, figs)


def export_docx(ctx: JobContext, store: Store, year: int, out_path: Path | str,
                today: dt.date | None = None) -> Path:
    """Write the year's written report to ``out_path`` (.docx, temp name, fsync, rename)."""
    from fazhi_desk.reports.docx import write_docx
    from fazhi_desk.reports.output import check_writable

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".docx":
        raise UserError(f"文字报告文件名“{out_path.name}”应以 .docx 结尾。")
    check_writable(out_path)
    ctx.progress(0, 2, "正在整理年度报告……")
    doc = annual_document(store, year, today)
    ctx.check()
    ctx.progress(1, 2, "正在写入文字报告……")
    write_docx(doc, out_path)
    ctx.progress(2, 2, "文字报告已保存")
    return out_path
