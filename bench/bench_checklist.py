"""Checklist at scale: 10,000 items × 10 years. Search keystrokes, status change, peak memory.

Real queries are typed into the search box one character at a time; each keystroke is timed from
the text changing to the event loop falling quiet: the search box's own timer fired, the hits filtered,
laid out and painted, and nothing left pending (a paint Qt defers to the next pass of the event loop
belongs to the keystroke that caused it). The floor, measured in the same run after ours: Qt's own
QSortFilterProxyModel (fixed string, C++) over the same rows' search texts in a plain QTreeView of
the same size, typed and timed the same way.

Targets (issue 30): a search keystroke ≤ 16 ms median and ≤ 50 ms p90, a status change commits
in ≤ 20 ms median, peak memory ≤ 200 MB (the synthetic store is built in a child process, so its
generator's memory is not counted). Exits non-zero when a target is missed.
Run: ``python bench/bench_checklist.py [--items N]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.synthetic import build_store  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services.checklist import set_fields  # noqa: E402
from fazhi_desk.tasks import runner  # noqa: E402
from fazhi_desk.ui.main_window import MainWindow  # noqa: E402


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# Typed one character at a time: words of the requirements, a unit, an owner, an 编号, a source passage.
QUERIES = ("依法行政", "规范性文件备案", "学法培训", "县司法局", "张三", "syna-0012", "原文", "每年执法")
SEARCH_MEDIAN_MS, SEARCH_P90_MS, COMMIT_MS, PEAK_MB = 16, 50, 20, 200


def p90(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.9)] * 1000


class Quiet(QObject):
    """Counts the events Qt delivers (app-wide), to tell when the event loop has nothing left to do."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        self.seen += 1
        return False


def settle(app: QApplication, quiet: Quiet, passes: int = 50) -> None:
    """Run the event loop until a pass delivers no event at all: timers fired, layouts done, everything painted."""
    for _ in range(passes):
        quiet.seen = 0
        app.processEvents()
        if not quiet.seen:
            return


def type_queries(app: QApplication, set_text) -> list[float]:  # noqa: ANN001
    """Seconds per keystroke over QUERIES, each from the text set to the event loop quiet (clearing the box
    between queries is not counted)."""
    quiet = Quiet()
    app.installEventFilter(quiet)
    settle(app, quiet)
    out = []
    for word in QUERIES:
        for k in range(1, len(word) + 1):
            t = time.perf_counter()
            set_text(word[:k])
            settle(app, quiet)
            out.append(time.perf_counter() - t)
        set_text("")
        settle(app, quiet)
    app.removeEventFilter(quiet)
    return out


def qt_floor(app: QApplication, texts: list[str], size) -> list[float]:  # noqa: ANN001
    """The same keystrokes through Qt's own filter proxy (C++) over the same search texts, in a bare tree."""
    from PySide6.QtCore import QSortFilterProxyModel
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTreeView

    src = QStandardItemModel()
    for t in texts:
        src.appendRow(QStandardItem(t))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(src)
    view = QTreeView()
    view.setUniformRowHeights(True)
    view.setModel(proxy)
    view.resize(size)
    view.show()
    app.processEvents()
    samples = type_queries(app, proxy.setFilterFixedString)
    view.close()
    return samples


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--build-only", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_only:  # the child process: build the synthetic store and exit
        build_store(DataDir(Path(args.build_only)), args.items).close()
        return 0
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--items", str(args.items), "--build-only", str(tmp / "data")],
                   check=True)
    print(f"synthetic store: {args.items} items × 10 years built in {time.perf_counter() - t0:.1f} s")
    from fazhi_desk.store.db import open_store

    store = open_store(DataDir(tmp / "data").ensure())

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

    # search: each keystroke = the text set; the search box's timer applies the filter, the tree lays out and paints
    texts_typed = [word[:k] for word in QUERIES for k in range(1, len(word) + 1)]
    keystrokes = type_queries(app, win.search.setText)
    dearest = sorted(zip(keystrokes, texts_typed), reverse=True)[:6]
    print("dearest keystrokes: " + ", ".join(f"{text} {t * 1000:.0f} ms" for t, text in dearest))
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
    from fazhi_desk.ui.checklist_model import search_text

    texts = [search_text(r) for r in win.model.rows()]
    size = win.checklist.tree.size()
    win.close()
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    floor = qt_floor(app, texts, size)

    ok = True

    def check(name: str, value: float, limit: float, unit: str) -> None:
        nonlocal ok
        good = value <= limit
        ok &= good
        print(f"{'PASS' if good else 'FAIL'}  {name}: {value:.1f} {unit} (target ≤ {limit:g} {unit})")

    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"floor: Qt's own filter proxy over the same {len(texts)} texts, same keystrokes: "
          f"median {median_ms(floor):.1f} ms, p90 {p90(floor):.1f} ms")
    check(f"search keystroke, median of {len(keystrokes)} ({median_ms(keystrokes) / median_ms(floor):.1f}× the floor)",
          search_ms, SEARCH_MEDIAN_MS, "ms")
    check(f"search keystroke, p90 ({p90(keystrokes) / p90(floor):.1f}× the floor)", p90(keystrokes), SEARCH_P90_MS,
          "ms")
    check("status change commit, median", commit_ms, COMMIT_MS, "ms")
    print(f"      status change incl. row reload and dashboard redraw, median: {ui_ms:.1f} ms")
    check("peak memory (RSS)", peak_mb, PEAK_MB, "MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
