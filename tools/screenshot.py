"""Render the real main window to PNG files (checklist, evidence tab, dashboard), as a user would see it.

Usage: python tools/screenshot.py DATA_DIR OUT_DIR [--item SZ2015-04-02] [--year 2026]
Renders offscreen (no X server needed); Chinese text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--item", default="SZ2015-04-02")
    ap.add_argument("--year", type=int)
    a = ap.parse_args()

    from PySide6.QtCore import QSettings

    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.ui.application import make_app
    from fazhi_desk.ui.main_window import MainWindow

    app = make_app()
    store = open_workspace(DataDir(a.data_dir).ensure())
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    if a.year:
        settings.setValue("view/year", a.year)
    settings.setValue("view/item", a.item)
    win = MainWindow(store, settings)
    win.resize(1360, 860)
    win._update_title()
    win.show()
    done: list[int] = []
    win.year_loaded.connect(done.append)
    win.start()
    while not done:
        app.processEvents()
    a.out_dir.mkdir(parents=True, exist_ok=True)
    shots = {"checklist.png": lambda: None,
             "evidence.png": lambda: win.right_tabs.setCurrentIndex(1),
             "dashboard.png": win.show_dashboard}
    for name, prepare in shots.items():
        prepare()
        for _ in range(5):
            app.processEvents()
        win.grab().save(str(a.out_dir / name))
        print(a.out_dir / name)
    win.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
