"""The content-addressed store of evidence files (佐证材料): put, open, verify, garbage-collect.

Files live at ``<data>/evidence/<sha256[:2]>/<sha256>`` (no extension); what they
are called and which items they prove is the database's business
(:mod:`fazhi_desk.services.evidence`). This package knows nothing about the database.
"""

from fazhi_desk.lazy import lazy_exports

# re-exported when first asked for: importing the package imports none of its modules (see fazhi_desk.lazy)
__getattr__, __dir__ = lazy_exports(__name__, {
    "fazhi_desk.evidence.filestore": ("CHUNK_SIZE", "FileStore", "PutResult", "SourceChanged", "SourceReadError", "StoredFileDamaged", "StoreWriteError", "os_error_text",),
})


__all__ = [
    "CHUNK_SIZE",
    "FileStore",
    "PutResult",
    "SourceChanged",
    "SourceReadError",
    "StoreWriteError",
    "StoredFileDamaged",
    "os_error_text",
]
