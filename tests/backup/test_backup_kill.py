"""SIGKILL at chosen moments during ``backup create`` and ``backup restore`` of a workspace with 200 evidence files.

After every kill the next start finds an intact database (``integrity_check``),
the workspace either the old one or the new one in full (every row and every
evidence file's hash compared), and no temp file of ours left. Each kill lands
at a pause point (``fazhi_desk.testpoints``, see killer.py): the snapshot taken,
the n-th evidence file (n random), the archive written, renamed; the restore
staged, marked ready, half swapped, swapped. No kill depends on timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi_desk.backup import create_backup
from fazhi_desk.jobs import JobContext

from .helpers import make_workspace, state

RUNS = 20
N_FILES = 200

pytestmark = [pytest.mark.system, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")]


def _run_killer(mode: str, data: Path, backups: dict[str, str], expected: dict, tmp: Path, seed: int) -> list[dict]:
    exp = tmp / f"expected-{mode}.json"
    exp.write_text(json.dumps(expected, ensure_ascii=False))
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, str(Path(__file__).with_name("killer.py")), mode, str(data),
                        json.dumps(backups), str(RUNS), str(seed), str(exp)],
                       capture_output=True, text=True, env=env, timeout=300, cwd=root)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def _cli_starts(data: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(data), "list", "--year", "2025"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


def test_kill_during_backup_create(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=N_FILES, seed=21, file_size=1500)
    results = _run_killer("create", ws.root, {}, {"A": state(ws)}, tmp_path, seed=1)
    assert results[0]["exit"] == 0
    assert len(results) == RUNS + 1 and all(r["killed"] for r in results[1:]), results  # every kill at its point
    assert {r["point"].split(":")[0] for r in results[1:]} == {
        "backup.snapshot", "backup.member", "backup.written", "backup.renamed"}
    for r in results:
        assert r["integrity"] == "ok" and r["which"] == "A" and r["temps"] == [], r
    _cli_starts(ws.root)
    from fazhi_desk.backup import verify_backup

    for f in ws.backups.glob("*.fzbak"):  # whatever was completed is a whole, valid backup
        verify_backup(JobContext(), f)


def test_kill_during_backup_restore(tmp_path):
    a = make_workspace(tmp_path / "data", n_files=N_FILES, seed=21, file_size=1500)
    b = make_workspace(tmp_path / "other", n_files=N_FILES, seed=22, file_size=1700, office="营盘镇")
    backups = {"A": str(create_backup(JobContext(), a, tmp_path / "a.fzbak").path),
               "B": str(create_backup(JobContext(), b, tmp_path / "b.fzbak").path)}
    results = _run_killer("restore", a.root, backups, {"A": state(a), "B": state(b)}, tmp_path, seed=2)
    assert results[0]["exit"] == 0 and results[0]["which"] == "B"
    killed = results[1:]
    assert len(results) == RUNS + 1 and all(r["killed"] for r in killed), results  # every kill at its point
    for r in results:
        assert r["integrity"] == "ok" and r["which"] in ("A", "B") and r["temps"] == [], r
    # Killed before the restore was marked ready: the old workspace; from READY on: the new one, in full.
    for r in killed:
        after_ready = r["point"] in ("restore.ready", "swap.db_moved", "swap.done")
        assert (r["which"] != r["from"]) == after_ready, r
    _cli_starts(a.root)
