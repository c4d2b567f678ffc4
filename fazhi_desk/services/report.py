"""Exporting the annual report (and optionally the 佐证材料 package): what the CLI and the report dialog call.

:func:`export_report` reads the store in one session, builds the evidence
package first when asked (so the report can say which files were missing or
altered), then writes the workbook. Both files are written to temp names and
moved into place only when complete; a failure or a cancel leaves neither
under its final name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.annual import ReportData, RowState, gather_report, write_report
from fazhi_desk.reports.output import atomic_output, check_writable
from fazhi_desk.store.db import Store

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class ReportResult:
    """What was written, with the counts the user is told."""

    path: Path
    year: int
    items: int  # items listed (apply to a township office)
    applicable: int  # counted towards the completion rate
    done: int
    in_progress: int
    not_started: int
    overdue: int
    not_applicable: int
    not_due: int
    evidence_files: int
    zip_path: Path | None = None
    packed_files: int = 0
    missing: tuple[str, ...] = ()  # "编号 文件名" of evidence files missing from the store
    altered: tuple[str, ...] = ()  # … whose content no longer matches its SHA-256

    @property
    def rate(self) -> float | None:
        return self.done / self.applicable if self.applicable else None

    def summary(self) -> str:
        """One or two Chinese sentences for a message box or the console."""
        rate = "—" if self.rate is None else f"{self.rate:.1%}"
        text = (f"{self.year}年度报告已保存:应完成 {self.applicable} 项,已完成 {self.done} 项(完成率 {rate}),"
                f"逾期 {self.overdue} 项;佐证材料 {self.evidence_files} 个。")
        if self.zip_path is not None:
            text += f"佐证材料包已保存,共 {self.packed_files} 个文件。"
        if self.missing or self.altered:
            text += (f"注意:{len(self.missing)} 个佐证材料缺失、{len(self.altered)} 个已变更,未打包,"
                     "已在报告“佐证材料”表中标出。")
        return text


def default_file_name(office_name: str, year: int) -> str:
    """``<office>_<year>年法治政府建设年度报告.xlsx`` with characters Windows refuses replaced."""
    office = _UNSAFE.sub("_", office_name.strip()) or "本单位"
    return f"{office}_{year}年法治政府建设年度报告.xlsx"


def load_report_data(store: Store, year: int, today: dt.date | None = None, ctx: JobContext | None = None) -> ReportData:
    """The year's report data (plain dataclasses), with the office profile."""
    from fazhi_desk.services.profile import get_profile

    if not 1990 <= year <= 2100:
        raise UserError(f"年度“{year}”无效,请输入 1990–2100 之间的年份。")
    prof = get_profile(store)
    if not prof.is_set:
        raise UserError(
            "尚未设置单位信息(乡镇/街道名称),报告无法注明报送单位。"
            "请先在“设置 → 单位信息”中填写(命令行:fazhi-desk profile set --office 名称 --county 县)。"
        )
    with store.session() as s:
        return gather_report(s, year, office_name=prof.office_name, county=prof.county, today=today,
                             evidence_dir=store.data.evidence, ctx=ctx)


def export_report(
    ctx: JobContext,
    store: Store,
    year: int,
    out_path: Path | str,
    evidence_zip: Path | str | None = None,
    today: dt.date | None = None,
) -> ReportResult:
    """Write the annual report of ``year`` to ``out_path`` (and the evidence package to ``evidence_zip``)."""
    from fazhi_desk.reports.evidence_package import write_package

    out_path = Path(out_path)
    if out_path.suffix.lower() != ".xlsx":
        raise UserError(f"报告文件名“{out_path.name}”应以 .xlsx 结尾。")
    check_writable(out_path)
    zip_path = Path(evidence_zip) if evidence_zip else None
    if zip_path is not None:
        if zip_path.suffix.lower() != ".zip":
            raise UserError(f"佐证材料包文件名“{zip_path.name}”应以 .zip 结尾。")
        if zip_path.resolve() == out_path.resolve():
            raise UserError("佐证材料包不能与报告使用同一个文件名。")
        check_writable(zip_path)
    ctx.progress(0, 0, "正在读取检查清单……")
    data = load_report_data(store, year, today, ctx)
    package = None
    if zip_path is None:
        write_report(ctx, data, out_path)
    else:
        # The package goes to a temp name until the workbook is written too: a failure leaves neither.
        with atomic_output(zip_path) as zip_tmp:
            package = write_package(ctx, data, store.data.evidence, zip_tmp)
            data = package.apply_to(data)
            ctx.check()
            write_report(ctx, data, out_path)
    t = data.total()
    return ReportResult(
        path=out_path, year=year, items=t.items, applicable=t.applicable, done=t.done,
        in_progress=t.in_progress, not_started=t.not_started, overdue=t.overdue,
        not_applicable=t.not_applicable, not_due=t.not_due, evidence_files=len(data.evidence),
        zip_path=zip_path, packed_files=len(package.packed) if package else 0,
        missing=tuple(f"{e.item_id} {e.original_name}" for e in (package.missing if package else ())),
        altered=tuple(f"{e.item_id} {e.original_name}" for e in (package.altered if package else ())),
    )


__all__ = ["ReportResult", "default_file_name", "export_report", "load_report_data", "RowState"]
