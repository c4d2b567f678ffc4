"""Bench: a year with an activity log costs what the same year costs without one.

Two synthetic stores of the same 1,000 items × 2 years of assessments, one of them with 50 sessions for each
of 500 counted items in 2025 (25,000 activity rows; the 实际值 is the log's total, as the service keeps it).
Measured in the same run, alternating, median of 7:

  1. reading the year (``load_year``, what the window and the report read) with the log ≤ 1.10 × without;
  2. the annual report workbook of the year with the log ≤ 1.10 × without.

Prints the figures and one PASS/FAIL line per target; exits 1 on any FAIL.
Run: ``python bench/bench_activity.py``
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, update  # noqa: E402

from bench.synthetic import build_store  # noqa: E402
from fazhi_desk.jobs import JobContext  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.checklist import load_year  # noqa: E402
from fazhi_desk.store.models import ActivityRow, Assessment, ItemRow  # noqa: E402
from fazhi_desk.store.types import now  # noqa: E402

N_ITEMS = 1_000
LOGGED_ITEMS = 500
SESSIONS = 50
YEAR = 2025
RUNS = 7
LIMIT = 1.10


def _add_log(store) -> None:  # noqa: ANN001
    with store.session() as s:
        ids = list(s.scalars(select(ItemRow.item_id).order_by(ItemRow.item_id).limit(LOGGED_ITEMS)))
    when = now()
    rows = [dict(item_id=i, year=YEAR, date=dt.date(YEAR, 1 + k % 12, 1 + k % 28), title=f"第{k + 1}次集中学法",
                 place="三楼会议室", people="班子成员", quantity=1.0, note="", created_at=when, created_by="bench")
            for i in ids for k in range(SESSIONS)]
    with store.transaction() as s:
        s.execute(insert(ActivityRow), rows)
        s.execute(update(Assessment).where(Assessment.item_id.in_(ids), Assessment.year == YEAR)
                  .values(actual=float(SESSIONS)))


def _time(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> int:
    from fazhi_desk.services.report import export_report

    root = Path(tempfile.mkdtemp(prefix="bench-activity-"))
    plain = build_store(DataDir(root / "plain"), N_ITEMS, range(2024, 2026))
    logged = build_store(DataDir(root / "logged"), N_ITEMS, range(2024, 2026))
    _add_log(logged)
    from fazhi_desk.services.profile import set_profile

    for st in (plain, logged):
        set_profile(st, office_name="营盘镇", county="柞水县")
    today = dt.date(YEAR, 12, 20)
    figures: dict[str, dict[str, list[float]]] = {"year": {"plain": [], "logged": []},
                                                  "report": {"plain": [], "logged": []}}
    for k in range(RUNS):
        for name, store in (("plain", plain), ("logged", logged)):
            def read(store=store) -> None:  # noqa: ANN001
                with store.session() as s:
                    load_year(s, YEAR, today)
            figures["year"][name].append(_time(read))
            out = root / f"{name}-{k}.xlsx"
            figures["report"][name].append(_time(lambda store=store, out=out: export_report(
                JobContext(), store, YEAR, out, today=today)))
    failed = False
    for what, label in (("year", "year read (load_year)"), ("report", "report workbook")):
        p, lg = statistics.median(figures[what]["plain"]), statistics.median(figures[what]["logged"])
        ratio = lg / p
        ok = ratio <= LIMIT
        failed |= not ok
        print(f"{label}: without log {p * 1000:.0f} ms, with {LOGGED_ITEMS}×{SESSIONS} sessions "
              f"{lg * 1000:.0f} ms: {ratio:.2f}× (target ≤ {LIMIT:.2f}×) {'PASS' if ok else 'FAIL'}")
    plain.close()
    logged.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
