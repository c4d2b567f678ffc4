"""Starting the GUI: QApplication, translations, exception hook, the window at once, then the store.

Order: directories → logging → QApplication → the main window shown empty
(正在载入…) and painted → the store opened on the writer thread (this is where SQLAlchemy
is first imported, and where a migration runs) → the profile read once → the
year loaded on a worker. The user sees the window before any of the slow work.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QWidget


def _quicker_pyside_import_check() -> None:
    """Once PySide is loaded, every module named in an import statement has its source searched for "PySide6"
    (``shibokensupport.feature._mod_uses_pyside``, for ``from __feature__ import ...``) through
    ``inspect.getsource``: ~40 modules, 5-7 ms of the window's first paint when run from source or a pip install.
    The same answer read straight from the file costs a tenth of that. PySide without that hook: nothing changes.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return

    def uses_pyside(module) -> bool:  # noqa: ANN001 - as PySide's: a module whose .py source names PySide6
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return False  # built in, an extension, or frozen without source: getsource fails, PySide says False
        try:
            with open(path, "rb") as f:
                return b"PySide6" in f.read()
        except OSError:
            return False

    feature._mod_uses_pyside = uses_pyside


_quicker_pyside_import_check()  # before the imports below: they are the ones it checks

from fazhi_desk import APP_NAME, APP_TITLE
from fazhi_desk.errors import UserError
from fazhi_desk.logs import setup_logging
from fazhi_desk.paths import DataDir, resource_path
from fazhi_desk.tasks import Op, runner, show_error
from fazhi_desk.ui.main_window import MainWindow, window_settings

if TYPE_CHECKING:
    from fazhi_desk.services.profile import OfficeProfile
    from fazhi_desk.store.db import Store

log = logging.getLogger("fazhi_desk.ui")
START_FAILED_TITLE = "无法启动"

# bench/bench_startup.py sets this to time a real start (also of the frozen build): the window prints
# PAINTED at its first paint and READY when the year's tree is filled, then closes.
STARTUP_PROBE = "FAZHI_DESK_STARTUP_PROBE"
SNAPSHOT_DELAY_MS = 3000  # after a load or a refresh, the year shown is written for the next start


class _QtbaseGaps(QTranslator):
    """What qtbase_zh_CN leaves in English in Qt's own file dialog (the one used on Linux): the labels
    with an accelerator and the 类型 of a folder."""

    TEXTS = {
        ("QFileDialog", "&Look in:"): "查找范围(&L)\uff1a",
        ("QFileDialog", "Files of &type:"): "文件类型(&T)\uff1a",
        ("QAbstractFileIconProvider", "Folder"): "文件夹",
        ("QAbstractFileIconProvider", "Drive"): "驱动器",
        ("QAbstractFileIconProvider", "File Folder"): "文件夹",
        ("QAbstractFileIconProvider", "Alias"): "快捷方式",
        ("QAbstractFileIconProvider", "Shortcut"): "快捷方式",
        ("QFileSystemModel", "Folder"): "文件夹",
    }

    def translate(self, context: str, source: str, disambiguation: str | None = None,  # noqa: D102
                  n: int = -1) -> str | None:
        return self.TEXTS.get((context, source))  # None: not ours, the next translator (qtbase) answers

    def isEmpty(self) -> bool:  # noqa: N802, D102
        return False


def make_app(argv: list[str] | None = None, icon: bool = True) -> QApplication:
    """The QApplication with our names, icon and the qtbase_zh_CN translation (确定/取消).

    ``icon=False`` leaves the icon to :func:`set_app_icon` (the start-up sets it after the first paint:
    making a QIcon loads PySide's large icon enums).
    """
    # Qt's raster engine hands every fill of more than 96 scan lines (a tab page's frame, the toolbar's edge) to
    # helper threads and waits for them: ~250 hand-offs in the window's first frame, and each waits for a core,
    # which a busy 2-core office PC does not have to spare. Our fills are small: drawn where they are asked for.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    QLocale.setDefault(QLocale("zh_CN"))
    if not getattr(app, "_fazhi_translator", None):
        tr = QTranslator(app)
        if tr.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(tr)
            app._fazhi_translator = tr  # type: ignore[attr-defined]
            gaps = _QtbaseGaps(app)  # installed last: asked first, answers only what qtbase lacks
            app.installTranslator(gaps)
            app._fazhi_translator_gaps = gaps  # type: ignore[attr-defined]
        else:
            log.warning("qtbase_zh_CN translation not found; Qt's own dialogs will be in English")
    if icon:
        set_app_icon(app)
    return app


def set_app_icon(app: QApplication) -> None:
    from PySide6.QtGui import QIcon  # its type brings 150 theme-icon enums: not before the first paint

    path = resource_path("icons", "fazhi-desk.png")
    if path.is_file():
        app.setWindowIcon(QIcon(str(path)))


def install_excepthook() -> None:
    """An unexpected error is logged and shown; the application keeps running."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(etype, value, tb)))
        try:
            show_error(QApplication.activeWindow(), "出错了", value)
        except Exception:  # pragma: no cover - never let the hook itself kill the app
            pass

    sys.excepthook = hook


def open_workspace_and_profile(data: DataDir) -> tuple[Store, OfficeProfile]:
    """Worker half of the start: open (migrate, install catalogues) the store and read the profile once.

    Imported here, on the worker, after the first paint: this is where SQLAlchemy is first loaded.
    """
    from fazhi_desk.services.workspace import open_workspace_and_profile as open_both

    return open_both(data)


def open_main_window(data: DataDir, version: str):  # noqa: ANN201
    """Show the main window at once and open the store behind it; returns (app, window) or an exit code.

    The window emits ``store_attached`` when the store is open and ``year_loaded``
    when the tree is filled. If the store cannot be opened, the error is shown and
    the event loop ends with exit code 1.
    """
    app = make_app(icon=False)
    try:
        data.ensure()
        log_path = setup_logging(data)
    except UserError as e:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, APP_TITLE, str(e))
        return 1
    log.info("fazhi-desk %s starting, data dir %s, log %s", version, data.root, log_path)
    install_excepthook()
    win = MainWindow(None, window_settings(data.root))
    if os.environ.get(STARTUP_PROBE):
        _install_startup_probe(win)
    win.show()

    def opened(result: tuple[Store, OfficeProfile]) -> None:
        from fazhi_desk.ui.backup_dialog import after_first_paint, first_start

        store, profile = result
        win.set_store(store, profile)
        win.start()
        if not profile.is_set:
            from fazhi_desk.backup.restore import current_summary

            # not when the window closed meanwhile: the store is gone and a modal box would wait for nobody
            def ask(summary) -> None:  # noqa: ANN001
                if win.store is not store or not win.isVisible():
                    return
                if summary.is_empty:  # a PC with no data: 新建, or 从备份恢复
                    first_start(win)
                else:
                    win.edit_profile(first_start=True)

            Op(current_summary, data, store).success(ask).run(win, APP_TITLE)  # read off the UI thread
        after_first_paint(win)  # the day's first backup, in the background once the window is up

    def failed(e: BaseException) -> None:
        if not isinstance(e, UserError):
            log.error("opening the store failed: %r", e)
            show_error(win, START_FAILED_TITLE, e)  # Qt appends the program's name: not in the title twice
        elif _offer_restore_after_open_failed(win, data, e):
            win._opening = False  # type: ignore[attr-defined]
            open_store()  # restored: open it again
            return
        win.close()
        app.exit(1)

    def open_store() -> None:
        if getattr(win, "_opening", False):
            return
        win._opening = True  # type: ignore[attr-defined]
        Op(open_workspace_and_profile, data).write(None).success(opened).failure(failed).run(win, APP_TITLE)

    win.first_painted.connect(lambda: set_app_icon(app))
    win.first_painted.connect(_resume_gc)  # paused by __main__ for the start
    QTimer.singleShot(1000, _resume_gc)  # should no paint come
    # the last session's year, to read at once while the store opens (discarded if the store changed since);
    # the store is opened once those rows are painted: its worker's imports would hold up that paint
    def snapshot_then_store() -> None:
        if show_snapshot(win, data):
            after_next_paint(win.checklist.tree.viewport(), open_store)
        else:
            open_store()

    # the store is opened once the window has painted (or after a second, should no paint come)
    win.first_painted.connect(snapshot_then_store)
    # and the year shown is kept for the next start a few seconds after it was loaded or rows were re-read
    later = QTimer(win)
    later.setSingleShot(True)
    later.setInterval(SNAPSHOT_DELAY_MS)
    later.timeout.connect(lambda: write_snapshot_in_background(win, data))
    win.checklist.loaded.connect(lambda _y: later.start())
    win.checklist.rows_refreshed.connect(lambda _ids: later.start())
    QTimer.singleShot(1000, open_store)
    return app, win


def _resume_gc() -> None:
    """The cyclic garbage collector again, once the window is up; what the start made stays (modules, classes,
    the window), so it is moved out of the collector's way (gc.freeze) rather than walked again and again."""
    import gc

    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class _NextPaint(QObject):
    def __init__(self, widget: QWidget, fn) -> None:  # noqa: ANN001
        super().__init__(widget)
        self.fn = fn

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.fn)
        return False


def after_next_paint(widget: QWidget, fn) -> None:  # noqa: ANN001
    """Call ``fn`` once ``widget`` has painted again (asks for that paint)."""
    widget.installEventFilter(_NextPaint(widget, fn))
    widget.update()


def show_snapshot(win: MainWindow, data: DataDir) -> bool:
    from fazhi_desk.year_snapshot import read_snapshot

    snap = read_snapshot(data, win.year()) if win.store is None else None
    return snap is not None and win.show_snapshot(snap.year, snap.rows)


def write_snapshot_in_background(win: MainWindow, data: DataDir) -> Op | None:
    """While the store is open: the rows shown, with the store's version now, when they have seen every write."""
    from fazhi_desk.year_snapshot import store_version, write_snapshot as write

    if (win.store is None or win.checklist.loading_job is not None or win.checklist.showing_snapshot
            or runner().running()):
        return None  # the next refresh, or the close, writes it
    version = store_version(data)
    if version is None:
        return None
    rows = list(win.checklist.model.rows())
    return Op(write, data, win.year(), rows, version).run(win, "保存清单快照")


def write_snapshot(win: MainWindow, data: DataDir) -> None:
    """After the store is closed: the year the tree showed, for the next start (fazhi_desk.year_snapshot)."""
    from fazhi_desk.year_snapshot import write_snapshot as write

    # only rows that have seen every write: an operation whose end the closed event loop never delivered
    # (a save, the re-read of its row) may be in the store and not in them
    current = win.checklist.loading_job is None and not win.checklist.showing_snapshot and not runner().running()
    write(data, win.year(), win.checklist.model.rows() if current and win.checklist._model is not None else [])


def _say(word: str) -> None:
    if sys.stdout is not None:  # a windowed Windows exe has no stdout unless started from a console
        print(word, flush=True)


def _offer_restore_after_open_failed(win: QWidget, data: DataDir, e: UserError) -> bool:
    """The data cannot be opened: say why and offer 从备份恢复 (the newest backup, or one the user picks).

    Returns True once a backup was restored (the caller opens the store again).
    """
    from PySide6.QtWidgets import QMessageBox

    from fazhi_desk.errors import StoreLockedError, StoreTooNewError

    if isinstance(e, (StoreLockedError, StoreTooNewError)):
        QMessageBox.critical(win, START_FAILED_TITLE, str(e))
        return False
    from PySide6.QtCore import QEventLoop

    from fazhi_desk.ui.backup_dialog import newest_backup, restore_interactive

    newest = newest_backup(data)
    box = QMessageBox(QMessageBox.Icon.Critical, START_FAILED_TITLE, str(e), QMessageBox.StandardButton.NoButton, win)
    box.setObjectName("open_failed")
    restore_newest = None
    if newest is not None:
        box.setInformativeText(f"可以从备份恢复。最近的备份\uff1a{newest.name}")
        restore_newest = box.addButton("从最近的备份恢复…", QMessageBox.ButtonRole.AcceptRole)
    pick = box.addButton("从备份恢复…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    if clicked is None or clicked not in (restore_newest, pick):
        return False
    loop = QEventLoop()
    result = {"ok": False}

    def done(ok: bool) -> None:
        result["ok"] = ok
        loop.quit()

    op = restore_interactive(win, None, data, str(newest) if clicked is restore_newest else None, on_done=done)
    if op is None:
        return False
    loop.exec()
    return result["ok"]


class _FirstPaint(QObject):
    """Says PAINTED once the window's first frame is painted: Qt paints the window, then its children, in
    one go when it first sees the window's paint event; the word is printed after that (a zero timer). A
    filter on every child would wrap each in Python and cost the start-up it measures."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.painted = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            obj.removeEventFilter(self)
            QTimer.singleShot(0, lambda: _say("PAINTED"))
        return False


def _install_startup_probe(win: MainWindow) -> None:
    probe = _FirstPaint(win)
    win.installEventFilter(probe)

    def usable() -> None:  # the tree has rows to select and read, painted (the last session's or the store's)
        if getattr(probe, "usable", False) or not win.checklist.model.rows():
            return
        probe.usable = True  # type: ignore[attr-defined]
        after_next_paint(win.checklist.tree.viewport(), lambda: _say("USABLE"))

    win.first_painted.connect(lambda: QTimer.singleShot(0, usable))  # after the snapshot, if any, is shown
    win.checklist.loaded.connect(lambda _y: usable())

    def ready(_year: int) -> None:
        _say("READY")
        QTimer.singleShot(0, win.close)

    win.year_loaded.connect(ready)


def close_store(win: MainWindow) -> None:
    """After the event loop: let every write commit, then close the store (releases the lock)."""
    runner().wait_for_writes()
    runner().wait_for_reads()
    store = win.store
    if store is not None:
        win.store = None
        store.close()


def start(data: DataDir, version: str) -> int:
    opened = open_main_window(data, version)
    if isinstance(opened, int):
        return opened
    app, win = opened
    try:
        return app.exec()
    finally:
        close_store(win)
        write_snapshot(win, data)
