"""Subcommand ``rollup``: the county combines many offices' annual report workbooks into one summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rollup", help="汇总各单位报告:按检查清单重算的排名、事项矩阵、统计数据合计、改动和重复核对、目录版本核对")
    p.add_argument("reports", nargs="+", metavar="REPORT.xlsx", help="各单位导出的年度报告表格")
    p.add_argument("--out", required=True, metavar="汇总.xlsx", help="汇总表文件")
    p.add_argument("--catalogue", metavar="目录.xlsx",
                   help="县里发布的检查目录(.xlsx 模板或 .json),各单位的目录版本与它比较;"
                        "不给时用本机已安装的目录,本机没有时与多数单位比较")
    p.set_defaults(handler=_rollup, needs_store=False)


def _installed_versions(ctx) -> dict[str, str]:  # noqa: ANN001 - cli.Context
    """The installed catalogues' versions, when this machine has a workspace (none is created for a roll-up)."""
    if not ctx.data.db.exists():
        return {}
    from fazhi_desk.services.catalogue import installed_documents

    with ctx.store().session() as s:
        return {d.code: d.version for d in installed_documents(s)}


def _rollup(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001 - cli.Context
    from fazhi_desk.reports.rollup import catalogue_versions_of, rollup

    if args.catalogue:
        versions, basis = catalogue_versions_of(args.catalogue), f"县发布的检查目录“{Path(args.catalogue).name}”"
    else:
        versions, basis = _installed_versions(ctx), "本机安装的检查目录"
        if not versions:
            basis = ""
    result = rollup([Path(p) for p in args.reports], Path(args.out),
                    progress=lambda _d, _t, text: print(text, file=sys.stderr) if text else None,
                    county_versions=versions or None, version_basis=basis)
    print(result.summary())
    for line in result.warnings:
        print(line)
    print(f"汇总表:{result.path}")
    return 0
