"""Statistics (统计数据): the per-year figures a county adds up across townships, and the default set.

An :class:`Indicator` has a stable code, a name, a unit and a category; it may
name the items it proves and one *linked* item whose 实际值 is the same figure.
For a linked indicator the item's actual value is the one stored number, so the
two can never disagree. Catalogue files may define further indicators; the
default set below is what every office is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
RESPONSIBILITY = "第一责任人履职"


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

    @property
    def label(self) -> str:
        return f"{self.category}·{self.name}" if self.category else self.name


def _i(code: str, category: str, name: str, unit: str, linked: str = "") -> Indicator:
    return Indicator(code, name, unit, category, (linked,) if linked else (), linked)


DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    _i("NORM_ISSUED", "规范性文件", "制发件数", "件"),
    _i("NORM_FILED", "规范性文件", "报备件数", "件"),
    _i("NORM_CLEANED", "规范性文件", "清理件数", "件"),
    _i("REVIEW_NORMS", "合法性审查", "规范性文件审查件数", "件"),
    _i("REVIEW_DECISIONS", "合法性审查", "重大行政决策审查件数", "件"),
    _i("REVIEW_CONTRACTS", "合法性审查", "合同协议审查件数", "件"),
    _i("REVIEW_OTHER", "合法性审查", "其他涉法事务审查件数", "件"),
    _i("MAJOR_DECISIONS", "重大行政决策", "作出件数", "件"),
    _i("RECONSIDERATION", "行政复议", "案件数", "件"),
    _i("LITIGATION", "行政应诉", "案件数", "件"),
    _i("HEAD_IN_COURT", "行政应诉", "负责人出庭应诉件数", "件"),
    _i("COUNSEL_REVIEWS", "法律顾问", "审核件数", "件"),
    _i("STUDY_SESSIONS", "集中学法", "次数", "次", "SZ2015-04-01"),
    _i("STUDY_HOURS", "集中学法", "学时", "学时", "SZ2015-04-02"),
    _i("ENFORCEMENT_CASES", "行政执法", "案件数", "件"),
    _i("CASE_FILE_REVIEWS", "行政执法", "案卷评查数", "卷"),
    _i("MEDIATION", "人民调解", "件数", "件"),
    _i("PUBLICITY_EVENTS", "普法", "活动场次", "场"),
    _i("LEADER_MEETINGS", RESPONSIBILITY, "党委(党工委)会、政府常务会议专题研究法治建设次数", "次"),
    _i("LEADER_LECTURES", RESPONSIBILITY, "主要负责人带头学法、讲法治课次数", "次"),
    _i("LEADER_REPORTS", RESPONSIBILITY, "年终述职中述法次数", "次"),
)
