"""Named pause points, so that a fault test can kill the program at a chosen moment instead of after a guessed delay.

A long write calls :func:`pause` at the moments a kill is worth testing (``pause("backup.member")``).
In every real run the environment variable is unset and the call returns at once. A test sets::

    FAZHI_DESK_TEST_PAUSE=backup.member:37        # the point's name, and which pass through it (default 1)
    FAZHI_DESK_TEST_PAUSE_FILE=/tmp/…/paused     # written when the program stops there

and the program, on its 37th pass through ``backup.member``, writes that file and sleeps
(``FAZHI_DESK_TEST_PAUSE_SECONDS``, default 120) so the test can SIGKILL it exactly there.
If the point is never reached, the run ends normally and no file appears.
"""

from __future__ import annotations

import os
import threading
import time

ENV = "FAZHI_DESK_TEST_PAUSE"
ENV_FILE = "FAZHI_DESK_TEST_PAUSE_FILE"
ENV_SECONDS = "FAZHI_DESK_TEST_PAUSE_SECONDS"

_passes: dict[str, int] = {}
_lock = threading.Lock()


def pause(name: str) -> None:
    """Stop here if a test asked for this point (see the module docstring); otherwise do nothing."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    with _lock:
        n = _passes[name] = _passes.get(name, 0) + 1
    if n != int(nth or 1):
        return
    marker = os.environ.get(ENV_FILE)
    if marker:
        tmp = f"{marker}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f"{name}:{n} {os.getpid()}\n")
        os.replace(tmp, marker)  # the test sees the whole file or none
    time.sleep(float(os.environ.get(ENV_SECONDS, "120")))
