"""The one place with threads: run a core call off the UI thread, with progress and cancel.

A job is a plain function ``fn(ctx, *args)`` from the core. ``ctx`` is a
:class:`JobContext` (no Qt in it) through which the job reports progress and
checks for cancellation; the core raises :class:`Cancelled` when asked to stop
and cleans up after itself. Results and errors come back on the UI thread
through :class:`Job`'s signals. Pass IDs and plain dataclasses in and out, never
ORM objects; a job opens its own Session.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from fazhi_desk.errors import UserError
from fazhi_desk.jobs import Cancelled, JobContext

log = logging.getLogger(__name__)

__all__ = ["Cancelled", "Job", "JobContext", "run_job"]


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total, text
    succeeded = Signal(object)
    failed = Signal(object)  # UserError or other Exception
    cancelled = Signal()
    finished = Signal()


class _Qt_Context(JobContext):
    def __init__(self, signals: _Signals, stop: threading.Event) -> None:
        super().__init__(stop)
        self._signals = signals

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)


class Job(QRunnable):
    """A core call running on the global thread pool; connect to ``signals`` before :func:`run_job`."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = _Signals()
        self._stop = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def run(self) -> None:  # worker thread
        ctx = _Qt_Context(self.signals, self._stop)
        try:
            result = self.fn(ctx, *self.args, **self.kwargs)
        except Cancelled:
            self.signals.cancelled.emit()
        except UserError as e:
            self.signals.failed.emit(e)
        except Exception as e:  # a bug: keep the traceback for the log
            log.error("job %s failed:\n%s", getattr(self.fn, "__name__", self.fn), traceback.format_exc())
            self.signals.failed.emit(e)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.done.set()
            self.signals.finished.emit()


_running: set[Job] = set()


def run_job(job: Job) -> Job:
    """Start ``job`` on the global pool; keeps it alive until it finishes."""
    _running.add(job)
    job.signals.finished.connect(lambda: _running.discard(job))
    QThreadPool.globalInstance().start(job)
    return job
