"""Shared fixtures: every directory redirected into tmp, a real store, a small catalogue with each cycle."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fazhi_desk.catalogue.schema import Catalogue  # noqa: E402
from fazhi_desk.domain.model import Cycle, Item, SourceDocument  # noqa: E402
from fazhi_desk.paths import DataDir  # noqa: E402


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
def store(data_dir):
    """A migrated store with the bundled catalogues loaded."""
    from fazhi_desk.services.workspace import open_workspace

    s = open_workspace(data_dir)
    yield s
    s.close()


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
def small_store(tmp_path):
    """A store holding only the small test catalogue (no bundled ones)."""
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.db import open_store

    s = open_store(DataDir(tmp_path / "small").ensure())
    with s.transaction() as ses:
        install_new_document(ses, make_catalogue(), source_file="test")
    yield s
    s.close()


def dump_db(store) -> list[str]:
    """Every row of every table, as SQL text (to compare a store before and after a refused change)."""
    raw = store.engine.raw_connection()
    try:
        return list(raw.driver_connection.iterdump())
    finally:
        raw.close()


def wait_idle(qtbot, timeout: int = 10000) -> None:
    """Wait until every operation started through fazhi_desk.tasks has finished and delivered its result."""
    from fazhi_desk.tasks import runner

    qtbot.waitUntil(lambda: not runner().running(), timeout=timeout)
