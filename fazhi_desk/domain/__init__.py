"""Domain types and rules: items, cycles, statuses, what is due, done and overdue, how a year counts. No I/O."""

from fazhi_desk.lazy import lazy_exports

# re-exported when first asked for: importing the package imports none of its modules (see fazhi_desk.lazy)
__getattr__, __dir__ = lazy_exports(__name__, {
    "fazhi_desk.domain.completion": ("YEAR_MAX", "YEAR_MIN", "Completion", "Scope", "Standing", "Tally", "below_target_reason", "check_year", "judge", "meets_target", "status_allowed",),
    "fazhi_desk.domain.model": ("Cycle", "Item", "SourceDocument", "Status", "TownshipRole", "due_in_year", "year_due_date",),
})


__all__ = [
    "Completion",
    "Scope",
    "Cycle",
    "Item",
    "SourceDocument",
    "Standing",
    "Status",
    "Tally",
    "TownshipRole",
    "YEAR_MAX",
    "YEAR_MIN",
    "below_target_reason",
    "check_year",
    "due_in_year",
    "judge",
    "meets_target",
    "status_allowed",
    "year_due_date",
]
