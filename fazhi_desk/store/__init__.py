"""The local SQLite store: ORM models, engine with pragmas, Alembic migrations run on start-up."""

from fazhi_desk.store.db import Store, open_store

__all__ = ["Store", "open_store"]
