"""Starting the GUI: QApplication, Chinese translations, exception hook, store, first-start profile, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from fazhi_desk import APP_NAME, APP_TITLE
from fazhi_desk.errors import UserError
from fazhi_desk.paths import DataDir, resource_path

log = logging.getLogger("fazhi_desk.ui")


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our names, icon and the qtbase_zh_CN translation (确定/取消)."""
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if not getattr(app, "_fazhi_translator", None):
        tr = QTranslator(app)
        if tr.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(tr)
            app._fazhi_translator = tr  # type: ignore[attr-defined]
        else:
            log.warning("qtbase_zh_CN translation not found; Qt's own dialogs will be in English")
    icon = resource_path("icons", "fazhi-desk.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def install_excepthook() -> None:
    """An unexpected error is logged and shown; the application keeps running."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(etype, value, tb)))
        try:
            from fazhi_desk.ui.messages import show_error

            show_error(QApplication.activeWindow(), "出错了", value)
        except Exception:  # pragma: no cover - never let the hook itself kill the app
            pass

    sys.excepthook = hook


def open_main_window(data: DataDir, version: str):  # noqa: ANN201
    """Everything up to a shown main window that is loading its year; returns (app, store, window) or an exit code."""
    from fazhi_desk.logs import setup_logging
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.ui.main_window import MainWindow

    app = make_app()
    try:
        data.ensure()
        log_path = setup_logging(data)
    except UserError as e:
        QMessageBox.critical(None, APP_TITLE, str(e))
        return 1
    log.info("fazhi-desk %s starting, data dir %s, log %s", version, data.root, log_path)
    install_excepthook()
    try:
        store = open_workspace(data)
    except UserError as e:
        QMessageBox.critical(None, f"{APP_TITLE} 无法启动", str(e))
        return 1
    except Exception as e:
        log.exception("opening the store failed")
        from fazhi_desk.ui.messages import show_error

        show_error(None, f"{APP_TITLE} 无法启动", e)
        return 1
    win = MainWindow(store, QSettings())
    win.show()
    if not get_profile(store).is_set:
        win.edit_profile(first_start=True)
    win._update_title()
    win.start()
    return app, store, win


def start(data: DataDir, version: str) -> int:
    opened = open_main_window(data, version)
    if isinstance(opened, int):
        return opened
    app, store, _win = opened
    try:
        return app.exec()
    finally:
        store.close()
