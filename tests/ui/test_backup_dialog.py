"""备份与恢复 in the real window: back up now, restore and see the restored data, first start, status bar, 回收站."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton

from fazhi_desk.backup import create_backup
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.tasks import runner
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.ui import backup_dialog as bd
from fazhi_desk.ui.main_window import MainWindow
from tests.backup.helpers import make_workspace, state


def open_window(qtbot, data: DataDir, tmp_path):
    store = open_workspace(data)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/year", 2025)
    win = MainWindow(store, settings)
    qtbot.addWidget(win)
    win._update_title()
    win.show()
    with qtbot.waitSignal(win.year_loaded, timeout=10000):
        win.start()
    return win


def click_in_modal(qtbot, text: str, seen: list[str] | None = None) -> None:
    """When the next modal dialog shows, press its button labelled ``text`` (and note its texts)."""

    def press():
        w = QApplication.activeModalWidget()
        if w is None:
            QTimer.singleShot(20, press)
            return
        if seen is not None and isinstance(w, QMessageBox):
            seen.append(w.text() + "\n" + w.informativeText())
        for b in w.findChildren(QPushButton):
            if b.text().replace("&", "") == text:
                b.click()
                return
        QTimer.singleShot(20, press)

    QTimer.singleShot(0, press)


@pytest.fixture(autouse=True)
def quiet_boxes(monkeypatch):
    infos: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: infos.append(text))
    return infos


def test_backup_now_from_the_dialog_writes_a_verified_file(qtbot, tmp_path, monkeypatch, quiet_boxes):
    data = make_workspace(tmp_path / "data", n_files=3)
    win = open_window(qtbot, data, tmp_path)
    out = tmp_path / "U盘" / "备份.fzbak"
    out.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    win.act_backup.trigger()
    dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, bd.BackupDialog))
    qtbot.addWidget(dlg)
    assert "从未备份" in dlg.status.text()
    dlg.btn_backup.click()
    qtbot.waitUntil(lambda: any("已备份到" in t for t in quiet_boxes), timeout=20000)
    assert out.is_file()
    from fazhi_desk.backup import verify_backup

    assert verify_backup(JobContext(), out).manifest.office_name == "乾佑街道办事处"
    dlg.close()
    win.store.close()  # the window does not close the store it was given


def test_restore_in_the_window_shows_the_restored_data_without_restart(qtbot, tmp_path, quiet_boxes):
    other = make_workspace(tmp_path / "other", n_files=2, seed=4, office="营盘镇")
    backup = create_backup(JobContext(), other, tmp_path / "other.fzbak").path
    data = make_workspace(tmp_path / "data", n_files=3)
    win = open_window(qtbot, data, tmp_path)
    assert "乾佑街道办事处" in win.windowTitle()
    seen: list[str] = []
    click_in_modal(qtbot, "恢复", seen)
    bd.restore_interactive(win, win, data, str(backup))
    qtbot.waitUntil(lambda: "营盘镇" in win.windowTitle(), timeout=20000)
    assert "备份中的数据" in seen[0] and "营盘镇" in seen[0] and "乾佑街道办事处" in seen[0]
    qtbot.waitUntil(lambda: win.model.rowCount() > 0, timeout=10000)
    win.detach_store().close()  # the store keeps the database to itself while open
    assert state(data) == state(other)
    assert any(p.name.endswith("恢复前自动.fzbak") for p in data.backups.iterdir())


def test_first_start_offers_restore_beside_new_and_says_how_to_move(qtbot, tmp_path, monkeypatch, quiet_boxes):
    other = make_workspace(tmp_path / "old-pc", n_files=2, seed=4, office="营盘镇")
    backup = create_backup(JobContext(), other, tmp_path / "old.fzbak").path
    data = DataDir(tmp_path / "new-pc")
    win = open_window(qtbot, data, tmp_path)
    dlg = bd.FirstStartDialog(win)
    qtbot.addWidget(dlg)
    assert dlg.btn_new.text() == "新建" and dlg.btn_restore.text() == "从备份恢复…"
    help_text = next(lb.text() for lb in dlg.findChildren(bd.QLabel) if "三步" in lb.text())
    assert help_text.count("<li>") == 3
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(backup), ""))
    click_in_modal(qtbot, "从备份恢复…")
    QTimer.singleShot(300, lambda: click_in_modal(qtbot, "恢复"))
    bd.first_start(win)
    qtbot.waitUntil(lambda: "营盘镇" in win.windowTitle(), timeout=20000)
    win.detach_store().close()
    assert state(data) == state(other)


def test_status_bar_warns_until_the_daily_backup_is_taken(qtbot, tmp_path):
    data = make_workspace(tmp_path / "data", n_files=1)
    win = open_window(qtbot, data, tmp_path)
    bd.show_backup_status(win)  # read off the UI thread
    qtbot.waitUntil(lambda: "还没有任何备份" in win._backup_warning.text(), timeout=10000)
    assert win._backup_warning.isVisible()
    job = bd.start_daily_backup(win)
    assert job is not None
    qtbot.waitUntil(lambda: not win._backup_warning.isVisible(), timeout=20000)
    assert [p for p in data.backups.iterdir() if p.name.endswith("每日自动.fzbak")]
    assert bd.start_daily_backup(win) is None  # once a day
    win.store.close()


def test_the_daily_backup_waits_for_a_store(qtbot, tmp_path):
    """Its timer may fire while the window is closing (the store detached): nothing happens, no error."""
    data = make_workspace(tmp_path / "data", n_files=1)
    win = open_window(qtbot, data, tmp_path)
    store = win.detach_store()
    store.close()
    assert bd.start_daily_backup(win) is None
    bd.show_backup_status(win)
    assert list(data.backups.iterdir()) == []


def test_trash_dialog_restores_a_removed_file(qtbot, tmp_path):
    from fazhi_desk.services import evidence as ev
    from fazhi_desk.ui.trash_dialog import TrashDialog

    data = make_workspace(tmp_path / "data", n_files=3)
    win = open_window(qtbot, data, tmp_path)
    e = ev.list_evidence(win.store, "SZ2015-01-01", 2025)[0]
    ev.unlink(win.store, e.link_id)
    dlg = TrashDialog(win.store, win)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1, timeout=10000)  # read in the background
    assert dlg.table.item(0, 0).text() == e.original_name
    assert "可恢复" in dlg.table.item(0, 6).text()
    dlg.table.selectRow(0)
    with qtbot.waitSignal(dlg.restored):
        dlg.restore_button.click()
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 0, timeout=10000)
    assert dlg.empty.isVisibleTo(dlg)
    assert e.original_name in [x.original_name for x in ev.list_evidence(win.store, "SZ2015-01-01", 2025)]
    qtbot.waitUntil(lambda: not runner().running(), timeout=10000)  # the window's refresh of the restored item
    win.store.close()


def test_render_the_dialog(qtbot, tmp_path):
    data = make_workspace(tmp_path / "data", n_files=2)
    create_backup(JobContext(), data, reason="daily")
    dlg = bd.BackupDialog(data)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.table.rowCount() == 1 and "每日自动备份" in dlg.table.item(0, 1).text()
    out = Path(tmp_path / "dialog.png")
    assert dlg.grab().save(str(out)) and out.stat().st_size > 0


@pytest.mark.parametrize("typed", ["备份.fzbak/U盘/", ".fzbak", "U盘/.hidden"])
def test_a_mistyped_backup_name_is_refused_and_asked_again(qtbot, tmp_path, monkeypatch, quiet_boxes, typed):
    """A folder typed after the suggested name, or a name starting with a dot, writes nothing and says why."""
    data = make_workspace(tmp_path / "data", n_files=1)
    win = open_window(qtbot, data, tmp_path)
    usb = tmp_path / "U盘"
    usb.mkdir()
    answers = [str(usb) + "/" + typed, str(usb / "好.fzbak")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (answers.pop(0), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    bd.backup_now(win, data, store=win.store)
    qtbot.waitUntil(lambda: any("已备份到" in t for t in quiet_boxes), timeout=20000)
    assert len(warnings) == 1 and "备份文件名" in warnings[0], warnings
    assert sorted(p.name for p in usb.iterdir()) == ["好.fzbak"]  # no folder made, no hidden file
    win.store.close()


@pytest.mark.parametrize("typed", ["备份.fzbak/U盘/", ".fzbak", "sub/.x.fzbak"])
def test_create_backup_refuses_a_name_ending_in_a_separator_or_starting_with_a_dot(tmp_path, typed):
    from fazhi_desk.errors import UserError

    data = make_workspace(tmp_path / "data", n_files=1)
    usb = tmp_path / "U盘"
    usb.mkdir()
    with pytest.raises(UserError, match="备份文件名"):
        create_backup(JobContext(), data, str(usb) + "/" + typed)
    assert list(usb.iterdir()) == []


def test_undo_import_confirmation_never_says_none_year(tmp_path):
    """An item-wide change after the import (its review confirmed: no year) is listed without 'None 年'."""
    from fazhi_desk.backup.undo_import import undo_preview
    from fazhi_desk.catalogue.schema import dump_catalogue_json
    from fazhi_desk.services.catalogue import apply_import, confirm_review, preview_import
    from tests.conftest import make_catalogue

    ws = make_workspace(tmp_path / "data", n_files=0)
    src = tmp_path / "新目录.json"
    src.write_text(dump_catalogue_json(make_catalogue()), encoding="utf-8")
    store = open_workspace(ws)
    try:
        apply_import(store, preview_import(store, src))
        from fazhi_desk.store.models import ItemRow

        with store.transaction() as s:
            s.get(ItemRow, "TT2020-01-01").needs_review = True  # as a reworded item arrives
        assert confirm_review(store, "TT2020-01-01")
    finally:
        store.close()
    text = undo_preview(ws).text()
    assert "TT2020-01-01" in text and "None" not in text, text
