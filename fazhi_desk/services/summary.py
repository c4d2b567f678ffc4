"""Year summaries for the dashboard: completion by document and chapter, overdue, due soon, no evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fazhi_desk.domain.model import Status
from fazhi_desk.services.checklist import ChecklistRow


@dataclass
class Tally:
    """Counts of one group (a document, a chapter, or the whole year)."""

    label: str
    items: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_applicable: int = 0
    overdue: int = 0

    @property
    def applicable(self) -> int:
        return self.items - self.not_applicable

    @property
    def rate(self) -> float:
        return self.done / self.applicable if self.applicable else 0.0

    def add(self, r: ChecklistRow) -> None:
        self.items += 1
        if r.status is Status.DONE:
            self.done += 1
        elif r.status is Status.IN_PROGRESS:
            self.in_progress += 1
        elif r.status is Status.NOT_APPLICABLE:
            self.not_applicable += 1
        else:
            self.not_started += 1
        self.overdue += int(r.overdue)


@dataclass
class YearSummary:
    year: int
    total: Tally
    by_document: list[Tally] = field(default_factory=list)
    by_chapter: list[tuple[str, Tally]] = field(default_factory=list)  # (doc code, chapter tally)
    overdue: list[ChecklistRow] = field(default_factory=list)
    due_soon: list[ChecklistRow] = field(default_factory=list)
    no_evidence: list[ChecklistRow] = field(default_factory=list)


def summarize(rows: list[ChecklistRow], year: int, today: dt.date, *, township_only: bool = True,
              soon_days: int = 30) -> YearSummary:
    """Tallies of the items due in ``year`` (those that apply to a township unless told otherwise)."""
    total = Tally(f"{year} 年")
    docs: dict[str, Tally] = {}
    chapters: dict[tuple[str, str], Tally] = {}
    s = YearSummary(year=year, total=total)
    horizon = today + dt.timedelta(days=soon_days)
    for r in rows:
        if township_only and not r.item.applies_to_township:
            continue
        if not r.due:
            continue
        total.add(r)
        docs.setdefault(r.item.doc_code, Tally(r.document.title)).add(r)
        chapters.setdefault((r.item.doc_code, r.item.chapter or "(未分章)"),
                            Tally(r.item.chapter or "(未分章)")).add(r)
        if r.overdue:
            s.overdue.append(r)
        elif r.status not in (Status.DONE, Status.NOT_APPLICABLE) and today <= r.due_date <= horizon:
            s.due_soon.append(r)
        if r.evidence_count == 0 and r.status is not Status.NOT_APPLICABLE:
            s.no_evidence.append(r)
    s.by_document = list(docs.values())
    s.by_chapter = [(code, t) for (code, _), t in chapters.items()]
    s.due_soon.sort(key=lambda r: r.due_date)
    return s
