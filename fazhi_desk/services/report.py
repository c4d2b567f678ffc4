"""Exporting the annual report (and optionally the 佐证材料 package): what the CLI and the report dialog call.

:func:`gather_report` reads a year's checklist (through :func:`load_year`, so a
past year shows each item in the wording its assessment was made under, judged
by the completion rule) and its evidence into the plain dataclasses of
:mod:`fazhi_desk.reports.annual`, which only writes files.
:func:`export_report` reads the store in one session, builds the evidence
package first when asked (so the report can say which files were missing or
altered), then writes the workbook. Both files are written to temp names and
moved into place only when complete; a failure or a cancel leaves neither
under its final name.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.domain.completion import Scope, Standing, below_target_reason, check_year
from fazhi_desk.errors import UserError
from fazhi_desk.evidence.filestore import FileStore
from fazhi_desk.jobs import JobContext, gc_paused
from fazhi_desk.reports.annual import (
    DocumentInfo,
    EvidenceCheck,
    ReportActivity,
    ReportData,
    ReportEvidence,
    ReportRow,
    RowState,
)
from fazhi_desk.reports.output import atomic_output, check_writable
from fazhi_desk.reports.workbook import write_report
from fazhi_desk.services.checklist import load_year
from fazhi_desk.services.profile import require_profile
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import ActivityEvidence, ActivityRow, Assessment, EvidenceFile, EvidenceLink

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class ReportResult:
    """What was written, with the counts the user is told."""

    path: Path
    year: int
    items: int  # items listed (apply to a township office)
    applicable: int  # counted towards the completion rate
    done: int
    below_target: int
    in_progress: int
    not_started: int
    overdue: int
    not_applicable: int
    not_due: int
    evidence_files: int
    no_event: int = 0
    retired: int = 0
    zip_path: Path | None = None
    packed_files: int = 0
    missing: tuple[str, ...] = ()  # "编号 文件名" of evidence files missing from the store
    altered: tuple[str, ...] = ()  # … whose content no longer matches its SHA-256
    docx_path: Path | None = None  # the written report, when it was exported with the workbook
    export_id: str = ""  # 导出编号 of the return written
    corrects: str = ""  # 更正版: the 导出编号 of the return it corrects

    @property
    def rate(self) -> float | None:
        return self.done / self.applicable if self.applicable else None

    def summary(self) -> str:
        """One or two Chinese sentences for a message box or the console."""
        rate = "—" if self.rate is None else f"{self.rate:.1%}"
        below = f"未达标 {self.below_target} 项," if self.below_target else ""
        text = (f"{self.year}年度报告已保存:应完成 {self.applicable} 项,已完成 {self.done} 项(完成率 {rate}),"
                f"{below}逾期 {self.overdue} 项;佐证材料 {self.evidence_files} 个。")
        if self.zip_path is not None:
            text += f"佐证材料包已保存,共 {self.packed_files} 个文件。"
        if self.docx_path is not None:
            text += "文字报告(Word)已保存。"
        if self.missing or self.altered:
            text += (f"注意:{len(self.missing)} 个佐证材料缺失、{len(self.altered)} 个已变更,未打包,"
                     "已在报告“佐证材料”表中标出。")
        return text


def default_file_name(office_name: str, year: int) -> str:
    """``<office>_<year>年法治政府建设年度报告.xlsx`` with characters Windows refuses replaced."""
    office = _UNSAFE.sub("_", office_name.strip()) or "本单位"
    return f"{office}_{year}年法治政府建设年度报告.xlsx"


def gather_report(
    s: Session,
    year: int,
    *,
    office_name: str,
    county: str = "",
    today: dt.date | None = None,
    files: FileStore | None = None,
    ctx: JobContext | None = None,
) -> ReportData:
    """Read the year's checklist and evidence from the store into the report's dataclasses.

    When ``files`` is given, each evidence file is checked for presence and size
    (缺失 / 已变更); the evidence package re-hashes them fully.
    """
    ctx = ctx or JobContext()
    today = today or dt.date.today()
    # The evidence first, in the order it was added: then the files are looked up on disk (os.stat, which
    # releases the GIL) in a second thread while the checklist is read.
    q = (
        select(Assessment.item_id, EvidenceLink.original_name, EvidenceLink.description, EvidenceLink.doc_date,
               EvidenceFile.size, EvidenceLink.sha256, EvidenceLink.id)
        .join(Assessment, Assessment.id == EvidenceLink.assessment_id)
        .join(EvidenceFile, EvidenceFile.sha256 == EvidenceLink.sha256)
        .where(Assessment.year == year)
        .order_by(Assessment.item_id, EvidenceLink.added_at, EvidenceLink.id)
    )
    links = s.connection().execute(q).all()
    on_disk: dict[str, int] = {}
    lookup = None
    if files is not None:
        lookup = threading.Thread(target=lambda: on_disk.update(files.sizes(t[5] for t in links)),
                                  name="evidence-sizes", daemon=True)
        lookup.start()
    try:
        rows = load_year(s, year, today, evidence_text=False)
    finally:
        if lookup is not None:
            lookup.join()
    ctx.check()
    # the activity log: each session, and which evidence links belong to which session
    sessions = s.connection().execute(
        select(ActivityRow.id, ActivityRow.item_id, ActivityRow.date, ActivityRow.title, ActivityRow.place,
               ActivityRow.people, ActivityRow.quantity)
        .where(ActivityRow.year == year).order_by(ActivityRow.item_id, ActivityRow.date, ActivityRow.id)).all()
    session_of: dict[int, str] = {}
    per_session: dict[int, int] = {}
    if sessions:
        from fazhi_desk.domain.activity import session_label

        labels = {a[0]: session_label(a[2], a[3]) for a in sessions}
        for act_id, link_id in s.connection().execute(
                select(ActivityEvidence.activity_id, ActivityEvidence.link_id)
                .join(ActivityRow, ActivityRow.id == ActivityEvidence.activity_id).where(ActivityRow.year == year)):
            session_of[link_id] = labels[act_id]
            per_session[act_id] = per_session.get(act_id, 0) + 1
    order = {r.item_id: n for n, r in enumerate(rows)}
    requirement = {r.item_id: r.item.requirement for r in rows}
    last = len(order)
    links.sort(key=lambda t: order.get(t[0], last))  # stable: by the checklist's order, items not listed last
    evidence: list[ReportEvidence] = []
    names: dict[str, list[str]] = {}
    for n, (item_id, name, desc, doc_date, size, sha, link_id) in enumerate(links):
        if n % 1000 == 0:
            ctx.check()
        check = EvidenceCheck.OK
        if files is not None:
            stored = on_disk.get(sha)
            if stored is None:
                check = EvidenceCheck.MISSING
            elif stored != size:
                check = EvidenceCheck.ALTERED
        evidence.append(ReportEvidence(item_id, requirement.get(item_id, ""), name, desc or "", doc_date, size,
                                       sha, check, session=session_of.get(link_id, "")))
        names.setdefault(item_id, []).append(name)
    documents: dict[str, DocumentInfo] = {}
    out: list[ReportRow] = []
    for r in Scope.OFFICE.select(rows):  # not another area's document, nor 仅供了解
        d = r.document
        documents.setdefault(d.code, DocumentInfo(d.code, d.title, d.doc_number, d.version))
        it = r.item
        c = r.completion
        remark = below_target_reason(it, r.actual) if c.standing is Standing.BELOW_TARGET else ""
        carried = _carried_remark(r)
        remark = f"{remark}\n{carried}".strip() if carried else remark
        out.append(ReportRow(
            item_id=it.item_id, doc_code=it.doc_code, chapter=it.chapter, section=it.section,
            article_no=it.article_no, article_title=it.article_title, requirement=it.requirement,
            lead_units=it.lead_units, cycle=it.cycle.value,
            target=(it.target_text + it.unit) if it.target_text else "", unit=it.unit, actual=r.actual,
            state=c.standing, overdue=c.overdue, due_date=c.due_date, completed_on=r.completed_on,
            owner=r.owner, note=r.note, na_reason=r.na_reason, done_in_year=c.done_in_year,
            evidence_names=tuple(names.get(it.item_id, ())), shown_status=c.text,
            retired_version=c.retired_version, remark=remark, township_role=it.township_role.value,
            score=it.score, target_value=it.target,
        ))
    units = {r.item_id: r.unit for r in out}  # the office's items only (not 仅供了解, not other areas)
    activities = sorted(
        (ReportActivity(item_id, requirement.get(item_id, ""), day, title, place or "", people or "", qty,
                        units[item_id], per_session.get(act_id, 0))
         for act_id, item_id, day, title, place, people, qty in sessions if item_id in units),
        key=lambda a: (order.get(a.item_id, last), a.date))
    return ReportData(office_name=office_name, county=county, year=year, generated_on=today,
                      documents=tuple(documents.values()), rows=tuple(out), evidence=tuple(evidence),
                      activities=tuple(activities))


def _carried_remark(r) -> str:  # noqa: ANN001 - a ChecklistRow
    """``责任人、工作情况说明沿用自2024年``: what carry-forward copied and nobody has edited since."""
    from fazhi_desk.services.checklist import EDITABLE_FIELDS

    by_year: dict[int, list[str]] = {}
    for f, y in r.carried:
        by_year.setdefault(y, []).append(EDITABLE_FIELDS.get(f, f))
    return "\uff1b".join(f"{'、'.join(names)}沿用自{y}年" for y, names in sorted(by_year.items()))


def load_report_data(store: Store, year: int, today: dt.date | None = None, ctx: JobContext | None = None) -> ReportData:
    """The year's report data (plain dataclasses), with the office profile, sign-off and statistics."""
    from dataclasses import replace

    from fazhi_desk import __version__
    from fazhi_desk.reports.workbook_format import SignOff, StatRow
    from fazhi_desk.services.annual_text import load_annual_text
    from fazhi_desk.reports.evidence_package import new_package_id
    from fazhi_desk.services.statistics import findings, load_statistics

    check_year(year)
    prof = require_profile(store)
    submit = load_annual_text(store, year).submit_date
    with gc_paused(), store.session() as s:
        from fazhi_desk.services.submission import edition

        corrects = edition(s, year)[1]
        data = gather_report(s, year, office_name=prof.office_name, county=prof.county, today=today,
                             files=FileStore(store.evidence_root), ctx=ctx)
        notes: dict[str, list[str]] = {}
        for f in findings(s, year):  # what does not fit, beside each figure it involves (the sheet's 说明)
            for code in f.codes:
                notes.setdefault(code, []).append(f.text)
        stats = tuple(StatRow(e.indicator.code, e.indicator.category, e.indicator.name, e.indicator.unit, e.value,
                              "、".join(e.indicator.items), e.indicator.scope, "\n".join(notes.get(e.indicator.code, ())))
                      for e in load_statistics(s, year))
    now = dt.datetime.now().replace(microsecond=0)
    if today is not None and today != now.date():
        now = dt.datetime.combine(today, now.time())
    # every return has an export id (the evidence package, when one is made, puts its own in its place)
    return replace(data, sign_off=SignOff(prof.leader, prof.deputy, prof.preparer, prof.contact, prof.phone, submit),
                   statistics=stats, generated_at=now, program_version=__version__,
                   export_id=new_package_id(now.date()), office_code=prof.office_code, corrects=corrects)


def export_report(
    ctx: JobContext,
    store: Store,
    year: int,
    out_path: Path | str,
    evidence_zip: Path | str | None = None,
    today: dt.date | None = None,
) -> ReportResult:
    """Write the annual report of ``year`` to ``out_path`` (and the evidence package to ``evidence_zip``)."""
    from fazhi_desk.reports.evidence_package import new_package_id, write_package

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise UserError(f"报告文件名“{out_path.name}”应以 .xlsx 结尾。")
    check_writable(out_path)
    zip_path = Path(evidence_zip) if evidence_zip else None
    if zip_path is not None:
        if zip_path.suffix.lower() != ".zip":
            raise UserError(f"佐证材料包文件名“{zip_path.name}”应以 .zip 结尾。")
        if zip_path.resolve() == out_path.resolve():
            raise UserError("佐证材料包不能与报告使用同一个文件名。")
        check_writable(zip_path)
    ctx.progress(0, 0, "正在读取检查清单……")
    data = load_report_data(store, year, today, ctx)
    package = None
    if zip_path is None:
        write_report(ctx, data, out_path)
    else:
        # Both go to temp names; then the zip is renamed first and the report last (the inner block ends
        # first), so a crash in between leaves an old report beside a new package, never the reverse, and
        # the report names its package's export id (汇总 sheet, zip comment) so a mismatch shows.
        with atomic_output(out_path) as report_tmp, atomic_output(zip_path) as zip_tmp:
            package = write_package(ctx, data, FileStore(store.evidence_root), zip_tmp,
                                    package_id=new_package_id(today))
            data = package.apply_to(data)
            ctx.check()
            write_report(ctx, data, report_tmp)
    t = data.total()
    return ReportResult(
        path=out_path, year=year, items=t.items, applicable=t.applicable, done=t.done, below_target=t.below_target,
        in_progress=t.in_progress, not_started=t.not_started, overdue=t.overdue,
        not_applicable=t.not_applicable, not_due=t.not_due, evidence_files=len(data.evidence),
        no_event=t.no_event, retired=t.retired, export_id=data.export_id, corrects=data.corrects,
        zip_path=zip_path, packed_files=len(package.packed) if package else 0,
        missing=tuple(f"{e.item_id} {e.original_name}" for e in (package.missing if package else ())),
        altered=tuple(f"{e.item_id} {e.original_name}" for e in (package.altered if package else ())),
    )


__all__ = ["ReportResult", "default_file_name", "export_report", "gather_report", "load_report_data", "RowState"]
