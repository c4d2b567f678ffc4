"""报送 and 开始使用年度 from the command line: report --submitted, an edit that needs --correction, the 更正版,
profile set --since and profile prior."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import run

pytestmark = pytest.mark.system


def test_report_submitted_then_a_correction_then_the_corrected_return(tmp_path):
    data = tmp_path / "data"
    run("profile", "set", "--office", "乾佑街道", "--county", "柞水县", "--since", "2025", data=data)
    r = run("report", "--year", "2025", "--out", str(tmp_path / "a.xlsx"), "--submitted", data=data)
    assert "已标记为已报送" in r.stdout and "2025年\uff1a已报送" in r.stdout
    first = r.stdout.split("导出编号 ")[1].split(")")[0]
    r = run("status", "SZ2015-04-01", "--year", "2025", "--status", "进行中", data=data, check=False)
    assert r.returncode != 0 and "更正原因" in r.stderr and "--correction" in r.stderr and "Traceback" not in r.stderr
    run("status", "SZ2015-04-01", "--year", "2025", "--status", "进行中", "--correction", "漏报集中学法", data=data)
    r = run("report", "--year", "2025", "--out", str(tmp_path / "b.xlsx"), "--submitted", data=data)
    assert f"更正导出编号 {first}" in r.stdout and "已更正" in r.stdout
    # 开始使用年度 2025: the plan's one-time goals due before it are listed once, for one answer
    r = run("profile", "prior", "--year", "2025", data=data)
    assert "ZS2022-21-02 截止 2024-12-31" in r.stdout and "SZ2015-02-01 无截止日期" in r.stdout
    run("profile", "prior", "ZS2022-21-02", "--done-before", "--note", "2024年已建成", data=data)
    r = run("profile", "prior", "--year", "2025", data=data)
    assert "ZS2022-21-02" not in r.stdout and "SZ2015-02-01" in r.stdout
