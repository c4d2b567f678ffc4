"""Errors: the user's or the environment's fault (tell them, in Chinese) versus ours (a bug).

A :class:`UserError` carries a message a civil servant can act on: what happened,
where (file, sheet, row, column), and what to do. Anything else that escapes is a
bug: it is logged with its traceback and shown as "程序内部错误" with the log's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class UserError(Exception):
    """A problem the user can fix; ``str(e)`` is the Chinese message to show."""

    def __init__(self, message: str, problems: list["Problem"] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [self.message] + [f"  · {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  ……另有 {len(self.problems) - 200} 个问题未列出")
        return "\n".join(lines)


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, with its place."""

    place: str  # e.g. "工作表“检查事项”第 12 行 “周期”列" or "items[3].cycle"
    message: str

    def __str__(self) -> str:
        return f"{self.place}:{self.message}" if self.place else self.message


@dataclass
class ProblemList:
    """Collects every problem of a file, so all are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, headline: str) -> None:
        if self.problems:
            raise UserError(f"{headline}(共 {len(self.problems)} 个问题):", self.problems)


class StoreLockedError(UserError):
    """Another fazhi-desk already has this data directory open."""


class StoreTooNewError(UserError):
    """The store was written by a newer version of the program."""
