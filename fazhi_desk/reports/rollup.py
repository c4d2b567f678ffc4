"""The county's roll-up (汇总各单位报告): read many offices' annual report workbooks, write one summary workbook.

Each workbook is read with python-calamine (fast, and a second reader besides
the openpyxl we write with) and checked: it must be this program's format
(the 汇总数据 sheet with :data:`~fazhi_desk.reports.workbook_format.FORMAT_VERSION`),
all workbooks must be of the same year, and no office may come twice (the same
单位编码, or the same 县 and 单位). A refused set changes nothing: the output is
written only when every input is good (temp name, fsync, rename).

Nothing is taken on trust from the one 汇总数据 row: every office's figures are
recomputed from its 检查清单 with the completion rule's
:class:`~fazhi_desk.domain.completion.Tally`, the ranking is on what was
computed, and every figure the 汇总数据 row states differently is listed (file,
figure, stated, computed). The 校验码 (SHA-256 of the data sheets, written at
export) is recomputed from what was read: a workbook whose data were edited
after export is still read, and flagged. Statistics are summed from each
office's 统计数据 and checked against the declared relations (出庭 ≤ 应诉 …).

The result's sheets: 排名 (a title naming the 县 and year above the table; ranked within each 县 on
the recomputed 完成率, tied rates sharing a rank; the machine columns outside the print area), 排名简表
(the same on one printed page, for leaders), 事项矩阵 (item × office in the catalogues' order
(:func:`catalogue_order`), one character a 状态 (:data:`STATUS_CODES`, the legend above the table and in
the footer), coloured, office names top to bottom in narrow columns: 30 offices read on A3 landscape,
with 应完成单位数), 统计汇总 (each indicator summed, with every office's
figure), 不计入事项 (every 不适用 and 本年度未发生 with its reason, per office),
汇总数据核对 (stated ≠ computed, edited after export), 核对提示 (offices whose
names differ only by 人民政府/办事处/街道/镇, the same 导出编号 twice, figures that
do not fit), and 目录版本 (offices whose version of a binding document is not
the county's: the catalogue given with ``--catalogue``, the installed one, or
else the one most offices use; a document an office is not bound by is not
mentioned).
"""

from __future__ import annotations

import datetime as dt
import os
from copy import copy
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from fazhi_desk.domain.completion import Standing, Tally
from fazhi_desk.errors import UserError
from fazhi_desk.reports import workbook_format as F
from fazhi_desk.reports.output import output_file

# (column in 汇总数据, attribute of Tally / computed figure) compared between the stated row and the checklist
COMPARED = (("应完成", "applicable"), ("已完成", "done"), ("未达标", "below_target"), ("完成率", "rate"),
            ("逾期", "overdue"), ("已完成无佐证", "done_no_evidence"), ("进行中", "in_progress"),
            ("未开始", "not_started"), ("不适用", "not_applicable"), ("本年度未发生", "no_event"))
_NAME_NOISE = re.compile(r"人民政府|办事处|街道|镇|\s+")


@dataclass(frozen=True)
class Figures:
    """An office's counts, as its 汇总数据 row states them or as recomputed from its 检查清单."""

    applicable: int = 0
    done: int = 0
    below_target: int = 0
    rate: float | None = None
    overdue: int = 0
    done_no_evidence: int = 0
    in_progress: int = 0
    not_started: int = 0
    not_applicable: int = 0
    no_event: int = 0


@dataclass(frozen=True)
class OfficeReport:
    """What the roll-up takes from one office's workbook."""

    path: Path
    office: str
    county: str
    year: int
    stated: Figures  # the 汇总数据 row
    computed: Figures  # recomputed from 检查清单
    program_version: str
    catalogue_versions: str  # "SZ2015 1.1;ZS2022 1.1"
    generated_at: str
    statuses: dict[str, str]  # item id → 状态 (in the checklist's, i.e. the catalogue's, order)
    items: dict[str, tuple[str, str]]  # item id → (文件, 事项内容)
    figures: dict[str, tuple[str, str, str, float | None]]  # code → (类别, 指标, 单位, 数值)
    office_code: str = ""
    submit_date: str = ""
    contact: str = ""
    phone: str = ""
    export_id: str = ""
    checksum_ok: bool | None = None  # False: edited after export (or its 校验码 removed)
    excluded: tuple[tuple[str, str, str, str], ...] = ()  # (编号, 事项内容, 状态, 原因) of 不适用 / 本年度未发生
    findings: tuple[str, ...] = ()  # statistics that do not fit (出庭 > 应诉, 本年度未发生 with a count …)

    # the recomputed figures are the office's figures
    @property
    def applicable(self) -> int:
        return self.computed.applicable

    @property
    def done(self) -> int:
        return self.computed.done

    @property
    def rate(self) -> float | None:
        return self.computed.rate

    @property
    def overdue(self) -> int:
        return self.computed.overdue

    def disagreements(self) -> list[tuple[str, Any, Any]]:
        """(figure, stated, computed) for every figure of 汇总数据 that the checklist does not bear out."""
        out = []
        for label, attr in COMPARED:
            a, b = getattr(self.stated, attr), getattr(self.computed, attr)
            if attr == "rate":
                same = (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 5e-5)
            else:
                same = a == b
            if not same:
                out.append((label, a, b))
        return out

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
    mismatches: int  # offices on another catalogue version than the county's
    edited: tuple[str, ...] = ()  # files whose 校验码 does not match (edited after export)
    disagreeing: tuple[str, ...] = ()  # files whose 汇总数据 the checklist does not bear out
    warnings: tuple[str, ...] = ()  # one line each: disagreements, edits, similar names, the same 导出编号 …
    counties: tuple[str, ...] = ()
    version_basis: str = ""  # what the versions were compared against

    def summary(self) -> str:
        text = f"已汇总 {self.offices} 个单位 {self.year} 年度的报告"
        if len(self.counties) > 1:
            text += f"(分属 {len(self.counties)} 个县:{'、'.join(self.counties)},按县分别排名)"
        text += "。排名按各单位检查清单重新计算的完成率。"
        if self.edited:
            text += f"{len(self.edited)} 份报告导出后被改动过(校验码不符):{'、'.join(self.edited)}。"
        if self.disagreeing:
            text += (f"{len(self.disagreeing)} 份报告的\u201c汇总数据\u201d与其检查清单不符:{'、'.join(self.disagreeing)},"
                     "见\u201c汇总数据核对\u201d表。")
        if self.mismatches:
            text += f"{self.mismatches} 个单位的检查目录版本与{self.version_basis or '县里发布的版本'}不同,见\u201c目录版本\u201d表。"
        return text


def _sheet(wb, name: str, path: Path) -> list[list[Any]]:  # noqa: ANN001 - CalamineWorkbook
    if name not in wb.sheet_names:
        raise UserError(f"“{path.name}”缺少工作表“{name}”\uff0c不是本程序导出的年度报告\uff08或已被改动\uff09。"
                        "请让该单位用法治政府建设检查台重新导出。")
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _columns(rows: list[list[Any]], expected: Sequence[str], path: Path, sheet: str) -> dict[str, int]:
    head = [str(c).strip() for c in rows[0]] if rows else []
    missing = [c for c in expected if c not in head]
    if missing:
        raise UserError(f"“{path.name}”工作表“{sheet}”第 1 行缺少列\uff1a{'、'.join(missing)}。"
                        "该文件可能被改动过\uff0c请让该单位重新导出。")
    return {c: head.index(c) for c in expected}


def _int(v: Any, path: Path, sheet: str, col: str, row: int = 2) -> int:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        raise UserError(f"“{path.name}”工作表“{sheet}”第 {row} 行“{col}”列应为数字\uff0c实为“{v}”。"
                        "请让该单位重新导出。") from None


def _num(v: Any) -> float | None:
    if v in (None, ""):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return f"{v:%Y-%m-%d}" if v.time() == dt.time() else f"{v:%Y-%m-%d %H:%M:%S}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


_STANDINGS = {s.value: s for s in Standing}


def _recompute(checklist: list[list[Any]], path: Path) -> tuple[Figures, dict[str, str], dict[str, tuple[str, str]],
                                                               tuple[tuple[str, str, str, str], ...],
                                                               dict[str, float]]:
    cc = _columns(checklist, ("编号", "文件", "事项内容", "状态", "逾期", "佐证材料", "不计入原因", "实际值"), path,
                  F.SHEET_CHECKLIST)
    i_id, i_doc, i_req, i_st, i_od, i_ev, i_why, i_act = (
        cc[c] for c in ("编号", "文件", "事项内容", "状态", "逾期", "佐证材料", "不计入原因", "实际值"))
    actuals: dict[str, float] = {}
    t = Tally()
    no_ev = 0
    statuses: dict[str, str] = {}
    items: dict[str, tuple[str, str]] = {}
    excluded = []
    for n, row in enumerate(checklist[1:], start=2):
        item_id = _text(row[i_id])
        if not item_id:
            continue
        word = _text(row[i_st])
        standing = _STANDINGS.get(word)
        if standing is None:
            raise UserError(f"“{path.name}”工作表“{F.SHEET_CHECKLIST}”第 {n} 行的状态“{word}”不是本程序的状态"
                            f"\uff08{'、'.join(_STANDINGS)}\uff09。该文件被改动过\uff0c请让该单位重新导出。")
        t.add(standing, _text(row[i_od]) == F.YES)
        if standing is Standing.DONE and _text(row[i_ev]) == "无":
            no_ev += 1
        statuses[item_id] = word
        items[item_id] = (_text(row[i_doc]), _text(row[i_req]))
        actual = _num(row[i_act])
        if actual is not None:
            actuals[item_id] = actual
        if standing in (Standing.NOT_APPLICABLE, Standing.NO_EVENT):
            excluded.append((item_id, items[item_id][1], word, _text(row[i_why])))
    figures = Figures(t.applicable, t.done, t.below_target, t.rate, t.overdue, no_ev, t.in_progress, t.not_started,
                      t.not_applicable, t.no_event)
    return figures, statuses, items, tuple(excluded), actuals


def _stat_findings(figures: dict[str, tuple[str, str, str, float | None]], statuses: dict[str, str],
                   actuals: Mapping[str, float] = {}) -> list[str]:  # noqa: B006 - read only
    """Figures that do not fit: declared relations, 本年度未发生 items a figure says occurred, counts that are not
    whole, and a linked figure that is not its item's 实际值 in the checklist (they are one number when exported)."""
    from fazhi_desk.domain.statistics import DEFAULT_INDICATORS, check_figures, show

    values = {code: f[3] for code, f in figures.items()}
    quiet = [i for i, s in statuses.items() if s == Standing.NO_EVENT.value]
    out = [f.text for f in check_figures(DEFAULT_INDICATORS, values, quiet)]
    for ind in DEFAULT_INDICATORS:
        v, actual = values.get(ind.code), actuals.get(ind.linked_item)
        if ind.linked_item and v is not None and actual is not None and v != actual:
            out.append(f"{ind.label} {show(v)}{ind.unit} 与检查清单中事项 {ind.linked_item} 的实际值 "
                       f"{show(actual)}{ind.unit} 不一致(两者应是同一个数)")
    for code, (_cat, name, unit, v) in figures.items():
        ind = next((i for i in DEFAULT_INDICATORS if i.code == code), None)
        if ind is not None and v is not None and ind.whole and not float(v).is_integer():
            out.append(f"{ind.label} {v:g}{unit} 不是整数")
    return out


def read_office_report(path: Path | str) -> OfficeReport:
    """Read and check one office's workbook (see the module docstring)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件“{path}”。请检查文件名和所在文件夹。")
    from fazhi_desk.spreadsheets import check_workbook

    check_workbook(path, "年度报告")  # before calamine: a dimension bomb aborts the process, a DTD is refused
    try:
        wb = CalamineWorkbook.from_path(os.fspath(path))
    except FileNotFoundError:
        raise UserError(f"找不到文件“{path}”。请检查文件名和所在文件夹。") from None
    except Exception as e:  # calamine raises its own (English) error types for damaged or foreign files
        raise UserError(f"“{path.name}”无法作为 Excel 工作簿读取\uff08文件已损坏\uff0c或不是 .xlsx 工作簿\uff09。"
                        "请确认它是本程序导出的年度报告。") from e
    if F.SHEET_SUMMARY_DATA not in wb.sheet_names:
        if F.SHEET_CHECKLIST in wb.sheet_names and F.SHEET_SUMMARY in wb.sheet_names:
            raise UserError(f"“{path.name}”是旧版本法治政府建设检查台导出的报告\uff08没有“{F.SHEET_SUMMARY_DATA}”表\uff09\uff0c"
                            "格式不同\uff0c无法汇总。请让该单位安装新版本后重新导出年度报告。")
        raise UserError(f"“{path.name}”不是法治政府建设检查台导出的年度报告\uff08没有“{F.SHEET_SUMMARY_DATA}”表\uff09。")
    rows = _sheet(wb, F.SHEET_SUMMARY_DATA, path)
    head = [str(c).strip() for c in rows[0]] if rows else []
    if "格式版本" in head and len(rows) >= 2:
        fmt = _int(rows[1][head.index("格式版本")], path, F.SHEET_SUMMARY_DATA, "格式版本")
        if fmt > F.FORMAT_VERSION:
            raise UserError(f"“{path.name}”由更新版本的程序导出\uff08报表格式 {fmt}\uff09\uff0c本程序只认识格式 {F.FORMAT_VERSION}。"
                            "请安装最新版本后再汇总。")
        if fmt < F.FORMAT_VERSION:
            raise UserError(f"“{path.name}”是旧版本程序导出的报告\uff08报表格式 {fmt}\uff09\uff0c无法汇总。"
                            "请让该单位安装新版本后重新导出。")
    cols = _columns(rows, F.SUMMARY_DATA_COLUMNS, path, F.SHEET_SUMMARY_DATA)
    if len(rows) < 2:
        raise UserError(f"“{path.name}”的“{F.SHEET_SUMMARY_DATA}”表没有数据行。请让该单位重新导出。")
    r = rows[1]
    office = _text(r[cols["单位"]])
    if not office:
        raise UserError(f"“{path.name}”的“{F.SHEET_SUMMARY_DATA}”表没有填写单位名称。")

    def get(c: str) -> Any:
        return r[cols[c]]

    def count(c: str) -> int:
        return _int(get(c), path, F.SHEET_SUMMARY_DATA, c)

    stated = Figures(count("应完成"), count("已完成"), count("未达标"), _num(get("完成率")), count("逾期"),
                     count("已完成无佐证"), count("进行中"), count("未开始"), count("不适用"), count("本年度未发生"))
    checklist = _sheet(wb, F.SHEET_CHECKLIST, path)
    computed, statuses, items, excluded, actuals = _recompute(checklist, path)
    stats = _sheet(wb, F.SHEET_STATISTICS, path)
    sc = _columns(stats, ("编码", "类别", "指标", "计量单位", "数值"), path, F.SHEET_STATISTICS)
    figures = {}
    for row in stats[1:]:
        code = _text(row[sc["编码"]])
        if code:
            figures[code] = (_text(row[sc["类别"]]), _text(row[sc["指标"]]), _text(row[sc["计量单位"]]),
                             _num(row[sc["数值"]]))
    evidence = _sheet(wb, F.SHEET_EVIDENCE, path)
    stated_sum = _text(get("校验码")).lower()
    blank = cols["校验码"]
    summary = [rows[0], [("" if n == blank else v) for n, v in enumerate(r)]]
    computed_sum = F.checksum([(F.SHEET_SUMMARY_DATA, summary), (F.SHEET_CHECKLIST, checklist),
                               (F.SHEET_STATISTICS, stats), (F.SHEET_EVIDENCE, evidence)])
    return OfficeReport(
        path=path, office=office, county=_text(get("县")),
        year=_int(get("年度"), path, F.SHEET_SUMMARY_DATA, "年度"),
        stated=stated, computed=computed,
        program_version=_text(get("程序版本")), catalogue_versions=_text(get("目录版本")),
        generated_at=_text(get("生成时间")), statuses=statuses, items=items, figures=figures,
        office_code=_text(get("单位编码")).upper(), submit_date=_text(get("报送日期")), contact=_text(get("联系人")),
        phone=_text(get("联系电话")), export_id=_text(get("导出编号")),
        checksum_ok=bool(stated_sum) and stated_sum == computed_sum,
        excluded=excluded, findings=tuple(_stat_findings(figures, statuses, actuals)),
    )


def check_set(reports: list[OfficeReport]) -> None:
    """One year, each office once (by 单位编码, and by 县 and 单位); raises UserError naming the files otherwise."""
    if not reports:
        raise UserError("请至少选择一个单位的年度报告。")
    years = Counter(r.year for r in reports)
    if len(years) > 1:
        (main_year, n1), (other, n2) = years.most_common(2)
        if n1 == n2:
            listing = "、".join(f"{y} 年 {n} 份" for y, n in sorted(years.items()))
            raise UserError(f"所选报告的年度不一致\uff08{listing}\uff09\uff0c无法判断要汇总哪一年。请只选择同一年度的报告。")
        odd = [f"{r.path.name}({r.year}年)" for r in reports if r.year != main_year]
        raise UserError(f"所选报告的年度不一致\uff1a多数为 {main_year} 年\uff0c以下文件不是\uff1a{'、'.join(odd)}。"
                        "请只选择同一年度的报告。")
    by_code: dict[str, OfficeReport] = {}
    for r in reports:
        if not r.office_code:
            continue
        first = by_code.get(r.office_code)
        if first is not None:
            raise UserError(f"单位编码 {r.office_code} 出现了两次\uff1a“{first.path.name}”\uff08{first.office}\uff09和"
                            f"“{r.path.name}”\uff08{r.office}\uff09。同一单位只能汇总一份\uff08改名后重新报送的也是同一单位\uff09\uff0c"
                            "请去掉其中一个文件。")
        by_code[r.office_code] = r
    seen: dict[tuple[str, str], Path] = {}
    for r in reports:
        key = (r.county, r.office)
        if key in seen:
            raise UserError(f"“{r.office}”的报告出现了两次\uff1a“{seen[key].name}”和“{r.path.name}”。"
                            "同一单位只能汇总一份\uff0c请去掉其中一个文件。")
        seen[key] = r.path


def name_stem(office: str) -> str:
    """The office name without 人民政府/办事处/街道/镇: "乾佑街道办事处" and "乾佑镇人民政府" → "乾佑"."""
    return _NAME_NOISE.sub("", office)


def set_warnings(reports: list[OfficeReport]) -> list[tuple[str, str, str, str]]:
    """(类别, 单位, 文件, 说明) for what the set allows but a reviewer should look at."""
    out = []
    stems: dict[tuple[str, str], list[OfficeReport]] = {}
    for r in reports:
        stems.setdefault((r.county, name_stem(r.office)), []).append(r)
    for (_county, _stem), group in stems.items():
        if len(group) > 1:
            names = "、".join(f"“{g.office}”({g.path.name})" for g in group)
            for g in group:
                out.append(("名称相近", g.office, g.path.name,
                            f"{names} 的名称只差“人民政府/办事处/街道/镇”,可能是同一单位报送了两次,请核对单位编码。"))
    ids: dict[str, list[OfficeReport]] = {}
    for r in reports:
        if r.export_id:
            ids.setdefault(r.export_id, []).append(r)
    for eid, group in ids.items():
        if len(group) > 1:
            names = "、".join(f"“{g.path.name}”({g.office})" for g in group)
            for g in group:
                out.append(("导出编号相同", g.office, g.path.name,
                            f"{names} 的导出编号都是 {eid},是同一次导出的副本,请核对是否为同一单位。"))
    for r in reports:
        for text in r.findings:
            out.append(("统计数据", r.office, r.path.name, text))
    return out


def version_mismatches(reports: list[OfficeReport],
                       county_versions: Mapping[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """(单位, 文件代码, 本单位版本, 县发布版本) for every binding document whose version is not the county's.

    Without ``county_versions`` the version most offices bound by the document use stands in for it. A
    document an office is not bound by (not in its 目录版本) is not mentioned.
    """
    expected: dict[str, str] = dict(county_versions or {})
    if not county_versions:
        per_doc: dict[str, Counter] = {}
        for r in reports:
            for code, ver in r.versions().items():
                per_doc.setdefault(code, Counter())[ver] += 1
        expected = {code: c.most_common(1)[0][0] for code, c in per_doc.items()}
    out = []
    for r in reports:
        for code, ver in r.versions().items():
            want = expected.get(code)
            if want is not None and ver != want:
                out.append((r.office, code, ver, want))
    return out


def rank(reports: list[OfficeReport]) -> list[tuple[int, bool, OfficeReport]]:
    """(名次, 并列, report) within each 县 (counties in name order): by recomputed 完成率, tied rates share a rank;
    within a tie, fewer 逾期 first."""
    out: list[tuple[int, bool, OfficeReport]] = []
    by_county: dict[str, list[OfficeReport]] = {}
    for r in reports:
        by_county.setdefault(r.county, []).append(r)

    def rate_key(r: OfficeReport) -> float:
        return round(r.rate, 9) if r.rate is not None else -1.0

    for county in sorted(by_county):
        group = sorted(by_county[county], key=lambda r: (-rate_key(r), r.overdue, r.office))
        counts = Counter(rate_key(r) for r in group)
        place = 0
        prev = None
        for n, r in enumerate(group, start=1):
            if rate_key(r) != prev:
                place, prev = n, rate_key(r)
            out.append((place, counts[rate_key(r)] > 1, r))
    return out


def catalogue_order(lists: Sequence[Sequence[str]]) -> list[str]:
    """Every item id of ``lists`` (each office's checklist, in its catalogue's order) in one catalogue order:
    an item first met in a later list goes right after the item before it in that list (not at the end, and
    never by its text), so offices bound by different documents still list each document's items in order."""
    order: list[str] = []
    placed: set[str] = set()
    for ids in lists:
        prev: str | None = None
        for i in ids:
            if i not in placed:
                at = order.index(prev) + 1 if prev is not None else 0
                if prev is None and order:  # before the first item this list shares with the others
                    nxt = next((x for x in ids if x in placed), None)
                    at = order.index(nxt) if nxt is not None else len(order)
                order.insert(at, i)
                placed.add(i)
            prev = i
    return order


# 事项矩阵: one character a status (the colours say the rest; the legend is on every printed page)
STATUS_CODES = {Standing.DONE.value: "完", Standing.BELOW_TARGET.value: "欠", Standing.IN_PROGRESS.value: "进",
                Standing.NOT_STARTED.value: "未", Standing.NOT_APPLICABLE.value: "免", Standing.NO_EVENT.value: "无",
                Standing.NOT_DUE.value: "不", Standing.RETIRED.value: "退"}
STATUS_LEGEND = "  ".join(f"{c}={w}" for w, c in STATUS_CODES.items()) + "  空白=该单位不适用此文件"


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    return "—" if v is None else v


def write_rollup(reports: list[OfficeReport], out_path: Path, *, now: dt.datetime | None = None,
                 county_versions: Mapping[str, str] | None = None, version_basis: str = "") -> RollupResult:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from fazhi_desk.reports.xlsx import (BODY_FONT, BORDER, HEADER_ALIGN, HEADER_FILL, HEADER_FONT, MAX_ROW_HEIGHT_PT,
                                         TITLE_FONT, header_width, put_text, row_height, wrapped_lines)

    check_set(reports)
    now = now or dt.datetime.now()
    year = reports[0].year
    ranked = rank(reports)
    order = [r for _p, _t, r in ranked]
    counties = tuple(sorted({r.county for r in reports}))
    title_county = "、".join(c for c in counties if c) or ""
    wb = Workbook()

    def style_of(ws, **attrs: Any):  # noqa: ANN001, ANN202
        """The style record of a cell with ``attrs`` (font, border, fill, number_format): assigned to each
        cell by copying, since openpyxl hashes every style object on each assignment (4 s for 10 offices)."""
        probe = ws.cell(row=1_048_576, column=16_384)
        for k, v in attrs.items():
            setattr(probe, k, v)
        st = copy(probe._style)
        del ws._cells[(1_048_576, 16_384)]
        return st

    def table(ws, headers: list[str], rows: list[list[Any]], widths: list[float], pct_cols: tuple[int, ...] = (),  # noqa: ANN001
              printed: int | None = None, title: str = "", vertical_from: int | None = None,
              wrap_cols: tuple[int, ...] = (), top: int = 1) -> None:
        """A table with its header in row ``top``: every header fits its column on one line (the columns from
        ``vertical_from`` on, office names, are written top to bottom), text wraps in ``wrap_cols``, and every
        row is as tall as its wrapped text."""
        head_row = top
        vertical = Alignment(textRotation=255, horizontal="center", vertical="top", wrap_text=False)
        longest = 0
        for c, h in enumerate(headers, start=1):  # office names are headers: text from outside
            cell = ws.cell(row=head_row, column=c)
            put_text(cell, h)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
            if vertical_from is not None and c >= vertical_from:
                cell.alignment = vertical
                longest = max(longest, len(h))
            else:
                cell.alignment = HEADER_ALIGN
        widths = [w if vertical_from is not None and c >= vertical_from else max(w, header_width(h))
                  for c, (h, w) in enumerate(zip(headers, widths), start=1)]
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w
        ws.row_dimensions[head_row].height = max(30.0, min(MAX_ROW_HEIGHT_PT, 12.0 * longest + 8))
        wrap = Alignment(wrap_text=True, vertical="top")  # text to the left, numbers to the right
        body = style_of(ws, font=BODY_FONT, border=BORDER, alignment=wrap)
        pct = style_of(ws, font=BODY_FONT, border=BORDER, number_format="0.0%", alignment=wrap)
        for n, row in enumerate(rows, start=head_row + 1):
            lines = 1
            for c in wrap_cols:
                v = row[c - 1]
                if v.__class__ is str and v:
                    lines = max(lines, wrapped_lines(v, widths[c - 1]))
            ws.row_dimensions[n].height = row_height(lines)
            for c, v in enumerate(row, start=1):
                cell = ws.cell(row=n, column=c)
                if v.__class__ is str:
                    if v:
                        put_text(cell, v)  # may set quotePrefix: its style is kept below
                        quoted = cell.quotePrefix
                        cell._style = copy(pct if c in pct_cols else body)
                        if quoted:
                            cell.quotePrefix = True
                        continue
                else:
                    cell.value = v
                cell._style = copy(pct if c in pct_cols else body)
        ws.freeze_panes = f"B{head_row + 1}" if len(headers) > 6 else f"A{head_row + 1}"
        last = max(head_row, len(rows) + head_row)
        ws.auto_filter.ref = f"A{head_row}:{get_column_letter(len(headers))}{last}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{head_row}:{head_row}"
        ws.print_area = f"A1:{get_column_letter(printed or len(headers))}{last}"
        ws.oddHeader.center.text = (f"{title_county}{year}年度法治政府建设年度报告汇总 · {title or ws.title}"
                                    .replace("&", "&&"))
        ws.oddHeader.center.size = 12
        ws.oddHeader.center.font = "宋体,Bold"
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"

    def title_row(ws, text: str, ncols: int, row: int = 1, *, font: Any = None, height: float = 30) -> None:  # noqa: ANN001
        """A line above the table, across all its columns (the county is text from outside)."""
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        put_text(ws.cell(row=row, column=1), text)
        ws.cell(row=row, column=1).font = font or TITLE_FONT
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = height

    heading = f"{title_county}{year}年度法治政府建设完成情况排名"

    def flags(r: OfficeReport) -> str:
        out = []
        if r.checksum_ok is False:
            out.append("导出后被改动")
        if r.disagreements():
            out.append("汇总数据与清单不符")
        return ";".join(out)

    ws = wb.active
    ws.title = "排名"
    head = ["县", "名次", "并列", "单位", "应完成", "已完成", "未达标", "完成率", "逾期", "已完成无佐证", "进行中", "未开始",
            "不适用", "本年度未发生", "报送日期", "联系人", "联系电话", "核对",
            "单位编码", "年度", "导出编号", "目录版本", "程序版本", "生成时间", "来源文件"]
    rows = []
    for place, tied, r in ranked:
        c = r.computed
        rows.append([r.county, place, "并列" if tied else "", r.office, c.applicable, c.done, c.below_target, c.rate,
                     c.overdue, c.done_no_evidence, c.in_progress, c.not_started, c.not_applicable, c.no_event,
                     r.submit_date, r.contact, r.phone, flags(r),
                     r.office_code, r.year, r.export_id, r.catalogue_versions, r.program_version, r.generated_at,
                     r.path.name])
    printed = head.index("核对") + 1
    title_row(ws, f"{heading}(按各单位检查清单重新计算)", printed)
    table(ws, head, rows, [10, 6, 6, 18, 7, 7, 7, 8, 6, 8, 7, 7, 7, 8, 11, 8, 13, 18, 20, 6, 20, 22, 10, 18, 30],
          pct_cols=(8,), printed=printed, title="完成情况排名(按检查清单重新计算)", wrap_cols=(1, 4, 16, 18), top=2)

    ws = wb.create_sheet("排名简表")  # for leaders: one printed page
    brief = ["县", "名次", "单位", "应完成", "已完成", "完成率", "逾期"]
    title_row(ws, heading, len(brief), height=40)
    table(ws, brief,
          [[r.county, f"{place}(并列)" if tied else str(place), r.office, r.applicable, r.done, r.rate, r.overdue]
           for place, tied, r in ranked], [10, 9, 22, 8, 8, 9, 6], pct_cols=(6,), title="完成情况排名",
          wrap_cols=(1, 3), top=2)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToHeight = 1

    items: dict[str, tuple[str, str]] = {}
    for r in order:
        for k, v in r.items.items():
            items.setdefault(k, v)
    # catalogue order: each checklist lists its items in its catalogue's order; merged, not sorted by text
    ordered = catalogue_order([list(r.items) for r in order])
    ws = wb.create_sheet("事项矩阵")
    offices = [r.office for r in order]
    counted = {s.value for s in Standing if s.counted}
    rows = []
    for item_id in ordered:
        doc, req = items[item_id]
        sts = [r.statuses.get(item_id, "") for r in order]
        rows.append([item_id, doc, req, sum(1 for s in sts if s in counted), sum(1 for s in sts if s == "已完成"),
                     *(STATUS_CODES.get(s, s) for s in sts)])
    matrix_head = ["编号", "文件", "事项内容", "应完成单位数", "已完成单位数", *offices]
    title_row(ws, f"{title_county}{year}年度各单位检查事项完成情况", len(matrix_head))
    title_row(ws, f"图例：{STATUS_LEGEND}", len(matrix_head), row=2, font=Font(name=BODY_FONT.name, size=10),
              height=18)
    ws.cell(row=2, column=1).alignment = Alignment(horizontal="left", vertical="center")
    # readable on A3 landscape at 30 offices: one character a status, office names written top to bottom
    table(ws, matrix_head, rows, [14, 17, 38, 5, 5, *([4] * len(offices))], vertical_from=4, wrap_cols=(2, 3),
          top=3)
    ws.freeze_panes = "F4"
    ws.print_title_rows = "2:3"
    ws.oddFooter.left.text = STATUS_LEGEND
    ws.oddFooter.left.size = 8
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    centre = Alignment(horizontal="center", vertical="top")
    fills = {STATUS_CODES[s.value]: style_of(ws, font=BODY_FONT, border=BORDER, alignment=centre,
                                             fill=PatternFill("solid", fgColor=c))
             for s, c in ((Standing.DONE, "C6EFCE"), (Standing.BELOW_TARGET, "F8CBAD"),
                          (Standing.IN_PROGRESS, "FFEB9C"), (Standing.NOT_STARTED, "FFC7CE"),
                          (Standing.NOT_APPLICABLE, "D9D9D9"), (Standing.NO_EVENT, "DDEBF7"),
                          (Standing.NOT_DUE, "EDEDED"), (Standing.RETIRED, "D9D9D9"))}
    for row in ws.iter_rows(min_row=4, min_col=4):
        for cell in row:
            st = fills.get(cell.value)
            if st is not None:
                cell._style = copy(st)

    ws = wb.create_sheet("统计汇总")
    codes: dict[str, tuple[str, str, str]] = {}
    for r in order:
        for code, (cat, name, unit, _v) in r.figures.items():
            codes.setdefault(code, (cat, name, unit))
    rows = []
    for code, (cat, name, unit) in codes.items():
        vals = [r.figures.get(code, ("", "", "", None))[3] for r in order]
        filled = [v for v in vals if v is not None]
        rows.append([code, cat, name, unit, sum(filled) if filled else None, len(filled), *vals])
    table(ws, ["编码", "类别", "指标", "计量单位", "合计", "填报单位数", *offices], rows,
          [18, 12, 30, 8, 9, 8, *([5] * len(offices))], vertical_from=7, wrap_cols=(1, 2, 3))
    ws.freeze_panes = "G2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3  # a column an office, like the matrix

    ws = wb.create_sheet("不计入事项")
    rows = [[r.county, r.office, item_id, req, status, why or "(未填写)"]
            for r in order for item_id, req, status, why in r.excluded]
    table(ws, ["县", "单位", "编号", "事项内容", "状态", "原因"],
          rows or [["", "各单位均没有标为不适用或本年度未发生的事项", "", "", "", ""]], [10, 18, 16, 40, 12, 50],
          wrap_cols=(2, 4, 6))

    ws = wb.create_sheet("汇总数据核对")
    rows = []
    for r in order:
        if r.checksum_ok is False:
            rows.append([r.office, r.path.name, "校验码", "(导出时的数据)", "(现在的数据)",
                         "导出后被改动过:数据表与导出时的校验码不符;排名按现在的检查清单计算,请向该单位核实"])
        for label, stated, computed in r.disagreements():
            rows.append([r.office, r.path.name, label, _fmt(stated), _fmt(computed), "汇总数据与检查清单不符;排名按检查清单"])
    table(ws, ["单位", "文件", "项目", "汇总数据填报值", "按检查清单重算值", "说明"],
          rows or [["各单位的汇总数据均与其检查清单一致,且导出后未被改动", "", "", "", "", ""]],
          [18, 30, 12, 14, 14, 50], wrap_cols=(1, 2, 6))

    warnings = set_warnings(order)
    ws = wb.create_sheet("核对提示")
    table(ws, ["类别", "单位", "文件", "说明"], [list(w) for w in warnings] or [["无", "", "", ""]], [12, 18, 30, 80],
          wrap_cols=(2, 3, 4))

    ws = wb.create_sheet("目录版本")
    mism = version_mismatches(order, county_versions)
    basis = version_basis or ("县里发布的检查目录" if county_versions else "多数单位使用的版本")
    table(ws, ["单位", "文件代码", "本单位目录版本", "县发布版本" if county_versions else "多数单位目录版本"],
          [list(m) for m in mism] or [[f"各单位适用文件的检查目录版本与{basis}一致", "", "", ""]], [20, 12, 16, 16],
          wrap_cols=(1,))
    wb.properties.title = f"{year}年度各单位法治政府建设年度报告汇总"
    wb.properties.creator = "法治政府建设检查台"
    out_path = Path(out_path)
    with output_file(out_path) as tmp:
        wb.save(os.fspath(tmp))
    lines = []
    for r in order:
        if r.checksum_ok is False:
            lines.append(f"[导出后被改动] {r.path.name}({r.office}):数据表与校验码不符")
        for label, stated, computed in r.disagreements():
            lines.append(f"[汇总数据不符] {r.path.name}({r.office}):{label} 填报 {_fmt(stated)},按检查清单为 {_fmt(computed)}")
    lines += [f"[{w[0]}] {w[2]}({w[1]}):{w[3]}" for w in warnings]
    lines += [f"[目录版本] {m[0]}:{m[1]} 为 {m[2] or '(空)'},应为 {m[3]}" for m in mism]
    return RollupResult(out_path, len(order), year, len({m[0] for m in mism}),
                        edited=tuple(r.path.name for r in order if r.checksum_ok is False),
                        disagreeing=tuple(r.path.name for r in order if r.disagreements()),
                        warnings=tuple(lines), counties=counties, version_basis=basis)


def catalogue_versions_of(path: Path | str) -> dict[str, str]:
    """文件代码 → 版本 of the catalogue file the county issued (``rollup --catalogue``)."""
    from fazhi_desk.catalogue.reader import read_catalogue_file

    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到检查目录文件“{path}”。请检查文件名和所在文件夹。")
    return {c.document.code: c.document.version for c in read_catalogue_file(path)}


def rollup(paths: Sequence[Path | str], out_path: Path | str,
           progress: Callable[[int, int, str], None] | None = None,
           check: Callable[[], None] | None = None, *,
           county_versions: Mapping[str, str] | None = None, version_basis: str = "") -> RollupResult:
    """Read, check and roll up ``paths`` into ``out_path`` (nothing is written when any input is refused).

    ``county_versions``: 文件代码 → the catalogue version the county issued (else the majority's stands in).
    """
    from fazhi_desk.reports.output import check_writable

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise UserError(f"汇总文件名“{out_path.name}”应以 .xlsx 结尾。")
    resolved = {Path(p).resolve() for p in paths}
    if out_path.resolve() in resolved:
        raise UserError(f"汇总文件“{out_path.name}”不能与某个单位的报告同名\uff0c请另选文件名。")
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
    return write_rollup(reports, out_path, county_versions=county_versions, version_basis=version_basis)
