"""Render the 备份与恢复 dialog and the first-start choice to PNG files, over a real data directory.

Usage: python tools/screenshot_backup.py DATA_DIR OUT_DIR
Takes three backups of DATA_DIR first (a daily one, one before an import, one by hand,
dated over the last days) so the list shows each kind. Renders offscreen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    a = ap.parse_args()

    from fazhi_desk.backup import create_backup
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.paths import DataDir
    from fazhi_desk.ui.application import make_app
    from fazhi_desk.ui.backup_dialog import BackupDialog, FirstStartDialog

    app = make_app()
    data = DataDir(a.data_dir)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    for days, reason in ((2, "daily"), (1, "before-import"), (0, "daily")):
        create_backup(JobContext(), data, reason=reason, include_evidence=reason != "before-import",
                      now=now - dt.timedelta(days=days, hours=days))
    a.out_dir.mkdir(parents=True, exist_ok=True)
    for name, dlg in (("backup.png", BackupDialog(data)), ("first_start.png", FirstStartDialog())):
        dlg.show()
        for _ in range(5):
            app.processEvents()
        dlg.grab().save(str(a.out_dir / name))
        print(a.out_dir / name)
        dlg.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
