"""A full disk during backup and restore (a real 4 MiB tmpfs): a message saying what to free, nothing changed."""

from __future__ import annotations

import shutil
import subprocess
from collections import namedtuple

import pytest

from fazhi_desk.backup import NotEnoughSpace, create_backup, restore_backup
from fazhi_desk.backup import archive, restore
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

from .helpers import make_workspace, state, temp_leftovers

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)


@pytest.fixture
def small_disk(tmp_path):
    d = tmp_path / "small-disk"
    d.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(d)], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.decode(errors='replace').strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", "-l", str(d)], check=False)


def _lie_about_free_space(monkeypatch):
    """Let the up-front space check pass so the write really runs into ENOSPC."""
    Usage = namedtuple("Usage", "total used free")
    monkeypatch.setattr(archive.shutil, "disk_usage", lambda _p: Usage(1 << 40, 0, 1 << 40))
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: Usage(1 << 40, 0, 1 << 40))


@pytest.fixture
def big_ws(tmp_path) -> DataDir:
    return make_workspace(tmp_path / "big", n_files=24, seed=11, file_size=300_000)  # ~7 MB of evidence


@pytest.mark.parametrize("lie", [False, True], ids=["refused-up-front", "real-ENOSPC"])
def test_backup_onto_a_full_disk(big_ws, small_disk, monkeypatch, lie):
    before = state(big_ws)
    if lie:
        _lie_about_free_space(monkeypatch)
    with pytest.raises(NotEnoughSpace) as e:
        create_backup(JobContext(), big_ws, small_disk / "备份.fzbak")
    text = str(e.value)
    assert "空间不足" in text and "没有留下不完整的文件" in text
    if not lie:
        assert "请至少腾出" in text and "MB" in text
    assert list(small_disk.iterdir()) == []
    assert state(big_ws) == before
    assert temp_leftovers(big_ws.backups) == []


@pytest.mark.parametrize("lie", [False, True], ids=["refused-up-front", "real-ENOSPC"])
def test_restore_onto_a_full_disk_leaves_the_workspace_untouched(big_ws, small_disk, tmp_path, monkeypatch, lie):
    backup = create_backup(JobContext(), big_ws, tmp_path / "big.fzbak").path
    target = make_workspace(small_disk / "data", n_files=2, seed=3, office="营盘镇")
    before = state(target)
    names = sorted(p.name for p in target.root.iterdir())
    if lie:
        _lie_about_free_space(monkeypatch)
    with pytest.raises(NotEnoughSpace) as e:
        restore_backup(JobContext(), target, backup)
    text = str(e.value)
    assert "空间不足" in text or "磁盘只有" in text
    assert "没有改动" in text or "没有任何改动" in text
    assert state(target) == before
    assert sorted(p.name for p in target.root.iterdir()) == names
    assert temp_leftovers(target.root, target.backups) == []
    assert restore is not None


def test_the_rough_space_check_of_a_server_desk_counts_the_shared_evidence_not_the_old_local_database(tmp_path):
    data = DataDir(tmp_path / "desk")
    data.root.mkdir()
    data.db.write_bytes(b"\0" * (2 << 20))  # the local database a desk on a server no longer uses
    (data.evidence / "ab").mkdir(parents=True)
    (data.evidence / "ab" / "local").write_bytes(b"x" * 5000)
    shared = tmp_path / "shared"
    (shared / "cd").mkdir(parents=True)
    (shared / "cd" / "one").write_bytes(b"y" * 10_000)
    assert archive.estimate_size(data) == (2 << 20) + 5000
    assert archive.estimate_size(data, True, shared) == 10_000
    assert archive.estimate_size(data, False, shared) == 0
