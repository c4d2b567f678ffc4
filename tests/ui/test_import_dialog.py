"""The import/export dialogs over a real store: preview tabs and side-by-side changes, apply, cancel,
no-change, bad file, downgrade, export, version history."""

from __future__ import annotations

import dataclasses
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from sqlalchemy import select

from fazhi_desk.catalogue.excel import write_template
from fazhi_desk.catalogue.excel_reader import read_template
from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.services.catalogue import installed_catalogues
from fazhi_desk.store.models import ItemRow
from fazhi_desk.ui.import_dialog import (
    ImportPreviewDialog,
    VersionHistoryDialog,
    export_template_interactive,
    import_catalogue_interactive,
)
from tests.conftest import dump_db as dump, make_catalogue


@pytest.fixture
def parent(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def messages(monkeypatch):
    """Records information boxes and error boxes instead of showing them."""
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text, *a, **k: seen.append(text)))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append(self.text()) or 0)
    return seen


def pick(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def revised(tmp_path, version="1.1"):
    cat = make_catalogue(version=version)
    items = list(cat.items)
    items[0] = dataclasses.replace(items[0], requirement="每年组织集中学法不少于6次", target=6.0)
    del items[3]
    items.append(dataclasses.replace(items[1], item_id="TT2020-04-01", requirement="新增的事项"))
    p = tmp_path / f"修订-{version}.xlsx"
    write_template([dataclasses.replace(cat, items=tuple(items))], p)
    return p


def wait_dialog(qtbot, flow) -> ImportPreviewDialog:
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10000)
    return flow.dialog


def test_preview_shows_counts_and_side_by_side_change_then_apply(qtbot, parent, small_store, tmp_path, monkeypatch,
                                                                 messages):
    pick(monkeypatch, revised(tmp_path))
    flow = import_catalogue_interactive(parent, small_store)
    dlg = wait_dialog(qtbot, flow)
    tabs = [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]
    assert tabs == ["新增\uff081\uff09", "修改\uff081\uff09", "退役\uff081\uff09", "未变\uff083\uff09"]
    assert "版本 1.0 → 1.1" in dlg.findChild(QWidget, "summary").text()
    table = dlg.change_table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert rows["事项内容"] == ("每年组织集中学法不少于4次", "每年组织集中学法不少于6次")
    assert rows["目标值"] == ("4", "6")
    assert table.item(0, 0).font().bold() is False  # unchanged fields not highlighted
    assert dlg.findChild(QWidget, "addedList").topLevelItem(0).text(0) == "TT2020-04-01"
    assert dlg.findChild(QWidget, "removedList").topLevelItem(0).text(0) == "TT2020-02-02"
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["applied"]
    assert "已导入" in messages[-1] and "请复核" in messages[-1]
    with small_store.session() as s:
        assert s.get(ItemRow, "TT2020-01-01").needs_review
        assert s.get(ItemRow, "TT2020-02-02").retired_at is not None
        assert installed_catalogues(s)[0].document.version == "1.1"


def test_cancel_writes_nothing(qtbot, parent, small_store, tmp_path, monkeypatch, messages):
    before = dump(small_store)
    pick(monkeypatch, revised(tmp_path))
    flow = import_catalogue_interactive(parent, small_store)
    dlg = wait_dialog(qtbot, flow)
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["cancelled"]
    assert dump(small_store) == before


def test_identical_file_says_no_change(qtbot, parent, small_store, tmp_path, monkeypatch, messages):
    p = tmp_path / "same.json"
    p.write_text(dump_catalogue_json(make_catalogue()), "utf-8")
    pick(monkeypatch, p)
    flow = import_catalogue_interactive(parent, small_store)
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == ["unchanged"] and "没有变化" in messages[-1]
    assert flow.dialog is None


def test_bad_file_shows_every_problem_and_writes_nothing(qtbot, parent, small_store, tmp_path, monkeypatch, messages):
    import openpyxl

    p = revised(tmp_path)
    wb = openpyxl.load_workbook(p)
    wb["检查事项"]["K2"] = "每月"
    wb["检查事项"]["N3"] = "2025-02-30"
    wb.save(p)
    before = dump(small_store)
    details: list[str] = []
    texts: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda self: details.append(self.detailedText()) or texts.append(self.text()) or 0)
    pick(monkeypatch, p)
    flow = import_catalogue_interactive(parent, small_store)
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == ["failed"]
    assert "第 2 行 K 列“周期”" in details[-1] and "第 3 行 N 列“截止日期”" in details[-1]
    # the first problems are in the message itself, not only behind 显示详情
    assert "第 2 行 K 列“周期”" in texts[-1] and "第 3 行 N 列“截止日期”" in texts[-1]
    assert dump(small_store) == before


def test_downgrade_asks_and_no_means_nothing_changes(qtbot, parent, small_store, tmp_path, monkeypatch, messages):
    from fazhi_desk.services.catalogue import apply_import, preview_import

    apply_import(small_store, preview_import(small_store, revised(tmp_path, "1.1")))
    old = tmp_path / "old.json"
    old.write_text(dump_catalogue_json(make_catalogue()), "utf-8")
    before = dump(small_store)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda p, t, text, *a, **k: asked.append(text) or QMessageBox.StandardButton.No))
    pick(monkeypatch, old)
    flow = import_catalogue_interactive(parent, small_store)
    dlg = wait_dialog(qtbot, flow)
    assert dlg.apply_button.text() == "降级并应用"
    assert "降级" in dlg.findChild(QWidget, "warnings").text()
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["cancelled"] and "旧版本" in asked[0]
    assert dump(small_store) == before


def test_no_file_picked_does_nothing(parent, small_store, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    assert import_catalogue_interactive(parent, small_store) is None


@pytest.mark.parametrize("answer, empty", [(QMessageBox.StandardButton.Yes, False), (QMessageBox.StandardButton.No, True)])
def test_export_template(qtbot, parent, small_store, tmp_path, monkeypatch, messages, answer, empty):
    target = tmp_path / "导出"
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: answer))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    flow = export_template_interactive(parent, small_store)
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        pass
    assert blocker.args == ["exported"]
    out = tmp_path / "导出.xlsx"
    if empty:
        import openpyxl

        assert openpyxl.load_workbook(out)["检查事项"].max_row == 1 and "空白" in messages[-1]
    else:
        assert read_template(out) == [make_catalogue()] and "5 个检查事项" in messages[-1]
        assert re.search(r"已导出 \d+ 个来源文件", messages[-1]), messages[-1]  # not "已导出2 个"


def test_version_history_dialog_lists_versions(qtbot, small_store, tmp_path):
    from fazhi_desk.services.catalogue import apply_import, preview_import

    apply_import(small_store, preview_import(small_store, revised(tmp_path)), user="李四")
    dlg = VersionHistoryDialog(small_store)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.loaded, timeout=10000):
        dlg.show()
    t = dlg.table
    assert t.rowCount() == 2
    assert t.item(0, 1).text() == "1.1\uff08当前\uff09" and t.item(1, 1).text() == "1.0"
    assert t.item(0, 4).text() == "李四" and t.item(0, 5).text() == "修订-1.1.xlsx"
    assert "修改 1" in t.item(0, 6).text()
    with small_store.session() as s:
        assert s.scalar(select(ItemRow).where(ItemRow.item_id == "TT2020-04-01")) is not None
