"""Starting the GUI: the window paints before the store is open; settings belong to the data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from fazhi_desk.paths import DataDir
from fazhi_desk.ui.main_window import window_settings

ROOT = Path(__file__).resolve().parents[2]

FIRST_PAINT = r"""
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from fazhi_desk import __version__
from fazhi_desk.paths import DataDir
from fazhi_desk.ui.application import close_store, open_main_window
from fazhi_desk.ui.dialogs import ProfileDialog

ProfileDialog.exec = lambda self: 0  # the first-start profile question: answered 取消
seen = {}

class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in seen:
            seen["paint"] = {"sqlalchemy": "sqlalchemy" in sys.modules, "store": win.store is not None,
                             "loading": win.checklist.loading_label.text(),
                             "menus": [a.text() for a in win.menuBar().actions()],
                             "entries": sum(len(m.actions()) for m in win.menus.values())}
            # once the frame is painted (the window, then its children), before the store is opened
            QTimer.singleShot(0, lambda: seen.update(threads=len(os.listdir("/proc/self/task"))
                                                     if os.path.isdir("/proc/self/task") else 1))
            # The first-start choice (新建 / 从备份恢复) comes once the store is open: answered 新建.
            # Patched only now: importing it earlier would load the store (and SQLAlchemy) before the paint.
            from fazhi_desk.ui.backup_dialog import FirstStartDialog
            FirstStartDialog.exec = lambda self: FirstStartDialog.NEW
        return False

app, win = open_main_window(DataDir(Path(sys.argv[1])), __version__)
watch = Watch()
win.installEventFilter(watch)
for w in win.findChildren(QObject):
    if hasattr(w, "installEventFilter"):
        w.installEventFilter(watch)

def loaded(year):
    seen["loaded"] = {"sqlalchemy": "sqlalchemy" in sys.modules, "rows": len(win.model.rows()),
                      "loading_shown": win.checklist.loading_label.isVisible(),
                      "entries": sum(len(m.actions()) for m in win.menus.values())}
    win.close()

win.year_loaded.connect(loaded)
code = app.exec()
close_store(win)
print("RESULT " + json.dumps(seen, ensure_ascii=False), flush=True)
sys.exit(code)
"""


@pytest.mark.system
def test_the_window_paints_before_the_store_is_opened(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", FIRST_PAINT, str(data)], capture_output=True, text=True, env=env,
                       timeout=120, cwd=tmp_path)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
    assert p.returncode == 0 and lines, p.stdout + p.stderr
    seen = json.loads(lines[-1][len("RESULT "):])
    assert seen["paint"] == {"sqlalchemy": False, "store": False, "loading": "正在载入…",
                             "menus": ["文件(&F)", "编辑(&E)", "事项(&I)", "查看(&V)", "年度(&Y)", "设置(&S)", "帮助(&H)"],
                             "entries": 0}  # the menus' titles are in the first frame, their entries right after it
    # the first frame is painted on the UI thread alone: Qt's raster engine used to hand its larger fills to
    # helper threads (started then, and waited for ~250 times) before the window's first frame was up
    assert seen["threads"] == 1
    assert seen["loaded"]["sqlalchemy"] is True
    assert seen["loaded"]["rows"] > 100  # the bundled catalogues, installed on this first start
    assert seen["loaded"]["loading_shown"] is False
    assert seen["loaded"]["entries"] > 30


def test_window_settings_live_in_the_data_directory(tmp_path):
    a, b = DataDir(tmp_path / "a").ensure(), DataDir(tmp_path / "b").ensure()
    sa = window_settings(a.root)
    sa.setValue("view/year", 2023)
    sa.sync()
    assert Path(sa.fileName()).parent == a.root
    assert window_settings(a.root).value("view/year") in (2023, "2023")
    assert window_settings(b.root).value("view/year") is None
    assert QSettings().value("view/year") is None  # nothing in the shared per-user settings


def test_the_started_window_uses_its_data_directorys_settings(qtbot, tmp_path, monkeypatch):
    from fazhi_desk import __version__
    from fazhi_desk.ui.application import close_store, open_main_window

    from fazhi_desk.ui.dialogs import ProfileDialog

    from fazhi_desk.ui.backup_dialog import FirstStartDialog

    monkeypatch.setattr(ProfileDialog, "exec", lambda self: 0)
    monkeypatch.setattr(FirstStartDialog, "exec", lambda self: FirstStartDialog.NEW)
    data = DataDir(tmp_path / "d")
    app, win = open_main_window(data, __version__)
    qtbot.addWidget(win)
    try:
        assert Path(win.settings.fileName()) == data.root / "window.ini"
        qtbot.waitUntil(lambda: win.store is not None, timeout=30000)
    finally:
        win.close()
        close_store(win)


def test_qts_own_file_dialog_is_chinese(qtbot):
    """Qt's file dialog (the one Linux gets) shows no English label and calls a folder 文件夹."""
    import re

    from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton

    from fazhi_desk.ui.application import make_app

    app = make_app(icon=False)
    try:
        d = QFileDialog(None, "备份到", str(Path.home()), "备份文件 (*.fzbak)")
        d.setOption(QFileDialog.Option.DontUseNativeDialog)
        d.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        qtbot.addWidget(d)
        texts = [w.text() for w in d.findChildren(QLabel) + d.findChildren(QPushButton) if w.text()]
        assert texts and not [t for t in texts if re.search(r"[A-Za-z]{2,}", t)], texts
        assert QApplication.translate("QAbstractFileIconProvider", "Folder", "All other platforms") == "文件夹"
    finally:
        for name in ("_fazhi_translator", "_fazhi_translator_gaps"):  # the other tests see Qt's English
            tr = getattr(app, name, None)
            if tr is not None:
                app.removeTranslator(tr)
                setattr(app, name, None)
