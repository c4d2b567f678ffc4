"""A desk killed (SIGKILL) in the middle of writing loses no acknowledged write of another desk, and its own
transaction in flight is all or nothing; a server stopped hard and started again loses nothing acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from fazhi_desk.services.checklist import set_fields
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Assessment, ChangeLog
from tests.pg_fixtures import PgServer, find_bin_dir

pytestmark = [pytest.mark.system, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
WRITER = r"""
import sys, datetime as dt
from fazhi_desk.store.db import Store
from fazhi_desk.services.checklist import set_fields
store = Store(sys.argv[1], sys.argv[2]).open()
n = 0
while True:
    n += 1
    set_fields(store, "TT2020-01-01", 2025, {"note": f"killed-{n}", "owner": f"owner-{n}"}, user="被终止的电脑",
               today=dt.date(2025, 12, 1))
    print(f"ok {n}", flush=True)
"""


@pytest.fixture
def own_server():
    if find_bin_dir() is None:
        pytest.skip("no PostgreSQL server programs")
    server = PgServer(find_bin_dir(), Path(tempfile.mkdtemp(prefix="fazhi-pg-kill-", dir="/tmp"))).start()
    yield server
    server.stop()


def test_a_desk_killed_mid_write_loses_nothing_of_the_other_and_nothing_acknowledged(own_server, tmp_path):
    from fazhi_desk.services.catalogue import install_new_document
    from tests.conftest import make_catalogue

    url = own_server.url(own_server.create_database())
    mine = Store(url, tmp_path / "ev").open()
    with mine.transaction() as s:
        install_new_document(s, make_catalogue(), source_file="test")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", WRITER, url, str(tmp_path / "ev")], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    acked_mine = 0
    try:
        first = child.stdout.readline()
        assert first.startswith("ok"), child.stderr.read()
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            acked_mine += 1
            set_fields(mine, "TT2020-01-02", YEAR, {"note": f"mine-{acked_mine}"}, user="这台电脑")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        acked_child = sum(1 for line in [first, *child.stdout.read().splitlines()] if line.startswith("ok"))
    finally:
        if child.poll() is None:
            child.kill()
    assert acked_child >= 1 and acked_mine >= 1

    def check(store: Store) -> None:
        with store.session() as s:
            notes = list(s.scalars(select(ChangeLog.new_value).where(ChangeLog.user == "这台电脑",
                                                                     ChangeLog.field == "note")
                                   .order_by(ChangeLog.id)))
            assert notes == [f"mine-{i}" for i in range(1, acked_mine + 1)]
            theirs = list(s.scalars(select(ChangeLog.new_value).where(ChangeLog.user == "被终止的电脑",
                                                                      ChangeLog.field == "note")
                                    .order_by(ChangeLog.id)))
            assert len(theirs) in (acked_child, acked_child + 1)  # the write in flight: all of it, or nothing
            a = s.scalar(select(Assessment).where(Assessment.item_id == "TT2020-01-01", Assessment.year == YEAR))
            n = len(theirs)
            assert (a.note, a.owner) == (f"killed-{n}", f"owner-{n}")  # both fields of one write, never half

    check(mine)
    own_server.stop_server("immediate")  # as if the server lost power
    own_server.start_server()
    check(mine)  # the same Store: its pool meets the restarted server without a restart of the desk
    set_fields(mine, "TT2020-01-02", YEAR, {"note": "after the restart"}, user="这台电脑")
    mine.close()
