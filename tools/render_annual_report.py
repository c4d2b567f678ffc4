"""Render the written report of a realistic year (tests/reports/annual_year.py) to PNG pages, for the README.

Usage::

    python tools/render_annual_report.py [--out DIR] [--dpi 60]

Builds the year in a temporary data directory, exports the .docx, converts it with LibreOffice
(``apt-get install -y libreoffice-writer-nogui poppler-utils fonts-noto-cjk``) and prints the pages' paths.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from render_report import render  # noqa: E402


def main() -> int:
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.annual_text import export_docx, set_submit_date
    from fazhi_desk.services.workspace import open_workspace
    from tests.reports.annual_year import TODAY, YEAR, build_year

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("render-annual"))
    ap.add_argument("--dpi", type=int, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        st = open_workspace(DataDir(tmp / "data").ensure())
        try:
            build_year(st, tmp)
            set_submit_date(st, YEAR, TODAY)
            args.out.mkdir(parents=True, exist_ok=True)
            docx = export_docx(JobContext(), st, YEAR, args.out / "情况报告.docx", today=TODAY)
        finally:
            st.close()
    for p in render(docx, args.out, args.dpi):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
