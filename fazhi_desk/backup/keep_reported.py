"""Undoing an import keeps what was sent to the county: the years marked 已报送 stay sealed as they were sent,
and the version history keeps a line for each version the undo took away.

Works on the database file while the store is closed (between the restore and the reopen), like the rest of
the backup package.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from fazhi_desk.services import current_user
from fazhi_desk.services.submission import UNDO_MARK

_SUBMISSION_COLS = ("year", "export_id", "kind", "previous_export_id", "reason", "figures", "submitted_at",
                    "submitted_by")


def returns_to_keep(db: Path) -> list[tuple]:
    """The 报送 rows of the database about to be replaced by the undo of an import (they outlive it)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT {', '.join(_SUBMISSION_COLS)} FROM year_submission ORDER BY id").fetchall()
    except sqlite3.Error:
        return []  # a database from before 报送 existed
    finally:
        con.close()


def after_undo(db: Path, versions: tuple, kept: list[tuple], user: str | None = None) -> None:
    """After the before-import database is back: the sealed years stay sealed as they were sent (the undo never
    changes them), and the version history keeps a line for each version the undo took away
    (``versions``: (id, 文件代码, 版本, 来源文件) of each)."""
    con = sqlite3.connect(str(db))
    try:
        at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        who = user or current_user()
        with con:
            for _id, code, version, source in versions:
                con.execute("INSERT INTO change_log (at, user, item_id, year, field, old_value, new_value) "
                            "VALUES (?, ?, NULL, NULL, 'catalogue', ?, ?)",
                            (at, who, f"{code} 版本 {version}(来自\u201c{source}\u201d)",
                             f"{UNDO_MARK}\uff1a{code} 版本 {version} 已撤销\uff0c目录恢复到导入前"))
            if kept:
                try:
                    have = set(con.execute("SELECT year, export_id, kind FROM year_submission").fetchall())
                except sqlite3.Error:
                    return  # restored from before 报送 existed: the migration makes the table on open
                cols = ", ".join(_SUBMISSION_COLS)
                for row in kept:
                    if (row[0], row[1], row[2]) not in have:
                        con.execute(f"INSERT INTO year_submission ({cols}) VALUES ({', '.join('?' * len(row))})", row)
    finally:
        con.close()
