"""Drafting a catalogue from what counties send: a plan's text or Word file, or their own table.

``draft_catalogue(source, meta)`` reads a ``.docx``, ``.txt``, ``.xlsx``, ``.xls`` or ``.ods`` file (or
pasted text), cleans it and returns a :class:`Draft`: a :class:`~fazhi_desk.catalogue.Catalogue` in our
format, the cleaned text its 原文 come from, and the warnings a reviewer should look at. The draft is
written as our Excel template (``catalogue draft --out``) and installed only through the normal import
path (preview, apply, version history) after the office has reviewed it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from fazhi_desk.catalogue.schema import DOC_CODE_RE, Catalogue
from fazhi_desk.domain.model import SourceDocument
from fazhi_desk.errors import UserError

from fazhi_desk.catalogue.draft.clean import clean_text, read_text_file
from fazhi_desk.catalogue.draft.plan import Warning, draft_items
from fazhi_desk.catalogue.draft.table import FIELD_ORDER, draft_table, parse_map

__all__ = ["Draft", "DraftMeta", "FIELD_ORDER", "Warning", "draft_catalogue", "parse_map", "parse_term"]

TEXT_SUFFIXES = {".txt", ".text"}
WORD_SUFFIXES = {".docx"}
TABLE_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
OLD_FORMATS = {".doc": "Word 97-2003 文档(.doc)", ".wps": "WPS 文字文档(.wps)", ".rtf": "RTF 文档", ".pdf": "PDF 文件"}


@dataclass(frozen=True)
class DraftMeta:
    """What the office says about the document; the rest is read from it."""

    code: str
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    date: dt.date | None = None
    version: str = "1.0"
    term_start: int | None = None  # 施行期限 (--term 2026-2030): the plan's first year…
    term_end: int | None = None  # …and its last


@dataclass(frozen=True)
class Draft:
    catalogue: Catalogue
    text: str  # the cleaned text the 原文 come from ("" for a table)
    warnings: list[Warning] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # item_id → 分值 (from a 考核 table)
    kind: str = "plan"  # "plan" or "table"
    mapping: dict[str, int] = field(default_factory=dict)
    signature: str = ""
    columns: list[str] = field(default_factory=list)  # a table's header, column by column

    def counts(self) -> dict[str, int]:
        items = self.catalogue.items
        return {
            "事项": len(items),
            "有计量单位": sum(1 for i in items if i.unit),
            "有截止日期": sum(1 for i in items if i.deadline),
            "有目标值": sum(1 for i in items if i.target is not None),
            "有牵头单位": sum(1 for i in items if i.lead_units),
            "有分值": len(self.scores),
        }


def _guess_title(text: str) -> str:
    for line in text.splitlines()[:12]:
        if any(w in line for w in ("方案", "意见", "计划", "要点", "细则", "办法")) and len(line) <= 50 \
                and not any(p in line for p in ",,。;"):
            return line.strip()
    return ""


def _guess_date(text: str) -> dt.date | None:
    import re

    m = re.search(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text[:3000]) or re.search(
        r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text[-600:])
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = re.search(r"(20\d{2}|19\d{2})\s*年", text[:2000])
    return dt.date(int(m.group(1)), 1, 1) if m else None


def parse_term(text: str) -> tuple[int | None, int | None]:
    """施行期限 as typed: "2026-2030", "2026—2030", "2026至2030年", "2026" (from 2026 on); "" → (None, None)."""
    import re

    t = (text or "").strip()
    if not t:
        return None, None
    m = re.fullmatch(r"((?:19|20)\d{2})\s*年?\s*(?:(?:-|—|–|~|～|至|到)\s*((?:19|20)\d{2})\s*年?)?", t)
    if not m:
        raise UserError(f"施行期限\u201c{text}\u201d应写作\u201c起始年-截止年\u201d\uff0c如 2026-2030\uff08或只写起始年 2026\uff09。")
    start, end = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    if end is not None and end < start:
        raise UserError(f"施行期限\u201c{text}\u201d的截止年早于起始年\uff0c请改正\uff08如 2026-2030\uff09。")
    return start, end


def plan_first_year(meta: DraftMeta, date: dt.date) -> int | None:
    """The plan's first year when it is not its date's: the given term, else the year of its 发文字号
    (〔2026〕1号) when that is later than the date read from a text copied from an older plan."""
    import re

    if meta.term_start is not None:
        return meta.term_start
    m = re.search(r"[〔\[(（【]\s*((?:19|20)\d{2})\s*[〕\])）】]", meta.doc_number or "")
    if m and int(m.group(1)) > date.year:
        return int(m.group(1))
    return None


def draft_catalogue(source: Path | str, meta: DraftMeta, *, pasted: bool = False,
                    mapping: dict[str, int] | None = None) -> Draft:
    """Draft a catalogue from a file (or, with ``pasted``, from ``source`` as text)."""
    code = meta.code.strip().upper()
    if not DOC_CODE_RE.match(code):
        raise UserError(f"文件代码“{meta.code}”应为大写字母开头的 2–16 位字母数字\uff0c如 ZS2026。")
    kind = "plan"
    columns: list[str] = []
    scores: dict[str, float] = {}
    cols: dict[str, int] = {}
    signature = ""
    if pasted:
        text = clean_text(str(source))
        name = "粘贴的文字"
    else:
        path = Path(source)
        suffix = path.suffix.lower()
        if not path.is_file():
            raise UserError(f"找不到文件“{path}”。")
        if suffix in OLD_FORMATS:
            raise UserError(f"“{path.name}”是{OLD_FORMATS[suffix]}\uff0c本程序无法直接读取。请在 Word/WPS 中打开\uff0c另存为 .docx 后再起草。")
        if suffix in WORD_SUFFIXES:
            from fazhi_desk.catalogue.draft.word import read_docx_text

            text = clean_text(read_docx_text(path))
        elif suffix in TEXT_SUFFIXES:
            text = clean_text(read_text_file(path))
        elif suffix in TABLE_SUFFIXES:
            text, kind = "", "table"
        else:
            raise UserError(f"不支持的文件类型“{path.suffix or path.name}”。可用\uff1a.docx、.txt\uff08方案正文\uff09\uff0c.xlsx、.xls、.ods\uff08考核表格\uff09。")
        name = path.name
    date = meta.date or (_guess_date(text) if text else None) or dt.date.today()
    term_start = plan_first_year(meta, date)
    title = meta.title.strip() or (_guess_title(text) if text else "") or (Path(str(source)).stem if not pasted else code)
    if kind == "table":
        _sheet, td = draft_table(Path(source), code, term_start or date.year, mapping)
        items, warnings, scores, cols, signature = td.items, td.warnings, td.scores, td.mapping, td.signature
        columns = td.headers
    else:
        items, warnings = draft_items(text, code, term_start or date.year)
        if not items:
            raise UserError(
                f"在“{name}”中没有找到可检查的任务\uff08没有“一、”“\uff08一\uff09”“1.”编号的条文\uff0c或条文中没有“要、应、建立、落实……”等要求\uff09。"
                "请确认这是方案正文。"
            )
    doc = SourceDocument(
        code=code, title=title, doc_number=meta.doc_number.strip(), issuer=meta.issuer.strip(), date=date,
        version=meta.version, source_text="", term_start=term_start, term_end=meta.term_end,
        notes=(f"由程序从“{name}”起草,事项的拆分、周期、目标值和责任单位须经人工复核。",),
    )
    return Draft(Catalogue(document=doc, items=tuple(items)), text, warnings, scores, kind, cols, signature, columns)
