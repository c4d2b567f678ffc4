"""Subcommands for the activity log (活动台账): ``activity add|list|remove``.

``list`` prints one line per session beginning with its number (what ``remove N``
takes), then its date and name; the last line is the derived 实际值.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from fazhi_desk.cli import printable
from fazhi_desk.cli.checklist import resolve


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("activity", help="活动记录(台账):逐次登记集中学法、培训、讲座等活动,实际值自动统计")
    asub = p.add_subparsers(dest="activity_cmd", metavar="操作")
    year = dt.date.today().year

    a = asub.add_parser("add", help="登记一次活动(可同时附上签到表、照片等文件)")
    a.add_argument("item_id", metavar="ITEM", help="事项编号,如 SZ2015-04-01")
    a.add_argument("--year", type=int, default=year, help="年度(默认今年)")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="活动日期")
    a.add_argument("--title", required=True, metavar="TEXT", help="活动名称,如“学习《民法典》”")
    a.add_argument("--quantity", type=float, default=1.0, metavar="N",
                   help="数量:计量单位为学时的填学时数,为人次的填人数;按次统计的事项为 1(默认)")
    a.add_argument("--place", default="", metavar="TEXT", help="地点")
    a.add_argument("--people", default="", metavar="TEXT", help="主讲/参加人员")
    a.add_argument("--note", default="", metavar="TEXT", help="说明")
    a.add_argument("files", metavar="FILE", nargs="*", help="这次活动的佐证材料(签到表、照片……)")
    a.set_defaults(handler=_add, trailing_files=True)

    ls = asub.add_parser("list", help="列出某事项某年度的活动记录")
    ls.add_argument("item_id", metavar="ITEM")
    ls.add_argument("--year", type=int, default=year)
    ls.set_defaults(handler=_list)

    rm = asub.add_parser("remove", help="删除一条活动记录(其佐证材料仍保留在事项下)")
    rm.add_argument("activity_id", metavar="N", type=int, help="activity list 显示的编号")
    rm.add_argument("--yes", action="store_true", help="不再询问,直接删除")
    rm.set_defaults(handler=_remove)
    im = asub.add_parser("import", help="从 Excel/WPS 台账(.xlsx/.xls/.ods)导入某事项某年度的活动记录")
    im.add_argument("file", metavar="台账文件")
    im.add_argument("--item", required=True, metavar="ITEM", help="事项编号")
    im.add_argument("--year", type=int, default=year)
    im.add_argument("--map", default="", metavar="日期=A,名称=B,…",
                    help="列对应(不填时按表头猜测):日期、名称、地点、人员、数量、说明")
    im.add_argument("--dry-run", action="store_true", help="只显示将导入的内容,不写入")
    im.set_defaults(handler=_import)
    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])


def _unit_total(store, item_id: str, year: int) -> str:  # noqa: ANN001
    from fazhi_desk.domain.activity import progress_text
    from fazhi_desk.services.activity import log_total
    from fazhi_desk.services.checklist import current_item

    with store.session() as s:
        _row, item, _doc = current_item(s, item_id)
        got = log_total(s, item_id, year, item.unit)
    return progress_text(got, item.target_text, item.unit)


def _add(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.cli.evidence import _ConsoleContext
    from fazhi_desk.services.activity import add_activity, attach_files

    store = ctx.store()
    item_id = resolve(ctx, args.item_id)
    for f in args.files:  # a missing file is refused before anything is written
        from pathlib import Path

        if not Path(f).exists():
            from fazhi_desk.errors import UserError

            raise UserError(f"找不到文件“{f}”\uff0c活动未登记。请检查文件名和位置后重新运行。")
    act = add_activity(store, item_id, args.year, args.date, args.title, quantity=args.quantity,
                       place=args.place, people=args.people, note=args.note)
    print(f"已登记活动 {act.activity_id}:{act.date.isoformat()} {printable(act.title)}。")
    if args.files:
        jc = _ConsoleContext()
        try:
            summary = attach_files(jc, store, act.activity_id, args.files)
        finally:
            jc.finish()
        print(printable(summary.text(), keep_lines=True))
        if not summary.ok:
            return 1
    print(f"{item_id} {args.year} 年实际值:{_unit_total(store, item_id, args.year)}(按活动记录自动统计)")
    return 0


def _list(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.activity import list_activities

    store = ctx.store()
    item_id = resolve(ctx, args.item_id)
    acts = list_activities(store, item_id, args.year)
    if not acts:
        print(f"{item_id} {args.year} 年没有活动记录。")
        return 0
    for a in acts:
        fields = [str(a.activity_id), a.date.isoformat(), a.title, *(x for x in (a.place, a.people) if x)]
        if a.quantity != 1:
            fields.append(f"数量 {a.quantity:g}")
        if a.evidence_count:
            fields.append(f"佐证 {a.evidence_count} 个")
        print("\t".join(printable(f) for f in fields))
    print(f"合计:{_unit_total(store, item_id, args.year)}")
    return 0


def _remove(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.activity import get_activity, remove_activity

    store = ctx.store()
    act = get_activity(store, args.activity_id)
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print(f"未删除:确认删除活动 {act.activity_id}({act.label})后请加 --yes 再运行。", file=sys.stderr)
            return 2
        if input(f"确定删除活动 {act.activity_id}({printable(act.label)})吗?输入 y 确认:").strip().lower() \
                not in ("y", "yes", "是"):
            print("已取消,活动记录未改动。")
            return 1
    removed = remove_activity(store, args.activity_id)
    kept = f",其 {len(removed.link_ids)} 个佐证材料仍保留在事项下" if removed.link_ids else ""
    print(f"已删除活动 {act.activity_id}({printable(act.label)}){kept}。")
    print(f"{act.item_id} {act.year} 年实际值:{_unit_total(store, act.item_id, act.year)}")
    return 0


def _import(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.activity_import import apply_ledger, parse_map, read_ledger
    from fazhi_desk.services.checklist import current_item

    store = ctx.store()
    item_id = resolve(ctx, args.item)
    with store.session() as s:
        _row, item, _doc = current_item(s, item_id)
    preview = read_ledger(args.file, item_id, args.year, item.unit, mapping=parse_map(args.map))
    print(printable(preview.text(), keep_lines=True))
    for r in preview.rows:
        print(printable(f"  第 {r.row} 行\t{r.date.isoformat()}\t{r.title}", keep_lines=True))
    if args.dry_run:
        print("(--dry-run:未写入)")
        return 0
    n = apply_ledger(store, preview)
    print(f"已导入 {n} 条活动记录。{item_id} {args.year} 年实际值:{_unit_total(store, item_id, args.year)}")
    return 1 if preview.refused else 0
