"""Read the system's font configuration on a helper thread while Python loads Qt (Linux and the like).

The window's first text makes Qt ask fontconfig for the installed fonts, and fontconfig's first call parses
its configuration files and maps its caches: ~5 ms of the first paint on the UI thread. Called through
ctypes, that first call runs without Python's lock, beside the ~30 ms of imports that come before any
text, and Qt later finds it done. On Windows and macOS Qt does not use fontconfig: nothing is started.

Qt itself is not called here (PySide holds Python's lock through a call, so a thread calling Qt would
slow the UI thread instead); fontconfig's own initialisation is thread-safe.
"""

from __future__ import annotations

import sys
import threading

LIBRARY = "libfontconfig.so.1"


def _init_fontconfig() -> None:
    import ctypes

    try:
        ctypes.CDLL(LIBRARY).FcInit()
    except (OSError, AttributeError):  # no fontconfig (a minimal system): Qt will say so itself
        pass


def start(platform: str | None = None) -> threading.Thread | None:
    """The helper thread, started; None where Qt does not use fontconfig."""
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin", "cygwin")):
        return None
    t = threading.Thread(target=_init_fontconfig, name="fazhi-fontconfig", daemon=True)
    t.start()
    return t
