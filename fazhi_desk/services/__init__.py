"""Use cases over the store: what the command line and the UI both call. No Qt here."""

import getpass

_operator: list[str] = []  # this desk's 操作人, set when its workspace opens (services.location)


def login_name() -> str:
    """The operating system's login name."""
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name (some service accounts)
        return "未知用户"


def set_operator(name: str | None) -> None:
    """Name every change of this process after ``name`` (None: the login name)."""
    _operator[:] = [name] if name else []


def current_user() -> str:
    """The 操作人 recorded in the change log: this desk's configured operator, else the login name."""
    return _operator[0] if _operator else login_name()
