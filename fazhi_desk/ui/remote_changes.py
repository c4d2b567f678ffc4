"""Other desks' changes in this window within seconds: poll the change log's highest id off the UI thread.

A store on a server is written by several desks. Every :data:`POLL_MS` the window asks, through
:class:`~fazhi_desk.tasks.Op` (a read on a worker thread, never on the UI thread), for the change log's
entries after the highest id it has seen that another 操作人 wrote, and refreshes exactly the items
they name (:meth:`MainWindow.apply_changes`), with a note in the status bar. A poll that fails (the
server is away) is logged and tried again at the next tick, without a dialog. A single PC's store has
only this desk: nothing is polled.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

POLL_MS = 3000  # other desks' changes show within 5 s: one poll interval plus a read


class RemoteChanges(QObject):
    """The window's poller (one per window; :func:`watch` makes it and points it at the current store)."""

    def __init__(self, window: Any, interval_ms: int = POLL_MS) -> None:
        super().__init__(window)
        self.window = window
        self.store: Any = None
        self.last_id: int | None = None
        self._op: Any = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def attach(self, store: Any) -> None:
        self.store, self.last_id = store, None
        if store is not None and getattr(store, "db_path", None) is None:  # a server store
            self.timer.start()
            self.poll()
        else:
            self.timer.stop()

    def poll(self) -> None:
        from fazhi_desk.services.location import changes_since
        from fazhi_desk.tasks import Op, runner

        store = self.store
        if store is None or self.window.store is not store or (self._op is not None and self._op in runner().running()):
            return

        def got(found: Any) -> None:
            if self.store is not store or self.window.store is not store:
                return
            first = self.last_id is None
            self.last_id = found.last_id
            if first or not (found.users or found.replaced):
                return
            self.window.apply_changes(store, found.changes())
            who = "、".join(sorted(found.users))
            if found.replaced:
                self.window.statusBar().showMessage(
                    f"服务器上的数据已从备份恢复\uff08操作人 {who}\uff09\uff0c已重新读取。" if who else
                    "服务器上的数据已从备份恢复\uff08另一台电脑\uff09\uff0c已重新读取。", 8000)
                return
            self.window.statusBar().showMessage(f"其他电脑\uff08操作人 {who}\uff09刚刚修改了数据\uff0c已刷新。", 5000)

        def failed(error: BaseException) -> None:
            log.warning("polling other desks' changes failed: %s", " ".join(str(error).split())[:300])

        self._op = Op(changes_since, store, self.last_id).success(got).failure(failed)
        self._op.run(self.window, "读取其他电脑的修改")


def watch(window: Any) -> RemoteChanges:
    """Make (once) the window's poller and point it at the window's store."""
    poller = getattr(window, "_remote_changes", None)
    if poller is None:
        poller = RemoteChanges(window)
        window._remote_changes = poller
    poller.attach(window.store)
    return poller
