"""An interrupted or failed schema upgrade recovers (issue 18 §2), with a test-only migration t0002.

The migration runs in its own process (tests/store/migration_driver.py) on a store
of ~25 MB, and is killed with SIGKILL at random moments; every next start must open
the data, old or migrated, with every row, no ``_alembic_tmp_*`` table, one backup
taken before the migration and no temp file left.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fazhi_desk.paths import DataDir
from tests.faultkit import env, kill9, start

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

DRIVER = Path(__file__).with_name("migration_driver.py")
KILL_RUNS = 20
LOG_ROWS = 120_000


def _driver(data: DataDir, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DRIVER), str(data.root)], capture_output=True, text=True,
                          timeout=600, env=env(**extra), cwd=str(data.root.parent))


@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> DataDir:  # noqa: ANN001
    """A closed store at the shipped head with LOG_ROWS change-log rows (~25 MB)."""
    from fazhi_desk.services.workspace import open_workspace

    data = DataDir(tmp_path_factory.mktemp("big") / "d").ensure()
    open_workspace(data).close()
    con = sqlite3.connect(data.db)
    con.execute("PRAGMA journal_mode=WAL")
    text = "修改:" + "全年组织集中学法,邀请县司法局讲解行政执法程序。" * 6
    con.executemany(
        "INSERT INTO change_log(at, user, item_id, year, field, old_value, new_value) VALUES (?,?,?,?,?,?,?)",
        (("2025-01-01 09:00:00", "王敏", f"SZ2015-{i % 30:02d}-01", 2025, "note", "", f"{text}{i}")
         for i in range(LOG_ROWS)))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return data


def _copy(src: DataDir, dst: Path) -> DataDir:
    shutil.copytree(src.root, dst)
    return DataDir(dst)


def _check_opens(data: DataDir) -> str:
    r = _driver(data)
    assert r.returncode == 0, r.stderr[-2000:]
    rev, n = r.stdout.split()
    assert int(n) >= LOG_ROWS, r.stdout
    con = sqlite3.connect(f"file:{data.db}?immutable=1", uri=True)
    try:
        assert not con.execute("SELECT name FROM sqlite_master WHERE name LIKE '_alembic_tmp%'").fetchall()
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
    return rev


def _leftovers(data: DataDir) -> list[str]:
    return sorted(p.name for d in (data.root, data.backups) for p in d.iterdir()
                  if ".~fazhi-desk-" in p.name or p.name.endswith((".tmp", ".tmp-journal")))


def test_killed_migration_recovers_on_the_next_start(big_store, tmp_path):
    probe = _copy(big_store, tmp_path / "probe")
    t0 = time.monotonic()
    assert _check_opens(probe) == "t0002"
    duration = time.monotonic() - t0
    rng = random.Random(18)
    outcomes = {"t0002": 0, "old": 0}
    for run in range(KILL_RUNS):
        data = _copy(big_store, tmp_path / f"run{run}")
        p = start([sys.executable, str(DRIVER), str(data.root)], cwd=tmp_path)
        time.sleep(rng.uniform(0.05, duration))
        killed = p.poll() is None
        kill9(p)
        outcomes["old" if killed else "t0002"] += 1
        assert _check_opens(data) == "t0002", f"run {run}"
        assert _leftovers(data) == [], f"run {run}"
        befores = [b for b in data.backups.iterdir() if "-before-t0002" in b.name]
        assert len(befores) <= 1, befores
        shutil.rmtree(data.root)
    print(f"killed {KILL_RUNS} migrations ({outcomes['old']} while running); every next start opened the data")


def test_failing_migration_leaves_the_original_and_keeps_its_one_backup(big_store, tmp_path):
    data = _copy(big_store, tmp_path / "d")
    original = data.db.read_bytes()
    for _ in range(11):  # more failed starts than backups are kept
        r = _driver(data, FAZHI_TEST_MIGRATION_FAIL="1")
        assert r.returncode != 0
        assert data.db.read_bytes() == original  # the original was never touched
        assert _leftovers(data) == []
    befores = sorted(b for b in data.backups.iterdir() if b.suffix == ".sqlite3")
    assert len(befores) == 1, befores  # one backup per pending migration, however many starts fail
    con = sqlite3.connect(f"file:{befores[0]}?immutable=1", uri=True)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] != "t0002"
    assert con.execute("SELECT count(*) FROM change_log").fetchone()[0] >= LOG_ROWS
    con.close()
    assert _check_opens(data) == "t0002"  # the next start without the fault migrates cleanly
