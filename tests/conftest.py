"""Shared fixtures: every directory redirected into tmp, a real store, a small catalogue with each cycle.

A new store costs its migrations and the bundled catalogues' install (about half a second, several on a
loaded machine); the ``store``, ``small_store`` and ``tt_data`` fixtures therefore copy a database made
once per session (see :class:`Templates`) and open the copy, which the store treats as a new workspace.

No test leaks into the next: after every test that drives Qt, :func:`_no_leaks` waits for the
operations it started, then fails it if a top-level window or a store is still open (and closes them,
so the next test starts clean).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import weakref
from pathlib import Path
from typing import Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fazhi_desk.catalogue.schema import Catalogue  # noqa: E402
from fazhi_desk.domain.model import Cycle, Item, SourceDocument  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402
from fazhi_desk.store import db as _db  # noqa: E402

# ----------------------------------------------------------------------------- which stores are open

_OPEN_STORES: "weakref.WeakSet[_db.Store]" = weakref.WeakSet()
_store_open = _db.Store.open


def _tracked_open(self: _db.Store) -> _db.Store:
    result = _store_open(self)
    _OPEN_STORES.add(self)
    return result


_db.Store.open = _tracked_open  # type: ignore[method-assign] - a registry for the leak check, nothing else


def open_stores() -> list[_db.Store]:
    """The stores opened in this process that are open now."""
    return [s for s in list(_OPEN_STORES) if s.is_open]


def settle(timeout_s: float = 20.0) -> bool:
    """Let every operation started through ``fazhi_desk.tasks`` finish and deliver its result; False on timeout.

    Without Qt (core tests) there is nothing to wait for.
    """
    import sys
    import time

    tasks = sys.modules.get("fazhi_desk.tasks")
    if tasks is None or tasks._runner is None:
        return True
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    end = time.monotonic() + timeout_s
    while tasks._runner.running():
        if time.monotonic() > end:
            return False
        if app is not None:
            app.processEvents()
        time.sleep(0.005)
    if app is not None:
        app.processEvents()  # the results' callbacks, queued by the last operation
    return True


def _qt_test(request: pytest.FixtureRequest) -> bool:
    return "qtbot" in request.fixturenames or "/tests/ui/" in str(request.node.path).replace(os.sep, "/")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201
    rep = yield
    if rep.when == "call":
        item._fazhi_call_failed = rep.failed
    return rep


MODAL_LIMIT_S = 15.0  # a modal dialog open this long has nobody to answer it: the test would hang for ever


def _modal_watchdog():  # noqa: ANN202
    """A timer that closes a modal dialog left open for MODAL_LIMIT_S and notes it (a test never hangs on one)."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    since: dict[int, float] = {}
    stuck: list[str] = []

    def tick() -> None:
        w = QApplication.activeModalWidget()
        if w is None:
            since.clear()
            return
        first = since.setdefault(id(w), time.monotonic())
        if time.monotonic() - first > MODAL_LIMIT_S:
            text = w.text() if hasattr(w, "text") else ""
            stuck.append(f"{type(w).__name__}({w.windowTitle()!r}: {text!r})")
            since.pop(id(w), None)
            if hasattr(w, "reject"):
                w.reject()
            else:
                w.close()

    timer = QTimer()
    timer.setInterval(500)
    timer.timeout.connect(tick)
    timer.start()
    return timer, stuck


@pytest.fixture(autouse=True)
def _no_leaks(request):
    """After a Qt test: its operations finished, no top-level window visible, no store open; no modal hang."""
    watchdog = None
    if _qt_test(request):
        request.getfixturevalue("qapp")
        watchdog = _modal_watchdog()
    yield
    if watchdog is None:
        return
    timer, stuck = watchdog
    problems = []
    if not settle():
        from fazhi_desk.tasks import runner

        problems.append("operations still running 20 s after the test: " + ", ".join(
            str(getattr(op, "where", op)) for op in runner().running()))
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    windows = [w for w in (app.topLevelWidgets() if app else []) if w.isVisible()]
    if windows:
        problems.append("top-level windows left open: " + ", ".join(
            f"{type(w).__name__}({w.windowTitle()!r})" for w in windows))
        for w in windows:
            w.close()
            w.deleteLater()
        if app is not None:
            app.processEvents()
    stores = open_stores()
    if stores:
        problems.append(f"stores left open: {stores}")
        settle()
        for s in stores:
            s.close()
    timer.stop()
    if stuck:
        problems.insert(0, f"a modal dialog waited {MODAL_LIMIT_S:.0f} s for an answer: " + ", ".join(stuck))
    if problems and not getattr(request.node, "_fazhi_call_failed", False):
        pytest.fail("the test leaks into the next one: " + "; ".join(problems), pytrace=False)


# ----------------------------------------------------------------------------- template stores


class Templates:
    """Databases made once per session, copied into each test's data directory.

    A template is the database file of a workspace made by ``build`` and closed, with its workspace id
    and session number taken out: opening a copy is, for the store, opening a new workspace whose
    schema and catalogues are already there (a new id, session 1, marker and evidence id written).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: dict[str, Path] = {}

    def database(self, name: str, build: Callable[[DataDir], None]) -> Path:
        made = self._made.get(name)
        if made is None:
            d = DataDir(self.root / name).ensure()
            build(d)
            made = self.root / f"{name}.sqlite3"
            shutil.copyfile(d.db, made)
            con = sqlite3.connect(made)
            try:
                con.execute("DELETE FROM setting WHERE key = ?", (getattr(_db, "ID_KEY", "store.workspace_id"),))
                con.execute("PRAGMA user_version=0")
                con.commit()
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                con.close()
            for suffix in ("-wal", "-shm"):
                Path(f"{made}{suffix}").unlink(missing_ok=True)
            self._made[name] = made
        return made

    def data_dir(self, name: str, build: Callable[[DataDir], None], where: Path) -> DataDir:
        """A new data directory at ``where`` holding a copy of the template ``name`` (not opened)."""
        d = DataDir(where).ensure()
        shutil.copyfile(self.database(name, build), d.db)
        return d


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


def _build_bundled(d: DataDir) -> None:
    from fazhi_desk.services.workspace import open_workspace

    open_workspace(d).close()


def _build_small(d: DataDir) -> None:
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.db import open_store

    s = open_store(d)
    try:
        with s.transaction() as ses:
            install_new_document(ses, make_catalogue(), source_file="test")
    finally:
        s.close()


def bundled_data_dir(templates: Templates, where: Path) -> DataDir:
    """A new data directory with the bundled catalogues installed (what ``open_workspace`` makes), not opened."""
    return templates.data_dir("bundled", _build_bundled, where)


def small_data_dir(templates: Templates, where: Path) -> DataDir:
    """A new data directory holding only the small test catalogue, not opened."""
    return templates.data_dir("small", _build_small, where)


def _close_after_settling(store) -> None:  # noqa: ANN001
    settle()  # a refresh still on its way would meet a closed store
    store.close()


@pytest.fixture(autouse=True)
def _isolate_home(tmp_path_factory, monkeypatch):
    """No test touches the real user data directory or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("FAZHI_DESK_HOME", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))


@pytest.fixture
def data_dir(tmp_path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


@pytest.fixture
def store(data_dir, templates):
    """A migrated store with the bundled catalogues loaded."""
    from fazhi_desk.services.workspace import open_workspace

    s = open_workspace(bundled_data_dir(templates, data_dir.root))
    yield s
    _close_after_settling(s)


def make_catalogue(code: str = "TT2020", version: str = "1.0", year: int = 2020) -> Catalogue:
    """A small catalogue with one item of each cycle, for year-switch and overdue rules."""
    doc = SourceDocument(code=code, title="测试文件", doc_number="测〔2020〕1号", issuer="测试机关",
                         date=dt.date(year, 3, 1), version=version, source_text="")
    items = (
        Item(item_id=f"{code}-01-01", doc_code=code, chapter="一、学法", article_no=1, article_title="学法",
             requirement="每年组织集中学法不少于4次", cycle=Cycle.YEARLY, target=4, unit="次"),
        Item(item_id=f"{code}-01-02", doc_code=code, chapter="一、学法", article_no=1, article_title="学法",
             requirement="建立法律顾问制度", cycle=Cycle.ONCE, deadline=dt.date(2022, 6, 30)),
        Item(item_id=f"{code}-02-01", doc_code=code, chapter="二、文件", article_no=2, article_title="清理",
             requirement="每两年全面清理一次规范性文件", cycle=Cycle.BIENNIAL, first_year=2020),
        Item(item_id=f"{code}-02-02", doc_code=code, chapter="二、文件", article_no=2, article_title="清理",
             requirement="县政府制定清理办法", cycle=Cycle.ONCE, applies_to_township=False,
             lead_units="县政府"),
        Item(item_id=f"{code}-03-01", doc_code=code, chapter="三、备案", article_no=3, article_title="备案",
             requirement="规范性文件发布后15日内报送备案", cycle=Cycle.PER_EVENT, target=15, unit="日",
             lead_units="各镇办", evidence_hint="备案报告"),
    )
    return Catalogue(document=doc, items=items)


@pytest.fixture
def small_store(tmp_path, templates):
    """A store holding only the small test catalogue (no bundled ones)."""
    from fazhi_desk.store.db import open_store

    s = open_store(small_data_dir(templates, tmp_path / "small"))
    yield s
    _close_after_settling(s)


def dump_db(store) -> list[str]:
    """Every row of every table, as SQL text (to compare a store before and after a refused change)."""
    if store.db_path is None:  # a server store: every row of every table, in key order
        from tests.pg_fixtures import dump_rows

        return dump_rows(store)
    raw = store.engine.raw_connection()
    try:
        return list(raw.driver_connection.iterdump())
    finally:
        raw.close()


def wait_idle(qtbot, timeout: int = 10000) -> None:
    """Wait until every operation started through fazhi_desk.tasks has finished and delivered its result."""
    from fazhi_desk.tasks import runner

    qtbot.waitUntil(lambda: not runner().running(), timeout=timeout)
