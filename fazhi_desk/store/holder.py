"""Who holds a data directory's lock, and waiting a bounded time for another command to let go.

The lock file (``fazhi-desk.lock``) says only *that* someone holds it. Who does is
recorded in the workspace marker: every process of this program that takes the
lock writes its ``pid``, ``program`` and ``kind`` (``"window"``: the process that
loaded Qt's widgets; ``"command"``: the command line) there, first when it takes
the lock and again when its session starts; a clean close removes the pid. So a
process that finds the lock held can tell apart:

* a window of this program (it keeps the data open for hours): refused at once,
  "switch to that window";
* another command of this program (it ends within seconds): wait for it, up to
  :data:`LOCK_WAIT` seconds, and say so only if the wait ends;
* our own process (a second open would wait for itself): refused at once;
* nobody of ours (no live process recorded): another program holds the lock file
  (a backup, sync or antivirus tool); after the wait, named as such, never as a window.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass

from fazhi_desk.errors import StoreLockedError, UserError
from fazhi_desk.fileio import pid_alive
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

PROGRAM = "fazhi-desk"
#: Seconds a start waits for another command of this program (or an unknown holder) to release the lock.
LOCK_WAIT = float(os.environ.get("FAZHI_DESK_LOCK_WAIT") or 30)
POLL = 0.05


@dataclass(frozen=True)
class Holder:
    """A live process of this program recorded as using the data directory."""

    pid: int
    kind: str  # "window" or "command"

    @property
    def ours(self) -> bool:
        return self.pid == os.getpid()


def this_kind() -> str:
    """``"window"`` in the process that shows the window (it loaded Qt's widgets), else ``"command"``."""
    return "window" if "PySide6.QtWidgets" in sys.modules else "command"


def fields() -> dict[str, object]:
    """What the marker records about the process using the data directory."""
    return {"pid": os.getpid(), "program": PROGRAM, "kind": this_kind()}


def holder_of(data: DataDir) -> Holder | None:
    """The live process of this program the marker names as using ``data``; None when there is none."""
    from fazhi_desk.store.db import read_marker

    m = read_marker(data)
    if not isinstance(m, dict):
        return None
    pid = m.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or m.get("program", PROGRAM) != PROGRAM:
        return None
    if not pid_alive(pid):
        return None
    kind = m.get("kind")
    return Holder(pid, kind if kind in ("window", "command") else "window")  # an older marker: a window's


def claim(data: DataDir) -> None:
    """Record this process in an existing marker (the lock is held), so a waiting process knows who it waits for.

    A data directory without a marker gets none (a marker is a sign the directory was used).
    """
    from fazhi_desk.store.db import _write_marker, read_marker

    m = read_marker(data)
    if not m:
        return
    try:
        _write_marker(data, **{**m, **fields()})
    except (OSError, UserError) as e:  # a full or read-only disk: only the holder's name is lost
        log.warning("could not record the lock's holder: %s", e)


def acquire(lock, data: DataDir, wait: float | None = None) -> None:  # noqa: ANN001 - a filelock.FileLock
    """Take ``lock`` (the data directory's), waiting up to ``wait`` seconds for another command to finish.

    Raises :class:`StoreLockedError` (with ``holder``) at once for a window or our own process, and when
    the wait ends; OSError when the lock file cannot be opened (e.g. a read-only folder).
    """
    from filelock import Timeout

    wait = LOCK_WAIT if wait is None else wait
    start = time.monotonic()
    said = False
    while True:
        try:
            lock.acquire(timeout=0)
            if said:
                log.info("the data directory's lock came free after %.1f s", time.monotonic() - start)
            return
        except Timeout:
            h = holder_of(data)
            waited = time.monotonic() - start
            if h is not None and (h.ours or h.kind == "window") or waited >= wait:
                raise locked_error(data, h, waited) from None
            if not said:
                log.info("waiting for the data directory's lock (held by %s)", h or "an unknown process")
                said = True
            time.sleep(POLL)


def locked_error(data: DataDir, h: Holder | None, waited: float) -> StoreLockedError:
    """What to tell the user about a held lock, by who holds it."""
    if h is not None and h.ours:
        e = StoreLockedError(f"数据目录“{data.root}”已被本进程中另一个打开的数据库连接使用(同一个法治政府建设检查台)。"
                             "请先关闭它,再重试。")
    elif h is not None and h.kind == "window":
        e = StoreLockedError(f"数据目录“{data.root}”已被另一个正在运行的法治政府建设检查台窗口打开(进程 {h.pid})。"
                             "请切换到已打开的窗口操作,或关闭那个窗口后重试。")
    elif h is not None:
        e = StoreLockedError(f"数据目录“{data.root}”正被另一个正在运行的法治政府建设检查台命令使用(进程 {h.pid}),"
                             f"等了 {waited:.0f} 秒它仍未结束。请等它结束后重试。")
    else:
        e = StoreLockedError(f"数据目录“{data.root}”的锁文件“{data.lock.name}”被其他程序锁定,等了 {waited:.0f} 秒仍未释放"
                             "(不是法治政府建设检查台:没有正在运行的本程序在使用这个数据目录)。"
                             "可能是备份、同步或杀毒软件正在读取这个文件夹。请等它完成或关闭那个程序后重试。")
    e.holder = h  # type: ignore[attr-defined]
    return e
