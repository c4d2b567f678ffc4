"""Subcommand ``report``: write the annual report workbook (and optionally the 佐证材料 zip) headless."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from fazhi_desk.jobs import JobContext


class _ConsoleContext(JobContext):
    """Progress on stderr, one line per stage (no Qt)."""

    def __init__(self) -> None:
        super().__init__()
        self._last = ""

    def progress(self, done: int, total: int, text: str = "") -> None:
        stage = text.split(" ")[0]
        if stage and stage != self._last:
            self._last = stage
            print(text, file=sys.stderr)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="导出年度报告:表格(Excel)、文字报告(Word)和佐证材料包(zip)")
    p.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年)")
    p.add_argument("--out", metavar="FILE.xlsx", help="报告表格文件")
    p.add_argument("--docx", metavar="FILE.docx", help="文字报告(法治政府建设情况报告,Word 公文格式)")
    p.add_argument("--evidence-zip", metavar="FILE.zip", help="同时导出佐证材料包(需同时给出 --out)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="报送日期(成文日期):文字报告和报告表格使用同一日期")
    p.add_argument("--allow-placeholders", action="store_true",
                   help="文字报告中仍有【请填写…】、单位负责人为空或数字已过时的段落时也导出")
    p.add_argument("--submitted", action="store_true",
                   help="标记为已报送:冻结该年度的数字(以本次导出编号为准);此后修改须填写更正原因,再导出更正版")
    p.set_defaults(handler=_report)


def _report(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001 - cli.Context
    from fazhi_desk.errors import UserError
    from fazhi_desk.jobs import Cancelled
    from fazhi_desk.services.report import export_report

    if not args.out and not args.docx:
        raise UserError("请给出 --out 报告表格.xlsx 或 --docx 文字报告.docx\uff08或两者\uff09。")
    if args.submitted and not args.out:
        raise UserError("标记为已报送以报告表格的导出编号为准\uff1a请同时给出 --out 报告表格.xlsx。")
    if args.evidence_zip and not args.out:
        raise UserError("佐证材料包与报告表格一起导出\uff1a请同时给出 --out 报告表格.xlsx。")
    if args.date:
        from fazhi_desk.services.annual_text import set_submit_date

        try:
            when = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise UserError(f"报送日期“{args.date}”无法识别\uff0c请按 YYYY-MM-DD 填写\uff0c例如 2026-01-10。") from None
        set_submit_date(ctx.store(), args.year, when)
    if args.docx:
        from fazhi_desk.services.annual_text import export_docx

        try:
            path = export_docx(_ConsoleContext(), ctx.store(), args.year, Path(args.docx),
                               allow_unfinished=args.allow_placeholders)
        except (Cancelled, KeyboardInterrupt):
            print("已取消,没有写入任何文件。", file=sys.stderr)
            return 130
        print(f"文字报告:{path}")
        if args.allow_placeholders:
            from fazhi_desk.services.annual_text import report_problems

            for pr in report_problems(ctx.store(), args.year):
                print(f"  [待完善] {pr.text}", file=sys.stderr)
        if not args.out:
            return 0
    try:
        result = export_report(_ConsoleContext(), ctx.store(), args.year, Path(args.out),
                               Path(args.evidence_zip) if args.evidence_zip else None)
    except (Cancelled, KeyboardInterrupt):
        print("已取消,没有写入任何文件。", file=sys.stderr)
        return 130
    print(result.summary())
    if not args.docx:
        from fazhi_desk.services.profile import get_profile

        if not get_profile(ctx.store()).leader.strip():
            print("注意:单位信息中的“单位负责人”为空,报告表格的签字栏将空着"
                  "(profile set --leader 姓名,或“设置 → 单位信息”)。", file=sys.stderr)
    print(f"报告:{result.path}")
    if result.corrects:
        print(f"更正版:导出编号 {result.export_id},更正导出编号 {result.corrects} 的报告。")
    if args.submitted:
        from fazhi_desk.services.submission import mark_submitted

        st = mark_submitted(ctx.store(), args.year, result.export_id)
        print(f"已标记为已报送:{st.text}。此后修改该年度须填写更正原因(--correction),再导出更正版报送。")
    if result.zip_path is not None:
        print(f"佐证材料包:{result.zip_path}")
    for label, names in (("缺失", result.missing), ("已变更", result.altered)):
        for n in names:
            print(f"  [{label}] {n}", file=sys.stderr)
    return 0
