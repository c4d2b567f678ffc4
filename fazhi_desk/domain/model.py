"""Plain dataclasses and enums of the domain, and when an item falls due.

Names follow the glossary: an *item* (检查事项) comes from a *source document*
(来源文件); its *assessment* in a *year* has a *status*, *actual*, *owner* and
*note*. What that means for the year (done, overdue, counted) is the completion
rule's, :func:`fazhi_desk.domain.completion.judge`: overdue is derived, never stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass


# 计量方式 of an item whose 实际值 is the total of its activity log (活动记录), one entry per session.
MEASURE_LOGGED = "逐次登记"
MEASURES = ("", MEASURE_LOGGED)  # "": the 实际值 is typed (填报)


class Cycle(str, enum.Enum):
    """周期: how often an item falls due. The value is the Chinese word used in files and UI."""

    ONCE = "一次性"
    YEARLY = "每年"
    BIENNIAL = "每两年"
    PER_EVENT = "按事件"
    ONGOING = "持续"

    @classmethod
    def parse(cls, text: str) -> "Cycle":
        for c in cls:
            if c.value == text.strip():
                return c
        raise ValueError(text)


class Status(str, enum.Enum):
    """状态 of an item in a year."""

    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    DONE = "已完成"
    NOT_APPLICABLE = "不适用"
    NO_EVENT = "本年度未发生"  # a per-event item whose event did not occur this year

    @classmethod
    def parse(cls, text: str) -> "Status":
        t = text.strip()
        for s in cls:
            if t in (s.value, s.name, s.name.lower()):
                return s
        raise ValueError(text)


class TownshipRole(str, enum.Enum):
    """乡镇角色: what the township itself must do for an item, read from the text."""

    LEAD = "牵头"  # the township leads (the text names it as the actor or 牵头单位)
    TAKE_PART = "参加"  # the township takes part (参加单位 / 配合): it shows its own part
    INFO = "仅供了解"  # no township action: shown for information, never counted

    @classmethod
    def parse(cls, text: str) -> "TownshipRole":
        t = text.strip()
        if t == "配合":
            return cls.TAKE_PART
        for r in cls:
            if t in (r.value, r.name, r.name.lower()):
                return r
        raise ValueError(text)

    @classmethod
    def default_for(cls, applies_to_township: bool) -> "TownshipRole":
        """The role of an item whose catalogue gives none: 牵头 where it applies, else 仅供了解."""
        return cls.LEAD if applies_to_township else cls.INFO


@dataclass(frozen=True)
class SourceDocument:
    """来源文件 and the catalogue metadata that comes with it."""

    code: str  # 文件代码, e.g. "SZ2015"
    title: str  # 文件名称
    doc_number: str  # 发文字号
    issuer: str  # 发文机关
    date: dt.date  # 发布日期
    version: str  # 版本 of the catalogue drawn from it, e.g. "1.0"
    source_text: str = ""  # file name of the cleaned source under resources/sources/
    notes: tuple[str, ...] = ()  # repairs made to the source text, remarks
    term_start: int | None = None  # 施行期限: first year in force (None: from its date)
    term_end: int | None = None  # last year in force (None: until retired)

    def in_force(self, year: int) -> bool:
        """Whether ``year`` lies inside the term (a document without an end year stays in force)."""
        return self.term_end is None or year <= self.term_end

    @property
    def term_text(self) -> str:
        """施行期限 as written in the UI: "2022—2025年", "2022年起", or ""."""
        if self.term_end is not None:
            return f"{self.term_start or self.date.year}—{self.term_end}年"
        return f"{self.term_start}年起" if self.term_start else ""


@dataclass(frozen=True)
class Item:
    """检查事项: one checkable obligation, as one catalogue version words it."""

    item_id: str  # 编号, stable across catalogue versions, e.g. "SZ2015-10-02"
    doc_code: str
    chapter: str = ""  # 章, e.g. "二、主要任务"
    section: str = ""  # 节, e.g. "(一)大力提高工作人员依法行政意识和能力"
    article_no: int = 0  # 条 number (Suzhou 1–30, 柞水 1–31)
    article_title: str = ""  # 条 heading, e.g. "建立学法培训长效机制"
    requirement: str = ""  # 事项内容
    source_passage: str = ""  # 原文 (verbatim substring of the cleaned source)
    lead_units: str = ""  # 牵头单位 (or 责任单位)
    participating_units: str = ""  # 参加单位
    applies_to_township: bool = True  # 适用乡镇
    cycle: Cycle = Cycle.YEARLY  # 周期
    target: float | None = None  # 目标值 (minimum to meet)
    target_max: float | None = None  # upper end of a range target such as 1~2 件
    unit: str = ""  # 计量单位
    deadline: dt.date | None = None  # 截止日期
    evidence_hint: str = ""  # 佐证材料; a suggestion starts with "建议:"
    first_year: int | None = None  # first year it falls due (biennial anchor); default: the document's year
    # 乡镇角色; 仅供了解 iff not applies_to_township. None (not given) becomes 牵头 or 仅供了解 from the flag.
    township_role: TownshipRole = None  # type: ignore[assignment]
    score: float | None = None  # 分值: the item's weight in a 考核 table (None: the document has no scores)
    # 计量方式: MEASURE_LOGGED (逐次登记: the 实际值 is the activity log's total, session by session) or ""
    # (the 实际值 is typed once). Last, so positional readers of the stored columns keep their order.
    measure: str = ""

    def __post_init__(self) -> None:
        if self.township_role is None:
            object.__setattr__(self, "township_role", TownshipRole.default_for(self.applies_to_township))

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        t = _fmt_num(self.target)
        if self.target_max is not None and self.target_max != self.target:
            t += "~" + _fmt_num(self.target_max)
        return t

    def content_key(self) -> tuple:
        """Everything a catalogue update can change (used to diff versions)."""
        return (
            self.doc_code, self.chapter, self.section, self.article_no, self.article_title,
            self.requirement, self.source_passage, self.lead_units, self.participating_units,
            self.applies_to_township, self.cycle, self.target, self.target_max, self.unit,
            self.deadline, self.evidence_hint, self.first_year, self.township_role, self.score, self.measure,
        )

    @property
    def logged(self) -> bool:
        """计量方式 逐次登记: the clerk records each session in the 活动记录 and the year counts itself."""
        return self.measure == MEASURE_LOGGED

    @property
    def township_acts(self) -> bool:
        """Whether the township has something to do (牵头 or 参加): 仅供了解 items never count toward its rate."""
        return self.township_role is not TownshipRole.INFO and self.applies_to_township


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def parse_target(text: str) -> tuple[float, float | None]:
    """Parse a 目标值 such as ``4``, ``15``, ``0.5`` or ``1~2``; raises ValueError."""
    t = str(text).strip().replace("~", "~").replace("-", "~").replace("—", "~")
    if "~" in t:
        lo_s, hi_s = t.split("~", 1)
        lo, hi = float(lo_s), float(hi_s)
        if not (0 < lo <= hi):
            raise ValueError(text)
        return lo, hi
    v = float(t)
    if not v > 0 or v != v or v == float("inf"):
        raise ValueError(text)
    return v, None


def _first_year(item: Item, doc_year: int, added_year: int | None = None) -> int:
    return first_counted_year(item, doc_year, added_year)


def document_start(doc: SourceDocument) -> int:
    """The first year a document counts in: its 施行起始年份, else the year of its 发布日期.

    A plan issued in 2026 never counts in 2025, whatever its items say.
    """
    return doc.term_start if doc.term_start is not None else doc.date.year


def first_counted_year(item: Item, doc_year: int, added_year: int | None = None) -> int:
    """The first year an item counts in (its 首次年度).

    The item's own ``first_year`` when the catalogue gives one, else the year the catalogue
    version that added it was imported (``added_year``; None when it came with the document),
    and never before the document's own first year (``doc_year``, :func:`document_start`).
    """
    if item.first_year is not None:
        return max(item.first_year, doc_year)
    return max(doc_year, added_year) if added_year is not None else doc_year


# 可 / 鼓励 / 有条件的: a measure the text allows or encourages rather than requires.
_OPTIONAL_RE = re.compile(
    r"有条件的|鼓励|可以|(?<![不许认])可(?:探索|试行|成立|设立|建立|聘请|采取|参照|结合|根据|视情)")


def is_optional(item: Item) -> bool:
    """可选: the 事项内容 only allows or encourages the measure (有条件的可成立…, 鼓励…, 可以…).

    Read from the short statement, not the 原文: a whole traced sentence may hold an optional
    clause beside a duty.
    """
    return bool(_OPTIONAL_RE.search(item.requirement or ""))


def due_in_year(item: Item, year: int, doc_year: int, term_end: int | None = None,
                added_year: int | None = None) -> bool:
    """Whether the item falls due in ``year`` (biennial items only every other year).

    Nothing falls due before the item's first year (:func:`first_counted_year`) nor after the
    document's term (``term_end``, the last year its plan is in force).
    """
    start = _first_year(item, doc_year, added_year)
    if year < start:
        return False
    if term_end is not None and year > term_end:
        return False
    if item.cycle is Cycle.BIENNIAL:
        return (year - start) % 2 == 0
    return True


def year_due_date(item: Item, year: int) -> dt.date:
    """The date by which the item must be done for ``year``.

    One-time items are due by their deadline (or the end of the year when none is
    given); recurring items by the end of the year, or by the deadline when it
    falls inside that year.
    """
    end = dt.date(year, 12, 31)
    if item.deadline is None:
        return end
    if item.cycle is Cycle.ONCE:
        return item.deadline
    return item.deadline if item.deadline.year == year else end
