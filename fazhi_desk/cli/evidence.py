"""Subcommands for evidence (佐证材料): ``evidence add|list|remove|link|verify|gc|trash``.

``add`` takes files and folders (folders are added recursively) and prints a
summary; it exits 1 if any file could not be added. ``verify`` exits 1 when a
stored file is missing or altered, listing the problems by item.
"""

from __future__ import annotations

import argparse
import logging
import datetime as dt
import sys

from fazhi_desk.cli import logged_note, printable
from fazhi_desk.cli.checklist import resolve
from fazhi_desk.domain.completion import check_year
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext


class _ConsoleContext(JobContext):
    """Prints progress on one line when stderr is a terminal."""

    def __init__(self) -> None:
        super().__init__()
        self._tty = sys.stderr.isatty()
        self._last = -1

    def progress(self, done: int, total: int, text: str = "") -> None:
        if not self._tty or total <= 0:
            return
        pct = done * 100 // total
        if pct != self._last:
            self._last = pct
            print(f"\r{pct:3d}% {text[:60]}\033[K", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self._tty and self._last >= 0:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evidence", help="佐证材料:添加、列出、移除、校验、清理")
    esub = p.add_subparsers(dest="evidence_cmd", metavar="操作")
    year = dt.date.today().year

    a = esub.add_parser("add", help="把文件或文件夹(含子文件夹)添加为某事项某年度的佐证材料")
    a.add_argument("item_id", metavar="ITEM_ID", help="事项编号,如 SZ2015-04-01")
    a.add_argument("--year", type=int, default=year, help="年度(默认今年)")
    a.add_argument("--description", default="", help="说明(用于本次添加的所有文件)")
    a.add_argument("--date", dest="doc_date", metavar="YYYY-MM-DD", help="文件日期(用于本次添加的所有文件)")
    a.add_argument("files", metavar="FILE", nargs="+", help="文件或文件夹")
    a.set_defaults(handler=_add)

    ls = esub.add_parser("list", help="列出某事项某年度的佐证材料")
    ls.add_argument("item_id", metavar="ITEM_ID")
    ls.add_argument("--year", type=int, default=year)
    ls.set_defaults(handler=_list)

    rm = esub.add_parser("remove", help="移除佐证材料(仍被其他事项使用的文件不会删除)")
    rm.add_argument("item_id", metavar="ITEM_ID")
    rm.add_argument("--year", type=int, default=year)
    rm.add_argument("which", metavar="序号或文件名", nargs="+", help="evidence list 显示的序号,或原文件名")
    rm.set_defaults(handler=_remove)

    ln = esub.add_parser("link", help="把某事项已有的佐证材料同时用于另一事项(不重复存储)")
    ln.add_argument("item_id", metavar="ITEM_ID", help="已有佐证材料的事项")
    ln.add_argument("--year", type=int, default=year)
    ln.add_argument("which", metavar="序号或文件名")
    ln.add_argument("--to", dest="to_item", required=True, metavar="ITEM_ID", help="目标事项编号")
    ln.add_argument("--to-year", type=int, help="目标年度(默认与 --year 相同)")
    ln.set_defaults(handler=_link)

    v = esub.add_parser("verify", help="校验所有佐证材料文件是否丢失或被改动(不做任何修复)")
    v.set_defaults(handler=_verify)

    g = esub.add_parser("gc", help="把不再被任何事项使用的文件移入回收目录,清除过期回收文件")
    g.set_defaults(handler=_gc)

    t = esub.add_parser("trash", help="回收站:列出已移除的佐证材料(保留 30 天),或把某一项恢复")
    tsub = t.add_subparsers(dest="trash_cmd", metavar="操作")
    tl = tsub.add_parser("list", help="列出回收站中的佐证材料")
    tl.set_defaults(handler=_trash_list)
    tr = tsub.add_parser("restore", help="把回收站中的佐证材料恢复到原事项和年度")
    tr.add_argument("ids", metavar="序号", nargs="+", type=int, help="evidence trash list 显示的序号")
    tr.set_defaults(handler=_trash_restore)
    t.set_defaults(handler=_trash_list)

    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])


def _add(args, ctx) -> int:
    from fazhi_desk.services.evidence import attach

    jc = _ConsoleContext()
    try:
        summary = attach(jc, ctx.store(), resolve(ctx, args.item_id), args.year, args.files,
                         description=args.description, doc_date=args.doc_date)
    finally:
        jc.finish()
    text = summary.text()
    if not summary.ok:  # the log gets the refusal before the user sees it
        text += logged_note(logging.WARNING, "evidence add refused some files: %s", text)
    print(printable(text, keep_lines=True))
    return 0 if summary.ok else 1


def _list(args, ctx) -> int:
    from fazhi_desk.services.evidence import list_evidence, size_text

    check_year(args.year)
    args.item_id = resolve(ctx, args.item_id)
    entries = list_evidence(ctx.store(), args.item_id, args.year)
    if not entries:
        print(f"事项 {args.item_id}({args.year} 年)还没有佐证材料。")
        return 0
    print(f"事项 {args.item_id}({args.year} 年)的佐证材料,共 {len(entries)} 个:")
    print("序号\t文件名\t类型\t大小\t文件日期\t添加时间\t说明")
    for e in entries:
        shared = f"(另用于 {e.link_count - 1} 处)" if e.link_count > 1 else ""
        print(f"{e.link_id}\t{printable(e.original_name)}{shared}\t{e.kind}\t{size_text(e.size)}\t"
              f"{e.doc_date.isoformat() if e.doc_date else ''}\t{e.added_at:%Y-%m-%d %H:%M}\t"
              f"{printable(e.description)}")
    return 0


def _pick(store, item_id: str, year: int, which: str):  # noqa: ANN001, ANN202
    from fazhi_desk.services.evidence import list_evidence

    entries = list_evidence(store, item_id, year)
    if which.isdigit():
        for e in entries:
            if e.link_id == int(which):
                return e
    matches = [e for e in entries if e.original_name == which]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(f"事项 {item_id}\uff08{year} 年\uff09有 {len(matches)} 个名为“{which}”的佐证材料\uff0c请改用序号"
                        f"\uff08fazhi-desk evidence list {item_id} --year {year} 可查看\uff09。")
    raise UserError(f"事项 {item_id}\uff08{year} 年\uff09没有序号或文件名为“{which}”的佐证材料。"
                    f"请用 fazhi-desk evidence list {item_id} --year {year} 查看。")


def _remove(args, ctx) -> int:
    from fazhi_desk.services.evidence import unlink

    store = ctx.store()
    args.item_id = resolve(ctx, args.item_id)
    picked = [_pick(store, args.item_id, args.year, w) for w in args.which]
    for e in picked:
        r = unlink(store, e.link_id)
        extra = f";该文件仍用于其他 {r.remaining_links} 处,已保留" if r.remaining_links else ""
        print(f"已移除“{printable(e.original_name)}”{extra}。")
    return 0


def _link(args, ctx) -> int:
    from fazhi_desk.services.evidence import link_existing

    store = ctx.store()
    args.item_id, args.to_item = resolve(ctx, args.item_id), resolve(ctx, args.to_item)
    e = _pick(store, args.item_id, args.year, args.which)
    to_year = args.to_year or args.year
    link_existing(store, e.link_id, args.to_item, to_year)
    print(f"已把“{printable(e.original_name)}”同时用作事项 {args.to_item}({to_year} 年)的佐证材料(未重复存储)。")
    return 0


def _verify(args, ctx) -> int:
    from fazhi_desk.services.evidence import verify

    jc = _ConsoleContext()
    try:
        report = verify(jc, ctx.store())
    finally:
        jc.finish()
    print(printable(report.text(), keep_lines=True))
    return 0 if report.ok else 1


def _gc(args, ctx) -> int:
    from fazhi_desk.services.evidence import gc

    print(gc(ctx.store()).text())
    return 0


def _trash_list(args, ctx) -> int:
    from fazhi_desk.services.evidence import size_text
    from fazhi_desk.services.evidence_trash import list_trash

    entries = list_trash(ctx.store())
    if not entries:
        print("回收站是空的。")
        return 0
    print(f"回收站中有 {len(entries)} 个已移除的佐证材料(移除后保留 30 天,之后由“清理”清空):")
    print("序号\t事项\t年度\t文件名\t大小\t移除时间\t移除人\t状态")
    for e in entries:
        state = f"可恢复(还剩 {e.days_left()} 天)" if e.restorable else "文件已清除,无法恢复"
        print(f"{e.id}\t{e.item_id}\t{e.year}\t{e.original_name}\t{size_text(e.size)}\t"
              f"{e.removed_at:%Y-%m-%d %H:%M}\t{e.removed_by}\t{state}")
    return 0


def _trash_restore(args, ctx) -> int:
    from fazhi_desk.services.evidence_trash import restore

    store = ctx.store()
    for i in args.ids:
        r = restore(JobContext(), store, i)
        extra = "(该事项本来就有这个文件,未重复添加)" if r.already_linked else ""
        print(f"已把“{r.original_name}”恢复为事项 {r.item_id}({r.year} 年)的佐证材料{extra}。")
    return 0
