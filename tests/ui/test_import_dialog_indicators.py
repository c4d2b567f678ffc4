"""The import preview of a catalogue that changes only its statistics indicators: reviewed, then applied."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.domain.statistics import Indicator
from fazhi_desk.services.statistics import indicators
from fazhi_desk.ui.import_dialog import import_catalogue_interactive
from tests.conftest import make_catalogue


def test_indicator_only_change_is_previewed_and_applied(qtbot, small_store, tmp_path, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda p, t, text, *a, **k: seen.append(text)))
    inds = (Indicator("TT_PERMITS", "办理件数", "件", "行政许可", ("TT2020-01-01",), "", "TT2020"),
            Indicator("TT_STUDY", "集中学法次数", "次", "学法", (), "TT2020-01-01", "TT2020"))
    p = tmp_path / "v.json"  # the installed version 1.0, the same items, two indicators more
    p.write_text(dump_catalogue_json(dataclasses.replace(make_catalogue(), indicators=inds)), "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(p), "")))
    flow = import_catalogue_interactive(parent, small_store)
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10000)
    dlg = flow.dialog
    tabs = [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())]
    assert tabs[-1] == "统计指标\uff082\uff09" and dlg.tabs.currentIndex() == len(tabs) - 1
    tree = dlg.findChild(QWidget, "indicatorList")
    assert [tree.topLevelItem(i).text(0) for i in range(2)] == ["TT_PERMITS", "TT_STUDY"]
    assert tree.topLevelItem(0).text(1) == "新增" and tree.topLevelItem(0).text(2) == "行政许可·办理件数(件)"
    assert "统计指标:新增 2 项,修改 0 项,删除 0 项" in dlg.findChild(QWidget, "summary").text()
    assert "版本号仍是 1.0" in dlg.findChild(QWidget, "warnings").text()
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        qtbot.mouseClick(dlg.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["applied"] and "已导入" in seen[-1]
    with small_store.session() as s:
        assert {"TT_PERMITS", "TT_STUDY"} <= {i.code for i in indicators(s)}
