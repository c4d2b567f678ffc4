"""The main window's 年度报告 and 统计数据 tabs: built with the window, filled for the selected year when shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fazhi_desk.ui.annual_text_tab import AnnualTextTab
from fazhi_desk.ui.statistics_tab import StatisticsTab

if TYPE_CHECKING:
    from fazhi_desk.changes import Changes
    from fazhi_desk.ui.main_window import MainWindow


def add_annual_pages(win: MainWindow) -> None:
    """Add the two tabs to ``win.tabs``; each loads its year when it becomes current or the year changes."""
    win.annual_text = AnnualTextTab(lambda: win.store, win)
    win.statistics = StatisticsTab(lambda: win.store, win)
    win.tabs.addTab(win.annual_text, "年度报告")
    win.tabs.addTab(win.statistics, "统计数据")

    def show_year(*_a: object) -> None:
        if win.store is None:
            return
        page = win.tabs.currentWidget()
        if page is win.annual_text:
            win.annual_text.set_year(win.year())
        elif page is win.statistics:
            win.statistics.set_year(win.year())

    def changed(_store: object, changes: Changes) -> None:
        # (the 统计数据 tab follows what a write changed itself: StatisticsTab listens to the runner)
        # the drafted paragraphs of the report follow the data: read again (reading never writes)
        if win.tabs.currentWidget() is win.annual_text and (changes.items or changes.years or changes.catalogue
                                                            or changes.statistics or changes.profile):
            win.annual_text.reload()

    win.tabs.currentChanged.connect(show_year)
    win.checklist.year_changed.connect(show_year)
    win.changes_applied.connect(lambda c: changed(None, c))
