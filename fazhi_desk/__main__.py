"""Entry point of ``fazhi-desk`` and ``python -m fazhi_desk``."""

from __future__ import annotations

import sys


def _attach_windows_console() -> None:
    """A GUI-subsystem exe has no console: borrow the parent's so subcommands can print."""
    if sys.platform != "win32":
        return
    try:
        import ctypes

        if ctypes.windll.kernel32.AttachConsole(-1):  # type: ignore[attr-defined]
            # A Chinese console defaults to code page 936; we write UTF-8.
            ctypes.windll.kernel32.SetConsoleOutputCP(65001)  # type: ignore[attr-defined]
            sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
            sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    except Exception:  # pragma: no cover
        pass


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    import gc

    # The window's start creates objects by the hundred thousand and frees almost none: the cyclic collector
    # would walk them ~40 times before the first paint for nothing. It resumes after that paint (ui.application).
    gc.disable()
    from fazhi_desk.app import is_gui_invocation

    if is_gui_invocation(args):
        from fazhi_desk.app import run_gui

        return run_gui(args)
    gc.enable()
    _attach_windows_console()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except Exception:  # pragma: no cover
                pass
    from fazhi_desk.app import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
