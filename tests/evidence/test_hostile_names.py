"""Evidence files whose name or kind would deceive: a right-to-left override, a FIFO in a dropped folder."""

from __future__ import annotations

import os

import pytest

from fazhi_desk.jobs import JobContext
from fazhi_desk.services.evidence import attach, list_evidence
from tests.reports.conftest import add_evidence

ITEM, YEAR = "TT2020-01-01", 2025


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_a_dropped_folder_is_skipped_by_name_not_called_empty(small_store, tmp_path):
    folder = tmp_path / "材料"
    folder.mkdir()
    (folder / "通知.pdf").write_bytes(b"%PDF-1.4 real")
    os.mkfifo(folder / "管道")
    res = attach(JobContext(), small_store, ITEM, YEAR, [folder])
    assert [a.original_name for a in res.added] == ["通知.pdf"]
    (fail,) = res.failed
    assert fail.source.endswith("管道") and "不是普通文件" in fail.reason and "为空" not in fail.reason
    assert "管道" in res.text() and "不是普通文件" in res.text()


def test_a_right_to_left_override_is_shown_visibly(small_store, tmp_path):
    src = tmp_path / "\u202efdp.exe"
    src.write_bytes(b"MZ pretending to be a pdf")
    res = attach(JobContext(), small_store, ITEM, YEAR, [src])
    assert [a.original_name for a in res.added] == ["[U+202E]fdp.exe"]
    add_evidence(small_store, ITEM, YEAR, "\u202egpj.scr", b"an older row, stored raw")
    names = sorted(e.original_name for e in list_evidence(small_store, ITEM, YEAR))
    assert names == ["[U+202E]fdp.exe", "[U+202E]gpj.scr"]
    assert all("\u202e" not in n for n in names)
