"""A catalogue import and 撤销此次导入 in the window of a desk whose store is on a PostgreSQL server.

A real desk is moved onto the session's private server (the real ``move_to``); the real main window opens it.
The import dialog imports a catalogue (its before-import backup goes to this desk's ``backups/``), then
撤销此次导入 (what the window's 目录版本历史 runs) lists the import, is confirmed, and puts the server's rows
back as they were before the import; the window works on the server again afterwards.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from fazhi_desk.backup.auto import backup_kind
from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.services import set_operator
from fazhi_desk.services.location import move_to, read_location
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.ui import backup_dialog as bd
from fazhi_desk.ui.import_dialog import import_catalogue_interactive
from fazhi_desk.ui.main_window import MainWindow
from tests.backup.helpers import make_workspace
from tests.conftest import make_catalogue
from tests.pg_fixtures import dump_rows, pg_server  # noqa: F401

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _no_operator_after():
    yield
    set_operator(None)


def test_import_and_undo_it_in_the_window_of_a_server_desk(qtbot, pg_server, tmp_path, monkeypatch):  # noqa: F811
    data = make_workspace(tmp_path / "desk", n_files=1)
    move_to(data, pg_server.url(pg_server.create_database()), tmp_path / "shared", "王敏")
    assert read_location(data).on_server
    store = open_workspace(data)
    assert store.db_path is None
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=20000):
        win.start()
    seen: list[str] = []
    answers: list[str] = []

    def fake_exec(box) -> int:  # noqa: ANN001
        seen.append(f"{box.windowTitle()}|{box.text()}\n{box.informativeText()}")
        want = answers.pop(0) if answers else None
        for button in box.buttons():
            if want is not None and button.text().replace("&", "") == want:
                button.click()
                break
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a, **k: seen.append(f"{title}|{text}"))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a, **k: seen.append(f"{title}|{text}"))
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(src), "")))
    try:
        before = dump_rows(win.store)
        flow = import_catalogue_interactive(win, win.store)
        qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=20000)
        with qtbot.waitSignal(flow.finished, timeout=30000) as blocker:
            qtbot.mouseClick(flow.dialog.apply_button, Qt.MouseButton.LeftButton)
        assert blocker.args == ["applied"], seen
        assert any("已导入" in t for t in seen), seen
        made = [p for p in data.backups.glob("*.fzbak") if (backup_kind(p) or ("",))[0] == "before-import"]
        assert len(made) == 1
        assert any("TT2020" in r for r in dump_rows(win.store))

        answers.append("撤销此次导入")
        undone: list[bool] = []
        bd.undo_import_interactive(win, win, data, on_done=undone.append)
        qtbot.waitUntil(lambda: bool(undone), timeout=30000)
        assert undone == [True], seen
        assert any("TT2020 版本 1.0" in t and "确定撤销" in t for t in seen)
        assert win.store is not None and win.store.db_path is None  # the window works on the server again
        rows = dump_rows(win.store)
        undo_lines = [r for r in rows if "撤销导入" in r]
        assert len(undo_lines) == 1 and "王敏" in undo_lines[0]
        restored = [r for r in rows if r.startswith("change_log:") and "'restore'" in r]
        assert len(restored) == 1 and "导入目录前自动" in restored[0]  # the backup put back, in the log too
        assert [r for r in rows if r not in undo_lines and r not in restored] == before
        assert not any("Traceback" in t or "内部错误" in t for t in seen)
    finally:
        s = win.detach_store()
        if s is not None:
            s.close()
        win.close()
