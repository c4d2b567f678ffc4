"""The last session's year, shown at start before the store is open: read-only, discarded when the store changed."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from fazhi_desk.paths import DataDir
from fazhi_desk.services.checklist import ChecklistRow, load_year, set_fields
from fazhi_desk.ui.main_window import MainWindow
from fazhi_desk.year_snapshot import (
    LOCATION_NAME,
    SnapshotRow,
    read_snapshot,
    snapshot_path,
    write_snapshot,
)
from tests.ui.helpers import ONCE, TODAY, YEARLY

ROOT = Path(__file__).resolve().parents[2]


def data_of(store) -> DataDir:
    data = DataDir(Path(store.db_path).parent)
    assert data.db == Path(store.db_path)
    return data


def year_rows(store, year=2024) -> list[ChecklistRow]:
    with store.session() as s:
        return load_year(s, year, TODAY)


def test_written_and_read_back_without_sqlalchemy(small_store):
    set_fields(small_store, YEARLY, 2024, {"owner": "王小明", "status": "进行中"})
    rows = year_rows(small_store)
    data = data_of(small_store)
    assert write_snapshot(data, 2024, rows)
    code = ("import sys; from pathlib import Path; from fazhi_desk.paths import DataDir; "
            "from fazhi_desk.year_snapshot import read_snapshot; "
            f"s = read_snapshot(DataDir(Path({str(data.root)!r})), 2024); "
            "r = next(r for r in s.rows if r.item_id == sys.argv[1]); "
            "print(len(s.rows), r.owner, r.status_text, r.item.requirement[:4], 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, YEARLY], capture_output=True, text=True, cwd=ROOT, check=True)
    yearly = next(r for r in rows if r.item_id == YEARLY)
    assert out.stdout.split() == [str(len(rows)), "王小明", yearly.status_text, yearly.item.requirement[:4], "False"]
    # every value the views read is there, derived ones included
    snap = read_snapshot(data, 2024)
    s = next(r for r in snap.rows if r.item_id == YEARLY)
    for name in ("item", "document", "year", "status", "owner", "completion", "evidence_count", "due", "overdue",
                 "status_text", "in_scope", "binding", "needs_review"):
        assert getattr(s, name) == getattr(yearly, name), name
    assert s.carried_from("owner") == yearly.carried_from("owner")


def test_a_store_written_since_another_year_a_server_or_a_damaged_file_shows_nothing(small_store):
    data = data_of(small_store)
    assert write_snapshot(data, 2024, year_rows(small_store))
    assert read_snapshot(data, 2024) is not None
    assert read_snapshot(data, 2025) is None  # another year
    set_fields(small_store, ONCE, 2024, {"owner": "李强"})  # the store changed after the snapshot
    assert read_snapshot(data, 2024) is None
    assert write_snapshot(data, 2024, year_rows(small_store))
    (data.root / LOCATION_NAME).write_text("{}", encoding="utf-8")  # the store is on a server now
    assert read_snapshot(data, 2024) is None
    (data.root / LOCATION_NAME).unlink()
    assert read_snapshot(data, 2024) is not None
    snapshot_path(data).write_bytes(b"\x80\x05 damaged")
    assert read_snapshot(data, 2024) is None


def test_only_domain_types_are_unpickled(small_store, tmp_path):
    data = data_of(small_store)
    assert write_snapshot(data, 2024, year_rows(small_store))
    fmt, version, year, _rows = pickle.loads(snapshot_path(data).read_bytes())
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    snapshot_path(data).write_bytes(pickle.dumps((fmt, version, year, [Evil()])))
    assert read_snapshot(data, 2024) is None
    assert not marker.exists()


def test_no_snapshot_of_rows_that_are_themselves_a_snapshot(small_store):
    data = data_of(small_store)
    assert write_snapshot(data, 2024, year_rows(small_store))
    snap = read_snapshot(data, 2024)
    assert not write_snapshot(data, 2024, snap.rows)
    assert not snapshot_path(data).exists()


def test_window_shows_the_snapshot_read_only_then_the_stores_rows(qtbot, small_store, tmp_path):
    data = data_of(small_store)
    assert write_snapshot(data, 2024, year_rows(small_store))
    snap = read_snapshot(data, 2024)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2024)
    win = MainWindow(None, settings, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    assert win.show_snapshot(2024, snap.rows)
    assert isinstance(win.model.rows()[0], SnapshotRow)
    assert "上次关闭时" in win.checklist.loading_label.text() and win.checklist.loading_label.isVisibleTo(win)
    assert win.select_item(YEARLY) and win.current_item_id() == YEARLY  # selected and read
    assert win.detail._row is not None and win.detail._row.item_id == YEARLY
    assert not win.detail.isEnabled()  # nothing to edit until the store's rows are in
    win.set_store(small_store)
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.start()
    assert isinstance(win.model.rows()[0], ChecklistRow)
    assert not win.checklist.showing_snapshot and win.detail.isEnabled()
    assert win.current_item_id() == YEARLY  # the selection carried over


def test_the_panel_refuses_a_snapshot_of_another_year_or_once_the_store_is_open(qtbot, small_store, tmp_path):
    data = data_of(small_store)
    assert write_snapshot(data, 2024, year_rows(small_store))
    snap = read_snapshot(data, 2024)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2023)
    win = MainWindow(None, settings, today=TODAY)
    qtbot.addWidget(win)
    assert not win.show_snapshot(2024, snap.rows)
    win.checklist.store = small_store
    assert not win.checklist.show_snapshot(2023, snap.rows)
    win.checklist.store = None


def test_a_start_shows_the_snapshot_before_the_store_opens_and_writes_it_again_at_close(qtbot, templates, tmp_path,
                                                                                         monkeypatch):
    from fazhi_desk import __version__
    from fazhi_desk.ui.backup_dialog import FirstStartDialog
    from fazhi_desk.ui.dialogs import ProfileDialog

    monkeypatch.setattr(ProfileDialog, "exec", lambda self: 0)  # the small store has no office profile
    monkeypatch.setattr("fazhi_desk.ui.application.SNAPSHOT_DELAY_MS", 50)
    monkeypatch.setattr(FirstStartDialog, "exec", lambda self: FirstStartDialog.NEW)
    from fazhi_desk.store.db import open_store
    from fazhi_desk.ui.application import close_store, open_main_window, write_snapshot as write_at_close
    from tests.conftest import small_data_dir

    data = small_data_dir(templates, tmp_path / "d")
    store = open_store(data)
    year = 2024
    try:
        set_fields(store, YEARLY, year, {"owner": "王小明"})
        rows = year_rows(store, year)
    finally:
        store.close()
    assert write_snapshot(data, year, rows)
    QSettings(str(data.root / "window.ini"), QSettings.Format.IniFormat).setValue("view/year", year)
    app, win = open_main_window(data, __version__)
    qtbot.addWidget(win)
    seen = []
    win.checklist.loaded.connect(lambda _y: seen.append("store"))
    try:
        assert win.year() == year
        qtbot.waitUntil(lambda: win.checklist.showing_snapshot or bool(seen), timeout=30000)
        assert not seen and win.store is None  # the snapshot came first, before the store was open
        assert win.checklist.model.row_for(YEARLY).owner == "王小明"
        snapshot_path(data).unlink()
        qtbot.waitUntil(lambda: bool(seen), timeout=30000)
        assert not win.checklist.showing_snapshot and win.store is not None
        # written again while the window is open, once every operation has ended (a start after a crash has one)
        qtbot.waitUntil(lambda: read_snapshot(data, year) is not None, timeout=30000)
        win.apply_edit(YEARLY, year, {"owner": "李强"})
        qtbot.waitUntil(lambda: win.checklist.model.row_for(YEARLY).owner == "李强", timeout=30000)
        qtbot.waitUntil(lambda: getattr(read_snapshot(data, year), "rows", None) is not None
                        and next(r for r in read_snapshot(data, year).rows if r.item_id == YEARLY).owner == "李强",
                        timeout=30000)
        from fazhi_desk.tasks import runner

        qtbot.waitUntil(lambda: not runner().running(), timeout=30000)  # the day's backup, the profile …
    finally:
        win.close()
        close_store(win)
    snapshot_path(data).unlink()
    write_at_close(win, data)  # as start() does once the store is closed
    again = read_snapshot(data, year)
    assert again is not None and {r.item_id for r in again.rows} == {r.item_id for r in win.model.rows()}


def test_a_snapshot_row_answers_everything_a_checklist_row_does(small_store):
    """The views read a snapshot's rows as ChecklistRows: every field, property and method is there."""
    rows = year_rows(small_store)
    data = data_of(small_store)
    assert write_snapshot(data, 2024, rows)
    snap = read_snapshot(data, 2024)
    names = {n for n in dir(ChecklistRow) if not n.startswith("_")} | {f for f in ChecklistRow.__dataclass_fields__}
    missing = sorted(n for n in names if not hasattr(snap.rows[0], n))
    assert not missing, f"SnapshotRow lacks {missing}: add them to fazhi_desk.year_snapshot.SnapshotRow"
    for live, kept in zip(rows, snap.rows):
        assert kept.behind_schedule(TODAY) == live.behind_schedule(TODAY)
        assert kept.carried_from("owner") == live.carried_from("owner")
