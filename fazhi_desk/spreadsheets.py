"""One guard for workbooks from others, run before python-calamine or openpyxl sees them.

python-calamine allocates a sheet by its declared or real extent: one cell at XFD1048576 in a
67 KB file asks for 549,755,813,888 bytes and aborts the whole process (SIGABRT, no exception),
and a zip member that inflates a thousandfold fills the memory before any check of ours runs.
:func:`check_workbook` therefore reads the container itself, with the standard library only:

* the zip: total declared size, and the compression ratio of each large part (a bomb);
* every XML part, streamed: a DTD or entity declaration is refused (no Office program writes one);
* every worksheet: the declared ``<dimension ref>`` and the largest cell reference actually present;
  rows × columns above :data:`MAX_CELLS` is refused;
* an .ods: the extent up to the last cell with content, counting the repeat attributes;
* an .xls (OLE2, not a zip): the DIMENSIONS and cell records of its Workbook stream.

Each refusal is a :class:`~fazhi_desk.errors.UserError` naming the file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from fazhi_desk.errors import UserError

MAX_UNCOMPRESSED = 400 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # uncompressed / compressed of one part (ordinary sheet XML: 5–30)
RATIO_FLOOR = 10 * 1024 * 1024  # parts smaller than this may compress as they like
MAX_CELLS = 5_000_000  # rows × columns of one sheet (a 10,000-item report: ~300,000; 5M cells read ≈ 400 MB)
MAX_XLS = 100 * 1024 * 1024
CHUNK = 4 << 20

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([A-Za-z$0-9:]+)[\"']")
# Cell and row references (` r="B7"`, ` r="7"`). Scanning every cell of a 500,000-cell sheet with one
# pattern cost twice calamine's own read; most cells have a one-letter column and a row number below
# 100,000, so only the rows of <row> elements, the references with a long row number and those with a
# column of two or more letters are collected (and, when such a wide column appears, every cell's row).
# The patterns start with the literal "r" (not "\s"): a leading character class made each pass over a
# 35 MB sheet take 0.9 s instead of 0.25 s. Another attribute ending in "r" can only make the guard stricter.
_ROW_REF = re.compile(rb"""r\s*=\s*["']([0-9]{1,10})["']""")
_CELL_ROW = re.compile(rb"""r\s*=\s*["']\$?[A-Za-z]{1,7}\$?([0-9]{1,10})["']""")
_LONG_ROW = re.compile(rb"""r\s*=\s*["']\$?[A-Za-z]{1,7}\$?([0-9]{6,10})["']""")
_WIDE_COL = re.compile(rb"""r\s*=\s*["']\$?([A-Za-z]{2,7})\$?[0-9]""")
_ANY_CELL = re.compile(rb"""r\s*=\s*["']\$?[A-Za-z]""")
_REF = re.compile(r"\$?([A-Za-z]{1,7})\$?([0-9]{1,10})")


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _extent(ref: str) -> tuple[int, int]:
    """(rows, columns) spanned by "A1:XFD1048576" (or one cell "B7")."""
    cells = [(_col(m.group(1)), int(m.group(2))) for m in _REF.finditer(ref)]
    if not cells:
        return 0, 0
    return max(r for _c, r in cells), max(c for c, _r in cells)


def _refused(name: str, what: str, why: str, verb: str = "未读取") -> UserError:
    return UserError(f"{what}“{name}”{why}\uff0c可能是恶意构造或已损坏的文件\uff0c{verb}。"
                     "请在 Excel/WPS 中打开它\uff0c只保留需要的内容\uff0c另存为新的 .xlsx 后再试。")


def _scan(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, what: str, sheet: bool, verb: str) -> None:
    tail = b""
    rows = cols = 0
    with z.open(info) as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            buf = tail + chunk
            if _DTD.search(buf):
                raise _refused(name, what, f"的“{info.filename}”含有 DTD/实体声明(正常的 Excel 文件不会有)", verb)
            if sheet:
                for m in (_DIMENSION.finditer(buf) if b"dimension" in buf else ()):
                    r, c = _extent(m.group(1).decode("ascii"))
                    if r * c > MAX_CELLS:
                        raise _refused(name, what, f"的工作表声明的范围“{m.group(1).decode('ascii')}”过大"
                                                   f"({r:,} 行 × {c:,} 列)", verb)
                rows = max(rows, max(map(int, _ROW_REF.findall(buf)), default=0),
                           max(map(int, _LONG_ROW.findall(buf)), default=0))
                wide = _WIDE_COL.findall(buf)
                if wide:
                    cols = max(cols, max(_col(c.decode("ascii")) for c in set(wide)))
                    rows = max(rows, max(map(int, _CELL_ROW.findall(buf)), default=0))
                elif cols < 26 and _ANY_CELL.search(buf):
                    cols = 26  # one-letter columns: at most Z
                if rows * max(cols, 1) > MAX_CELLS:
                    raise _refused(name, what, f"的工作表有一个单元格远在数据之外(第 {rows:,} 行、第 {cols:,} 列),"
                                               f"读取它需要分配 {rows:,} × {max(cols, 1):,} 个单元格", verb)
            tail = buf[-512:]  # a tag cut between two chunks is seen whole in the next search


_ODS_VALUE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0|value-type"
_ODS_ROWS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0|number-rows-repeated"
_ODS_COLS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0|number-columns-repeated"


def _ods_extent(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, what: str, verb: str) -> None:
    """An .ods sheet's extent up to its last cell with content, counting the repeat attributes.

    LibreOffice writes thousands of repeated empty rows and cells at a sheet's end (harmless); a
    cell with content after them makes calamine allocate the whole span.
    """
    from xml.parsers import expat

    st = {"row": 0, "col": 0, "rep_r": 1, "rep_c": 1, "row_full": False, "cell": 0, "full": False,
          "rows": 0, "cols": 0}

    def count(attrs: dict[str, str], key: str) -> int:
        try:
            n = int(attrs.get(key, "1"))
        except ValueError:
            raise _refused(name, what, f"的“{info.filename}”中重复次数“{attrs.get(key)}”不是数字", verb) from None
        return max(n, 1)

    def check() -> None:
        if st["rows"] * st["cols"] > MAX_CELLS:
            raise _refused(name, what, f"的工作表有一个单元格远在数据之外(第 {st['rows']:,} 行、第 {st['cols']:,} 列),"
                                       f"读取它需要分配 {st['rows']:,} × {st['cols']:,} 个单元格", verb)

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit("|", 1)[-1]
        if st["cell"]:
            st["cell"] += 1
            st["full"] = True  # a child (text:p …) is content
        elif local == "table":
            st["row"] = 0
        elif local == "table-row":
            st["rep_r"], st["col"], st["row_full"] = count(attrs, _ODS_ROWS), 0, False
        elif local in ("table-cell", "covered-table-cell"):
            st["rep_c"], st["cell"], st["full"] = count(attrs, _ODS_COLS), 1, _ODS_VALUE in attrs

    def end(tag: str) -> None:
        if st["cell"] > 1:
            st["cell"] -= 1
            return
        local = tag.rsplit("|", 1)[-1]
        if st["cell"] == 1 and local in ("table-cell", "covered-table-cell"):
            st["cell"] = 0
            if st["full"]:
                st["cols"] = max(st["cols"], st["col"] + st["rep_c"])
                st["row_full"] = True
            st["col"] += st["rep_c"]
        elif local == "table-row":
            if st["row_full"]:
                st["rows"] = max(st["rows"], st["row"] + st["rep_r"])
                check()
            st["row"] += st["rep_r"]

    parser = expat.ParserCreate(namespace_separator="|")

    def refuse(*_a: object) -> None:
        raise _refused(name, what, f"的“{info.filename}”含有 DTD/实体声明(正常的表格文件不会有)", verb)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with z.open(info) as f:
            while chunk := f.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as e:
        raise UserError(f"{what}“{name}”的“{info.filename}”不是有效的 XML\uff08{e}\uff09\uff0c文件已损坏。"
                        "请在 WPS/LibreOffice 中打开并另存后再试。") from None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
# BIFF8 records that hold one cell (row u16, column u16 first) and the two that hold a run of cells
_CELL_RECORDS = {0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6}
_RUN_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column (u16 at the end)
_DIMENSIONS, _BOF = 0x0200, 0x0809


def _xls_extent(path: Path) -> tuple[int, int]:
    """Largest (rows, columns) of any sheet of an .xls (BIFF8 in an OLE2 file), from its DIMENSIONS records and
    its cell records; (0, 0) for a file that is not one. A damaged container counts as nothing here: the
    reader refuses it with its own message."""
    import struct

    data = path.read_bytes()
    if not data.startswith(_OLE_MAGIC) or len(data) < 512:
        return 0, 0
    try:
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        size, mini = 1 << shift, 1 << mini_shift
        n_fat, first_dir, _tx, cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from(
            "<IIIIIIII", data, 44)
        if not 7 <= shift <= 16:
            return 0, 0

        def sector(n: int) -> bytes:
            return data[512 + n * size: 512 + (n + 1) * size] if shift == 9 else data[(n + 1) * size:(n + 2) * size]

        difat = list(struct.unpack_from("<109I", data, 76))
        d, seen = first_difat, 0
        while d < _END_OF_CHAIN and seen < n_difat + 1 and seen < 10_000:
            block = struct.unpack(f"<{size // 4}I", sector(d))
            difat += block[:-1]
            d, seen = block[-1], seen + 1
        fat: list[int] = []
        for f in difat[:n_fat]:
            if f < _END_OF_CHAIN:
                fat += struct.unpack(f"<{size // 4}I", sector(f))

        def chain(start: int, table: list[int], read) -> bytes:  # noqa: ANN001
            out, n, hops = [], start, 0
            while n < _END_OF_CHAIN and n < len(table) and hops <= len(table):
                out.append(read(n))
                n, hops = table[n], hops + 1
            return b"".join(out)

        directory = chain(first_dir, fat, sector)
        entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
        root = entries[0]
        book = None
        for e in entries:
            length = min(struct.unpack_from("<H", e, 64)[0], 64)
            if e[:max(length - 2, 0)].decode("utf-16-le", "replace") in ("Workbook", "Book") and e[66] == 2:
                book = e
                break
        if book is None:
            return 0, 0
        start, stream_size = struct.unpack_from("<II", book, 116)
        if stream_size < cutoff:
            minifat = list(struct.unpack(f"<{len(chain(first_minifat, fat, sector)) // 4}I",
                                         chain(first_minifat, fat, sector))) if n_minifat else []
            ministream = chain(struct.unpack_from("<I", root, 116)[0], fat, sector)
            stream = chain(start, minifat, lambda n: ministream[n * mini:(n + 1) * mini])[:stream_size]
        else:
            stream = chain(start, fat, sector)[:stream_size]
    except (struct.error, IndexError, ValueError):
        return 0, 0
    rows = cols = 0
    i = 0
    while i + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, i)
        body = stream[i + 4:i + 4 + length]
        i += 4 + length
        if rtype in _CELL_RECORDS and len(body) >= 4:
            r, c = struct.unpack_from("<HH", body, 0)
            rows, cols = max(rows, r + 1), max(cols, c + 1)
        elif rtype in _RUN_RECORDS and len(body) >= 6:
            r = struct.unpack_from("<H", body, 0)[0]
            rows, cols = max(rows, r + 1), max(cols, struct.unpack_from("<H", body, len(body) - 2)[0] + 1)
        elif rtype == _DIMENSIONS and len(body) >= 12:
            _r0, r1, _c0, c1 = struct.unpack_from("<IIHH", body, 0)
            rows, cols = max(rows, r1), max(cols, c1)
    return rows, cols


def check_workbook(path: Path | str, what: str = "工作簿", verb: str = "未读取") -> None:
    """Refuse (UserError naming the file) a workbook that would exhaust memory or declares a DTD; see the module."""
    path = Path(path)
    name = path.name
    try:
        if not zipfile.is_zipfile(path):
            if path.stat().st_size > MAX_XLS:
                raise _refused(name, what, f"过大({path.stat().st_size // (1024 * 1024)} MB)", verb)
            rows, cols = _xls_extent(path)  # (0, 0): not an .xls either; the reader says what it is
            if rows * cols > MAX_CELLS:
                raise _refused(name, what, f"的工作表有一个单元格远在数据之外(第 {rows:,} 行、第 {cols:,} 列),"
                                           f"读取它需要分配 {rows:,} × {cols:,} 个单元格", verb)
            return
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise _refused(name, what, f"解压后过大({total // (1024 * 1024)} MB)", verb)
            for info in infos:
                if info.file_size > RATIO_FLOOR and info.file_size > max(info.compress_size, 1) * MAX_RATIO:
                    raise _refused(name, what, f"中的“{info.filename}”压缩比异常({info.compress_size:,} 字节"
                                               f"解压为 {info.file_size:,} 字节,疑似“压缩炸弹”)", verb)
            for info in infos:
                low = info.filename.lower()
                if low.endswith((".xml", ".rels", ".vml")):
                    _scan(z, info, name, what, low.startswith("xl/worksheets/"), verb)
                    if low == "content.xml":
                        _ods_extent(z, info, name, what, verb)
    except zipfile.BadZipFile as e:
        raise UserError(f"{what}“{name}”已损坏\uff0c不是有效的 .xlsx 文件。请在 Excel/WPS 中打开并另存为 .xlsx 后再试。") from e
    except (OSError, EOFError) as e:
        raise UserError(f"无法读取{what}“{path}”\uff1a{getattr(e, 'strerror', None) or e}。") from e
