"""Benchmark of backup and restore against ``zip -0``, ``tar`` and ``unzip`` of the same files, in the same run.

Builds a synthetic workspace (``--items`` items, ``--years`` years of
assessments, ``--evidence-mib`` MiB of evidence in ``--files`` files, random
bytes so nothing compresses or dedupes), then measures, each in its own process
with its peak memory (``VmHWM``):

* ``fazhi-desk`` backup of the workspace vs ``zip -0 -r`` of the database and
  the evidence folder (its output fsynced too, as ours is): target ≥ 0.5× its
  throughput; ``tar cf`` is printed beside it (it computes no checksum at all,
  ours a SHA-256 and a CRC-32 of every byte);
* restore into an empty data directory (every member's SHA-256 checked, files
  fsynced) vs ``unzip -q`` of the ``zip -0`` archive: target ≥ 0.5×;
* peak memory of the backup and the restore: target ≤ 200 MiB and flat, i.e.
  not growing with the evidence (compare a run at a larger ``--evidence-mib``).

All inputs are read once before timing, so every contender reads from the page
cache. Prints PASS/FAIL per target and exits 1 on any FAIL.

Run: ``python bench/bench_backup.py`` (default: 2,000 items × 5 years, 256 MiB
in 400 files, about a minute) or at scale:
``python bench/bench_backup.py --items 10000 --years 10 --evidence-mib 2048 --files 4000 --dir /var/tmp``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.synthetic import build_store  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.store.models import Assessment, EvidenceFile, EvidenceLink  # noqa: E402

MiB = 1 << 20
results: list[tuple[str, bool]] = []


def report(name: str, ok: bool, detail: str) -> None:
    results.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def add_evidence(store, total: int, n_files: int, seed: int = 7) -> int:  # noqa: ANN001
    """Random files written straight into the content-addressed store, linked to random assessments."""
    rng = random.Random(seed)
    ev_root = store.data.evidence
    with store.session() as s:
        ids = list(s.scalars(select(Assessment.id)))
    mean = max(total // max(n_files, 1), 1)
    block = os.urandom(4 * MiB)
    files, links, written = [], [], 0
    now = dt.datetime.now()
    for k in range(n_files):
        size = max(1, int(mean * rng.uniform(0.2, 1.8))) if k < n_files - 1 else max(1, total - written)
        head = k.to_bytes(8, "little") + rng.randbytes(24)
        h = hashlib.sha256()
        tmp = ev_root / f".bench-{k}"
        with open(tmp, "wb") as f:
            left = size
            first = True
            while left > 0:
                chunk = (head + block[32:]) if first else block
                chunk = chunk[:left]
                f.write(chunk)
                h.update(chunk)
                left -= len(chunk)
                first = False
        sha = h.hexdigest()
        final = ev_root / sha[:2] / sha
        final.parent.mkdir(exist_ok=True)
        os.replace(tmp, final)
        written += size
        files.append(dict(sha256=sha, size=size, mime="application/pdf", stored_at=now))
        links.append(dict(assessment_id=rng.choice(ids), sha256=sha, original_name=f"材料{k:05d}.pdf",
                          description="", added_at=now, added_by="bench"))
    with store.transaction() as s:
        s.execute(insert(EvidenceFile), files)
        s.execute(insert(EvidenceLink), links)
    return written


def run_measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds of one child process (or the seconds it reports), and the peak RSS our Python children report.

    (``wait4``'s ru_maxrss would include this process's own memory, copied at fork before the exec.)
    """
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {p.stderr[-2000:]}")
    peak = 0
    for line in p.stdout.splitlines():
        if line.startswith("VmHWM"):
            peak = int(line.split()[1]) * 1024  # kB
        elif line.startswith("SECONDS"):
            secs = float(line.split()[1])
    return secs, peak


def fsync_file(p: Path) -> None:
    with open(p, "rb+") as f:
        os.fsync(f.fileno())


def read_all(root: Path) -> int:
    n = 0
    for d, _s, names in os.walk(root):
        for name in names:
            with open(os.path.join(d, name), "rb", buffering=0) as f:
                while b := f.read(8 * MiB):
                    n += len(b)
    return n


# Our children time the call itself (interpreter start and imports excluded, as a zip binary has none to speak of).
PY_BACKUP = ("import sys, time; from fazhi_desk.backup import create_backup; from fazhi_desk.jobs import JobContext; "
             "from fazhi_desk.paths import DataDir; t = time.perf_counter(); "
             "create_backup(JobContext(), DataDir(__import__('pathlib').Path(sys.argv[1])), sys.argv[2]); "
             "print('SECONDS', time.perf_counter() - t)")
PY_RESTORE = ("import sys, time; from fazhi_desk.backup import restore_backup; from fazhi_desk.jobs import JobContext; "
              "from fazhi_desk.paths import DataDir; import fazhi_desk.store.db as d; d.known_revisions(); "
              "t = time.perf_counter(); "
              "restore_backup(JobContext(), DataDir(__import__('pathlib').Path(sys.argv[1])), sys.argv[2]); "
              "print('SECONDS', time.perf_counter() - t)")
PY_IMPORT = "import fazhi_desk.backup, fazhi_desk.store.db; fazhi_desk.store.db.known_revisions()"
PEAK = "; print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')))"  # peak RSS of this process
PY_BACKUP, PY_RESTORE, PY_IMPORT = PY_BACKUP + PEAK, PY_RESTORE + PEAK, PY_IMPORT + PEAK


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--evidence-mib", type=int, default=256)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--dir", help="where to build the workspace (needs about 4× the evidence free)")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-backup-", dir=args.dir))
    try:
        data = DataDir(base / "data")
        t = time.perf_counter()
        store = build_store(data, args.items, range(2026 - args.years, 2026))
        ev_bytes = add_evidence(store, args.evidence_mib * MiB, args.files)
        store.close()
        print(f"workspace: {args.items} items × {args.years} years, {args.files} evidence files "
              f"({ev_bytes / MiB:.0f} MiB), database {data.db.stat().st_size / MiB:.1f} MiB; built in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        total = data.db.stat().st_size + ev_bytes
        read_all(data.root)  # warm: every contender reads from the page cache

        zip_out, tar_out = base / "floor.zip", base / "floor.tar"
        t_zip, _ = run_measured(["zip", "-0", "-q", "-r", str(zip_out), data.db.name, "evidence"], cwd=data.root)
        t0 = time.perf_counter()
        fsync_file(zip_out)
        t_zip += time.perf_counter() - t0
        t_tar, _ = run_measured(["tar", "cf", str(tar_out), data.db.name, "evidence"], cwd=data.root)
        t0 = time.perf_counter()
        fsync_file(tar_out)
        t_tar += time.perf_counter() - t0
        tar_out.unlink()
        _t_imp, rss_base = run_measured([sys.executable, "-c", PY_IMPORT])

        ours = base / "ours.fzbak"
        t_bak, rss_bak = run_measured([sys.executable, "-c", PY_BACKUP, str(data.root), str(ours)])
        floor = t_zip
        mbs = lambda secs: total / MiB / secs  # noqa: E731
        print(f"backup: ours {t_bak:.2f} s ({mbs(t_bak):.0f} MiB/s); zip -0 {t_zip:.2f} s ({mbs(t_zip):.0f} MiB/s); "
              f"tar {t_tar:.2f} s ({mbs(t_tar):.0f} MiB/s)", flush=True)
        report("backup throughput ≥ 0.5× zip -0's", floor / t_bak >= 0.5,
               f"{floor / t_bak:.2f}× (tar, which hashes nothing: {t_tar / t_bak:.2f}×)")

        unz = base / "unzipped"
        unz.mkdir()
        t_unzip, _ = run_measured(["unzip", "-q", str(zip_out), "-d", str(unz)])
        shutil.rmtree(unz)
        zip_out.unlink()
        target = base / "restored"
        t_res, rss_res = run_measured([sys.executable, "-c", PY_RESTORE, str(target), str(ours)])
        print(f"restore: ours {t_res:.2f} s ({mbs(t_res):.0f} MiB/s, every SHA-256 checked, fsynced); "
              f"unzip {t_unzip:.2f} s ({mbs(t_unzip):.0f} MiB/s, no fsync)", flush=True)
        report("restore throughput ≥ 0.5× unzip of the zip -0 archive", t_unzip / t_res >= 0.5,
               f"{t_unzip / t_res:.2f}× (and {t_bak / t_res:.2f}× our backup's)")
        peak = max(rss_bak, rss_res)
        report("peak memory of backup and restore ≤ 200 MiB (streamed)", peak <= 200 * MiB,
               f"backup {rss_bak / MiB:.0f} MiB, restore {rss_res / MiB:.0f} MiB; "
               f"Python with the modules imported {rss_base / MiB:.0f} MiB; evidence {ev_bytes / MiB:.0f} MiB")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    failed = [n for n, ok in results if not ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
