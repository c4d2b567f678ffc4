"""Subcommand ``rollup``: the county combines many offices' annual report workbooks into one summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rollup", help="汇总各单位报告:排名、事项矩阵、统计数据合计、目录版本核对")
    p.add_argument("reports", nargs="+", metavar="REPORT.xlsx", help="各单位导出的年度报告表格")
    p.add_argument("--out", required=True, metavar="汇总.xlsx", help="汇总表文件")
    p.set_defaults(handler=_rollup, needs_store=False)


def _rollup(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001 - cli.Context
    from fazhi_desk.reports.rollup import rollup

    result = rollup([Path(p) for p in args.reports], Path(args.out),
                    progress=lambda _d, _t, text: print(text, file=sys.stderr) if text else None)
    print(result.summary())
    print(f"汇总表:{result.path}")
    return 0
