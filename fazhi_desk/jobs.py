"""What a long-running core call needs to report progress and honour cancel, without Qt.

Core functions that may take long accept a :class:`JobContext` as their first
argument. The CLI passes a plain one (``JobContext()``, optionally printing);
the UI passes one whose ``progress`` crosses to the UI thread (``tasks.py``).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator


class Cancelled(Exception):
    """Raised inside a job when the user asked it to stop; the job leaves nothing half-done."""


class JobContext:
    def __init__(self, stop: threading.Event | None = None) -> None:
        self._stop = stop or threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        """Report progress; the default does nothing."""

    def cancelled(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self._stop.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._stop.set()


_pauses = 0
_pauses_lock = threading.Lock()
_was_enabled = True


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a job builds a few million short-lived objects.

    A report of 10,000 items and 50,000 evidence rows creates millions of tuples and strings, none
    of them in reference cycles; with the collector on, its full passes over them took about half
    of the time spent building the workbook's rows. Nested and concurrent pauses are counted: the
    collector runs again (if it ran before) when the last one ends.
    """
    global _pauses, _was_enabled
    with _pauses_lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
