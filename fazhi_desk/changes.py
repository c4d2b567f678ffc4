"""What a write changed: the description a write hands back so each view refreshes exactly that.

(A top-level module, not in ``domain/``: the window imports it before its first paint, and the
domain package brings its dataclasses with it; for the same reason a Record, not a dataclass.)

A write run from the UI (``tasks.Op.write``) ends with a :class:`Changes`; the
main window reads it and reloads only the views it names: single rows of the
checklist, a whole year, an item's evidence list, everything after a catalogue
import, the title after the office profile changed, a year's statistics. Plain
data, no Qt, safe to pass between threads.

The services say what they changed, as Anki's ``OpChanges`` do: their results
carry a ``changes`` attribute (an edit's old values, an attachment, a removed
link, a saved figure, the saved profile), and :func:`changes_of` reads it, so a
caller does not declare what a write it did not write changed.
"""

from __future__ import annotations

from fazhi_desk.record import Record


class Changes(Record):
    """A frozen value (a :class:`~fazhi_desk.record.Record`: imported before the first paint)."""

    __slots__ = ("items", "years", "evidence", "catalogue", "profile", "statistics")
    items: frozenset[tuple[str, int]]  # (item_id, year) whose assessment changed
    years: frozenset[int]  # years in which many items changed (read the whole year again)
    evidence: frozenset[tuple[str, int]]  # (item_id, year) whose attachments changed
    catalogue: bool  # documents or items were installed or changed: every view reloads
    profile: bool  # the office profile changed
    statistics: frozenset[int]  # years whose statistics (统计数据) changed

    def __init__(self, items: frozenset[tuple[str, int]] = frozenset(), years: frozenset[int] = frozenset(),
                 evidence: frozenset[tuple[str, int]] = frozenset(), catalogue: bool = False, profile: bool = False,
                 statistics: frozenset[int] = frozenset()) -> None:
        self._init(items, years, evidence, catalogue, profile, statistics)

    @classmethod
    def item(cls, item_id: str, year: int) -> "Changes":
        return cls(items=frozenset({(item_id, year)}))

    @classmethod
    def evidence_of(cls, *targets: tuple[str, int]) -> "Changes":
        """Attachments of these (item, year) changed; their rows' evidence counts with them."""
        t = frozenset(targets)
        return cls(items=t, evidence=t)

    @classmethod
    def year(cls, year: int) -> "Changes":
        return cls(years=frozenset({year}))

    @classmethod
    def statistics_of(cls, year: int) -> "Changes":
        return cls(statistics=frozenset({year}))

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(self.items | other.items, self.years | other.years, self.evidence | other.evidence,
                       self.catalogue or other.catalogue, self.profile or other.profile,
                       self.statistics | other.statistics)

    @property
    def is_empty(self) -> bool:
        return not (self.items or self.years or self.evidence or self.catalogue or self.profile or self.statistics)


NOTHING = Changes()


def changes_of(result: object) -> Changes:
    """What a service's result says it changed: its ``changes``, or of each result in a list; else nothing."""
    c = getattr(result, "changes", None)
    if isinstance(c, Changes):
        return c
    if isinstance(result, (list, tuple)):
        out = NOTHING
        for r in result:
            out = out | changes_of(r)
        return out
    return NOTHING
