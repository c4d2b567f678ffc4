"""Reading a plan from a Word .docx: paragraph text with Word's automatic numbering put back.

Many Word files number 一、 (一) 1. automatically: the digits are not in the paragraph's text but in
the numbering definitions (``word/numbering.xml``: a paragraph's ``w:numPr`` names a ``w:num`` and a
level; the level's ``w:numFmt`` and ``w:lvlText`` say how the number is written). This module keeps
one counter per list and level, as Word does, and writes the number in front of the text, so the
plan parser sees the same lines as in a plain-text copy of the document.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from fazhi_desk.errors import UserError

MAX_UNPACKED = 200 * 1024 * 1024  # a plan's .docx unpacks to a few MB; more is a zip bomb
MAX_RATIO = 200
LEVELS = 9  # Word's list levels are 0–8 (w:ilvl); another value is a damaged or crafted file

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CN = "零一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN[ones]
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "chineseLegalSimplified",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital"):
        return chinese_number(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(CIRCLED):
        return CIRCLED[n - 1]
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


def check_zip(path: Path, what: str) -> None:
    """Refuse a damaged, encrypted or bomb-like Office file before any XML parser sees it."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if total > MAX_UNPACKED or total / packed > MAX_RATIO:
                raise UserError(f"{what}“{path.name}”解压后异常巨大\uff08{total // 1_000_000} MB\uff09\uff0c可能是恶意文件\uff0c已拒绝。")
            for i in infos:
                if i.flag_bits & 0x1:
                    raise UserError(f"{what}“{path.name}”已加密。请在 Word/Excel 中取消密码后另存\uff0c再重试。")
                if i.filename.endswith(".xml") or i.filename.endswith(".rels"):
                    with z.open(i) as f:
                        head = f.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise UserError(f"{what}“{path.name}”的内容“{i.filename}”含有 DTD 声明\uff0c可能是恶意文件\uff0c已拒绝。")
    except zipfile.BadZipFile as e:
        raise UserError(
            f"{what}“{path.name}”已损坏或不是 Office 文件\uff08也可能设置了打开密码\uff09。请在 Word/Excel 中打开并另存后重试。"
        ) from e


class _BadNumbering(Exception):
    """The numbering definitions hold a value Word itself never writes (a level outside 0–8, a non-number)."""


def _int(v: str | None, default: int, *, level: bool = False) -> int:
    try:
        n = int(v) if v is not None else default
    except ValueError:
        raise _BadNumbering(v) from None
    if level and not 0 <= n < LEVELS:
        raise _BadNumbering(v)
    return n


def _numbering(doc) -> tuple[dict[str, str], dict[str, dict[int, tuple[str, str, int]]]]:  # noqa: ANN001
    """numId → abstractNumId, and abstractNumId → {level: (numFmt, lvlText, start)}."""
    try:
        root = doc.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}, {}
    abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
    for an in root.iter(W + "abstractNum"):
        levels = {}
        for lvl in an.iter(W + "lvl"):
            ilvl = _int(lvl.get(W + "ilvl"), 0, level=True)
            fmt = lvl.find(W + "numFmt")
            txt = lvl.find(W + "lvlText")
            start = lvl.find(W + "start")
            levels[ilvl] = (
                fmt.get(W + "val") if fmt is not None else "decimal",
                txt.get(W + "val") if txt is not None else "",
                _int(start.get(W + "val"), 1) if start is not None else 1,
            )
        abstract[an.get(W + "abstractNumId")] = levels
    nums = {}
    for num in root.iter(W + "num"):
        ref = num.find(W + "abstractNumId")
        if ref is not None:
            nums[num.get(W + "numId")] = ref.get(W + "val")
    return nums, abstract


def _num_pr(paragraph) -> tuple[str, int] | None:  # noqa: ANN001
    """(numId, level) of a paragraph, from its own properties or its style's."""
    for holder in (paragraph._p.pPr, getattr(paragraph.style.element, "pPr", None) if paragraph.style else None):
        if holder is None:
            continue
        numpr = holder.find(W + "numPr")
        if numpr is None:
            continue
        num_id = numpr.find(W + "numId")
        ilvl = numpr.find(W + "ilvl")
        if num_id is not None and num_id.get(W + "val") not in (None, "0"):
            return num_id.get(W + "val"), _int(ilvl.get(W + "val"), 0, level=True) if ilvl is not None else 0
    return None


def read_docx_text(path: Path) -> str:
    """The document's paragraphs (and table cells) as lines, with automatic numbers written out."""
    check_zip(path, "Word 文件")
    import docx

    try:
        doc = docx.Document(str(path))
    except Exception as e:  # python-docx raises several kinds for a file that is not a document
        raise UserError(f"无法读取 Word 文件“{path.name}”\uff1a文件已损坏或不是 .docx。请在 Word 中打开并另存为 .docx 后重试。") from e
    try:
        return _numbered_lines(doc)
    except _BadNumbering as e:
        raise UserError(
            f"Word 文件“{path.name}”的自动编号定义有误\uff08编号级别或起始值“{str(e.args[0])[:20]}”不是 Word 允许的值\uff0c"
            "级别应为 0—8\uff09\uff0c文件可能已损坏或被改动。请在 Word 中打开并另存为新的 .docx\uff0c"
            "或把方案正文复制到记事本另存为 .txt 后重试。"
        ) from None


def _numbered_lines(doc) -> str:  # noqa: ANN001
    nums, abstract = _numbering(doc)
    counters: dict[str, list[int]] = {}
    lines: list[str] = []
    for paragraph in doc.paragraphs:
        text = paragraph.text.strip()
        np = _num_pr(paragraph)
        if np and np[0] in nums and text:
            an = nums[np[0]]
            levels = abstract.get(an, {})
            num_id, ilvl = np
            fmt, lvl_text, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
            c = counters.setdefault(an, [0] * LEVELS)
            for deeper in range(ilvl + 1, LEVELS):
                c[deeper] = 0
            c[ilvl] = c[ilvl] + 1 if c[ilvl] else start
            prefix = lvl_text
            for k in range(ilvl + 1):
                kfmt, _t, kstart = levels.get(k, ("decimal", "", 1))
                prefix = prefix.replace(f"%{k + 1}", format_number(c[k] or kstart, kfmt))
            text = prefix + text
        if text:
            lines.append(text)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                t = cell.text.strip()
                if t and (not lines or lines[-1] != t):
                    lines.append(t)
    return "\n".join(lines)
