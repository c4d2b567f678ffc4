"""Kill a backup or a restore with SIGKILL at chosen moments, then start again and report what is on disk.

Run as a script by test_backup_kill.py (a separate process, so the test process
forks nothing). Imports once, then per run: fork a child that does the work and
stops at a pause point (``fazhi_desk.testpoints``: the snapshot taken, the n-th
evidence file, the archive written, renamed, the restore staged, marked ready,
half swapped, swapped), SIGKILL it there, fork another child that does what a
start of the program does (open the store: finish or drop an interrupted
restore, remove stale temp files), check ``integrity_check`` and compare the
workspace with the two expected states. One JSON line per run on stdout.

Where a kill lands does not depend on the machine's speed or load: every kill
lands at its point, or the run says ``"killed": false``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

# Where to kill, in turn; "backup.member" gets a random pass (the n-th evidence file being archived).
POINTS = {
    "create": ["backup.snapshot", "backup.member", "backup.written", "backup.renamed"],
    # the restore first backs up the state it replaces (backup.*), then swaps
    "restore": ["restore.staged", "backup.member", "backup.renamed", "restore.ready", "swap.db_moved", "swap.done"],
}
MEMBER_PASSES = 150  # fewer than the workspace's evidence files, so the point is always reached


def child_work(mode: str, data_root: str, backup: str) -> None:
    from fazhi_desk.backup import create_backup, restore_backup
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.paths import DataDir

    data = DataDir(Path(data_root))
    if mode == "create":
        create_backup(JobContext(), data)
    else:
        restore_backup(JobContext(), data, backup)


def child_check(data_root: str, expected: dict[str, object], out: str) -> None:
    from fazhi_desk.paths import DataDir
    from fazhi_desk.store.db import open_store
    from tests.backup.helpers import state, temp_leftovers

    data = DataDir(Path(data_root))
    open_store(data).close()  # what every start does first
    con = sqlite3.connect(f"file:{data.db}?mode=ro", uri=True)
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    rows, files = state(data)
    which = next((name for name, (r, f) in expected.items() if r == rows and f == files), "neither")
    Path(out).write_text(json.dumps({"integrity": integrity, "which": which,
                                     "temps": temp_leftovers(data.root, data.backups)}))


def fork_run(fn, *args) -> int:  # noqa: ANN001
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn(*args)
        except BaseException as e:  # noqa: BLE001
            sys.stderr.write(f"child failed: {e!r}\n")
            code = 1
        os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> None:
    mode, data_root, backups_json, runs, seed, expected_path = sys.argv[1:7]
    expected = {k: (v[0], v[1]) for k, v in json.loads(Path(expected_path).read_text()).items()}
    backups = json.loads(backups_json)  # state name -> backup file holding it (restore mode)
    current = "A"

    def next_backup() -> str:
        return backups.get("B" if current == "A" else "A", "")

    # Imports before forking, so each child starts working at once.
    import fazhi_desk.backup  # noqa: F401
    import fazhi_desk.backup.auto  # noqa: F401
    import fazhi_desk.store.db  # noqa: F401
    from fazhi_desk.store.db import known_revisions

    known_revisions()
    rng = random.Random(int(seed))
    # One run to the end, as a reference.
    t0 = time.perf_counter()
    code = fork_run(child_work, mode, data_root, next_backup())
    full = time.perf_counter() - t0
    result = Path(expected_path).with_suffix(".check.json")
    fork_run(child_check, data_root, expected, str(result))
    r = json.loads(result.read_text())
    current = r["which"]
    print(json.dumps({"run": "full", "seconds": full, "exit": code, **r}), flush=True)
    from fazhi_desk import testpoints

    marker = Path(expected_path).with_suffix(".paused")
    for i in range(int(runs)):
        point = POINTS[mode][i % len(POINTS[mode])]
        if point == "backup.member":
            point += f":{rng.randint(1, MEMBER_PASSES)}"
        target = next_backup()
        marker.unlink(missing_ok=True)
        pid = os.fork()
        if pid == 0:
            os.environ[testpoints.ENV] = point
            os.environ[testpoints.ENV_FILE] = str(marker)
            try:
                child_work(mode, data_root, target)
            except BaseException as e:  # noqa: BLE001
                sys.stderr.write(f"child failed: {e!r}\n")
                os._exit(1)
            os._exit(0)
        deadline = time.monotonic() + 120
        exited = False
        while time.monotonic() < deadline and not marker.exists():
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:  # finished (or failed) without reaching the point
                exited = True
                break
            time.sleep(0.002)
        killed = False
        if not exited:
            paused = marker.exists()
            os.kill(pid, signal.SIGKILL)
            _pid, status = os.waitpid(pid, 0)
            killed = paused and os.WIFSIGNALED(status)
        before = current
        fork_run(child_check, data_root, expected, str(result))
        r = json.loads(result.read_text())
        current = r["which"] if r["which"] in expected else current
        print(json.dumps({"run": i, "point": point, "killed": killed, "from": before, **r}), flush=True)

if __name__ == "__main__":
    main()
