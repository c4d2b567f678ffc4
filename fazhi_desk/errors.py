"""Errors: the user's or the environment's fault (tell them, in Chinese) versus ours (a bug).

A :class:`UserError` carries a message a civil servant can act on: what happened,
where (file, sheet, row, column), and what to do. Anything else that escapes is a
bug: it is logged with its traceback and shown as "程序内部错误" with the log's path.
"""

from __future__ import annotations

from fazhi_desk.record import Record


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


class Problem(Record):
    """One problem in an input file, with its place (a frozen Record: imported before the first paint)."""

    __slots__ = ("place", "message")
    place: str  # e.g. "工作表“检查事项”第 12 行 “周期”列" or "items[3].cycle"
    message: str

    def __init__(self, place: str, message: str) -> None:
        self._init(place, message)

    def __str__(self) -> str:
        return f"{self.place}\uff1a{self.message}" if self.place else self.message


class ProblemList:
    """Collects every problem of a file, so all are reported at once."""

    def __init__(self, problems: list[Problem] | None = None) -> None:
        self.problems: list[Problem] = [] if problems is None else problems

    def __repr__(self) -> str:
        return f"ProblemList(problems={self.problems!r})"

    def __eq__(self, other: object) -> bool:
        return self.problems == other.problems if isinstance(other, ProblemList) else NotImplemented

    __hash__ = None  # type: ignore[assignment] - mutable, as the dataclass it was

    def add(self, place: str, message: str) -> None:
        self.problems.append(Problem(place, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, headline: str) -> None:
        if self.problems:
            raise UserError(f"{headline}\uff08共 {len(self.problems)} 个问题\uff09\uff1a", self.problems)


class StoreLockedError(UserError):
    """Another fazhi-desk already has this data directory open."""


class StoreTooNewError(UserError):
    """The store was written by a newer version of the program."""


def _mb(n: int) -> str:
    return f"{max(n, 0) / (1 << 20):.1f} MB" if n < (1 << 30) else f"{n / (1 << 30):.1f} GB"


def free_bytes(path) -> int | None:  # noqa: ANN001 - str or Path
    """Free space on the disk holding ``path`` (its nearest existing parent), or None if unknown."""
    import os
    import shutil

    p = os.fspath(path)
    while p and not os.path.exists(p):
        parent = os.path.dirname(p)
        if parent == p:
            break
        p = parent
    try:
        return shutil.disk_usage(p or ".").free
    except OSError:
        return None


class DiskFullError(UserError):
    """The disk (or a size limit) refused a write; nothing was changed."""

    def __init__(self, message: str, *, where: str = "", needed: int | None = None, free: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.needed = needed
        self.free = free

    @classmethod
    def for_path(cls, path, needed: int | None = None, what: str = "") -> "DiskFullError":  # noqa: ANN001
        """"磁盘空间不足" for a write to ``path``, saying how much is needed and that nothing changed."""
        free = free_bytes(path)
        need = max(needed or 0, 10 << 20)  # SQLite and the file system need some room of their own
        have = f"(当前可用 {_mb(free)})" if free is not None else ""
        what = what or f"写入“{path}”"
        return cls(
            f"磁盘空间不足,无法{what}。请在该磁盘上至少腾出 {_mb(need)} 的空间{have}后重试。"
            "本次操作没有改动任何数据。",
            where=str(path), needed=need, free=free,
        )


class StoreError(UserError):
    """The database could not be used (locked, read-only, damaged, I/O error): see the message."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code  # SQLite's extended result code name, e.g. "SQLITE_READONLY_DBMOVED"


class WorkspaceDamagedError(UserError):
    """A data directory that was used before has no usable database (missing, empty, damaged, not ours).

    The program must not start it as a new install. ``data_dir`` and ``backups``
    (newest first) are what a restore offers the user; nothing was changed.
    """

    def __init__(self, message: str, *, data_dir, backups=(), reason: str = "") -> None:  # noqa: ANN001
        from pathlib import Path

        self.data_dir = Path(data_dir)
        self.backups: list[Path] = [Path(b) for b in backups]
        self.reason = reason
        super().__init__(message)

    @property
    def newest_backup(self):  # noqa: ANN201 - Path | None
        return self.backups[0] if self.backups else None


class StaleJournalError(WorkspaceDamagedError):
    """A ``-wal`` beside the database belongs to another copy of it (e.g. a file restored by hand)."""
