"""File dialogs start in 文档 or the folder last used for the same purpose, never the working directory."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from fazhi_desk.ui import filedialogs
from fazhi_desk.ui.import_dialog import import_catalogue_interactive


@pytest.fixture(autouse=True)
def _no_remembered_folders():
    """QSettings keeps one file per process: forget folders other tests picked."""
    QSettings().remove("dirs")
    yield
    QSettings().remove("dirs")


def test_start_dir_is_documents_then_the_last_folder_of_that_purpose(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a double-clicked exe's working directory is the program folder
    first = filedialogs.start_dir(filedialogs.IMPORT)
    assert first == str(filedialogs.documents_dir()) and first != os.getcwd()
    used = tmp_path / "县里下发"
    used.mkdir()
    filedialogs.remember(filedialogs.IMPORT, used / "新目录.xlsx")
    assert filedialogs.start_dir(filedialogs.IMPORT) == str(used)
    assert filedialogs.start_dir(filedialogs.EVIDENCE) == first  # each purpose keeps its own
    used.rmdir()  # a folder that is gone: back to 文档
    assert filedialogs.start_dir(filedialogs.IMPORT) == first


def test_import_dialog_opens_where_the_last_import_came_from(qtbot, small_store, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda _p, _t, d, *a, **k: seen.append(d) or ("", "")))
    import_catalogue_interactive(parent, small_store)
    assert seen[-1] == str(filedialogs.documents_dir())
    filedialogs.remember(filedialogs.IMPORT, tmp_path / "x.xlsx")
    import_catalogue_interactive(parent, small_store)
    assert seen[-1] == str(tmp_path)
