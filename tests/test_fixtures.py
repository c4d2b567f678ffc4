"""The template stores the fixtures copy open exactly as a new workspace would, only faster."""

from __future__ import annotations

import re

from fazhi_desk.paths import DataDir
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.db import ID_KEY, open_store, read_evidence_id
from tests.conftest import _build_small, bundled_data_dir, dump_db, small_data_dir

STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?")


def _rows(store) -> list[str]:  # noqa: ANN001
    """Every row as SQL text, without the workspace id and with times blanked (made a moment apart)."""
    return [STAMP.sub("<time>", line) for line in dump_db(store) if ID_KEY not in line]


def test_a_copied_bundled_template_is_a_new_workspace_like_a_fresh_one(templates, tmp_path):
    fresh = open_workspace(DataDir(tmp_path / "fresh").ensure())
    copied = open_workspace(bundled_data_dir(templates, tmp_path / "copy"))
    other = open_workspace(bundled_data_dir(templates, tmp_path / "other"))
    try:
        assert _rows(copied) == _rows(fresh)
        ids = {s.workspace_id for s in (fresh, copied, other)}
        assert len(ids) == 3 and None not in ids  # each copy is a workspace of its own
        assert read_evidence_id(copied.data) == copied.workspace_id
    finally:
        for s in (fresh, copied, other):
            s.close()


def test_a_copied_small_template_holds_the_small_catalogue_like_a_fresh_one(templates, tmp_path):
    d = DataDir(tmp_path / "fresh").ensure()
    _build_small(d)
    fresh = open_store(d)
    copied = open_store(small_data_dir(templates, tmp_path / "copy"))
    try:
        assert _rows(copied) == _rows(fresh)
        assert copied.workspace_id != fresh.workspace_id
    finally:
        fresh.close()
        copied.close()
