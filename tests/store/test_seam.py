"""The store seam: open from a URL and an evidence root, close and reopen in place, one mapping."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from fazhi_desk.domain.model import Cycle, Item
from fazhi_desk.errors import StoreLockedError, UserError
from fazhi_desk.paths import DataDir
from fazhi_desk.services.profile import get_profile, set_profile
from fazhi_desk.services.workspace import Workspace
from fazhi_desk.store.db import Store
from fazhi_desk.store.mapping import ITEM_REVISION_FIELDS, item_from_revision, revision_from_item
from fazhi_desk.store.models import ItemRow


def test_close_and_reopen_in_place_keeps_the_same_store_object(tmp_path):
    data = DataDir(tmp_path / "d").ensure()
    ws = Workspace(data)
    store = ws.open()
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", contact="王敏")
    ws.close()
    assert not store.is_open
    with pytest.raises(UserError, match="已关闭"):
        store.session()
    # closed: the data directory is free for another process (restore works on the files now)
    other = Store.for_data_dir(data).open()
    other.close()
    assert ws.reopen() is store and store.is_open
    assert get_profile(store).office_name == "乾佑街道办事处"
    with pytest.raises(StoreLockedError):
        Store.for_data_dir(data).open()
    with store.session() as s:
        assert s.scalar(select(ItemRow.item_id).limit(1)) is not None  # bundled catalogues still there
    ws.close()


def test_store_from_url_and_evidence_root(tmp_path):
    data = DataDir(tmp_path / "d").ensure()
    store = Store(f"sqlite:///{data.db}", tmp_path / "elsewhere").open()
    try:
        assert store.db_path == data.db and store.evidence_root == tmp_path / "elsewhere"
        assert store.data == data
    finally:
        store.close()


def test_mapping_covers_every_item_field():
    item = Item(item_id="TT-01", doc_code="TT", chapter="一", section="(一)", article_no=3, article_title="t",
                requirement="r", source_passage="p", lead_units="l", participating_units="pu",
                applies_to_township=False, cycle=Cycle.BIENNIAL, target=1.0, target_max=2.0, unit="次",
                evidence_hint="h", first_year=2021)
    rev = revision_from_item(item, version_id=7)
    assert rev.version_id == 7 and rev.cycle == "每两年"
    assert item_from_revision(rev, "TT") == item
    assert set(ITEM_REVISION_FIELDS) == {f.name for f in dataclasses.fields(Item)} - {"doc_code"}
