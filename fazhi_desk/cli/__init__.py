"""The command line: one entry point for the GUI (no subcommand) and the headless subcommands.

Each feature module in this package has ``register(subparsers)`` that adds its
subcommands; a handler takes ``(args, ctx)`` and returns an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from dataclasses import dataclass
from typing import Callable

from fazhi_desk import APP_TITLE, __version__
from fazhi_desk.errors import UserError
from fazhi_desk.logs import setup_logging
from fazhi_desk.paths import DataDir, resolve_data_dir

log = logging.getLogger("fazhi_desk")

FEATURE_MODULES = ("checklist", "catalogue", "evidence", "activity", "report", "report_text", "rollup", "statistics",
                   "backup", "selftest", "store")


@dataclass
class Context:
    """What a subcommand handler gets: the data directory, and a way to open the store once."""

    data: DataDir
    _store: object = None

    def store(self):
        from fazhi_desk.services.workspace import open_workspace

        if self._store is None:
            self._store = open_workspace(self.data)
            if getattr(self._store.backend, "read_only", False):  # type: ignore[attr-defined]
                from fazhi_desk.store.readonly import notice

                print(notice(self.data), file=sys.stderr)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()  # type: ignore[attr-defined]
            self._store = None


Handler = Callable[[argparse.Namespace, Context], int]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fazhi-desk",
        description=f"{APP_TITLE}(fazhi-desk)。不带子命令时打开图形界面。",
    )
    p.add_argument("--version", action="version", version=f"fazhi-desk {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="数据目录(默认:环境变量 FAZHI_DESK_HOME 或系统用户数据目录)")
    p.add_argument("--self-test", action="store_true", help="在临时目录中自检:迁移、载入目录、导出并读回报告")
    sub = p.add_subparsers(dest="command", metavar="子命令")
    for name in FEATURE_MODULES:
        mod = importlib.import_module(f"fazhi_desk.cli.{name}")
        mod.register(sub)
    return p


def run(argv: list[str] | None = None) -> int:
    """Run a headless subcommand (or the self-test); returns the exit status. GUI start is in app.py.

    A UserError is printed as its Chinese message (exit 1); any other error is a bug: logged with
    its traceback to the data directory's log, and reported with the log's path (exit 3).
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # argparse gives an optional trailing positional (``activity add ITEM --date … [FILE…]``) nothing once
        # it has matched ITEM; a subcommand that takes such files says so with ``trailing_files``.
        if getattr(args, "trailing_files", False) and not any(x.startswith("-") for x in extra):
            args.files = [*args.files, *extra]
        else:
            parser.error("无法识别的参数:" + " ".join(extra))
    if args.self_test:
        from fazhi_desk.cli.selftest import self_test

        return self_test()
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    ctx = Context(resolve_data_dir(args.data_dir))
    log_path = None
    try:
        log_path = setup_logging(ctx.data.ensure())
        return handler(args, ctx)
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly; point stdout at nothing so the exit flush is silent.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
    except Exception as e:
        return _report_error(e, ctx, hide_passwords(argv if argv is not None else sys.argv[1:]), log_path)
    finally:
        try:
            ctx.close()
        except Exception:  # closing must not hide what happened; the store stays consistent without it
            log.exception("closing the store failed")


def _report_error(e: Exception, ctx: Context, argv: list[str] | None, log_path) -> int:  # noqa: ANN001
    """The one place that turns an error into the Chinese message and exit status (log first, then the message)."""
    from fazhi_desk.logs import record

    ue = as_user_error(e, ctx.data)
    if ue is not None:
        logged = record(logging.WARNING, "refused %s: %s", argv, ue, exc_info=ue is not e)
        msg = f"错误:{ue}"
        if log_path is not None and not logged:
            msg += f"\n(日志也未能写入“{log_path}”,可能是磁盘已满。)"
        print(printable(msg, keep_lines=True), file=sys.stderr)
        return 1
    logged = record(logging.ERROR, "unexpected error in %s", argv, exc_info=True)
    if logged:
        where = f"详细信息已写入日志:{log_path}。请把日志发给技术支持。"
    else:
        import traceback

        traceback.print_exc(file=sys.stderr)
        where = (f"日志未能写入“{log_path}”(可能是磁盘已满),详细信息见上方。" if log_path
                 else "详细信息见上方。") + "请把这些信息发给技术支持。"
    print(f"程序内部错误,操作未完成。{where}", file=sys.stderr)
    return 3


def hide_passwords(argv: list[str]) -> list[str]:
    """``argv`` with the password of any database URL in it replaced by ``***`` (for the log)."""
    from fazhi_desk.services.location import hide_password

    return [hide_password(a) for a in argv]


def logged_note(level: int, msg: str, *args: object) -> str:
    """Log a refusal before it is shown; the text to add to the message when the log could not be written."""
    from fazhi_desk.logs import LOG_FILE, record

    if record(level, msg, *args):
        return ""
    root = logging.getLogger("fazhi_desk")
    if not any(getattr(h, "baseFilename", "").endswith(LOG_FILE) for h in root.handlers):
        return ""
    return "\n(日志也未能写入,可能是磁盘已满。)"


def as_user_error(e: BaseException, data: DataDir) -> UserError | None:
    """``e`` as a message for the user (the one classifier the window uses too), or None for a bug."""
    from fazhi_desk.store.errors import classify

    return classify(e, data.db, data.root)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]}
_CONTROL_KEEP_LINES = {c: v for c, v in _CONTROL.items() if c not in (0x09, 0x0A)}


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with control characters (terminal escape sequences among them) shown as ``\\xNN``.

    File names and descriptions come from users' files: printed raw, ``\\x1b[…`` would
    drive the terminal. ``keep_lines`` keeps newlines and tabs (a multi-line message).
    """
    return text.translate(_CONTROL_KEEP_LINES if keep_lines else _CONTROL)
