"""The 年度概览 tab: builds the dashboard the first time it is shown (QtCharts costs start-up time).

The page keeps a "stale" flag: the checklist marks it stale when rows change,
and the charts are redrawn only while the page is showing.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

if TYPE_CHECKING:
    from fazhi_desk.services.checklist import ChecklistRow
    from fazhi_desk.ui.dashboard import Dashboard


class OverviewPage(QWidget):
    """Holds the :class:`~fazhi_desk.ui.dashboard.Dashboard` once it exists; redraws it when shown and stale."""

    item_activated = Signal(str)

    def __init__(self, source: Callable[[], tuple[list[ChecklistRow], int, dt.date, bool]],
                 parent: QWidget | None = None, store_source: Callable[[], object] | None = None) -> None:
        """``source()`` gives (rows, year, today, township_only) of what the checklist shows; ``store_source()``
        the open store, for each year's 报送 state (read through the task runner)."""
        super().__init__(parent)
        self._source = source
        self._store_source = store_source
        self.dashboard: Dashboard | None = None
        self.stale = True
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)

    def mark_stale(self) -> None:
        self.stale = True
        self.update_if_shown()

    def update_if_shown(self, force: bool = False) -> None:
        if not (self.stale and (force or self.isVisible())):
            return
        if self.dashboard is None:
            from fazhi_desk.ui.dashboard import Dashboard

            self.dashboard = Dashboard()
            self.dashboard.item_activated.connect(self.item_activated)
            self.layout().addWidget(self.dashboard)
        rows, year, today, township_only = self._source()
        self.dashboard.update_rows(rows, year, today, township_only=township_only)
        self.stale = False
        store = self._store_source() if self._store_source is not None else None
        if store is not None:
            from fazhi_desk.services.submission import overview_states
            from fazhi_desk.tasks import Op

            dash = self.dashboard
            Op(overview_states, store, year).success(lambda states: dash.set_year_states(states, year)).run(
                self, "读取报送情况")

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.update_if_shown()
