"""The window shows the completion rule's new states: 未达标, 本年度未发生 and 已退役 (tree, item panel, dashboard)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt

from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.domain.model import Status
from fazhi_desk.services.catalogue import apply_import, preview_import
from fazhi_desk.services.checklist import set_fields
from tests.conftest import make_catalogue, wait_idle
from tests.ui.helpers import open_window

TODAY = dt.date.today()  # a catalogue import retires items from the year it happens in
Y = TODAY.year
YEARLY, ONCE, BIENNIAL, EVENT = "TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"


def _retire(store, tmp_path, *item_ids):
    cat = make_catalogue(version="1.1")
    cat = dataclasses.replace(cat, items=tuple(i for i in cat.items if i.item_id not in item_ids))
    f = tmp_path / "v1.1.json"
    f.write_text(dump_catalogue_json(cat), "utf-8")
    apply_import(store, preview_import(store, f))


def _open(qtbot, store, tmp_path):
    return open_window(qtbot, store, tmp_path, Y, TODAY)


def _status_cell(win, item_id):
    return win.model.index_for_item(item_id).siblingAtColumn(1).data()


def test_window_shows_below_target_no_event_and_retired(qtbot, small_store, tmp_path):
    st = small_store
    set_fields(st, ONCE, Y, {"owner": "张三"})  # owner only: dropped when the item is retired
    set_fields(st, BIENNIAL, Y, {"status": "进行中", "note": "已拟定清理方案"})
    set_fields(st, EVENT, Y, {"status": "本年度未发生", "note": "全年未制定规范性文件"})
    _retire(st, tmp_path, ONCE, BIENNIAL)
    win = _open(qtbot, st, tmp_path)

    # 已完成 with an actual below the target: the window saves it and says why it is 未达标
    assert win.select_item(YEARLY)
    win.detail.actual.setText("2")
    win.detail.actual.editingFinished.emit()
    wait_idle(qtbot)
    combo = win.detail.status
    combo.setCurrentIndex(combo.findData(Status.DONE.value))
    combo.activated.emit(combo.currentIndex())
    wait_idle(qtbot)
    assert win.model.row_for(YEARLY).status is Status.DONE  # saved
    assert _status_cell(win, YEARLY) == "未达标"
    assert win.detail.standing_lbl.isVisible()
    assert "低于目标值 4次" in win.detail.standing_lbl.text()
    # 本年度未发生 is offered for per-event items only
    k = combo.findData(Status.NO_EVENT.value)
    assert not combo.model().item(k).isEnabled()

    assert _status_cell(win, EVENT) == "本年度未发生"
    assert win.select_item(EVENT) and combo.model().item(k).isEnabled()
    assert not win.detail.standing_lbl.isVisible()

    assert _status_cell(win, BIENNIAL) == "进行中(已退役,版本 1.1)"  # as the guide describes it
    status_tip = win.model.index_for_item(BIENNIAL).siblingAtColumn(1).data(Qt.ItemDataRole.ToolTipRole)
    assert status_tip == "进行中(已退役,版本 1.1)"
    assert win.select_item(BIENNIAL)
    assert "已退役" in win.detail.standing_lbl.text() and "版本 1.1" in win.detail.standing_lbl.text()
    assert not win.model.index_for_item(ONCE).isValid()  # no assessment of substance: not listed

    s = win.show_dashboard().summary.total
    assert (s.done, s.below_target, s.no_event, s.retired, s.applicable) == (0, 1, 1, 1, 1)
    assert "本年度未发生 1 项、已退役 1 项" in win.dashboard.excluded.text()
    assert "未达标 1" in win.dashboard.excluded.text()
    win.grab().save(str(tmp_path / "states.png"))
