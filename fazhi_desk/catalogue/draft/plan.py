"""Drafting a catalogue from a plan's cleaned text: its numbering becomes 章/节/条, its sentences items.

The numbering hierarchy of Chinese plans: ``一、`` → 章, ``(一)`` → 节, ``1.`` → 条, ``(1)`` / ``①`` →
a paragraph of the 条. A heading line may carry its body after the first ``。`` (``(一)建立健全学法
制度。5月份,由…``). Each sentence of a body that states an obligation becomes one item, its 原文 the
sentence verbatim; what the text says about units, cycle, deadline and a numeric target is read from
the sentence and its paragraph. Every guess the program is unsure of is a :class:`Warning` for review.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from fazhi_desk.domain.model import MEASURE_LOGGED, Cycle, Item, TownshipRole

CN_NUM = "一二三四五六七八九十"
CHAPTER_RE = re.compile(rf"^([{CN_NUM}]{{1,3}})\s*[、,,.．]\s*(.*)$")
SECTION_RE = re.compile(rf"^[((]\s*([{CN_NUM}]{{1,3}})\s*[))]\s*[、,,.．]?\s*(.*)$")
ARTICLE_RE = re.compile(r"^(\d{1,2})\s*(?:[.．、](?!\d)|\s)\s*(.*)$")
# Word's "number full stop" characters ⒈…⒛ that some plans use for 1. … 20.
FULL_STOP_DIGITS = {chr(0x2488 + k): f"{k + 1}." for k in range(20)}
PARA_RE = re.compile(r"^(?:[((]\s*(\d{1,2})\s*[))]|([①-⑳]))\s*[、.．]?\s*(.*)$")
UNITS_LINE_RE = re.compile(r"^[((]?\s*(牵头单位|责任单位|主责单位|参加单位|配合单位|参与单位)\s*[::]\s*(.*?)[))]?\s*$")
SENTENCE_RE = re.compile(r"[^。;;!!??]+[。;;!!??]?")

# A sentence states an obligation when it holds one of these.
OBLIGATION_RE = re.compile(
    r"要|应当|应|必须|须|不得|严禁|禁止|确保|建立|健全|完善|推进|推行|推动|落实|加强|强化|实行|实施|开展|组织|"
    r"坚持|规范|深化|全面|严格|提高|提升|做好|依法|定期|每年|每季度|制定|编制|公开|报送|报备|备案|审查|培训|考核|"
    r"纳入|聘请|设立|配备|探索|加快|构建|畅通|促进|督促|保障|及时"
)
# …unless it is only background or a judgement about the past.
BACKGROUND_RE = re.compile(r"^(近年来|从整体上看|这些问题|当前|目前|与此同时|实践证明|《[^》]+》指出|总的来看|但是?与)")
# Chapters of background and principles rather than tasks.
PREAMBLE_CHAPTER_RE = re.compile(r"重要意义|指导思想|总体要求|基本原则|工作原则|目标任务$|总体目标")

ORG = r"(?:办公室|法制办|政府办|府办|单位|局|委|办|部|院|中心|政府|小组|所|站|队|科|室)"
LEAD_INLINE_RES = (
    re.compile(r"[((]([^()()]{2,60}?)牵头[,,、]?([^()()]{0,60}?)(?:配合|参与|参加)?[))]"),
    re.compile(r"由([^,,。;;]{2,40}?)(?:牵头|负责|会同)"),
    re.compile(rf"由([^,,。;;由]{{2,30}}?{ORG})"),
    re.compile(rf"^(?:\d{{1,2}}月份?[,,])?((?:[^,,。;;要]{{2,20}}?{ORG}[、和及]?)+)(?:要|应|负责|牵头|组织|会同|对)"),
    re.compile(r"[((](?:责任单位|牵头单位)[::]([^()()]{2,80})[))]"),
)
TOWNSHIP_RE = re.compile(r"镇|乡|街道|办事处|镇办|各单位|各部门")

TARGET_RE = re.compile(
    r"(?:不少于|不得少于|不低于|至少|达到|超过|≥)\s*(?:举办|开展|组织|召开|安排|参加)?\s*(\d+(?:\.\d+)?|[一二两三四五六七八九十])\s*"
    r"(%|%|个百分点|学时|课时|小时|人次|次|期|场|件|篇|项|个|名|人|家|天|日)"
)
CN_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}  # 至少举办两期
# Units of a target reached session by session (不少于4次, 2期, 3场, 40学时): the draft proposes 逐次登记.
LOGGED_UNITS = frozenset({"次", "期", "场", "学时", "课时", "小时"})
# 天 counts sessions only for training (培训不少于6天), not for a time limit.
TRAINING_RE = re.compile(r"培训|学习|轮训|集训")
MEASURE_GUESS = f"计量方式推测为“{MEASURE_LOGGED}”(每开展一次在活动记录中登记一条,实际值自动统计),请确认"
PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|%)")
DEADLINE_RES = (
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?(?:底|末|前|内|中旬|上旬|下旬)?(?:前|以前)?"), "ym"),
    (re.compile(r"(\d{4})\s*年(?:底|末|年底|年内)(?:前)?"), "y"),
    (re.compile(r"(?<![\d年])(\d{1,2})\s*月(?:份|底|末|前|中旬|上旬|下旬)"), "m"),
    (re.compile(r"(上半年)"), "h1"),
    (re.compile(r"(下半年|年内|年底前)"), "h2"),
)
YEARLY_RE = re.compile(r"每年|年度|每半年|每季度|每月|半年|季度")
BIENNIAL_RE = re.compile(r"每两年|每2年")
ONGOING_RE = re.compile(r"长期坚持|常态化|长效|持续|经常性|日常")
# A heading that is only a month or a time ("10月份", "上半年"): a date, never a 节 title.
MONTH_ONLY_RE = re.compile(r"^(?:\d{4}\s*年)?\s*(?:\d{1,2}\s*月(?:份|底|末|前|中旬|上旬|下旬)?(?:前|之前|以前)?|上半年|下半年|年内|年底前?)$")
EVENT_RE = re.compile(r"发生|作出.{0,20}前|之日起|案件|重大行政决策|事故|突发事件|申请|投诉|举报|复议|诉讼|应诉")


@dataclass(frozen=True)
class Warning:
    """Something the draft guessed, for the reviewer: which item, what."""

    item_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.item_id}:{self.message}" if self.item_id else self.message


@dataclass
class _Para:
    chapter: str
    section: str
    article_no: int
    article_title: str
    body: str
    units: dict[str, str] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def read_deadline(text: str, plan_year: int) -> dt.date | None:
    for rx, kind in DEADLINE_RES:
        m = rx.search(text)
        if not m:
            continue
        try:
            if kind == "ym":
                return _month_end(int(m.group(1)), int(m.group(2)))
            if kind == "y":
                return dt.date(int(m.group(1)), 12, 31)
            if kind == "m":
                return _month_end(plan_year, int(m.group(1)))
            if kind == "h1":
                return dt.date(plan_year, 6, 30)
            return dt.date(plan_year, 12, 31)
        except ValueError:
            continue
    return None


def read_target(text: str) -> tuple[float | None, str]:
    m = TARGET_RE.search(text)
    if m:
        unit = m.group(2).replace("%", "%")
        return float(CN_DIGITS.get(m.group(1)) or m.group(1)), unit
    m = PERCENT_RE.search(text)
    if m and re.search(r"率|覆盖|全部|达到", text):
        return float(m.group(1)), "%"
    return None, ""


def read_measure(text: str, target: float | None, unit: str, cycle: Cycle) -> str:
    """计量方式 the text suggests: 逐次登记 for a number of sessions (不少于4次/期/场/学时, 培训…6天), else "".

    A guess: the draft marks it for review. A per-event item (15日内报送) counts no sessions.
    """
    if target is None or cycle is Cycle.PER_EVENT:
        return ""
    if unit in LOGGED_UNITS or (unit in ("天", "日") and TRAINING_RE.search(text)):
        return MEASURE_LOGGED
    return ""


def read_cycle(text: str, deadline: dt.date | None) -> Cycle:
    if BIENNIAL_RE.search(text):
        return Cycle.BIENNIAL
    if YEARLY_RE.search(text):
        return Cycle.YEARLY
    if deadline is not None:
        return Cycle.ONCE
    if EVENT_RE.search(text):
        return Cycle.PER_EVENT
    return Cycle.ONGOING


def read_inline_units(text: str) -> tuple[str, str]:
    for rx in LEAD_INLINE_RES:
        m = rx.search(text)
        if m:
            lead = m.group(1).strip(" ,,、")
            part = m.group(2).strip(" ,,、") if rx.groups >= 2 and m.group(2) else ""
            return lead, part
    return "", ""


def township_role(lead: str, participating: str) -> TownshipRole:
    """牵头 when the text names a township as lead (or names no one), 参加 when only among the participants."""
    if not lead and not participating:
        return TownshipRole.LEAD
    if TOWNSHIP_RE.search(lead):
        return TownshipRole.LEAD
    if TOWNSHIP_RE.search(participating):
        return TownshipRole.TAKE_PART
    return TownshipRole.INFO


def _split_heading(rest: str) -> tuple[str, str]:
    """A heading line may carry its body after the first 。: return (title, body).

    A long line with no early 。 is a task written as one paragraph: its first clause is the title and
    the whole line is the body.
    """
    m = re.match(r"^([^。]{1,60})。(.+)$", rest)
    if m:
        return m.group(1), m.group(2)
    if len(rest) > 40 and OBLIGATION_RE.search(rest):
        clauses = [c for c in re.split(r"[,,;;。]", rest) if c.strip()]
        num = re.match(r"^\s*(?:[((]\s*[一二三四五六七八九十\d]{1,3}\s*[))]|[一二三四五六七八九十]{1,3}\s*[、.．])\s*",
                       clauses[0]) if clauses else None
        prefix = num.group(0) if num else ""
        if prefix:
            clauses[0] = clauses[0][len(prefix):]
        while len(clauses) > 1 and MONTH_ONLY_RE.match(clauses[0].strip()):
            clauses = clauses[1:]  # "10月份," is when, not what: the heading is the task's first clause
        first = prefix + clauses[0] if clauses else rest
        return (first if len(first) <= 30 else first[:30] + "…"), rest
    return rest.rstrip("。"), ""


def _short_requirement(sentence: str) -> tuple[str, bool]:
    """A short actionable wording: without the subject and the final stop, at most 60 characters."""
    s = sentence.strip().rstrip("。;;!!")
    s = re.sub(r"^(各级|各地|乡镇政府、街道办事处|乡镇、街道|各镇(?:[((]办[))])?|各镇办|镇政府|我镇|全县|全市)(?:要|应当|应|必须)?", "", s)
    s = re.sub(r"^(要|应当|应|必须)", "", s).lstrip(",,")
    if len(s) <= 60:
        return s, False
    cut = max(s.rfind(",", 0, 60), s.rfind(",", 0, 60), s.rfind(";", 0, 60))
    return (s[:cut] if cut >= 12 else s[:60]), True


def parse_plan(text: str) -> list[_Para]:
    """The paragraphs of the plan's body, each with its place in the numbering hierarchy.

    The 条 number is the document's own where it numbers its articles (1. 2. …); a 节 or 章 whose body
    follows its heading directly stands in for an article and takes the next free number.
    """
    chapter = section = article_title = ""
    article_no = 0
    article_open = False
    paras: list[_Para] = []
    pending_units: list[_Para] = []  # paragraphs since the last 牵头单位 line, in this article

    def open_article(title: str, number: int | None = None) -> None:
        nonlocal article_no, article_title, article_open
        article_no = number if number is not None and number > article_no else article_no + 1
        article_title, article_open = title, True
        pending_units.clear()

    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    has_chapters = any(CHAPTER_RE.match(ln) and len(ln) <= 80 for ln in lines)

    def add_body(body: str) -> None:
        if not body or (has_chapters and not chapter):
            return  # title, addressees and preamble before the first 章 hold no task
        if not article_open:
            # a 节 (or 章) whose body follows its heading stands in for an article: the 条 has no heading of
            # its own (repeating the 节 heading as the 条 heading said the same thing twice)
            open_article("" if section else chapter)
        p = _Para(chapter, section, article_no, article_title, body)
        paras.append(p)
        pending_units.append(p)

    for line in lines:
        if line[0] in FULL_STOP_DIGITS:
            line = FULL_STOP_DIGITS[line[0]] + line[1:]
        m = UNITS_LINE_RE.match(line)
        if m:
            kind = "participating" if m.group(1) in ("参加单位", "配合单位", "参与单位") else "lead"
            for p in pending_units:
                p.units.setdefault(kind, m.group(2).strip(" 。"))
            if kind == "participating":
                pending_units.clear()
            continue
        if pending_units and all("lead" in p.units for p in pending_units):
            pending_units.clear()  # the units line of these paragraphs is behind us
        if (m := CHAPTER_RE.match(line)) and len(line) <= 80:
            title, body = _split_heading(line)
            chapter, section, article_open = title, "", False
            pending_units.clear()
            add_body(body)
        elif m := SECTION_RE.match(line):
            title, body = _split_heading(line)
            section, article_open = title, False
            pending_units.clear()
            add_body(body)
        elif (m := ARTICLE_RE.match(line)) and not re.match(r"^\d{1,2}\s*[.．]\s*\d", line):
            title, body = _split_heading(m.group(2))
            open_article(title, int(m.group(1)))
            add_body(body)
        elif m := PARA_RE.match(line):
            add_body(m.group(3))
        else:
            add_body(line)
    return paras


def shift_deadline(deadline: dt.date | None, first_year: int) -> dt.date | None:
    """A deadline before the plan's first year, moved to the same day of that year (None stays None)."""
    if deadline is None or deadline.year >= first_year:
        return deadline
    try:
        return deadline.replace(year=first_year)
    except ValueError:  # 29 February
        return dt.date(first_year, deadline.month, 28)


def stale_deadline_warning(item_id: str, deadline: dt.date, first_year: int) -> Warning:
    return Warning(item_id, f"原文期限 {deadline.isoformat()} 早于方案的首个年度 {first_year} 年,"
                            f"已顺延至 {shift_deadline(deadline, first_year).isoformat()},请核对")


def draft_items(text: str, code: str, plan_year: int) -> tuple[list[Item], list[Warning]]:
    """Items and review warnings for a cleaned plan text.

    ``plan_year`` is the plan's first year (its 施行起始年份 or the year of its 发文字号/发布日期): a month
    without a year ("5月份") is read in it, and a deadline the text dates before it (a plan copied from
    2009 and issued as 〔2026〕1号) is moved to it and flagged, so no item is 逾期 on the day it is imported.
    """
    items: list[Item] = []
    warnings: list[Warning] = []
    per_article: dict[int, int] = {}
    for p in parse_plan(text):
        in_preamble = bool(PREAMBLE_CHAPTER_RE.search(p.chapter)) and not p.section
        para_deadline = read_deadline(p.body, plan_year)
        inline_lead, inline_part = read_inline_units(p.body)
        for sentence in SENTENCE_RE.findall(p.body):
            s = sentence.strip()
            if len(s.rstrip("。;;")) < 6 or BACKGROUND_RE.match(s) or not OBLIGATION_RE.search(s):
                continue
            if in_preamble and not re.search(r"\d{4}\s*年|到\s*\d", s):
                continue
            n = per_article.get(p.article_no, 0) + 1
            per_article[p.article_no] = n
            item_id = f"{code}-{p.article_no:02d}-{n:02d}"
            deadline = read_deadline(s, plan_year)
            target, unit = read_target(s)
            cycle = read_cycle(s, deadline)
            if deadline is None and para_deadline and cycle is Cycle.ONGOING and not ONGOING_RE.search(s):
                cycle, deadline = Cycle.ONCE, para_deadline  # the paragraph's month governs its sentences
            if deadline is not None and deadline.year < plan_year:
                warnings.append(stale_deadline_warning(item_id, deadline, plan_year))
                deadline = shift_deadline(deadline, plan_year)
            lead = p.units.get("lead", "") or read_inline_units(s)[0] or inline_lead
            part = p.units.get("participating", "") or inline_part
            requirement, cut = _short_requirement(s)
            source = s.rstrip(";;")
            role = township_role(lead, part)
            applies = role is not TownshipRole.INFO
            measure = read_measure(s, target, unit, cycle)
            items.append(Item(
                item_id=item_id, doc_code=code, chapter=p.chapter, section=p.section,
                article_no=p.article_no, article_title=p.article_title, requirement=requirement,
                source_passage=source, lead_units=lead, participating_units=part,
                applies_to_township=applies, township_role=role, cycle=cycle, target=target, unit=unit,
                deadline=deadline, measure=measure,
            ))
            if not lead:
                warnings.append(Warning(item_id, "未找到牵头单位,请填写"))
            if cut:
                warnings.append(Warning(item_id, "事项内容由原文截短,请核对"))
            if target is not None and not unit:
                warnings.append(Warning(item_id, "目标值没有计量单位"))
            if measure:
                warnings.append(Warning(item_id, MEASURE_GUESS))
            if lead and not applies:
                warnings.append(Warning(item_id, "牵头和参加单位中都没有乡镇/街道,已标为“仅供了解”,请确认"))
            if in_preamble:
                warnings.append(Warning(item_id, "出自总体要求/目标部分,请确认是否为可检查的任务"))
    return items, warnings
