"""Bench: validating + previewing a 10,000-item catalogue workbook, and applying it, each within 5 s.

Two rounds in a fresh data directory: (1) a new document of 10,000 items;
(2) a revision of it (1,000 reworded, 100 removed, 100 added, version bumped)
over the installed one, which is the work a real update does. The floor is
openpyxl merely reading every cell of the same workbook, measured in the same
run, so a slow machine shows up as a slow floor rather than as our fault.

Run: ``python bench/bench_import.py``; prints figures and PASS/FAIL lines, exits 1 on any FAIL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_desk.catalogue.excel import write_template  # noqa: E402
from fazhi_desk.catalogue.schema import Catalogue  # noqa: E402
from fazhi_desk.domain.model import Cycle, Item, SourceDocument  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.catalogue import apply_import, preview_import  # noqa: E402
from fazhi_desk.store.db import open_store  # noqa: E402

N = 10_000
TARGET_S = 5.0
CYCLES = list(Cycle)


def big_catalogue(version: str, n: int = N) -> Catalogue:
    doc = SourceDocument(code="BIG2025", title="大型测试实施方案", doc_number="测〔2025〕1号", issuer="测试县人民政府",
                         date=dt.date(2025, 1, 1), version=version, notes=("基准测试",))
    items = []
    for k in range(n):
        art = k // 100 + 1
        items.append(Item(
            item_id=f"BIG2025-{art:03d}-{k % 100:02d}", doc_code="BIG2025", chapter=f"第{art // 10 + 1}章 依法行政",
            section="(一)健全制度", article_no=art, article_title="建立健全学法制度",
            requirement=f"各镇办每年组织集中学法不少于{k % 7 + 1}次,并形成记录(第{k}项)",
            source_passage="各镇(街道)要建立健全领导干部学法制度,每年组织集中学法不少于4次。" * 2,
            lead_units="县司法局", participating_units="各镇办", applies_to_township=k % 5 != 0,
            cycle=CYCLES[k % len(CYCLES)], target=float(k % 7 + 1), unit="次",
            deadline=dt.date(2025 + k % 5, 12, 31) if k % 3 == 0 else None, evidence_hint="学法记录、签到表",
        ))
    return Catalogue(document=doc, items=tuple(items))


def revised(cat: Catalogue) -> Catalogue:
    items = list(cat.items)
    for k in range(0, 10_000, 10):
        items[k] = dataclasses.replace(items[k], requirement=items[k].requirement + "(修订)")
    items = [it for k, it in enumerate(items) if k % 100 != 7]
    items += [dataclasses.replace(cat.items[0], item_id=f"BIG2025-900-{k:02d}", article_no=900) for k in range(100)]
    doc = dataclasses.replace(cat.document, version="1.1")
    return Catalogue(document=doc, items=tuple(items))


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t


def floor_read(path: Path) -> float:
    import openpyxl

    t = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                _ = c.value
    wb.close()
    return time.perf_counter() - t


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = open_store(DataDir(root / "data").ensure())
        try:
            v1, v2 = big_catalogue("1.0"), None
            p1 = root / "v1.xlsx"
            _, t_write = timed(lambda: write_template([v1], p1))
            print(f"write 10,000-item template: {t_write:.2f} s ({p1.stat().st_size / 1e6:.1f} MB)")
            print(f"floor (openpyxl reads every cell): {floor_read(p1):.2f} s")
            v2 = revised(v1)
            p2 = root / "v2.xlsx"
            write_template([v2], p2)
            for label, path in (("new document, 10,000 items", p1),
                                ("revision: 1,000 changed, 100 removed, 100 added", p2)):
                preview, t_prev = timed(lambda: preview_import(store, path))
                d = preview.diff
                print(f"[{label}] validate+preview: {t_prev:.2f} s  (新增 {d.count('added')}, 修改 {d.count('changed')}, "
                      f"退役 {d.count('removed')}, 未变 {d.count('unchanged')})")
                _, t_apply = timed(lambda: apply_import(store, preview))
                print(f"[{label}] apply: {t_apply:.2f} s")
                for what, t in (("validate+preview", t_prev), ("apply", t_apply)):
                    verdict = "PASS" if t <= TARGET_S else "FAIL"
                    ok &= verdict == "PASS"
                    print(f"{verdict}: {label}: {what} {t:.2f} s <= {TARGET_S:.0f} s")
            again, t_same = timed(lambda: preview_import(store, p2))
            assert again.is_empty
            print(f"identical re-import detected as 没有变化 in {t_same:.2f} s")
        finally:
            store.close()
    print("ALL PASS" if ok else "SOME FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
