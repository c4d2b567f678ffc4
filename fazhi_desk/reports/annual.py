"""The annual report (年度报告) workbook's data, as plain dataclasses.

:func:`fazhi_desk.services.report.gather_report` reads the store and hands a
:class:`ReportData` of frozen dataclasses to
:func:`fazhi_desk.reports.workbook.write_report`, which lays out the sheets (their fixed
names and columns are in :mod:`fazhi_desk.reports.workbook_format`). Nothing
here touches the store or the services.

Each row's state is the completion rule's :class:`~fazhi_desk.domain.completion.Standing`
and every count is its :class:`~fazhi_desk.domain.completion.Tally`, so the
report, the dashboard and the tree give the same numbers.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from fazhi_desk.domain.completion import Standing, Tally, standing_text
from fazhi_desk.reports.workbook_format import (  # noqa: F401 - sheet names: public here too
    SHEET_CHECKLIST,
    SHEET_EVIDENCE,
    SHEET_NOTES,
    SHEET_OUTSTANDING,
    SHEET_STATISTICS,
    SHEET_SUMMARY,
    SHEET_SUMMARY_DATA,
    SUMMARY_COLUMNS,
    SignOff,
    StatRow,
)


SUMMARY_HEADERS = SUMMARY_COLUMNS  # the columns of 汇总's table
RowState = Standing  # what the report says about an item this year: the completion rule's standing


class EvidenceCheck(str, enum.Enum):
    """The state of a stored evidence file when the report was made."""

    OK = "正常"
    MISSING = "缺失"
    ALTERED = "已变更"


@dataclass(frozen=True)
class ReportRow:
    """One item in the report year."""

    item_id: str
    doc_code: str
    chapter: str
    section: str
    article_no: int
    article_title: str
    requirement: str
    lead_units: str
    cycle: str
    target: str  # 目标值 with its unit, e.g. "4次"
    unit: str
    actual: float | None
    state: Standing
    overdue: bool
    due_date: dt.date
    completed_on: dt.date | None
    owner: str
    note: str
    na_reason: str
    done_in_year: int | None = None
    evidence_names: tuple[str, ...] = ()
    shown_status: str = ""  # the status as every view says it (Completion.text); derived from state when empty
    retired_version: str = ""  # the catalogue version that retired the item (state 已退役)
    remark: str = ""  # why the state is what it is (e.g. the 未达标 reason)
    township_role: str = ""  # 乡镇角色: 牵头 / 参加
    score: float | None = None  # 分值 of the item, where its document has scores
    target_value: float | None = None  # 目标值 as a number (the minimum of a range)

    @property
    def counted(self) -> bool:
        """Whether the item counts towards the completion rate."""
        return self.state.counted

    @property
    def status_text(self) -> str:
        return self.shown_status or standing_text(self.state, self.overdue, self.done_in_year, self.retired_version)

    @property
    def position(self) -> str:
        """章/节/条 as one cell's text."""
        art = f"第{self.article_no}条" if self.article_no else ""
        if self.article_title:
            art = f"{art} {self.article_title}".strip()
        return "\n".join(p for p in (self.chapter, self.section, art) if p)

    @property
    def note_text(self) -> str:
        """工作情况说明, with the reason when the item is not applicable."""
        parts = []
        if self.remark:
            parts.append(self.remark)
        if self.state is Standing.NOT_APPLICABLE and self.na_reason:
            parts.append(f"不适用原因:{self.na_reason}")
        if self.note:
            parts.append(self.note)
        return "\n".join(parts)


@dataclass(frozen=True)
class ReportEvidence:
    """One evidence file attached to an item in the report year."""

    item_id: str
    requirement: str
    original_name: str
    description: str
    doc_date: dt.date | None
    size: int
    sha256: str
    check: EvidenceCheck = EvidenceCheck.OK
    member: str = ""  # its exact path in the evidence package ("" when not packed)
    session: str = ""  # the activity it belongs to, "2025-03-18 学习宪法" (its sub-folder in the package)


@dataclass(frozen=True)
class ReportActivity:
    """One session of the activity log (活动记录) of an item in the report year."""

    item_id: str
    requirement: str
    date: dt.date
    title: str
    place: str
    people: str
    quantity: float
    unit: str
    evidence_count: int = 0


@dataclass(frozen=True)
class DocumentInfo:
    code: str
    title: str
    doc_number: str
    version: str


@dataclass
class Counts(Tally):
    """The completion rule's tally of a chapter, a document or the whole year, with its row labels."""

    label_doc: str = ""
    label_chapter: str = ""


def count_rows(rows: list[ReportRow], label_doc: str = "", label_chapter: str = "") -> Counts:
    c = Counts(label_doc=label_doc, label_chapter=label_chapter)
    for r in rows:
        c.add(r.state, r.overdue, r.score)
    return c


@dataclass(frozen=True)
class ReportData:
    """Everything the annual report shows, as plain data (no ORM)."""

    office_name: str
    county: str
    year: int
    generated_on: dt.date
    documents: tuple[DocumentInfo, ...]
    rows: tuple[ReportRow, ...]
    evidence: tuple[ReportEvidence, ...]
    evidence_hashed: bool = False  # every file re-hashed (when the evidence package was made)
    sign_off: SignOff = SignOff()
    statistics: tuple[StatRow, ...] = ()
    generated_at: dt.datetime | None = None
    program_version: str = ""
    package_root: str = ""  # the evidence package's top folder, when one was made
    export_id: str = ""
    office_code: str = ""  # 统一社会信用代码 or the county's 单位编码 (on every row of the workbook)
    corrects: str = ""  # 更正版: the 导出编号 of the return this one corrects (a year edited after 报送)
    activities: tuple[ReportActivity, ...] = ()  # the year's activity log, in checklist order then by date

    def chapter_counts(self) -> list[Counts]:
        groups: dict[tuple[str, str], list[ReportRow]] = {}
        for r in self.rows:
            groups.setdefault((r.doc_code, r.chapter), []).append(r)
        return [count_rows(rs, d, ch or "(未分章)") for (d, ch), rs in groups.items()]

    def document_counts(self) -> list[Counts]:
        groups: dict[str, list[ReportRow]] = {}
        for r in self.rows:
            groups.setdefault(r.doc_code, []).append(r)
        return [count_rows(rs, d, "合计") for d, rs in groups.items()]

    def total(self) -> Counts:
        return count_rows(list(self.rows), "总计", "")

    def outstanding(self) -> list[ReportRow]:
        """Items due and not done, overdue first (catalogue order within each group)."""
        out = [r for r in self.rows if r.state.outstanding]
        return sorted(out, key=lambda r: not r.overdue)

    def evidence_problems(self) -> list[ReportEvidence]:
        return [e for e in self.evidence if e.check is not EvidenceCheck.OK]


__all__ = [
    "Counts", "DocumentInfo", "EvidenceCheck", "ReportActivity", "ReportData", "ReportEvidence", "ReportRow",
    "RowState",
    "SUMMARY_HEADERS", "count_rows",
]
