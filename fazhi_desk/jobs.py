"""What a long-running core call needs to report progress and honour cancel, without Qt.

Core functions that may take long accept a :class:`JobContext` as their first
argument. The CLI passes a plain one (``JobContext()``, optionally printing);
the UI passes one whose ``progress`` crosses to the UI thread (``tasks.py``).
"""

from __future__ import annotations

import threading


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
