"""Importing the 台账 an office already keeps (an Excel/WPS sheet) into an item's activity log.

:func:`read_ledger` reads the sheet (.xlsx, .xls, .ods through python-calamine, with
the same size and zip checks as every workbook from outside), guesses which column
holds the date, name, place, people, quantity and note from the header (``--map``
overrides it), and returns a :class:`LedgerPreview`: the sessions it would add and
the rows it refuses, each refusal naming the sheet, row and column. Nothing is
written until :func:`apply_ledger`, which adds every accepted row in one
transaction (all or nothing).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from fazhi_desk.domain.activity import check_session, parse_date
from fazhi_desk.errors import UserError

# field → words its header may contain (first match wins, in this order)
FIELDS: dict[str, tuple[str, ...]] = {
    "日期": ("日期", "时间", "开展时间", "学习时间"),
    "名称": ("名称", "主题", "内容", "课题", "题目", "学习内容", "活动"),
    "地点": ("地点", "场所", "会议室"),
    "人员": ("主讲", "授课", "参加", "人员", "参学", "讲师"),
    "数量": ("学时", "课时", "时长", "人次", "人数", "数量", "次数"),
    "说明": ("说明", "备注", "情况"),
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class LedgerRow:
    row: int  # 1-based row in the sheet
    date: dt.date
    title: str
    place: str = ""
    people: str = ""
    quantity: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class LedgerPreview:
    file: str
    sheet: str
    item_id: str
    year: int
    mapping: dict[str, int]  # field → 0-based column
    header_row: int  # 1-based
    rows: tuple[LedgerRow, ...]
    refused: tuple[str, ...] = field(default=())  # one Chinese line per refused row, naming sheet/row/column

    def text(self) -> str:
        from fazhi_desk.catalogue.draft.table import col_letter

        cols = "、".join(f"{k}={col_letter(v)}" for k, v in self.mapping.items())
        lines = [f"“{self.file}”工作表“{self.sheet}”(表头在第 {self.header_row} 行,列对应:{cols}):"
                 f"可导入 {len(self.rows)} 条活动记录" + (f",{len(self.refused)} 行不能导入:" if self.refused else "。")]
        lines += [f"  {r}" for r in self.refused]
        return "\n".join(lines)


def parse_map(spec: str) -> dict[str, int]:
    """``日期=A,名称=B`` → {field: column}; a clear message for a wrong part."""
    from fazhi_desk.catalogue.draft.table import parse_map as parse_columns

    return parse_columns(spec, FIELDS, "活动记录的字段", "B")


def _date(text: str, year: int) -> dt.date:
    t = text.strip()
    t = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", t)  # a datetime cell: its date
    if re.fullmatch(r"\d{5}(\.0+)?", t):  # an Excel serial day number (a date cell formatted as a number)
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(t)))
    m = re.fullmatch(r"(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?", t)  # 3月18日: the ledger's own year
    if m:
        try:
            return dt.date(year, int(m[1]), int(m[2]))
        except ValueError:
            pass
    return parse_date(t)


def read_ledger(path: Path | str, item_id: str, year: int, unit: str, *, mapping: dict[str, int] | None = None,
                today: dt.date | None = None) -> LedgerPreview:
    """Read a ledger sheet into a preview (nothing written). Rows outside ``year`` or otherwise invalid are refused."""
    from fazhi_desk.catalogue.draft.table import _read_rows, col_letter, guess_header

    path = Path(path)
    today = today or dt.date.today()
    if not path.is_file():
        raise UserError(f"找不到文件“{path}”。请检查文件名和位置。")
    if path.suffix.lower() not in (".xlsx", ".xls", ".ods", ".xlsm"):
        raise UserError(f"“{path.name}”不是 Excel/WPS 表格\uff08.xlsx、.xls、.ods\uff09。请另存为 .xlsx 后再导入。")
    sheet, rows, _merged = _read_rows(path)
    if len(rows) > MAX_ROWS:
        raise UserError(f"“{path.name}”工作表“{sheet}”有 {len(rows):,} 行\uff0c超过 {MAX_ROWS:,} 行上限。")
    header, guessed = guess_header(rows, FIELDS, required="日期")
    cols = {**guessed, **(mapping or {})}
    if "日期" not in cols or "名称" not in cols:
        missing = "、".join(f for f in ("日期", "名称") if f not in cols)
        raise UserError(f"没有在“{path.name}”工作表“{sheet}”的表头中找到“{missing}”列。"
                        "请用列对应指定\uff08命令行\uff1a--map 日期=A\uff0c名称=B\uff09。")
    if header < 0:
        header = 0 if not mapping else -1  # with a full --map and no header, every row is data
    accepted: list[LedgerRow] = []
    refused: list[str] = []

    def get(row: list[str], fld: str) -> str:
        c = cols.get(fld)
        return row[c].strip() if c is not None and c < len(row) else ""

    for r in range(header + 1, len(rows)):
        row = rows[r]
        if not any(x.strip() for x in row):
            continue
        where = f"工作表“{sheet}”第 {r + 1} 行"
        raw_date, title = get(row, "日期"), get(row, "名称")
        if not raw_date and not title:
            continue
        try:
            day = _date(raw_date, year)
        except UserError:
            refused.append(f"{where} {col_letter(cols['日期'])} 列:日期“{raw_date}”无法识别。")
            continue
        q_text = get(row, "数量")
        try:
            qty = float(re.sub(r"[^\d.]", "", q_text)) if q_text and re.search(r"\d", q_text) else 1.0
        except ValueError:
            refused.append(f"{where} {col_letter(cols['数量'])} 列:数量“{q_text}”不是数字。")
            continue
        from fazhi_desk.domain.activity import is_summed

        if not is_summed(unit):
            qty = 1.0  # an item counted by sessions: each row is one session
        rec = LedgerRow(r + 1, day, title, get(row, "地点"), get(row, "人员"), qty, get(row, "说明"))
        try:
            check_session(item_id, year, rec.date, rec.title, rec.quantity, unit, today,
                          place=rec.place, people=rec.people, note=rec.note)
        except UserError as e:
            refused.append(f"{where}:{e}")
            continue
        accepted.append(rec)
    return LedgerPreview(path.name, sheet, item_id, year, cols, header + 1, tuple(accepted), tuple(refused))


def apply_ledger(store, preview: LedgerPreview, *, user: str | None = None,  # noqa: ANN001
                 today: dt.date | None = None) -> int:
    """Add every accepted row of the preview as a session, in one transaction; returns how many were added."""
    from fazhi_desk.services import current_user
    from fazhi_desk.services.activity import _item, _log, _sync_actual
    from fazhi_desk.store.models import ActivityRow
    from fazhi_desk.store.types import now as utc_now

    if not preview.rows:
        raise UserError(f"“{preview.file}”中没有可导入的活动记录\uff0c数据未改动。")
    today = today or dt.date.today()
    user = user or current_user()
    when = utc_now()
    with store.transaction() as s:
        item_id, item, _row = _item(s, preview.item_id, preview.year)
        for rec in preview.rows:  # checked again against the item as it is now
            check_session(item_id, preview.year, rec.date, rec.title, rec.quantity, item.unit, today,
                          place=rec.place, people=rec.people, note=rec.note)
            s.add(ActivityRow(item_id=item_id, year=preview.year, date=rec.date, title=rec.title, place=rec.place,
                              people=rec.people, quantity=rec.quantity, note=rec.note, created_at=when,
                              created_by=user))
        _log(s, item_id, preview.year, user, when, "",
             f"从“{preview.file}”导入 {len(preview.rows)} 条")
        _sync_actual(s, item_id, preview.year, item.unit, user, when)
    return len(preview.rows)
