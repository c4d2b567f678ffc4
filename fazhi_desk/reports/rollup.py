"""The county's roll-up (汇总各单位报告): read many offices' annual report workbooks, write one summary workbook.

Each workbook is read with python-calamine (fast, and a second reader besides
the openpyxl we write with) and checked: it must be this program's format
(the 汇总数据 sheet with :data:`~fazhi_desk.reports.workbook_format.FORMAT_VERSION`),
all workbooks must be of the same year, and no office may come twice. A
refused set changes nothing: the output is written only when every input is
good (temp name, fsync, rename).

The result has four sheets: 排名 (the 汇总数据 rows ranked by 完成率), 事项矩阵
(item × office, each cell the item's 状态), 统计汇总 (each indicator summed over
the offices, with every office's figure), and 目录版本 (offices whose catalogue
version of a document differs from the one most offices use).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from fazhi_desk.errors import UserError
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.reports.output import output_file


@dataclass(frozen=True)
class OfficeReport:
    """What the roll-up takes from one office's workbook."""

    path: Path
    office: str
    county: str
    year: int
    applicable: int
    done: int
    below_target: int
    rate: float | None
    overdue: int
    done_no_evidence: int
    program_version: str
    catalogue_versions: str  # "SZ2015 1.1;ZS2022 1.1"
    generated_at: str
    statuses: dict[str, str]  # item id → 状态
    items: dict[str, tuple[str, str]]  # item id → (文件, 事项内容)
    figures: dict[str, tuple[str, str, str, float | None]]  # code → (类别, 指标, 单位, 数值)

    def versions(self) -> dict[str, str]:
        out = {}
        for part in self.catalogue_versions.split(";"):
            code, _sp, ver = part.strip().partition(" ")
            if code:
                out[code] = ver.strip()
        return out


@dataclass(frozen=True)
class RollupResult:
    path: Path
    offices: int
    year: int
    mismatches: int

    def summary(self) -> str:
        text = f"已汇总 {self.offices} 个单位 {self.year} 年度的报告。"
        if self.mismatches:
            text += f"其中 {self.mismatches} 个单位的检查目录版本与多数单位不同,见“目录版本”表。"
        return text


def _sheet(wb, name: str, path: Path) -> list[list[Any]]:  # noqa: ANN001 - CalamineWorkbook
    if name not in wb.sheet_names:
        raise UserError(f"“{path.name}”缺少工作表“{name}”,不是本程序导出的年度报告(或已被改动)。"
                        "请让该单位用法治政府建设检查台重新导出。")
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _columns(rows: list[list[Any]], expected: Sequence[str], path: Path, sheet: str) -> dict[str, int]:
    head = [str(c).strip() for c in rows[0]] if rows else []
    missing = [c for c in expected if c not in head]
    if missing:
        raise UserError(f"“{path.name}”工作表“{sheet}”第 1 行缺少列:{'、'.join(missing)}。"
                        "该文件可能被改动过,请让该单位重新导出。")
    return {c: head.index(c) for c in expected}


def _int(v: Any, path: Path, sheet: str, col: str, row: int = 2) -> int:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        raise UserError(f"“{path.name}”工作表“{sheet}”第 {row} 行“{col}”列应为数字,实为“{v}”。"
                        "请让该单位重新导出。") from None


def _num(v: Any) -> float | None:
    if v in (None, ""):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def read_office_report(path: Path | str) -> OfficeReport:
    """Read and check one office's workbook (see the module docstring)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        wb = CalamineWorkbook.from_path(os.fspath(path))
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”。") from None
    except Exception as e:  # calamine raises its own error types for damaged or foreign files
        raise UserError(f"“{path.name}”无法作为 Excel 工作簿读取({e})。请确认它是本程序导出的 .xlsx 年度报告。") from e
    if F.SHEET_SUMMARY_DATA not in wb.sheet_names:
        if F.SHEET_CHECKLIST in wb.sheet_names and F.SHEET_SUMMARY in wb.sheet_names:
            raise UserError(f"“{path.name}”是旧版本法治政府建设检查台导出的报告(没有“{F.SHEET_SUMMARY_DATA}”表),"
                            "格式不同,无法汇总。请让该单位安装新版本后重新导出年度报告。")
        raise UserError(f"“{path.name}”不是法治政府建设检查台导出的年度报告(没有“{F.SHEET_SUMMARY_DATA}”表)。")
    rows = _sheet(wb, F.SHEET_SUMMARY_DATA, path)
    cols = _columns(rows, F.SUMMARY_DATA_COLUMNS, path, F.SHEET_SUMMARY_DATA)
    if len(rows) < 2:
        raise UserError(f"“{path.name}”的“{F.SHEET_SUMMARY_DATA}”表没有数据行。请让该单位重新导出。")
    r = rows[1]
    fmt = _int(r[cols["格式版本"]], path, F.SHEET_SUMMARY_DATA, "格式版本")
    if fmt > F.FORMAT_VERSION:
        raise UserError(f"“{path.name}”由更新版本的程序导出(报表格式 {fmt}),本程序只认识格式 {F.FORMAT_VERSION}。"
                        "请安装最新版本后再汇总。")
    if fmt < F.FORMAT_VERSION:
        raise UserError(f"“{path.name}”是旧版本程序导出的报告(报表格式 {fmt}),无法汇总。请让该单位安装新版本后重新导出。")
    office = str(r[cols["单位"]]).strip()
    if not office:
        raise UserError(f"“{path.name}”的“{F.SHEET_SUMMARY_DATA}”表没有填写单位名称。")

    def get(c: str) -> Any:
        return r[cols[c]]

    checklist = _sheet(wb, F.SHEET_CHECKLIST, path)
    cc = _columns(checklist, ("编号", "文件", "事项内容", "状态"), path, F.SHEET_CHECKLIST)
    statuses: dict[str, str] = {}
    items: dict[str, tuple[str, str]] = {}
    for row in checklist[1:]:
        item_id = str(row[cc["编号"]]).strip()
        if not item_id:
            continue
        statuses[item_id] = str(row[cc["状态"]]).strip()
        items[item_id] = (str(row[cc["文件"]]), str(row[cc["事项内容"]]))
    stats = _sheet(wb, F.SHEET_STATISTICS, path)
    sc = _columns(stats, ("编码", "类别", "指标", "计量单位", "数值"), path, F.SHEET_STATISTICS)
    figures = {}
    for row in stats[1:]:
        code = str(row[sc["编码"]]).strip()
        if code:
            figures[code] = (str(row[sc["类别"]]), str(row[sc["指标"]]), str(row[sc["计量单位"]]),
                             _num(row[sc["数值"]]))
    return OfficeReport(
        path=path, office=office, county=str(get("县")).strip(),
        year=_int(get("年度"), path, F.SHEET_SUMMARY_DATA, "年度"),
        applicable=_int(get("应完成"), path, F.SHEET_SUMMARY_DATA, "应完成"),
        done=_int(get("已完成"), path, F.SHEET_SUMMARY_DATA, "已完成"),
        below_target=_int(get("未达标"), path, F.SHEET_SUMMARY_DATA, "未达标"),
        rate=_num(get("完成率")),
        overdue=_int(get("逾期"), path, F.SHEET_SUMMARY_DATA, "逾期"),
        done_no_evidence=_int(get("已完成无佐证"), path, F.SHEET_SUMMARY_DATA, "已完成无佐证"),
        program_version=str(get("程序版本")), catalogue_versions=str(get("目录版本")),
        generated_at=str(get("生成时间")), statuses=statuses, items=items, figures=figures,
    )


def check_set(reports: list[OfficeReport]) -> None:
    """One year, each office once; raises UserError naming the files otherwise."""
    if not reports:
        raise UserError("请至少选择一个单位的年度报告。")
    years = Counter(r.year for r in reports)
    if len(years) > 1:
        main_year = years.most_common(1)[0][0]
        odd = [f"{r.path.name}({r.year}年)" for r in reports if r.year != main_year]
        raise UserError(f"所选报告的年度不一致:多数为 {main_year} 年,以下文件不是:{'、'.join(odd)}。"
                        "请只选择同一年度的报告。")
    seen: dict[tuple[str, str], Path] = {}
    for r in reports:
        key = (r.county, r.office)
        if key in seen:
            raise UserError(f"“{r.office}”的报告出现了两次:“{seen[key].name}”和“{r.path.name}”。"
                            "同一单位只能汇总一份,请去掉其中一个文件。")
        seen[key] = r.path


def version_mismatches(reports: list[OfficeReport]) -> list[tuple[str, str, str, str]]:
    """(单位, 文件代码, 本单位版本, 多数单位版本) for every office whose version differs from the majority."""
    per_doc: dict[str, Counter] = {}
    for r in reports:
        for code, ver in r.versions().items():
            per_doc.setdefault(code, Counter())[ver] += 1
    out = []
    for r in reports:
        mine = r.versions()
        for code, counts in per_doc.items():
            major = counts.most_common(1)[0][0]
            ver = mine.get(code, "(未安装)")
            if ver != major:
                out.append((r.office, code, ver, major))
    return out


def _rank_key(r: OfficeReport) -> tuple:
    return (-(r.rate if r.rate is not None else -1), r.overdue, r.office)


def write_rollup(reports: list[OfficeReport], out_path: Path, *, now: dt.datetime | None = None) -> RollupResult:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from fazhi_desk.reports.xlsx import BODY_FONT, BORDER, HEADER_ALIGN, HEADER_FILL, HEADER_FONT, put_text

    check_set(reports)
    now = now or dt.datetime.now()
    year = reports[0].year
    ranked = sorted(reports, key=_rank_key)
    wb = Workbook()

    def table(ws, headers: list[str], rows: list[list[Any]], widths: list[float], pct_cols: tuple[int, ...] = ()) -> None:  # noqa: ANN001
        for c, h in enumerate(headers, start=1):  # office names are headers: text from outside
            put_text(ws.cell(row=1, column=c), h)
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment, cell.border = HEADER_FONT, HEADER_FILL, HEADER_ALIGN, BORDER
        for n, row in enumerate(rows, start=2):
            for c, v in enumerate(row, start=1):
                cell = ws.cell(row=n, column=c)
                if isinstance(v, str):
                    put_text(cell, v)
                else:
                    cell.value = v
                cell.font = BODY_FONT
                cell.border = BORDER
                if c in pct_cols:
                    cell.number_format = "0.0%"
        ws.freeze_panes = "B2" if len(headers) > 6 else "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"

    ws = wb.active
    ws.title = "排名"
    table(ws, ["名次", "单位", "县", "年度", "应完成", "已完成", "未达标", "完成率", "逾期", "已完成无佐证",
               "目录版本", "程序版本", "生成时间", "来源文件"],
          [[n, r.office, r.county, r.year, r.applicable, r.done, r.below_target, r.rate, r.overdue,
            r.done_no_evidence, r.catalogue_versions, r.program_version, r.generated_at, r.path.name]
           for n, r in enumerate(ranked, start=1)],
          [6, 18, 10, 7, 8, 8, 8, 9, 7, 12, 22, 10, 18, 30], pct_cols=(8,))

    items: dict[str, tuple[str, str]] = {}
    for r in ranked:
        for k, v in r.items.items():
            items.setdefault(k, v)
    ws = wb.create_sheet("事项矩阵")
    offices = [r.office for r in ranked]
    rows = []
    for item_id in sorted(items):
        doc, req = items[item_id]
        sts = [r.statuses.get(item_id, "") for r in ranked]
        rows.append([item_id, doc, req, sum(1 for s in sts if s == "已完成"), *sts])
    table(ws, ["编号", "文件", "事项内容", "已完成单位数", *offices], rows, [16, 14, 40, 8, *([10] * len(offices))])
    ws.freeze_panes = "E2"

    ws = wb.create_sheet("统计汇总")
    codes: dict[str, tuple[str, str, str]] = {}
    for r in ranked:
        for code, (cat, name, unit, _v) in r.figures.items():
            codes.setdefault(code, (cat, name, unit))
    rows = []
    for code, (cat, name, unit) in codes.items():
        vals = [r.figures.get(code, ("", "", "", None))[3] for r in ranked]
        filled = [v for v in vals if v is not None]
        rows.append([code, cat, name, unit, sum(filled) if filled else None, len(filled), *vals])
    table(ws, ["编码", "类别", "指标", "计量单位", "合计", "填报单位数", *offices], rows,
          [18, 12, 30, 8, 9, 8, *([10] * len(offices))])
    ws.freeze_panes = "G2"

    ws = wb.create_sheet("目录版本")
    mism = version_mismatches(ranked)
    table(ws, ["单位", "文件代码", "本单位目录版本", "多数单位目录版本"],
          [list(m) for m in mism] or [["各单位检查目录版本一致", "", "", ""]], [20, 12, 16, 16])
    wb.properties.title = f"{year}年度各单位法治政府建设年度报告汇总"
    wb.properties.creator = "法治政府建设检查台"
    out_path = Path(out_path)
    with output_file(out_path) as tmp:
        wb.save(os.fspath(tmp))
    return RollupResult(out_path, len(ranked), year, len({m[0] for m in mism}))


def rollup(paths: Sequence[Path | str], out_path: Path | str,
           progress: Callable[[int, int, str], None] | None = None,
           check: Callable[[], None] | None = None) -> RollupResult:
    """Read, check and roll up ``paths`` into ``out_path`` (nothing is written when any input is refused)."""
    from fazhi_desk.reports.output import check_writable

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise UserError(f"汇总文件名“{out_path.name}”应以 .xlsx 结尾。")
    resolved = {Path(p).resolve() for p in paths}
    if out_path.resolve() in resolved:
        raise UserError(f"汇总文件“{out_path.name}”不能与某个单位的报告同名,请另选文件名。")
    check_writable(out_path)
    reports = []
    for n, p in enumerate(paths):
        if check:
            check()
        if progress:
            progress(n, len(paths), f"正在读取 {Path(p).name}……")
        reports.append(read_office_report(p))
    if progress:
        progress(len(paths), len(paths), "正在写入汇总表……")
    return write_rollup(reports, out_path)
