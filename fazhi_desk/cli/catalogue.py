"""Subcommands for catalogues: ``catalogue export|import|undo-import|history|confirm|review|draft``.

``import`` prints the same diff the import dialog shows and applies it unless
``--dry-run``; a refused import changes nothing and exits non-zero; importing a
catalogue identical to the installed one says 没有变化 and exits 0. Every import is
preceded by an automatic backup (on a server desk too, into this desk's ``backups/``);
``undo-import`` (撤销此次导入) lists what undoing the latest import loses and, once
confirmed, puts that backup back (into the server, on a server desk).
"""

from __future__ import annotations

import argparse

from fazhi_desk.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalogue", help="检查目录:导出模板、导入更新、版本记录、复核确认")
    csub = p.add_subparsers(dest="catalogue_cmd", metavar="操作")

    e = csub.add_parser("export", help="把已安装的检查目录导出为 Excel 模板")
    e.add_argument("file", metavar="FILE.xlsx", help="要写入的 .xlsx 文件")
    e.add_argument("--empty", action="store_true", help="只导出空白模板(只有表头)")
    e.set_defaults(handler=_export)

    i = csub.add_parser("import", help="导入检查目录(.xlsx 模板或 .json),先显示变化")
    i.add_argument("file", metavar="FILE", help=".xlsx 或 .json 文件")
    i.add_argument("--dry-run", action="store_true", help="只显示变化,不导入")
    i.add_argument("--allow-downgrade", action="store_true", help="允许导入比已安装版本低的目录")
    b = i.add_mutually_exclusive_group()
    b.add_argument("--binds", dest="binds", action="store_const", const=True, default=None,
                   help="新增的来源文件约束本单位(加入适用文件,计入清单和年度报告)")
    b.add_argument("--not-binding", dest="binds", action="store_const", const=False,
                   help="新增的来源文件不约束本单位(仅安装,不计入)")
    i.set_defaults(handler=_import)

    u = csub.add_parser("undo-import", help="撤销最近一次导入:检查目录和各年度完成情况恢复到导入前(先列出将丢失的修改)")
    u.add_argument("--yes", action="store_true", help="不再询问,直接撤销")
    u.set_defaults(handler=_undo_import)

    h = csub.add_parser("history", help="显示检查目录的版本记录")
    h.set_defaults(handler=_history)

    c = csub.add_parser("confirm", help="复核确认:条文已更新的事项经复核后取消提示")
    c.add_argument("item_id", metavar="ITEM_ID", help="事项编号,如 SZ2015-04-01")
    c.set_defaults(handler=_confirm)

    r = csub.add_parser("review", help="列出条文已更新、待复核的事项")
    r.set_defaults(handler=_review)

    d = csub.add_parser("draft", help="从实施方案(.docx/.txt)或县里的考核表格(.xlsx/.xls/.ods)起草检查目录模板,供复核后导入")
    d.add_argument("source", metavar="SOURCE", help="方案正文 .docx/.txt,或考核表格 .xlsx/.xls/.ods")
    d.add_argument("--code", required=True, help="新目录的文件代码,如 ZS2026(大写字母开头)")
    d.add_argument("--title", default="", help="文件名称(默认从正文中读取)")
    d.add_argument("--number", default="", help="发文字号,如 柞法治委发〔2026〕1号")
    d.add_argument("--issuer", default="", help="发文机关")
    d.add_argument("--date", default="", help="发布日期 YYYY-MM-DD(默认从正文中读取)")
    d.add_argument("--term", default="", help="施行期限,如 2026-2030(早于起始年的期限顺延至起始年并提示复核)")
    d.add_argument("--map", default="", help="表格的列对应,如 事项内容=C,牵头单位=E,分值=F")
    d.add_argument("--out", required=True, metavar="DRAFT.xlsx", help="写出的目录模板(.xlsx)")
    d.set_defaults(handler=_draft)

    p.set_defaults(handler=_help(p))


def _help(p: argparse.ArgumentParser):  # noqa: ANN202
    def handler(args, ctx) -> int:  # noqa: ANN001
        p.print_help()
        return 2

    return handler


def _export(args, ctx) -> int:  # noqa: ANN001
    from pathlib import Path

    from fazhi_desk.services.catalogue import export_template

    path = Path(args.file)
    if path.suffix.lower() != ".xlsx":
        raise UserError(f"导出文件“{path.name}”应以 .xlsx 结尾。")
    docs, items = export_template(ctx.store(), path, empty=args.empty)
    if args.empty:
        print(f"已导出空白检查目录模板:{path}")
    else:
        print(f"已导出 {docs} 个来源文件、{items} 个检查事项:{path}")
    return 0


def _import(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.catalogue import apply_import, preview_import

    store = ctx.store()
    preview = preview_import(store, args.file)
    for line in preview.lines(limit=10_000):
        print(line)
    if preview.is_empty:
        return 0
    if args.dry_run:
        print("(--dry-run:未导入)")
        return 0
    result = apply_import(store, preview, allow_downgrade=args.allow_downgrade)
    print(f"已导入:{result.summary}")
    print("导入前的数据已自动备份\uff1b如需撤销此次导入\uff0c运行 fazhi-desk catalogue undo-import。")
    n_review = preview.diff.count("changed")
    if n_review:
        print(f"有 {n_review} 个事项条文已更新,请复核(fazhi-desk catalogue review / confirm ITEM_ID)。")
    from fazhi_desk.services.profile import get_profile

    chosen = get_profile(store).binding_documents is not None  # until the office chooses, every document counts
    for dd in preview.diff.documents:
        if dd.is_new_document and (chosen or args.binds is not None):
            _ask_binding(store, dd.new, args.binds)
    return 0


def _ask_binding(store, doc, binds: bool | None) -> None:  # noqa: ANN001
    """A newly imported document: does it bind this office? (--binds / --not-binding, or asked on a terminal)."""
    import sys

    from fazhi_desk.services.profile import set_binding

    if binds is None and sys.stdin.isatty():
        answer = input(f"《{doc.title}》是否约束本单位(加入适用文件,计入清单和年度报告)?[y/N] ")
        binds = answer.strip().lower() in ("y", "yes", "是")
    if binds is None:
        print(f"《{doc.title}》({doc.code})是否约束本单位?加 --binds 或 --not-binding 再导入一次可设定,"
              f"或运行 fazhi-desk profile set --documents …。")
        return
    prof = set_binding(store, doc.code, binds)
    print(f"《{doc.title}》{'已加入' if binds else '未加入'}适用文件;适用文件:{'、'.join(prof.binding_documents or ()) or '(无)'}")


def _undo_import(args, ctx) -> int:  # noqa: ANN001
    """撤销此次导入: the same preview as the window's, a confirmation, then the before-import backup put back."""
    import sys

    from fazhi_desk.backup.undo_import import undo_latest_import, undo_preview
    from fazhi_desk.cli import printable
    from fazhi_desk.cli.evidence import _ConsoleContext
    from fazhi_desk.services.location import read_location

    data = ctx.data.ensure()
    store = ctx.store() if read_location(data).on_server else None  # a local store is restored closed
    preview = undo_preview(data, store)
    print(printable(preview.text(), keep_lines=True))
    if store is not None:
        print(f"将替换{store.describe().text()}上的数据(各台电脑共用的数据)\uff0c其他电脑稍后会看到撤销后的数据。")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("未撤销:请在确认后加 --yes 再运行。", file=sys.stderr)
            return 2
        if input("确定撤销此次导入吗?输入 y 确认:").strip().lower() not in ("y", "yes", "是"):
            print("已取消,数据未改动。")
            return 1
    jc = _ConsoleContext()
    try:
        result = undo_latest_import(jc, data, preview, store)
    finally:
        jc.finish()
    print(printable(result.text(), keep_lines=True))
    print("已撤销此次导入。")
    return 0


def _history(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.catalogue import list_versions

    versions = list_versions(ctx.store())
    if not versions:
        print("尚未安装任何检查目录。")
        return 0
    print("文件代码\t版本\t导入时间\t导入人\t来源文件\t变化\tSHA-256")
    for v in versions:
        cur = "(当前)" if v.is_current else ""
        print(f"{v.doc_code}\t{v.version}{cur}\t{v.imported_at:%Y-%m-%d %H:%M}\t{v.imported_by}\t{v.source_file}\t"
              f"{v.summary}\t{v.file_sha256[:12]}")
    return 0


def _confirm(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.catalogue import confirm_review

    if confirm_review(ctx.store(), args.item_id):
        print(f"{args.item_id}:已复核确认。")
    else:
        print(f"{args.item_id}:没有待复核的条文更新。")
    return 0


def _review(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.catalogue import items_needing_review

    items = items_needing_review(ctx.store())
    if not items:
        print("没有待复核的事项。")
        return 0
    for item in items:
        print(f"{item.item_id}\t{item.requirement}")
    return 0


def _draft(args, ctx) -> int:  # noqa: ANN001
    """Draft a catalogue template from what the county sent; nothing is installed."""
    import datetime as dt
    from pathlib import Path

    from fazhi_desk.services.draft import draft_to_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError(f"起草结果“{out.name}”应以 .xlsx 结尾。")
    date = None
    if args.date:
        try:
            date = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise UserError(f"--date“{args.date}”应为 YYYY-MM-DD\uff0c如 2026-03-15。") from None
    result = draft_to_template(
        ctx.data, Path(args.source), out, code=args.code, title=args.title, doc_number=args.number,
        issuer=args.issuer, date=date, map_spec=args.map, term=args.term,
    )
    draft = result.draft
    counts = "、".join(f"{k} {v}" for k, v in draft.counts().items())
    print(f"已起草《{draft.catalogue.document.title}》:{counts}。")
    if result.mapping_note:
        print(result.mapping_note)
    if draft.warnings:
        print(f"需复核 {len(draft.warnings)} 处:")
        for w in draft.warnings[:40]:
            print(f"  · {w}")
        if len(draft.warnings) > 40:
            print(f"  ……另有 {len(draft.warnings) - 40} 处")
    print(f"草稿已写入:{out}。请复核修改后用“fazhi-desk catalogue import {out.name}”导入。")
    return 0
