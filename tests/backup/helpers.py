"""Building a real workspace with evidence, and capturing its whole state to compare before and after."""

from __future__ import annotations

import atexit
import hashlib
import os
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

ITEMS = ("SZ2015-01-01", "SZ2015-02-01", "SZ2015-03-01")


_TEMPLATES: dict[tuple, Path] = {}


def make_workspace(root: Path, n_files: int = 6, seed: int = 1, office: str = "乾佑街道办事处",
                   file_size: int = 3000) -> DataDir:
    """A data directory with a profile, statuses in two years and ``n_files`` evidence files (real store).

    Built once per set of arguments through the real services, then copied (a start-up costs seconds).
    """
    key = (n_files, seed, office, file_size)
    if key not in _TEMPLATES:
        base = Path(tempfile.mkdtemp(prefix="fazhi-desk-ws-"))
        atexit.register(shutil.rmtree, base, True)
        _build(base / "data", n_files, seed, office, file_size)
        _TEMPLATES[key] = base / "data"
    shutil.copytree(_TEMPLATES[key], root)
    return DataDir(root)


def _build(root: Path, n_files: int, seed: int, office: str, file_size: int) -> DataDir:
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.services.evidence import attach
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.workspace import open_workspace

    data = DataDir(root).ensure()
    store = open_workspace(data)
    try:
        set_profile(store, office_name=office, county="柞水县", contact="王敏")
        rng = random.Random(seed)
        src = root.parent / f"src-{root.name}"
        for year in (2024, 2025):
            for i, item in enumerate(ITEMS):
                done = {"status": "已完成", "completed_on": f"{year}-06-30"} if i % 2 == 0 else {"status": "进行中"}
                set_fields(store, item, year, {**done, "owner": f"责任人{i}", "note": f"{year} 年第 {i} 项说明"})
        per_item: dict[str, list[Path]] = {}
        for k in range(n_files):
            p = src / f"材料{k:04d}.pdf"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(rng.randbytes(file_size + k))
            per_item.setdefault(ITEMS[k % len(ITEMS)], []).append(p)
        for item, files in per_item.items():
            attach(JobContext(), store, item, 2025, files)
    finally:
        store.close()
    return data


def db_dump(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def evidence_hashes(data: DataDir) -> dict[str, str]:
    out = {}
    for p in sorted(data.evidence.rglob("*")):
        if p.is_file() and ".trash" not in p.parts:
            out[str(p.relative_to(data.evidence))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def state(data: DataDir) -> tuple[list[str], dict[str, str]]:
    """The database's rows and every stored evidence file's hash."""
    return db_dump(data.db), evidence_hashes(data)


def temp_leftovers(*folders: Path) -> list[str]:
    """Our temp files and folders (~fzbak-*, ~restore-*) in the given folders."""
    out = []
    for f in folders:
        if f.is_dir():
            out += [n for n in os.listdir(f) if n.startswith("~fzbak-") or n.startswith("~restore-")]
    return out
