"""Subcommand ``rollup``: the county combines many offices' annual report workbooks into one summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rollup", help="汇总各单位报告:按检查清单重算的排名、事项矩阵、统计数据合计、改动和重复核对、目录版本核对")
    p.add_argument("reports", nargs="*", metavar="REPORT.xlsx", help="各单位导出的年度报告表格")
    p.add_argument("--store", action="append", default=[], metavar="URL",
                   help="直接读取某单位在 PostgreSQL 服务器上的数据(postgresql://用户:密码@服务器/数据库,每个单位一个;"
                        "可重复),与读取它导出的报告表格结果相同;需同时给出 --year")
    p.add_argument("--year", type=int, metavar="YEAR", help="与 --store 一起:汇总哪一年度")
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
    from fazhi_desk.reports.rollup import catalogue_versions_of

    if args.catalogue:
        versions, basis = catalogue_versions_of(args.catalogue), f"县发布的检查目录“{Path(args.catalogue).name}”"
    else:
        versions, basis = _installed_versions(ctx), "本机安装的检查目录"
        if not versions:
            basis = ""
    from fazhi_desk.errors import UserError

    if not args.reports and not args.store:
        raise UserError("请给出各单位的报告表格\uff08REPORT.xlsx\uff09\uff0c或用 --store 给出各单位服务器数据库的地址。")
    if args.store and args.year is None:
        raise UserError("用 --store 直接读取服务器上的数据时\uff0c请用 --year 指定年度。")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fazhi-rollup-") as tmp:
        paths = [Path(p) for p in args.reports] + [_export_store(url, args.year, Path(tmp), i)
                                                  for i, url in enumerate(args.store, 1)]
        return _write(args, paths, versions, basis)


def _export_store(url: str, year: int, tmp: Path, n: int) -> Path:
    """The year's return of the office whose store is at ``url``, written as its workbook (what it would send)."""
    from sqlalchemy.engine import make_url

    from fazhi_desk.cli.report import _ConsoleContext
    from fazhi_desk.services.location import check_server_url
    from fazhi_desk.services.report import export_report
    from fazhi_desk.store.db import Store

    check_server_url(url)
    u = make_url(url)
    print(f"正在读取 {u.host}/{u.database} ……", file=sys.stderr)
    store = Store(url, tmp / f"evidence-{n}").open()
    try:
        return export_report(_ConsoleContext(), store, year, tmp / f"{n:03d}-{u.database}.xlsx").path
    finally:
        store.close()


def _write(args: argparse.Namespace, paths: list[Path], versions, basis) -> int:  # noqa: ANN001
    from fazhi_desk.reports.rollup import rollup

    result = rollup(paths, Path(args.out),
                    progress=lambda _d, _t, text: print(text, file=sys.stderr) if text else None,
                    county_versions=versions or None, version_basis=basis)
    print(result.summary())
    for line in result.warnings:
        print(line)
    print(f"汇总表:{result.path}")
    return 0
