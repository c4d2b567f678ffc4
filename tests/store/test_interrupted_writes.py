"""Interrupted writes (issue 18 §5, §6): temp files of killed runs are ours and removed; report and package pair up.

Real ``kill -9`` of ``evidence add``, ``report`` and ``catalogue export`` while
they write; the next run of the same command (and the start-up, for the data
directory) removes what they left; no file name starts with a dot; a report is
never newer than the evidence package beside it, and names it by export id.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fazhi_desk.paths import DataDir
from tests.faultkit import cli, cli_args, kill9, start, wait_for, wait_paused

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

ITEM = "SZ2015-04-01"
YEAR = "2026"
BIG = 160 << 20


def _ours(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".~fazhi-desk-" in p.name]


def _dotted(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if p.name != ".trash"]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("src") / "会议录像.mp4"
    with open(p, "wb") as f:
        for _ in range(BIG >> 20):
            f.write(os.urandom(1 << 20))
    return p


@pytest.fixture
def data(tmp_path) -> DataDir:
    d = DataDir(tmp_path / "d")
    r = cli(d.root, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "王敏")
    assert r.returncode == 0, r.stderr
    return d


def _kill_when(argv: list[str], cwd: Path, seen) -> bool:  # noqa: ANN001
    """Start the command, SIGKILL it the moment ``seen()`` is true; False if it finished first."""
    p = start(argv, cwd)
    caught = wait_for(lambda: seen() or p.poll() is not None, timeout=120, step=0.0005) and p.poll() is None
    kill9(p)
    return caught


def test_killed_evidence_add_leaves_a_temp_that_the_next_start_removes(data, big_file, tmp_path):
    argv = cli_args(data.root, "evidence", "add", ITEM, "--year", YEAR, str(big_file))
    assert _kill_when(argv, tmp_path, lambda: data.evidence.is_dir() and bool(_ours(data.evidence)))
    left = _ours(data.evidence)
    assert left and not any(p.name.startswith(".") for p in left)
    assert cli(data.root, "list", "--year", YEAR).returncode == 0  # any start-up for the data directory
    assert _ours(data.evidence) == []
    # and the next run of the same command
    assert _kill_when(argv, tmp_path, lambda: bool(_ours(data.evidence)))
    r = cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(big_file))
    assert r.returncode == 0, r.stderr
    assert _ours(data.evidence) == [] and _dotted(data.root) == []


def test_killed_report_leaves_temps_that_the_next_report_removes(data, big_file, tmp_path):
    assert cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(big_file)).returncode == 0
    out = tmp_path / "报送"
    out.mkdir()
    report, package = out / "年度报告.xlsx", out / "佐证材料.zip"
    argv = cli_args(data.root, "report", "--year", YEAR, "--out", report, "--evidence-zip", package)
    assert _kill_when(argv, tmp_path, lambda: bool(_ours(out)))
    assert _ours(out) and not report.exists() and not package.exists()
    r = cli(data.root, "report", "--year", YEAR, "--out", report, "--evidence-zip", package)
    assert r.returncode == 0, r.stderr
    assert _ours(out) == [] and _dotted(out) == []
    assert report.exists() and package.exists()


def test_killed_catalogue_export_leaves_a_temp_that_the_next_export_removes(data, tmp_path):
    out = tmp_path / "模板"
    out.mkdir()
    target = out / "目录模板.xlsx"
    argv = cli_args(data.root, "catalogue", "export", target)
    p = start(argv, tmp_path, pause="catalogue.template.written")  # written to its temp, not yet renamed
    assert wait_paused(p), p.communicate()
    kill9(p)
    assert _ours(out) and not target.exists() and not any(p.name.startswith(".") for p in out.iterdir())
    assert cli(data.root, "catalogue", "export", target).returncode == 0
    assert _ours(out) == [] and target.exists()


def _report_id(path: Path) -> str | None:
    """The export id the report's 汇总 sheet gives (…;导出编号 <id>)."""
    import re

    ws = openpyxl.load_workbook(path, read_only=True)["汇总"]
    for row in ws.iter_rows(values_only=True):
        for v in row or ():
            m = re.search(r"导出编号 ([0-9A-F-]+)", str(v or ""))
            if m:
                return m.group(1)
    return None


def _zip_id(path: Path) -> str | None:
    with zipfile.ZipFile(path) as z:
        comment = z.comment.decode("utf-8")
    return comment.rsplit(" ", 1)[-1] if comment else None


def test_report_is_never_newer_than_its_package(data, big_file, tmp_path):
    assert cli(data.root, "evidence", "add", ITEM, "--year", YEAR, str(big_file)).returncode == 0
    out = tmp_path / "报送"
    out.mkdir()
    report, package = out / "年度报告.xlsx", out / "佐证材料.zip"
    r = cli(data.root, "report", "--year", YEAR, "--out", report, "--evidence-zip", package)
    assert r.returncode == 0, r.stderr
    first = _report_id(report)
    assert first and first == _zip_id(package)  # the pair names one export id
    argv = cli_args(data.root, "report", "--year", YEAR, "--out", report, "--evidence-zip", package)
    for attempt in range(5):  # targeted: kill the moment the report is replaced
        old_report = report.stat().st_ino
        _kill_when(argv, tmp_path, lambda: report.stat().st_ino != old_report)
        rid, zid = _report_id(report), _zip_id(package)
        assert rid == zid, f"attempt {attempt}: report {rid} beside package {zid}"
