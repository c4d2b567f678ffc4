"""Spreadsheet helpers for the reports: safe text, CJK widths, shared styles, and a fast row writer.

openpyxl builds one Python object per cell and serialises it through ElementTree;
for a report of 10,000 items and 50,000 evidence rows that alone takes 6–10 s on
our machines. The big sheets of the annual report are therefore written in two
parts: openpyxl writes everything it is good at (header row, widths, freeze
panes, autofilter, print setup, header/footer, styles, charts), and the data
rows are generated here as SpreadsheetML text and spliced into the sheet's
``<sheetData>`` while openpyxl saves the workbook (:class:`BulkRows`,
:func:`save_workbook`). The rows use the same inline strings and the same style
records (``cellXfs`` indices obtained from openpyxl itself) that openpyxl would
have written, so the file is what openpyxl would produce, only sooner. They are
rendered 2,000 at a time and handed to a second thread that compresses them into
the zip member (zlib releases the GIL), so compressing one chunk overlaps
rendering the next.

If a future openpyxl changes the internals this relies on, :func:`save_workbook`
falls back to writing the rows as ordinary openpyxl cells (slower, same content).

User text is always written as text, through :func:`fazhi_desk.safetext.neutralise`:
a value beginning with ``= + - @``, tab, CR or NUL is stored as a string with
*quotePrefix*, never as a formula, direction controls (U+202E …) are shown as
``[U+202E]`` and characters XML cannot hold are dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import unicodedata
from operator import itemgetter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from fazhi_desk.safetext import FORMULA_TRIGGERS, SafeText, clean_text, neutralise  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

_EXCEL_EPOCH = dt.date(1899, 12, 30)

FONT_NAME = "宋体"
BODY_FONT = Font(name=FONT_NAME, size=10)
BOLD_FONT = Font(name=FONT_NAME, size=10, bold=True)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
WRAP_TOP = Alignment(wrap_text=True, vertical="top", horizontal="left")
CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
LINE_HEIGHT_PT = 13.5  # one wrapped line of 10 pt CJK text
MAX_ROW_HEIGHT_PT = 409.0  # Excel's limit


def needs_quote(text: str) -> bool:
    """Would a spreadsheet read this user text as a formula (or mangle its start)? See :func:`neutralise`."""
    return neutralise(text).quote


def text_width(text: str) -> int:
    """Display width: East-Asian wide/full-width characters count 2, others 1 (longest line)."""
    best = 0
    for line in text.split("\n"):
        if line.isascii():
            w = len(line)
        else:
            w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
        best = max(best, w)
    return best


def header_width(text: str) -> float:
    """The column width a bold header needs to show its longest line on one line (CJK counted 2)."""
    return text_width(text) + 2.5


@functools.lru_cache(maxsize=65536)  # a report asks again for every repeated 事项内容 and path
def wrapped_lines(text: str, col_width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``col_width`` characters wide (estimate)."""
    usable = max(col_width - 1.5, 1.0)
    n = 0
    for line in text.split("\n"):
        if line.isascii():
            w = len(line)
        else:
            # UTF-8 length gives CJK (3 bytes) width 2; 10 pt 宋体 is ~1.86 units per CJK char in Excel.
            b = len(line.encode("utf-8"))
            w = len(line) + (b - len(line)) // 2
        n += max(1, -(-int(w * 0.93 + 0.999) // int(usable)))
    return n


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT_PT, round(lines * LINE_HEIGHT_PT + 4, 1))


def column_width(values: Iterable[str], header: str, lo: float, hi: float) -> float:
    """A column width that fits the widest value (CJK counted 2), plus 2, within [lo, hi]."""
    w = text_width(header)
    for v in values:
        if v:
            w = max(w, text_width(v))
            if w + 2 >= hi:
                return hi
    return max(lo, min(hi, w + 2))


def excel_date(d: dt.date) -> int:
    return (d - _EXCEL_EPOCH).days


def put_text(cell, value: str | None) -> None:  # noqa: ANN001 - openpyxl Cell
    """Assign user text to an openpyxl cell so it stays text (never a formula)."""
    if value is None or value == "":
        cell.value = None
        return
    text, quote = neutralise(value)
    cell.value = text
    if quote or cell.data_type != "s":
        cell.data_type = "s"
        cell.quotePrefix = True


def escape(text: str) -> str:
    return _escape_clean(clean_text(text))


def _escape_clean(text: str) -> str:
    """XML-escape text already cleaned by :func:`clean_text`."""
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


@dataclass(frozen=True, eq=False)
class CellStyle:
    """A combination of font, fill, border, alignment and number format, shared by many cells.

    Compared and hashed by identity: define each style once and reuse the object.
    """

    font: Font = BODY_FONT
    fill: PatternFill | None = None
    border: Border | None = BORDER
    alignment: Alignment = WRAP_TOP
    number_format: str = "General"
    quote: bool = False

    def apply(self, cell) -> None:  # noqa: ANN001
        cell.font = self.font
        if self.fill is not None:
            cell.fill = self.fill
        if self.border is not None:
            cell.border = self.border
        cell.alignment = self.alignment
        if self.number_format != "General":
            cell.number_format = self.number_format
        if self.quote:
            cell.quotePrefix = True

    def quoted(self) -> "CellStyle":
        """The same style with quotePrefix (one shared object per style)."""
        if self.quote:
            return self
        q = self.__dict__.get("_quoted")
        if q is None:
            q = CellStyle(self.font, self.fill, self.border, self.alignment, self.number_format, True)
            object.__setattr__(self, "_quoted", q)
        return q


@dataclass(frozen=True)
class Link:
    """A cell that shows ``text`` and opens ``target`` (a relative path): plain text with a native hyperlink.

    No formula: the cell's value is the text (what every reader, openpyxl's default read included, gets), and
    the link is a hyperlink relationship of the sheet (``TargetMode="External"``), which Excel, WPS and
    LibreOffice resolve against the workbook's folder.
    """

    target: str
    text: str


# A cell of a bulk row: (value, style). Value: str, int, float, date, Link or None.
BulkCell = tuple[Any, CellStyle]


@dataclass
class BulkRows:
    """Data rows for one sheet, written after the openpyxl rows (the header) of that sheet."""

    first_row: int
    ncols: int
    rows: list[tuple[Sequence[BulkCell], float | None]] = field(default_factory=list)  # (cells, height)

    links: list[tuple[str, str]] = field(default_factory=list)  # (cell reference, target) of the Link cells

    def add(self, cells: Sequence[BulkCell], height: float | None = None) -> None:
        if len(cells) != self.ncols:
            raise ValueError(f"a row of {len(cells)} cells in a sheet of {self.ncols} columns")
        self.rows.append((cells, height))
        for j, (value, _style) in enumerate(cells):
            if value.__class__ is Link and value.target:
                self.links.append((f"{get_column_letter(j + 1)}{self.first_row + len(self.rows) - 1}", value.target))

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1


class _StyleIds:
    """The ``cellXfs`` index openpyxl will write for each :class:`CellStyle`."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.ids: dict[CellStyle, int] = {}

    def __call__(self, style: CellStyle) -> int:
        sid = self.ids.get(style)
        if sid is None:
            probe = self.ws.cell(row=1_048_576, column=16_384)
            style.apply(probe)
            sid = probe.style_id
            del self.ws._cells[(1_048_576, 16_384)]
            self.ids[style] = sid
        return sid


def _num(v: float | int) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int) or float(v).is_integer():
        return str(int(v))
    return repr(float(v))


def render_chunks(
    bulk: BulkRows, style_id: Callable[[CellStyle], int], check: Callable[[], None], step: int = 2000
) -> Iterator[str]:
    """The ``<row>`` elements of ``bulk`` as SpreadsheetML text, ``step`` rows at a time.

    Everything after ``<c r="A1"`` depends only on the value and the style, and most of a report's
    cells repeat (office, county, year, status words, units, the 事项内容 of every evidence row):
    that part is built once per distinct (value, style), column by column, and each row is then
    one ``str.format`` of a per-sheet template with the row number and those parts.
    """
    ncols = bulk.ncols
    letters = [get_column_letter(i) for i in range(1, ncols + 1)]
    cells = "".join(f'<c r="{letter}{{0}}"{{{j + 2}}}' for j, letter in enumerate(letters))
    plain = '<row r="{0}">' + cells + "</row>"
    tall = '<row r="{0}" ht="{1}" customHeight="1">' + cells + "</row>"
    tails: dict[tuple[Any, CellStyle], str] = {}

    sids: dict[CellStyle, str] = {}

    def sid(style: CellStyle) -> str:
        a = sids.get(style)
        if a is None:
            a = sids[style] = f' s="{style_id(style)}"'
        return a

    def tail(cell: tuple[Any, CellStyle]) -> str:
        value, style = cell
        cls = value.__class__
        if cls is str and value:
            text, quote = neutralise(value)
            if quote and not style.quote:
                style = style.quoted()
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            t = f'{sid(style)} t="inlineStr"><is><t{space}>{_escape_clean(text)}</t></is></c>'
        elif cls is int:
            t = f"{sid(style)}><v>{value}</v></c>"
        elif value is None or value == "":
            t = f"{sid(style)}/>"
        elif isinstance(value, dt.date):
            t = f"{sid(style)}><v>{excel_date(value)}</v></c>"
        elif isinstance(value, Link):  # its text; the hyperlink itself is a relationship (BulkRows.links)
            return tail((value.text, style))
        elif isinstance(value, str):  # a str subclass
            return tail((str(value), style))
        else:
            t = f"{sid(style)}><v>{_num(value)}</v></c>"
        tails[cell] = t
        return t

    get = tails.get
    for start in range(0, len(bulk.rows), step):
        check()
        chunk = bulk.rows[start:start + step]
        row_cells = [cs for cs, _h in chunk]
        # column by column: one dict lookup per cell, the tail built only for a (value, style) not seen before
        columns = []
        for j in range(ncols):
            col = list(map(itemgetter(j), row_cells))
            parts = list(map(get, col))
            if None in parts:
                for i, part in enumerate(parts):
                    if part is None:
                        parts[i] = get(col[i]) or tail(col[i])
            columns.append(parts)
        first = bulk.first_row + start
        yield "".join([(tall if height else plain).format(first + n, height, *parts)
                       for n, (parts, (_cells, height)) in enumerate(zip(zip(*columns), chunk))])


def write_rows_as_cells(ws: Worksheet, bulk: BulkRows, check: Callable[[], None]) -> None:
    """The slow, plain openpyxl way of writing ``bulk`` (fallback, and the reference in tests)."""
    for n, (cells, height) in enumerate(bulk.rows):
        if n % 2000 == 0:
            check()
        r = bulk.first_row + n
        for c, (value, style) in enumerate(cells, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                put_text(cell, value)
            elif isinstance(value, Link):
                put_text(cell, value.text)
                cell.hyperlink = value.target
            elif value is not None:
                cell.value = value
            style.apply(cell)
            if isinstance(value, str) and needs_quote(value):
                cell.quotePrefix = True
        if height:
            ws.row_dimensions[r].height = height


_DIM_RE = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def save_workbook(
    wb: Workbook,
    path: str,
    bulk: dict[str, BulkRows],
    *,
    check: Callable[[], None] = lambda: None,
    fast: bool = True,
) -> None:
    """Save ``wb`` to ``path`` with the bulk rows of each named sheet (see the module docstring)."""
    from zipfile import ZIP_DEFLATED, ZipFile

    writer_cls = _splicing_writer_class() if fast else None
    if writer_cls is None:
        for title, b in bulk.items():
            write_rows_as_cells(wb[title], b, check)
        check()
        wb.save(path)
        return
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL)
    try:
        writer = writer_cls(wb, archive, bulk, check)
        writer.save()
    finally:
        archive.close()


# zlib level of the saved workbook: 1 writes a 10,000-item report in a third of the time level 6
# takes, for a file about a quarter larger (8.5 MB instead of 6.6 MB).
COMPRESS_LEVEL = 1


class _Pipe:
    """Bytes written to a zip member by a second thread, so that zlib (which releases the GIL)
    compresses one chunk of rows while this thread renders the next."""

    def __init__(self, out) -> None:  # noqa: ANN001 - a writable zip member
        import queue
        import threading

        self._out = out
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-compress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._out.write(data)
                except BaseException as e:  # noqa: BLE001 - handed to the writing thread in put/close
                    self._error = e

    def put(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def close(self, *, raise_error: bool = True) -> None:
        self._queue.put(None)
        self._thread.join()
        if raise_error and self._error is not None:
            raise self._error


def _splicing_writer_class():  # noqa: ANN202
    try:
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
        from openpyxl.worksheet._writer import WorksheetWriter
        from openpyxl.writer.excel import ExcelWriter
    except ImportError:  # pragma: no cover - a very different openpyxl
        log.warning("openpyxl internals changed; writing report rows the slow way")
        return None
    if not hasattr(ExcelWriter, "write_worksheet"):  # pragma: no cover
        return None

    class SplicingWriter(ExcelWriter):
        def __init__(self, workbook, archive, bulk: dict[str, BulkRows], check: Callable[[], None]) -> None:  # noqa: ANN001
            super().__init__(workbook, archive)
            self._bulk = bulk
            self._check = check

        def write_worksheet(self, ws) -> None:  # noqa: ANN001
            b = self._bulk.get(ws.title)
            if b is None or getattr(self.workbook, "write_only", False):
                return super().write_worksheet(ws)
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws)
            if b.links:  # written with the sheet's tail (<hyperlinks>), each with its relationship
                from openpyxl.worksheet.hyperlink import Hyperlink

                ws._hyperlinks.extend(Hyperlink(ref=ref, target=target) for ref, target in b.links)
            writer.write()
            ws._rels = writer._rels
            with open(writer.out, "rb") as f:
                xml = f.read()
            if b.rows:  # before locating the splice point: this changes the length
                last = f"{get_column_letter(max(b.ncols, ws.max_column))}{b.last_row}"
                xml = _DIM_RE.sub(f'<dimension ref="A1:{last}"/>'.encode(), xml, count=1)
            end = xml.find(b"</sheetData>")
            if end < 0:
                empty = xml.find(b"<sheetData />")
                if empty < 0:
                    empty = xml.find(b"<sheetData/>")
                if empty < 0:  # pragma: no cover - defensive
                    raise RuntimeError("sheetData not found")
                close = xml.find(b">", empty) + 1
                xml = xml[:empty] + b"<sheetData>" + b"</sheetData>" + xml[close:]
                end = xml.find(b"</sheetData>")
            with self._archive.open(ws.path[1:], "w", force_zip64=True) as member:
                pipe = _Pipe(member)
                try:
                    pipe.put(xml[:end])
                    for chunk in render_chunks(b, _StyleIds(ws), self._check):
                        pipe.put(chunk.encode("utf-8"))
                    pipe.put(xml[end:])
                except BaseException:
                    pipe.close(raise_error=False)  # the first error (a cancel, a full disk) is the one told
                    raise
                pipe.close()
            self.manifest.append(ws)
            writer.cleanup()

    return SplicingWriter
