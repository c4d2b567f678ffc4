"""Checklist at scale: 10,000 items × 10 years. Search keystroke re-filter, status change, peak memory.

Targets (issue 2): a search keystroke re-filters in ≤ 50 ms median, a status change commits in
≤ 20 ms median, peak memory ≤ 300 MB. Run: ``python bench/bench_checklist.py [--items N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.synthetic import build_store  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.checklist import set_fields  # noqa: E402
from fazhi_desk.tasks import runner  # noqa: E402
from fazhi_desk.ui.main_window import MainWindow  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    t0 = time.perf_counter()
    store = build_store(DataDir(tmp / "data"), args.items)
    print(f"synthetic store: {args.items} items × 10 years built in {time.perf_counter() - t0:.1f} s")

    win = MainWindow(store, QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat), today=dt.date(2025, 7, 1))
    win.resize(1280, 800)
    win.show()
    loaded = []
    win.year_loaded.connect(loaded.append)
    t0 = time.perf_counter()
    win.year_combo.setCurrentIndex(win.year_combo.findData(2025))
    win.reload()
    while not loaded:
        app.processEvents()
    print(f"load year 2025 into the window: {(time.perf_counter() - t0) * 1000:.0f} ms")

    # search: type "依法行政" one key at a time, then clear; each keystroke = filter + tree relayout + paint
    keystrokes = []
    for word in ("依法行政", "备案", "学法培训", "县司法局", "原文"):
        for k in range(1, len(word) + 1):
            t = time.perf_counter()
            win.search.setText(word[:k])
            win.checklist._apply_filter()
            app.processEvents()
            keystrokes.append(time.perf_counter() - t)
        win.search.setText("")
        win.checklist._apply_filter()
        app.processEvents()
    search_ms = median_ms(keystrokes)

    # status change: service commit alone, and the whole UI edit (commit + row reload + dashboard)
    ids = [r.item_id for r in win.model.rows()[:200]]
    commits = []
    for n, item_id in enumerate(ids[:100]):
        t = time.perf_counter()
        set_fields(store, item_id, 2025, {"status": "进行中"} if n % 2 else {"status": "已完成", "completed_on": "2025-06-30"})
        commits.append(time.perf_counter() - t)
    ui_edits = []
    for n, item_id in enumerate(ids[100:160]):
        t = time.perf_counter()
        win.apply_edit(item_id, 2025, {"status": "进行中" if n % 2 else "未开始"})
        while runner().running():  # saved on the writer, the row re-read when it has committed
            app.processEvents()
        ui_edits.append(time.perf_counter() - t)
    commit_ms, ui_ms = median_ms(commits), median_ms(ui_edits)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    win.close()
    store.close()

    ok = True

    def check(name: str, value: float, limit: float, unit: str) -> None:
        nonlocal ok
        good = value <= limit
        ok &= good
        print(f"{'PASS' if good else 'FAIL'}  {name}: {value:.1f} {unit} (target ≤ {limit:g} {unit})")

    check("search keystroke re-filter, median", search_ms, 50, "ms")
    print(f"      search keystroke p90: {sorted(keystrokes)[int(len(keystrokes) * 0.9)] * 1000:.1f} ms")
    check("status change commit, median", commit_ms, 20, "ms")
    print(f"      status change incl. row reload and dashboard redraw, median: {ui_ms:.1f} ms")
    check("peak memory (RSS)", peak_mb, 300, "MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
