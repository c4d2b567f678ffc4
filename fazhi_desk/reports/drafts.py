"""Drafts of the written annual report's sections, assembled from a year's data (plain text, no I/O).

Each function returns the text of one section as the office would start
editing it: headings ``(一)…`` and numbered lines ``1.…`` (which the .docx
writer lays out as 二级/三级标题), sentences built from the items' 事项内容,
the office's 工作情况说明 and 实际值, and the year's statistics. Where the data
cannot say something, the draft says so in 【请填写…】 brackets for the user to
replace.

What counts, what is done and what falls due next year is the completion rule's
(:mod:`fazhi_desk.domain.completion`): each row carries its :class:`Standing`, the
counts are a :class:`Tally`, and the next year's rows are those the rule judged
due in that year (a plan whose term has ended has none).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fazhi_desk.domain.annual import cn_number, strip_number
from fazhi_desk.domain.completion import Standing, Tally
from fazhi_desk.domain.statistics import RESPONSIBILITY

OPEN = (Standing.NOT_STARTED, Standing.IN_PROGRESS)
PER_HEADING_NEXT = 6  # items listed per heading in 下一年度主要安排
PER_BLOCK_SHORT = 15  # items listed per kind of shortcoming (the workbook lists them all)


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


@dataclass(frozen=True)
class DraftFigure:
    code: str
    category: str
    name: str
    unit: str
    value: float | None


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


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _sentence(text: str) -> str:
    t = text.strip().rstrip(";;,,、")
    return t if t.endswith(("。", "!", "?", "”", "!", "?")) else t + "。"


def _heading(r: DraftRow) -> str:
    return strip_number(r.section) or strip_number(r.chapter) or r.doc_title


def _grouped(rows: list[DraftRow]) -> list[tuple[str, list[DraftRow]]]:
    groups: dict[str, list[DraftRow]] = {}
    for r in rows:
        groups.setdefault(_heading(r), []).append(r)
    return list(groups.items())


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


def _figures_sentence(figs: list[DraftFigure]) -> str:
    parts = []
    by_cat: dict[str, list[str]] = {}
    for f in figs:
        if f.value is None:
            continue
        by_cat.setdefault(f.category, []).append(f"{f.name} {_num(f.value)} {f.unit}".strip())
    for cat, vals in by_cat.items():
        parts.append(cat + "、".join(vals))
    return ";".join(parts)


def draft_measures(inp: DraftInput) -> str:
    t = tally(inp.rows)
    done = [r for r in inp.rows if r.standing is Standing.DONE]
    lines = [
        f"{inp.year}年,{inp.office_name}认真贯彻落实{_docs(inp)}的部署要求,对照检查事项逐项推进法治政府建设。"
        f"本年度应完成事项 {t.applicable} 项,已完成 {t.done} 项,完成率 {t.rate_text()}。主要举措和成效如下:"
    ]
    n = 0
    for heading, rows in _grouped(done):
        n += 1
        lines.append(f"({cn_number(n)}){heading}")
        for r in rows:
            text = _sentence(r.requirement)
            if r.note.strip():
                text += _sentence(r.note.strip().replace("\n", ""))
            if r.actual is not None and r.unit:
                text = text[:-1] + f"(实际完成 {_num(r.actual)}{r.unit})。"
            lines.append(text)
    stats = _figures_sentence([f for f in inp.figures if f.category != RESPONSIBILITY])
    if stats:
        n += 1
        lines.append(f"({cn_number(n)})主要工作数据")
        lines.append(f"全年{stats}。")
    if not done:
        lines.append("【请填写本年度推进法治政府建设的主要举措和取得的成效】")
    return "\n".join(lines)


def draft_shortcomings(inp: DraftInput) -> str:
    overdue = [r for r in inp.rows if r.standing in OPEN and r.overdue]
    below = [r for r in inp.rows if r.standing is Standing.BELOW_TARGET]
    open_ = [r for r in inp.rows if r.standing in OPEN and not r.overdue]
    no_ev = [r for r in inp.rows if r.standing is Standing.DONE and r.evidence_count == 0]
    lines = [f"对照年度任务,{inp.office_name}法治政府建设工作还存在以下不足:"]
    n = 0

    def block(title: str, rows: list[DraftRow], detail) -> None:  # noqa: ANN001
        nonlocal n
        if not rows:
            return
        n += 1
        lines.append(f"({cn_number(n)}){title}(共 {len(rows)} 项)")
        for k, r in enumerate(rows[:PER_BLOCK_SHORT], start=1):
            lines.append(f"{k}.{detail(r)}")
        if len(rows) > PER_BLOCK_SHORT:
            lines.append(f"其余 {len(rows) - PER_BLOCK_SHORT} 项见年度报告表格“未完成事项”。")

    def reason(r: DraftRow) -> str:
        return f"原因:{_sentence(r.note.replace(chr(10), ''))}" if r.note.strip() else "原因:【请填写原因】"

    block("逾期未完成的事项", overdue,
          lambda r: f"{r.requirement.rstrip('。')}(应于{_date(r.due_date) if r.due_date else '年底'}前完成,"
                    f"目前{r.standing.value})。{reason(r)}")
    block("未达到目标值的事项", below,
          lambda r: f"{r.requirement.rstrip('。')}(目标值 {r.target_text}{r.unit},"
                    f"{'实际完成 ' + _num(r.actual) + r.unit if r.actual is not None else '未填写实际值'})。{reason(r)}")
    block("尚未完成的事项", open_, lambda r: f"{r.requirement.rstrip('。')}(目前{r.standing.value})。{reason(r)}")
    if no_ev:
        n += 1
        lines.append(f"({cn_number(n)})台账资料不够完整")
        lines.append(f"已完成的 {len(no_ev)} 项工作尚未归档佐证材料,台账管理需进一步规范。")
    if n == 0:
        lines.append("本年度各项检查事项均已按期完成。【请结合实际补充工作中存在的不足及其原因】")
    return "\n".join(lines)


def draft_responsibility(inp: DraftInput) -> str:
    fig = {f.code: f for f in inp.figures}

    def v(code: str, what: str) -> str:
        f = fig.get(code)
        if f is None or f.value is None:
            return f"【请填写{what}】"
        return f"{_num(f.value)} {f.unit}".strip()

    return "\n".join([
        f"{inp.office_name}党政主要负责人认真履行推进法治建设第一责任人职责,把法治政府建设纳入全局工作统筹谋划、"
        "同部署同推进。",
        f"全年召开党委(党工委)会、政府常务会议专题研究法治建设 {v('LEADER_MEETINGS', '专题研究次数')};"
        f"主要负责人带头学法、讲法治课 {v('LEADER_LECTURES', '学法讲法次数')},"
        f"组织领导干部集中学法 {v('STUDY_SESSIONS', '集中学法次数')}、{v('STUDY_HOURS', '学时')};"
        f"负责人出庭应诉 {v('HEAD_IN_COURT', '出庭应诉件数')};年终述职中述法 {v('LEADER_REPORTS', '述法次数')}。",
        "【请补充主要负责人亲自部署、亲自协调、亲自督办法治建设重要工作的具体情况】",
    ])


def next_year_rows(inp: DraftInput) -> list[DraftRow]:
    """The items 下一年度主要安排 lists: due next year, and not already past their deadline (those are carried
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
    n = 0
    if carried:
        n += 1
        lines.append(f"({cn_number(n)})抓好本年度未完成事项的整改落实")
        lines.append(f"对本年度尚未完成或未达标的 {len(carried)} 项工作逐项明确责任人和完成时限,确保按期整改到位。")
    for heading, rows in _grouped(next_year_rows(inp)):
        n += 1
        lines.append(f"({cn_number(n)}){heading}")
        for k, r in enumerate(rows[:PER_HEADING_NEXT], start=1):
            when = f"({_date(r.due_date)}前)" if r.due_date and r.due_date.year == nxt and r.due_date.month < 12 else ""
            lines.append(f"{k}.{r.requirement.rstrip('。')}{when}。")
        if len(rows) > PER_HEADING_NEXT:
            lines.append(f"以及本方面其余 {len(rows) - PER_HEADING_NEXT} 项工作。")
    if n == 0:
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
    return {k: f(inp) for k, f in DRAFTERS.items()}
