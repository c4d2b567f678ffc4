"""Year summaries for the dashboard: completion by document and chapter, overdue, due soon, no evidence.

Counting is the completion rule's (:mod:`fazhi_desk.domain.completion`): the
same :class:`~fazhi_desk.domain.completion.Tally` and
:class:`~fazhi_desk.domain.completion.Scope` the report and the tree use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fazhi_desk.domain.completion import Scope, Standing, Tally
from fazhi_desk.services.checklist import ChecklistRow


@dataclass
class YearSummary:
    year: int
    total: Tally
    by_document: list[Tally] = field(default_factory=list)
    by_chapter: list[tuple[str, Tally]] = field(default_factory=list)  # (doc code, chapter tally)
    overdue: list[ChecklistRow] = field(default_factory=list)
    due_soon: list[ChecklistRow] = field(default_factory=list)
    no_evidence: list[ChecklistRow] = field(default_factory=list)
    below_target: list[ChecklistRow] = field(default_factory=list)
    behind: list[ChecklistRow] = field(default_factory=list)  # 进度落后: logged items behind an even pace
    this_and_next_month: list[ChecklistRow] = field(default_factory=list)  # still owed, due this month or next


def summarize(rows: list[ChecklistRow], year: int, today: dt.date, *, scope: Scope = Scope.OFFICE,
              soon_days: int = 30) -> YearSummary:
    """Tallies of the year's items in ``scope`` (the office's own work unless told otherwise)."""
    total = Tally(f"{year} 年")
    docs: dict[str, Tally] = {}
    chapters: dict[tuple[str, str], Tally] = {}
    s = YearSummary(year=year, total=total)
    horizon = today + dt.timedelta(days=soon_days)
    month_start = today.replace(day=1)
    after_next = (month_start + dt.timedelta(days=62)).replace(day=1)  # the first day after next month
    for r in scope.select(rows):
        c = r.completion
        score = r.item.score
        total.add_completion(c, score)
        docs.setdefault(r.item.doc_code, Tally(r.document.title)).add_completion(c, score)
        chapters.setdefault((r.item.doc_code, r.item.chapter or "(未分章)"),
                            Tally(r.item.chapter or "(未分章)")).add_completion(c, score)
        if not c.counted:
            continue
        if c.overdue:
            s.overdue.append(r)
        elif c.standing in (Standing.NOT_STARTED, Standing.IN_PROGRESS) and today <= c.due_date <= horizon:
            s.due_soon.append(r)
        if c.standing is Standing.BELOW_TARGET:
            s.below_target.append(r)
        if r.behind_schedule(today):
            s.behind.append(r)
        if c.standing.outstanding and c.due and month_start <= c.due_date < after_next:
            s.this_and_next_month.append(r)
        if r.evidence_count == 0 and c.due:
            s.no_evidence.append(r)
    s.by_document = list(docs.values())
    s.by_chapter = [(code, t) for (code, _), t in chapters.items()]
    s.due_soon.sort(key=lambda r: r.due_date)
    s.this_and_next_month.sort(key=lambda r: r.due_date)
    return s


__all__ = ["Scope", "Tally", "YearSummary", "summarize"]
