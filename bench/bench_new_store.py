"""A new store: how long an office's first start (and every test's fresh store) spends making the database.

Measured in one process, after one warm-up run, each a median of ``--runs`` fresh temp folders:

* floor: the same schema (every ``CREATE`` statement of a new store) run with the bare ``sqlite3``
  module in one transaction, default settings (rollback journal, ``synchronous=FULL``);
* ``open_store``: a new data directory's store opened (schema made from the models and stamped,
  checks, session start, workspace marker) and closed;
* ``open_workspace``: the same plus the bundled catalogues installed (what the first start does);
* replay: every migration replayed on a private copy (how a new store was made before), for comparison.

Target: ``open_store`` of a new data directory ≤ 4× the floor + 30 ms; exits 1 when missed.

Run: ``python bench/bench_new_store.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.workspace import open_workspace  # noqa: E402
from fazhi_desk.store.db import migrate, open_store  # noqa: E402

RATIO, SLACK_S = 4.0, 0.030


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


def new_store(folder: Path) -> None:
    open_store(DataDir(folder / "d")).close()


def new_workspace(folder: Path) -> None:
    open_workspace(DataDir(folder / "d")).close()


def replay(folder: Path) -> None:
    migrate(folder / "replayed.sqlite3", replay=True)


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
        "open_store, new data directory": timed(new_store, args.runs),
        "open_workspace, new data directory": timed(new_workspace, args.runs),
        "replay every migration (before)": timed(replay, args.runs),
    }
    print(f"{len(sql)} CREATE statements; median of {args.runs} runs (min–max), ms")
    for name, xs in results.items():
        print(f"  {name:38s} {statistics.median(xs) * 1000:8.1f}  ({min(xs) * 1000:.1f}–{max(xs) * 1000:.1f})")
    floor = statistics.median(results["floor: bare sqlite3, same schema"])
    got = statistics.median(results["open_store, new data directory"])
    target = floor * RATIO + SLACK_S
    ok = got <= target
    print(f"open_store {got * 1000:.1f} ms vs target {target * 1000:.1f} ms (≤ {RATIO:g}× floor + {SLACK_S * 1000:.0f} ms,"
          f" {got / floor:.1f}× floor): {'met' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
