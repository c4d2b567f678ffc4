"""A year read for the checklist keeps one string object per repeated value (owners, units, document codes),
not one copy per row: a year of 10,000 items stays small in memory."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.services.checklist import load_year, set_fields
from tests.ui.helpers import ONCE, YEARLY


def test_repeated_values_are_one_object(small_store):
    for item_id in (YEARLY, ONCE):
        set_fields(small_store, item_id, 2024, {"owner": "王小明"})
    with small_store.session() as s:
        rows = {r.item_id: r for r in load_year(s, 2024, dt.date(2024, 7, 1))}
    a, b = rows[YEARLY], rows[ONCE]
    assert a.owner == b.owner == "王小明" and a.owner is b.owner
    assert a.item.doc_code is b.item.doc_code
    assert a.item.lead_units == b.item.lead_units and a.item.lead_units is b.item.lead_units
