"""The Excel catalogue template that county offices edit: its layout (sheets, columns) and the writer.

Reading a filled-in template back, with full validation, is
:mod:`fazhi_desk.catalogue.excel_reader`.

One workbook holds one or more source documents:

- sheet ``来源文件``: 文件代码, 文件名称, 发文字号, 发文机关, 发布日期, 版本
  (optional: 原文文件, 说明 — one note per line, 施行起始年份, 施行截止年份);
- sheet ``检查事项``: 编号, 文件代码, 章, 节, 条, 事项内容, 原文, 牵头单位,
  参加单位, 适用乡镇, 周期, 目标值, 计量单位, 截止日期, 佐证材料
  (optional: 条标题, 首次年度, 乡镇角色 — 牵头/参加/仅供了解, 分值, 计量方式 — 逐次登记 or blank;
  a template made before 计量方式 existed reads as every item typed once);
- sheet ``统计指标`` (optional: a template without it reads as defining no
  indicators): 指标编码, 文件代码, 指标名称 (optional: 类别, 计量单位,
  证明事项 — item ids separated by 、 , or new lines, 关联事项 — the item whose
  实际值 is this figure).

Required columns have a dark header, optional ones a light one; cycle, 适用乡镇
and 乡镇角色 carry drop-down lists; text that would become a formula is stored
as text; the file is replaced whole or not at all.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from fazhi_desk.catalogue.schema import Catalogue
from fazhi_desk.domain.model import MEASURE_LOGGED, MEASURES, Cycle, Item, TownshipRole
from fazhi_desk.domain.statistics import DEFAULT_INDICATORS, Indicator

DOC_SHEET = "来源文件"
ITEM_SHEET = "检查事项"
INDICATOR_SHEET = "统计指标"
HELP_SHEET = "填写说明"


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header in row 1
    key: str  # key in the canonical JSON dict
    kind: str  # text, date, version, lines, int, year, bool, target, score, ids
    required: bool = True  # the column must be present
    width: int = 12  # minimum width


DOC_COLUMNS: tuple[Column, ...] = (
    Column("文件代码", "code", "text", width=10),
    Column("文件名称", "title", "text", width=30),
    Column("发文字号", "doc_number", "text", width=16),
    Column("发文机关", "issuer", "text", width=16),
    Column("发布日期", "date", "date", width=12),
    Column("版本", "version", "version", width=8),
    Column("原文文件", "source_text", "text", required=False, width=12),
    Column("说明", "notes", "lines", required=False, width=40),
    Column("施行起始年份", "term_start", "year", required=False, width=10),
    Column("施行截止年份", "term_end", "year", required=False, width=10),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("编号", "id", "text", width=16),
    Column("文件代码", "doc", "text", width=10),
    Column("章", "chapter", "text", width=16),
    Column("节", "section", "text", width=20),
    Column("条", "article", "int", width=6),
    Column("事项内容", "requirement", "text", width=40),
    Column("原文", "source_passage", "text", width=50),
    Column("牵头单位", "lead_units", "text", width=16),
    Column("参加单位", "participating_units", "text", width=16),
    Column("适用乡镇", "applies_to_township", "bool", width=10),
    Column("周期", "cycle", "text", width=8),
    Column("目标值", "target", "target", width=8),
    Column("计量单位", "unit", "text", width=8),
    Column("截止日期", "deadline", "date", width=12),
    Column("佐证材料", "evidence", "text", width=30),
    Column("条标题", "article_title", "text", required=False, width=20),
    Column("首次年度", "first_year", "year", required=False, width=10),
    Column("乡镇角色", "township_role", "text", required=False, width=10),
    Column("分值", "score", "score", required=False, width=8),
    Column("计量方式", "measure", "text", required=False, width=10),
)

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("指标编码", "code", "text", width=20),
    Column("文件代码", "doc", "text", width=10),
    Column("类别", "category", "text", required=False, width=14),
    Column("指标名称", "name", "text", width=24),
    Column("计量单位", "unit", "text", required=False, width=8),
    Column("证明事项", "items", "ids", required=False, width=30),
    Column("关联事项", "linked_item", "text", required=False, width=16),
)
ROLE_WORDS = tuple(r.value for r in TownshipRole)
MEASURE_WORDS = tuple(m for m in MEASURES if m)

CYCLE_WORDS = tuple(c.value for c in Cycle)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


# ---------------------------------------------------------------- writing


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _doc_row(cat: Catalogue) -> list[Any]:
    d = cat.document
    return [d.code, d.title, d.doc_number, d.issuer, d.date, d.version, d.source_text, "\n".join(d.notes),
            d.term_start, d.term_end]


def _target_cell(item: Item) -> Any:
    if item.target is None:
        return None
    if item.target_max is not None and item.target_max != item.target:
        return item.target_text
    return int(item.target) if float(item.target).is_integer() else item.target


def _item_row(item: Item) -> list[Any]:
    return [
        item.item_id, item.doc_code, item.chapter, item.section, item.article_no, item.requirement,
        item.source_passage, item.lead_units, item.participating_units, "是" if item.applies_to_township else "否",
        item.cycle.value, _target_cell(item), item.unit, item.deadline, item.evidence_hint, item.article_title,
        item.first_year, item.township_role.value,
        None if item.score is None else (int(item.score) if float(item.score).is_integer() else item.score),
        item.measure,
    ]


def _indicator_row(doc_code: str, ind: Indicator) -> list[Any]:
    return [ind.code, doc_code, ind.category, ind.name, ind.unit, "、".join(ind.items), ind.linked_item]


def _fill_sheet(ws, columns: tuple[Column, ...], rows: Iterable[list[Any]]) -> int:  # noqa: ANN001
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws.append([c.header for c in columns])
    widths = [max(c.width, _display_width(c.header) + 2) for c in columns]
    risky: list[tuple[int, int]] = []
    date_cols = [i for i, c in enumerate(columns) if c.kind == "date"]
    n = 0
    for n, row in enumerate(rows, start=1):
        out = []
        for i, v in enumerate(row):
            if v == "":
                v = None  # Excel keeps no cell for an empty string either
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
                if v.startswith(_FORMULA_START):
                    risky.append((n + 1, i + 1))
                if n <= 300:
                    first = v.split("\n", 1)[0]
                    widths[i] = max(widths[i], min(60, _display_width(first) + 2))
            out.append(v)
        ws.append(out)
    for r, c in risky:  # text that would otherwise become a formula
        cell = ws.cell(row=r, column=c)
        cell.data_type = "s"
        cell.quotePrefix = True
    for i in date_cols:
        for (cell,) in ws.iter_rows(min_row=2, max_row=n + 1, min_col=i + 1, max_col=i + 1):
            if cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
    side = Side(style="thin", color="999999")
    for i, c in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF" if c.required else "000000")
        cell.fill = PatternFill("solid", fgColor="305496" if c.required else "D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=side)
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1]
    ws.row_dimensions[1].height = 22
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(n + 1, 1)}"
    return n


def _add_list_validation(ws, col: int, words: tuple[str, ...], last_row: int, title: str) -> None:  # noqa: ANN001
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
    dv.error = f"请从下拉列表中选择:{'、'.join(words)}"
    dv.errorTitle = f"{title}填写有误"
    dv.prompt = f"可选:{'、'.join(words)}"
    dv.promptTitle = title
    dv.showErrorMessage = True
    dv.showInputMessage = True
    letter = get_column_letter(col)
    dv.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(dv)


HELP_LINES = (
    "检查目录模板填写说明",
    "",
    "一、三张表",
    "“来源文件”表:每一行是一份上级文件(如一个实施方案)。",
    "“检查事项”表:每一行是这份文件中需要逐项检查的一件事,用“文件代码”说明它出自哪份文件。",
    "“统计指标”表:可以不填。每一行是县里要求乡镇(街道)每年报送的一个统计数字(如行政许可办理件数)。"
    "程序已内置常用指标(规范性文件、行政复议、人民调解等),这里只填县里另外要求的;没有这张表的旧模板也可以照常导入。",
    "深蓝色表头的列必须填写,浅蓝色表头的列可以不填。列的先后顺序可以调整;在右边另加的列,导入时不读取。",
    "请直接填写文字、数字或日期,不要使用公式。",
    "",
    "二、“来源文件”表各列",
    "文件代码:这份文件的简称,用大写字母加年份,如 SZ2015。同一份文件以后修订时代码不变。",
    "文件名称、发文字号、发文机关:照文件抄写,如“柞法治委发〔2022〕4号”。",
    "发布日期:文件落款日期,如 2022-06-01 或 2022年6月1日。",
    "版本:目录的版本号,如 1.0。每次修订目录后请把版本改大(如 1.0 改为 1.1),程序据此判断是否为新版本。",
    "原文文件、说明:可以不填。说明写整理目录时的处理情况,每条一行。",
    "施行起始年份、施行截止年份:文件规定的施行期限,如实施方案 2022—2025 年就填 2022 和 2025;"
    "截止年份之后的年度不再检查这份文件的事项。没有期限的留空。",
    "",
    "三、“检查事项”表各列",
    "编号:事项的固定编号,以文件代码开头,一般再加条号和序号,如 SZ2015-04-01。修订目录时不要改动已有事项的编号,"
    "否则程序会把它当作删去一项、新增一项,原来填写的完成情况不再对应。",
    "新增事项请用一个还没有用过的编号,例如在第4条末尾新增时编为 SZ2015-04-91(编号不能与已有事项重复)。",
    "章、节、条、条标题:事项在文件中的位置,条填数字(如 4)。",
    "事项内容:一句话写清要做什么,如“每年组织领导班子集中学法不少于4次”。原文:文件中对应的原句。",
    "牵头单位、参加单位:照文件填写,多个单位用顿号隔开。",
    "适用乡镇:乡镇(街道)需要承担或参与的填“是”,只由县级部门承担的填“否”。",
    "周期:只能填 一次性、每年、每两年、按事件、持续 之一(可从下拉列表选择)。"
    "一次性:做一次即可;每年:每年都要做;每两年:隔年做一次;按事件:有相关事件时才做(如每件规范性文件备案);持续:长期坚持。",
    "目标值、计量单位:文件要求的数量,如 4 和“次”、40 和“学时”;要求是一个范围时写成 1~2。没有数量要求的留空。",
    "截止日期:文件规定的完成期限,如 2025-12-31;没有期限的留空(每年的事项默认当年 12 月 31 日前完成)。",
    "佐证材料:完成这项工作应当留存的材料,如“会议记录、签到表”。",
    "首次年度:每两年一次的事项从哪一年开始检查,如 2023;不填时从文件发布的年份算起。",
    "分值:县里考核表中这一项的分值,如 2 或 0.5;不考核打分的留空。",
    "乡镇角色:乡镇(街道)在这件事中做什么,只能填 牵头、参加、仅供了解 之一。"
    "牵头:乡镇自己负责完成;参加:乡镇配合县级部门,做好自己的部分;仅供了解:乡镇不需要做,只作了解,不计入完成率"
    "(这时“适用乡镇”应填“否”)。不填时按“适用乡镇”:是为牵头,否为仅供了解。",
    f"计量方式:按次数或学时计数的事项(如“每年集中学法不少于4次”“每年培训不少于40学时”“每年举办2期讲座”)填“{MEASURE_LOGGED}”,"
    "乡镇每开展一次活动就在程序的“活动记录”中登记一条(日期、名称、人员、签到表和照片),"
    "实际值按登记的活动自动统计(次、期、场按条数,学时、人次按各条数量相加),不用年底再汇总填写。"
    f"填“{MEASURE_LOGGED}”的事项必须有目标值。其他事项留空,实际值年底直接填写。没有这一列的旧模板也可以照常导入。",
    "",
    "四、“统计指标”表各列",
    "指标编码:这个指标的固定代号,用大写字母、数字和下划线,以字母开头,如 ZS2022_PERMITS。"
    "不能与程序内置指标的代号(如 MEDIATION)或其他文件已有的指标编码相同,同一工作簿中也不能重复。"
    "修订目录时不要改动已有指标的编码,"
    "否则各年度已填写的数字不再对应。",
    "文件代码:这个指标由哪份文件规定,填“来源文件”表中的文件代码,如 ZS2022。",
    "类别、指标名称:如类别“行政许可”、指标名称“办理件数”。指标名称必须填写;类别可以不填。",
    "计量单位:如 件、次、场、学时。",
    "证明事项:这个数字能证明哪些检查事项已经做了,填事项编号,多个编号用顿号、逗号隔开或分行填写;"
    "必须是同一份文件的事项。可以不填。",
    "关联事项:如果某个检查事项的“实际值”就是这个数字(如每年集中学法次数),填这个事项的编号,"
    "两处只记一个数,不会不一致;必须是同一份文件的事项。没有的留空。"
    "只有计量单位和含义都相同(同一个数)时才填关联事项,否则两个数会互相覆盖。",
    "",
    "五、程序内置的统计指标及其口径(不要在“统计指标”表中重复定义;各乡镇按此口径填报)",
) + tuple(f"{i.code}\u3000{i.label}({i.unit}):{i.scope}" for i in DEFAULT_INDICATORS)


def write_template(catalogues: list[Catalogue], path: Path | str) -> Path:
    """Write ``catalogues`` (or, given none, an empty template) as the Excel template.

    The file is written to a temporary name in the target directory, fsynced
    and renamed, so an existing file is replaced whole or not at all.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    wb = Workbook()
    ws_doc = wb.active
    ws_doc.title = DOC_SHEET
    _fill_sheet(ws_doc, DOC_COLUMNS, (_doc_row(c) for c in catalogues))
    ws_doc.freeze_panes = "B2"
    ver_col = [c.key for c in DOC_COLUMNS].index("version") + 1
    for (cell,) in ws_doc.iter_rows(min_row=2, min_col=ver_col, max_col=ver_col):
        cell.number_format = "@"
    ws_items = wb.create_sheet(ITEM_SHEET)
    n = _fill_sheet(ws_items, ITEM_COLUMNS, (_item_row(i) for c in catalogues for i in c.items))
    ws_items.freeze_panes = "B2"
    keys = [c.key for c in ITEM_COLUMNS]
    last = n + 2000
    _add_list_validation(ws_items, keys.index("cycle") + 1, CYCLE_WORDS, last, "周期")
    _add_list_validation(ws_items, keys.index("applies_to_township") + 1, ("是", "否"), last, "适用乡镇")
    _add_list_validation(ws_items, keys.index("township_role") + 1, ROLE_WORDS, last, "乡镇角色")
    _add_list_validation(ws_items, keys.index("measure") + 1, MEASURE_WORDS, last, "计量方式")
    ws_ind = wb.create_sheet(INDICATOR_SHEET)
    _fill_sheet(ws_ind, INDICATOR_COLUMNS, (_indicator_row(c.document.code, i) for c in catalogues for i in c.indicators))
    ws_ind.freeze_panes = "B2"
    ws_help = wb.create_sheet(HELP_SHEET)
    for line in HELP_LINES:
        ws_help.append([line])
    help_width = 86
    for (cell,) in ws_help.iter_rows(min_col=1, max_col=1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # an explicit height for each wrapped line: LibreOffice keeps the default one-line height
        # of a row without one and hides the rest of the text
        lines = sum(max(1, -(-_display_width(part) // (help_width - 4))) for part in str(cell.value or "").split("\n"))
        if lines > 1:
            ws_help.row_dimensions[cell.row].height = 15 * lines + 2
    ws_help["A1"].font = Font(bold=True, size=13)
    ws_help.column_dimensions["A"].width = help_width
    # printed on A4 landscape, fitted to the page width: LibreOffice neither scales this one column down
    # nor narrows it, and on a portrait page cut every long line at the right edge
    ws_help.page_setup.paperSize = ws_help.PAPERSIZE_A4
    ws_help.page_setup.orientation = "landscape"
    ws_help.page_margins.left = ws_help.page_margins.right = 0.6
    ws_help.page_setup.fitToWidth = 1
    ws_help.page_setup.fitToHeight = 0
    ws_help.sheet_properties.pageSetUpPr.fitToPage = True
    _atomic_save(wb, path)
    return path


def _atomic_save(wb, path: Path) -> None:  # noqa: ANN001
    from fazhi_desk.fileio import atomic_write, write_error
    from fazhi_desk.testpoints import pause

    with atomic_write(path) as tmp:
        try:
            wb.save(tmp)
        except OSError as e:
            raise write_error(e, path) from e
        pause("catalogue.template.written")
