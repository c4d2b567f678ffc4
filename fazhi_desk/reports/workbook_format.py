"""The annual report workbook's fixed shape: format version, sheet names and the columns of each data sheet.

The same sheets with the same columns are written every year (an empty sheet
rather than a missing one), so a county can stack many offices' and years'
workbooks. :data:`FORMAT_VERSION` is written in the 汇总数据 row; the roll-up
refuses workbooks of another format with a message saying which.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMAT_VERSION = 2

SHEET_SUMMARY = "汇总"
SHEET_SUMMARY_DATA = "汇总数据"
SHEET_CHECKLIST = "检查清单"
SHEET_STATISTICS = "统计数据"
SHEET_EVIDENCE = "佐证材料"
SHEET_OUTSTANDING = "未完成事项"
SHEET_NOTES = "说明全文"
SHEETS = (SHEET_SUMMARY, SHEET_SUMMARY_DATA, SHEET_CHECKLIST, SHEET_STATISTICS, SHEET_EVIDENCE,
          SHEET_OUTSTANDING, SHEET_NOTES)

# The table of 汇总, by document, chapter and section (a header row, then one row per group).
SUMMARY_COLUMNS = ("文件", "章 / 节", "事项数", "应完成", "已完成", "未达标", "进行中", "未开始", "已完成但无佐证材料",
                   "逾期", "不适用", "本年度未发生", "本年度不检查", "已退役", "完成率")

# The one machine-readable row per office and year (header in row 1, the row in row 2).
SUMMARY_DATA_COLUMNS = ("单位", "县", "年度", "应完成", "已完成", "未达标", "完成率", "逾期", "已完成无佐证",
                        "程序版本", "目录版本", "生成时间", "格式版本")

# Rows of 检查清单: the readable columns first (the print area), the stacking columns after them.
CHECKLIST_COLUMNS = ("编号", "文件", "章节条", "事项内容", "牵头单位", "乡镇角色", "周期", "目标值", "计量单位",
                     "实际值", "状态", "逾期", "未达标", "完成日期", "责任人", "工作情况说明", "佐证材料",
                     "单位", "县", "年度", "目录版本")
CHECKLIST_PRINTED = 17  # columns A…Q print; 单位/县/年度/目录版本 are for machines

STATISTICS_COLUMNS = ("编码", "类别", "指标", "计量单位", "数值", "证明事项", "单位", "县", "年度")
STATISTICS_PRINTED = 6

EVIDENCE_COLUMNS = ("编号", "事项内容", "文件名", "说明", "文件日期", "大小", "包内路径", "校验",
                    "字节数", "SHA-256", "单位", "县", "年度", "目录版本")
EVIDENCE_PRINTED = 8

YES = "是"


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
