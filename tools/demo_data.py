"""Fill a data directory with a plausible year of work, for screenshots and trying the program out.

Usage: python tools/demo_data.py DATA_DIR [--year 2025]
Uses only the program's own command line, so it shows what a script can do headless. The default
year is 2025, the last year both bundled documents are in force (柞水's plan runs 2022—2025).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ASSESSMENTS = [
    ("SZ2015-04-01", "已完成", ["--actual", "4", "--owner", "王敏", "--note", "全年组织领导班子集中学法4次,学习宪法、行政复议法等,签到表和会议记录已归档。"]),
    ("SZ2015-04-02", "进行中", ["--actual", "32", "--owner", "王敏", "--note", "截至11月累计培训32学时,12月安排网上学法补足。"]),
    ("SZ2015-10-02", "已完成", ["--owner", "李强", "--note", "本年度制发规范性文件2件,均在发布后15日内报县政府备案。"]),
    ("SZ2015-12-01", "进行中", ["--owner", "赵丽"]),
    ("ZS2022-29-04", "已完成", ["--actual", "2", "--owner", "王敏", "--note", "6月、10月各举办法治专题讲座一期。"]),
    ("ZS2022-29-06", "进行中", ["--actual", "64", "--owner", "王敏"]),
    ("ZS2022-01-02", "已完成", ["--owner", "陈涛", "--note", "权责清单已公开并按季度动态调整。"]),
    ("SZ2015-29-01", "不适用", ["--reason", "本街道已由县法律顾问团统一服务"]),
]


def fazhi(data: Path, *args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(data), *args],
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"fazhi-desk {' '.join(args[:3])}… failed:\n{r.stderr or r.stdout}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--year", type=int, default=min(dt.date.today().year, 2025))
    a = ap.parse_args()
    fazhi(a.data_dir, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "王敏",
          "--phone", "0914-4321000")
    for n, (item_id, status, extra) in enumerate(ASSESSMENTS):
        if status == "已完成":  # a plausible date in that year (a past year needs one: 完成日期 rule)
            done = min(dt.date(a.year, 6 + n % 6, 10 + n), dt.date.today())
            extra = [*extra, "--completed-on", done.isoformat()]
        fazhi(a.data_dir, "status", item_id, "--year", str(a.year), "--status", status, *extra)
    with tempfile.TemporaryDirectory() as tmp:
        f1 = Path(tmp) / "2025年集中学法签到表.pdf"
        f1.write_bytes(b"%PDF-1.4\n% demo sign-in sheet\n" * 200)
        f2 = Path(tmp) / "第一季度学法会议记录.docx"
        f2.write_bytes(b"PK demo minutes " * 500)
        fazhi(a.data_dir, "evidence", "add", "SZ2015-04-01", "--year", str(a.year), str(f1), str(f2))
    print(f"demo data written to {a.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
