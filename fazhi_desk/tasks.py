"""The one place with threads: every UI caller runs a service call through :class:`Op`.

An operation is a plain core function called on a worker thread; its result or
its error comes back on the UI thread::

    Op(ev.attach, store, item_id, year, paths) \\
        .write(store) \\
        .with_progress("正在准备……") \\
        .success(show_summary) \\
        .run(parent, "添加佐证材料")

- **Reads** run on Qt's global thread pool, never on the UI thread. The store
  has one connection (:class:`~fazhi_desk.store.db.OneConnectionPool`), so
  reads and writes *take turns* on it: a session waits until the one before it
  has given the connection back. Only what a job does outside the store
  (building rows, hashing files, writing a workbook) runs beside other jobs.
  A read started after a write waits until that write has committed, so it
  never sees the store from before an edit the user already made; the window
  stays responsive meanwhile because it waits for nothing.
- **Writes** (``.write(store, changes)``) all run on one writer thread, one
  after another, so two transactions never compete for SQLite's write lock.
  When a write succeeds the :class:`Runner` emits ``changed(store, changes)``
  first (the window refreshes exactly the views named in the
  :class:`~fazhi_desk.changes.Changes`, reading them again off the UI thread),
  then the caller's ``success`` callbacks run. The services say what they
  changed: a result with a ``changes`` attribute (an edit, an attachment, a
  profile, a statistic) needs no ``changes`` argument; a function of the result
  or a fixed :class:`Changes` is for the rest.
- **Errors** go through one place, :func:`show_error`, unless the caller
  installs its own ``failure``. The worker first asks the classifier the
  command line uses (:func:`fazhi_desk.store.errors.classify`): a full disk,
  a refused or busy store become their :class:`UserError`, shown as the Chinese
  message under the title naming the place; anything else is a bug, logged
  with its traceback and shown as 内部错误 with the log file's path.
- **Progress and cancel**: ``with_progress`` shows a delayed
  :class:`QProgressDialog` whose 取消 asks the job to stop; the core raises
  :class:`Cancelled` and leaves nothing half-done.

The function receives a :class:`JobContext` if its first parameter is named
``ctx`` (or as the keyword ``ctx=`` if it has one), and a fresh Session of the
store as its first argument after ``in_session(store)``: each thread its own
Session. Pass IDs and frozen dataclasses in and out, never ORM objects.

:meth:`Runner.wait_for_writes` lets the window and the application wait until
every write has committed before the store closes; nothing kills a transaction.
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from fazhi_desk.changes import NOTHING, Changes, changes_of
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import Cancelled, JobContext

if TYPE_CHECKING:
    from fazhi_desk.store.db import Store

log = logging.getLogger(__name__)

__all__ = ["Cancelled", "Changes", "JobContext", "Op", "Runner", "runner", "show_error"]

PROGRESS_DELAY_MS = 400
LOG_HINT = "详细信息已写入日志文件\uff1a{log}。请把该文件发给技术支持。"


# ---------------------------------------------------------------- errors: the one place


def log_path_text() -> str:
    for h in logging.getLogger("fazhi_desk").handlers:
        fn = getattr(h, "baseFilename", None)
        if fn:
            return str(fn)
    return "\uff08未能写入日志\uff09"


SHOWN_PROBLEMS = 5  # a refused file's first problems go in the message itself; all of them behind 显示详情


def user_error_text(error: UserError) -> str:
    """The message of ``error`` with its first problems (where, what) listed under it."""
    if not error.problems:
        return error.message
    lines = [error.message] + [f"  · {p}" for p in error.problems[:SHOWN_PROBLEMS]]
    more = len(error.problems) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(f"  ……另有 {more} 个问题\uff0c点“显示详情”查看全部。")
    return "\n".join(lines)


def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    """A modal message box for a failed operation; ``title`` names the place. Never a traceback."""
    from PySide6.QtWidgets import QMessageBox  # its type's enums cost the window's first paint

    if isinstance(error, UserError):
        box = QMessageBox(QMessageBox.Icon.Warning, title, user_error_text(error), QMessageBox.StandardButton.Ok,
                          parent)
        if error.problems:
            box.setDetailedText("\n".join(str(p) for p in error.problems))
    else:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            title,
            "程序内部错误\uff0c操作未完成\uff0c已有数据未受影响。\n" + LOG_HINT.format(log=log_path_text()),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setDetailedText(f"{type(error).__name__}: {error}")
    box.exec()


# ---------------------------------------------------------------- an operation


class _Signals(QObject):
    progress = Signal(int, int, str)  # done, total, text
    succeeded = Signal(object)
    failed = Signal(object)  # UserError or other Exception
    cancelled = Signal()
    finished = Signal()


class _QtContext(JobContext):
    def __init__(self, signals: _Signals, stop: threading.Event) -> None:
        super().__init__(stop)
        self._signals = signals

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._signals.progress.emit(done, total, text)


def _call(fn: Callable[..., Any], ctx: JobContext, args: tuple, kwargs: dict) -> Any:
    import inspect  # on the worker: the first paint does without it

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins
        return fn(*args, **kwargs)
    names = list(params)
    if names and names[0] == "ctx":
        return fn(ctx, *args, **kwargs)
    if "ctx" in params and "ctx" not in kwargs:
        return fn(*args, ctx=ctx, **kwargs)
    return fn(*args, **kwargs)


class Op:
    """One service call run off the UI thread; configure it, then :meth:`run` it.

    ``signals`` (progress, succeeded, failed, cancelled, finished) and ``done``
    (a threading.Event set when the call has returned) are there for callers
    and tests that want to wait.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = _Signals()
        self.done = threading.Event()
        self._stop = threading.Event()
        self.is_write = False
        self.store: Store | None = None  # the store a write changes (None while opening one)
        self._changes: Changes | Callable[[Any], Changes] | None = None
        self._session_of: Store | None = None
        self._success: list[Callable[[Any], Any]] = []
        self._failure: Callable[[BaseException], Any] | None = None
        self._on_cancel: list[Callable[[], Any]] = []
        self._finally: list[Callable[[], Any]] = []
        self._progress_label: str | None = None
        self._progress_delay = PROGRESS_DELAY_MS
        self.dialog: ProgressDialog | None = None
        self.parent: QWidget | None = None
        self.where = ""
        self.barrier = 0  # the writes this operation must see committed first
        self.seq = 0  # for a write: its place in the writer's queue

    # --- configuration (each returns self) ---------------------------------------------
    def write(self, store: Store | None, changes: Changes | Callable[[Any], Changes] | None = None) -> "Op":
        """Run on the one writer; on success the window refreshes what ``changes`` names.

        ``changes`` may also be a function of the result, or None when the result has a
        ``changes`` attribute or nothing shown changes. ``store`` is None only for opening one.
        """
        self.is_write = True
        self.store = store
        self._changes = changes
        return self

    def in_session(self, store: Store) -> "Op":
        """Call ``fn(session, *args)`` with a Session of ``store`` opened on the worker thread."""
        self._session_of = store
        return self

    def success(self, cb: Callable[[Any], Any]) -> "Op":
        self._success.append(cb)
        return self

    def failure(self, cb: Callable[[BaseException], Any]) -> "Op":
        """Handle the error yourself instead of the standard message box."""
        self._failure = cb
        return self

    def cancelled(self, cb: Callable[[], Any]) -> "Op":
        self._on_cancel.append(cb)
        return self

    def finally_(self, cb: Callable[[], Any]) -> "Op":
        """Runs on the UI thread after success, failure or cancel."""
        self._finally.append(cb)
        return self

    def with_progress(self, label: str = "正在处理……", delay_ms: int = PROGRESS_DELAY_MS) -> "Op":
        """A window-modal progress dialog with 取消, shown if the call takes longer than ``delay_ms``."""
        self._progress_label = label
        self._progress_delay = delay_ms
        return self

    def run(self, parent: QWidget | None, where: str) -> "Op":
        """Start it; ``where`` titles the error box and the progress dialog (e.g. "添加佐证材料")."""
        self.parent, self.where = parent, where
        runner().start(self)
        return self

    def cancel(self) -> None:
        self._stop.set()

    def changes_for(self, result: Any) -> Changes:
        """What the write changed: as given to :meth:`write`, else what the result says (:func:`changes_of`)."""
        c = self._changes
        if callable(c):
            c = c(result)
        if c is None:
            c = changes_of(result)
        return c if isinstance(c, Changes) else NOTHING

    def _user_error(self, error: BaseException) -> UserError | None:
        """The one classifier (:func:`fazhi_desk.store.errors.classify`) for ``error``, naming this op's store."""
        from fazhi_desk.store.errors import classify

        db = root = None
        for s in (self.store, self._session_of, *self.args, *self.kwargs.values()):
            if getattr(s, "db_path", None) is not None:  # a Store (duck-typed: tasks does not import the store)
                db, root = s.db_path, getattr(getattr(s, "data", None), "root", None)
                break
            if getattr(s, "db", None) is not None and getattr(s, "root", None) is not None:  # a DataDir
                db, root = s.db, s.root
                break
        return classify(error, db, root)

    # --- worker thread -------------------------------------------------------------------
    def run_in_worker(self) -> None:
        ctx = _QtContext(self.signals, self._stop)
        try:
            runner()._wait_for(self.barrier)
            if self._session_of is not None:
                with self._session_of.session() as s:
                    result = _call(self.fn, ctx, (s, *self.args), self.kwargs)
            else:
                result = _call(self.fn, ctx, self.args, self.kwargs)
        except Cancelled:
            self.signals.cancelled.emit()
        except UserError as e:
            self.signals.failed.emit(e)
        except Exception as e:
            ue = self._user_error(e)
            if ue is not None:  # the environment's fault (full disk, store refused or busy): say so, as the cli does
                log.warning("%s (%s) refused: %s (%r)", self.where, getattr(self.fn, "__name__", self.fn), ue, e)
                self.signals.failed.emit(ue)
            else:  # a bug: keep the traceback for the log
                log.error("%s (%s) failed:\n%s", self.where, getattr(self.fn, "__name__", self.fn),
                          traceback.format_exc())
                self.signals.failed.emit(e)
        else:
            self.signals.succeeded.emit(result)
        finally:
            if self.is_write:
                runner()._write_done(self.seq)
            self.done.set()
            self.signals.finished.emit()


class _Task(QRunnable):
    """What the pool runs: the operation's worker half."""

    def __init__(self, op: Op) -> None:
        super().__init__()
        self.op = op

    def run(self) -> None:  # worker thread
        self.op.run_in_worker()


# ---------------------------------------------------------------- the runner


class Runner(QObject):
    """Starts operations: reads on the global pool, writes on one writer thread; says what changed."""

    changed = Signal(object, object)  # store, Changes: a write committed
    writes_finished = Signal()  # no write is running or queued any more

    def __init__(self) -> None:
        super().__init__()
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)
        self._writer.setExpiryTimeout(-1)
        self._running: set[Op] = set()
        self._cond = threading.Condition()
        self._submitted = 0  # writes handed to the writer
        self._committed = 0  # writes finished (in order: the writer runs them one by one)

    # --- UI thread -----------------------------------------------------------------------
    def start(self, op: Op) -> None:
        self._running.add(op)
        s = op.signals
        if op._progress_label is not None:
            op.dialog = _progress_dialog(op)
        s.succeeded.connect(lambda result: self._succeeded(op, result))
        s.failed.connect(lambda error: self._failed(op, error))
        s.cancelled.connect(lambda: self._cancelled(op))
        s.finished.connect(lambda: self._finished(op))
        with self._cond:
            if op.is_write:
                self._submitted += 1
                op.seq = self._submitted
            else:
                op.barrier = self._submitted
        if op.is_write:
            self._writer.start(_Task(op))
        else:
            QThreadPool.globalInstance().start(_Task(op))

    def running(self) -> list[Op]:
        return list(self._running)

    def writes_pending(self, store: Store | None = None) -> int:
        return sum(1 for op in self._running if op.is_write and (store is None or op.store is store))

    def wait_for_writes(self, timeout_ms: int = -1) -> bool:
        """Block until every queued write has committed (application exit). True if all did."""
        return self._writer.waitForDone(timeout_ms)

    def wait_for_reads(self, timeout_ms: int = 5000) -> bool:
        return QThreadPool.globalInstance().waitForDone(timeout_ms)

    def _close_dialog(self, op: Op) -> None:
        if op.dialog is not None:
            op.dialog.close()
            op.dialog.deleteLater()
            op.dialog = None

    def _succeeded(self, op: Op, result: Any) -> None:
        self._close_dialog(op)
        if op.is_write:
            changes = op.changes_for(result)
            if not changes.is_empty and op.store is not None:
                self.changed.emit(op.store, changes)
        for cb in op._success:
            cb(result)

    def _failed(self, op: Op, error: BaseException) -> None:
        self._close_dialog(op)
        if op._failure is not None:
            op._failure(error)
        else:
            show_error(op.parent, op.where, error)

    def _cancelled(self, op: Op) -> None:
        self._close_dialog(op)
        for cb in op._on_cancel:
            cb()

    def _finished(self, op: Op) -> None:
        self._close_dialog(op)
        for cb in op._finally:
            cb()
        self._running.discard(op)
        if op.is_write and not self.writes_pending():
            self.writes_finished.emit()

    # --- worker threads --------------------------------------------------------------------
    def _wait_for(self, seq: int) -> None:
        if seq <= 0:
            return
        with self._cond:
            self._cond.wait_for(lambda: self._committed >= seq)

    def _write_done(self, seq: int) -> None:
        with self._cond:
            self._committed = max(self._committed, seq)
            self._cond.notify_all()


class ProgressDialog(QProgressDialog):
    """The percentage on a line under the text, never inside the bar.

    Styles such as Fusion draw a bar's percentage in its middle, so as the bar
    passes the text it covers half of it (white on blue beside dark on white).
    """

    def __init__(self, label: str, cancel_text: str, minimum: int, maximum: int,
                 parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QProgressBar

        super().__init__(label, cancel_text, minimum, maximum, parent)
        bar = QProgressBar(self)
        bar.setTextVisible(False)
        bar.setRange(minimum, maximum)
        self.setBar(bar)
        self._text = label
        self._compose()

    def percent(self) -> int | None:
        lo, hi, v = self.minimum(), self.maximum(), self.value()
        if hi <= lo or v < lo:
            return None
        return int(100 * (v - lo) / (hi - lo))

    def _compose(self) -> None:
        pct = self.percent()
        super().setLabelText(f"{self._text}\n{'请稍候……' if pct is None else f'已完成 {pct}%'}")

    def labelText(self) -> str:  # noqa: N802 - the caller's text, without the percentage line
        return self._text

    def setLabelText(self, text: str) -> None:  # noqa: N802
        self._text = text
        self._compose()

    def setValue(self, progress: int) -> None:  # noqa: N802
        super().setValue(progress)
        self._compose()

    def setMaximum(self, maximum: int) -> None:  # noqa: N802
        super().setMaximum(maximum)
        self._compose()

    def setRange(self, minimum: int, maximum: int) -> None:  # noqa: N802
        super().setRange(minimum, maximum)
        self._compose()


def _progress_dialog(op: Op) -> ProgressDialog:
    from PySide6.QtCore import Qt  # the Qt namespace costs start-up time: not before the first paint

    dlg = ProgressDialog(op._progress_label or "", "取消", 0, 0, op.parent)
    dlg.setWindowTitle(op.where)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(op._progress_delay)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setValue(0)

    def cancel() -> None:
        op.cancel()
        dlg.setLabelText("正在取消……")

    def progress(done: int, total: int, text: str) -> None:
        if dlg.wasCanceled():
            return
        dlg.setMaximum(max(total, 0))
        dlg.setValue(min(done, total) if total > 0 else 0)
        if text:
            dlg.setLabelText(text)

    dlg.canceled.connect(cancel)
    op.signals.progress.connect(progress)
    return dlg


_runner: Runner | None = None


def runner() -> Runner:
    """The process's runner (one writer for the one store a process opens)."""
    global _runner
    if _runner is None:
        _runner = Runner()
    return _runner
