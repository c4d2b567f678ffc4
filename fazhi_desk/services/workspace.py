"""Opening a data directory for work: the store, with the bundled catalogues installed; close and reopen.

:class:`Workspace` is what the window and the command line hold. Restore uses
:meth:`Workspace.close` and :meth:`Workspace.open` (or :meth:`Workspace.reopen`):
the :class:`~fazhi_desk.store.db.Store` object stays the same, so whoever holds it
keeps a valid reference; between the two calls its sessions are refused.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from fazhi_desk.paths import DataDir, resource_path
from fazhi_desk.services.catalogue import install_bundled
from fazhi_desk.services.profile import OfficeProfile, get_profile
from fazhi_desk.store.db import Store, list_backups
from fazhi_desk.store.models import CatalogueVersion


class Workspace:
    """One data directory: its store (opened, closed, reopened in place) and where its files live."""

    def __init__(self, data: DataDir) -> None:
        from fazhi_desk.services.location import store_for

        self.data = data
        self.store = store_for(data)  # the data directory's file, or the server its store-location.json names

    def open(self) -> Store:
        """Open the store (creating and migrating it) and install any bundled catalogue it lacks."""
        self.store.open()
        try:
            if not getattr(self.store.backend, "read_only", False) and _bundled_changed(self.store):
                install_bundled(self.store)
        except BaseException:
            self.store.close()
            raise
        return self.store

    def close(self) -> None:
        self.store.close()

    def reopen(self) -> Store:
        self.close()
        return self.open()

    @property
    def is_open(self) -> bool:
        return self.store.is_open

    def backups(self) -> list:
        """The database backups of this data directory, newest first."""
        return list_backups(self.data.backups)


def open_workspace(data: DataDir) -> Store:
    """Open the store in ``data`` (creating and migrating it) and install any bundled catalogue it lacks."""
    return Workspace(data).open()


def open_workspace_and_profile(data: DataDir) -> tuple[Store, OfficeProfile]:
    """:func:`open_workspace` and the office profile read once: what the window needs to show a store (at its
    start, on the writer thread, and when 数据存放位置… switches the store)."""
    store = open_workspace(data)
    try:
        return store, get_profile(store)
    except BaseException:
        store.close()
        raise


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
