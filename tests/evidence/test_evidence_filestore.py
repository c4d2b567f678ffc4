"""The content-addressed file store alone: put, dedupe, crash safety, check, copy out, trash."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
from pathlib import Path

import pytest

from fazhi_desk.evidence import FileStore, SourceChanged, SourceReadError, StoredFileDamaged, StoreWriteError
from fazhi_desk.evidence.filestore import LEGACY_TMP_PREFIX, os_error_text
from fazhi_desk.fileio import is_own_temp
from fazhi_desk.jobs import Cancelled, JobContext


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


class CancelAfter(JobContext):
    """Says "stop" on the n-th check: a cancel (or a crash) in the middle of a copy."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.calls = 0

    def check(self) -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise Cancelled()


class FailingReader(io.RawIOBase):
    """A source that returns some bytes and then fails like a pulled USB stick."""

    def __init__(self, data: bytes, fail_after: int) -> None:
        self._b = io.BytesIO(data)
        self._left = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001
        if self._left <= 0:
            raise OSError(errno.EIO, "Input/output error")
        self._left -= 1
        return self._b.readinto(memoryview(b)[:1024])


def final_names(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not is_own_temp(p.name)]


def assert_empty(root: Path) -> None:
    assert final_names(root) == []
    assert [p for p in root.rglob("*") if is_own_temp(p.name) or p.name.startswith(".")] == []


def test_put_stores_under_hash_and_dedupes(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    data = os.urandom(300_000)
    a = tmp_path / "会议 纪要 (第一次).pdf"
    a.write_bytes(data)
    r1 = fs.put(JobContext(), a, chunk_size=64 * 1024)
    assert r1.sha256 == sha(data) and r1.size == len(data) and r1.created
    p = fs.path(r1.sha256)
    assert p == tmp_path / "evidence" / r1.sha256[:2] / r1.sha256
    assert p.read_bytes() == data
    b = tmp_path / "copy.pdf"
    b.write_bytes(data)
    r2 = fs.put(JobContext(), b)
    assert r2.sha256 == r1.sha256 and not r2.created
    assert final_names(tmp_path / "evidence") == [p]
    assert fs.temp_files() == []
    assert list(fs.iter_shas()) == [r1.sha256]


def test_cancel_mid_copy_leaves_nothing(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(1_000_000))
    ctx = CancelAfter(5)
    with pytest.raises(Cancelled):
        fs.put(ctx, src, chunk_size=64 * 1024)
    assert ctx.calls == 5  # really stopped in the middle, after some chunks were written
    assert_empty(tmp_path / "evidence")


def test_read_error_mid_file_leaves_nothing(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    data = os.urandom(50_000)
    src = tmp_path / "scan.jpg"
    src.write_bytes(data)
    with pytest.raises(SourceReadError) as ei:
        fs.put(JobContext(), src, opener=lambda p: FailingReader(data, 10))
    assert "scan.jpg" in ei.value.message and "读写出错" in ei.value.message
    assert_empty(tmp_path / "evidence")


def test_source_truncated_during_copy_is_refused(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    src = tmp_path / "downloading.pdf"
    src.write_bytes(os.urandom(500_000))

    def cut(_k: int) -> None:  # the file is rewritten by another program while we copy
        with open(src, "r+b") as f:
            f.truncate(1000)

    with pytest.raises(SourceChanged) as ei:
        fs.put(JobContext(), src, on_bytes=cut, chunk_size=64 * 1024)
    assert "复制过程中" in ei.value.message
    assert_empty(tmp_path / "evidence")


def test_missing_directory_and_broken_link_sources(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    with pytest.raises(SourceReadError, match="不存在"):
        fs.put(JobContext(), tmp_path / "nope.pdf")
    with pytest.raises(SourceReadError, match="文件夹"):
        fs.put(JobContext(), tmp_path)
    link = tmp_path / "link.pdf"
    link.symlink_to(tmp_path / "gone.pdf")
    with pytest.raises(SourceReadError, match="失效"):
        fs.put(JobContext(), link)
    assert_empty(tmp_path / "evidence")


def test_store_that_cannot_be_written(tmp_path):
    # A file where the evidence folder should be: fails for root too (chmod would not).
    root = tmp_path / "evidence"
    root.write_bytes(b"not a folder")
    src = tmp_path / "a.pdf"
    src.write_bytes(b"x" * 100)
    with pytest.raises(StoreWriteError) as ei:
        FileStore(root).put(JobContext(), src)
    assert str(root) in ei.value.message and "无法写入" in ei.value.message


def test_disk_full_message():
    assert os_error_text(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    e = StoreWriteError("/data/evidence", OSError(errno.ENOSPC, "No space left on device"))
    assert "磁盘空间不足" in e.message and "/data/evidence" in e.message


def test_check_detects_missing_and_altered(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    srcs = []
    for i in range(3):
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(f"内容 {i}".encode() * 100)
        srcs.append(fs.put(JobContext(), p))
    fs.path(srcs[0].sha256).unlink()
    p1 = fs.path(srcs[1].sha256)
    os.chmod(p1, 0o644)
    b = bytearray(p1.read_bytes())
    b[10] ^= 1  # same size, one bit flipped
    p1.write_bytes(bytes(b))
    assert fs.check(JobContext(), srcs[0].sha256, srcs[0].size) == "missing"
    assert fs.check(JobContext(), srcs[1].sha256, srcs[1].size) == "altered"
    assert fs.check(JobContext(), srcs[2].sha256, srcs[2].size) == "ok"


def test_reattaching_replaces_a_damaged_copy(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    src = tmp_path / "a.pdf"
    src.write_bytes(b"good content" * 10)
    r = fs.put(JobContext(), src)
    p = fs.path(r.sha256)
    os.chmod(p, 0o644)
    p.write_bytes(b"bad")
    r2 = fs.put(JobContext(), src)
    assert r2.repaired and p.read_bytes() == src.read_bytes()


def test_copy_out_checks_hash(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    src = tmp_path / "a.pdf"
    src.write_bytes(b"evidence" * 1000)
    r = fs.put(JobContext(), src)
    out = fs.copy_out(JobContext(), r.sha256, tmp_path / "out" / "会议 纪要.pdf")
    assert out.read_bytes() == src.read_bytes()
    p = fs.path(r.sha256)
    os.chmod(p, 0o644)
    p.write_bytes(b"tampered" * 1000)
    with pytest.raises(StoredFileDamaged, match="已被改动"):
        fs.copy_out(JobContext(), r.sha256, tmp_path / "out" / "again.pdf")
    assert not (tmp_path / "out" / "again.pdf").exists()
    assert [q.name for q in (tmp_path / "out").iterdir()] == ["会议 纪要.pdf"]


def test_trash_purge_and_stale_temps(tmp_path):
    fs = FileStore(tmp_path / "evidence")
    src = tmp_path / "a.pdf"
    src.write_bytes(b"old" * 10)
    r = fs.put(JobContext(), src)
    t = fs.trash(r.sha256, today=dt.date(2024, 1, 1))
    assert t is not None and t.exists() and not fs.exists(r.sha256)
    assert list(fs.iter_shas()) == []
    assert fs.purge_trash(30, today=dt.date(2024, 1, 20)) == 0
    assert fs.purge_trash(30, today=dt.date(2024, 3, 1)) == 1
    assert not t.exists()
    stale = fs.root / (LEGACY_TMP_PREFIX + "crashed")  # the name earlier versions used
    stale.write_bytes(b"half")
    assert fs.clean_temps(older_than=3600) == 0
    os.utime(stale, (1, 1))
    assert fs.clean_temps(older_than=3600) == 1 and not stale.exists()
