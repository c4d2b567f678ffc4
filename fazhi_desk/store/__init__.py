"""The local SQLite store: ORM models, engine with pragmas, Alembic migrations run on start-up."""

from fazhi_desk.lazy import lazy_exports

# re-exported when first asked for: importing the package imports none of its modules (see fazhi_desk.lazy)
__getattr__, __dir__ = lazy_exports(__name__, {
    "fazhi_desk.store.db": ("Store", "open_store",),
})


__all__ = ["Store", "open_store"]
