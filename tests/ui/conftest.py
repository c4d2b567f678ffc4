"""Fixtures of the window tests; the plain helpers they share are in ``tests/ui/helpers.py``."""

from __future__ import annotations

import pytest

from fazhi_desk.paths import DataDir
from tests.conftest import small_data_dir


@pytest.fixture
def tt_data(tmp_path, templates) -> DataDir:
    """A data directory holding only the small test catalogue, closed (the test opens it)."""
    return small_data_dir(templates, tmp_path / "tt")
