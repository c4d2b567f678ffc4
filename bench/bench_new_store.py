"""A new store: how long an office's first start (and every test's fresh store) spends making the database.

Measured in one process, after one warm-up run, each a median of ``--runs`` fresh temp folders:

* floor: the same schema (every ``CREATE`` statement of a new store) run with the bare ``sqlite3``
  module in one transaction, default settings (rollback journal, ``synchronous=FULL``);
* new database: ``store.db.migrate`` of a missing file, what a new store's database costs (made from
  the models and stamped, on a temp file that is fsynced and renamed into place);
* replay: every migration replayed on a private copy, how a new store's database was made before;
* ``open_store`` and ``open_workspace`` of a new data directory, for the record: they add the
  session's bookkeeping (lock, workspace marker and evidence id, each fsynced) and, for the
  workspace, the bundled catalogues;
* first start: ``open_workspace`` of a new data directory in a fresh process, against a fresh
  process that only imports ``sqlite3`` and makes the same schema.

Target: the new database ≤ 3× the floor + 15 ms; exits 1 when missed.

Run: ``python bench/bench_new_store.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.workspace import open_workspace  # noqa: E402
from fazhi_desk.store.db import migrate, open_store  # noqa: E402

RATIO, SLACK_S = 3.0, 0.015


def schema_sql() -> list[str]:
    """Every CREATE statement of a new store, in the order SQLite keeps them."""
    with tempfile.TemporaryDirectory() as t:
        db = Path(t) / "x.sqlite3"
        migrate(db)
        con = sqlite3.connect(db)
        try:
            return [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
        finally:
            con.close()


def bare_create(sql: list[str]) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        con = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
        try:
            con.execute("BEGIN")
            for s in sql:
                con.execute(s)
            con.execute("COMMIT")
        finally:
            con.close()
    return run


def new_database(folder: Path) -> None:
    migrate(folder / "new.sqlite3")


def new_store(folder: Path) -> None:
    open_store(DataDir(folder / "d")).close()


def new_workspace(folder: Path) -> None:
    open_workspace(DataDir(folder / "d")).close()


def replay(folder: Path) -> None:
    migrate(folder / "replayed.sqlite3", replay=True)


FIRST_START = ("import sys; from pathlib import Path; from fazhi_desk.paths import DataDir; "
               "from fazhi_desk.services.workspace import open_workspace; "
               "open_workspace(DataDir(Path(sys.argv[1]) / 'd')).close()")
BARE_START = ("import sqlite3, sys, json; con = sqlite3.connect(sys.argv[1] + '/bare.sqlite3', isolation_level=None); "
              "con.execute('BEGIN'); [con.execute(s) for s in json.loads(sys.stdin.read())]; con.execute('COMMIT')")


def process(code: str, stdin: str = "") -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        subprocess.run([sys.executable, "-c", code, str(folder)], input=stdin, text=True, check=True,
                       cwd=Path(__file__).resolve().parent.parent)
    return run


def timed(fn: Callable[[Path], None], runs: int) -> list[float]:
    out = []
    for i in range(runs + 1):
        with tempfile.TemporaryDirectory(prefix="fzbench-") as t:
            t0 = time.perf_counter()
            fn(Path(t))
            if i:  # the first run warms up imports and caches
                out.append(time.perf_counter() - t0)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("FAZHI_DESK_HOME", tempfile.mkdtemp(prefix="fzbench-home-"))
    sql = schema_sql()
    results = {
        "floor: bare sqlite3, same schema": timed(bare_create(sql), args.runs),
        "new database (store.db.migrate)": timed(new_database, args.runs),
        "replay every migration (before)": timed(replay, args.runs),
        "open_store, new data directory": timed(new_store, args.runs),
        "open_workspace, new data directory": timed(new_workspace, args.runs),
        "first start, fresh process": timed(process(FIRST_START), max(3, args.runs // 2)),
        "bare process, sqlite3 + same schema": timed(process(BARE_START, json.dumps(sql)), max(3, args.runs // 2)),
    }
    print(f"{len(sql)} CREATE statements; median of {args.runs} runs (min–max), ms")
    for name, xs in results.items():
        print(f"  {name:38s} {statistics.median(xs) * 1000:8.1f}  ({min(xs) * 1000:.1f}–{max(xs) * 1000:.1f})")
    floor = statistics.median(results["floor: bare sqlite3, same schema"])
    got = statistics.median(results["new database (store.db.migrate)"])
    target = floor * RATIO + SLACK_S
    ok = got <= target
    print(f"new database {got * 1000:.1f} ms vs target {target * 1000:.1f} ms (≤ {RATIO:g}× floor + {SLACK_S * 1000:.0f} ms;"
          f" {got / floor:.1f}× floor): {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
