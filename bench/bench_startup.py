"""Start-up: fazhi-desk to a usable main window (bundled catalogue loaded) vs a bare PySide6 window.

Target (issue 2): median start-up within 1.5× of a bare PySide6 window with an empty tree view,
measured in the same run, each in a fresh process. Run: ``python bench/bench_startup.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView
from PySide6.QtCore import QTimer
app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QTreeView()); w.resize(1280, 800); w.show()
QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
app.exec()
"""

OURS = """
import sys
from pathlib import Path
from fazhi_desk import __version__
from fazhi_desk.paths import DataDir
from fazhi_desk.ui.application import open_main_window
app, store, win = open_main_window(DataDir(Path(sys.argv[1])), __version__)
win.year_loaded.connect(lambda _y: (print("READY", flush=True), app.quit()))
app.exec()
store.close()
"""


def once(code: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120)
    dt = time.perf_counter() - t
    if "READY" not in p.stdout:
        raise SystemExit(f"run failed:\n{p.stdout}\n{p.stderr}")
    return dt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="fazhi-start-")) / "data"
    subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(data), "profile", "set", "--office",
                    "基准测试镇"], check=True, capture_output=True, cwd=ROOT)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(Path(tempfile.mkdtemp()) / "fresh"),
                    "list"], check=True, capture_output=True, cwd=ROOT)
    first = time.perf_counter() - t  # not compared: creating the store once
    bare, ours = [], []
    for _ in range(args.runs):  # interleaved, so machine load hits both alike
        bare.append(once(BARE))
        ours.append(once(OURS, str(data)))
    b, o = statistics.median(bare), statistics.median(ours)
    ratio = o / b
    print(f"bare PySide6 window + empty tree view: median {b * 1000:.0f} ms over {args.runs} runs")
    print(f"fazhi-desk to usable main window:     median {o * 1000:.0f} ms over {args.runs} runs")
    print(f"first use of a fresh data directory (CLI: create, migrate, load catalogue, list): {first * 1000:.0f} ms")
    ok = ratio <= 1.5
    print(f"{'PASS' if ok else 'FAIL'}  start-up ratio {ratio:.2f}× (target ≤ 1.5×)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
