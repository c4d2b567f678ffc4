"""Another desk's change shows in this window within 5 seconds, without a restart (a server store)."""

from __future__ import annotations

import time

import pytest

from fazhi_desk.services import set_operator
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.store.db import Store
from tests.pg_fixtures import pg_server, pg_store_of, pg_templates  # noqa: F401
from tests.ui.helpers import YEARLY, open_window


@pytest.mark.postgres
def test_another_desks_edit_shows_within_5_seconds(qtbot, pg_templates, tmp_path):  # noqa: F811
    here = pg_store_of(pg_templates, "small", tmp_path / "ev")
    other = Store(here.url, tmp_path / "ev").open()
    set_operator("王敏")
    try:
        win = open_window(qtbot, here, tmp_path, year=2024)
        assert win.model.row_for(YEARLY).owner == ""
        qtbot.wait(500)  # the first poll records where the change log stands
        t0 = time.monotonic()
        set_fields(other, YEARLY, 2024, {"owner": "李强"}, user="李强")
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).owner == "李强", timeout=5000)
        assert time.monotonic() - t0 < 5
        assert "李强" in win.statusBar().currentMessage()
        from fazhi_desk.ui.backup_dialog import after_first_paint

        after_first_paint(win, delay_ms=0)  # what the program does after the first paint: nothing for a server store
        qtbot.wait(200)
        assert getattr(win, "_backup_handoff", None) is None and getattr(win, "_daily_backup_timer", None) is None
        win.close()
    finally:
        set_operator(None)
        other.close()
        here.close()


@pytest.mark.postgres
def test_a_desk_recording_the_same_name_is_another_desk_and_this_desks_own_saves_are_not(qtbot, pg_templates,  # noqa: F811
                                                                                         tmp_path):
    """Two desks set up with one 操作人 name (or both left at the same login name) still see each other's changes:
    a desk knows its own change-log entries by id, not by name."""
    from tests.conftest import wait_idle

    here = pg_store_of(pg_templates, "small", tmp_path / "ev")
    other = Store(here.url, tmp_path / "ev").open()
    set_operator("王敏")
    try:
        win = open_window(qtbot, here, tmp_path, year=2024)
        qtbot.wait(500)  # the first poll records where the change log stands
        win.apply_edit(YEARLY, 2024, {"note": "这台电脑写的"})
        wait_idle(qtbot)
        assert here.own_log_ids  # this desk's own entry, by id
        win._remote_changes.poll()
        wait_idle(qtbot)
        assert "其他电脑" not in win.statusBar().currentMessage()  # its own save is not another desk's
        set_fields(other, YEARLY, 2024, {"owner": "同名的另一台电脑"}, user="王敏")
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).owner == "同名的另一台电脑", timeout=5000)
        assert "王敏" in win.statusBar().currentMessage()
        win.close()
    finally:
        set_operator(None)
        other.close()
        here.close()


@pytest.mark.postgres
def test_a_stale_view_is_told_who_changed_the_item_and_shows_the_new_values(qtbot, pg_templates, tmp_path,  # noqa: F811
                                                                            monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.conftest import wait_idle

    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append(self.text()) or 0)
    here = pg_store_of(pg_templates, "small", tmp_path / "ev")
    other = Store(here.url, tmp_path / "ev").open()
    try:
        win = open_window(qtbot, here, tmp_path, year=2024)
        win._remote_changes.timer.stop()  # the view stays as it was read (between two polls)
        win.apply_edit(YEARLY, 2024, {"owner": "王敏"})  # this desk's own edits go through, one after another
        win.apply_edit(YEARLY, 2024, {"note": "第一次"})
        wait_idle(qtbot)
        assert not seen
        set_fields(other, YEARLY, 2024, {"note": "另一台电脑写的"}, user="李强")
        win.apply_edit(YEARLY, 2024, {"note": "这台电脑写的"})
        wait_idle(qtbot)
        qtbot.waitUntil(lambda: win.model.row_for(YEARLY).note == "另一台电脑写的", timeout=5000)
        assert len(seen) == 1 and "另一台电脑" in seen[0] and "李强" in seen[0] and "刚刚修改了此事项" in seen[0]
        with other.session() as s:
            from fazhi_desk.services.checklist import load_row

            assert load_row(s, YEARLY, 2024).note == "另一台电脑写的"  # never overwritten
        win.close()
    finally:
        other.close()
        here.close()
