"""An interrupted or failed schema upgrade recovers (issue 18 §2), with a test-only migration t0002.

The migration runs in its own process (tests/store/migration_driver.py) on a store
of ~25 MB, and is killed with SIGKILL at named pause points (fazhi_desk.testpoints); every next start must open
the data, old or migrated, with every row, no ``_alembic_tmp_*`` table, one backup
taken before the migration and no temp file left.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi_desk.paths import DataDir
from tests.faultkit import env, kill9, start, wait_paused

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

DRIVER = Path(__file__).with_name("migration_driver.py")
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


# Where a start is killed while it migrates (fazhi_desk.testpoints): the backup taken, half-way through the
# migration's batch operations on the private copy, the copy migrated, the copy renamed over the original.
KILL_POINTS = ["migrate.backed_up", "migrate.t0002_half_way", "migrate.migrated", "migrate.replaced"]


def _kill_at(data: DataDir, point: str, tmp: Path) -> None:
    p = start([sys.executable, str(DRIVER), str(data.root)], cwd=tmp, pause=point)
    assert wait_paused(p), f"never reached {point}: {p.communicate()}"
    kill9(p)


def test_killed_migration_recovers_on_the_next_start(big_store, tmp_path):
    # one kill at each point, then two kills in a row over what the first one left
    for run, points in enumerate([[p] for p in KILL_POINTS] + [["migrate.t0002_half_way", "migrate.migrated"]]):
        data = _copy(big_store, tmp_path / f"run{run}")
        for point in points:
            _kill_at(data, point, tmp_path)
        assert _check_opens(data) == "t0002", f"run {run} {points}"
        assert _leftovers(data) == [], f"run {run} {points}"
        befores = [b for b in data.backups.iterdir() if "-before-t0002" in b.name]
        assert len(befores) <= 1, befores
        shutil.rmtree(data.root)


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
