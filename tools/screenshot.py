"""Render the real window to PNG files as a user would see it, on the office screens we support.

Usage: python tools/screenshot.py DATA_DIR OUT_DIR [--item SZ2015-04-02] [--year 2026]
                                  [--setting 1366x768@100 ...] [--text-step N]

For each screen setting (default: the four of README, 1366×768 at 100 %,
1920×1080 at 125 % and 150 %, 2560×1440 at 200 %) it starts itself again with
Qt's offscreen platform given that screen (a 40-pixel taskbar at 100 % taken off
the height, as on Windows) and ``QT_SCALE_FACTOR`` set to the scaling, opens the
window at the size the program chooses for a first start, and saves
``<setting>-checklist.png``, ``-evidence.png``, ``-dashboard.png`` and
``-import.png`` (the import preview of a revised catalogue) in OUT_DIR.
Nothing needs an X server; Chinese text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = ("1366x768@100", "1920x1080@125", "1920x1080@150", "2560x1440@200")
TASKBAR_PX = 40  # Windows' taskbar at 100 %


def _parse(setting: str) -> tuple[int, int, float]:
    size, pct = setting.split("@")
    w, h = (int(x) for x in size.split("x"))
    return w, h, int(pct) / 100


def _screen_env(setting: str) -> dict[str, str]:
    w, h, scale = _parse(setting)
    cfg = Path(tempfile.mkdtemp()) / "screen.json"
    # the offscreen platform has no taskbar: give it the screen minus the taskbar (its available area)
    cfg.write_text(json.dumps({"screens": [{"name": "office", "x": 0, "y": 0, "width": w,
                                            "height": h - int(TASKBAR_PX * scale), "logicalDpi": 96,
                                            "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={cfg}", QT_SCALE_FACTOR=str(scale))
    env.pop("QT_AUTO_SCREEN_SCALE_FACTOR", None)
    return env


def _revised_catalogue(store, out: Path) -> Path:  # noqa: ANN001
    """The installed catalogues with one document revised (2 items reworded, 1 removed, 1 added)."""
    import dataclasses

    from fazhi_desk.catalogue.excel import write_template
    from fazhi_desk.services.catalogue import installed_catalogues

    with store.session() as s:
        cats = installed_catalogues(s)
    cat = cats[0]
    items = list(cat.items)
    items[1] = dataclasses.replace(items[1], requirement=items[1].requirement + ",并将学法情况纳入年度考核")
    items[4] = dataclasses.replace(items[4], lead_units=items[4].lead_units + "、司法所")
    del items[7]
    items.append(dataclasses.replace(items[2], item_id=f"{cat.document.code}-99-01",
                                     requirement="每年向县司法局报送法治政府建设年度报告"))
    major, _, minor = cat.document.version.partition(".")
    doc = dataclasses.replace(cat.document, version=f"{major}.{int(minor or 0) + 1}")
    path = out / "修订目录.xlsx"
    write_template([dataclasses.replace(cat, document=doc, items=tuple(items))], path)
    return path


def render(a: argparse.Namespace, prefix: str) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.catalogue import preview_import
    from fazhi_desk.services.profile import get_profile
    from fazhi_desk.services.workspace import open_workspace
    from fazhi_desk.ui.application import make_app
    from fazhi_desk.ui.import_dialog import ImportPreviewDialog
    from fazhi_desk.ui.main_window import MainWindow

    app = make_app()
    store = open_workspace(DataDir(a.data_dir).ensure())
    tmp = Path(tempfile.mkdtemp())
    settings = QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)
    if a.year:
        settings.setValue("view/year", a.year)
    settings.setValue("view/item", a.item)
    if a.text_step:
        settings.setValue("view/text_size_step", a.text_step)
    win = MainWindow(store, settings, profile=get_profile(store))
    win.show()
    done: list[int] = []
    win.year_loaded.connect(done.append)
    win.start()
    while not done:
        app.processEvents()
    a.out_dir.mkdir(parents=True, exist_ok=True)

    def pump() -> None:
        for _ in range(8):
            app.processEvents()

    shots = {"checklist": lambda: None,
             "evidence": lambda: win.right_tabs.setCurrentIndex(1),
             "dashboard": win.show_dashboard}
    for name, prepare in shots.items():
        prepare()
        pump()
        out = a.out_dir / f"{prefix}{name}.png"
        win.grab().save(str(out))
        print(out)
    preview = preview_import(store, _revised_catalogue(store, tmp))
    dlg = ImportPreviewDialog(preview, win)
    dlg.show()
    pump()
    dlg.tabs.setCurrentIndex(1)  # 修改: the side-by-side view
    pump()
    out = a.out_dir / f"{prefix}import.png"
    dlg.grab().save(str(out))
    print(out)
    dlg.close()
    win.close()
    store.close()
    QApplication.processEvents()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--item", default="SZ2015-04-02")
    ap.add_argument("--year", type=int)
    ap.add_argument("--setting", action="append", help="WIDTHxHEIGHT@PERCENT, e.g. 1920x1080@150 (repeatable)")
    ap.add_argument("--text-step", type=int, default=0, help="查看 → 放大 steps (0: the default size)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child is not None:
        return render(a, a.child)
    rc = 0
    for setting in a.setting or SETTINGS:
        prefix = setting.replace("@", "-") + "-"
        cmd = [sys.executable, __file__, str(a.data_dir), str(a.out_dir), "--item", a.item, "--child", prefix,
               "--text-step", str(a.text_step)]
        if a.year:
            cmd += ["--year", str(a.year)]
        rc |= subprocess.run(cmd, env=_screen_env(setting)).returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
