"""What the window tests share: the small catalogue's item ids, the main window under qtbot, typing, reading back.

Fixtures (``tt_data``) live in ``tests/ui/conftest.py``; these are plain functions and constants.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from fazhi_desk.domain.model import Status
from fazhi_desk.services.checklist import load_row
from fazhi_desk.ui.main_window import MainWindow
from tests.conftest import wait_idle

TODAY = dt.date(2024, 7, 1)
YEARLY, ONCE, BIENNIAL, COUNTY, EVENT = "TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-02-02", "TT2020-03-01"


def open_window(qtbot, store, tmp_path, year=2024, today=TODAY):
    """The real main window on ``store``, showing ``year`` as on ``today``, its tree filled."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", year)
    win = MainWindow(store, settings, today=today)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.start()
    return win


def stored(store, item_id, year):
    with store.session() as s:
        return load_row(s, item_id, year, TODAY)


def type_text(widget, text):
    """Type text key by key (QTest asserts on non-ASCII keys, so send the key events ourselves)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def set_status(win, qtbot, item_id, status: Status):
    assert win.select_item(item_id)
    combo = win.detail.status
    combo.setCurrentIndex(combo.findData(status.value))
    combo.activated.emit(combo.currentIndex())
    wait_idle(qtbot)  # saved by the writer in the background


def answer_na_reason(qtbot, text: str | None, seen: list | None = None):
    """Answer the next 不适用原因 box: type ``text`` and 确定, or 取消 (None); ``seen`` gets the box's width."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog

    def answer():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QInputDialog) or dlg.objectName() != "na_reason_dialog":
            QTimer.singleShot(20, answer)
            return
        if seen is not None:
            seen.append((dlg.width(), dlg.fontMetrics().horizontalAdvance(dlg.windowTitle())))
        if text is None:
            dlg.reject()
        else:
            dlg.setTextValue(text)
            dlg.accept()

    QTimer.singleShot(20, answer)
