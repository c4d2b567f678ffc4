"""A store made by an earlier release (bundled catalogues 1.0) upgrades cleanly to today's bundle (1.4).

The bundled files of version 1.0 are kept in tests/services/data/bundled-1.0
exactly as that release shipped them. A store is created from them, a past year
is assessed, then the store is opened the normal way with today's bundle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from fazhi_desk.catalogue.schema import bundled_catalogues, load_catalogue_json
from fazhi_desk.domain.model import Status
from fazhi_desk.paths import DataDir
from fazhi_desk.services import catalogue as catalogue_service
from fazhi_desk.services.catalogue import installed_catalogues, install_bundled, items_needing_review, list_versions
from fazhi_desk.services.checklist import load_year, set_fields
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.models import ChangeLog

OLD = Path(__file__).parent / "data" / "bundled-1.0"


@pytest.fixture
def old_store(tmp_path, monkeypatch):
    """A data directory as the previous release left it: bundled 1.0 installed, 2024 assessed."""
    data = DataDir(tmp_path / "data").ensure()
    old = [load_catalogue_json(p) for p in sorted(OLD.glob("*.json"))]
    with monkeypatch.context() as m:
        m.setattr(catalogue_service, "bundled_catalogues", lambda: old)
        st = open_workspace(data)
        # open_workspace installs only when a bundled file's hash is unknown: it was, so 1.0 went in
        with st.session() as s:
            versions = {c.document.code: c.document.version for c in installed_catalogues(s)}
        assert versions == {"SZ2015": "1.0", "ZS2022": "1.0"}
    set_fields(st, "ZS2022-13-02", 2024, {"status": "已完成", "note": "2024年组织应急演练2次", "completed_on": "2024-11-15"})
    set_fields(st, "SZ2015-04-01", 2024, {"status": "已完成", "actual": 4, "completed_on": "2024-12-20"})
    st.close()
    return data


def test_existing_store_upgrades_to_the_bundled_version(old_store):
    new = {c.document.code: c for c in bundled_catalogues()}
    st = open_workspace(old_store)  # the normal start: the changed bundled files are noticed
    try:
        with st.session() as s:
            cats = {c.document.code: c for c in installed_catalogues(s)}
            assert {k: c.document.version for k, c in cats.items()} == {k: c.document.version for k, c in new.items()}
            for code, cat in new.items():
                assert cats[code].items == cat.items  # current wording and order are the bundle's
            # the past year keeps the wording it was assessed under
            row = next(r for r in load_year(s, 2024, today=dt.date(2025, 1, 5)) if r.item_id == "ZS2022-13-02")
            assert row.item.requirement == "完善应急处置程序,加强救援队伍建设,定期开展应急演练"
            assert row.status is Status.DONE and row.note == "2024年组织应急演练2次"
            row = next(r for r in load_year(s, 2026, today=dt.date(2026, 1, 5)) if r.item_id == "ZS2022-13-02")
            assert row.item.requirement == "完善应急处置程序,加强救援队伍建设"
            ids_2026 = {r.item_id for r in load_year(s, 2026, today=dt.date(2026, 1, 5))}
            assert {"ZS2022-13-05", "SZ2015-09-06", "SZ2015-22-05", "SZ2015-24-04"} <= ids_2026
            # 1.3: the 法制办's own duties and the other new items are due; old ids keep their meaning
            assert {"SZ2015-28-08", "SZ2015-28-14", "SZ2015-20-02", "ZS2022-03-04"} <= ids_2026
            row = next(r for r in load_year(s, 2024, today=dt.date(2025, 1, 5)) if r.item_id == "SZ2015-04-01")
            assert (row.status, row.actual) == (Status.DONE, 4)
            # the 2024 assessment keeps the 原文 it was made under; the current one is the whole sentence
            assert row.item.source_passage == "乡镇、街道每年安排领导干部集中学法不得少于4次"
            row = next(r for r in load_year(s, 2026, today=dt.date(2026, 1, 5)) if r.item_id == "SZ2015-12-09")
            # a 原文 that now quotes the whole sentence (the old passage inside it) changes no obligation:
            # the item is not flagged for 复核, and the change log still records the new 原文
            assert not row.needs_review
            assert row.item.source_passage.startswith("坚持集体讨论决定制度,")
            assert "重大行政决策应当经" in row.item.source_passage
            item_logs = [c.new_value for c in s.scalars(select(ChangeLog).where(
                ChangeLog.field == "catalogue", ChangeLog.item_id == "SZ2015-12-09"))]
            assert any("原文" in v for v in item_logs), item_logs
            logs = [c.new_value for c in s.scalars(select(ChangeLog).where(ChangeLog.field == "catalogue"))]
        assert any(f"ZS2022 版本 {new['ZS2022'].document.version}" in v for v in logs)
        assert any(f"SZ2015 版本 {new['SZ2015'].document.version}" in v for v in logs)
        # items whose wording (事项内容, 原文, …) changed wait for the office to confirm it; unchanged
        # items, and items whose only change is the township's role (new in 1.2), do not
        old = {c.document.code: c.item_map() for c in (load_catalogue_json(p) for p in OLD.glob("*.json"))}

        def wording(i, passage=True):
            return replace(i, township_role=None, score=None, measure="",
                           source_passage=i.source_passage if passage else "").content_key()

        def quotes_more(i, was):  # the only change: a 原文 that holds the old one and more of the sentence
            return (wording(i, False) == wording(was, False)
                    and "".join(was.source_passage.split()) in "".join(i.source_passage.split()))

        changed = {i.item_id for code, cat in new.items() for i in cat.items
                   if i.item_id in old[code] and wording(i) != wording(old[code][i.item_id])}
        expected = {i.item_id for code, cat in new.items() for i in cat.items
                    if i.item_id in changed and not quotes_more(i, old[code][i.item_id])}
        review = [i.item_id for i in items_needing_review(st)]
        assert set(review) == expected
        assert "ZS2022-13-02" in expected  # its 事项内容 changed too
        assert {"SZ2015-12-09", "SZ2015-03-02", "SZ2015-30-01"} <= changed - expected
        new_ids = {i.item_id for cat in new.values() for i in cat.items} - {i for m in old.values() for i in m}
        assert not new_ids & set(review)  # new items are simply there
        versions = [(v.doc_code, v.version, v.source_file) for v in list_versions(st)]
        assert ("ZS2022", new["ZS2022"].document.version, "内置目录") in versions
        assert ("ZS2022", "1.0", "内置目录") in versions
        assert install_bundled(st) == []  # done once
    finally:
        st.close()


def test_a_document_imported_from_a_file_is_not_replaced_by_the_bundle(old_store, tmp_path):
    from fazhi_desk.catalogue.schema import write_catalogue_json
    from fazhi_desk.services.catalogue import apply_import, preview_import
    from fazhi_desk.store.db import open_store

    # the county sent its own SZ2015 1.0.5 (one requirement reworded); the office imported it
    st = open_store(old_store)
    cat = load_catalogue_json(OLD / "SZ2015.json")
    from dataclasses import replace

    items = tuple(replace(i, requirement="县里改写的措辞") if i.item_id == "SZ2015-01-01" else i for i in cat.items)
    county = replace(cat, document=replace(cat.document, version="1.0.5"), items=items)
    path = tmp_path / "county.json"
    write_catalogue_json(county, path)
    apply_import(st, preview_import(st, path))
    st.close()
    st = open_workspace(old_store)
    try:
        with st.session() as s:
            cats = {c.document.code: c for c in installed_catalogues(s)}
        assert cats["SZ2015"].document.version == "1.0.5"
        assert cats["SZ2015"].item_map()["SZ2015-01-01"].requirement == "县里改写的措辞"
        assert cats["ZS2022"].document.version == bundled_catalogues()[1].document.version != "1.0"
    finally:
        st.close()
