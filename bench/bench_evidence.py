"""Benchmark of evidence storage: attach throughput, many small files, verify speed.

Each figure is compared with a floor measured in the same run on the same files:

* attaching one large file (1 GiB; ``--quick``: 128 MiB) reaches at least 0.5x
  the throughput of ``cp`` followed by ``sha256sum`` (ours also fsyncs);
* attaching 1,000 small files in one batch takes under 10 s;
* verifying 10,000 stored files (``--quick``: 2,000) runs at least 0.5x as fast
  as ``sha256sum`` over the same files (both from the page cache after a warm-up read).

Prints a PASS/FAIL line per target and exits 1 on any FAIL.
Run: ``python bench/bench_evidence.py [--quick] [--dir DIR]``.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fazhi_desk.catalogue.schema import Catalogue  # noqa: E402
from fazhi_desk.domain.model import Cycle, Item, SourceDocument  # noqa: E402
from fazhi_desk.jobs import JobContext  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.services import evidence as ev  # noqa: E402
from fazhi_desk.services.catalogue import install_new_document  # noqa: E402
from fazhi_desk.store.db import open_store  # noqa: E402

MiB = 1 << 20
results: list[tuple[str, bool]] = []


def report(name: str, ok: bool, detail: str) -> None:
    results.append((name, ok))
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}", flush=True)


def make_store(root: Path):
    store = open_store(DataDir(root).ensure())
    doc = SourceDocument(code="BB2020", title="基准测试", doc_number="", issuer="", date=dt.date(2020, 1, 1),
                         version="1.0")
    items = tuple(Item(item_id=f"BB2020-01-{i:02d}", doc_code="BB2020", article_no=1, requirement=f"事项{i}",
                       cycle=Cycle.YEARLY) for i in range(1, 4))
    with store.transaction() as s:
        install_new_document(s, Catalogue(document=doc, items=items), source_file="bench")
    return store


def write_random(path: Path, size: int) -> None:
    block = os.urandom(8 * MiB)
    with open(path, "wb") as f:
        left = size
        i = 0
        while left > 0:
            n = min(left, len(block))
            # vary each block so nothing dedupes or compresses
            f.write(i.to_bytes(8, "little") + block[8:n] if n > 8 else block[:n])
            left -= n
            i += 1


def read_all(paths: list[Path]) -> None:
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.read(8 * MiB):
                pass


def timed(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None


def bench_large(work: Path, size: int) -> None:
    src = work / "大文件 large.bin"
    write_random(src, size)
    read_all([src])  # warm the page cache for both contenders
    dst = work / "cp-copy.bin"
    if have("cp") and have("sha256sum"):
        t_cp = timed(lambda: subprocess.run(["cp", str(src), str(dst)], check=True))
        t_sum = timed(lambda: subprocess.run(["sha256sum", str(dst)], check=True, stdout=subprocess.DEVNULL))
        floor_name = "cp + sha256sum"
    else:  # no coreutils (Windows): the same two passes in Python
        t_cp = timed(lambda: shutil.copyfile(src, dst))
        t_sum = timed(lambda: hashlib.file_digest(open(dst, "rb"), "sha256"))
        floor_name = "copyfile + sha256"
    base = t_cp + t_sum
    dst.unlink()
    store = make_store(work / "data-large")
    try:
        t_ours = timed(lambda: ev.attach(JobContext(), store, "BB2020-01-01", 2023, [src]))
        t_verify = timed(lambda: ev.verify(JobContext(), store))
    finally:
        store.close()
    mb = size / MiB
    print(f"      {floor_name}: cp {t_cp:.2f} s + hash {t_sum:.2f} s = {base:.2f} s ({mb / base:.0f} MiB/s)")
    print(f"      attach (read+hash+write+fsync, one pass): {t_ours:.2f} s ({mb / t_ours:.0f} MiB/s); "
          f"verify of it: {t_verify:.2f} s ({mb / t_verify:.0f} MiB/s)")
    ratio = base / t_ours
    report(f"attach {mb:.0f} MiB file >= 0.5x {floor_name}", ratio >= 0.5, f"{ratio:.2f}x")
    src.unlink()


def small_files(folder: Path, n: int, seed: int) -> list[Path]:
    rnd = random.Random(seed)
    folder.mkdir(parents=True)
    out = []
    for i in range(n):
        sub = folder / f"第{i // 200:02d}批 材料"
        sub.mkdir(exist_ok=True)
        p = sub / f"签到表 {i:05d}.jpg"
        p.write_bytes(os.urandom(rnd.randint(1024, 64 * 1024)))
        out.append(p)
    return out


def bench_small(work: Path) -> None:
    folder = work / "1000 个小文件"
    small_files(folder, 1000, 1)
    store = make_store(work / "data-small")
    try:
        t = timed(lambda: ev.attach(JobContext(), store, "BB2020-01-01", 2023, [folder]))
        n = len(ev.list_evidence(store, "BB2020-01-01", 2023))
    finally:
        store.close()
    report("attach 1,000 small files < 10 s", t < 10 and n == 1000, f"{t:.2f} s ({n} attached, {1000 / t:.0f} files/s)")


def bench_verify(work: Path, n: int) -> None:
    folder = work / f"{n} 个文件"
    small_files(folder, n, 2)
    store = make_store(work / "data-verify")
    try:
        t_attach = timed(lambda: ev.attach(JobContext(), store, "BB2020-01-02", 2023, [folder]))
        stored = [ev.file_store(store).path(s) for s in ev.file_store(store).iter_shas()]
        total = sum(p.stat().st_size for p in stored)
        read_all(stored)
        t_cat = timed(lambda: read_all(stored))
        if have("sha256sum") and have("xargs"):
            listing = "\0".join(str(p) for p in stored).encode()
            t_sum = timed(lambda: subprocess.run(["xargs", "-0", "sha256sum"], input=listing, check=True,
                                                 stdout=subprocess.DEVNULL))
            floor_name = "sha256sum"
        else:
            t_sum = timed(lambda: [hashlib.file_digest(open(p, "rb"), "sha256") for p in stored])
            floor_name = "hashlib over the files"
        rep = None

        def run() -> None:
            nonlocal rep
            rep = ev.verify(JobContext(), store)

        t_ver = timed(run)
    finally:
        store.close()
    mb = total / MiB
    print(f"      {n} files, {mb:.0f} MiB: attach {t_attach:.2f} s; read all {t_cat:.2f} s ({mb / t_cat:.0f} MiB/s); "
          f"{floor_name} {t_sum:.2f} s ({mb / t_sum:.0f} MiB/s); verify {t_ver:.2f} s ({mb / t_ver:.0f} MiB/s)")
    ok = rep is not None and rep.ok and rep.checked == n
    ratio = t_sum / t_ver
    report(f"verify {n} files >= 0.5x {floor_name}", ok and ratio >= 0.5, f"{ratio:.2f}x (read-only floor: {t_cat / t_ver:.2f}x of plain reading)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="128 MiB large file, 2,000 files to verify")
    ap.add_argument("--dir", help="work in this directory (default: system temp)")
    args = ap.parse_args()
    large = (128 if args.quick else 1024) * MiB
    n_verify = 2000 if args.quick else 10000
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-", dir=args.dir))
    try:
        print(f"work dir: {work}")
        bench_large(work, large)
        bench_small(work)
        bench_verify(work, n_verify)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = [n for n, ok in results if not ok]
    print("ALL PASS" if not failed else f"{len(failed)} FAIL: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
