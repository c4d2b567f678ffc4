"""Service tests run on SQLite and on the private PostgreSQL server (see tests/pg_fixtures.py)."""

from tests.pg_fixtures import (  # noqa: F401
    any_small_store,
    any_store,
    both_small_store,
    both_store,
    pg_server,
    pg_templates,
    store_kind,
)
