"""Composition root: directories → logging → store → services → windows, and the CLI dispatch.

The GUI starts when no subcommand is given (``--data-dir`` may still be).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from fazhi_desk import __version__
from fazhi_desk.paths import resolve_data_dir

NO_DISPLAY = ("fazhi-desk: 没有可用的图形显示(DISPLAY/WAYLAND_DISPLAY 未设置),无法打开窗口;"
              "请在桌面环境中启动,或使用子命令(fazhi-desk --help)/ no display available: run it on a desktop, "
              "or use a subcommand (fazhi-desk --help)")


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


def gui_unavailable(env: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """Why a window cannot open here (one line to print), or None; checked before Qt, which would abort.

    Only Linux and the like need a display server; ``QT_QPA_PLATFORM`` set by the user (offscreen, vnc …) wins.
    """
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if platform.startswith(("win", "darwin")) or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"):
        return None
    return NO_DISPLAY


def run_gui(args: list[str]) -> int:
    reason = gui_unavailable()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    from fazhi_desk.ui import font_warmup

    fonts = font_warmup.start()  # beside the imports of Qt and the window, which need no fonts yet
    from fazhi_desk.ui.application import start

    try:
        return start(resolve_data_dir(gui_data_dir(args)[1]), __version__)
    finally:
        if fonts is not None:
            fonts.join(5)
