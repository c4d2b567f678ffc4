"""Composition root: directories → logging → store → services → windows, and the CLI dispatch.

The GUI starts when no subcommand is given (``--data-dir`` may still be).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from fazhi_desk import __version__
from fazhi_desk.errors import UserError
from fazhi_desk.paths import DataDir, resolve_data_dir

log = logging.getLogger("fazhi_desk")
LOG_FILE = "fazhi-desk.log"


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


def setup_logging(data: DataDir | None) -> Path | None:
    """A rotating log file in the data directory (stderr if that cannot be written)."""
    root = logging.getLogger("fazhi_desk")
    root.setLevel(logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    path: Path | None = None
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if data is not None:
        try:
            data.logs.mkdir(parents=True, exist_ok=True)
            path = data.logs / LOG_FILE
            h = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
            h.setFormatter(fmt)
            root.addHandler(h)
        except OSError:
            path = None
    if path is None:
        h2 = logging.StreamHandler()
        h2.setFormatter(fmt)
        root.addHandler(h2)
    return path


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
