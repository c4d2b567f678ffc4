"""A private PostgreSQL server for the tests, and stores on it.

The server is Debian's ``postgresql`` package run by hand: ``initdb`` and ``pg_ctl`` from
``/usr/lib/postgresql/<v>/bin`` as the ``postgres`` user (``runuser -u postgres --`` when the tests
run as root; initdb refuses root), data and socket in a temp directory, a free port on 127.0.0.1.
It starts once per session (about a second) and is stopped at the end.

Where the binaries are missing, tests marked ``postgres`` are skipped on a developer machine and
FAIL in CI (``FAZHI_DESK_REQUIRE_POSTGRES=1``, set by ``.ci/run``), so a CI without the server
never passes quietly.

Each store gets its own database, copied from a template database built once per session
(``CREATE DATABASE … TEMPLATE``), as the SQLite fixtures copy a template file.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import pytest

REQUIRE_ENV = "FAZHI_DESK_REQUIRE_POSTGRES"
USER = "desk"
PASSWORD = "desk-test-pw"


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<v>/bin`` holding initdb and pg_ctl (or PG_BIN_DIR)."""
    env = os.environ.get("PG_BIN_DIR")
    if env:  # told where: only there (a folder without initdb means the server is missing)
        return Path(env) if (Path(env) / "initdb").exists() else None
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One private server: ``start()``, ``url(db)``, ``create_database()``, ``stop()``."""

    def __init__(self, bin_dir: Path, root: Path, *, durable: bool = False) -> None:
        self.durable = durable  # fsync on (a bench's figures); tests run without it
        self.bin = bin_dir
        self.root = root
        self.data = root / "data"
        self.sock = root / "sock"
        self.port = _free_port()
        self._n = itertools.count(1)
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout)

    def start(self) -> "PgServer":
        self.root.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        if self._as_postgres:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres")
            shutil.chown(self.sock, "postgres")
            p = self.root
            while p != p.parent:  # the postgres user must traverse every parent
                p = p.parent
                try:
                    os.chmod(p, os.stat(p).st_mode | 0o001)
                except OSError:
                    pass
        if not (self.data / "PG_VERSION").exists():
            r = self._run(self.bin / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                          "-E", "UTF8", "--locale=C", "--no-sync", check=False)
            if r.returncode:
                raise RuntimeError(f"initdb failed: {r.stderr or r.stdout}")
            # password logins over TCP (what a desk uses), trust on the socket (what the fixture uses)
            hba = "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
            (self.data / "pg_hba.conf").write_text(hba)
            if self._as_postgres:
                shutil.chown(self.data / "pg_hba.conf", "postgres")
        self.start_server()
        self.psql(f"CREATE ROLE {USER} LOGIN CREATEDB PASSWORD '{PASSWORD}'")
        return self

    def start_server(self) -> None:
        fast = "" if self.durable else "-c fsync=off -c full_page_writes=off "
        opts = (f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 {fast}"
                "-c synchronous_commit=on -c max_connections=200")
        r = self._run(self.bin / "pg_ctl", "-D", self.data, "-o", opts, "-l", self.root / "server.log",
                      "-w", "-t", "60", "start", check=False)
        if r.returncode:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:] \
                if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr or r.stdout}\n{log}")

    def stop_server(self, mode: str = "fast") -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def stop(self) -> None:
        self.stop_server("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql: str, db: str = "postgres") -> str:
        r = self._run(self.bin / "psql", "-h", self.sock, "-p", str(self.port), "-U", "postgres", "-d", db,
                      "-v", "ON_ERROR_STOP=1", "-Atqc", sql, check=False)
        if r.returncode:
            raise RuntimeError(f"psql {sql!r}: {r.stderr}")
        return r.stdout.strip()

    def url(self, db: str, user: str = USER, password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def create_database(self, name: str | None = None, template: str | None = None, owner: str = USER) -> str:
        name = name or f"t{next(self._n)}_{os.getpid()}"
        tpl = f"TEMPLATE {template}" if template else "TEMPLATE template0"
        self.psql(f"CREATE DATABASE {name} OWNER {owner} ENCODING 'UTF8' {tpl}")
        return name

    def drop_database(self, name: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _start_server() -> PgServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        msg = ("PostgreSQL server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin: "
               "install Debian's 'postgresql' package (apt-get install postgresql) to run the server tests")
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {msg}", pytrace=False)
        pytest.skip(msg)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        msg = "psycopg is not installed: pip install -e '.[postgresql]'"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {msg}", pytrace=False)
        pytest.skip(msg)
    root = Path(tempfile.mkdtemp(prefix="fazhi-pg-", dir="/tmp"))
    return PgServer(bin_dir, root).start()


@pytest.fixture(scope="session")
def pg_server():
    """The session's private PostgreSQL server (skipped, or failed in CI, where it is not installed)."""
    server = _start_server()
    try:
        yield server
    finally:
        server.stop()


class PgTemplates:
    """Server databases made once per session and copied per test (``CREATE DATABASE … TEMPLATE``)."""

    def __init__(self, server: PgServer, root: Path) -> None:
        self.server = server
        self.root = root
        self._made: dict[str, str] = {}

    def database(self, name: str, build: Callable[[str, Path], None]) -> str:
        made = self._made.get(name)
        if made is None:
            made = self.server.create_database(f"tpl_{name}")
            build(self.server.url(made), self.root / name)
            self.server.psql("DELETE FROM setting WHERE key = 'store.workspace_id'", db=made)
            self._made[name] = made
        return made

    def copy(self, name: str, build: Callable[[str, Path], None]) -> str:
        return self.server.create_database(template=self.database(name, build))


@pytest.fixture(scope="session")
def pg_templates(pg_server, tmp_path_factory) -> PgTemplates:
    return PgTemplates(pg_server, tmp_path_factory.mktemp("pg-templates"))


def _build_small_pg(url: str, evidence: Path) -> None:
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.db import Store
    from tests.conftest import make_catalogue

    s = Store(url, evidence).open()
    try:
        with s.transaction() as ses:
            install_new_document(ses, make_catalogue(), source_file="test")
    finally:
        s.close()


def _build_bundled_pg(url: str, evidence: Path) -> None:
    from fazhi_desk.services.catalogue import install_bundled
    from fazhi_desk.store.db import Store

    s = Store(url, evidence).open()
    try:
        install_bundled(s)
    finally:
        s.close()


def pg_store_of(pg_templates: PgTemplates, kind: str, evidence: Path):  # noqa: ANN201
    """A new server store copied from the template ``kind`` ("small", "bundled" or "empty"), opened; its desk's
    data directory (backups, logs) is ``<evidence>-desk`` beside the evidence folder, as every desk has one."""
    from fazhi_desk.paths import DataDir
    from fazhi_desk.store.db import Store

    if kind == "empty":
        db = pg_templates.server.create_database()
    else:
        db = pg_templates.copy(kind, _build_small_pg if kind == "small" else _build_bundled_pg)
    desk = DataDir(evidence.parent / f"{evidence.name}-desk")
    return Store(pg_templates.server.url(db), evidence, data=desk).open()


STORE_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORE_KINDS)
def store_kind(request) -> str:
    """"sqlite" (a data directory's file) or "postgres" (a database on the private server)."""
    return request.param


@pytest.fixture
def any_small_store(store_kind, request, tmp_path):
    """The ``small_store`` of tests/conftest.py, on SQLite and on the server."""
    from tests.conftest import _close_after_settling

    if store_kind == "sqlite":
        yield request.getfixturevalue("small_store")
        return
    s = pg_store_of(request.getfixturevalue("pg_templates"), "small", tmp_path / "evidence")
    yield s
    _close_after_settling(s)


@pytest.fixture
def any_store(store_kind, request, tmp_path):
    """The ``store`` of tests/conftest.py (bundled catalogues), on SQLite and on the server."""
    from tests.conftest import _close_after_settling

    if store_kind == "sqlite":
        yield request.getfixturevalue("store")
        return
    s = pg_store_of(request.getfixturevalue("pg_templates"), "bundled", tmp_path / "evidence")
    yield s
    _close_after_settling(s)


# ----------------------------------------------------------------------------- ``store`` and ``small_store`` on both
# A test directory whose conftest imports these runs every test that takes ``store`` or ``small_store``
# on SQLite and on the server (``from tests.pg_fixtures import both_store, both_small_store``).


#: Tests that need a data directory (the command line on one, or a look into its files) run on SQLite only:
#: name -> why.
SQLITE_ONLY = {
    "test_cli_profile_code": "the command line on a data directory",
    "test_cli_stats_refuses_to_overwrite_an_item_and_warns": "the command line on a data directory",
    # tests/catalogue
    "test_bad_input_is_a_clear_message_and_changes_nothing": "the command line on a data directory",
    # tests/evidence: the test reads the data directory's evidence folder, or runs the command line on it
    "test_dedupe_and_link_to_two_items": "the test looks into store.data.evidence",
    "test_cancel_mid_batch_leaves_no_file_and_no_row": "the test looks into store.data.evidence",
    "test_read_only_evidence_store_gives_chinese_message": "the test makes store.data.evidence read-only",
    "test_unknown_item_and_bad_year": "the test looks into store.data.evidence",
    "test_cli_add_list_remove_verify_gc": "the command line on a data directory",
    "test_a_right_to_left_override_is_shown_visibly": "the test looks into store.data",
    # tests/reports
    "test_missing_and_altered_evidence_are_reported": "the test looks into store.data.evidence",
    "test_cli_report": "the command line on a data directory",
    "test_cli_report_bad_year_is_a_message": "the command line on a data directory",
    "test_cli_report_docx": "the command line on a data directory",
    "test_the_clerk_finishes_the_report_on_the_command_line": "the command line on a data directory",
}


def _skip_if_sqlite_only(request) -> None:  # noqa: ANN001
    why = SQLITE_ONLY.get(getattr(request.node, "originalname", ""))
    if why:
        pytest.skip(f"SQLite only: {why}")


@pytest.fixture(name="store", params=STORE_KINDS)
def both_store(request, tmp_path, templates):
    """``store`` (bundled catalogues) on SQLite and on the server."""
    from tests.conftest import _close_after_settling, bundled_data_dir

    if request.param == "sqlite":
        from fazhi_desk.services.workspace import open_workspace

        s = open_workspace(bundled_data_dir(templates, tmp_path / "data"))
    else:
        _skip_if_sqlite_only(request)
        s = pg_store_of(request.getfixturevalue("pg_templates"), "bundled", tmp_path / "evidence")
    yield s
    _close_after_settling(s)


@pytest.fixture(name="small_store", params=STORE_KINDS)
def both_small_store(request, tmp_path, templates):
    """``small_store`` (the small test catalogue only) on SQLite and on the server."""
    from tests.conftest import _close_after_settling, small_data_dir

    if request.param == "sqlite":
        from fazhi_desk.store.db import open_store

        s = open_store(small_data_dir(templates, tmp_path / "small"))
    else:
        _skip_if_sqlite_only(request)
        s = pg_store_of(request.getfixturevalue("pg_templates"), "small", tmp_path / "evidence")
    yield s
    _close_after_settling(s)


def dump_rows(store) -> list[str]:  # noqa: ANN001
    """Every row of every model table of any store, in primary-key order, as text (``dump_db`` for a server)."""
    from sqlalchemy import select

    from fazhi_desk.store.models import Base

    out: list[str] = []
    with store.engine.connect() as c:
        for t in Base.metadata.sorted_tables:
            for row in c.execute(select(t).order_by(*t.primary_key.columns)):
                out.append(f"{t.name}: {tuple(row)!r}")
    return out
