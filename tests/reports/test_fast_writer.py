"""The fast row writer (reports/xlsx.py) against plain openpyxl and python-calamine: awkward text,
the collector pause around a report, and a write error inside the compressing thread."""

from __future__ import annotations

import gc
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from fazhi_desk.jobs import Cancelled, JobContext, gc_paused
from fazhi_desk.reports.annual import SHEET_EVIDENCE
from fazhi_desk.reports.workbook import write_report
from fazhi_desk.reports.xlsx import _Pipe
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.report import load_report_data
from tests.reports.conftest import TODAY, YEAR, add_evidence

AWKWARD = [
    "  两个前导空格",
    "末尾空格  ",
    "A&B <会议> 纪要 > 通知",
    "第一行\r\n第二行\n第三行",
    "\t制表符开头",
    "含\x07控制字符",
    "\x01=SUM(1,2)",
    "+86 0914",
    " ",
    "𠀀扩展B区汉字😀",
]


@pytest.fixture
def awkward(seeded):
    st = seeded.store
    for n, text in enumerate(AWKWARD):
        add_evidence(st, "TT2020-03-01", YEAR, f"文件{n}.txt", f"content {n}".encode(), description=text)
    set_fields(st, "TT2020-03-01", YEAR, {"note": "  前导空格的说明 & <标记>\n第二行  "})
    return load_report_data(st, YEAR, TODAY)


def test_awkward_text_is_written_as_plain_openpyxl_writes_it(awkward, tmp_path):
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    write_report(JobContext(), awkward, fast)
    write_report(JobContext(), awkward, plain, fast=False)
    a, b = openpyxl.load_workbook(fast), openpyxl.load_workbook(plain)
    for name in a.sheetnames:
        for rx, ry in zip(a[name].iter_rows(), b[name].iter_rows(), strict=True):
            for cx, cy in zip(rx, ry, strict=True):
                assert (cx.value, cx.data_type, cx.quotePrefix) == (cy.value, cy.data_type, cy.quotePrefix), \
                    (name, cx.coordinate)
    got = {c.value for row in a[SHEET_EVIDENCE].iter_rows() for c in row}
    assert {"  两个前导空格", "末尾空格  ", "A&B <会议> 纪要 > 通知", "\t制表符开头", "含控制字符", "=SUM(1,2)",
            "+86 0914", " ", "𠀀扩展B区汉字😀"} <= got
    # the line breaks survive, the CR as written (openpyxl keeps it)
    assert any(isinstance(v, str) and v.startswith("第一行") and v.endswith("第二行\n第三行") for v in got)
    cw = CalamineWorkbook.from_path(str(fast)).get_sheet_by_name(SHEET_EVIDENCE).to_python()
    assert {"  两个前导空格", "末尾空格  ", "A&B <会议> 纪要 > 通知", "=SUM(1,2)"} <= {v for r in cw for v in r}


def test_the_collector_runs_again_after_a_report_even_a_failed_one(awkward, tmp_path):
    assert gc.isenabled()
    write_report(JobContext(), awkward, tmp_path / "ok.xlsx")
    assert gc.isenabled()
    ctx = JobContext()
    ctx.cancel()
    with pytest.raises(Cancelled):
        write_report(ctx, awkward, tmp_path / "cancelled.xlsx")
    assert gc.isenabled()
    assert not (tmp_path / "cancelled.xlsx").exists()


def test_nested_pauses_end_with_the_outer_one():
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()


class _Full:
    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> None:
        if self.written > 10:
            raise OSError(28, "No space left on device")
        self.written += len(data)


def test_a_write_error_in_the_compressing_thread_reaches_the_writer():
    pipe = _Pipe(_Full())
    with pytest.raises(OSError) as e:
        for _ in range(1000):
            pipe.put(b"0123456789abcdef")
        pipe.close()
    assert e.value.errno == 28
    pipe.close(raise_error=False)


def test_a_cancel_between_chunks_leaves_no_file(seeded, tmp_path):
    data = load_report_data(seeded.store, YEAR, TODAY)
    calls = {"n": 0}

    class CancelLater(JobContext):
        def check(self) -> None:
            calls["n"] += 1
            if calls["n"] > 2:
                self.cancel()
            super().check()

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        write_report(CancelLater(), data, out / "x.xlsx")
    assert calls["n"] > 2  # cancelled inside the save (rows being written), not at the first check
    assert list(out.iterdir()) == []
    assert gc.isenabled()


def test_the_workbook_is_a_valid_zip_with_deflated_members(awkward, tmp_path):
    out = tmp_path / "r.xlsx"
    write_report(JobContext(), awkward, out)
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
