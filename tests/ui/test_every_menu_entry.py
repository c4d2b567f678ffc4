"""Every menu entry and every shortcut of the real window, triggered on an open store, ends without a bug.

A dialog an entry opens is answered by cancelling it (as a user who changed their
mind would); what matters is that nothing raises: an exception in a slot, an
operation that ends in 程序内部错误, or an error logged with a traceback fails
the test. 文件 → 从文件起草检查目录… once raised ``NameError: name 'Qt' is not
defined`` on every use because no test clicked it.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QMessageBox, QWidget

from fazhi_desk.services.profile import set_profile
from tests.conftest import wait_idle
from tests.ui.helpers import open_window

BUG_TEXT = "程序内部错误"


class Answerer:
    """Cancels whatever modal dialog or message box appears, and remembers what message boxes said."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(30)
        self.timer.timeout.connect(self.answer)
        self.timer.start()

    def answer(self) -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            return
        if isinstance(w, QMessageBox):
            self.seen.append(f"{w.windowTitle()}: {w.text()} {w.detailedText()}")
            w.reject() if w.escapeButton() is None else w.escapeButton().click()
        elif isinstance(w, QDialog):
            self.seen.append(f"[{type(w).__name__}] {w.windowTitle()}")
            w.reject()
        else:
            w.close()

    def stop(self) -> None:
        self.timer.stop()


def _entries(win) -> list[tuple[str, QAction]]:
    out: list[tuple[str, QAction]] = []

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            if act.isSeparator():
                continue
            name = f"{path} → {act.text().replace('&', '')}"
            if act.menu() is not None:
                walk(act.menu(), name)
            else:
                out.append((name, act))

    for top in win.menuBar().actions():
        walk(top.menu(), top.text().replace("&", ""))
    return out


def _close_strays(win) -> None:
    for w in QApplication.topLevelWidgets():
        if w is not win and isinstance(w, QWidget) and w.isVisible() and not isinstance(w, QMenu):
            w.close()


@pytest.fixture
def win(qtbot, store, tmp_path):
    set_profile(store, office_name="营盘镇", county="柞水县")
    w = open_window(qtbot, store, tmp_path, year=2025, today=dt.date(2026, 3, 2))  # 2025 is a past year
    yield w
    w.close()
    wait_idle(qtbot)


def _trigger_all(qtbot, win, caplog, fire) -> list[str]:
    entries = [(n, a) for n, a in _entries(win) if not n.endswith("退出(X)")]
    assert len(entries) >= 25, [n for n, _ in entries]
    answerer = Answerer()
    failures: list[str] = []
    try:
        for name, act in entries:
            caplog.clear()
            answerer.seen.clear()
            if not act.isEnabled():
                continue
            fire(act)
            qtbot.wait(120)
            wait_idle(qtbot, timeout=30000)
            qtbot.wait(60)
            _close_strays(win)
            bugs = [s for s in answerer.seen if BUG_TEXT in s]
            logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
            if bugs or logged:
                failures.append(f"{name}: {bugs or logged}")
    finally:
        answerer.stop()
    return failures


def test_every_menu_entry_runs_without_a_bug(qtbot, win, caplog):
    assert win.select_item("SZ2015-04-01")
    failures = _trigger_all(qtbot, win, caplog, lambda act: act.trigger())
    assert not failures, "\n".join(failures)
    assert win.isVisible()


def test_every_shortcut_runs_without_a_bug(qtbot, win, caplog):
    """The same entries through their keys, as the clerk presses them (Ctrl+3 in a past year, F8, Ctrl+=…)."""
    assert win.select_item("SZ2015-04-01")
    pressed: list[str] = []

    def press(act: QAction) -> None:
        for seq in act.shortcuts():
            if seq.toString() in ("Ctrl+Q",):
                continue
            pressed.append(seq.toString())
            win.activateWindow()
            qtbot.keySequence(win, seq)
            qtbot.wait(30)

    failures = _trigger_all(qtbot, win, caplog, press)
    assert not failures, "\n".join(failures)
    for key in ("Ctrl+E", "F8", "F2", "Ctrl+3", "Ctrl+=", "Ctrl+0", "F1"):
        assert key in pressed, pressed
