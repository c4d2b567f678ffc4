"""The self-test run in-process from the source tree: every check passes, and a missing catalogue is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from fazhi_desk.cli import selftest


def test_self_test_passes_from_source(capsys, qapp):
    status = selftest.self_test()
    out = capsys.readouterr().out
    assert status == 0, out
    lines = [ln for ln in out.splitlines() if ln.startswith(("✓", "✗"))]
    assert len(lines) == len(selftest.CHECKS), out
    assert all(ln.startswith("✓") for ln in lines), out
    assert "自检通过 / self-test passed" in out


def test_missing_catalogues_fail_clearly_and_the_rest_still_runs(capsys, qapp, tmp_path, monkeypatch):
    empty = tmp_path / "resources"
    (empty / "catalogues").mkdir(parents=True)
    (empty / "icons").mkdir()
    src_icon = Path(selftest.__file__).resolve().parents[2] / "resources" / "icons" / "fazhi-desk.png"
    (empty / "icons" / "fazhi-desk.png").write_bytes(src_icon.read_bytes())
    monkeypatch.setattr("fazhi_desk.paths._resources_root", lambda: empty)

    results = selftest.run_checks()
    out = capsys.readouterr().out

    by_title = {r.title: r for r in results}
    cat = by_title["内置检查目录 / bundled catalogues"]
    assert not cat.ok
    assert "没有内置检查目录" in cat.detail and str(empty / "catalogues") in cat.detail
    # The store checks still ran on a stand-in item.
    assert by_title["事项状态 / item status"].ok, out
    assert by_title["年度报告写入与读回 / annual report write and read back"].ok, out
    assert "自检未通过 / self-test FAILED" in out
    assert selftest.self_test() == 1


def test_a_broken_check_is_a_cross_not_a_crash(capsys, monkeypatch):
    def boom(st):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(selftest, "CHECKS", (("迁移 / migrations", selftest.check_migrations), ("坏 / broken", boom)))
    results = selftest.run_checks()
    out = capsys.readouterr().out
    assert [r.ok for r in results] == [True, False]
    assert "✗ 坏 / broken:RuntimeError: disk on fire" in out


@pytest.mark.parametrize("version, expected", [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0rc1", (2, 0, 1, 0))])
def test_spec_version_tuple(version, expected):
    """build.spec turns __version__ into the 4-part Windows file version."""
    import re

    spec = (Path(selftest.__file__).resolve().parents[2] / "build.spec").read_text("utf-8")
    src = re.search(r"def _version_tuple\(version\):\n(    .*\n)+", spec).group(0)
    ns: dict = {"re": re}
    exec(src, ns)
    assert ns["_version_tuple"](version) == expected
