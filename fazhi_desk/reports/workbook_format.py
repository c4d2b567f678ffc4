"""The annual report workbook's fixed shape: format version, sheet names and the columns of each data sheet.

The same sheets with the same columns are written every year (an empty sheet
rather than a missing one), so a county can stack many offices' and years'
workbooks. :data:`FORMAT_VERSION` is written in the 汇总数据 row; the roll-up
refuses workbooks of another format with a message saying which.

Types a reader gets (openpyxl, calamine, ``pandas.read_excel``):

* 生成时间 is a date-time cell and 报送日期 a date cell (not text);
* 目录版本 is always text that no reader turns into a number: the document code and
  the version, "SZ2015 1.10" (several documents joined by ";"), so "1.10" is never
  read as the float 1.1;
* counts are integers, 完成率 a fraction (0.4375, shown as 43.8 %);
* 单位编码 (统一社会信用代码 or the county's 单位编码) is text on every row.

Format 3 added the sheet 活动记录 (one row per session of the activity log);
单位编码 on every row; 进行中, 未开始, 不适用, 本年度未发生, 报送日期,
联系人, 联系电话, 导出编号 and 校验码 to 汇总数据; 不计入原因 to 检查清单; 口径 and 说明
to 统计数据. The 校验码 is the SHA-256 of the data sheets (:func:`checksum`, over
:data:`CHECKED_SHEETS` with the 校验码 cell left out) computed from the values
written; the roll-up recomputes it from the values read, so a workbook edited
after export (a figure, a status, a row) no longer matches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

FORMAT_VERSION = 3

SHEET_SUMMARY = "汇总"
SHEET_SUMMARY_DATA = "汇总数据"
SHEET_CHECKLIST = "检查清单"
SHEET_STATISTICS = "统计数据"
SHEET_EVIDENCE = "佐证材料"
SHEET_ACTIVITY = "活动记录"
SHEET_OUTSTANDING = "未完成事项"
SHEET_NOTES = "说明全文"
SHEETS = (SHEET_SUMMARY, SHEET_SUMMARY_DATA, SHEET_CHECKLIST, SHEET_STATISTICS, SHEET_EVIDENCE,
          SHEET_ACTIVITY, SHEET_OUTSTANDING, SHEET_NOTES)

# The table of 汇总, by document, chapter and section (a header row, then one row per group).
SUMMARY_COLUMNS = ("文件", "章 / 节", "事项数", "应完成", "已完成", "未达标", "进行中", "未开始", "已完成但无佐证材料",
                   "逾期", "不适用", "本年度未发生", "本年度不检查", "已退役", "完成率")

# The one machine-readable row per office and year (header in row 1, the row in row 2).
SUMMARY_DATA_COLUMNS = ("单位", "单位编码", "县", "年度", "应完成", "已完成", "未达标", "完成率", "逾期",
                        "已完成无佐证", "进行中", "未开始", "不适用", "本年度未发生", "报送日期", "联系人", "联系电话",
                        "导出编号", "程序版本", "目录版本", "生成时间", "格式版本", "校验码")

# Rows of 检查清单: the readable columns first (the print area), the stacking columns after them.
CHECKLIST_COLUMNS = ("编号", "文件", "章节条", "事项内容", "牵头单位", "乡镇角色", "周期", "目标值", "计量单位",
                     "实际值", "状态", "逾期", "未达标", "完成日期", "责任人", "工作情况说明", "佐证材料",
                     "单位", "县", "年度", "目录版本", "单位编码", "不计入原因")
CHECKLIST_PRINTED = 17  # columns A…Q print; 单位/县/年度/目录版本/单位编码/不计入原因 are for machines

STATISTICS_COLUMNS = ("编码", "类别", "指标", "计量单位", "数值", "口径", "证明事项", "说明", "单位", "县", "年度",
                      "单位编码")
STATISTICS_PRINTED = 8

EVIDENCE_COLUMNS = ("编号", "事项内容", "文件名", "说明", "文件日期", "大小", "包内路径", "校验",
                    "字节数", "SHA-256", "单位", "县", "年度", "目录版本", "单位编码")
EVIDENCE_PRINTED = 8

# One row per session of the activity log (活动台账); 检查清单's 实际值 of a logged item is their total.
ACTIVITY_COLUMNS = ("编号", "事项内容", "日期", "名称", "地点", "人员", "数量", "计量单位", "佐证材料",
                    "单位", "县", "年度", "目录版本", "单位编码")
ACTIVITY_PRINTED = 9

YES = "是"

# The sheets the 校验码 covers, in this order (汇总数据 with its 校验码 cell blank).
CHECKED_SHEETS = (SHEET_SUMMARY_DATA, SHEET_CHECKLIST, SHEET_STATISTICS, SHEET_EVIDENCE)


def canon(v: Any) -> str:
    """One cell as the checksum sees it: the same text whether the value is the one written or the one read back
    (by openpyxl or calamine): numbers without a trailing .0, dates ISO, text cleaned as it is written."""
    if v is None:
        return ""
    cls = v.__class__
    if cls is str:
        if v.isprintable():  # no control characters: nothing the writer would change
            return v.strip()
        from fazhi_desk.reports.xlsx import clean_text

        return clean_text(v).replace("\r", "").strip()
    if cls is bool:
        return "1" if v else "0"
    if cls is int:
        return str(v)
    if cls is float:  # 10 significant digits: a program that saves 15 (Excel) or 17 does not change it
        return str(int(v)) if v.is_integer() else f"{v:.10g}"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else f"{v:%Y-%m-%d %H:%M:%S}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    text = getattr(v, "text", None)  # a link cell: its shown text
    return canon(text) if isinstance(text, str) else canon(str(v))


def checksum(sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> str:
    """SHA-256 (hex) of named sheets' rows: each cell :func:`canon`, empty rows and trailing empty cells left out."""
    h = hashlib.sha256()
    # keyed by the value itself: values that compare equal (1, 1.0, True; equal texts) have the same canon
    memo: dict[Any, str] = {}
    get = memo.get
    for name, rows in sheets:
        h.update(name.encode("utf-8") + b"\x1d")
        for row in rows:
            try:
                parts = [get(v) for v in row]
            except TypeError:  # an unhashable value
                parts = [canon(v) for v in row]
            if None in parts:
                for n, (v, c) in enumerate(zip(row, parts)):
                    if c is None:
                        parts[n] = memo[v] = canon(v)
            while parts and not parts[-1]:
                parts.pop()
            if parts:
                h.update("\x1f".join(parts).encode("utf-8") + b"\x1e")
    return h.hexdigest()


# ---------------------------------------------------------------- what the workbook adds to the year's data

@dataclass(frozen=True)
class SignOff:
    """The sign-off block of 汇总 (from the office profile and the year's 报送日期)."""

    leader: str = ""  # 单位负责人
    deputy: str = ""  # 分管领导
    preparer: str = ""  # 填报人
    contact: str = ""  # 联系人
    phone: str = ""  # 联系电话
    submit_date: object = None  # 报送日期 (datetime.date or None)


@dataclass(frozen=True)
class StatRow:
    """One indicator's figure for the 统计数据 sheet."""

    code: str
    category: str
    name: str
    unit: str
    value: float | None
    items: str = ""  # the items it proves, "、"-joined
    scope: str = ""  # 口径
    note: str = ""  # 说明: what does not fit (出庭 > 应诉 …), "" when all is well
