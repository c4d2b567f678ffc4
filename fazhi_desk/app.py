"""Composition root: directories → logging → store → services → windows, and the CLI dispatch.

The GUI starts when no subcommand is given (``--data-dir`` may still be).
"""

from __future__ import annotations

from fazhi_desk import __version__
from fazhi_desk.paths import resolve_data_dir


def gui_data_dir(args: list[str]) -> tuple[bool, str | None]:
    """Whether ``args`` start the GUI (nothing but ``--data-dir``), and the data directory they name."""
    data_dir: str | None = None
    rest = list(args)
    while rest:
        a = rest.pop(0)
        if a == "--data-dir":
            data_dir = rest.pop(0) if rest else None
        elif a.startswith("--data-dir="):
            data_dir = a.split("=", 1)[1]
        else:
            return False, None
    return True, data_dir


def is_gui_invocation(args: list[str]) -> bool:
    return gui_data_dir(args)[0]


def run_cli(args: list[str]) -> int:
    from fazhi_desk.cli import run

    return run(args)


def run_gui(args: list[str]) -> int:
    from fazhi_desk.ui.application import start

    return start(resolve_data_dir(gui_data_dir(args)[1]), __version__)
