"""Bench: the annual report for 10,000 items and 50,000 evidence rows.

Targets (measured in the same run, on this machine):
  1. the whole path from the store to the saved workbook (what the user waits for: read the year,
     build every sheet, save) takes ≤ 3 s;
  2. and ≤ 0.5 × the time bare openpyxl needs to write the same cells (the values of every data
     row of every sheet, no styles) in the same run;
  (informative) writing from in-memory dataclasses alone, and the plain-openpyxl fallback writer.

Prints the figures and one PASS/FAIL line per target; exits 1 on any FAIL.
Run: ``python bench/bench_report.py``
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402

from fazhi_desk.jobs import JobContext  # noqa: E402
from fazhi_desk.reports.workbook import write_report  # noqa: E402
from fazhi_desk.reports.annual import (  # noqa: E402
    DocumentInfo,
    EvidenceCheck,
    ReportData,
    ReportEvidence,
    ReportRow,
    RowState,
)

N_ITEMS = 10_000
N_EVIDENCE = 50_000
STATES = [RowState.DONE, RowState.IN_PROGRESS, RowState.NOT_STARTED, RowState.NOT_APPLICABLE, RowState.NOT_DUE]


def synthetic() -> ReportData:
    rows = []
    names: dict[str, list[str]] = {}
    ev = []
    for j in range(N_EVIDENCE):
        i = j % N_ITEMS
        item_id = f"SZ2015-{i // 100:02d}-{i % 100:02d}"
        name = f"第{j}号佐证材料_会议记录.pdf"
        names.setdefault(item_id, []).append(name)
        ev.append(ReportEvidence(item_id, f"每年组织集中学法不少于4次,第{i}项", name, "会议纪要及签到表",
                                 dt.date(2025, 1 + j % 12, 1 + j % 28), 12_345 + j,
                                 hashlib.sha256(str(j).encode()).hexdigest(), EvidenceCheck.OK))
    for i in range(N_ITEMS):
        item_id = f"SZ2015-{i // 100:02d}-{i % 100:02d}"
        st = STATES[i % 5]
        rows.append(ReportRow(
            item_id=item_id, doc_code="SZ2015", chapter=f"{'一二三四五六七八'[i % 8]}、主要任务",
            section="(一)大力提高工作人员依法行政意识和能力", article_no=i % 30 + 1, article_title="建立学法培训长效机制",
            requirement=f"每年组织集中学法不少于4次,领导干部带头学法,第{i}项", lead_units="各镇办",
            cycle="每年", target="4次", unit="次", actual=float(i % 5), state=st, overdue=(i % 7 == 0 and st in (
                RowState.NOT_STARTED, RowState.IN_PROGRESS)), due_date=dt.date(2025, 12, 31),
            completed_on=dt.date(2025, 6, 1) if st is RowState.DONE else None, owner="张三",
            note=("组织全镇干部集中学法,邀请县司法局讲解行政执法程序。" * (1 + i % 4)) + ("=危险" if i % 97 == 0 else ""),
            na_reason="本镇无此职能" if st is RowState.NOT_APPLICABLE else "",
            evidence_names=tuple(names.get(item_id, ())),
        ))
    return ReportData("营盘镇", "柞水县", 2025, dt.date(2026, 1, 10),
                      (DocumentInfo("SZ2015", "苏州市法治政府建设实施意见", "苏府〔2015〕1号", "1.0"),),
                      tuple(rows), tuple(ev))


def bare_openpyxl(data: ReportData, path: str) -> None:
    """The same cells our workbook's data sheets hold, as plain values, no styles: the floor openpyxl itself sets."""
    from fazhi_desk.reports.workbook import build_workbook
    from fazhi_desk.reports.xlsx import Link

    _wb, bulk = build_workbook(data)  # only to know the cells (not timed as part of the floor's work below)
    cells = {name: [[v.text if isinstance(v, Link) else v for v, _s in row] for row, _h in b.rows]
             for name, b in bulk.items()}
    t = time.perf_counter()
    wb = openpyxl.Workbook()
    for name, rows in cells.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    bare_openpyxl.seconds = time.perf_counter() - t  # type: ignore[attr-defined]


def timed(fn, *a, **kw) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn(*a, **kw)
    return time.perf_counter() - t


def full_path_from_store(tmp: Path) -> tuple[float, float, ReportData]:
    """Build a synthetic store (not timed), then time export_report from it."""
    from sqlalchemy import insert, select

    from fazhi_desk.catalogue.schema import Catalogue
    from fazhi_desk.domain.model import Cycle, Item, SourceDocument
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.report import export_report
    from fazhi_desk.store.db import open_store
    from fazhi_desk.store.models import Assessment, EvidenceFile, EvidenceLink, ItemRow

    st = open_store(DataDir(tmp / "data").ensure())
    try:
        doc = SourceDocument("BB2020", "基准文件", "基〔2020〕1号", "基准机关", dt.date(2020, 1, 1), "1.0")
        items = tuple(Item(item_id=f"BB2020-{i:05d}", doc_code="BB2020", chapter=f"第{i % 8}章", article_no=i % 30,
                           requirement=f"每年组织集中学法不少于4次,第{i}项", cycle=Cycle.YEARLY, target=4, unit="次")
                      for i in range(N_ITEMS))
        with st.transaction() as s:
            install_new_document(s, Catalogue(document=doc, items=items), source_file="bench")
        set_profile(st, office_name="营盘镇", county="柞水县")
        now = dt.datetime(2025, 6, 1)
        with st.transaction() as s:
            current = dict(s.execute(select(ItemRow.item_id, ItemRow.current_revision_id)).all())
            # as the program makes them: each assessment records the wording it was made under
            s.execute(insert(Assessment), [dict(id=i + 1, item_id=f"BB2020-{i:05d}", year=2025, status=["已完成", "进行中", "未开始"][i % 3],
                                                revision_id=current[f"BB2020-{i:05d}"], owner="张三",
                                                note="已组织学习。" * (i % 5), na_reason="") for i in range(N_ITEMS)])
            shas = [hashlib.sha256(str(j).encode()).hexdigest() for j in range(N_EVIDENCE)]
            s.execute(insert(EvidenceFile), [dict(sha256=h, size=10, mime="", stored_at=now) for h in shas])
            s.execute(insert(EvidenceLink), [dict(assessment_id=j % N_ITEMS + 1, sha256=h, original_name=f"材料{j}.pdf",
                                                  description="", added_at=now, added_by="b") for j, h in enumerate(shas)])
        t = time.perf_counter()
        res = export_report(JobContext(), st, 2025, tmp / "store.xlsx", today=dt.date(2026, 1, 10))
        total = time.perf_counter() - t
        assert res.evidence_files == N_EVIDENCE and res.items == N_ITEMS
        from fazhi_desk.services.report import load_report_data

        t = time.perf_counter()
        data = load_report_data(st, 2025, dt.date(2026, 1, 10))
        read = time.perf_counter() - t
        return total, read, data
    finally:
        st.close()


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        total, read, store_data = full_path_from_store(tmp)
        bare_openpyxl(store_data, os.fspath(tmp / "bare.xlsx"))
        bare = bare_openpyxl.seconds  # type: ignore[attr-defined]
        data = synthetic()
        ours = timed(write_report, JobContext(), data, tmp / "ours.xlsx")
        plain = timed(write_report, JobContext(), data, tmp / "plain.xlsx", fast=False)
        size = (tmp / "store.xlsx").stat().st_size
        print(f"items {N_ITEMS}, evidence rows {N_EVIDENCE}")
        print(f"store → saved workbook (read {read:.2f} s + build and save) : {total:6.2f} s  ({size / 1e6:.1f} MB)")
        print(f"bare openpyxl writing the same cells, no styles        : {bare:6.2f} s")
        print(f"writer alone, in-memory synthetic data (informative)  : {ours:6.2f} s")
        print(f"plain-openpyxl fallback writer (informative)           : {plain:6.2f} s")
        for label, passed in (
            (f"store → workbook ≤ 3 s: {total:.2f} s", total <= 3.0),
            (f"store → workbook ≤ 0.5 × bare openpyxl: {total:.2f} s vs {0.5 * bare:.2f} s", total <= 0.5 * bare),
        ):
            print(("PASS " if passed else "FAIL ") + label)
            ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
