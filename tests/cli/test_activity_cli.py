"""``fazhi-desk activity add|list|remove`` and ``show`` in a real subprocess, exactly as scripts call them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cli.test_cli import run
from tests.conftest import bundled_data_dir

STUDY = "SZ2015-04-01"


@pytest.mark.system
def test_add_list_show_and_remove(tmp_path, templates):
    data = bundled_data_dir(templates, tmp_path / "data").root
    year = dt.date.today().year - 1
    sign = tmp_path / "签到表.pdf"
    sign.write_bytes(b"%PDF-1.4 sign-in")
    out = run("activity", "add", STUDY.lower(), "--year", str(year), "--date", f"{year}-03-18",
              "--title", "学习宪法", "--people", "班子成员", str(sign), data=data).stdout
    assert "已登记活动" in out and f"{STUDY} {year} 年实际值:1 / 4 次" in out
    run("activity", "add", STUDY, "--year", str(year), "--date", f"{year}-06-18", "--title", "学习民法典", data=data)

    lines = run("activity", "list", STUDY, "--year", str(year), data=data).stdout.splitlines()
    first, second = lines[0].split("\t"), lines[1].split("\t")
    assert first[1:3] == [f"{year}-03-18", "学习宪法"] and first[0].isdigit()
    assert "佐证 1 个" in lines[0]
    assert second[1:3] == [f"{year}-06-18", "学习民法典"]
    assert lines[-1] == "合计:2 / 4 次"

    show = run("show", STUDY, "--year", str(year), data=data).stdout
    assert "活动记录:2 次" in show and f"{year}-06-18 学习民法典" in show

    refused = run("activity", "remove", second[0], data=data, check=False)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    out = run("activity", "remove", second[0], "--yes", data=data).stdout
    assert "已删除活动" in out and "1 / 4 次" in out
    log = run("log", "--item", STUDY, data=data).stdout
    assert "学习民法典" in log and "已删除" in log

    bad = run("activity", "add", STUDY, "--year", str(year), "--date", f"{year + 5}-01-01", "--title", "x",
              data=data, check=False)
    assert bad.returncode == 1 and "不在" in (bad.stdout + bad.stderr) and "Traceback" not in bad.stderr
    typed = run("status", STUDY, "--year", str(year), "--actual", "4", data=data, check=False)
    assert typed.returncode == 1 and "实际值按活动记录自动统计" in (typed.stdout + typed.stderr)
