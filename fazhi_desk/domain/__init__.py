"""Domain types and rules: items, cycles, statuses, what is due and what is overdue. No I/O."""

from fazhi_desk.domain.model import (
    AssessmentView,
    Cycle,
    Item,
    SourceDocument,
    Status,
    TownshipRole,
    due_in_year,
    is_overdue,
    year_due_date,
)

__all__ = [
    "AssessmentView",
    "Cycle",
    "Item",
    "SourceDocument",
    "Status",
    "TownshipRole",
    "due_in_year",
    "is_overdue",
    "year_due_date",
]
