"""Column types that mean the same on every dialect: a timestamp is an instant, stored in UTC.

A :class:`Timestamp` column is ``DateTime(timezone=True)``: PostgreSQL keeps it as
``timestamp with time zone``; SQLite has no such type and keeps text, which
SQLAlchemy writes without any offset. So this type converts every value to UTC
before it is written (on SQLite as UTC wall-clock text, which still sorts and
compares in time order) and reads it back as an aware datetime in the local
zone, so that ``f"{row.at:%H:%M}"`` shows the clerk's local time as it always did.

Values handed in should be aware (:func:`now`); a naive value is taken as local
time, which is what every naive value this program wrote before meant.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc


def now() -> dt.datetime:
    """The current instant, aware, in the local zone (stored as UTC)."""
    return dt.datetime.now(UTC).astimezone()


def to_utc(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime (a naive one is local time)."""
    return value.astimezone(UTC)


def from_stored(value: dt.datetime | str) -> dt.datetime:
    """A value as SQLite keeps it (UTC wall-clock, naive datetime or its text) as an aware local datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone()
    except (OverflowError, OSError, ValueError):  # e.g. before 1970 on Windows, whose localtime() refuses it
        return value


class Timestamp(TypeDecorator):
    """An instant: ``DateTime(timezone=True)``, UTC in the database, aware local time in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        if not isinstance(value, dt.datetime):  # e.g. a date compared against the column
            return value
        utc = to_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value, dialect):  # noqa: ANN001, ANN201
        if value is None:
            return None
        return from_stored(value)
