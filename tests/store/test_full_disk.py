"""A full disk is a message, never a crash (issue 18 §3), on a real full ext4 (loop device) and tmpfs.

SQLite in WAL mode memory-maps its index (-shm); on a full ext4 a commit died of
SIGBUS (exit 135). The store now keeps the WAL index in heap memory (exclusive
locking): every write on the full disk ends in a Chinese message saying the disk
is full, how much room is needed and that nothing changed; the log gets the
record first, or the message says it could not.
"""

from __future__ import annotations

import json
import signal

import pytest

from fazhi_desk.paths import DataDir, resource_path
from tests.faultkit import cli, fill, free_space, mounted

pytestmark = pytest.mark.system  # a separate process of the program (see pyproject.toml)

ITEM = "SZ2015-04-01"
YEAR = "2026"


def _catalogue_update(tmp_path):  # noqa: ANN001, ANN202
    """A revised version of a bundled catalogue (one requirement reworded), as a county would send it."""
    doc = json.loads(resource_path("catalogues", "SZ2015.json").read_text(encoding="utf-8"))
    doc["document"]["version"] = "9.0"
    doc["items"][0]["requirement"] += "(修订)"
    p = tmp_path / "新目录.json"
    p.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("kind", ["ext4", "tmpfs"])
def test_every_write_on_a_full_disk_is_a_message_and_changes_nothing(tmp_path, kind):
    outside = tmp_path / "outside"
    outside.mkdir()
    new_catalogue = _catalogue_update(outside)
    scan = outside / "签到表.pdf"
    scan.write_bytes(b"%PDF scan " * 20000)
    with mounted(kind, tmp_path / "mnt", 24) as root:
        data = DataDir(root / "d")
        r = cli(data.root, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "王敏")
        assert r.returncode == 0, r.stderr
        assert cli(data.root, "status", ITEM, "--year", YEAR, "--note", "满盘之前").returncode == 0
        fill(root)
        writes = [
            ["profile", "set", "--office", "满盘时改名"],
            ["status", ITEM, "--year", YEAR, "--status", "已完成", "--note", "满盘时写入"],
            ["evidence", "add", ITEM, "--year", YEAR, str(scan)],
            ["catalogue", "import", str(new_catalogue)],
        ]
        for args in writes:
            r = cli(data.root, *args)
            said = r.stdout + r.stderr
            assert r.returncode != -signal.SIGBUS and r.returncode != 135, (args, "SIGBUS")
            assert r.returncode == 1, (args, r.returncode, said)
            assert "磁盘空间不足" in said and "至少腾出" in said and "没有改动" in said, (args, said)
            assert "程序内部错误" not in said and "Traceback" not in said and "Logging error" not in said, said
            log = data.logs / "fazhi-desk.log"
            assert "日志也未能写入" in said or "refused" in log.read_text(encoding="utf-8"), said
        free_space(root)
        shown = cli(data.root, "profile", "show")
        assert shown.returncode == 0 and "乾佑街道办事处" in shown.stdout and "满盘时改名" not in shown.stdout
        listed = cli(data.root, "evidence", "list", ITEM, "--year", YEAR)
        assert "签到表.pdf" not in listed.stdout
        versions = cli(data.root, "catalogue", "versions")
        assert "9.0" not in versions.stdout
        r = cli(data.root, "status", ITEM, "--year", YEAR, "--note", "腾出空间后")
        assert r.returncode == 0, r.stderr  # and everything works again once there is room


@pytest.mark.parametrize("room_kb", [0, 48])
def test_no_sigbus_when_the_disk_fills_under_the_wal_index(tmp_path, room_kb):
    """The reproduction: a nearly full ext4 (a few blocks left) killed ``status`` with SIGBUS (exit 135)."""
    with mounted("ext4", tmp_path / "mnt", 24) as root:
        data = DataDir(root / "d")
        r = cli(data.root, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县", "--contact", "王敏")
        assert r.returncode == 0, r.stderr
        reserve = root / "reserve"
        reserve.write_bytes(b"\0" * (room_kb << 10))
        fill(root)
        reserve.unlink()
        for n in range(3):
            for args in (["status", ITEM, "--year", YEAR, "--status", "进行中", "--note", f"第{n}次"],
                         ["profile", "set", "--office", f"乾佑街道办事处{n}"]):
                r = cli(data.root, *args)
                assert r.returncode not in (-signal.SIGBUS, 135), (args, "SIGBUS")
                assert r.returncode in (0, 1), (args, r.returncode, r.stderr)
                if r.returncode == 1:
                    assert "磁盘空间不足" in r.stderr and "没有改动" in r.stderr, r.stderr
        free_space(root)
        assert cli(data.root, "list", "--year", YEAR).returncode == 0
