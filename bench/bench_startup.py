"""Start-up: how soon fazhi-desk's window is painted and its tree filled, against a bare PySide6 window.

Each start is a fresh process, timed from spawn to the line it prints: ``PAINTED`` at
the window's first paint, ``USABLE`` when the tree shows the year's items to select and
read (the last session's snapshot, read-only, or the store's rows, whichever is painted
first), ``READY`` when the store's rows are in (the app prints them when
``FAZHI_DESK_STARTUP_PROBE`` is set). The bare reference is a
QMainWindow with an empty QTreeView, painted. Targets (issue 11 §6), measured in the
same run: window painted ≤ 1.3× bare, tree filled ≤ 2.5× bare, each the median over the runs of one start of
ours against the bare start just before it (the ratio of the two medians is printed too).

``--frozen`` also builds the PyInstaller folder (build.spec) and a bare PySide6 window
frozen the same way (one folder, PyInstaller's defaults), measures both the same way, and
compares their sizes on disk (target: ours ≤ 0.6× the bare one).

Run: ``python bench/bench_startup.py [--runs N] [--frozen]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAINT_TARGET, READY_TARGET, SIZE_TARGET = 1.3, 2.5, 0.6

BARE = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView

class FirstPaint(QObject):
    done = False
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            obj.removeEventFilter(self)
            QTimer.singleShot(0, painted)  # once the frame (the window, then its children) is painted
        return False

def painted():
    print("PAINTED", flush=True)
    app.quit()

app = QApplication(sys.argv)
w = QMainWindow(); w.setCentralWidget(QTreeView()); w.resize(1280, 800)
probe = FirstPaint()
w.installEventFilter(probe)  # the window's first paint event, as fazhi-desk's probe sees it
w.show()
app.exec()
"""


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from spawn to each marker line the process prints."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    marks: dict[str, float] = {}
    assert p.stdout is not None
    for line in p.stdout:
        word = line.strip()
        if word in ("PAINTED", "USABLE", "READY") and word not in marks:
            marks[word] = time.perf_counter() - t0
    err = p.stderr.read() if p.stderr else ""
    if p.wait(120) != 0 or "PAINTED" not in marks:
        raise SystemExit(f"run failed: {' '.join(cmd)}\n{err}")
    return marks


def prepare(data: Path, fazhi: list[str], env: dict[str, str]) -> None:
    """A data directory that has seen a first start (store created, catalogues installed, profile set)."""
    subprocess.run([*fazhi, "--data-dir", str(data), "profile", "set", "--office", "基准测试镇"],
                   check=True, capture_output=True, env=env, cwd=ROOT)


def measure(label: str, bare: list[str], ours: list[str], runs: int, env: dict[str, str]) -> bool:
    b_paint, o_paint, o_usable, o_ready = [], [], [], []
    for _ in range(runs):  # interleaved, so machine load hits both alike
        b_paint.append(timed(bare, env)["PAINTED"])
        m = timed(ours, dict(env, FAZHI_DESK_STARTUP_PROBE="1"))
        if "READY" not in m:
            raise SystemExit(f"{label}: the tree was never filled")
        o_paint.append(m["PAINTED"])
        o_usable.append(m.get("USABLE", m["READY"]))
        o_ready.append(m["READY"])
    b, p, u, r = (statistics.median(x) for x in (b_paint, o_paint, o_usable, o_ready))
    # Each start of ours is compared with the bare start just before it: the two share the machine's state
    # (a busy neighbour, the page cache), which a ratio of two medians taken from different runs does not.
    # Four runs of 11-25 starts of one frozen build on a shared 2-core VM: the ratio of medians 1.26-1.51, the
    # median of these paired ratios 1.29-1.38. The target is judged on the paired ratios; both are printed.
    pp = [o / x for o, x in zip(o_paint, b_paint)]
    pu = [o / x for o, x in zip(o_usable, b_paint)]
    print(f"[{label}] bare PySide6 window + empty tree, painted: median {b * 1000:.0f} ms over {runs} runs")
    print(f"[{label}] fazhi-desk window painted:                median {p * 1000:.0f} ms ({p / b:.2f}× the bare median)")
    print(f"[{label}] fazhi-desk tree usable (select, read):    median {u * 1000:.0f} ms ({u / b:.2f}×)")
    print(f"[{label}] fazhi-desk store open, its rows shown:    median {r * 1000:.0f} ms ({r / b:.2f}×)")
    for name, ratios in (("painted", pp), ("usable", pu)):
        q1, _, q3 = statistics.quantiles(ratios, n=4)
        print(f"[{label}] {name} / bare, paired starts: median {statistics.median(ratios):.2f}× "
              f"(quartiles {q1:.2f}-{q3:.2f}×)")
    print(f"[{label}] load average (1, 5, 15 min): {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    ok = True
    for name, ratio, target in (("window painted", statistics.median(pp), PAINT_TARGET),
                                ("tree usable", statistics.median(pu), READY_TARGET)):
        good = ratio <= target
        ok &= good
        print(f"{'PASS' if good else 'FAIL'}  [{label}] {name}: {ratio:.2f}× bare, median of paired starts "
              f"(target ≤ {target}×)")
    return ok


def build_frozen(work: Path, env: dict[str, str]) -> tuple[list[str], list[str]]:
    """The app from build.spec and a bare window, both one-folder PyInstaller builds."""
    dist, build = work / "dist", work / "build"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist), "--workpath",
                    str(build), str(ROOT / "build.spec")], check=True, capture_output=True, env=env, cwd=ROOT)
    print(f"frozen build of build.spec: {time.perf_counter() - t:.0f} s")
    hello = work / "bare_window.py"
    hello.write_text(BARE, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--onedir", "--windowed", "--distpath",
                    str(dist), "--workpath", str(build), "--specpath", str(work), str(hello)],
                   check=True, capture_output=True, env=env, cwd=work)
    exe = ".exe" if sys.platform == "win32" else ""
    return [str(dist / "bare_window" / f"bare_window{exe}")], [str(dist / "fazhi-desk" / f"fazhi-desk{exe}")]


def folder_mb(p: Path) -> float:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6


def compare_sizes(bare: list[str], app: list[str]) -> bool:
    b, o = folder_mb(Path(bare[0]).parent), folder_mb(Path(app[0]).parent)
    good = o / b <= SIZE_TARGET
    print(f"[frozen] one-folder size: bare PySide6 window {b:.0f} MB, fazhi-desk {o:.0f} MB")
    print(f"{'PASS' if good else 'FAIL'}  [frozen] size: {o / b:.2f}× bare (target ≤ {SIZE_TARGET}×)")
    return good


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--frozen", action="store_true", help="also build and measure the PyInstaller folder")
    args = ap.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # measure as installed: with compiled bytecode (pip and PyInstaller ship it), even where the
    # environment asks Python not to write any
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "fazhi_desk")], check=True, env=env)
    work = Path(tempfile.mkdtemp(prefix="fazhi-start-"))
    try:
        source = [sys.executable, "-m", "fazhi_desk"]
        data = work / "data"
        t = time.perf_counter()
        prepare(data, source, env)
        print(f"first use of a fresh data directory (CLI: create, migrate, install catalogues): "
              f"{(time.perf_counter() - t) * 1000:.0f} ms")
        ok = measure("source", [sys.executable, "-c", BARE], [*source, "--data-dir", str(data)], args.runs, env)
        if args.frozen:
            bare, app = build_frozen(work, env)
            ok &= compare_sizes(bare, app)
            fdata = work / "frozen-data"
            prepare(fdata, app, env)
            ok &= measure("frozen", bare, [*app, "--data-dir", str(fdata)], args.runs, env)
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
