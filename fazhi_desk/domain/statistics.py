"""Statistics (统计数据): the per-year figures a county adds up across townships, and the default set.

An :class:`Indicator` has a stable code, a name, a unit, a category and its
meaning (口径), stated once here and shown wherever the figure is (the
statistics tab, the 统计数据 sheet of the report, the roll-up). It may name
the items it proves (an event item whose event the figure counts) and one
*linked* item whose 实际值 is the same figure.

A link is made only where the item's 实际值 is the same measure: the same
计量单位 and the same meaning. The link audit (v2026-12): 集中学法·次数 is the
count of the leading group's concentrated study sessions, which is what
SZ2015-04-01 (每年安排领导干部集中学法不少于4次) measures, so they are one number.
集中学法·学时 (the hours of those sessions, summed) is *not* SZ2015-04-02
(每年组织工作人员法律培训不少于40学时: per-person training of all staff): it was
linked before and overwrote a met 42 学时 with 14; it is now a figure of its own.
No other default indicator has an item of the same measure (ZS2022-29-04 counts
法治专题讲座 in 期, not 主要负责人讲法治课 in 次; ZS2022-29-06 is per-person hours).

Counts (件, 次, 卷, 场 …) are whole numbers. :data:`RELATIONS` declares what
must hold between two figures (出庭 ≤ 应诉, 报备 ≤ 制发 …): a relation that
cannot be broken by real figures refuses the entry, one that can (a document
issued in December filed in January) warns. :func:`check_figures` lists every
broken relation, and every event item marked 本年度未发生 while a figure says
the event occurred, as :class:`Finding` s with a Chinese sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
RESPONSIBILITY = "第一责任人履职"
COUNT_UNITS = frozenset({"件", "次", "卷", "场", "期", "名", "人", "个", "人次", "项", "篇", "条"})


@dataclass(frozen=True)
class Indicator:
    """统计指标."""

    code: str
    name: str
    unit: str
    category: str
    items: tuple[str, ...] = ()  # item ids whose completion this figure proves
    linked_item: str = ""  # item whose 实际值 is this figure ("" if none)
    source: str = "内置"  # "内置" or the code of the catalogue that defined it
    scope: str = ""  # 口径: what is counted, and what is not

    @property
    def label(self) -> str:
        return f"{self.category}·{self.name}" if self.category else self.name

    @property
    def whole(self) -> bool:
        """A count: only whole numbers make sense ("2.5 次" does not)."""
        return self.unit in COUNT_UNITS


def _i(code: str, category: str, name: str, unit: str, scope: str, *, linked: str = "",
       proves: tuple[str, ...] = ()) -> Indicator:
    items = ((linked,) if linked else ()) + tuple(x for x in proves if x != linked)
    return Indicator(code, name, unit, category, items, linked, scope=scope)


DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    _i("NORM_ISSUED", "规范性文件", "制发件数", "件", "本年度以本单位名义制发的规范性文件件数(不含一般工作文件)",
       proves=("SZ2015-09-01", "SZ2015-09-03", "SZ2015-09-04", "SZ2015-10-01", "ZS2022-04-01", "ZS2022-04-03")),
    _i("NORM_FILED", "规范性文件", "报备件数", "件", "本年度报县(市、区)政府备案的规范性文件件数",
       proves=("SZ2015-10-02", "ZS2022-05-01")),
    _i("NORM_CLEANED", "规范性文件", "清理件数", "件", "本年度清理(审查后保留、修改或废止)的规范性文件件数"),
    _i("REVIEW_NORMS", "合法性审查", "规范性文件审查件数", "件", "法制办对规范性文件草案出具合法性审查意见的件数"),
    _i("REVIEW_DECISIONS", "合法性审查", "重大行政决策审查件数", "件", "法制办对重大行政决策草案出具合法性审查意见的件数"),
    _i("REVIEW_CONTRACTS", "合法性审查", "合同协议审查件数", "件", "法制办审核本单位对外签订的合同、协议的件数",
       proves=("SZ2015-28-02",)),
    _i("REVIEW_OTHER", "合法性审查", "其他涉法事务审查件数", "件", "上述三类以外的涉法事务审查件数"),
    _i("MAJOR_DECISIONS", "重大行政决策", "作出件数", "件", "本年度经集体讨论作出的重大行政决策件数",
       proves=("SZ2015-12-08", "SZ2015-12-09", "SZ2015-12-10", "ZS2022-06-01")),
    _i("RECONSIDERATION", "行政复议", "案件数", "件", "本单位作为被申请人的行政复议案件数(本年度收到答复通知的)",
       proves=("SZ2015-22-02",)),
    _i("LITIGATION", "行政应诉", "案件数", "件", "本单位作为被告的行政诉讼案件数(本年度应诉的,含一审、二审)",
       proves=("SZ2015-22-02", "ZS2022-18-03")),
    _i("HEAD_IN_COURT", "行政应诉", "负责人出庭应诉件数", "件", "上述行政应诉案件中行政机关负责人出庭应诉的件数",
       proves=("ZS2022-18-01",)),
    _i("COUNSEL_REVIEWS", "法律顾问", "审核件数", "件", "法律顾问出具审核意见的件数(决策、合同、文件等)"),
    _i("STUDY_SESSIONS", "集中学法", "次数", "次", "领导班子(领导干部)集中学法的次数,即 SZ2015-04-01 的实际值",
       linked="SZ2015-04-01"),
    _i("STUDY_HOURS", "集中学法", "学时", "学时",
       "领导班子集中学法的累计学时(各次学时相加);不是工作人员人均法律培训学时(SZ2015-04-02 的实际值)"),
    _i("ENFORCEMENT_CASES", "行政执法", "案件数", "件", "本单位(含受委托)办结的行政处罚、行政强制等执法案件数"),
    _i("CASE_FILE_REVIEWS", "行政执法", "案卷评查数", "卷", "本年度自查或接受评查的行政执法案卷数"),
    _i("MEDIATION", "人民调解", "件数", "件", "本辖区人民调解组织调解的矛盾纠纷件数"),
    _i("PUBLICITY_EVENTS", "普法", "活动场次", "场", "本单位组织的普法宣传活动场次"),
    _i("LEADER_MEETINGS", RESPONSIBILITY, "党委(党工委)会、政府常务会议专题研究法治建设次数", "次",
       "会议纪要中有法治建设议题的党委(党工委)会、政府常务会议次数"),
    _i("LEADER_LECTURES", RESPONSIBILITY, "主要负责人带头学法、讲法治课次数", "次", "党政主要负责人带头学法或讲授法治课的次数"),
    _i("LEADER_REPORTS", RESPONSIBILITY, "年终述职中述法次数", "次", "领导班子成员在年终述职中报告履行法治建设职责的人次"),
)
DEFAULT_CODES = frozenset(i.code for i in DEFAULT_INDICATORS)


@dataclass(frozen=True)
class Relation:
    """``lesser`` ≤ ``greater`` in the same year; ``strict``: no real figures can break it (refused)."""

    lesser: str
    greater: str
    strict: bool
    why: str


RELATIONS: tuple[Relation, ...] = (
    Relation("HEAD_IN_COURT", "LITIGATION", True, "负责人出庭应诉的案件是应诉案件的一部分"),
    Relation("NORM_FILED", "NORM_ISSUED", False,
             "报备的是本单位制发的文件(上年末制发、本年初报备的可能例外,请核对)"),
    Relation("MAJOR_DECISIONS", "REVIEW_DECISIONS", False,
             "重大行政决策未经合法性审查不得作出(跨年度审查的可能例外,请核对)"),
)


@dataclass(frozen=True)
class Finding:
    """A figure that does not fit: a broken relation or an event item that says no event occurred."""

    codes: tuple[str, ...]  # the indicators involved
    text: str  # the Chinese sentence (what does not fit, and what to do)
    strict: bool = False  # refused when entered (a relation no real figures can break)
    item_id: str = ""  # the event item, for a 本年度未发生 finding


def show(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def whole_number_problem(ind: Indicator, v: float | None) -> str:
    """"" or why ``v`` cannot be this indicator's figure (a count that is not a whole number)."""
    if v is None or not ind.whole or float(v).is_integer():
        return ""
    return (f"统计指标\u201c{ind.label}\u201d以\u201c{ind.unit}\u201d计,应为整数,\u201c{show(v)} {ind.unit}\u201d不是整数"
            "\uff1b请填写实际的件(次)数。")


def check_figures(indicators: Iterable[Indicator], values: Mapping[str, float | None],
                  no_event_items: Iterable[str] = ()) -> list[Finding]:
    """Every declared relation that ``values`` break, and every event item of ``no_event_items`` (marked
    本年度未发生) that an indicator above 0 proves occurred. Figures not filled in (None) are not judged."""
    by_code = {i.code: i for i in indicators}
    out: list[Finding] = []
    for r in RELATIONS:
        a, b = by_code.get(r.lesser), by_code.get(r.greater)
        va, vb = values.get(r.lesser), values.get(r.greater)
        if a is None or b is None or va is None or vb is None or va <= vb:
            continue
        verdict = "不可能" if r.strict else "需核对"
        out.append(Finding((r.lesser, r.greater),
                           f"{a.label} {show(va)}{a.unit} 大于 {b.label} {show(vb)}{b.unit}({verdict}:{r.why})",
                           r.strict))
    quiet = set(no_event_items)
    for ind in by_code.values():
        v = values.get(ind.code)
        if not v or v <= 0:
            continue
        for item_id in ind.items:
            if item_id in quiet and item_id != ind.linked_item:
                out.append(Finding((ind.code,), f"事项 {item_id} 标为\u201c本年度未发生\u201d,但 {ind.label} 为 "
                                   f"{show(v)}{ind.unit}(事件已发生)\uff1b请改正该事项的状态或这个数字",
                                   False, item_id))
    return out
