"""These tests run on SQLite and on the private PostgreSQL server (see tests/pg_fixtures.py)."""

from tests.pg_fixtures import both_small_store, both_store, pg_server, pg_templates  # noqa: F401
