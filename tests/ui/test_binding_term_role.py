"""In the window: the profile dialog proposes the county's documents, the tree counts only them, the role
filter, the expired-term notice with its import button, and the question a newly imported document asks."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from fazhi_desk.catalogue.schema import bundled_catalogues, dump_catalogue_json
from fazhi_desk.domain.model import TownshipRole
from fazhi_desk.services.profile import OfficeProfile, get_profile, set_profile
from fazhi_desk.ui.dialogs import ProfileDialog
from fazhi_desk.ui.import_dialog import import_catalogue_interactive
from tests.conftest import make_catalogue
from tests.ui.helpers import open_window

TODAY = dt.date(2026, 3, 1)


def test_first_start_dialog_proposes_the_documents_of_the_county(qtbot):
    docs = [c.document for c in bundled_catalogues()]
    dlg = ProfileDialog(OfficeProfile(), None, first_start=True, documents=docs)
    qtbot.addWidget(dlg)
    assert set(dlg.doc_checks) == {"SZ2015", "ZS2022"}
    dlg.office.setText("乾佑街道办事处")
    dlg.county.setText("柞水县")
    assert dlg.chosen_documents() == ["ZS2022"] and "柞水县" in dlg.docs_hint.text()
    dlg.county.setText("苏州市吴中区")
    assert dlg.chosen_documents() == ["SZ2015"]
    dlg.doc_checks["ZS2022"].setChecked(True)  # the user's own choice is kept from now on
    dlg.county.setText("柞水县")
    assert dlg.chosen_documents() == ["SZ2015", "ZS2022"]
    assert dlg.values()["binding_documents"] == ["SZ2015", "ZS2022"]
    # a profile that has chosen shows its choice, not a proposal
    dlg2 = ProfileDialog(OfficeProfile("某镇", "苏州市", binding_documents=("ZS2022",)), None, documents=docs)
    qtbot.addWidget(dlg2)
    assert dlg2.chosen_documents() == ["ZS2022"]


def test_tree_counts_only_binding_documents_and_filters_by_role(qtbot, store, tmp_path):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    win = open_window(qtbot, store, tmp_path, 2025, TODAY)
    panel = win.checklist
    shown = {r.item_id for r in win.model.visible_rows()}
    assert shown and all(i.startswith("ZS2022-") for i in shown)
    assert "ZS2022-09-01" not in shown  # 仅供了解
    panel.other_docs_check.setChecked(True)
    assert any(r.item_id.startswith("SZ2015-") for r in win.model.visible_rows())
    panel.other_docs_check.setChecked(False)
    panel.doc_combo.setCurrentIndex(panel.doc_combo.findData("SZ2015"))  # shown on demand
    assert {r.item.doc_code for r in win.model.visible_rows()} == {"SZ2015"}
    panel.doc_combo.setCurrentIndex(0)
    panel.role_combo.setCurrentIndex(panel.role_combo.findData("仅供了解"))
    info = {r.item_id for r in win.model.visible_rows()}
    assert "ZS2022-09-01" in info and all(r.item.township_role is TownshipRole.INFO for r in win.model.visible_rows())
    panel.role_combo.setCurrentIndex(panel.role_combo.findData("牵头"))
    assert {r.item_id for r in win.model.visible_rows()} == {"ZS2022-28-02", "ZS2022-30-01"}
    assert win.select_item("ZS2022-28-02")
    assert win.detail.lbl_role.text().startswith("牵头")
    assert not panel.term_notice.isVisible()


def test_after_the_term_the_year_says_so_and_offers_the_import(qtbot, store, tmp_path, monkeypatch):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    win = open_window(qtbot, store, tmp_path, 2026, TODAY)
    notice = win.checklist.term_notice
    assert notice.isVisible()
    assert "《柞水县法治政府建设实施方案(2022—2025年)》施行期限已于2025年届满\uff0c请导入新的方案" in \
        win.checklist.term_label.text()
    assert not any(r.due or r.overdue for r in win.model.visible_rows())
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: asked.append(a) or ("", "")))
    qtbot.mouseClick(win.checklist.term_import, Qt.MouseButton.LeftButton)
    assert asked  # the import's file dialog opened
    win.checklist.year_combo.setCurrentIndex(win.checklist.year_combo.findData(2025))
    qtbot.waitUntil(lambda: win.year() == 2025 and not notice.isVisible(), timeout=10000)


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No])
def test_a_newly_imported_document_asks_whether_it_binds(qtbot, store, tmp_path, monkeypatch, answer):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    parent = QWidget()
    qtbot.addWidget(parent)
    f = tmp_path / "new.json"
    f.write_text(dump_catalogue_json(make_catalogue("AA2026", "1.0", 2026)), "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(f), "")))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *a, **k: None))
    questions = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda p, t, text, *a, **k: questions.append(text) or answer))
    flow = import_catalogue_interactive(parent, store)
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.isVisible(), timeout=10000)
    with qtbot.waitSignal(flow.finished, timeout=10000) as blocker:
        qtbot.mouseClick(flow.dialog.apply_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["applied"]
    assert len(questions) == 1 and "测试文件" in questions[0] and "约束本单位" in questions[0]
    want = ("AA2026", "ZS2022") if answer == QMessageBox.StandardButton.Yes else ("ZS2022",)
    assert get_profile(store).binding_documents == want


def test_a_drafted_document_without_issuer_is_listed_with_its_doc_number(qtbot):
    """A plan drafted with its 发文字号 but no 发文机关 is listed as 〔2026〕1号, not by its code alone."""
    import dataclasses

    docs = [dataclasses.replace(c.document, code="ZS2026", doc_number="柞法治委发〔2026〕1号", issuer="")
            for c in bundled_catalogues()][:1]
    dlg = ProfileDialog(OfficeProfile(), None, first_start=True, documents=docs)
    qtbot.addWidget(dlg)
    assert "柞法治委发〔2026〕1号" in dlg.doc_checks["ZS2026"].text()
