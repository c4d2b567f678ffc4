"""Composition root: directories → logging → store → services → windows, and the CLI dispatch.

The GUI starts when no subcommand is given (``--data-dir`` may still be).
"""

from __future__ import annotations

import logging
import sys

from fazhi_desk import __version__
from fazhi_desk.errors import UserError
from fazhi_desk.logs import LOG_FILE, setup_logging
from fazhi_desk.paths import resolve_data_dir

log = logging.getLogger("fazhi_desk")


def is_gui_invocation(args: list[str]) -> bool:
    rest = list(args)
    while rest:
        a = rest.pop(0)
        if a == "--data-dir":
            if rest:
                rest.pop(0)
            continue
        if a.startswith("--data-dir="):
            continue
        return False
    return True


def run_cli(args: list[str]) -> int:
    from fazhi_desk.cli import build_parser, run

    ns, _ = build_parser().parse_known_args(args)
    data = resolve_data_dir(ns.data_dir) if not ns.self_test else None
    if data is not None:
        try:
            data.ensure()
            setup_logging(data)
        except UserError:
            pass
    try:
        return run(args)
    except UserError as e:
        print(f"错误:{e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in %s", args)
        where = data.logs / LOG_FILE if data else "标准错误输出"
        print(f"程序内部错误,操作未完成。详细信息已写入日志:{where}。请把日志发给技术支持。", file=sys.stderr)
        return 3


def run_gui(args: list[str]) -> int:
    data_dir = None
    if "--data-dir" in args:
        i = args.index("--data-dir")
        data_dir = args[i + 1] if i + 1 < len(args) else None
    for a in args:
        if a.startswith("--data-dir="):
            data_dir = a.split("=", 1)[1]
    data = resolve_data_dir(data_dir)
    from fazhi_desk.ui.application import start

    return start(data, __version__)
