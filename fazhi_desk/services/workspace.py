"""Opening a data directory for work: the store, with the bundled catalogues installed."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from fazhi_desk.paths import DataDir, resource_path
from fazhi_desk.services.catalogue import install_bundled
from fazhi_desk.store.db import Store, open_store
from fazhi_desk.store.models import CatalogueVersion


def open_workspace(data: DataDir) -> Store:
    """Open the store in ``data`` (creating and migrating it) and install any bundled catalogue it lacks."""
    store = open_store(data)
    try:
        if _bundled_changed(store):
            install_bundled(store)
    except BaseException:
        store.close()
        raise
    return store


def _bundled_changed(store: Store) -> bool:
    """Whether any bundled catalogue file is not installed yet (cheap: file hashes, no parsing).

    Bundled files are canonical (file text == its dump), so a file's SHA-256 equals the
    ``file_sha256`` recorded when it was installed.
    """
    with store.session() as s:
        known = set(s.scalars(select(CatalogueVersion.file_sha256)))
    for p in sorted(resource_path("catalogues").glob("*.json")):
        if hashlib.sha256(p.read_bytes()).hexdigest() not in known:
            return True
    return False
