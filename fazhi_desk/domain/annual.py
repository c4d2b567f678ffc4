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

HEADING2_RE = re.compile("^[(\uff08][一二三四五六七八九十]+[)\uff09]")
HEADING3_RE = re.compile(r"^\d{1,2}[.．]")
LEADING_NUMBER_RE = re.compile("^\\s*(?:[一二三四五六七八九十]+、|[(\uff08][一二三四五六七八九十]+[)\uff09]|\\d{1,2}[.\uff0e、])\\s*")


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
    opening: str = ""  # the paragraph before 一、 (报告模板); "" → the default
    closing: str = ""  # the line after 五、 (特此报告。)
    sealed: bool = True  # a sealed 上行文: 成文日期 右空四字 (GB/T 9704 7.3.5.1)

    @property
    def title(self) -> str:
        return f"{self.office_name}关于{self.year}年度法治政府建设情况的报告"


# ---------------------------------------------------------------- themes
@dataclass(frozen=True)
class Theme:
    """A work area of the office: one 二级标题 of 主要举措和成效 (and of the other sections' groupings)."""

    key: str
    heading: str  # the default heading (the office's 报告模板 may rename it)
    short: str  # how a sentence names it ("组织领导方面")
    words: tuple[str, ...]  # a requirement containing one of these belongs here (checked first, in order)
    heads: tuple[str, ...]  # an article title / 节 / 章 containing one of these belongs here


THEMES: tuple[Theme, ...] = (
    Theme("leadership", "加强组织领导\uff0c健全工作机制", "组织领导",
          ("领导小组", "第一责任人", "述法", "法治督察", "示范创建", "经费"),
          ("组织领导", "党的领导", "工作机制", "法制机构", "法治机构", "考核评价", "督查", "保障", "总体目标",
           "重要意义")),
    Theme("study", "抓好学法用法\uff0c提升依法行政能力", "学法用法",
          ("学法", "培训", "普法", "法治宣传", "法律顾问", "应知应会", "讲法", "法治文化"),
          ("学法", "意识和能力", "宣传", "普法", "法治环境", "法律顾问", "理论研究")),
    Theme("functions", "依法履行职能\uff0c优化政务服务", "履行职能",
          ("政务服务", "营商环境", "购买服务", "便民", "放管服", "一网", "数据共享"),
          ("职能", "体制改革", "放管服", "营商环境", "购买服务", "服务体系", "自治", "数字", "数据", "科技保障")),
    Theme("norms", "加强规范性文件管理", "规范性文件",
          ("规范性文件",), ("规范性文件", "依法行政制度体系")),
    Theme("decisions", "推进依法民主决策", "依法决策",
          ("重大行政决策", "决策",), ("决策",)),
    Theme("enforcement", "规范执法行为\uff0c严格公正执法", "行政执法",
          ("执法", "案卷"), ("执法",)),
    Theme("disputes", "化解社会矛盾\uff0c维护和谐稳定", "化解矛盾",
          ("调解", "复议", "应诉", "诉讼", "矛盾纠纷", "信访", "突发", "应急", "裁决"),
          ("矛盾", "调解", "复议", "应诉", "裁决", "突发事件", "应急")),
    Theme("oversight", "强化权力监督\uff0c推进政务公开", "监督公开",
          ("公开", "监督", "问责", "诚信"), ("监督", "问责", "公开", "诚信", "制约")),
)
THEME_KEYS = tuple(t.key for t in THEMES)
THEME_BY_KEY = {t.key: t for t in THEMES}


def theme_of(requirement: str, article_title: str = "", section: str = "", chapter: str = "") -> str:
    """The theme key of an item: by the words of its 事项内容, else of its 条/节/章 heading (else 组织领导)."""
    for t in THEMES:
        if any(w in requirement for w in t.words):
            return t.key
    for head in (article_title, section, chapter):
        for t in THEMES:
            if head and any(w in head for w in t.heads):
                return t.key
    return THEMES[0].key


# ---------------------------------------------------------------- full-width punctuation
FULL = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "(": "\uff08", ")": "\uff09", "?": "\uff1f", "!": "\uff01"}


def is_cjk(c: str) -> bool:
    """A Chinese character or Chinese punctuation (the context in which ASCII punctuation is wrong)."""
    if len(c) != 1:
        return False
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E
            or c in "\u201c\u201d\u2018\u2019\u2014\u2026")


def _neighbour(text: str, i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(text) and text[j] == " ":
        j += step
    return text[j] if 0 <= j < len(text) else ""


def bracket_pairs(text: str) -> dict[int, int]:
    """Each matched ``(`` and ``)`` of ``text`` → the position of its partner."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for i, c in enumerate(text):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            j = stack.pop()
            pairs[i], pairs[j] = j, i
    return pairs


def fullwidth_marks(text: str) -> set[int]:
    """The positions of the ASCII , : ; ( ) ? ! in ``text`` that :func:`fullwidth` makes full-width."""
    pairs = bracket_pairs(text)

    def touches(i: int) -> bool:
        return is_cjk(_neighbour(text, i, -1)) or is_cjk(_neighbour(text, i, 1))

    marks: set[int] = set()
    for i, c in enumerate(text):
        if c not in FULL:
            continue
        if c in "()":
            conv = touches(i) or (i in pairs and touches(pairs[i]))
        elif c == ":" and _neighbour(text, i, -1).isdigit() and _neighbour(text, i, 1).isdigit():
            conv = False
        else:
            conv = touches(i)
        if conv:
            marks.add(i)
    return marks


def fullwidth(text: str) -> str:
    """Chinese text with ASCII , : ; ( ) ? ! next to a Chinese character made full-width (GB/T 15834).

    A bracket pair is converted as a pair when either of its brackets touches Chinese text ("(1)检查" →
    "（1）检查"); a colon between digits (9:30) and punctuation inside Latin text stay as they are.
    """
    marks = fullwidth_marks(text)
    out = []
    for i, c in enumerate(text):
        if i in marks:
            out.append(FULL[c])
            # a space around full-width punctuation is no longer wanted
            while out[:-1] and out[-2] == " ":
                out.pop(-2)
            continue
        if c == " " and out and out[-1] in FULL.values():
            continue
        out.append(c)
    return "".join(out)


ASCII_BETWEEN_CJK = re.compile(r"(?<=[\u4e00-\u9fff])[,:;()?!](?=[\u4e00-\u9fff])")


# ---------------------------------------------------------------- what a reviewer must not receive
PLACEHOLDER_RE = re.compile(r"【[^】]*】")


def placeholders(text: str) -> list[str]:
    """The 【…】 brackets still in ``text``: the draft's notes to the clerk (【请填写…】, 【…施行期限已届满…】),
    which an official document never carries."""
    return PLACEHOLDER_RE.findall(text)


# ---------------------------------------------------------------- drafted paragraphs stay live until edited
FIGURE_RE = re.compile(r"\d+(?:\.\d+)?%?")


def figures(text: str) -> list[str]:
    """The numbers in a paragraph, in order ("86", "4.7%")."""
    return FIGURE_RE.findall(text)


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def _keys(lines: list[str]) -> list[tuple[str, int]]:
    """A drafted paragraph's place: its heading (without number) and its index under it (-1: the heading)."""
    head, k, out = "", 0, []
    for ln in lines:
        if HEADING2_RE.match(ln):
            head, k = strip_number(ln), 0
            out.append((head, -1))
        else:
            out.append((head, k))
            k += 1
    return out


@dataclass(frozen=True)
class Stale:
    """An edited paragraph whose figures no longer match the year's data."""

    section: str  # section key
    line: int  # 0-based paragraph number in the section's text
    text: str  # the paragraph as the clerk left it
    was: tuple[str, ...]  # the figures of the draft the clerk edited
    now: tuple[str, ...]  # the figures a fresh draft has in that place

    def message(self) -> str:
        return (f"“{SECTION_TITLES[self.section]}”第{self.line + 1}段已手工修改,其中的数字与最新数据不一致"
                f"(起草时为 {'、'.join(self.was)},现为 {'、'.join(self.now) or '无'}):"
                f"请核对该段,或删去该段后重新生成草稿。")


@dataclass(frozen=True)
class SectionView:
    """What a section shows now: the clerk's paragraphs, the untouched drafted ones refreshed."""

    key: str
    text: str  # what the tab shows and the .docx prints
    base: str  # the draft this text is compared with (store it with the text when saving)
    edited: bool  # some paragraph is the clerk's own
    stale: tuple[Stale, ...] = ()

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.key]


def compose(key: str, text: str, draft: str, fresh: str) -> SectionView:
    """The section as it reads now.

    ``text`` is what the clerk saved, ``draft`` the drafted text it was compared with when saved, ``fresh``
    today's draft. A paragraph the clerk left as drafted is today's paragraph in the same place (its
    figures are live); a paragraph the clerk wrote or changed is kept, and flagged when the figures of its
    place in the draft changed since. Nothing saved: today's draft.
    """
    import difflib

    if not text.strip():
        return SectionView(key, fresh, fresh, False)
    t, d, f = _lines(text), _lines(draft), _lines(fresh)
    dk, fk = _keys(d), _keys(f)
    fresh_at = {k: f[i] for i, k in enumerate(fk)}
    out: list[str] = []
    base: list[str] = []
    stale: list[Stale] = []
    edited = False
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, d, t, autojunk=False).get_opcodes():
        if tag == "equal":
            for i in range(i1, i2):
                now = fresh_at.get(dk[i])
                if now is not None:  # a drafted paragraph its data no longer drafts is dropped with it
                    out.append(now)
                    base.append(now)
            continue
        edited = True
        for n, j in enumerate(range(j1, j2)):
            out.append(t[j])
            i = i1 + n if i1 + n < i2 else None
            if i is None:
                continue
            base.append(d[i])
            now = fresh_at.get(dk[i])
            was = figures(d[i])
            if now is not None and was != figures(now) and set(was) & set(figures(t[j])):
                stale.append(Stale(key, len(out) - 1, t[j], tuple(was), tuple(figures(now))))
        if i2 - i1 > j2 - j1:
            base.extend(d[i1 + (j2 - j1):i2])  # paragraphs the clerk deleted stay deleted
    return SectionView(key, "\n".join(out), "\n".join(base), edited, tuple(stale))
