"""The private server fixture: without the server programs the server tests skip on a developer machine
and FAIL in CI (FAZHI_DESK_REQUIRE_POSTGRES=1), with a message saying what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.system  # runs pytest in a separate process

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/store/test_postgres.py::test_a_newer_schema_is_refused_and_left_alone"


def _pytest(tmp_path, **env: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    e = {k: v for k, v in os.environ.items() if k != "FAZHI_DESK_REQUIRE_POSTGRES"}
    e.update(env, PG_BIN_DIR=str(tmp_path / "no-postgresql"))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", TEST],
                          cwd=ROOT, env=e, capture_output=True, text=True, timeout=300)


def test_without_the_server_programs_the_server_tests_skip_here_and_fail_in_ci(tmp_path):
    here = _pytest(tmp_path)
    assert here.returncode == 0 and "1 skipped" in here.stdout and "apt-get install postgresql" in here.stdout
    ci = _pytest(tmp_path, FAZHI_DESK_REQUIRE_POSTGRES="1")
    assert ci.returncode != 0 and "FAZHI_DESK_REQUIRE_POSTGRES is set" in ci.stdout
    assert "apt-get install postgresql" in ci.stdout
