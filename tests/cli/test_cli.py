"""The command line in a real subprocess over a fresh data directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)


def run(*args, data=None, env_home=None, check=True):
    env = dict(os.environ)
    env.pop("FAZHI_DESK_HOME", None)
    if env_home:
        env["FAZHI_DESK_HOME"] = str(env_home)
    cmd = [sys.executable, "-m", "fazhi_desk"]
    if data:
        cmd += ["--data-dir", str(data)]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    if check:
        assert p.returncode == 0, p.stderr
    return p


def test_help_lists_the_subcommands():
    out = run("--help").stdout
    for sub in ("profile", "status", "list", "log", "catalogue", "evidence", "report"):
        assert sub in out


def test_version():
    from fazhi_desk import __version__

    assert run("--version").stdout.strip() == f"fazhi-desk {__version__}"


def test_profile_and_status_on_a_fresh_data_dir(tmp_path):
    data = tmp_path / "fresh"
    out = run("profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "张三", data=data).stdout
    assert "乾佑街道办事处" in out
    assert (data / "fazhi-desk.sqlite3").is_file()
    assert "柞水县" in run("profile", "show", data=data).stdout
    listing = run("list", "--year", "2025", data=data).stdout
    first_id = listing.splitlines()[0].split("\t")[0]
    out = run("status", first_id, "--year", "2025", "--status", "已完成", "--completed-on", "2025-12-31",
              "--owner", "李四", "--note", "=SUM(A1)",
              data=data).stdout
    assert "已完成" in out
    done = run("list", "--year", "2025", "--status", "已完成", data=data).stdout
    assert first_id in done and "共 1 项" in done
    log = run("log", "--item", first_id, data=data).stdout
    assert "状态:未开始 → 已完成" in log and "责任人: → 李四" in log


def test_env_variable_chooses_the_data_dir(tmp_path):
    home = tmp_path / "via-env"
    run("profile", "set", "--office", "某镇", env_home=home)
    assert (home / "fazhi-desk.sqlite3").is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (("status", "XX-00-00", "--year", "2025", "--status", "已完成"), "找不到检查事项"),
        (("status", "SZ2015-04-01", "--year", "2025", "--status", "好了"), "状态"),
        (("status", "SZ2015-04-01", "--year", "2025", "--status", "不适用"), "原因"),
    ],
)
def test_bad_input_is_a_chinese_message_not_a_traceback(tmp_path, args, message):
    p = run(*args, data=tmp_path / "d", check=False)
    assert p.returncode == 1
    assert message in p.stderr and "Traceback" not in p.stderr


def test_corrupt_database_is_refused_untouched(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    db = data / "fazhi-desk.sqlite3"
    db.write_bytes(b"\x00garbage" * 1000)
    p = run("list", data=data, check=False)
    assert p.returncode == 1 and "不是本程序的数据库" in p.stderr and "Traceback" not in p.stderr
    assert db.read_bytes() == b"\x00garbage" * 1000


def test_read_only_data_dir(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    data = tmp_path / "ro"
    data.mkdir()
    data.chmod(0o500)
    try:
        p = run("list", data=data, check=False)
    finally:
        data.chmod(0o700)
    assert p.returncode == 1 and "权限" in p.stderr


def test_data_dir_that_is_a_file(tmp_path):
    f = tmp_path / "not-a-dir"
    f.write_text("x")
    p = run("list", data=f, check=False)
    assert p.returncode == 1 and "数据目录" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only X11/Wayland systems need a display server")
def test_window_without_a_display_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    p = subprocess.run([sys.executable, "-m", "fazhi_desk", "--data-dir", str(tmp_path / "d")], capture_output=True,
                       text=True, encoding="utf-8", env=env, timeout=120)
    assert p.returncode == 2, p.stderr  # not Qt's abort (134)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "没有可用的图形显示" in lines[0], p.stderr
    assert not (tmp_path / "d").exists()  # nothing created


def test_binding_documents_count_in_list_and_new_documents_ask(tmp_path):
    from fazhi_desk.catalogue.schema import dump_catalogue_json
    from tests.conftest import make_catalogue

    data = tmp_path / "d"
    out = run("profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--documents", "auto",
              data=data).stdout
    assert "适用文件:ZS2022" in out
    assert "适用文件:ZS2022" in run("profile", "show", data=data).stdout
    listing = run("list", "--year", "2025", data=data).stdout.splitlines()
    ids = [ln.split("\t")[0] for ln in listing[:-1]]
    assert listing[-1] == "共 88 项" and all(i.startswith("ZS2022-") for i in ids)  # 仅供了解 and Suzhou left out
    assert "\t参加\t" in listing[0]
    everything = run("list", "--year", "2025", "--all", data=data).stdout
    assert "SZ2015-04-01" in everything and "ZS2022-09-01\t" in everything
    assert run("list", "--year", "2026", "--overdue", data=data).stdout.strip() == "共 0 项"  # the term ended
    # a document imported later: does it bind the office?
    for code, flag in (("AA2024", "--not-binding"), ("BB2024", "--binds"), ("CC2024", None)):
        f = tmp_path / f"{code}.json"
        f.write_text(dump_catalogue_json(make_catalogue(code, "1.0", 2024)), "utf-8")
        out = run("catalogue", "import", str(f), *([flag] if flag else []), data=data).stdout
        if flag == "--not-binding":
            assert "未加入适用文件" in out
        elif flag == "--binds":
            assert "已加入适用文件;适用文件:BB2024、ZS2022" in out
        else:
            assert "--binds 或 --not-binding" in out  # not asked on a pipe: told how to decide
    assert "适用文件:BB2024、ZS2022" in run("profile", "show", data=data).stdout


def test_completion_date_rule_on_the_command_line(tmp_path):
    import datetime as dt

    data = tmp_path / "dates"
    past = dt.date.today().year - 1
    first_id = run("list", "--year", str(past), data=data).stdout.splitlines()[0].split("\t")[0]

    def status(*extra):
        return run("status", first_id, "--year", str(past), *extra, data=data, check=False)

    p = status("--status", "已完成")  # a past year: the date is required, nothing is written
    assert p.returncode == 1 and "--completed-on" in p.stderr and f"{past} 年内" in p.stderr
    assert "Traceback" not in p.stderr
    assert run("log", "--item", first_id, data=data).stdout == ""
    p = status("--status", "已完成", "--completed-on", f"{past - 1}-12-31")
    assert p.returncode == 1 and f"不在 {past} 年度内" in p.stderr
    future = dt.date.today() + dt.timedelta(days=1)
    p = run("status", first_id, "--year", str(future.year), "--status", "已完成", "--completed-on",
            future.isoformat(), data=data, check=False)
    assert p.returncode == 1 and ("晚于今天" in p.stderr or "不在" in p.stderr or "没有开始" in p.stderr)
    p = status("--status", "进行中", "--completed-on", f"{past}-05-01")  # only 已完成 carries a date
    assert p.returncode == 1 and "只有“已完成”" in p.stderr
    assert run("log", "--item", first_id, data=data).stdout == ""
    assert status("--status", "已完成", "--completed-on", f"{past}-12-31").returncode == 0
    assert status("--status", "进行中").returncode == 0  # leaving 已完成 clears the date
    log = run("log", "--item", first_id, data=data).stdout
    assert f"完成日期: → {past}-12-31" in log and f"完成日期:{past}-12-31 → " in log


def test_carry_forward_can_carry_not_applicable_with_its_reason(tmp_path):
    data = tmp_path / "carry"
    ids = [line.split("\t")[0] for line in run("list", "--year", "2024", data=data).stdout.splitlines()[:2]]
    run("status", ids[0], "--year", "2024", "--status", "不适用", "--reason", "本街道非城关镇", data=data)
    run("status", ids[1], "--year", "2024", "--status", "进行中", "--owner", "李四", data=data)
    run("status", ids[0], "--year", "2025", "--owner", "王敏", data=data)  # 2025 already has a row: still 未开始
    out = run("carry-forward", "--from", "2024", "--to", "2025", "--not-applicable", data=data).stdout
    assert "不适用" in out
    listing = run("list", "--year", "2025", data=data).stdout
    assert f"{ids[0]}\t不适用" in listing and f"{ids[1]}\t未开始" in listing
    assert "本街道非城关镇(沿用 2024 年)" in run("log", "--item", ids[0], "--year", "2025", data=data).stdout
