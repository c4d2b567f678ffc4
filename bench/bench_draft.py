"""Bench: drafting a catalogue from a 40-page plan (~60,000 characters) and from a 5,000-row table.

Targets (issue: import what counties send): each ≤ 2 s. The plan is built from the bundled 柞水 source
text repeated to 60,000 characters; the table is a generated 考核细则 workbook with three merged
indicator levels. The floor printed beside each figure is the bare cost of reading the same input
(the text's str.splitlines + one regex pass; python-calamine reading every cell) in the same run.

Run: ``python bench/bench_draft.py``; prints figures and PASS/FAIL lines, exits 1 on any FAIL.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_desk.catalogue.draft import DraftMeta, draft_catalogue  # noqa: E402
from fazhi_desk.paths import resource_path  # noqa: E402

TARGET_S = 2.0


def plan_text(chars: int = 60_000) -> str:
    src = resource_path("sources", "ZS2022.txt").read_text("utf-8")
    out = src
    while len(out) < chars:
        out += "\n" + src
    return out[:chars]


def table_file(folder: Path, rows: int = 5_000) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "一级指标", "二级指标", "三级指标", "考核内容", "评分标准", "分值", "责任单位"])
    for n in range(rows):
        ws.append([n + 1, f"一级{n // 500}" if n % 500 == 0 else None, f"二级{n // 50}" if n % 50 == 0 else None,
                   f"三级{n}", f"每年组织第{n}项工作不少于{n % 7 + 1}次,2025年底前完成", "未完成扣1分", 2, "各镇办"])
    for start in range(0, rows, 500):
        ws.merge_cells(start_row=start + 2, start_column=2, end_row=min(start + 501, rows + 1), end_column=2)
    for start in range(0, rows, 50):
        ws.merge_cells(start_row=start + 2, start_column=3, end_row=min(start + 51, rows + 1), end_column=3)
    path = folder / "考核细则.xlsx"
    wb.save(path)
    return path


def timed(fn, repeat: int = 3) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    ok = True
    meta = DraftMeta(code="BM2022", title="基准方案", date=dt.date(2022, 8, 5))
    text = plan_text()
    rx = re.compile(r"[^。;]+[。;]?")
    floor = timed(lambda: [rx.findall(ln) for ln in text.splitlines()])
    draft_catalogue(text, meta, pasted=True)  # warm OpenCC and regexes
    t = timed(lambda: draft_catalogue(text, meta, pasted=True))
    n = len(draft_catalogue(text, meta, pasted=True).catalogue.items)
    verdict = "PASS" if t <= TARGET_S else "FAIL"
    ok &= t <= TARGET_S
    print(f"{verdict} plan of {len(text):,} characters: {t:.2f} s for {n} items (target ≤ {TARGET_S} s; "
          f"bare split {floor * 1000:.0f} ms)")
    with tempfile.TemporaryDirectory() as tmp:
        path = table_file(Path(tmp))
        from python_calamine import CalamineWorkbook

        floor = timed(lambda: CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python())
        t = timed(lambda: draft_catalogue(path, meta))
        n = len(draft_catalogue(path, meta).catalogue.items)
    verdict = "PASS" if t <= TARGET_S else "FAIL"
    ok &= t <= TARGET_S
    print(f"{verdict} table of 5,000 rows: {t:.2f} s for {n} items (target ≤ {TARGET_S} s; "
          f"calamine reading it {floor * 1000:.0f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
