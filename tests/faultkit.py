"""Tools for the fault tests: the real program in a subprocess, kill -9, small real file systems, filling a disk.

Every fault test runs ``python -m fazhi_desk`` from the code under test (the
package the tests import, so the same tests can be pointed at an older checkout
with PYTHONPATH) in its own process, and damages things the way users' machines
do: SIGKILL at a random moment, a full ext4 or tmpfs, a file restored by hand.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

import fazhi_desk

CODE_ROOT = Path(fazhi_desk.__file__).resolve().parent.parent


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(CODE_ROOT), str(Path(__file__).resolve().parent.parent)])
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    e["QT_QPA_PLATFORM"] = "offscreen"
    e.update(extra)
    return e


def cli_args(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "fazhi_desk", "--data-dir", str(data), *map(str, args)]


def cli(data: Path, *args: str, timeout: float = 180, user: int | None = None,
        preexec=None, cwd: Path | None = None) -> subprocess.CompletedProcess:  # noqa: ANN001
    """Run one subcommand to its end; ``returncode`` is negative when a signal killed it (-7: SIGBUS)."""
    return subprocess.run(cli_args(data, *args), capture_output=True, text=True, timeout=timeout, env=env(),
                          cwd=str(cwd or Path(data).parent), user=user, preexec_fn=preexec)


def start(argv: list[str], cwd: Path, *, pause: str | None = None, **kw) -> subprocess.Popen:  # noqa: ANN003
    """Start the command; with ``pause`` (a point of ``fazhi_desk.testpoints``, e.g. ``"backup.member:3"``)
    it stops there: :func:`wait_paused` waits for that."""
    extra = {}
    if pause:
        from fazhi_desk import testpoints

        marker = Path(cwd) / f"paused-{os.getpid()}-{time.monotonic_ns()}"
        extra = {testpoints.ENV: pause, testpoints.ENV_FILE: str(marker)}
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(**extra),
                         cwd=str(cwd), **kw)
    p.pause_marker = Path(extra[testpoints.ENV_FILE]) if pause else None  # type: ignore[attr-defined]
    return p


def wait_paused(p: subprocess.Popen, timeout: float = 120) -> bool:
    """Wait until ``p`` (started with ``pause=``) stops at its point; False if it ended or timed out first."""
    marker: Path = p.pause_marker  # type: ignore[attr-defined]
    ok = wait_for(lambda: marker.exists() or p.poll() is not None, timeout=timeout, step=0.005)
    paused = ok and marker.exists() and p.poll() is None
    marker.unlink(missing_ok=True)
    return paused


def kill9(p: subprocess.Popen) -> None:
    """A real ``kill -9`` (no cleanup of any kind runs in the process), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)


def wait_for(pred, timeout: float = 60.0, step: float = 0.002) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


# ----------------------------------------------------------------------------- small real file systems


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


@contextlib.contextmanager
def mounted(kind: str, where: Path, size_mb: int) -> Iterator[Path]:
    """A real ``ext4`` (loop device, no reserved blocks) or ``tmpfs`` of ``size_mb`` at ``where``; skips if not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    where.mkdir(parents=True, exist_ok=True)
    image = where.parent / f"{where.name}.img"
    if kind == "ext4":
        with open(image, "wb") as f:
            f.truncate(size_mb << 20)
        r = _run("mkfs.ext4", "-q", "-F", "-m", "0", str(image))
        if r.returncode != 0:
            pytest.skip(f"mkfs.ext4 failed: {r.stderr.strip()}")
        r = _run("mount", "-o", "loop", str(image), str(where))
    else:
        r = _run("mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(where))
    if r.returncode != 0:
        pytest.skip(f"cannot mount {kind} here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        for _ in range(50):
            if _run("umount", str(where)).returncode == 0:
                break
            time.sleep(0.1)
        else:
            _run("umount", "-l", str(where))
        image.unlink(missing_ok=True)


def fill(fs_root: Path) -> int:
    """Fill the file system until it refuses even one more byte; returns bytes written."""
    total = 0
    n = 0
    for chunk in (1 << 20, 64 << 10, 4096, 512, 1):
        while True:
            p = fs_root / f"fill-{n}"
            n += 1
            try:
                with open(p, "wb") as f:
                    while True:
                        f.write(b"\0" * chunk)
                        f.flush()
                        total += chunk
            except OSError as e:
                if e.errno not in (errno.ENOSPC, errno.EDQUOT):
                    raise
                break
    # inodes too (tiny files), so nothing at all can be created
    for i in range(100000):
        try:
            (fs_root / f"i{i}").touch()
        except OSError:
            break
    os.sync()
    return total


def free_space(fs_root: Path) -> None:
    for p in fs_root.glob("fill-*"):
        p.unlink()
    for p in fs_root.glob("i[0-9]*"):
        p.unlink()


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)
