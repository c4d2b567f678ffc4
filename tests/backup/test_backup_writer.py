"""A backup taken while another process writes statuses in a loop holds every write acknowledged before it began.

The writer is the real command line (``fazhi-desk status`` run again and again: each
run opens the store, commits one change of two fields and exits 0, which is its
acknowledgement); ``fazhi-desk backup create`` runs in a second process meanwhile.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fazhi_desk.backup import restore_backup
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

from .helpers import make_workspace

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

ITEM = "SZ2015-01-01"


def test_backup_during_a_writer_process(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=3)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    cli = [sys.executable, "-m", "fazhi_desk", "--data-dir", str(ws.root)]
    acked: list[int] = []
    stop = threading.Event()
    errors: list[str] = []

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            # Two fields in one transaction: a consistent snapshot has them agree.
            p = subprocess.run(cli + ["status", ITEM, "--year", "2025", "--note", f"第{i}次", "--owner", f"责任人{i}"],
                               capture_output=True, text=True, env=env, timeout=120)
            if p.returncode == 0:
                acked.append(i)
            elif "另一个正在运行" not in p.stderr:  # only the lock may refuse a run; the next one retries
                errors.append(p.stderr)
                return

    t = threading.Thread(target=writer)
    t.start()
    try:
        deadline = time.time() + 120
        while len(acked) < 3 and time.time() < deadline and not errors:
            time.sleep(0.05)
        assert len(acked) >= 3 and not errors, errors
        before = acked[-1]  # acknowledged before the backup began
        out = tmp_path / "during.fzbak"
        p = subprocess.run(cli + ["backup", "create", "--out", str(out)], capture_output=True, text=True, env=env,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        n_after_backup = len(acked)
        while len(acked) < n_after_backup + 2 and time.time() < deadline and not errors:
            time.sleep(0.05)
    finally:
        stop.set()
        t.join(180)
    assert not errors, errors
    assert acked[-1] > before  # writes went on around the backup
    new = DataDir(tmp_path / "restored")
    restore_backup(JobContext(), new, out)
    con = sqlite3.connect(new.db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    note, owner = con.execute("SELECT note, owner FROM assessment WHERE item_id=? AND year=2025", (ITEM,)).fetchone()
    n = int(note[1:-1])
    assert owner == f"责任人{n}"  # both fields of one transaction, never half
    assert n >= before
    logged = con.execute("SELECT count(*) FROM change_log WHERE item_id=? AND year=2025 AND field IN ('note', 'owner')",
                         (ITEM,)).fetchone()[0]
    assert logged == 2 * n + 2  # every earlier write's change-log rows (the workspace's own two first), none later
    con.close()
