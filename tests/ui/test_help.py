"""帮助 → 使用说明: the shipped guide has every section the program points to, and F1 / 帮助 open it there."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget

from fazhi_desk.services.evidence import VerifyReport
from fazhi_desk.services.profile import OfficeProfile
from fazhi_desk.ui.dialogs import CarryForwardDialog, ChangeLogDialog, ProfileDialog, SourceTextDialog
from fazhi_desk.ui.help import HELP_SECTION_PROPERTY, HelpWindow, Section, guide_anchors, guide_html, guide_path
from fazhi_desk.ui.import_dialog import VersionHistoryDialog
from fazhi_desk.ui.report_dialog import ReportDialog


def test_guide_is_shipped_and_has_every_section_the_program_opens():
    assert guide_path().is_file()
    anchors = guide_anchors()
    missing = [s for s in Section.all() if s not in anchors]
    assert not missing, f"sections the program points to but the guide lacks: {missing}"
    # every in-guide link leads to an existing section; nothing points outside (no network)
    links = re.findall(r'href="([^"]*)"', guide_html())
    assert links and all(h.startswith("#") and h[1:] in anchors for h in links), links


def test_guide_covers_the_years_routine_and_the_tree_markers():
    text = re.sub(r"<[^>]+>", "", guide_html())
    for words in ("填写单位信息", "选择年度", "逐项填写完成情况", "添加佐证材料", "导出年度报告", "导入县里下发的新目录",
                  "备份", "逾期", "待复核", "已退役", "未达标", "本年度未发生", "完成率", "备份与恢复", "LOCALAPPDATA"):
        assert words in text, words


def _dialogs(small_store) -> list[QWidget]:
    return [
        ProfileDialog(OfficeProfile()),
        SourceTextDialog("测试文件", "第一条 原文。", "原文"),
        ChangeLogDialog([], "变更记录"),
        CarryForwardDialog(2023, 2024),
        VersionHistoryDialog(small_store),
        ReportDialog(small_store, 2024),
        __import__("fazhi_desk.ui.evidence_panel", fromlist=["VerifyDialog"]).VerifyDialog(VerifyReport(checked=0, total_bytes=0)),
        __import__("fazhi_desk.ui.draft_dialog", fromlist=["DraftDialog"]).DraftDialog(small_store),
    ]


def test_every_dialog_opens_its_section_with_f1_and_the_help_button(qtbot, small_store):
    anchors = guide_anchors()
    for dlg in _dialogs(small_store):
        qtbot.addWidget(dlg)
        section = dlg.property(HELP_SECTION_PROPERTY)
        assert section in anchors, (type(dlg).__name__, section)
        dlg.show()
        qtbot.waitExposed(dlg)
        dlg.activateWindow()
        qtbot.waitUntil(lambda d=dlg: QApplication.activeWindow() is d)
        qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_F1)
        win = dlg.findChild(HelpWindow)
        assert win is not None and win.isVisible(), type(dlg).__name__
        assert win.section == section
        win.close()
        win.section = ""
        box = dlg.findChild(QDialogButtonBox, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if box is not None:  # a dialog with a button box has a 帮助 button in it
            assert box.button(QDialogButtonBox.StandardButton.Help) is not None, type(dlg).__name__
            box.button(QDialogButtonBox.StandardButton.Help).click()
            assert win.isVisible() and win.section == section
        win.close()
        dlg.close()


def test_links_inside_the_guide_scroll_to_their_section(qtbot):
    from fazhi_desk.ui.help import show_help

    parent = QWidget()
    qtbot.addWidget(parent)
    win = show_help(parent, Section.ROUTINE)
    assert win.section == Section.ROUTINE
    from PySide6.QtCore import QUrl

    win.browser.anchorClicked.emit(QUrl("#tree"))
    assert win.section == "tree"
    win.browser.anchorClicked.emit(QUrl("https://example.com/"))
    assert win.section == "tree"  # nothing outside the guide opens
    assert show_help(parent, Section.DATA) is win  # one guide window per top-level window
    QApplication.processEvents()
