"""Showing errors to the user: the one implementation lives in :mod:`fazhi_desk.tasks` (``show_error``)."""

from __future__ import annotations

from fazhi_desk.tasks import LOG_HINT, log_path_text, show_error

__all__ = ["LOG_HINT", "log_path_text", "show_error"]
