"""Choosing another item by search: nothing preselected, OK only with a chosen item, keys lead from search to list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from fazhi_desk.ui.item_picker import ItemPickerDialog

ITEMS = [("SZ2015-04-01", "每年组织领导班子集中学法不少于4次"), ("SZ2015-04-02", "每年法治培训不少于40学时"),
         ("ZS2022-03-01", "规范性文件发布后15日内报送备案")]


def test_nothing_is_preselected_and_search_narrows_the_list(qtbot):
    dlg = ItemPickerDialog("同时用于其他事项", "选择事项", ITEMS)
    qtbot.addWidget(dlg)
    dlg.show()
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dlg.chosen() is None and not ok.isEnabled()  # an unrelated first item is not offered as the answer
    qtbot.keyClicks(dlg.search, "SZ2015")
    assert [dlg.list.item(r).isHidden() for r in range(3)] == [False, False, True]
    qtbot.keyClick(dlg.search, Qt.Key.Key_Down)
    assert dlg.focusWidget() is dlg.list and dlg.chosen() == "SZ2015-04-01" and ok.isEnabled()
    dlg.search.setText("zs2022 15")
    assert dlg.chosen() is None and not ok.isEnabled()  # the selection was filtered out
    qtbot.keyClick(dlg.search, Qt.Key.Key_Return)  # a single hit: Enter takes it
    assert dlg.result() == ItemPickerDialog.DialogCode.Accepted and dlg.chosen() == "ZS2022-03-01"
