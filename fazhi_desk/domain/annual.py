"""The written annual report (年度报告): its five sections and the plain data the .docx is made from.

An annual 法治政府建设情况报告 is commonly structured in five parts; the program
drafts each from the year's data and the office edits them freely. Section text
is plain text: a line ``(一)…`` is a second-level heading, ``1.…`` a third-level
one, any other line a paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# (key, 一级标题 without its number). The order is the order in the report.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("measures", "主要举措和成效"),
    ("shortcomings", "存在的不足和原因"),
    ("responsibility", "党政主要负责人履行推进法治建设第一责任人职责情况"),
    ("next_year", "下一年度主要安排"),
    ("other", "其他需要报告的情况"),
)
SECTION_TITLES = dict(SECTIONS)
CN_NUMERALS = "一二三四五六七八九十"

HEADING2_RE = re.compile(r"^[((][一二三四五六七八九十]+[))]")
HEADING3_RE = re.compile(r"^\d{1,2}[.．]")
LEADING_NUMBER_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[((][一二三四五六七八九十]+[))]|\d{1,2}[.．、])\s*")


def cn_number(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 … 99 (what headings need)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_NUMERALS[tens - 1]
    return head + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def strip_number(text: str) -> str:
    """A heading without its own numbering (“二、主要任务” → “主要任务”)."""
    return LEADING_NUMBER_RE.sub("", text).strip()


@dataclass(frozen=True)
class SectionText:
    """One section of a year's report as stored: the text, and the draft the program last assembled."""

    key: str
    text: str = ""
    draft: str = ""

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.key]

    @property
    def edited(self) -> bool:
        """The user changed the text after it was drafted (regenerating would lose their words)."""
        return bool(self.text.strip()) and self.text != self.draft


@dataclass(frozen=True)
class StatisticFigure:
    """One indicator's value for the report (None: not filled in)."""

    category: str
    name: str
    unit: str
    value: float | None


@dataclass(frozen=True)
class AnnualDocument:
    """Everything the .docx shows, as plain data."""

    office_name: str
    county: str
    year: int
    sections: tuple[SectionText, ...]
    submit_date: dt.date
    statistics: tuple[StatisticFigure, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.office_name}关于{self.year}年度法治政府建设情况的报告"
