"""Bench: the written report (.docx) of a 200-item year, and the county's roll-up of 50 township workbooks.

Targets:
  1. drafting and writing the .docx for a 200-item year, from the store: ≤ 2 s
     (the drafting alone, by theme with the activity log read in one query, is printed beside it);
  2. rolling up 50 township workbooks of 200 items each: ≤ 10 s
     (floor printed beside it: python-calamine only reading the same 50 files, in the same run).

Prints the figures and one PASS/FAIL line per target; exits 1 on any FAIL.
Run: ``python bench/bench_annual.py``
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import build_store  # noqa: E402

from fazhi_desk.jobs import JobContext  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402

N_ITEMS = 200
N_TOWNSHIPS = 50
TODAY = dt.date(2026, 1, 15)


def main() -> int:
    from fazhi_desk.services.annual_text import drafts, export_docx
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.report import export_report
    from fazhi_desk.services.statistics import set_statistic

    ok = True
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        st = build_store(DataDir(tmp / "data"), N_ITEMS, range(2024, 2026))
        try:
            set_profile(st, office_name="营盘镇", county="柞水县")
            for code, v in (("MEDIATION", 57), ("NORM_ISSUED", 3), ("LEADER_MEETINGS", 4)):
                set_statistic(st, 2025, code, v)
            t = time.perf_counter()
            drafts(st, 2025, TODAY)
            draft_s = time.perf_counter() - t
            t = time.perf_counter()
            export_docx(JobContext(), st, 2025, tmp / "报告.docx", today=TODAY)
            docx_s = time.perf_counter() - t
            paths = []
            t = time.perf_counter()
            for n in range(N_TOWNSHIPS):
                set_profile(st, office_name=f"第{n + 1:02d}镇", county="柞水县")
                p = tmp / f"t{n:02d}.xlsx"
                export_report(JobContext(), st, 2025, p, today=TODAY)
                paths.append(p)
            make_s = time.perf_counter() - t
        finally:
            st.close()
        from python_calamine import CalamineWorkbook

        from fazhi_desk.reports.rollup import rollup

        t = time.perf_counter()
        for p in paths:
            wb = CalamineWorkbook.from_path(str(p))
            for name in wb.sheet_names:
                wb.get_sheet_by_name(name).to_python()
        floor = time.perf_counter() - t
        t = time.perf_counter()
        res = rollup(paths, tmp / "汇总.xlsx")
        roll_s = time.perf_counter() - t
        assert res.offices == N_TOWNSHIPS
    print(f"draft of a {N_ITEMS}-item year (five sections)      : {draft_s:6.2f} s")
    print(f".docx for a {N_ITEMS}-item year (draft + write)      : {docx_s:6.2f} s")
    print(f"{N_TOWNSHIPS} township workbooks made (not timed target) : {make_s:6.2f} s")
    print(f"calamine reading every sheet of them (floor)     : {floor:6.2f} s")
    print(f"roll-up of {N_TOWNSHIPS} × {N_ITEMS}-item workbooks           : {roll_s:6.2f} s")
    for label, passed in (
        (f".docx ≤ 2 s: {docx_s:.2f} s", docx_s <= 2.0),
        (f"roll-up ≤ 10 s: {roll_s:.2f} s", roll_s <= 10.0),
    ):
        print(("PASS " if passed else "FAIL ") + label)
        ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
