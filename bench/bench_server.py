"""The store on a PostgreSQL server over the loopback against SQLite, in the same run: 10,000 items × 10 years.

Figures: a status change's commit (median; target ≤ 20 ms), a year's load (median; target ≤ 2× SQLite's),
and 5 desks writing at once (each its own connection pool, different items; every acknowledged write is
checked in the change log). The server is a private one started here (Debian's ``postgresql``: initdb
and pg_ctl in a temp directory, fsync on, as the ``postgres`` user when run as root).

Run: ``python bench/bench_server.py [--items N] [--edits N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bench.synthetic import build_store  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.checklist import load_year, set_fields  # noqa: E402
from fazhi_desk.store.backend import PostgresBackend  # noqa: E402
from fazhi_desk.store.db import Store  # noqa: E402
from fazhi_desk.store.models import ChangeLog, ItemRow  # noqa: E402
from tests.pg_fixtures import PgServer, find_bin_dir  # noqa: E402

YEAR = 2025
TODAY = dt.date(2025, 12, 1)


def ms(x: float) -> float:
    return x * 1000


def commits(store: Store, ids: list[str], n: int, user: str = "基准") -> list[float]:
    out = []
    for k in range(n):
        item = ids[k % len(ids)]
        change = {"status": "进行中"} if k % 2 else {"status": "已完成", "completed_on": "2025-06-30"}
        t = time.perf_counter()
        set_fields(store, item, YEAR, change, user=user, today=TODAY)
        out.append(time.perf_counter() - t)
    return out


def year_loads(store: Store, n: int) -> tuple[list[float], int]:
    out, rows = [], 0
    for _ in range(n):
        t = time.perf_counter()
        with store.session() as s:
            rows = len(load_year(s, YEAR, TODAY))
        out.append(time.perf_counter() - t)
    return out, rows


def item_ids(store: Store) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(ItemRow.item_id).order_by(ItemRow.item_id)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--desks", type=int, default=5)
    args = ap.parse_args()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL server programs not found (apt-get install postgresql)")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    server = PgServer(bin_dir, Path(tempfile.mkdtemp(prefix="fazhi-pg-bench-", dir="/tmp")), durable=True).start()
    try:
        t = time.perf_counter()
        local = build_store(DataDir(tmp / "sqlite"), n_items=args.items)
        print(f"SQLite store, {args.items} items × 10 years: built in {time.perf_counter() - t:.1f} s")
        ids = [i for i in item_ids(local) if i.endswith(("-01", "-02", "-03"))][:400]
        snap = tmp / "snap.sqlite3"
        local.snapshot(snap)
        db = server.create_database("bench")
        t = time.perf_counter()
        rows = PostgresBackend(server.url(db)).load(snap)
        print(f"copied to the server (one transaction, {sum(rows.values())} rows): {time.perf_counter() - t:.1f} s")
        remote = Store(server.url(db), tmp / "evidence").open()
        try:
            # warm both (first queries compile and fill caches), then measure
            commits(local, ids[:4], 4)
            commits(remote, ids[:4], 4)
            year_loads(local, 1)
            year_loads(remote, 1)
            rtt = []
            with remote.engine.connect() as c:
                for _ in range(200):
                    t = time.perf_counter()
                    c.exec_driver_sql("SELECT 1").scalar()
                    rtt.append(time.perf_counter() - t)
                floor = []
                for k in range(50):
                    t = time.perf_counter()
                    c.exec_driver_sql(f"INSERT INTO setting (key, value) VALUES ('bench.floor.{k}', '')")
                    c.commit()
                    floor.append(time.perf_counter() - t)
                c.execute(text("DELETE FROM setting WHERE key LIKE 'bench.floor.%'"))
                c.commit()
            print(f"one statement's round trip over the loopback, median: {ms(statistics.median(rtt)):.2f} ms "
                  "(a status change makes about 10)")
            print(f"one durable commit of one row (the server's WAL fsync), median: {ms(statistics.median(floor)):.1f} ms")
            sl_commit = statistics.median(commits(local, ids, args.edits))
            pg_commit_s = commits(remote, ids, args.edits)
            pg_commit = statistics.median(pg_commit_s)
            sl_loads, n_rows = year_loads(local, 5)
            pg_loads, n_rows_pg = year_loads(remote, 5)
            sl_load, pg_load = statistics.median(sl_loads), statistics.median(pg_loads)
            assert n_rows == n_rows_pg, (n_rows, n_rows_pg)
            print(f"status change commit, median: SQLite {ms(sl_commit):.1f} ms, server {ms(pg_commit):.1f} ms "
                  f"(p95 {ms(sorted(pg_commit_s)[int(len(pg_commit_s) * .95) - 1]):.1f} ms)"
                  f"  [target ≤ 20 ms: {'ok' if ms(pg_commit) <= 20 else 'MISSED'}]")
            print(f"year load ({n_rows} rows), median: SQLite {ms(sl_load):.0f} ms, server {ms(pg_load):.0f} ms "
                  f"= {pg_load / sl_load:.2f}× SQLite  [target ≤ 2×: {'ok' if pg_load <= 2 * sl_load else 'MISSED'}]")
        finally:
            remote.close()
            local.close()
        # several desks at once: each its own Store (its own pool), different items, same year
        desks = [Store(server.url(db), tmp / "evidence").open() for _ in range(args.desks)]
        with desks[0].session() as s:
            before = s.scalar(select(func.count()).select_from(ChangeLog))
        per_desk = args.edits
        times: list[float] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(desks))

        def desk(k: int, store: Store) -> None:
            try:
                mine = ids[k::len(desks)]
                barrier.wait(30)
                got = commits(store, mine, per_desk, user=f"操作人{k + 1}")
                with lock:
                    times.extend(got)
            except BaseException as e:  # noqa: BLE001
                errors.append(e)

        t = time.perf_counter()
        threads = [threading.Thread(target=desk, args=(k, s)) for k, s in enumerate(desks)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        with desks[0].session() as s:
            after = s.scalar(select(func.count()).select_from(ChangeLog))
        for s in desks:
            s.close()
        logged = after - before
        print(f"{len(desks)} desks writing at once: {len(times)} commits in {wall:.1f} s "
              f"({len(times) / wall:.0f}/s), median {ms(statistics.median(times)):.1f} ms, "
              f"p95 {ms(sorted(times)[int(len(times) * .95) - 1]):.1f} ms; errors {len(errors)}; "
              f"change-log rows {logged} (each commit 1-2 fields)")
        if errors:
            print("errors:", errors[:3])
            return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
