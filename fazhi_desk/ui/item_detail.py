"""The selected item: its full text and source passage, and the form for this year's assessment.

The panel never writes to the store itself: it emits ``edit_requested(item_id,
year, changes)``; the main window turns that into an undoable command.

What the user typed is never lost or shown older than it is. Edits are saved in
the background, so a row re-read after one write can arrive while later edits
are still on their way: a note waiting for its autosave is sent before any other
edit and whenever the note loses focus; values sent and not yet seen back in a
row (``_inflight``) are shown instead of the row's older ones; a line the user
is typing in is not overwritten. The mouse wheel changes a box only once the
user has focused it, and Tab walks the form in reading order (it never types
into the note).
"""

from __future__ import annotations

import dataclasses
import html
import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QDoubleValidator, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.domain.completion import Standing, below_target_reason, status_allowed
from fazhi_desk.domain.dates import check_completion_date, proposed_completion_date, year_bounds
from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError

if TYPE_CHECKING:  # the store is imported after the window is shown
    from fazhi_desk.services.checklist import ChecklistRow

EMPTY_DATE = QDate(2000, 1, 1)
NOTE_SAVE_DELAY_MS = 800


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


ROLE_TEXT = {
    "牵头": "牵头\uff08本乡镇负责办理\uff09",
    "参加": "参加\uff08配合县级牵头单位\uff0c说明和证明本单位承担的部分\uff09",
    "仅供了解": "仅供了解\uff08无需本乡镇办理\uff0c不计入完成率\uff09",
}


class _WheelOnlyWhenFocused(QObject):
    """Lets a combo or spin box take wheel events only once it has focus; otherwise they scroll its parent."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            event.ignore()  # passed on to the parent, as if the box were not there
            return True
        return False


class _DateEdit(QDateEdit):
    """A date field that Tab leaves, whichever section (or the empty text) it shows."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802
        return QWidget.focusNextPrevChild(self, next)


class _TypedDateEdit(QDateEdit):
    """A date field a whole date can be typed into: '2025-06-18' gives that date.

    Qt moves on to the next section by itself once a section is full (4 digits of the year); the '-' typed
    next would then skip the month. A separator right after such a move is taken as that move, and so is a Tab.
    """

    _SEPARATORS = frozenset("-/.年月 ")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._moved_by_itself = False

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        text = event.text()
        if text and text in self._SEPARATORS and self._moved_by_itself:
            self._moved_by_itself = False
            event.accept()
            return
        before = self.currentSection()
        super().keyPressEvent(event)
        self._moved_by_itself = bool(text) and text.isdigit() and self.currentSection() != before

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002, N802
        if next and self._moved_by_itself:  # Tab right after the move: stay in the section moved to
            self._moved_by_itself = False
            return True
        self._moved_by_itself = False
        return super().focusNextPrevChild(next)


def ask_na_reason(parent: QWidget) -> str:
    """不适用原因: asked in a box wide enough for its title and a sentence (Qt's own was ~180 px); "" if cancelled."""
    dlg = QInputDialog(parent)
    dlg.setObjectName("na_reason_dialog")
    dlg.setWindowTitle("不适用原因")
    dlg.setLabelText("请说明本事项本年度不适用的原因\uff1a")
    dlg.setOkButtonText("确定")
    dlg.setCancelButtonText("取消")
    dlg.setTextValue("")  # makes its line edit; the dialog's layout sizes it from that field's width
    dlg.findChild(QLineEdit).setMinimumWidth(30 * dlg.fontMetrics().horizontalAdvance("法"))
    ok = dlg.exec() == QDialog.DialogCode.Accepted
    return dlg.textValue() if ok else ""


class CompletionDateDialog(QDialog):
    """Asks for the completion date when a past year's item is marked 已完成 (proposing the year's last day)."""

    def __init__(self, item_id: str, year: int, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("完成日期")
        self.setMinimumWidth(400)
        lay = QVBoxLayout(self)
        lb = QLabel(f"{year} 年度已经过去。{item_id} 是哪一天完成的\uff1f\n请填写 {year} 年内的日期"
                    f"\uff08记不清具体日期时\uff0c可用年末 {year}-12-31\uff09。")
        lb.setWordWrap(True)
        lay.addWidget(lb)
        first, last = year_bounds(year, today)
        self.date_edit = _TypedDateEdit()  # Tab steps year → month → day here (a whole date can be typed)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDateRange(QDate(first.year, first.month, first.day), QDate(last.year, last.month, last.day))
        d = proposed_completion_date(year, today)
        self.date_edit.setDate(QDate(d.year, d.month, d.day))
        lay.addWidget(self.date_edit)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton("标记为已完成", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.date_edit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Open on the year, selected: typing 2025-06-18 replaces the whole date ('-' or Tab moves on)."""
        super().showEvent(event)
        self.date_edit.setFocus()
        self.date_edit.setCurrentSectionIndex(0)
        self.date_edit.setSelectedSection(QDateEdit.Section.YearSection)

    @classmethod
    def ask(cls, parent: QWidget, item_id: str, year: int, today: dt.date) -> dt.date | None:
        dlg = cls(item_id, year, today, parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        return dlg.date_edit.date().toPython()


class ItemDetail(QWidget):
    """Shows one ChecklistRow and edits its assessment fields."""

    edit_requested = Signal(str, int, dict)  # item_id, year, {field: value}
    review_confirmed = Signal(str)  # item_id
    show_source_requested = Signal(str)  # item_id
    activity_requested = Signal(str)  # item_id: the clerk follows the form's link to the 活动记录 tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._row: ChecklistRow | None = None
        self._loading = False
        self._inflight: dict[str, Any] = {}  # values sent for the shown item and year, not yet seen in a row
        self.today = dt.date.today()  # the window sets its own (fixed in tests)
        self._refused = False  # the next show_row puts the stored values back in every field

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        from fazhi_desk.ui.textsize import set_relative_font

        set_relative_font(self.title, 1.15, bold=True)  # grows with 查看 → 放大 like the rest

        self.review_banner = QFrame()
        self.review_banner.setStyleSheet("QFrame{background:#fff3cd;border:1px solid #f0c36d;border-radius:4px}")
        outer = QVBoxLayout(self.review_banner)
        outer.setContentsMargins(8, 4, 8, 4)
        rb = QHBoxLayout()
        outer.addLayout(rb)
        self.review_title = QLabel("条文已更新\uff0c请复核本事项的要求和完成情况。")
        self.review_title.setWordWrap(True)
        self.review_title.setStyleSheet("border:none")
        rb.addWidget(self.review_title, 1)
        self.review_changes = QLabel()  # every changed field: old → new, as the import preview shows it
        self.review_changes.setWordWrap(True)
        self.review_changes.setTextFormat(Qt.TextFormat.RichText)
        self.review_changes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.review_changes.setStyleSheet("border:none")
        outer.addWidget(self.review_changes)
        self.confirm_review_btn = QPushButton("确认已复核")
        self.confirm_review_btn.clicked.connect(lambda: self._row and self.review_confirmed.emit(self._row.item_id))
        rb.addWidget(self.confirm_review_btn, 0, Qt.AlignmentFlag.AlignTop)

        info = QFormLayout()
        info.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.lbl_source = self._info_label()
        self.lbl_units = self._info_label()
        self.lbl_part = self._info_label()
        self.lbl_role = self._info_label()
        self.lbl_cycle = self._info_label()
        self.lbl_evidence_hint = self._info_label()
        info.addRow("来源\uff1a", self.lbl_source)
        info.addRow("牵头/责任单位\uff1a", self.lbl_units)
        info.addRow("参加单位\uff1a", self.lbl_part)
        info.addRow("乡镇角色\uff1a", self.lbl_role)
        info.addRow("周期与期限\uff1a", self.lbl_cycle)
        info.addRow("佐证材料要求\uff1a", self.lbl_evidence_hint)

        self.passage = QTextBrowser()
        self.passage.setMaximumHeight(110)
        self.passage.setTabChangesFocus(True)
        self.passage.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # read-only text: Tab goes on to the form
        self.passage.setOpenLinks(False)
        self.source_btn = QPushButton("查看原文全文…")
        self.source_btn.clicked.connect(lambda: self._row and self.show_source_requested.emit(self._row.item_id))
        ph = QHBoxLayout()
        ph.addWidget(QLabel("原文\uff1a"))
        ph.addStretch(1)
        ph.addWidget(self.source_btn)

        # --- this year's assessment ---
        self.edit_box = QGroupBox("本年度完成情况")
        form = QFormLayout(self.edit_box)
        self.status = QComboBox()
        for s in Status:
            self.status.addItem(s.value, s.value)
        self.status.setAccessibleName("状态")
        self.na_reason = QLineEdit()
        self.na_reason.setPlaceholderText("选择“不适用”时填写原因")
        self.actual = QLineEdit()
        self.actual.setValidator(QDoubleValidator(0, 1e9, 2, self.actual))
        self.actual.setMaximumWidth(90)
        self.target_lbl = QLabel()
        ah = QHBoxLayout()
        ah.addWidget(self.actual)
        ah.addWidget(self.target_lbl, 1)
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("责任人姓名")
        self.completed_on = _DateEdit()
        self.completed_on.setCalendarPopup(True)
        self.completed_on.setDisplayFormat("yyyy-MM-dd")
        self.completed_on.setMinimumDate(EMPTY_DATE)
        self.completed_on.setSpecialValueText("未填写")  # shown at the minimum date: no date
        self.completed_on.setDate(EMPTY_DATE)
        self.clear_date_btn = QToolButton()
        self.clear_date_btn.setText("清除")
        self.clear_date_btn.setToolTip("清除完成日期")
        self.clear_date_btn.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clear_date_btn.clicked.connect(self._clear_date)
        self.date_warning = QLabel()
        self.date_warning.setStyleSheet("color:#b00020")
        self.date_warning.setWordWrap(True)
        dh = QHBoxLayout()
        dh.addWidget(self.completed_on)
        dh.addWidget(self.clear_date_btn)
        dh.addWidget(self.date_warning, 1)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("工作情况说明\uff1a做了什么、何时、成效如何\uff08自动保存\uff09")
        self.note.setMinimumHeight(90)
        self.note.setTabChangesFocus(True)  # a tab character in a 工作情况说明 is never meant
        self.note.installEventFilter(self)  # leaving the note saves it
        self._wheel_guard = _WheelOnlyWhenFocused(self)
        for box in (self.status, self.completed_on):
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: a wheel notch must not take it
            box.installEventFilter(self._wheel_guard)
        form.addRow("状态\uff1a", self.status)
        self.standing_lbl = QLabel()  # 未达标 and why, 已退役 and by which version
        self.standing_lbl.setWordWrap(True)
        self.standing_lbl.setStyleSheet("color:#d84315")
        self.standing_lbl.hide()
        form.addRow(self.standing_lbl)
        form.addRow("不适用原因\uff1a", self.na_reason)
        form.addRow("实际值\uff1a", ah)
        # 逐次登记: the 实际值 is the log's total; the form sends the clerk to the 活动记录 tab
        self.logged_hint = QLabel()
        self.logged_hint.setWordWrap(True)
        self.logged_hint.setTextFormat(Qt.TextFormat.RichText)
        self.logged_hint.setStyleSheet("color:#1f4e79")
        self.logged_hint.linkActivated.connect(lambda _l: self._row and self.activity_requested.emit(self._row.item_id))
        self.logged_hint.hide()
        form.addRow(self.logged_hint)
        form.addRow("责任人\uff1a", self.owner)
        form.addRow("完成日期\uff1a", dh)
        form.addRow("工作情况说明\uff1a", self.note)
        self.done_before_lbl = QLabel()
        self.done_before_lbl.setStyleSheet("color:#1b7f3b")
        form.addRow(self.done_before_lbl)

        self.placeholder = QLabel("在左侧选择一个检查事项\uff0c查看要求并填写本年度完成情况。")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color:#777")

        self.body = QWidget()
        bl = QVBoxLayout(self.body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.title)
        bl.addWidget(self.review_banner)
        bl.addLayout(info)
        bl.addLayout(ph)
        bl.addWidget(self.passage)
        bl.addWidget(self.edit_box, 1)

        lay = QVBoxLayout(self)
        lay.addWidget(self.placeholder)
        lay.addWidget(self.body)
        self.body.hide()

        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._note_timer.timeout.connect(self._save_note)
        for a, b in ((self.confirm_review_btn, self.source_btn), (self.source_btn, self.status),
                     (self.status, self.na_reason), (self.na_reason, self.actual), (self.actual, self.owner),
                     (self.owner, self.completed_on), (self.completed_on, self.clear_date_btn),
                     (self.clear_date_btn, self.note)):
            QWidget.setTabOrder(a, b)

        self.status.activated.connect(self._on_status)
        self.na_reason.editingFinished.connect(lambda: self._line_finished("na_reason", self.na_reason))
        self.actual.editingFinished.connect(self._on_actual)
        self.owner.editingFinished.connect(lambda: self._line_finished("owner", self.owner))
        # a date typed in the field is saved when the user leaves it (not at every digit); one picked
        # in the calendar (the field has no focus then) at once
        self.completed_on.editingFinished.connect(self._on_date)
        self.completed_on.dateChanged.connect(lambda _d: self.completed_on.hasFocus() or self._on_date())
        self.note.textChanged.connect(self._on_note_changed)

    @staticmethod
    def _info_label() -> QLabel:
        lb = QLabel()
        lb.setWordWrap(True)
        lb.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return lb

    # ----- showing -----
    def current(self) -> ChecklistRow | None:
        return self._row

    def show_row(self, row: ChecklistRow | None) -> None:
        """Show a row; sends a pending note first.

        For the item and year already shown, values sent and not yet in ``row``
        stay on screen (``row`` was read before their write), and a line being
        typed in is left alone.
        """
        self.flush()
        same = row is not None and self._row is not None and (row.item_id, row.year) == (self._row.item_id,
                                                                                          self._row.year)
        if self._refused:  # an edit was refused: every field shows what is stored
            self._refused, same_typing = False, False
        else:
            same_typing = same
        typing = {w for w in (self.na_reason, self.actual, self.owner) if same_typing and w.isModified()}
        if not same:
            self._inflight.clear()
        elif self._inflight:
            for f, v in list(self._inflight.items()):
                if getattr(row, f) == v:
                    del self._inflight[f]  # the write has landed
            if self._inflight:
                row = dataclasses.replace(row, **self._inflight)
        self._row = row
        self.placeholder.setVisible(row is None)
        self.body.setVisible(row is not None)
        if row is None:
            return
        self._loading = True
        try:
            i = row.item
            self.title.setText(f"{i.item_id}  {i.requirement}")
            self.review_banner.setVisible(row.needs_review)
            self._show_review(row)
            pos = " / ".join(x for x in (i.chapter, i.section, f"第{i.article_no}条 {i.article_title}".strip()
                                          if i.article_no else "") if x)
            number = f"({row.document.doc_number})" if row.document.doc_number else ""
            self.lbl_source.setText(f"{row.document.title}{number}\n{pos}")
            self.lbl_units.setText(i.lead_units or "—")
            self.lbl_part.setText(i.participating_units or "—")
            self.lbl_role.setText(ROLE_TEXT.get(i.township_role.value, i.township_role.value)
                                  + ("" if row.binding else "\uff1b本单位适用文件之外\uff0c不计入"))
            cyc = i.cycle.value
            if i.target is not None:
                cyc += f"\uff1b目标 {i.target_text} {i.unit}"
            if i.deadline:
                cyc += f"\uff1b截止 {i.deadline:%Y-%m-%d}"
            if not row.due:
                cyc += f"\uff08{row.year} 年不检查\uff09"
            self.lbl_cycle.setText(cyc)
            self.lbl_evidence_hint.setText(i.evidence_hint or "—")
            self.passage.setPlainText(i.source_passage or "\uff08无原文\uff09")
            self.edit_box.setTitle(f"{row.year} 年度完成情况" + ("\uff08逾期\uff09" if row.overdue else ""))
            shown = Status.DONE if row.done_in_year else row.status
            self.status.setCurrentIndex(self.status.findData(shown.value))
            if self.na_reason not in typing:
                self.na_reason.setText(row.na_reason)
                self.na_reason.setCursorPosition(0)  # a long reason shows from its start
            self.na_reason.setEnabled(row.status is Status.NOT_APPLICABLE)
            if self.actual not in typing:
                self.actual.setText(_fmt(row.actual))
            self.actual.setEnabled(i.target is not None)
            self._show_logged(row)
            if self.owner not in typing:
                self.owner.setText(row.owner)
            self._show_date(row, keep=same_typing and self.completed_on.hasFocus())
            if self.note.toPlainText() != row.note:
                self.note.setPlainText(row.note)
            for k, st in enumerate(Status):  # 本年度未发生 only for per-event items
                self.status.model().item(k).setEnabled(not status_allowed(i, st))
            c = row.completion
            state = ""
            if c.standing is Standing.BELOW_TARGET:
                state = "未达标\uff1a" + below_target_reason(i, row.actual) + "\uff08已保存\uff09"
            elif c.standing is Standing.RETIRED:
                v = f"{i.doc_code} 目录版本 {row.retired_version}" if row.retired_version else "新版目录"
                state = f"已退役\uff1a本事项已在 {v} 中删除\uff0c不再检查\uff1b这里保留的是已有的记录。"
            elif row.retired:  # retired by a later import: this year it is judged as the tree shows it
                v = f"{i.doc_code} 目录版本 {row.retired_version}" if row.retired_version else "新版目录"
                state = f"本事项已在 {v} 中删除\uff0c此后的年度不再检查\uff1b{row.year} 年仍按原要求检查\uff08{c.text}\uff09。"
            elif c.awaiting_choice:
                state = ("开始使用年度以前到期的一次性事项\uff1a请在\u201c设置 → 开始使用前到期的事项\u201d中确认一次"
                         "\uff08以前年度已完成 / 仍需完成\uff09\uff1b确认前不计入完成率。")
            self.standing_lbl.setText(state)
            self.standing_lbl.setVisible(bool(state))
            notes = []
            if row.done_in_year:
                notes.append(f"一次性事项\uff0c已于 {row.done_in_year} 年完成\uff0c本年无需重复。")
            if c.text in ("以前年度已完成", "可选(未开展)"):
                notes.append(c.text + ("\uff1a开始使用前已完成\uff0c不计入任何年度。" if c.before_since
                                       else "\uff1a可/鼓励/有条件的措施\uff0c开展了才计入\uff0c不算逾期。"))
            from fazhi_desk.services.checklist import EDITABLE_FIELDS

            for f, y in row.carried:  # what carry-forward copied and nobody has edited since
                notes.append(f"{EDITABLE_FIELDS.get(f, f)}沿用自{y}年\uff08修改后不再标注\uff09。")
            self.done_before_lbl.setVisible(bool(notes))
            self.done_before_lbl.setText("\n".join(notes))
        finally:
            self._loading = False

    def _show_logged(self, row: ChecklistRow) -> None:
        """计量方式 逐次登记: 实际值 is read-only, "按活动记录自动统计:3 / 4 次", and a link to the 活动记录 tab."""
        from fazhi_desk.domain.activity import progress_text

        i = row.item
        logged = i.logged and i.target is not None
        self.actual.setReadOnly(logged)
        self.actual.setFocusPolicy(Qt.FocusPolicy.ClickFocus if logged else Qt.FocusPolicy.StrongFocus)
        if logged:
            self.actual.setToolTip("本事项逐次登记：实际值按活动记录自动统计，不能直接填写")
            self.target_lbl.setText("按活动记录自动统计：" + progress_text(row.actual, i.target_text, i.unit))
            self.logged_hint.setText("本事项逐次登记：每开展一次活动（如一次集中学法、一期讲座），"
                                     "就在“活动记录”中登记一条（日期、名称、人员，附签到表和照片），"
                                     "实际值自动统计。<a href='activity'>到“活动记录”登记 →</a>")
        else:
            self.actual.setToolTip("")
            self.target_lbl.setText(f"/ 目标 {i.target_text} {i.unit}" if i.target is not None else "\uff08本事项无数值目标\uff09")
        self.logged_hint.setVisible(logged)

    def _show_review(self, row: ChecklistRow) -> None:
        """While 条文已更新,请复核: which import changed what, every changed field as old → new."""
        rv = row.review
        if not row.needs_review or rv is None:
            self.review_title.setText("条文已更新\uff0c请复核本事项的要求和完成情况。")
            self.review_changes.clear()
            self.review_changes.hide()
            return
        from fazhi_desk.catalogue.diff import ITEM_FIELD_LABELS, item_field_text

        self.review_title.setText(f"条文已更新\uff08目录版本 {rv.old_version} → {rv.new_version}\uff09\uff0c请对照下列变化复核"
                                  "本事项的完成情况\uff0c再点“确认已复核”。")
        cells = []
        for name in rv.fields:
            old, new = (html.escape(item_field_text(x, name)) or "\uff08空\uff09" for x in (rv.old, rv.new))
            if name == "target":
                old += html.escape(rv.old.unit) if rv.old.target is not None else ""
                new += html.escape(rv.new.unit) if rv.new.target is not None else ""
            cells.append(f"<tr><td style='white-space:nowrap;padding-right:6px'><b>{ITEM_FIELD_LABELS[name]}</b></td>"
                         f"<td><s style='color:#8a6d3b'>{old}</s><br>→ <b>{new}</b></td></tr>")
        self.review_changes.setText("<table cellspacing='2'>" + "".join(cells) + "</table>")
        self.review_changes.show()

    def _show_date(self, row: ChecklistRow, keep: bool) -> None:
        """The date field offers the assessed year only; the day before it is the empty value (未填写).

        ``keep``: the user is in the field; what it shows is left as it is.
        """
        d = row.completed_on
        done_here = row.status is Status.DONE and not row.done_in_year
        self.completed_on.setEnabled(done_here)
        self.clear_date_btn.setEnabled(done_here and d is not None)
        self.completed_on.setToolTip(f"{row.year} 年内的日期\uff0c不晚于今天\uff1b只有“已完成”的事项填写")
        warning = ""
        if d is not None:
            try:
                check_completion_date(d, row.year, self.today)
            except UserError as e:  # stored before the rule existed: say so, never hide or alter it
                warning = e.message + "请更正。"
            if row.status is not Status.DONE:
                warning = "只有“已完成”的事项才有完成日期\uff0c请清除。"
                self.clear_date_btn.setEnabled(True)
        self.date_warning.setText(warning)
        self.date_warning.setVisible(bool(warning))
        if keep:
            return
        first, last = dt.date(row.year, 1, 1), dt.date(row.year, 12, 31)
        low = (min(first, d) if d else first) - dt.timedelta(days=1)
        high = max(last, d) if d else last
        self.completed_on.setDateRange(QDate(low.year, low.month, low.day), QDate(high.year, high.month, high.day))
        self.completed_on.setDate(QDate(d.year, d.month, d.day) if d else self.completed_on.minimumDate())

    # ----- editing -----
    def _emit(self, changes: dict[str, Any]) -> None:
        if self._loading or self._row is None:
            return
        if "note" not in changes:
            self.flush()  # the note typed before this edit is saved first, as its own change
            if self._row is None:
                return
        r = self._row
        current = {"status": r.status, "actual": r.actual, "owner": r.owner, "completed_on": r.completed_on,
                   "note": r.note, "na_reason": r.na_reason}
        real = {k: v for k, v in changes.items() if current.get(k) != v}
        if real:
            self._inflight.update(real)
            self._row = dataclasses.replace(r, **real)  # what the user now sees
            self.edit_requested.emit(r.item_id, r.year, real)

    def drop_pending(self, item_id: str, year: int) -> None:
        """An edit was refused: forget what was sent, so the stored values are shown again."""
        if self._row is not None and (self._row.item_id, self._row.year) == (item_id, year):
            self._inflight.clear()
            self._refused = True

    def _on_status(self, _index: int) -> None:
        if self._loading or self._row is None:
            return
        st = Status(self.status.currentData())
        self.flush()  # a pending note is saved first (re-showing the row resets the box: st is read above)
        if self._row is None:
            return
        changes: dict[str, Any] = {"status": st}
        r = self._row
        if st is Status.DONE and r.status is not Status.DONE and r.completed_on is None \
                and r.year < self.today.year:
            d = CompletionDateDialog.ask(self, r.item_id, r.year, self.today)
            if d is None:
                self.show_row(r)  # back to the stored status
                return
            changes["completed_on"] = d
        if st is Status.NOT_APPLICABLE and not self.na_reason.text().strip():
            reason = ask_na_reason(self)
            if not reason.strip():
                self.show_row(self._row)  # back to the stored status
                return
            changes["na_reason"] = reason.strip()
        self._emit(changes)

    def _line_finished(self, field: str, edit: QLineEdit) -> None:
        edit.setModified(False)
        self._emit({field: edit.text()})

    def _on_actual(self) -> None:
        self.actual.setModified(False)
        if self.actual.isReadOnly():  # 逐次登记: the log's total, never typed here
            return
        t = self.actual.text().strip()
        try:
            v = float(t) if t else None
        except ValueError:
            return
        self._emit({"actual": v})

    def _on_date(self) -> None:
        d = self.completed_on.date()
        self._emit({"completed_on": None if d == self.completed_on.minimumDate() else d.toPython()})

    def _clear_date(self) -> None:
        self._emit({"completed_on": None})

    def _on_note_changed(self) -> None:
        if not self._loading:
            self._note_timer.start()

    def _save_note(self) -> None:
        self._emit({"note": self.note.toPlainText()})

    def flush(self) -> bool:
        """Save a note still waiting for its timer (before any other edit, on leaving the note, on
        selection change, close, year switch). Returns whether there was one."""
        if self._note_timer.isActive():
            self._note_timer.stop()
            self._save_note()
            return True
        return False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.note and event.type() == QEvent.Type.FocusOut:
            self.flush()
        return super().eventFilter(obj, event)
