"""Use cases over the store: what the command line and the UI both call. No Qt here."""

import getpass


def current_user() -> str:
    """The login name recorded in the change log."""
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some service accounts)
        return "未知用户"
