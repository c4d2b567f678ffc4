"""`evidence add --date` sets 文件日期 from the command line; a bad date is refused before anything is stored."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.cli import run
from fazhi_desk.services.evidence import list_evidence


def test_add_with_date(tmp_path, capsys):
    data = tmp_path / "d"
    f = tmp_path / "签到表.pdf"
    f.write_bytes(b"%PDF sign-in sheet")
    assert run(["--data-dir", str(data), "evidence", "add", "SZ2015-04-01", "--year", "2025", "--date",
                "2025年3月2日", str(f)]) == 0
    g = tmp_path / "通知.pdf"
    g.write_bytes(b"%PDF notice")
    capsys.readouterr()
    assert run(["--data-dir", str(data), "evidence", "add", "SZ2015-04-01", "--year", "2025", "--date",
                "2025-13-40", str(g)]) == 1
    assert "文件日期“2025-13-40”不是有效日期" in capsys.readouterr().err
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.workspace import open_workspace

    st = open_workspace(DataDir(data))
    try:
        entries = list_evidence(st, "SZ2015-04-01", 2025)
    finally:
        st.close()
    assert [(e.original_name, e.doc_date) for e in entries] == [("签到表.pdf", dt.date(2025, 3, 2))]
