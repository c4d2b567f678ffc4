"""Reading a filled-in Excel catalogue template back, with full validation (the layout is in :mod:`.excel`).

Columns are found by their header, so their order is free and further columns
are ignored. The sheet 统计指标 is optional: a template made before it existed
reads as defining no indicators. Reading builds the canonical JSON dict of each document and runs
it through :func:`~fazhi_desk.catalogue.schema.parse_catalogue_dict`, so the
Excel and JSON routes share one set of rules; its JSON-path problems are mapped
back to sheet/row/column places, and every problem of the file is reported at
once. Formulas, error values and over-long cells are refused; the container is
checked for DTD/entity declarations and decompression bombs, and the sheet XML
is then read with expat set to refuse any DTD (openpyxl writes the template;
reading with expat directly is several times faster than openpyxl's reader).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from fazhi_desk.catalogue.excel import (
    DOC_COLUMNS,
    DOC_SHEET,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    ITEM_COLUMNS,
    ITEM_SHEET,
    Column,
)
from fazhi_desk.catalogue.schema import (
    DOC_CODE_RE,
    FORMAT,
    FORMAT_VERSION,
    MAX_TEXT,
    Catalogue,
    parse_catalogue_dict,
)
from fazhi_desk.domain.model import _fmt_num
from fazhi_desk.errors import ProblemList, UserError

MAX_ROWS = 100_000
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # total of all parts inside the xlsx
MAX_RATIO = 200  # uncompressed / compressed of one part


def _place(sheet: str, row: int | None = None, header: str | None = None, col: int | None = None) -> str:
    from openpyxl.utils import get_column_letter

    p = f"工作表“{sheet}”"
    if row is not None:
        p += f"第 {row} 行"
    if header is not None:
        p += f" {get_column_letter(col)} 列“{header}”" if col else f"“{header}”列"
    return p


_ID_SEPARATORS_RE = re.compile(r"[、,,;;\s]+")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:0{2}(?::0{2})?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_END_RE = re.compile(r"^(\d{4})\s*年\s*(?:年底|底|末|年末)前?$")


def parse_date_text(text: str) -> dt.date:
    """A date written as text: 2025-12-31, 2025/12/31, 2025.12.31, 2025年12月31日, 20251231, 2025年底.

    Raises ValueError for text that is not one of these or not a real date.
    """
    t = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_RE.match(t) or _COMPACT_DATE_RE.match(t)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _YEAR_END_RE.match(t)
    if m:
        return dt.date(int(m.group(1)), 12, 31)
    raise ValueError(text)


class _SheetReader:
    """Converts the cells of one sheet into JSON values, collecting problems with their places."""

    def __init__(self, problems: ProblemList, sheet: str) -> None:
        self.p = problems
        self.sheet = sheet
        self.reported: set[str] = set()  # places with a problem already (parse problems there are dropped)

    def problem(self, row: int, col: Column, colno: int, message: str) -> None:
        place = _place(self.sheet, row, col.header, colno)
        self.reported.add(place)
        self.p.add(place, message)

    def convert(self, cell: Any, row: int, col: Column, colno: int) -> Any:
        """The cell's value as the canonical JSON dict has it; ``None`` when it was reported."""
        dtype = getattr(cell, "data_type", None)
        v = getattr(cell, "value", None)
        if dtype == "f":
            shown = str(v)[:40] if isinstance(v, str) else "公式"
            self.problem(row, col, colno, f"是公式\uff08“{shown}”\uff09\uff0c请改为直接填写内容\uff08复制后“选择性粘贴—数值”\uff09")
            return None
        if dtype == "e":
            self.problem(row, col, colno, f"是错误值“{v}”\uff0c请改正")
            return None
        if isinstance(v, str):
            if len(v) > MAX_TEXT:
                self.problem(row, col, colno, f"超过 {MAX_TEXT} 个字符\uff08现有 {len(v)} 个\uff09\uff0c请精简")
                return None
            if not v.strip():
                v = None
        kind = col.kind
        if kind == "text":
            if v is None:
                return ""
            if isinstance(v, bool):
                return "是" if v else "否"
            if isinstance(v, float):
                return _fmt_num(v)
            if isinstance(v, dt.datetime):
                return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
            if isinstance(v, (dt.date, dt.time)):
                return v.isoformat()
            return str(v)
        if kind == "date":
            if v is None:
                return ""
            if isinstance(v, dt.datetime):
                if v.time() != dt.time(0):
                    self.problem(row, col, colno, f"“{v}”带有时刻\uff0c请只填日期")
                    return None
                return v.date().isoformat()
            if isinstance(v, dt.date):
                return v.isoformat()
            text = _fmt_num(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
            try:
                return parse_date_text(text).isoformat()
            except ValueError:
                self.problem(row, col, colno, f"“{text}”不是有效日期\uff08应为日期\uff0c如 2025-12-31 或 2025年12月31日\uff09")
                return None
        if kind == "version":
            if v is None:
                return ""
            if isinstance(v, bool):
                return str(v)
            if isinstance(v, int):
                return str(v)
            if isinstance(v, float):
                return repr(v)
            return str(v).strip()
        if kind == "lines":
            if v is None:
                return []
            return [ln.strip() for ln in str(v).splitlines() if ln.strip()]
        if kind in ("int", "year"):
            if v is None:
                return 0 if kind == "int" else None
            n: int | None = None
            if isinstance(v, bool):
                n = None
            elif isinstance(v, int):
                n = v
            elif isinstance(v, float) and v.is_integer():
                n = int(v)
            elif isinstance(v, str) and v.strip().isdigit():
                n = int(v.strip())
            if n is None or n < 0:
                what = "非负整数\uff08如 4\uff09" if kind == "int" else "年份\uff08如 2024\uff09"
                self.problem(row, col, colno, f"“{v}”应为{what}")
                return None
            return n
        if kind == "bool":
            if isinstance(v, bool):
                return v
            t = "" if v is None else str(v).strip()
            if t in ("是", "Y", "y", "TRUE", "True", "true"):
                return True
            if t in ("否", "N", "n", "FALSE", "False", "false"):
                return False
            self.problem(row, col, colno, "应填“是”或“否”" if not t else f"“{t}”应为“是”或“否”")
            return None
        if kind == "target":
            if v is None:
                return ""
            if isinstance(v, bool):
                return str(v)
            if isinstance(v, (int, float)):
                return _fmt_num(float(v)) if v == v else "nan"
            return str(v).strip()
        if kind == "ids":  # item ids separated by 、 , ; or new lines
            if v is None:
                return []
            text = _fmt_num(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
            return [x for x in _ID_SEPARATORS_RE.split(unicodedata.normalize("NFKC", text).strip()) if x]
        if kind == "score":
            if v is None or (isinstance(v, str) and not v.strip()):
                return None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return v
            try:
                return float(str(v).strip())
            except ValueError:
                self.problem(row, col, colno, f"“{v}”应为数字\uff08如 5\uff09")
                return None
        raise AssertionError(kind)


def _header_map(rows: list[tuple[int, list[Any]]], columns: tuple[Column, ...], p: ProblemList,
                sheet: str) -> dict[str, int] | None:
    """Column index (0-based) of each known column, found by header text in row 1."""
    header = rows[0][1] if rows and rows[0][0] == 1 else []
    found: dict[str, int] = {}
    names = {c.header: c for c in columns}
    for i, cell in enumerate(header):
        v = getattr(cell, "value", None)
        if not isinstance(v, str):
            continue
        h = v.strip().replace("*", "").replace("(必填)", "").replace("(必填)", "")
        if h in names:
            if h in found:
                p.add(_place(sheet, 1, h, i + 1), f"“{h}”列重复出现\uff0c请删去多余的一列")
                continue
            found[h] = i
    missing = [c.header for c in columns if c.required and c.header not in found]
    if missing:
        p.add(_place(sheet, 1), "缺少列\uff1a" + "、".join(f"“{m}”" for m in missing) + "\uff08第 1 行应为表头\uff09")
        return None
    return {names[h].key: i for h, i in found.items()}


def _read_rows(rows: list[tuple[int, list[Any]]], columns: tuple[Column, ...], cols: dict[str, int],
               reader: _SheetReader, p: ProblemList) -> list[tuple[int, dict[str, Any]]]:
    by_key = {c.key: c for c in columns}
    out: list[tuple[int, dict[str, Any]]] = []
    for r, cells in rows:
        if r < 2:
            continue
        values: dict[str, Any] = {}
        blank = True
        for key, i in cols.items():
            cell = cells[i] if i < len(cells) else None
            v = getattr(cell, "value", None)
            if v is not None and not (isinstance(v, str) and not v.strip()):
                blank = False
            values[key] = cell
        if blank:
            continue
        conv: dict[str, Any] = {}
        for key, cell in values.items():
            conv[key] = reader.convert(cell, r, by_key[key], cols[key] + 1)
        out.append((r, conv))
    return out


def check_xlsx_container(path: Path) -> None:
    """Refuse an xlsx whose parts declare a DTD/entities or would decompress to an absurd size.

    The checks are :func:`fazhi_desk.spreadsheets.check_workbook`'s (shared with every reader of
    others' workbooks), worded for a template ("未导入").
    """
    from fazhi_desk.spreadsheets import check_workbook

    check_workbook(path, "检查目录模板", "未导入")
    name = path.name
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise UserError(f"文件“{name}”解压后过大\uff08{total // (1024 * 1024)} MB\uff09\uff0c不像是检查目录模板\uff0c未导入。")
            for info in infos:
                if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO and info.file_size > 10_000_000:
                    raise UserError(f"文件“{name}”中的“{info.filename}”压缩比异常\uff0c可能是恶意构造的文件\uff0c未导入。")
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with z.open(info) as f:
                    head = f.read(8192)
                low = head.lower()
                if b"<!doctype" in low or b"<!entity" in low:
                    raise UserError(
                        f"文件“{name}”的“{info.filename}”含有 DTD/实体声明\uff08正常的 Excel 文件不会有\uff09\uff0c"
                        "可能是恶意构造的文件\uff0c未导入。请在 Excel/WPS 中打开后另存为新的 .xlsx 再导入。"
                    )
    except zipfile.BadZipFile as e:
        raise UserError(f"文件“{name}”已损坏\uff0c不是有效的 .xlsx 文件。请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。") from e
    except OSError as e:
        raise UserError(f"无法读取文件“{path}”\uff1a{e.strerror or e}。") from e


@dataclass(frozen=True)
class Cell:
    """One cell as read from the sheet XML: its value and Excel data type (s, n, b, d, e, f)."""

    value: Any
    data_type: str


class _XmlRefused(Exception):
    """The XML declares a DTD (and so possibly entities): refused."""


def _expat(handlers: dict[str, Any]):  # noqa: ANN202
    """An expat parser that refuses any DTD, hence any entity declaration or external reference."""
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def refuse(*_a: Any) -> None:
        raise _XmlRefused()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.buffer_text = True
    for name, fn in handlers.items():
        setattr(parser, name, fn)
    return parser


def _local(tag: str) -> str:
    return tag.rsplit(":", 1)[-1] if ":" in tag else tag.rsplit("}", 1)[-1]


def _parse(data: bytes, start: Any, end: Any, chars: Any) -> None:
    parser = _expat({"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": chars})
    parser.Parse(data, True)


def _col_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


class _Workbook:
    """A small, fast reader of the cell values of an xlsx (values, types, dates; no styles beyond that).

    openpyxl's read-only reader spends most of its time building objects for
    every inline string; reading the parts with expat directly is several times
    faster, and refuses any DTD outright.
    """

    def __init__(self, z: zipfile.ZipFile) -> None:
        self.z = z
        self.names = {n.lower(): n for n in z.namelist()}
        self.date1904 = False
        self.sheets = self._sheet_parts()
        self.shared = self._shared_strings()
        self.date_styles = self._date_styles()

    def _read(self, name: str) -> bytes | None:
        real = self.names.get(name.lower().lstrip("/"))
        return self.z.read(real) if real else None

    def _sheet_parts(self) -> dict[str, str]:
        rels: dict[str, str] = {}

        def rel_start(tag: str, attrs: dict[str, str]) -> None:
            if _local(tag) == "Relationship":
                target = attrs.get("Target", "")
                rels[attrs.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target

        data = self._read("xl/_rels/workbook.xml.rels")
        if data is None:
            raise KeyError("workbook rels")
        _parse(data, rel_start, lambda t: None, lambda t: None)
        sheets: dict[str, str] = {}

        def wb_start(tag: str, attrs: dict[str, str]) -> None:
            name = _local(tag)
            if name == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                if rid in rels:
                    sheets[attrs.get("name", "").strip()] = rels[rid]
            elif name == "workbookPr":
                self.date1904 = attrs.get("date1904", "0") in ("1", "true")

        data = self._read("xl/workbook.xml")
        if data is None:
            raise KeyError("workbook")
        _parse(data, wb_start, lambda t: None, lambda t: None)
        return sheets

    def _shared_strings(self) -> list[str]:
        data = self._read("xl/sharedStrings.xml")
        out: list[str] = []
        if data is None:
            return out
        buf: list[str] = []
        state = {"t": False, "ph": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            name = _local(tag)
            if name == "si":
                buf.clear()
            elif name == "t":
                state["t"] = True
            elif name == "rPh":
                state["ph"] += 1

        def end(tag: str) -> None:
            name = _local(tag)
            if name == "si":
                out.append("".join(buf))
            elif name == "t":
                state["t"] = False
            elif name == "rPh":
                state["ph"] -= 1

        def chars(text: str) -> None:
            if state["t"] and not state["ph"]:
                buf.append(text)

        _parse(data, start, end, chars)
        return out

    def _date_styles(self) -> set[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        data = self._read("xl/styles.xml")
        if data is None:
            return set()
        custom: dict[int, str] = {}
        xfs: list[int] = []
        state = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            name = _local(tag)
            if name == "numFmt":
                custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                state["cellXfs"] = True
            elif name == "xf" and state["cellXfs"]:
                xfs.append(int(attrs.get("numFmtId", "0")))

        def end(tag: str) -> None:
            if _local(tag) == "cellXfs":
                state["cellXfs"] = False

        _parse(data, start, end, lambda t: None)
        out = set()
        for i, fid in enumerate(xfs):
            code = custom.get(fid) or BUILTIN_FORMATS.get(fid, "")
            if (14 <= fid <= 22) or (code and is_date_format(code)):
                out.add(i)
        return out

    def rows(self, sheet: str, max_rows: int) -> list[tuple[int, list[Cell | None]]]:
        """(row number, cells by 0-based column) of every non-empty row, up to ``max_rows`` rows."""
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

        data = self._read(self.sheets[sheet])
        if data is None:
            raise KeyError(sheet)
        epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
        out: list[tuple[int, list[Cell | None]]] = []
        cur: dict[str, Any] = {"row": 0, "cells": None, "col": -1, "t": "n", "s": 0, "text": None, "f": None,
                               "in": ""}
        shared, date_styles = self.shared, self.date_styles

        def start(tag: str, attrs: dict[str, str]) -> None:
            name = _local(tag)
            if name == "c":
                ref = attrs.get("r")
                cur["col"] = _col_index(ref) if ref else cur["col"] + 1
                cur["t"] = attrs.get("t", "n")
                cur["s"] = int(attrs.get("s", "0"))
                cur["text"] = None
                cur["f"] = None
            elif name == "row":
                r = attrs.get("r")
                cur["row"] = int(r) if r else cur["row"] + 1
                cur["cells"] = []
                cur["col"] = -1
                if len(out) >= max_rows:
                    raise _TooManyRows()
            elif name in ("v", "t"):
                cur["in"] = name
                if cur["text"] is None:
                    cur["text"] = []
            elif name == "f":
                cur["in"] = "f"
                cur["f"] = []
            elif name == "rPh":
                cur["in"] = "ph"

        def chars(text: str) -> None:
            where = cur["in"]
            if where in ("v", "t"):
                cur["text"].append(text)
            elif where == "f":
                cur["f"].append(text)

        def end(tag: str) -> None:
            name = _local(tag)
            if name in ("v", "t", "f", "rPh"):
                cur["in"] = ""
            elif name == "c":
                cells: list[Cell | None] = cur["cells"]
                col = cur["col"]
                value = self._value(cur, shared, date_styles, epoch, from_excel)
                if value is None:
                    return
                while len(cells) < col:
                    cells.append(None)
                cells.append(value)
            elif name == "row":
                if cur["cells"]:
                    out.append((cur["row"], cur["cells"]))
                cur["cells"] = None

        _parse(data, start, end, chars)
        return out

    @staticmethod
    def _value(cur: dict[str, Any], shared: list[str], date_styles: set[int], epoch: Any, from_excel: Any) -> Cell | None:
        t = cur["t"]
        text = "".join(cur["text"]) if cur["text"] is not None else None
        if cur["f"] is not None:
            return Cell("=" + "".join(cur["f"]), "f")
        if text is None:
            return None
        if t == "s":
            return Cell(shared[int(text)], "s")
        if t in ("inlineStr", "str"):
            return Cell(text, "s")
        if t == "b":
            return Cell(text.strip() in ("1", "true"), "b")
        if t == "e":
            return Cell(text, "e")
        if t == "d":
            return Cell(dt.datetime.fromisoformat(text.strip().rstrip("Z")), "d")
        num: float | int = float(text) if any(ch in text for ch in ".eE") else int(text)
        if cur["s"] in date_styles:
            return Cell(from_excel(num, epoch), "d")
        return Cell(num, "n")


class _TooManyRows(Exception):
    pass


def _open_workbook(path: Path) -> tuple[zipfile.ZipFile, _Workbook]:
    check_xlsx_container(path)
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        raise UserError(f"文件“{path.name}”已损坏\uff0c不是有效的 .xlsx 文件。请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。") from e
    try:
        return z, _Workbook(z)
    except BaseException as e:
        z.close()
        raise _xlsx_error(path, e) from e


def _xlsx_error(path: Path, e: BaseException) -> BaseException:
    from xml.parsers.expat import ExpatError

    if isinstance(e, _XmlRefused):
        return UserError(f"文件“{path.name}”含有不安全的 XML 内容\uff08DTD、实体或外部引用\uff09\uff0c未导入。")
    if isinstance(e, (ExpatError, KeyError, ValueError, IndexError, zipfile.BadZipFile, OSError)):
        return UserError(
            f"文件“{path.name}”无法作为 Excel 工作簿读取\uff08文件已损坏或格式不对\uff09。"
            "请在 Excel/WPS 中打开并另存为 .xlsx 后再导入。"
        )
    return e


def _map_json_problem(place: str, message: str, doc_row: int, item_rows: list[int],
                      doc_cols: dict[str, int], item_cols: dict[str, int],
                      ind_rows: list[int] | None = None, ind_cols: dict[str, int] | None = None) -> tuple[str, str]:
    """Turn a JSON path such as ``items[3].cycle`` into a sheet/row/column place (columns 1-based)."""
    doc_headers = {c.key: c.header for c in DOC_COLUMNS}
    item_headers = {c.key: c.header for c in ITEM_COLUMNS}
    ind_headers = {c.key: c.header for c in INDICATOR_COLUMNS}
    ind_rows, ind_cols = ind_rows or [], ind_cols or {}

    lists = {"items": (ITEM_SHEET, item_rows, item_headers, item_cols),
             "indicators": (INDICATOR_SHEET, ind_rows, ind_headers, ind_cols)}

    def row_of(m: re.Match) -> str:
        rows = lists[m.group(1)][1]
        n = int(m.group(2))
        return f"第 {rows[n]} 行" if n < len(rows) else m.group(0)

    message = re.sub(r"\b(indicators|items)\[(\d+)\]", row_of, message)

    def at(sheet: str, row: int | None, headers: dict[str, str], cols: dict[str, int],
           key: str | None) -> tuple[str, str]:
        if key not in headers:
            return _place(sheet, row), message
        hint = f"不能为空\uff0c请填写{headers[key]}" if message == "不能为空" else message  # say what to fill
        return _place(sheet, row, headers[key], cols.get(key)), hint

    m = re.match(r"^(items|indicators)\[(\d+)\](?:\.(\w+))?$", place)
    if m:
        sheet, rows, headers, cols = lists[m.group(1)]
        n = int(m.group(2))
        return at(sheet, rows[n] if n < len(rows) else None, headers, cols, m.group(3))
    if place in lists:
        return _place(lists[place][0]), message
    m = re.match(r"^document(?:\.(\w+))?$", place)
    if m:
        return at(DOC_SHEET, doc_row, doc_headers, doc_cols, m.group(1))
    return place, message


def read_template(path: Path | str, *, taken: Mapping[str, str] | None = None) -> list[Catalogue]:
    """Read and validate a template workbook; every problem of the file is reported at once.

    ``taken``: indicator codes installed documents define (code → 文件代码); a document of this
    file may use one only if its owner is in the file too (the indicator moves between them).

    Raises :class:`UserError` (with ``problems`` listing each place) when
    anything is wrong; returns the catalogues in the order of sheet 来源文件.
    """
    path = Path(path)
    z, wb = _open_workbook(path)
    p = ProblemList()
    try:
        missing = [s for s in (DOC_SHEET, ITEM_SHEET) if s not in wb.sheets]
        for s in missing:
            p.add(f"工作簿“{path.name}”", f"缺少工作表“{s}”\uff08现有\uff1a{'、'.join(wb.sheets) or '无'}\uff09")
        if missing:
            p.raise_if_any(f"文件“{path.name}”不是检查目录模板\uff0c未导入")
        raw: dict[str, list[tuple[int, list[Any]]]] = {}
        optional = (INDICATOR_SHEET,) if INDICATOR_SHEET in wb.sheets else ()  # an older template has none
        for sheet in (DOC_SHEET, ITEM_SHEET, *optional):
            try:
                raw[sheet] = wb.rows(sheet, MAX_ROWS + 1)
            except _TooManyRows:
                raise UserError(f"文件“{path.name}”的工作表“{sheet}”超过 {MAX_ROWS} 行\uff0c请拆分后分别导入。") from None
            except UserError:
                raise
            except Exception as e:
                raise _xlsx_error(path, e) from e
    finally:
        z.close()
    return _validate(path, raw, p, taken or {})


def _validate(path: Path, raw: dict[str, list[tuple[int, list[Any]]]], p: ProblemList,
              taken: Mapping[str, str]) -> list[Catalogue]:
    doc_reader = _SheetReader(p, DOC_SHEET)
    item_reader = _SheetReader(p, ITEM_SHEET)
    ind_reader = _SheetReader(p, INDICATOR_SHEET)
    doc_cols = _header_map(raw[DOC_SHEET], DOC_COLUMNS, p, DOC_SHEET)
    item_cols = _header_map(raw[ITEM_SHEET], ITEM_COLUMNS, p, ITEM_SHEET)
    ind_cols: dict[str, int] | None = {}
    if INDICATOR_SHEET in raw:
        ind_cols = _header_map(raw[INDICATOR_SHEET], INDICATOR_COLUMNS, p, INDICATOR_SHEET)
    if doc_cols is None or item_cols is None or ind_cols is None:
        p.raise_if_any(f"文件“{path.name}”的表头不对\uff0c未导入")
    assert doc_cols is not None and item_cols is not None and ind_cols is not None
    doc_rows = _read_rows(raw[DOC_SHEET], DOC_COLUMNS, doc_cols, doc_reader, p)
    item_rows = _read_rows(raw[ITEM_SHEET], ITEM_COLUMNS, item_cols, item_reader, p)
    ind_rows = _read_rows(raw[INDICATOR_SHEET], INDICATOR_COLUMNS, ind_cols, ind_reader, p) if ind_cols else []
    if not doc_rows:
        p.add(_place(DOC_SHEET), "没有任何来源文件\uff08第 2 行起每行填写一个来源文件\uff09")

    docs: dict[str, tuple[int, dict[str, Any]]] = {}
    order: list[str] = []
    doc_col_no = {c.key: doc_cols[c.key] + 1 for c in DOC_COLUMNS if c.key in doc_cols}
    for r, v in doc_rows:
        code = v.get("code") or ""
        if code in docs:
            doc_reader.problem(r, DOC_COLUMNS[0], doc_col_no["code"],
                               f"文件代码“{code}”与第 {docs[code][0]} 行重复")
            continue
        docs[code] = (r, v)
        order.append(code)

    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {c: [] for c in order}
    orphans: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    item_col_no = {c.key: item_cols[c.key] + 1 for c in ITEM_COLUMNS if c.key in item_cols}
    by_key = {c.key: c for c in ITEM_COLUMNS}
    seen_ids: dict[str, int] = {}
    for r, v in item_rows:
        item_id = v.get("id") or ""
        if item_id:
            if item_id in seen_ids:
                item_reader.problem(r, by_key["id"], item_col_no["id"], f"编号“{item_id}”与第 {seen_ids[item_id]} 行重复")
            else:
                seen_ids[item_id] = r
        code = v.get("doc")
        if code is None:
            continue  # already reported
        if not code:
            item_reader.problem(r, by_key["doc"], item_col_no["doc"], "不能为空\uff08应为“来源文件”工作表中的文件代码\uff09")
            continue
        if code not in grouped:
            item_reader.problem(r, by_key["doc"], item_col_no["doc"],
                                f"文件代码“{code}”不在“来源文件”工作表中\uff0c请先在该表添加此来源文件")
            orphans.setdefault(code, []).append((r, v))
            continue
        grouped[code].append((r, v))

    ind_grouped, ind_orphans = _group_indicators(ind_rows, ind_cols, ind_reader, set(grouped))
    ind_col_no = {k: i + 1 for k, i in ind_cols.items()}
    others_taken = {k: doc for k, doc in taken.items() if doc not in docs}  # this file's documents may swap codes
    reported = doc_reader.reported | item_reader.reported | ind_reader.reported
    cats: list[Catalogue] = []
    # Items and indicators whose document is missing are still checked (with a stand-in document), so
    # that every problem of the file is listed at once.
    work = [(code, docs[code][0], docs[code][1], grouped[code], ind_grouped.get(code, []), False) for code in order]
    for code in [*orphans, *(c for c in ind_orphans if c not in orphans)]:
        stub = {"code": code if DOC_CODE_RE.match(code) else "", "title": "-", "date": "2000-01-01", "version": "1"}
        work.append((code, 0, stub, orphans.get(code, []), ind_orphans.get(code, []), True))
    for code, doc_row, dv, doc_items, doc_inds, is_stub in work:
        doc_dict = {k: ("" if val is None else val) for k, val in dv.items()}
        if doc_dict.get("notes") == "":
            doc_dict["notes"] = []
        items = []
        rows = []
        for r, v in doc_items:
            d = {k: val for k, val in v.items() if k != "doc"}
            for k, val in list(d.items()):
                if val is None:
                    d[k] = 0 if k == "article" else ("" if k not in ("first_year", "applies_to_township") else None)
            if d.get("first_year") is None:
                d.pop("first_year", None)
            if d.get("applies_to_township") is None:
                d["applies_to_township"] = True
            items.append(d)
            rows.append(r)
        inds = [{k: ("" if val is None else val) for k, val in v.items() if k != "doc"} for _r, v in doc_inds]
        for d in inds:
            if d.get("items") == "":
                d["items"] = []
        data = {"format": FORMAT, "format_version": FORMAT_VERSION, "document": doc_dict, "items": items,
                "indicators": inds}
        try:
            cat = parse_catalogue_dict(data, f"{path.name} {code}", taken=others_taken)
            if not is_stub:
                cats.append(cat)
        except UserError as e:
            for prob in e.problems:
                # a stand-in document: only what is wrong whatever the document (not which items it has)
                if is_stub and not (prob.place.startswith("items[")
                                    or re.match(r"^indicators\[\d+\]\.(code|name)$", prob.place)):
                    continue
                place, msg = _map_json_problem(prob.place, prob.message, doc_row, rows, doc_col_no, item_col_no,
                                               [r for r, _v in doc_inds], ind_col_no)
                if place in reported:
                    continue
                p.add(place, msg)
    p.problems.sort(key=_problem_order)
    p.raise_if_any(f"文件“{path.name}”有错误\uff0c未导入。请改正后重新导入")
    return cats


def _group_indicators(
    rows: list[tuple[int, dict[str, Any]]], cols: dict[str, int], reader: _SheetReader, doc_codes: set[str],
) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], dict[str, list[tuple[int, dict[str, Any]]]]]:
    """The 统计指标 rows by 文件代码 (known documents, unknown ones); a code used twice in the sheet is reported.

    Everything else about an indicator is checked by the catalogue schema's rules, as for a JSON catalogue.
    """
    col_no = {k: i + 1 for k, i in cols.items()}
    by_key = {c.key: c for c in INDICATOR_COLUMNS}
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    orphans: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    seen: dict[str, int] = {}
    for r, v in rows:
        icode = v.get("code") or ""
        if icode in seen:  # across documents too: an indicator code is one figure for the whole program
            reader.problem(r, by_key["code"], col_no["code"], f"指标编码“{icode}”与第 {seen[icode]} 行重复\uff0c请换一个编码")
        elif icode:
            seen[icode] = r
        code = v.get("doc")
        if code is None:
            continue  # already reported
        if not code:
            reader.problem(r, by_key["doc"], col_no["doc"],
                           "不能为空\uff0c请填写规定这个指标的文件的文件代码\uff08“来源文件”工作表中的文件代码\uff09")
            continue
        if code not in doc_codes:
            reader.problem(r, by_key["doc"], col_no["doc"],
                           f"文件代码“{code}”不在“来源文件”工作表中\uff0c请改为该表中的文件代码\uff0c或先在该表添加此来源文件")
            orphans.setdefault(code, []).append((r, v))
            continue
        grouped.setdefault(code, []).append((r, v))
    return grouped, orphans


_PLACE_RE = re.compile(r"^工作表“([^”]*)”(?:第 (\d+) 行)?(?: ([A-Z]{1,3}) 列)?")


def _problem_order(prob: Any) -> tuple:
    """Problems sorted by sheet (来源文件 first), row, then column."""
    m = _PLACE_RE.match(prob.place)
    if not m:
        return (0, 0, 0, "")
    sheet = {DOC_SHEET: 1, ITEM_SHEET: 2}.get(m.group(1), 3)
    col = m.group(3) or ""
    return (sheet, int(m.group(2) or 0), len(col), col)
