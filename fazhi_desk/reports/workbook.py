"""The annual report workbook: a return the county can read, print, and stack with other offices' returns.

Sheets, always all of them and always with the same columns
(:mod:`fazhi_desk.reports.workbook_format`):

* 汇总 — the office, the year, overall completion, the source documents, a table down
  to 节 (section) with 已完成, 未达标, 已完成但无佐证材料 and 逾期, right after its totals
  the sign-off block (报送单位(盖章), 单位负责人, 分管领导, 填报人, 联系人, 联系电话,
  报送日期), and on a page of its own a stacked chart of each chapter's items. Its pages
  are laid out here (:class:`_Pages`): the table's header on every page, no heading
  at the foot of a page, the sign-off on the page of the totals;
* 汇总数据 — one machine-readable row (fixed columns) a roll-up stacks, ending in the
  校验码: the SHA-256 of the data sheets (:func:`workbook_format.checksum`) with the
  导出编号, so a county can tell a return edited after export;
* 检查清单 — one row per item: a compact 章节条 path, 文件 as its 文号, 状态 as one
  word with separate 逾期 and 未达标 columns, 目标值 a number with 计量单位 beside
  it; 单位/县/年度/目录版本 on every row, after the printed columns;
* 统计数据 — the year's indicator figures, each with its 口径 and a 说明 naming any
  figure it does not fit with (出庭 > 应诉 …), or 未填报 (an empty 数值 is not 0);
* 佐证材料 — every evidence file, with its exact path in the evidence package as plain
  text carrying a native relative hyperlink (no formula) that opens it when the
  package is extracted beside the workbook;
* 未完成事项 — what is still owed, overdue first;
* 说明全文 — long notes in full, split at sentence boundaries.

Counting is the completion rule's (:class:`~fazhi_desk.domain.completion.Tally`);
nothing here counts its own way. Every sheet prints on A4 landscape, fitted to
the width, the header row repeated, page numbers in the footer; machine
columns (单位, 县, 年度, 目录版本, 字节数, SHA-256) are outside the print area.

:func:`write_report` writes it (temp file, fsync, rename); :func:`build_workbook`
only builds it, for tests and the bench.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from fazhi_desk.domain.annual import strip_number
from fazhi_desk.domain.completion import RATE_RULE, Standing
from fazhi_desk.jobs import JobContext, gc_paused
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.reports.annual import Counts, EvidenceCheck, ReportData, ReportRow, count_rows
from fazhi_desk.reports.output import output_file
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
    header_width,
    CellStyle,
    Link,
    put_text,
    row_height,
    save_workbook,
    wrapped_lines,
)

NOTE_EXCERPT = 300  # longer notes are cut at a sentence end in the tables, given in full in 说明全文
NOTE_PART = 600  # characters per row of 说明全文 at most
_SENTENCE_ENDS = "。!?;!?;\n"
_SOFT_BREAKS = ",,、 :"

_FILLS = {
    Standing.DONE: PatternFill("solid", fgColor="C6EFCE"),
    Standing.BELOW_TARGET: PatternFill("solid", fgColor="F8CBAD"),
    Standing.IN_PROGRESS: PatternFill("solid", fgColor="FFEB9C"),
    Standing.NOT_APPLICABLE: PatternFill("solid", fgColor="D9D9D9"),
    Standing.NO_EVENT: PatternFill("solid", fgColor="DDEBF7"),
    Standing.NOT_DUE: PatternFill("solid", fgColor="EDEDED"),
    Standing.RETIRED: PatternFill("solid", fgColor="D9D9D9"),
}
_RED = Font(name=BODY_FONT.name, size=10, bold=True, color="9C0006")
_LINK_FONT = Font(name=BODY_FONT.name, size=10, color="0563C1", underline="single")

TEXT = CellStyle()
MID = CellStyle(alignment=CENTER)
DATE = CellStyle(alignment=CENTER, number_format="yyyy-mm-dd")
NUM = CellStyle(alignment=CENTER)  # General: 3 shows "3" (Excel shows "0.##" as "3."), 2.5 "2.5", 0 "0"
INT = CellStyle(alignment=Alignment(vertical="top", horizontal="right"), number_format="#,##0")
MONO = CellStyle(font=Font(name="Consolas", size=8), alignment=WRAP_TOP)
LINK = CellStyle(font=_LINK_FONT, alignment=WRAP_TOP)
FLAG = CellStyle(alignment=CENTER, font=_RED, fill=PatternFill("solid", fgColor="FFC7CE"))
FLAG_TEXT = CellStyle(font=_RED, fill=PatternFill("solid", fgColor="FFC7CE"))
STATUS = {s: CellStyle(alignment=CENTER, fill=_FILLS.get(s)) for s in Standing}
CHECK_STYLE = {EvidenceCheck.OK: MID, EvidenceCheck.MISSING: FLAG, EvidenceCheck.ALTERED: FLAG}


# ---------------------------------------------------------------- small helpers


def compact_path(r: ReportRow) -> str:
    """章/节/条 in one short line: “二(一)第4条”."""
    def lead(text: str) -> str:
        m = re.match(r"\s*([一二三四五六七八九十]+)、", text)
        if m:
            return m.group(1)
        m = re.match(r"\s*([((][一二三四五六七八九十]+[))])", text)
        return m.group(1) if m else ""

    art = f"第{r.article_no}条" if r.article_no else ""
    return f"{lead(r.chapter)}{lead(r.section)}{art}" or strip_number(r.chapter)[:8]


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut after a sentence end where there is one.

    Never cuts inside a run of Latin letters or digits (a number, a file name); the parts joined
    give back the text (line breaks at the cuts aside).
    """
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(c) for c in _SENTENCE_ENDS)
        if cut < limit // 3:
            cut = max(window.rfind(c) for c in _SOFT_BREAKS)
        if cut < limit // 3:
            cut = limit - 1
            while cut > limit // 2 and _word(rest[cut]) and _word(rest[cut + 1]):
                cut -= 1
        parts.append(rest[: cut + 1].rstrip("\n"))
        rest = rest[cut + 1:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def _word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def excerpt(text: str) -> str:
    if len(text) <= NOTE_EXCERPT:
        return text
    return split_text(text, NOTE_EXCERPT)[0] + f"……(全文共 {len(text)} 字,见“{F.SHEET_NOTES}”表)"


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    if n < 1024 ** 3:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024 ** 3:.2f} GB"


def _state_remark(r: ReportRow) -> str:
    """What the one-word 状态 leaves out: the version that retired an item, the year a one-time item was done."""
    if r.state is Standing.RETIRED:
        return r.status_text  # e.g. 进行中(已退役,版本 1.1)
    if r.done_in_year is not None:
        return f"{r.done_in_year}年已完成"
    return ""


def _height(cells: list[tuple[str, float]]) -> float:
    """A row height that holds the tallest cell even in a reader's wider fallback font (a spare line in four)."""
    lines = 1
    for t, w in cells:
        # most cells are short: one line even if every character were a wide one (no estimate needed)
        if t and (len(t) > _one_line(w) or "\n" in t):
            n = wrapped_lines(t, w)
            if n > lines:
                lines = n
    return row_height(lines + lines // 4)


@functools.lru_cache(maxsize=None)
def _one_line(width: float) -> int:
    """The most characters that always fit on one line of a column ``width`` wide (see wrapped_lines)."""
    n = 0
    while wrapped_lines("中" * (n + 1), width) == 1:
        n += 1
    return n


def catalogue_versions(data: ReportData) -> str:
    return ";".join(f"{d.code} {d.version}" for d in data.documents)


def version_texts(data: ReportData) -> dict[str, str]:
    """文件代码 → "SZ2015 1.10": text no reader turns into a number (see workbook_format)."""
    return {d.code: f"{d.code} {d.version}" for d in data.documents}


def _excluded_reason(r: ReportRow) -> str:
    """Why an item is left out of the rate by the office's own declaration (不适用, 本年度未发生)."""
    if r.state is Standing.NOT_APPLICABLE:
        return r.na_reason or "(未填写原因)"
    if r.state is Standing.NO_EVENT:
        return excerpt(r.note) if r.note else "(未填写说明)"
    return ""


def _hf(text: str) -> str:
    return text.replace("&", "&&")


def _page_setup(ws: Worksheet, data: ReportData, sheet: str, title_rows: str | None, print_cols: int | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if title_rows:
        ws.print_title_rows = title_rows
    if print_cols:
        ws.print_area = f"A1:{get_column_letter(print_cols)}{max(ws.max_row, 1)}"
    ws.oddHeader.center.text = _hf(f"{data.office_name} {data.year}年度法治政府建设年度报告 · {sheet}")
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 9


def _header(ws: Worksheet, row: int, headers, widths) -> None:  # noqa: ANN001
    """A header row; each column at least as wide as its header's longest line, so a header never wraps
    inside a word (乡镇角/色): it is one line, or lines split where the text has a line break."""
    for c, (h, w) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=row, column=c, value=h)
        cell.font, cell.fill, cell.border, cell.alignment = HEADER_FONT, HEADER_FILL, BORDER, HEADER_ALIGN
        ws.column_dimensions[get_column_letter(c)].width = max(w, header_width(h))
    ws.row_dimensions[row].height = 30


def _table_sheet(wb: Workbook, data: ReportData, name: str, headers, widths, printed: int) -> tuple[Worksheet, BulkRows]:  # noqa: ANN001
    ws = wb.create_sheet(name)
    _header(ws, 1, headers, widths)
    ws.freeze_panes = "B2"
    bulk = BulkRows(first_row=2, ncols=len(headers))
    return ws, bulk


def _finish_table(ws: Worksheet, data: ReportData, name: str, bulk: BulkRows, ncols: int, printed: int) -> None:
    last = max(bulk.last_row, 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{last}"
    _page_setup(ws, data, name, "1:1", None)
    ws.print_area = f"A1:{get_column_letter(printed)}{last}"


# ---------------------------------------------------------------- data sheets


def _checklist(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [12, 17, 10, 30, 12, 5, 5, 5, 5, 5, 7, 4, 5, 10, 6, 28, 7, 14, 10, 6, 14, 20, 24]
    ws, bulk = _table_sheet(wb, data, F.SHEET_CHECKLIST, F.CHECKLIST_COLUMNS, widths, F.CHECKLIST_PRINTED)
    versions = version_texts(data)
    code = data.office_code
    numbers = {d.code: d.doc_number or d.code for d in data.documents}
    office, county, year = data.office_name, data.county, data.year
    for r in data.rows:
        note = excerpt("\n".join(t for t in (_state_remark(r), r.note_text) if t))
        doc = numbers.get(r.doc_code, r.doc_code)
        n_ev = len(r.evidence_names)
        ev = f"{n_ev} 个" if n_ev else ("无" if r.state is Standing.DONE else "")
        bulk.add(
            [
                (r.item_id, TEXT), (doc, MID), (compact_path(r), MID), (r.requirement, TEXT),
                (r.lead_units, TEXT), (r.township_role, MID), (r.cycle, MID), (r.target_value, NUM), (r.unit, MID),
                (r.actual, NUM),
                (r.state.value, STATUS[r.state]),
                (F.YES if r.overdue else "", FLAG if r.overdue else MID),
                (F.YES if r.state is Standing.BELOW_TARGET else "",
                 FLAG if r.state is Standing.BELOW_TARGET else MID),
                (r.completed_on, DATE), (r.owner, MID), (note, TEXT), (ev, FLAG if ev == "无" else MID),
                (office, TEXT), (county, TEXT), (year, MID), (versions.get(r.doc_code, ""), MID), (code, TEXT),
                (_excluded_reason(r), TEXT),
            ],
            _height([(doc, widths[1]), (r.requirement, widths[3]), (r.lead_units, widths[4]), (note, widths[15])]),
        )
    _finish_table(ws, data, F.SHEET_CHECKLIST, bulk, len(widths), F.CHECKLIST_PRINTED)
    return bulk


def _statistics(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [18, 12, 28, 7, 8, 34, 20, 34, 14, 10, 6, 20]
    ws, bulk = _table_sheet(wb, data, F.SHEET_STATISTICS, F.STATISTICS_COLUMNS, widths, F.STATISTICS_PRINTED)
    for s in data.statistics:
        items = s.items.replace("、", "\n")  # one item id a line: an id never wraps at its hyphens
        bulk.add([(s.code, TEXT), (s.category, TEXT), (s.name, TEXT), (s.unit, MID), (s.value, NUM), (s.scope, TEXT),
                  (items, TEXT), (s.note or ("未填报" if s.value is None else ""), FLAG_TEXT if s.note else TEXT),
                  (data.office_name, TEXT), (data.county, TEXT), (data.year, MID), (data.office_code, TEXT)],
                 _height([(s.name, widths[2]), (s.scope, widths[5]), (items, widths[6]), (s.note, widths[7])]))
    _finish_table(ws, data, F.SHEET_STATISTICS, bulk, len(widths), F.STATISTICS_PRINTED)
    return bulk


def _evidence(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [12, 28, 28, 20, 10, 9, 40, 7, 10, 36, 14, 10, 6, 14, 20]
    ws, bulk = _table_sheet(wb, data, F.SHEET_EVIDENCE, F.EVIDENCE_COLUMNS, widths, F.EVIDENCE_PRINTED)
    versions = {r.item_id: r.doc_code for r in data.rows}
    doc_version = version_texts(data)
    for e in data.evidence:
        member = (Link(e.member, e.member), LINK) if e.member else ("", TEXT)
        bulk.add(
            [
                (e.item_id, TEXT), (e.requirement, TEXT), (e.original_name, TEXT), (e.description, TEXT),
                (e.doc_date, DATE), (human_size(e.size), MID), member, (e.check.value, CHECK_STYLE[e.check]),
                (e.size, INT), (e.sha256, MONO), (data.office_name, TEXT), (data.county, TEXT), (data.year, MID),
                (doc_version.get(versions.get(e.item_id, ""), ""), MID), (data.office_code, TEXT),
            ],
            _height([(e.requirement, widths[1]), (e.original_name, widths[2]), (e.description, widths[3]),
                     (e.member, widths[6])]),
        )
    _finish_table(ws, data, F.SHEET_EVIDENCE, bulk, len(widths), F.EVIDENCE_PRINTED)
    return bulk


def _activities(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [12, 28, 10, 30, 16, 22, 6, 7, 8, 14, 10, 6, 14, 20]
    ws, bulk = _table_sheet(wb, data, F.SHEET_ACTIVITY, F.ACTIVITY_COLUMNS, widths, F.ACTIVITY_PRINTED)
    docs = {r.item_id: r.doc_code for r in data.rows}
    versions = version_texts(data)
    for a in data.activities:
        bulk.add(
            [
                (a.item_id, TEXT), (a.requirement, TEXT), (a.date, DATE), (a.title, TEXT), (a.place, TEXT),
                (a.people, TEXT), (a.quantity, NUM), (a.unit, MID),
                (f"{a.evidence_count} 个" if a.evidence_count else "", MID),
                (data.office_name, TEXT), (data.county, TEXT), (data.year, MID),
                (versions.get(docs.get(a.item_id, ""), ""), MID), (data.office_code, TEXT),
            ],
            _height([(a.requirement, widths[1]), (a.title, widths[3]), (a.place, widths[4]), (a.people, widths[5])]),
        )
    _finish_table(ws, data, F.SHEET_ACTIVITY, bulk, len(widths), F.ACTIVITY_PRINTED)
    return bulk


OUTSTANDING_COLUMNS = ("编号", "文件", "事项内容", "牵头单位", "应完成日期", "状态", "逾期", "责任人", "工作情况说明",
                       "佐证材料")


def _outstanding(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [12, 17, 36, 12, 10, 7, 5, 7, 38, 8]
    ws, bulk = _table_sheet(wb, data, F.SHEET_OUTSTANDING, OUTSTANDING_COLUMNS, widths, len(widths))
    numbers = {d.code: d.doc_number or d.code for d in data.documents}
    for r in data.outstanding():
        note = excerpt(r.note_text) or "(未填写说明)"
        doc = numbers.get(r.doc_code, r.doc_code)
        bulk.add(
            [
                (r.item_id, TEXT), (doc, MID), (r.requirement, TEXT), (r.lead_units, TEXT), (r.due_date, DATE),
                (r.state.value, STATUS[r.state]), (F.YES if r.overdue else "", FLAG if r.overdue else MID),
                (r.owner, MID), (note, TEXT), (f"{len(r.evidence_names)} 个" if r.evidence_names else "无", MID),
            ],
            _height([(doc, widths[1]), (r.requirement, widths[2]), (r.lead_units, widths[3]), (note, widths[8])]),
        )
    _finish_table(ws, data, F.SHEET_OUTSTANDING, bulk, len(widths), len(widths))
    return bulk


NOTES_COLUMNS = ("编号", "事项内容", "部分", "工作情况说明(全文)")


def _notes(wb: Workbook, data: ReportData) -> BulkRows:
    widths = [12, 30, 6, 90]
    ws, bulk = _table_sheet(wb, data, F.SHEET_NOTES, NOTES_COLUMNS, widths, len(widths))
    for r in data.rows:
        text = r.note_text
        if len(text) <= NOTE_EXCERPT:
            continue
        parts = split_text(text, NOTE_PART)
        for n, part in enumerate(parts, start=1):
            req = r.requirement if n == 1 else ""
            bulk.add([(r.item_id, TEXT), (req, TEXT), (f"{n}/{len(parts)}", MID), (part, TEXT)],
                     _height([(part, widths[3]), (req, widths[1])]))
    _finish_table(ws, data, F.SHEET_NOTES, bulk, len(widths), len(widths))
    if not bulk.rows:  # no long notes: the sheet stays (the same sheets every year) but prints nothing
        ws.sheet_state = "hidden"
        # LibreOffice prints hidden sheets too: an empty print area, whose empty page it leaves out
        ws.print_area = f"A2:{get_column_letter(len(widths))}2"
        ws.print_title_rows = None
    return bulk


def _summary_data(wb: Workbook, data: ReportData) -> list:
    """The one machine row (its 校验码 cell is filled in by :func:`build_workbook`); returns its values."""
    ws = wb.create_sheet(F.SHEET_SUMMARY_DATA)
    t = data.total()
    done_no_ev = sum(1 for r in data.rows if r.state is Standing.DONE and not r.evidence_names)
    generated = data.generated_at or dt.datetime.combine(data.generated_on, dt.time())
    so = data.sign_off
    by_name = {
        "单位": data.office_name, "单位编码": data.office_code, "县": data.county, "年度": data.year,
        "应完成": t.applicable, "已完成": t.done, "未达标": t.below_target, "完成率": t.rate, "逾期": t.overdue,
        "已完成无佐证": done_no_ev, "进行中": t.in_progress, "未开始": t.not_started,
        "不适用": t.not_applicable, "本年度未发生": t.no_event, "报送日期": so.submit_date, "联系人": so.contact,
        "联系电话": so.phone, "导出编号": data.export_id, "程序版本": data.program_version,
        "目录版本": catalogue_versions(data), "生成时间": generated, "格式版本": F.FORMAT_VERSION, "校验码": "",
    }
    values = [by_name[c] for c in F.SUMMARY_DATA_COLUMNS]
    _header(ws, 1, F.SUMMARY_DATA_COLUMNS, [max(8, 2 + 2 * len(c)) for c in F.SUMMARY_DATA_COLUMNS])
    for name, w in (("单位", 16), ("县", 10), ("单位编码", 20), ("目录版本", 24), ("生成时间", 20), ("导出编号", 20),
                    ("联系电话", 14), ("报送日期", 12), ("校验码", 66)):
        ws.column_dimensions[get_column_letter(F.SUMMARY_DATA_COLUMNS.index(name) + 1)].width = w
    formats = {"完成率": "0.0000", "报送日期": "yyyy-mm-dd", "生成时间": "yyyy-mm-dd hh:mm:ss"}
    for c, (name, v) in enumerate(zip(F.SUMMARY_DATA_COLUMNS, values), start=1):
        cell = ws.cell(row=2, column=c)
        if isinstance(v, str):
            put_text(cell, v)
        else:
            cell.value = v
        cell.font, cell.border = BODY_FONT, BORDER
        if name in formats:
            cell.number_format = formats[name]
    _page_setup(ws, data, F.SHEET_SUMMARY_DATA, "1:1", None)
    return values


def workbook_checksum(summary_values: list, bulk: dict[str, BulkRows]) -> str:
    """The 校验码 of a return: :func:`workbook_format.checksum` over the values as written."""
    columns = {F.SHEET_CHECKLIST: F.CHECKLIST_COLUMNS, F.SHEET_STATISTICS: F.STATISTICS_COLUMNS,
               F.SHEET_EVIDENCE: F.EVIDENCE_COLUMNS}
    blank = F.SUMMARY_DATA_COLUMNS.index("校验码")
    summary = [v if n != blank else "" for n, v in enumerate(summary_values)]

    def rows(name: str):  # noqa: ANN202
        yield columns[name]
        for cells, _h in bulk[name].rows:
            yield [v for v, _s in cells]

    return F.checksum([(F.SHEET_SUMMARY_DATA, [F.SUMMARY_DATA_COLUMNS, summary]),
                       *((name, rows(name)) for name in F.CHECKED_SHEETS[1:])])


# ---------------------------------------------------------------- 汇总


SUMMARY_COLUMNS = F.SUMMARY_COLUMNS
# each header fits on one line (已完成但无佐证材料 on two, split between words): no header breaks inside a word
SUMMARY_WIDTHS = (16, 32, 8, 8, 8, 8, 8, 8, 12, 6, 8, 14, 14, 8, 8)


def _no_evidence(rows: list[ReportRow]) -> int:
    return sum(1 for r in rows if r.state is Standing.DONE and not r.evidence_names)


def section_groups(data: ReportData) -> list[tuple[str, str, str, list[ReportRow]]]:
    """(doc code, chapter, section, rows) in catalogue order; section "" for a chapter's rows outside any 节."""
    out: dict[tuple[str, str, str], list[ReportRow]] = {}
    for r in data.rows:
        out.setdefault((r.doc_code, r.chapter, r.section), []).append(r)
    return [(d, c, s, rows) for (d, c, s), rows in out.items()]


def _put(ws: Worksheet, row: int, col: int, value, *, bold: bool = False, align=CENTER, fmt: str | None = None,  # noqa: ANN001
         border: bool = True) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value
    cell.font = BOLD_FONT if bold else BODY_FONT
    cell.alignment = align
    if border:
        cell.border = BORDER
    if fmt:
        cell.number_format = fmt


def _counts_row(ws: Worksheet, row: int, doc: str, label: str, c: Counts, no_ev: int, *, bold: bool,
                indent: int = 0) -> float:
    values = [doc, label, c.items, c.applicable, c.done, c.below_target, c.in_progress, c.not_started, no_ev,
              c.overdue, c.not_applicable, c.no_event, c.not_due, c.retired, "—" if c.rate is None else c.rate]
    for col, v in enumerate(values, start=1):
        align = Alignment(wrap_text=True, vertical="top", horizontal="left", indent=indent) if col == 2 else CENTER
        _put(ws, row, col, v, bold=bold, align=align, fmt="0.0%" if col == len(values) and v != "—" else None)
    h = ws.row_dimensions[row].height = _height([(label, SUMMARY_WIDTHS[1] - indent)])
    return h


# A4 landscape less the top and bottom margins of _page_setup (0.6 in each), in points
_PAGE_HEIGHT_PT = 595.3 - 2 * 0.6 * 72
_PAGE_WIDTH_PT = 841.9 - 2 * 0.4 * 72


class _Pages:
    """Where the rows of a printed sheet fall on its pages, so that a block of rows that belongs together
    (a heading with what it heads, the sign-off with the totals) is never split by the printer: every row's
    height is set here, and a page break is put before a block that would not fit on the rest of the page.

    The page holds :data:`_PAGE_HEIGHT_PT` divided by the fit-to-width scale (estimated from the column
    widths as Excel computes pixels), less a twentieth for readers whose scale comes out a little larger.
    """

    def __init__(self, ws: Worksheet, widths: tuple[float, ...]) -> None:
        width_pt = sum(int(w * 7 + 5) for w in widths) * 0.75
        scale = min(1.0, _PAGE_WIDTH_PT / width_pt)
        self.ws = ws
        self.height = _PAGE_HEIGHT_PT / scale * 0.95
        self.used = 0.0

    def row(self, r: int, height: float) -> None:
        """Row ``r`` (placed): set its height and count it."""
        self.ws.row_dimensions[r].height = height
        self.used += height

    def fits(self, height: float) -> bool:
        return self.used + height <= self.height

    def new_page(self, r: int) -> None:
        """A page break before row ``r``."""
        self.ws.row_breaks.append(Break(id=r - 1))
        self.used = 0.0


# 汇总's table headers as printed (whole words per line); the other headers fit their columns on one line
_SUMMARY_HEADER_TEXT = {"已完成但无佐证材料": "已完成但\n无佐证材料"}


def _summary_header(ws: Worksheet, row: int) -> float:
    _header(ws, row, [_SUMMARY_HEADER_TEXT.get(h, h) for h in SUMMARY_COLUMNS], SUMMARY_WIDTHS)
    return 30.0


def _summary(ws: Worksheet, data: ReportData) -> None:
    """汇总: the office and year, the source documents, the table by document, chapter and section, the sign-off
    right after the totals it certifies, then the chart on a page of its own.

    Printed, the table's header row is repeated at the top of every page it runs onto, a heading never ends a
    page (it goes with the rows it heads) and the sign-off block is never split from the totals (see
    :class:`_Pages`)."""
    ncol = len(SUMMARY_COLUMNS)
    for c, w in enumerate(SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    pages = _Pages(ws, SUMMARY_WIDTHS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    put_text(ws["A1"], f"{data.office_name}{data.year}年度法治政府建设工作检查情况汇总")
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    pages.row(1, 32)
    pages.row(2, 8)
    t = data.total()
    no_ev = _no_evidence(list(data.rows))
    problems = data.evidence_problems()
    checked = "已逐一核对 SHA-256" if data.evidence_hashed else "已核对文件是否存在及大小"
    ev = f"{len(data.evidence)} 个文件({checked}"
    if problems:
        missing = sum(1 for e in problems if e.check is EvidenceCheck.MISSING)
        ev += f";缺失 {missing} 个,已变更 {len(problems) - missing} 个,见“{F.SHEET_EVIDENCE}”表"
    ev += f");已完成的事项中有 {no_ev} 项没有佐证材料"
    if data.package_root:
        ev += f"。佐证材料包顶层文件夹“{data.package_root}”,解压到本表所在文件夹后可从“{F.SHEET_EVIDENCE}”表直接打开"
    generated = data.generated_at or dt.datetime.combine(data.generated_on, dt.time())
    info = [
        ("单位", data.office_name),
        ("所属县(市、区)", data.county),
        ("年度", f"{data.year}年"),
        ("总体完成情况",
         f"应完成 {t.applicable} 项,已完成 {t.done} 项,完成率 {t.rate_text()};未达标 {t.below_target} 项,"
         f"进行中 {t.in_progress} 项,未开始 {t.not_started} 项,其中逾期 {t.overdue} 项"
         + (f";{t.score_text()}(有分值的 {t.scored} 项)" if t.scored else "")),
        ("不计入完成率",
         f"不适用 {t.not_applicable} 项,本年度未发生 {t.no_event} 项,本年度不检查 {t.not_due} 项,已退役 {t.retired} 项"),
        ("佐证材料", ev),
        ("统计口径", RATE_RULE),
        ("统计数据核对", _stat_findings(data)),
        ("生成时间", f"{generated:%Y-%m-%d %H:%M}(程序版本 {data.program_version or '—'})"
                  + (f";导出编号 {data.export_id}" if data.export_id else "")),
    ]
    if data.corrects:  # a year edited after 报送: this return replaces the one sent
        info.append(("报送版本", f"更正版\uff1a更正导出编号 {data.corrects} 的报告\uff08本次导出编号 {data.export_id}\uff09"))
    r = 3
    for label, value in info:
        _put(ws, r, 1, label, bold=True, align=WRAP_TOP, border=False)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=ncol)
        _put(ws, r, 2, value, align=WRAP_TOP, border=False)
        pages.row(r, max(_height([(value, sum(SUMMARY_WIDTHS[1:]))]), _height([(label, SUMMARY_WIDTHS[0])])))
        r += 1
    pages.row(r, 10)
    r += 1

    def heading(text: str, then: float) -> None:
        """A section heading, on a new page unless it fits with ``then`` (what must follow it) on this one."""
        nonlocal r
        if not pages.fits(24 + then):
            pages.new_page(r)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        _put(ws, r, 1, text, bold=True, align=Alignment(vertical="center", horizontal="left"), border=False)
        pages.row(r, 24)
        r += 1

    # 一、来源文件: what the figures are counted against
    doc_heights = [_height([(d.title, SUMMARY_WIDTHS[1]), (d.doc_number, sum(SUMMARY_WIDTHS[2:ncol - 2]))])
                   for d in data.documents]
    heading("一、来源文件", 24 + (doc_heights[0] if doc_heights else 0))
    for col, h in ((1, "文件"), (2, "文件名称"), (3, "发文字号"), (ncol - 1, "目录版本")):
        _put(ws, r, col, h, bold=True, align=HEADER_ALIGN)
        ws.cell(row=r, column=col).fill = HEADER_FILL
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=ncol - 2)
    ws.merge_cells(start_row=r, start_column=ncol - 1, end_row=r, end_column=ncol)
    pages.row(r, 24)
    r += 1
    for doc, h in zip(data.documents, doc_heights):
        _put(ws, r, 1, doc.code, align=WRAP_TOP)
        _put(ws, r, 2, doc.title, align=WRAP_TOP)
        _put(ws, r, 3, doc.doc_number, align=WRAP_TOP)
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=ncol - 2)
        _put(ws, r, ncol - 1, doc.version)
        ws.merge_cells(start_row=r, start_column=ncol - 1, end_row=r, end_column=ncol)
        pages.row(r, h)
        r += 1
    pages.row(r, 10)
    r += 1

    # 二、按文件、章、节统计: (document, label, counts, no evidence, bold, indent) per row, then laid out
    lines: list[tuple[str, str, Counts, int, bool, int]] = []
    heads: set[int] = set()  # rows that head the next one (a chapter with sections): never last on a page
    groups = section_groups(data)
    chart_rows: list[tuple[str, list[ReportRow]]] = []
    for doc in data.documents:
        chapters: dict[str, list[tuple[str, list[ReportRow]]]] = {}
        for d, ch, sec, rows in groups:
            if d == doc.code:
                chapters.setdefault(ch, []).append((sec, rows))
        for ch, secs in chapters.items():
            ch_rows = [x for _s, rows in secs for x in rows]
            chart_rows.append((f"{doc.code} {strip_number(ch) or '(未分章)'}", ch_rows))
            if any(sec for sec, _rows in secs):
                heads.add(len(lines))
            lines.append((doc.code, ch or "(未分章)", count_rows(ch_rows), _no_evidence(ch_rows), True, 0))
            if any(sec for sec, _rows in secs):
                for sec, rows in secs:
                    lines.append((doc.code, sec or "(本章其他事项)", count_rows(rows), _no_evidence(rows), False, 2))
        doc_rows = [x for d, _c, _s, rows in groups if d == doc.code for x in rows]
        lines.append((doc.code, "合计", count_rows(doc_rows), _no_evidence(doc_rows), True, 0))
    lines.append(("总计", "", t, no_ev, True, 0))
    heights = [_height([(label, SUMMARY_WIDTHS[1] - indent)]) for _d, label, _c, _n, _b, indent in lines]
    sign_off_height = 24 + 48 + 3 * 24
    header_h = 30.0
    heading("二、按文件、章、节统计", header_h + heights[0] + (heights[1] if 0 in heads else 0))
    _summary_header(ws, r)
    pages.row(r, header_h)
    r += 1
    last = len(lines) - 1
    for n, (doc_code, label, c, n_ev, bold, indent) in enumerate(lines):
        need = heights[n]
        if n in heads and n < last:
            need += heights[n + 1]  # a chapter row goes with its first section
        if n >= last - 1:
            need = sum(heights[last - 1:]) + sign_off_height  # the last 合计, 总计 and the sign-off: one page
        if not pages.fits(need):
            pages.new_page(r)
            _summary_header(ws, r)  # the header again at the top of the page
            pages.row(r, header_h)
            r += 1
        _counts_row(ws, r, doc_code, label, c, n_ev, bold=bold, indent=indent)
        pages.row(r, heights[n])
        r += 1
    r = _sign_off(ws, data, r, ncol, pages)
    _page_setup(ws, data, F.SHEET_SUMMARY, None, None)
    pages.new_page(r)  # the chart starts on a page of its own
    _chart(ws, r, chart_rows)


def _stat_findings(data: ReportData) -> str:
    """The 说明 of the 统计数据 sheet in one paragraph: every figure that does not fit, once."""
    found = list(dict.fromkeys(line for s in data.statistics for line in s.note.split("\n") if line))
    if not found:
        return "各项统计数据之间及与事项状态之间未发现矛盾。"
    return f"以下 {len(found)} 处需核对(见\u201c{F.SHEET_STATISTICS}\u201d表说明列)\uff1a" + "\uff1b".join(found) + "。"


def _sign_off(ws: Worksheet, data: ReportData, r: int, ncol: int, pages: _Pages) -> int:
    """报送单位(盖章) … 报送日期: label/value pairs, two to a row, with room for the seal."""
    s = data.sign_off
    when = s.submit_date
    pairs = [
        ("报送单位(盖章)", data.office_name, "报送日期", f"{when.year}年{when.month}月{when.day}日" if when else ""),
        ("单位负责人", s.leader, "分管领导", s.deputy),
        ("填报人", s.preparer, "联系人", s.contact),
        ("联系电话", s.phone, "", ""),
    ]
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    _put(ws, r, 1, "三、报送单位签署", bold=True, align=Alignment(vertical="bottom", horizontal="left"), border=False)
    pages.row(r, 24)
    r += 1
    half = ncol // 2
    for n, (l1, v1, l2, v2) in enumerate(pairs):
        _put(ws, r, 1, l1, bold=True, align=Alignment(vertical="center", horizontal="left", wrap_text=True))
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=half)
        _put(ws, r, 2, v1, align=Alignment(vertical="center", horizontal="left"))
        _put(ws, r, half + 1, l2, bold=True, align=Alignment(vertical="center", horizontal="left", wrap_text=True))
        ws.merge_cells(start_row=r, start_column=half + 1, end_row=r, end_column=half + 2)
        ws.merge_cells(start_row=r, start_column=half + 3, end_row=r, end_column=ncol)
        _put(ws, r, half + 3, v2, align=Alignment(vertical="center", horizontal="left"))
        pages.row(r, 48 if n == 0 else 24)  # room for the seal
        r += 1
    return r


def _chart(ws: Worksheet, r: int, chart_rows: list[tuple[str, list[ReportRow]]]) -> None:
    """One stacked bar per chapter: 已完成(有佐证) / 已完成(无佐证) / 未达标 / 未完成, so a bar's length is what
    was due and its colours say how much of it is done and proven."""
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(SUMMARY_COLUMNS))
    _put(ws, r, 1, "四、各章完成情况(事项数)", bold=True, align=Alignment(vertical="center", horizontal="left"),
         border=False)
    ws.row_dimensions[r].height = 24
    r += 1
    heads = ["章", "已完成\n(有佐证)", "已完成\n(无佐证)", "未达标", "未完成"]
    # the chart's data: chapter label in A+B (merged), the four series in C..F
    _put(ws, r, 1, heads[0], bold=True, align=HEADER_ALIGN)
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    for col, h in enumerate(heads[1:], start=3):
        _put(ws, r, col, h, bold=True, align=HEADER_ALIGN)
    ws.row_dimensions[r].height = 30
    first = r + 1
    for label, rows in chart_rows:
        r += 1
        done_ev = sum(1 for x in rows if x.state is Standing.DONE and x.evidence_names)
        done_no = sum(1 for x in rows if x.state is Standing.DONE and not x.evidence_names)
        below = sum(1 for x in rows if x.state is Standing.BELOW_TARGET)
        open_ = sum(1 for x in rows if x.state in (Standing.IN_PROGRESS, Standing.NOT_STARTED))
        _put(ws, r, 1, label, align=WRAP_TOP)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        for col, v in enumerate((done_ev, done_no, below, open_), start=3):
            _put(ws, r, col, v)
    last = r
    if last < first:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = "各章应完成事项的完成情况"
    chart.y_axis.title = "事项数"
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # first chapter on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.add_data(Reference(ws, min_col=3, max_col=6, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    colours = ("70AD47", "A9D18E", "F4B183", "D9D9D9")
    for s, colour in zip(chart.series, colours):
        s.graphicalProperties.solidFill = colour
        s.graphicalProperties.line.solidFill = colour
    chart.legend.position = "b"
    chart.width = 26
    chart.height = max(8.0, 0.9 * (last - first + 1) + 4)
    ws.add_chart(chart, f"A{last + 2}")


def build_workbook(data: ReportData) -> tuple[Workbook, dict[str, BulkRows]]:
    """The workbook (openpyxl parts complete) and the bulk data rows of its table sheets."""
    wb = Workbook()
    ws = wb.active
    ws.title = F.SHEET_SUMMARY
    _summary(ws, data)
    summary_values = _summary_data(wb, data)
    bulk = {
        F.SHEET_CHECKLIST: _checklist(wb, data),
        F.SHEET_STATISTICS: _statistics(wb, data),
        F.SHEET_EVIDENCE: _evidence(wb, data),
        F.SHEET_ACTIVITY: _activities(wb, data),
        F.SHEET_OUTSTANDING: _outstanding(wb, data),
        F.SHEET_NOTES: _notes(wb, data),
    }
    cell = wb[F.SHEET_SUMMARY_DATA].cell(row=2, column=F.SUMMARY_DATA_COLUMNS.index("校验码") + 1)
    put_text(cell, workbook_checksum(summary_values, bulk))
    wb.properties.title = f"{data.office_name}{data.year}年度法治政府建设年度报告"
    wb.properties.creator = "法治政府建设检查台"
    return wb, bulk


def write_report(ctx: JobContext, data: ReportData, out_path: Path | str, *, fast: bool = True) -> None:
    """Write the annual report workbook to ``out_path`` (temp file, fsync, replace)."""
    ctx.check()
    ctx.progress(0, 3, "正在生成报告表格……")
    with gc_paused():
        _write_report(ctx, data, Path(out_path), fast)
    ctx.progress(3, 3, "报告已保存")


def _write_report(ctx: JobContext, data: ReportData, out_path: Path, fast: bool) -> None:
    wb, bulk = build_workbook(data)
    ctx.progress(1, 3, "正在写入报告文件……")
    with output_file(out_path) as tmp:
        save_workbook(wb, os.fspath(tmp), bulk, check=ctx.check, fast=fast)
        ctx.check()
