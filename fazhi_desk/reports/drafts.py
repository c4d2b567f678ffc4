"""Drafts of the written annual report's sections, assembled from a year's data (plain text, no I/O).

The report reads like one a county accepts (see the district report among the
seeds): 主要举措和成效 by the office's work areas (:data:`fazhi_desk.domain.annual.THEMES`),
each a heading ``(一)…`` and one paragraph of "一是…二是…" written from what was
done — the activity log, the 工作情况说明, the statistics and the titles of the
office's own documents filed as evidence. Plan wording is never presented as a
result: an item done with nothing written is only counted, and the item-by-item
list stays in the workbook, which the text cites (详见附表). 不足和原因 and
下一年度主要安排 are grouped by theme too, briefly. Where the data cannot say
something, the draft says so in 【请填写…】 brackets for the clerk to replace.

What counts, what is done and what falls due next year is the completion rule's
(:mod:`fazhi_desk.domain.completion`): each row carries its :class:`Standing`, the
counts are a :class:`Tally`, and the next year's rows are those the rule judged
due in that year (a plan whose term has ended has none).

Source strings here use ASCII punctuation; :func:`draft_all` makes it full-width
next to Chinese (:func:`fazhi_desk.domain.annual.fullwidth`), as the .docx does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fazhi_desk.domain.annual import THEME_BY_KEY, THEMES, cn_number, fullwidth, theme_of
from fazhi_desk.domain.completion import Standing, Tally
from fazhi_desk.domain.statistics import RESPONSIBILITY

OPEN = (Standing.NOT_STARTED, Standing.IN_PROGRESS)
ORDINALS = "一二三四五六七八九十"
PER_THEME = 4  # "一是…" sentences per theme in 主要举措和成效
NOTE_CHARS = 70  # a note is cut at a sentence end before this many characters
NAMED_PER_THEME = 2  # items named per theme in 不足和原因 and 下一年度主要安排
MAX_NEXT_POINTS = 8
DOC_RE = re.compile(r"(关于|实施方案|工作方案|办法|制度|规定|规则|细则|意见|通知|决定|计划|要点|清单|纪要)")
EXT_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")
END = "。!?\uff01\uff1f"


@dataclass(frozen=True)
class DraftRow:
    """What a draft needs to know about one item in the year."""

    doc_title: str
    chapter: str
    section: str
    requirement: str
    standing: Standing  # the completion rule's verdict for the year
    overdue: bool = False
    actual: float | None = None
    target_text: str = ""  # "4" or "1~2"
    unit: str = ""
    note: str = ""
    due_date: dt.date | None = None
    evidence_count: int = 0
    item_id: str = ""
    article_title: str = ""

    @property
    def theme(self) -> str:
        return theme_of(self.requirement, self.article_title, self.section, self.chapter)


@dataclass(frozen=True)
class DraftFigure:
    code: str
    category: str
    name: str
    unit: str
    value: float | None


@dataclass(frozen=True)
class DraftActivity:
    """One session of the activity log (the year's sessions are read in one query)."""

    item_id: str
    date: dt.date
    title: str
    quantity: float = 1.0


@dataclass(frozen=True)
class DraftInput:
    office_name: str
    year: int
    documents: tuple[tuple[str, str], ...]  # (title, 发文字号) of the binding documents in force this year
    rows: tuple[DraftRow, ...]
    next_year: tuple[DraftRow, ...]  # items the completion rule judges due next year, still to do
    figures: tuple[DraftFigure, ...] = ()
    # (title, 发文字号) of the binding documents still in force next year, and of those whose term ends this year
    next_documents: tuple[tuple[str, str], ...] = ()
    ended_documents: tuple[tuple[str, str], ...] = ()
    activities: tuple[DraftActivity, ...] = ()
    evidence_titles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item id → evidence file names
    activity_names: dict[str, str] = field(default_factory=dict)  # item id → what its sessions are (集中学法)
    headings: dict[str, str] = field(default_factory=dict)  # theme key → the office's heading (报告模板)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _sentence(text: str) -> str:
    """``text`` as one sentence ending in 。 (also after a closing quote: “…”。)."""
    t = text.strip().rstrip(";,、:\uff1b\uff0c\uff1a")
    if not t:
        return ""
    if t[-1] in END or (t[-1] in "”\u201d" and len(t) > 1 and t[-2] in END):
        return t
    return t + "。"


def _bare(text: str) -> str:
    return _sentence(text).rstrip(END)


def _heading(inp: DraftInput, key: str) -> str:
    return inp.headings.get(key) or THEME_BY_KEY[key].heading


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _doc_names(docs: tuple[tuple[str, str], ...]) -> str:
    return "、".join(f"《{t}》({n})" if n else f"《{t}》" for t, n in docs)


def _docs(inp: DraftInput) -> str:
    return _doc_names(inp.documents) or "上级法治政府建设文件"


def tally(rows: tuple[DraftRow, ...] | list[DraftRow]) -> Tally:
    """The year's counts under the completion rule (the rows are the office's scope already)."""
    t = Tally()
    for r in rows:
        t.add(r.standing, r.overdue)
    return t


def _by_theme(rows) -> dict[str, list]:  # noqa: ANN001
    out: dict[str, list] = {t.key: [] for t in THEMES}
    for r in rows:
        out[r.theme].append(r)
    return out


def _clause(requirement: str, limit: int = 20) -> str:
    """The first clause of a 事项内容, short enough to name the item inside a sentence."""
    head = re.split(r"[,;:。\uff0c\uff1b\uff1a]", requirement.strip(), maxsplit=1)[0]
    if len(head) > limit and head.rfind("、", 0, limit) >= 10:
        head = head[:head.rfind("、", 0, limit)]
    return head if len(head) <= limit else head[:limit] + "……"


def _note_text(r: DraftRow, limit: int = NOTE_CHARS) -> str:
    """What the clerk wrote, as one or two sentences, never opening with the item's own wording."""
    note = " ".join(r.note.split())
    req = r.requirement.strip().rstrip("。")
    if req and note.startswith(req):
        note = note[len(req):].lstrip(",.;:。\uff0c\uff1b\uff1a ")
    if not note:
        return ""
    parts = re.split(r"(?<=[。!?\uff01\uff1f;\uff1b])", note)
    out = ""
    for p in parts:
        if out and len(out) + len(p) > limit:
            break
        out += p
    if len(out) > limit * 1.6:  # one long sentence: cut at a comma
        cut = max(out.rfind(c, 0, limit) for c in ",\uff0c、")
        out = out[:cut] if cut > 10 else out[:limit]
    return _bare(out)


# ---------------------------------------------------------------- statistics as phrases
# code → (theme, phrase with {v}); figures of 0 or not given are left out
PHRASES: dict[str, tuple[str, str]] = {
    "NORM_ISSUED": ("norms", "制发规范性文件{v}件"),
    "NORM_FILED": ("norms", "报送备案{v}件"),
    "NORM_CLEANED": ("norms", "清理规范性文件{v}件"),
    "REVIEW_NORMS": ("norms", "对规范性文件草案出具合法性审查意见{v}件"),
    "REVIEW_DECISIONS": ("decisions", "对重大行政决策草案开展合法性审查{v}件"),
    "MAJOR_DECISIONS": ("decisions", "经集体讨论作出重大行政决策{v}件"),
    "REVIEW_CONTRACTS": ("study", "审核对外签订的合同、协议{v}件"),
    "REVIEW_OTHER": ("study", "审查其他涉法事务{v}件"),
    "COUNSEL_REVIEWS": ("study", "法律顾问出具审核意见{v}件"),
    "STUDY_SESSIONS": ("study", "组织领导干部集中学法{v}次"),
    "STUDY_HOURS": ("study", "集中学法累计{v}学时"),
    "PUBLICITY_EVENTS": ("study", "开展普法宣传活动{v}场"),
    "ENFORCEMENT_CASES": ("enforcement", "办结行政执法案件{v}件"),
    "CASE_FILE_REVIEWS": ("enforcement", "评查行政执法案卷{v}卷"),
    "RECONSIDERATION": ("disputes", "办理行政复议案件{v}件"),
    "LITIGATION": ("disputes", "办理行政应诉案件{v}件"),
    "HEAD_IN_COURT": ("disputes", "负责人出庭应诉{v}件"),
    "MEDIATION": ("disputes", "调解矛盾纠纷{v}件"),
}


def _figure_phrases(inp: DraftInput, skip: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in inp.figures:
        if f.category == RESPONSIBILITY or f.value is None or f.value == 0 or f.code in skip:
            continue
        theme, phrase = PHRASES.get(f.code, (theme_of(f.category + f.name), f"{f.category}{f.name}{{v}}{f.unit}"))
        out.setdefault(theme, []).append(phrase.format(v=_num(f.value)))
    return out


def _activity_sentence(inp: DraftInput, item_id: str, acts: list[DraftActivity], unit: str) -> str:
    noun = inp.activity_names.get(item_id) or "专题活动"
    titles = []
    for a in acts:
        t = a.title.strip()
        if t and t not in titles:
            titles.append(t)
    text = f"全年组织{noun}{len(acts)}次"
    if unit in ("学时", "小时") and acts:
        text += f",累计{_num(sum(a.quantity for a in acts))}{unit}"
    if titles:
        shown = titles[:4]
        text += ",分别为" + "、".join(shown) + ("等" if len(titles) > len(shown) else "")
    return text


def _documents_filed(inp: DraftInput, rows: list[DraftRow]) -> list[str]:
    names: list[str] = []
    for r in rows:
        for n in inp.evidence_titles.get(r.item_id, ()):
            stem = EXT_RE.sub("", n.strip()).strip("《》")
            stem = re.sub(r"^\d[\d\-_. ]*", "", stem)  # a leading date or number in the file name
            m = re.fullmatch(r"关于印发《?(.+?)》?的通知", stem)
            if m:
                stem = m.group(1)
            if DOC_RE.search(stem) and 4 <= len(stem) <= 40 and stem not in names:
                names.append(stem)
    return names


def _ordinal_paragraph(sentences: list[str]) -> str:
    if len(sentences) == 1:
        return _sentence(sentences[0])
    return "".join(f"{ORDINALS[k]}是{_sentence(s)}" for k, s in enumerate(sentences[:10]))


def draft_measures(inp: DraftInput) -> str:
    t = tally(inp.rows)
    lines = [
        f"{inp.year}年,{inp.office_name}认真贯彻落实{_docs(inp)}的部署要求,围绕年度任务推进法治政府建设。"
        f"全年应完成检查事项{t.applicable}项,已完成{t.done}项,完成率{t.rate_text()}"
        "(逐项完成情况和佐证材料详见附表)。主要做了以下工作:"
    ]
    acts: dict[str, list[DraftActivity]] = {}
    for a in inp.activities:
        acts.setdefault(a.item_id, []).append(a)
    units = {r.item_id: r.unit for r in inp.rows}
    theme_rows = _by_theme(inp.rows)
    # a figure the activity log already states is not said twice
    skip = {"STUDY_SESSIONS"} if any("集中学法" in inp.activity_names.get(i, "") for i in acts) else set()
    phrases = _figure_phrases(inp, skip)
    n = 0
    for theme in THEMES:
        rows = theme_rows[theme.key]
        worked = [r for r in rows if r.standing in (Standing.DONE, Standing.BELOW_TARGET, Standing.IN_PROGRESS)]
        sentences: list[str] = []
        described: set[str] = set()
        for r in rows:
            if r.item_id in acts:
                sentences.append(_activity_sentence(inp, r.item_id, acts[r.item_id], units.get(r.item_id, "")))
                described.add(r.item_id)
        notes: list[str] = []
        for r in worked:  # what the clerk wrote about work done (an unfinished item's note is a reason, not a result)
            if r.standing is not Standing.DONE or r.item_id in described:
                continue
            text = _note_text(r)
            if text and text not in notes:
                notes.append(text)
                described.add(r.item_id)
        # a figure the clerk's own words already state is not said twice
        figs = [p for p in phrases.get(theme.key, []) if not any(p in x for x in notes + sentences)]
        if figs:
            sentences.append("全年" + ",".join(figs))
        named = _documents_filed(inp, [r for r in worked if r.standing is Standing.DONE])
        if named:
            sentences.append("制定印发了" + "".join(f"《{x}》" for x in named[:NAMED_PER_THEME]) + "等制度文件")
        room = max(0, PER_THEME - len(sentences))
        sentences += notes[:room]
        for r in worked:  # a note left out for room is counted below, not lost silently
            if r.item_id in described and _note_text(r) in notes[room:]:
                described.discard(r.item_id)
        done_rest = [r for r in rows if r.standing is Standing.DONE and r.item_id not in described]
        if not sentences and not done_rest:
            continue
        para = _ordinal_paragraph(sentences) if sentences else ""
        if done_rest:
            lead = "此外," if sentences else ""
            para += f"{lead}本方面另有{len(done_rest)}项检查事项已按要求完成。"
        n += 1
        lines.append(f"({cn_number(n)}){_heading(inp, theme.key)}")
        lines.append(para)
    if n == 0:
        lines.append("【请填写本年度推进法治政府建设的主要举措和取得的成效】")
    return "\n".join(lines)


def _reason(rows: list[DraftRow]) -> str:
    reasons = []
    for r in rows:
        t = _note_text(r, 40)
        if t and t not in reasons:
            reasons.append(t)
    return ";".join(reasons[:2])


def _named(rows: list[DraftRow], most: int = NAMED_PER_THEME) -> str:
    rows = sorted(rows, key=lambda r: not r.note.strip())  # those the clerk explained first
    names = "".join(f"“{_clause(r.requirement)}”" for r in rows[:most])
    return names + (f"等{len(rows)}项" if len(rows) > most else "")


def _against_target(r: DraftRow) -> str:
    """How an item stands against its target, in words that read naturally (15日内完成,实际9日)."""
    within = r.unit in ("日", "天", "个工作日") and f"{r.target_text}{r.unit}内" in r.requirement
    target = f"应在{r.target_text}{r.unit}内完成" if within else f"目标{r.target_text}{r.unit}"
    got = f"实际{_num(r.actual)}{r.unit}" if r.actual is not None else "未填写实际值"
    return f"{target},{got}"


def draft_shortcomings(inp: DraftInput) -> str:
    overdue = [r for r in inp.rows if r.standing in OPEN and r.overdue]
    below = [r for r in inp.rows if r.standing is Standing.BELOW_TARGET]
    open_ = [r for r in inp.rows if r.standing in OPEN and not r.overdue]
    no_ev = [r for r in inp.rows if r.standing is Standing.DONE and r.evidence_count == 0]
    lines = [f"对照年度任务,{inp.office_name}法治政府建设工作还存在以下不足:"]
    n = 0
    missing_reason = False

    def themed(rows: list[DraftRow], what) -> list[str]:  # noqa: ANN001
        nonlocal missing_reason
        out = []
        for key, rs in _by_theme(rows).items():
            if not rs:
                continue
            why = _reason(rs)
            missing_reason |= not why
            out.append(f"{THEME_BY_KEY[key].short}方面,{what(rs)}" + (f",主要原因是{why}" if why else ""))
        return out

    if overdue or open_:
        n += 1
        lines.append(f"({cn_number(n)})部分工作未按期完成")
        # a theme whose delays the clerk explained names two items, one otherwise
        body = themed(overdue, lambda rs: f"{_named(rs, 2 if _reason(rs) else 1)}逾期未完成") if overdue else []
        para = _ordinal_paragraph(body) if body else ""
        if open_:
            para += f"另有{len(open_)}项工作正在推进,尚未完成。"
        lines.append(para)
    if below:
        n += 1
        lines.append(f"({cn_number(n)})部分工作未达到目标")

        def what(rs: list[DraftRow]) -> str:
            parts = []
            for r in rs[:NAMED_PER_THEME]:
                parts.append(f"“{_clause(r.requirement)}”{_against_target(r)}")
            more = f"等{len(rs)}项" if len(rs) > NAMED_PER_THEME else ""
            return ";".join(parts) + more

        lines.append(_ordinal_paragraph(themed(below, what)))
    if no_ev:
        n += 1
        lines.append(f"({cn_number(n)})台账资料不够完整")
        lines.append(f"已完成的{len(no_ev)}项工作尚未归档佐证材料,台账管理需进一步规范。")
    if missing_reason:
        lines.append("【请补充上述事项未完成或未达标的原因】")
    if n == 0:
        lines.append("本年度各项检查事项均已按期完成。【请结合实际补充工作中存在的不足及其原因】")
    return "\n".join(lines)


def draft_responsibility(inp: DraftInput) -> str:
    fig = {f.code: f for f in inp.figures}
    parts: list[str] = []
    missing: list[str] = []
    for code, phrase, what in (
        ("LEADER_MEETINGS", "召开党委(党工委)会、政府常务会议专题研究法治建设{v}次", "专题研究法治建设次数"),
        ("LEADER_LECTURES", "主要负责人带头学法、讲法治课{v}次", "主要负责人学法讲法次数"),
        ("LEADER_REPORTS", "年终述职中述法{v}人次", "述法人次"),
    ):
        f = fig.get(code)
        if f is None or f.value is None:
            missing.append(what)
        elif f.value:
            parts.append(phrase.format(v=_num(f.value)))
    lines = [f"{inp.office_name}党政主要负责人认真履行推进法治建设第一责任人职责,把法治政府建设纳入全局工作统筹谋划、"
             "同部署同推进。"]
    if parts:
        lines.append("全年" + "、".join(parts) + "。")
    if missing:
        lines.append(f"【请填写{'、'.join(missing)}】")
    lines.append("【请补充主要负责人亲自部署、亲自协调、亲自督办法治建设重要工作的具体情况】")
    return "\n".join(lines)


def next_year_rows(inp: DraftInput) -> list[DraftRow]:
    """The items 下一年度主要安排 plans for: due next year, and not already past their deadline (those are carried
    with this year's unfinished work)."""
    nxt = inp.year + 1
    return [r for r in inp.next_year if r.due_date is None or r.due_date.year >= nxt]


def draft_next_year(inp: DraftInput) -> str:
    nxt = inp.year + 1
    carried = [r for r in inp.rows if r.standing.outstanding]
    if inp.next_documents:
        lines = [f"{nxt}年,{inp.office_name}将继续对照{_doc_names(inp.next_documents)}的要求,重点做好以下工作:"]
    else:
        lines = [f"{nxt}年,{inp.office_name}将按照上级关于法治政府建设的新部署【请填写{nxt}年对照的文件名称和文号】,"
                 "重点做好以下工作:"]
    for doc in inp.ended_documents:
        lines.append(f"【{_doc_names((doc,))}施行期限已于{inp.year}年届满,{nxt}年不再据此安排工作;"
                     "如已印发新的实施方案,请导入后重新生成本部分】")
    points: list[str] = []
    if carried:
        points.append(f"抓好整改落实。对本年度尚未完成或未达标的{len(carried)}项工作逐项明确责任人和完成时限,"
                      "确保按期整改到位")
    planned = _by_theme(next_year_rows(inp))
    themed = [(k, rs) for k, rs in planned.items() if rs]
    room = MAX_NEXT_POINTS - len(points)
    if len(themed) > room:  # the smallest themes go together in the last point
        themed.sort(key=lambda kr: -len(kr[1]))
        rest = [r for _k, rs in themed[room - 1:] for r in rs]
        themed = themed[:room - 1] + [("", rest)]
    for key, rs in themed:
        dated = sorted({r.due_date for r in rs if r.due_date and r.due_date.year == nxt and r.due_date.month < 12})
        when = f",其中{len([r for r in rs if r.due_date in dated])}项须在{_date(dated[0])}前完成" if dated else ""
        name = f"{THEME_BY_KEY[key].short}方面" if key else "其他方面"
        points.append(f"{name},落实{_named(rs)}工作{when}")
    for k, p in enumerate(points, start=1):
        lines.append(f"{k}.{_sentence(p)}")
    if not points:
        lines.append("【请填写下一年度推进法治政府建设的主要安排】")
    return "\n".join(lines)


def draft_other(inp: DraftInput) -> str:
    return "无。"


DRAFTERS = {
    "measures": draft_measures,
    "shortcomings": draft_shortcomings,
    "responsibility": draft_responsibility,
    "next_year": draft_next_year,
    "other": draft_other,
}


def draft_all(inp: DraftInput) -> dict[str, str]:
    return {k: fullwidth(f(inp)) for k, f in DRAFTERS.items()}
