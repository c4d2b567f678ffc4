"""Messages that say what happened (issue 23 §3): a full data disk, a FAT32 stick's file size limit, a read-only
backups folder, temps a killed run left in an --out folder, and no ZipFile traceback after the message."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap

import pytest

from fazhi_desk.backup import create_backup, verify_backup
from fazhi_desk.backup.auto import auto_backup
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from tests.faultkit import cli, env

from .helpers import make_workspace

pytestmark = pytest.mark.system  # mounts and separate processes of the program


def _mount(d, size: str = "4m"):
    d.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(d)], capture_output=True)
    if p.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs here: {p.stderr.decode(errors='replace').strip()}")


@pytest.fixture
def mounts():
    done = []
    yield lambda d, size="4m": (_mount(d, size), done.append(d))
    for d in reversed(done):
        subprocess.run(["umount", "-l", str(d)], check=False)


def _fill(folder) -> None:
    """Take every free byte of the disk ``folder`` is on."""
    with open(folder / "filler.bin", "wb") as f:
        try:
            while True:
                f.write(b"\0" * (64 << 10))
                f.flush()
        except OSError:
            pass


def test_backup_to_a_stick_while_the_data_disk_is_full_works_or_says_so(tmp_path, mounts):
    disk = tmp_path / "data-disk"
    mounts(disk, "16m")
    ws = make_workspace(disk / "data", n_files=3)
    _fill(disk)
    out = tmp_path / "U盘"
    out.mkdir()
    r = cli(ws.root, "backup", "create", "--out", str(out / "备份.fzbak"), timeout=120)
    assert "disk I/O error" not in r.stderr and "联系技术支持" not in r.stderr, r.stderr
    assert r.returncode == 0, r.stderr
    assert verify_backup(JobContext(), out / "备份.fzbak").manifest.counts.evidence_files == 3
    assert [n for n in os.listdir(out) if n.startswith("~fzbak-")] == []


def test_a_fat32_sticks_4_gb_limit_is_named_with_what_to_do(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=8, file_size=300_000)
    out = tmp_path / "U盘"
    out.mkdir()
    limit = 1 << 20  # the backup (~2.4 MB) is larger than one file may be, the database copy is not

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    r = cli(ws.root, "backup", "create", "--out", str(out / "备份.fzbak"), preexec=small_files, timeout=120)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "File too large" not in r.stderr and "程序内部错误" not in r.stderr, r.stderr
    assert "单个文件" in r.stderr and "exFAT" in r.stderr and "另选" in r.stderr, r.stderr
    assert os.listdir(out) == []


def test_a_read_only_backups_folder_is_named_before_an_import(tmp_path, mounts):
    ws = make_workspace(tmp_path / "data", n_files=1)
    for p in ws.backups.iterdir():
        p.unlink()
    mounts(ws.backups, "64m")
    subprocess.run(["mount", "-o", "remount,ro", str(ws.backups)], check=True)
    with pytest.raises(UserError) as e:
        auto_backup(JobContext(), ws, "before-import")
    text = str(e.value)
    assert "无法读取数据库" not in text and "技术支持" not in text, text
    assert str(ws.backups) in text and "只读" in text, text


def test_the_next_run_removes_what_a_killed_backup_left_in_the_out_folder(tmp_path):
    ws = make_workspace(tmp_path / "data", n_files=2)
    out = tmp_path / "U盘"
    out.mkdir()
    code = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        from fazhi_desk.backup import archive
        from fazhi_desk.jobs import JobContext
        from fazhi_desk.paths import DataDir
        real = archive._zipinfo
        def stop(name, size, when):
            if name.startswith("evidence/"):
                os._exit(9)  # killed half-way through the evidence
            return real(name, size, when)
        archive._zipinfo = stop
        archive.create_backup(JobContext(), DataDir(Path({str(ws.root)!r})), Path({str(out)!r}))
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=120)
    assert p.returncode == 9, p.stderr
    left = [n for n in os.listdir(out) if n.startswith("~fzbak-")]
    assert left  # the killed run's temp, as a kill leaves it
    create_backup(JobContext(), ws, out)
    assert [n for n in os.listdir(out) if n.startswith("~fzbak-")] == []


def test_no_zipfile_traceback_follows_the_message_at_0_bytes_free(tmp_path, mounts):
    ws = make_workspace(tmp_path / "data", n_files=6, file_size=300_000)
    stick = tmp_path / "U盘"
    mounts(stick, "1m")
    code = textwrap.dedent(f"""
        import shutil, sys
        from collections import namedtuple
        from fazhi_desk.backup import archive
        Usage = namedtuple("Usage", "total used free")
        archive.shutil.disk_usage = lambda _p: Usage(1 << 40, 0, 1 << 40)  # the stick claims room it lacks
        from fazhi_desk.cli import run
        sys.exit(run(["--data-dir", {str(ws.root)!r}, "backup", "create", "--out", {str(stick / "b.fzbak")!r}]))
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=120)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "空间不足" in p.stderr, p.stderr
    assert "Exception ignored" not in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert [n for n in os.listdir(stick) if n != "lost+found"] == []
    assert DataDir(ws.root).db.is_file()
