"""The year at a glance: completion by document and chapter (a chart), overdue, days left and unfinished, no evidence."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.services.checklist import ChecklistRow
from fazhi_desk.services.summary import Scope, YearSummary, summarize
from fazhi_desk.ui.textsize import set_relative_font

DONE_C, PROG_C, TODO_C, OVER_C, BELOW_C = "#2e7d32", "#f9a825", "#cfd8dc", "#c62828", "#ef6c00"


def _nice_step(top: int, ticks: int = 8) -> int:
    """A tick interval of 1, 2 or 5 × 10^k giving at most about ``ticks`` intervals."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if top / (step * m) <= ticks:
                return step * m
        step *= 10


def days_left_in_year(year: int, today: dt.date) -> int:
    """Days from ``today`` to the end of ``year`` (31 December counts as a day left); 0 once the year is over."""
    if today.year > year:
        return 0
    start = max(today, dt.date(year, 1, 1))
    return (dt.date(year, 12, 31) - start).days + 1


class RowListModel(QAbstractTableModel):
    """A short list of items (overdue, due soon, no evidence)."""

    HEAD = ("编号", "事项内容", "截止", "责任人")

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._rows: list[ChecklistRow] = []

    def set_rows(self, rows: list[ChecklistRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def item_id(self, row: int) -> str:
        return self._rows[row].item_id

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEAD)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEAD[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.item_id, r.item.requirement, r.due_date.strftime("%Y-%m-%d"), r.owner)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.item.requirement
        return None


class Tile(QFrame):
    def __init__(self, caption: str, color: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"Tile{{border:1px solid #ddd;border-left:5px solid {color};border-radius:4px;background:#fff}}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 6)
        self.value = QLabel("0")
        set_relative_font(self.value, 1.9, bold=True)  # follows 查看 → 放大/缩小
        self.value.setStyleSheet(f"color:{color}")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color:#555")
        lay.addWidget(self.value)
        lay.addWidget(self.caption)


class Dashboard(QWidget):
    """Summary of one year; ``item_activated`` when the user double-clicks an item in a list."""

    item_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: YearSummary | None = None
        tiles = QHBoxLayout()
        self.t_rate = Tile("完成率\uff08已完成/应完成\uff09", DONE_C)
        self.t_done = Tile("已完成", DONE_C)
        self.t_over = Tile("逾期", OVER_C)
        self.t_left = Tile("未完成", PROG_C)
        self.t_noev = Tile("尚无佐证材料", "#546e7a")
        # 得分 beside the rate where the office's documents weigh their items (a county's 考核 table)
        self.t_score = Tile("得分\uff08已完成事项的分值/总分\uff09", DONE_C)
        self.t_score.setVisible(False)
        for t in (self.t_rate, self.t_score, self.t_done, self.t_over, self.t_left, self.t_noev):
            tiles.addWidget(t)

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)

        self.lists = QTabWidget()
        self.m_over, self.m_soon, self.m_noev = RowListModel(self), RowListModel(self), RowListModel(self)
        self.m_months, self.m_behind = RowListModel(self), RowListModel(self)
        self.v_over = self._list_view(self.m_over)
        self.v_months = self._list_view(self.m_months)
        self.v_behind = self._list_view(self.m_behind)
        self.v_soon = self._list_view(self.m_soon)
        self.v_noev = self._list_view(self.m_noev)
        self.lists.addTab(self.v_over, "逾期事项")
        self.lists.addTab(self.v_months, "本月和下月到期")
        self.lists.addTab(self.v_behind, "进度落后")
        self.lists.addTab(self.v_soon, "年底前到期")
        self.lists.addTab(self.v_noev, "无佐证材料")

        grid = QGridLayout(self)
        self.excluded = QLabel()  # what the rate leaves out, and why (the completion rule's words)
        self.excluded.setStyleSheet("color:#555")
        self.excluded.setWordWrap(True)
        self.year_states = QLabel()  # 填报中 / 已报送 / 已更正 of each year
        self.year_states.setWordWrap(True)
        grid.addLayout(tiles, 0, 0, 1, 2)
        grid.addWidget(self.year_states, 3, 0, 1, 2)
        grid.addWidget(self.excluded, 1, 0, 1, 2)
        grid.addWidget(self.chart_view, 2, 0)
        grid.addWidget(self.lists, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)

    def _list_view(self, model: RowListModel) -> QTableView:
        v = QTableView()
        v.setModel(model)
        v.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        v.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        v.verticalHeader().hide()
        v.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        v.setWordWrap(False)
        v.doubleClicked.connect(lambda idx, m=model: self.item_activated.emit(m.item_id(idx.row())))
        return v

    def update_rows(self, rows: list[ChecklistRow], year: int, today: dt.date | None = None,
                    township_only: bool = True) -> None:
        today = today or dt.date.today()
        days_left = days_left_in_year(year, today)
        # "due soon" is everything still open that falls due before the year ends (year-end deadlines included)
        s = summarize(rows, year, today, scope=Scope.OFFICE if township_only else Scope.ALL,
                      soon_days=max(days_left, 0))
        self.summary = s
        t = s.total
        self.t_rate.value.setText(t.rate_text())
        self.t_score.setVisible(bool(t.scored))
        self.t_score.value.setText(t.score_text().removeprefix("得分 "))
        self.t_done.value.setText(f"{t.done}/{t.applicable}")
        self.t_done.caption.setText(f"已完成\uff08未达标 {t.below_target} 项\uff09" if t.below_target else "已完成")
        self.t_over.value.setText(str(len(s.overdue)))
        self.t_left.value.setText(str(t.applicable - t.done))
        self.t_left.caption.setText(f"未完成\uff0c本年度剩余 {days_left} 天" if days_left > 0 else "未完成\uff0c本年度已结束")
        self.t_noev.value.setText(str(len(s.no_evidence)))
        self.m_over.set_rows(s.overdue)
        self.m_soon.set_rows(s.due_soon)
        self.m_noev.set_rows(s.no_evidence)
        self.m_months.set_rows(s.this_and_next_month)
        self.m_behind.set_rows(s.behind)
        for view, text, n in ((self.v_over, "逾期事项", len(s.overdue)),
                              (self.v_months, "本月和下月到期", len(s.this_and_next_month)),
                              (self.v_behind, "进度落后", len(s.behind)),
                              (self.v_soon, "年底前到期", len(s.due_soon)),
                              (self.v_noev, "无佐证材料", len(s.no_evidence))):
            self.lists.setTabText(self.lists.indexOf(view), f"{text}({n})")
        parts = [f"{name} {n} 项" for name, n in (("不适用", t.not_applicable), ("本年度未发生", t.no_event),
                                                ("本年度不检查", t.not_due), ("已退役", t.retired)) if n]
        text = f"应完成 {t.applicable} 项\uff1a已完成 {t.done}\uff0c未达标 {t.below_target}\uff0c进行中 {t.in_progress}\uff0c未开始 {t.not_started}。"
        if parts:
            text += "不计入完成率\uff1a" + "、".join(parts) + "。"
        self.excluded.setText(text)
        self._draw_chart(s)

    def set_year_states(self, states: list, year: int) -> None:
        """Each year's 报送 state (services.submission.YearState), the shown year first."""
        states = sorted(states, key=lambda st: (st.year != year, -st.year))
        self.year_states.setText("报送情况\uff1a" + "\uff1b".join(st.text for st in states))

    def _draw_chart(self, s: YearSummary) -> None:
        self.chart.removeAllSeries()
        for ax in list(self.chart.axes()):
            self.chart.removeAxis(ax)
        self.chart.setTitle(f"{s.year} 年各章完成情况")
        done, below, prog, todo = QBarSet("已完成"), QBarSet("未达标"), QBarSet("进行中"), QBarSet("未开始")
        for bs, c in ((done, DONE_C), (below, BELOW_C), (prog, PROG_C), (todo, TODO_C)):
            bs.setColor(QColor(c))
            bs.setBorderColor(QColor(c))
        cats: list[str] = []
        doc_codes = [code for code, _ in s.by_chapter]
        multi = len(set(doc_codes)) > 1
        for code, t in reversed(s.by_chapter):  # horizontal bars draw bottom-up
            label = t.label if len(t.label) <= 16 else t.label[:15] + "…"
            cats.append(f"{code} {label}" if multi else label)
            done.append(t.done)
            below.append(t.below_target)
            prog.append(t.in_progress)
            todo.append(t.not_started)
        series = QHorizontalStackedBarSeries()
        for bs in (done, below, prog, todo):
            series.append(bs)
        self.chart.addSeries(series)
        ay = QBarCategoryAxis()
        ay.append(cats)
        ax = QValueAxis()
        ax.setLabelFormat("%d")
        ax.setTitleText("事项数")
        self.chart.addAxis(ay, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(ax, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(ay)
        series.attachAxis(ax)
        most = max((t.applicable for _, t in s.by_chapter), default=1)
        step = _nice_step(max(most, 1))
        ax.setTickType(QValueAxis.TickType.TicksDynamic)
        ax.setTickAnchor(0)
        ax.setTickInterval(step)
        ax.setRange(0, step * -(-max(most, 1) // step))
