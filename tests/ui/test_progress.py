"""The progress dialog writes its percentage under the text; the bar draws none over it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar

from fazhi_desk.tasks import ProgressDialog


def test_percentage_is_a_line_of_the_label_not_text_inside_the_bar(qtbot):
    dlg = ProgressDialog("正在复制“签到表.pdf”……", "取消", 0, 1000)
    qtbot.addWidget(dlg)
    bar = dlg.findChild(QProgressBar)
    assert not bar.isTextVisible()  # Fusion would draw "52%" in the middle, half covered by the chunk
    label = dlg.findChild(QLabel)
    assert label.text().endswith("请稍候……") or label.text().endswith("已完成 0%")
    dlg.setValue(520)
    assert label.text() == "正在复制“签到表.pdf”……\n已完成 52%"
    dlg.setLabelText("正在校验……")
    assert label.text() == "正在校验……\n已完成 52%" and dlg.labelText() == "正在校验……"
    dlg.setRange(0, 0)  # total not known yet
    assert label.text().endswith("请稍候……")


def test_report_dialog_bar_draws_no_text_and_the_status_says_the_percentage(qtbot, small_store):
    from fazhi_desk.ui.report_dialog import ReportDialog

    dlg = ReportDialog(small_store, 2024)
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.progress.isTextVisible()
    assert not dlg.progress.isVisible()  # no empty box before anything runs
    dlg._on_progress(3, 4, "正在写入检查清单……")
    assert dlg.status.text() == "正在写入检查清单……\uff08已完成 75%\uff09"
