"""Store tests: the private PostgreSQL server and the stores on it (see tests/pg_fixtures.py)."""

from tests.pg_fixtures import any_small_store, any_store, pg_server, pg_templates, store_kind  # noqa: F401
