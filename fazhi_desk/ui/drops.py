"""The one place that turns dropped URLs into local file paths (the tree and the evidence panel accept drops)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData


def dropped_paths(mime: QMimeData | None) -> list[str]:
    """Local files and folders in a drag's data, in order; remote URLs and empty paths are left out."""
    if mime is None or not mime.hasUrls():
        return []
    return [p for p in (u.toLocalFile() for u in mime.urls() if u.isLocalFile()) if p]
