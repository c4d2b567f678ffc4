"""The fontconfig head start of the window's start (fazhi_desk.ui.font_warmup)."""

from __future__ import annotations

import threading

import pytest

from fazhi_desk.ui import font_warmup


@pytest.mark.parametrize("platform", ["win32", "darwin", "cygwin"])
def test_nothing_is_started_where_qt_has_no_fontconfig(platform: str) -> None:
    assert font_warmup.start(platform) is None


def test_the_thread_ends_without_an_error_even_with_no_fontconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    monkeypatch.setattr(font_warmup, "LIBRARY", "libno-such-fontconfig.so.1")
    t = font_warmup.start("linux")
    assert t is not None and t.daemon
    t.join(10)
    assert not t.is_alive() and errors == []

