"""Subcommand ``stats``: show or set the year's statistics (统计数据) headless."""

from __future__ import annotations

import argparse
import datetime as dt

from fazhi_desk.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help="查看或填写某年度的统计数据(如 MEDIATION=57)")
    p.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年)")
    p.add_argument("--correction", "--reason", dest="correction", help="更正原因:修改已报送年度的统计数据时必须填写")
    p.add_argument("values", nargs="*", metavar="编码=数值", help="要填写的指标,数值留空表示清除")
    p.set_defaults(handler=_stats)


def _stats(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001 - cli.Context
    import sys

    from fazhi_desk.services.statistics import findings, load_statistics, set_statistic

    store = ctx.store()
    for pair in args.values:
        code, sep, value = pair.partition("=")
        if not sep:
            raise UserError(f"“{pair}”应写成 编码=数值\uff0c例如 MEDIATION=57。")
        # a linked figure that would replace an item's 实际值 set by hand is refused here (ItemValueConflict):
        # the command line cannot ask, and the message says how to change the item itself
        set_statistic(store, args.year, code.strip().upper(), value.strip(), reason=args.correction)
    with store.session() as s:
        entries = load_statistics(s, args.year)
        found = findings(s, args.year)
    for e in entries:
        i = e.indicator
        v = "" if e.value is None else (str(int(e.value)) if float(e.value).is_integer() else f"{e.value:g}")
        link = f"\t(即 {i.linked_item} 的实际值)" if e.linked else ""
        print(f"{i.code}\t{i.label}\t{v}{i.unit if v else ''}{link}")
    for f in found:
        print(f"注意\uff1a{f.text}。", file=sys.stderr)
    return 0
