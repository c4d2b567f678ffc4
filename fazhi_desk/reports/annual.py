"""The annual report (年度报告) workbook, written from plain dataclasses.

:func:`fazhi_desk.services.report.gather_report` reads the store and hands a
:class:`ReportData` of frozen dataclasses to :func:`write_report`, which turns
it into one xlsx workbook; nothing here touches the store or the services:

* 汇总 — office, county, year, date, overall completion, a table per document
  and chapter, and a bar chart of completion rate per chapter (one per document);
* 检查清单 — one row per item that applies to a township office;
* 佐证材料 — every evidence file attached in the year, with its check state;
* 未完成事项 — what is not done (overdue first) and the office's notes on why;
* 说明全文 — notes too long for a printable cell, in full, in numbered parts.

Each row's state is the completion rule's :class:`~fazhi_desk.domain.completion.Standing`
(stated in the summary sheet too, :data:`~fazhi_desk.domain.completion.RATE_RULE`),
and every count is its :class:`~fazhi_desk.domain.completion.Tally`, so the
report, the dashboard and the tree give the same numbers.

Every sheet prints on A4 landscape, fitted to the page width, with the header
row repeated on each page, the office and year in the page header and
“第 N 页 共 M 页” in the footer.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from fazhi_desk.domain.completion import RATE_RULE, Standing, Tally, standing_text
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.output import atomic_output, output_error
from fazhi_desk.reports.xlsx import (
    BODY_FONT,
    BOLD_FONT,
    BORDER,
    CENTER,
    HEADER_ALIGN,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    WRAP_TOP,
    BulkRows,
    CellStyle,
    column_width,
    put_text,
    row_height,
    save_workbook,
    wrapped_lines,
)

SHEET_SUMMARY = "汇总"
SHEET_CHECKLIST = "检查清单"
SHEET_EVIDENCE = "佐证材料"
SHEET_OUTSTANDING = "未完成事项"
SHEET_NOTES = "说明全文"

NOTE_EXCERPT = 400  # longer notes are shortened in the tables and given in full in 说明全文
NOTE_PART = 900  # characters per row in 说明全文 (keeps each row under Excel's 409 pt height)
MAX_NAMES_IN_CELL = 6


RowState = Standing  # what the report says about an item this year: the completion rule's standing


class EvidenceCheck(str, enum.Enum):
    """The state of a stored evidence file when the report was made."""

    OK = "正常"
    MISSING = "缺失"
    ALTERED = "已变更"


@dataclass(frozen=True)
class ReportRow:
    """One item in the report year."""

    item_id: str
    doc_code: str
    chapter: str
    section: str
    article_no: int
    article_title: str
    requirement: str
    lead_units: str
    cycle: str
    target: str  # 目标值 with its unit, e.g. "4次"
    unit: str
    actual: float | None
    state: Standing
    overdue: bool
    due_date: dt.date
    completed_on: dt.date | None
    owner: str
    note: str
    na_reason: str
    done_in_year: int | None = None
    evidence_names: tuple[str, ...] = ()
    shown_status: str = ""  # the status as every view says it (Completion.text); derived from state when empty
    retired_version: str = ""  # the catalogue version that retired the item (state 已退役)
    remark: str = ""  # why the state is what it is (e.g. the 未达标 reason)
    township_role: str = ""  # 乡镇角色: 牵头 / 参加
    score: float | None = None  # 分值 of the item, where its document has scores

    @property
    def counted(self) -> bool:
        """Whether the item counts towards the completion rate."""
        return self.state.counted

    @property
    def status_text(self) -> str:
        return self.shown_status or standing_text(self.state, self.overdue, self.done_in_year, self.retired_version)

    @property
    def position(self) -> str:
        """章/节/条 as one cell's text."""
        art = f"第{self.article_no}条" if self.article_no else ""
        if self.article_title:
            art = f"{art} {self.article_title}".strip()
        return "\n".join(p for p in (self.chapter, self.section, art) if p)

    @property
    def note_text(self) -> str:
        """工作情况说明, with the reason when the item is not applicable."""
        parts = []
        if self.remark:
            parts.append(self.remark)
        if self.state is Standing.NOT_APPLICABLE and self.na_reason:
            parts.append(f"不适用原因:{self.na_reason}")
        if self.note:
            parts.append(self.note)
        return "\n".join(parts)


@dataclass(frozen=True)
class ReportEvidence:
    """One evidence file attached to an item in the report year."""

    item_id: str
    requirement: str
    original_name: str
    description: str
    doc_date: dt.date | None
    size: int
    sha256: str
    check: EvidenceCheck = EvidenceCheck.OK


@dataclass(frozen=True)
class DocumentInfo:
    code: str
    title: str
    doc_number: str
    version: str


@dataclass
class Counts(Tally):
    """The completion rule's tally of a chapter, a document or the whole year, with its row labels."""

    label_doc: str = ""
    label_chapter: str = ""


def count_rows(rows: list[ReportRow], label_doc: str = "", label_chapter: str = "") -> Counts:
    c = Counts(label_doc=label_doc, label_chapter=label_chapter)
    for r in rows:
        c.add(r.state, r.overdue, r.score)
    return c


@dataclass(frozen=True)
class ReportData:
    """Everything the annual report shows, as plain data (no ORM)."""

    office_name: str
    county: str
    year: int
    generated_on: dt.date
    documents: tuple[DocumentInfo, ...]
    rows: tuple[ReportRow, ...]
    evidence: tuple[ReportEvidence, ...]
    evidence_hashed: bool = False  # every file re-hashed (when the evidence package was made)

    def chapter_counts(self) -> list[Counts]:
        groups: dict[tuple[str, str], list[ReportRow]] = {}
        for r in self.rows:
            groups.setdefault((r.doc_code, r.chapter), []).append(r)
        return [count_rows(rs, d, ch or "(未分章)") for (d, ch), rs in groups.items()]

    def document_counts(self) -> list[Counts]:
        groups: dict[str, list[ReportRow]] = {}
        for r in self.rows:
            groups.setdefault(r.doc_code, []).append(r)
        return [count_rows(rs, d, "合计") for d, rs in groups.items()]

    def total(self) -> Counts:
        return count_rows(list(self.rows), "总计", "")

    def outstanding(self) -> list[ReportRow]:
        """Items due and not done, overdue first (catalogue order within each group)."""
        out = [r for r in self.rows if r.state.outstanding]
        return sorted(out, key=lambda r: not r.overdue)

    def evidence_problems(self) -> list[ReportEvidence]:
        return [e for e in self.evidence if e.check is not EvidenceCheck.OK]


# ---------------------------------------------------------------- styles

_FILLS = {
    Standing.DONE: PatternFill("solid", fgColor="C6EFCE"),
    Standing.BELOW_TARGET: PatternFill("solid", fgColor="F8CBAD"),
    Standing.IN_PROGRESS: PatternFill("solid", fgColor="FFEB9C"),
    Standing.NOT_STARTED: None,
    Standing.NOT_APPLICABLE: PatternFill("solid", fgColor="D9D9D9"),
    Standing.NO_EVENT: PatternFill("solid", fgColor="DDEBF7"),
    Standing.NOT_DUE: PatternFill("solid", fgColor="EDEDED"),
    Standing.RETIRED: PatternFill("solid", fgColor="D9D9D9"),
}
OVERDUE_FILL = PatternFill("solid", fgColor="FFC7CE")
_RED_BOLD = Font(name=BODY_FONT.name, size=10, bold=True, color="9C0006")

TEXT = CellStyle()
MID = CellStyle(alignment=CENTER)
DATE = CellStyle(alignment=CENTER, number_format="yyyy-mm-dd")
NUM = CellStyle(alignment=CENTER, number_format="0.##")
BYTES = CellStyle(alignment=Alignment(vertical="top", horizontal="right"), number_format="#,##0")
MONO = CellStyle(font=Font(name="Consolas", size=8), alignment=WRAP_TOP)
STATUS = {s: CellStyle(alignment=CENTER, fill=f) for s, f in _FILLS.items()}
STATUS_OVERDUE = CellStyle(alignment=CENTER, fill=OVERDUE_FILL, font=_RED_BOLD)
CHECK_STYLE = {
    EvidenceCheck.OK: MID,
    EvidenceCheck.MISSING: STATUS_OVERDUE,
    EvidenceCheck.ALTERED: STATUS_OVERDUE,
}


def status_style(r: ReportRow) -> CellStyle:
    return STATUS_OVERDUE if r.overdue else STATUS[r.state]


def _excerpt(note: str) -> str:
    if len(note) <= NOTE_EXCERPT:
        return note
    return note[:NOTE_EXCERPT] + f"……(全文共 {len(note)} 字,见“{SHEET_NOTES}”表)"


def _names_text(names: tuple[str, ...]) -> str:
    if not names:
        return ""
    shown = list(names[:MAX_NAMES_IN_CELL])
    more = f"\n……等 {len(names)} 个" if len(names) > MAX_NAMES_IN_CELL else ""
    return f"{len(names)} 个:\n" + "\n".join(shown) + more


def _hf(text: str) -> str:
    """Header/footer text: '&' is a control character there."""
    return text.replace("&", "&&")


def _page_setup(ws: Worksheet, data: ReportData, sheet: str, title_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_title_rows = f"{title_row}:{title_row}"
    head = f"{data.office_name} {data.year}年度法治政府建设年度报告 · {sheet}"
    ws.oddHeader.center.text = _hf(head)
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9
    ws.evenHeader.center.text = ws.oddHeader.center.text
    ws.evenFooter.center.text = ws.oddFooter.center.text


def _header(ws: Worksheet, row: int, headers: list[str], widths: list[float]) -> None:
    for c, (h, w) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=row, column=c, value=h)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = HEADER_ALIGN
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.row_dimensions[row].height = 30


def _table_sheet(ws: Worksheet, data: ReportData, sheet: str, headers: list[str], widths: list[float],
                 bulk: BulkRows) -> None:
    _header(ws, 1, headers, widths)
    ws.freeze_panes = "A2"
    last = max(bulk.last_row, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last}"
    _page_setup(ws, data, sheet, 1)


def _height(cells: list[tuple[str, float]]) -> float:
    return row_height(max((wrapped_lines(t, w) for t, w in cells if t), default=1))


# ---------------------------------------------------------------- sheets

CHECKLIST_HEADERS = ["编号", "文件", "章/节/条", "事项内容", "牵头单位", "乡镇角色", "周期", "目标值", "实际值",
                     "状态", "完成日期", "责任人", "工作情况说明", "佐证材料"]


def _checklist(wb: Workbook, data: ReportData) -> BulkRows:
    ws = wb.create_sheet(SHEET_CHECKLIST)
    rows = data.rows
    widths = [
        column_width((r.item_id for r in rows), "编号", 10, 16),
        column_width((r.doc_code for r in rows), "文件", 6, 10),
        20,
        34,
        column_width((r.lead_units for r in rows), "牵头单位", 8, 14),
        column_width((r.township_role for r in rows), "乡镇角色", 6, 8),
        column_width((r.cycle for r in rows), "周期", 6, 8),
        column_width((r.target for r in rows), "目标值", 6, 10),
        7,
        column_width((r.status_text for r in rows), "状态", 8, 16),
        11,
        column_width((r.owner for r in rows), "责任人", 7, 10),
        34,
        22,
    ]
    bulk = BulkRows(first_row=2, ncols=len(CHECKLIST_HEADERS))
    for r in rows:
        note = _excerpt(r.note_text)
        ev = _names_text(r.evidence_names)
        pos = r.position
        bulk.add(
            [
                (r.item_id, TEXT), (r.doc_code, MID), (pos, TEXT), (r.requirement, TEXT), (r.lead_units, TEXT),
                (r.township_role, MID), (r.cycle, MID), (r.target, MID), (r.actual, NUM),
                (r.status_text, status_style(r)), (r.completed_on, DATE), (r.owner, MID), (note, TEXT), (ev, TEXT),
            ],
            _height([(pos, widths[2]), (r.requirement, widths[3]), (r.lead_units, widths[4]),
                     (note, widths[12]), (ev, widths[13])]),
        )
    _table_sheet(ws, data, SHEET_CHECKLIST, CHECKLIST_HEADERS, widths, bulk)
    return bulk


EVIDENCE_HEADERS = ["编号", "事项内容", "文件名", "说明", "文件日期", "大小(字节)", "SHA-256", "校验"]


def _evidence(wb: Workbook, data: ReportData) -> BulkRows:
    ws = wb.create_sheet(SHEET_EVIDENCE)
    ev = data.evidence
    widths = [column_width((e.item_id for e in ev), "编号", 10, 16), 30, 30, 24, 11, 12, 36, 8]
    bulk = BulkRows(first_row=2, ncols=len(EVIDENCE_HEADERS))
    sha_h = row_height(2)
    for e in ev:
        bulk.add(
            [
                (e.item_id, TEXT), (e.requirement, TEXT), (e.original_name, TEXT), (e.description, TEXT),
                (e.doc_date, DATE), (e.size, BYTES), (e.sha256, MONO), (e.check.value, CHECK_STYLE[e.check]),
            ],
            max(sha_h, _height([(e.requirement, widths[1]), (e.original_name, widths[2]),
                                (e.description, widths[3])])),
        )
    _table_sheet(ws, data, SHEET_EVIDENCE, EVIDENCE_HEADERS, widths, bulk)
    return bulk


OUTSTANDING_HEADERS = ["编号", "文件", "事项内容", "牵头单位", "应完成日期", "状态", "责任人", "工作情况说明",
                       "佐证材料"]


def _outstanding(wb: Workbook, data: ReportData) -> BulkRows:
    ws = wb.create_sheet(SHEET_OUTSTANDING)
    rows = data.outstanding()
    widths = [
        column_width((r.item_id for r in rows), "编号", 10, 16),
        column_width((r.doc_code for r in rows), "文件", 6, 10),
        40,
        column_width((r.lead_units for r in rows), "牵头单位", 8, 16),
        11,
        column_width((r.status_text for r in rows), "状态", 8, 16),
        column_width((r.owner for r in rows), "责任人", 7, 10),
        48,
        10,
    ]
    bulk = BulkRows(first_row=2, ncols=len(OUTSTANDING_HEADERS))
    for r in rows:
        note = _excerpt(r.note_text) or "(未填写说明)"
        ev = f"{len(r.evidence_names)} 个" if r.evidence_names else "无"
        bulk.add(
            [
                (r.item_id, TEXT), (r.doc_code, MID), (r.requirement, TEXT), (r.lead_units, TEXT),
                (r.due_date, DATE), (r.status_text, status_style(r)), (r.owner, MID), (note, TEXT), (ev, MID),
            ],
            _height([(r.requirement, widths[2]), (r.lead_units, widths[3]), (note, widths[7])]),
        )
    _table_sheet(ws, data, SHEET_OUTSTANDING, OUTSTANDING_HEADERS, widths, bulk)
    return bulk


NOTES_HEADERS = ["编号", "事项内容", "部分", "工作情况说明(全文)"]


def _notes(wb: Workbook, data: ReportData) -> BulkRows | None:
    long_rows = [r for r in data.rows if len(r.note_text) > NOTE_EXCERPT]
    if not long_rows:
        return None
    ws = wb.create_sheet(SHEET_NOTES)
    widths = [column_width((r.item_id for r in long_rows), "编号", 10, 16), 30, 8, 90]
    bulk = BulkRows(first_row=2, ncols=len(NOTES_HEADERS))
    for r in long_rows:
        text = r.note_text
        parts = [text[i:i + NOTE_PART] for i in range(0, len(text), NOTE_PART)]
        for n, part in enumerate(parts, start=1):
            bulk.add(
                [(r.item_id, TEXT), (r.requirement if n == 1 else "", TEXT), (f"{n}/{len(parts)}", MID),
                 (part, TEXT)],
                _height([(part, widths[3]), (r.requirement if n == 1 else "", widths[1])]),
            )
    _table_sheet(ws, data, SHEET_NOTES, NOTES_HEADERS, widths, bulk)
    return bulk


SUMMARY_HEADERS = ["文件", "章", "事项数", "应完成", "已完成", "未达标", "进行中", "未开始", "不适用", "本年度未发生",
                   "本年度不检查", "已退役", "逾期", "完成率"]
SUMMARY_WIDTHS = [12, 30, 7, 7, 7, 7, 7, 7, 7, 8, 8, 7, 7, 9]


def _rate_text(c: Counts) -> str:
    return c.rate_text(1)


def _summary(ws: Worksheet, data: ReportData) -> None:
    ncol = len(SUMMARY_HEADERS)
    last_col = get_column_letter(ncol)
    for c, w in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.merge_cells(f"A1:{last_col}1")
    title = ws["A1"]
    put_text(title, f"{data.office_name}{data.year}年度法治政府建设工作检查情况")
    title.font = TITLE_FONT
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    total = data.total()
    problems = data.evidence_problems()
    checked = "已逐一核对 SHA-256" if data.evidence_hashed else "已核对文件是否存在及大小"
    ev_text = f"{len(data.evidence)} 个文件({checked}"
    if problems:
        missing = sum(1 for e in problems if e.check is EvidenceCheck.MISSING)
        ev_text += f";缺失 {missing} 个,已变更 {len(problems) - missing} 个,见“{SHEET_EVIDENCE}”表"
    ev_text += ")"
    info = [
        ("单位", data.office_name),
        ("所属县(市、区)", data.county),
        ("年度", f"{data.year}年"),
        ("生成日期", f"{data.generated_on:%Y-%m-%d}"),
        ("总体完成情况",
         f"应完成 {total.applicable} 项,已完成 {total.done} 项,完成率 {_rate_text(total)};"
         f"未达标 {total.below_target} 项,进行中 {total.in_progress} 项,未开始 {total.not_started} 项,"
         f"其中逾期 {total.overdue} 项" + (f";{total.score_text()}(有分值的 {total.scored} 项)"
                                         if total.scored else "")),
        ("其他事项", f"不适用 {total.not_applicable} 项,本年度未发生 {total.no_event} 项,"
                 f"本年度不检查 {total.not_due} 项,已退役 {total.retired} 项(均不计入完成率)"),
        ("佐证材料", ev_text),
        ("统计口径", RATE_RULE),
    ]
    r = 3
    for label, value in info:
        a = ws.cell(row=r, column=1)
        put_text(a, label)
        a.font = BOLD_FONT
        a.alignment = WRAP_TOP
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=ncol)
        b = ws.cell(row=r, column=2)
        put_text(b, value)
        b.font = BODY_FONT
        b.alignment = WRAP_TOP
        ws.row_dimensions[r].height = row_height(wrapped_lines(value, sum(SUMMARY_WIDTHS[1:])))
        r += 1
    r += 1
    put_text(ws.cell(row=r, column=1), "一、按文件、章统计")
    ws.cell(row=r, column=1).font = BOLD_FONT
    r += 1
    header_row = r
    _header(ws, header_row, SUMMARY_HEADERS, SUMMARY_WIDTHS)
    r += 1

    def put_counts(row: int, c: Counts, bold: bool) -> None:
        values = [c.label_doc, c.label_chapter, c.items, c.applicable, c.done, c.below_target, c.in_progress,
                  c.not_started, c.not_applicable, c.no_event, c.not_due, c.retired, c.overdue, c.rate]
        for col, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(v, str):
                put_text(cell, v)
            elif v is None:
                put_text(cell, "—")
            else:
                cell.value = v
            cell.font = BOLD_FONT if bold else BODY_FONT
            cell.border = BORDER
            cell.alignment = WRAP_TOP if col == 2 else CENTER
            if col == ncol:
                cell.number_format = "0.0%"
        ws.row_dimensions[row].height = row_height(wrapped_lines(c.label_chapter, SUMMARY_WIDTHS[1]))

    chart_ranges: list[tuple[str, int, int]] = []
    for doc in data.documents:
        chapters = [c for c in data.chapter_counts() if c.label_doc == doc.code]
        start = r
        for c in chapters:
            put_counts(r, c, False)
            r += 1
        chart_ranges.append((doc.code, start, r - 1))
    for c in data.document_counts():
        put_counts(r, c, True)
        r += 1
    put_counts(r, total, True)
    r += 2

    put_text(ws.cell(row=r, column=1), "二、来源文件")
    ws.cell(row=r, column=1).font = BOLD_FONT
    r += 1
    for col, h in ((1, "文件"), (2, "文件名称"), (3, "发文字号及目录版本")):
        cell = ws.cell(row=r, column=col)
        put_text(cell, h)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, HEADER_ALIGN
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=ncol)
    r += 1
    for doc in data.documents:
        for col, v in ((1, doc.code), (2, doc.title), (3, f"{doc.doc_number}(目录版本 {doc.version})")):
            cell = ws.cell(row=r, column=col)
            put_text(cell, v)
            cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, WRAP_TOP
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=ncol)
        ws.row_dimensions[r].height = row_height(wrapped_lines(doc.title, SUMMARY_WIDTHS[1]))
        r += 1
    r += 1

    ws.row_breaks.append(Break(id=r - 1))  # the charts start on a page of their own
    put_text(ws.cell(row=r, column=1), "三、各章完成率")
    ws.cell(row=r, column=1).font = BOLD_FONT
    r += 1
    for code, first, last in chart_ranges:
        if last < first:
            continue
        n = last - first + 1
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = f"{code} 各章完成率"
        chart.legend = None
        chart.y_axis.title = "完成率"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.y_axis.majorGridlines = None
        chart.x_axis.scaling.orientation = "maxMin"  # first chapter on top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.add_data(Reference(ws, min_col=ncol, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        chart.width = 24
        chart.height = max(7.0, 1.2 * n + 4)
        chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                         showLegendKey=False, showPercent=False)
        ws.add_chart(chart, f"A{r}")
        r += int(chart.height / 0.45) + 2
        ws.row_breaks.append(Break(id=r - 1))
    # Repeat the title (not the table header: it would sit on top of the chart pages).
    _page_setup(ws, data, SHEET_SUMMARY, 1)


def build_workbook(data: ReportData) -> tuple[Workbook, dict[str, BulkRows]]:
    """The workbook (summary complete, other sheets with their header row) and their data rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_SUMMARY
    _summary(ws, data)
    bulk = {
        SHEET_CHECKLIST: _checklist(wb, data),
        SHEET_EVIDENCE: _evidence(wb, data),
        SHEET_OUTSTANDING: _outstanding(wb, data),
    }
    notes = _notes(wb, data)
    if notes is not None:
        bulk[SHEET_NOTES] = notes
    wb.properties.title = f"{data.office_name}{data.year}年度法治政府建设年度报告"
    wb.properties.creator = "法治政府建设检查台"
    return wb, bulk


def write_report(ctx: JobContext, data: ReportData, out_path: Path, *, fast: bool = True) -> None:
    """Write the annual report workbook to ``out_path`` (temp file, fsync, replace)."""
    ctx.check()
    ctx.progress(0, 3, "正在生成报告表格……")
    wb, bulk = build_workbook(data)
    ctx.progress(1, 3, "正在写入报告文件……")
    out_path = Path(out_path)
    with atomic_output(out_path) as tmp:
        try:
            save_workbook(wb, os.fspath(tmp), bulk, check=ctx.check, fast=fast)
        except OSError as e:
            raise output_error(e, out_path) from e
        ctx.check()
    ctx.progress(3, 3, "报告已保存")


__all__ = [
    "Counts", "DocumentInfo", "EvidenceCheck", "ReportData", "ReportEvidence", "ReportRow", "RowState",
    "SUMMARY_HEADERS", "build_workbook", "count_rows", "write_report",
]
