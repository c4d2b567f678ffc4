"""Subcommands for backup and restore: ``backup create|verify|restore|list|second-folder``.

``create`` works while the window is open: the window, which keeps the database
to itself, takes the backup when asked over a local connection
(:mod:`fazhi_desk.backup.handoff`); ``restore`` needs the window closed, shows
what the backup holds against the current data and asks before replacing it
(``--yes`` skips the question, for scripts).
"""

from __future__ import annotations

import argparse
import sys

from fazhi_desk.cli import printable
from fazhi_desk.cli.evidence import _ConsoleContext


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="备份与恢复:备份全部数据和佐证材料、校验备份、从备份恢复")
    bsub = p.add_subparsers(dest="backup_cmd", metavar="操作")

    c = bsub.add_parser("create", help="立即备份(数据库快照、全部佐证材料、单位信息)到一个 .fzbak 文件")
    c.add_argument("--out", metavar="FILE", help="备份文件或文件夹(默认:数据目录的 backups 文件夹)")
    c.set_defaults(handler=_create)

    v = bsub.add_parser("verify", help="校验备份文件(逐个核对 SHA-256、数据库完整性和数量),不恢复")
    v.add_argument("file", metavar="FILE")
    v.set_defaults(handler=_verify)

    r = bsub.add_parser("restore", help="从备份恢复(先自动备份当前数据;请先关闭程序窗口)。"
                                        "FILE 可以是 .fzbak 备份,也可以是升级数据库前自动保存的 .sqlite3 副本")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--yes", action="store_true", help="不再询问,直接恢复")
    r.set_defaults(handler=_restore)

    ls = bsub.add_parser("list", help="列出数据目录 backups 文件夹中的备份(.fzbak 与升级数据库前的副本),最新的在前")
    ls.set_defaults(handler=_list)

    a = bsub.add_parser("accept-missing", help="确认已丢失的佐证材料文件无法找回:此后自动备份轮换时"
                                                "不再为它们保留仅存这些文件的旧备份")
    a.add_argument("--yes", action="store_true", help="不再询问,直接确认")
    a.set_defaults(handler=_accept_missing)

    s = bsub.add_parser("second-folder", help="设置自动备份的副本文件夹(U 盘或另一块磁盘),或 --clear 取消")
    s.add_argument("folder", metavar="DIR", nargs="?")
    s.add_argument("--clear", action="store_true")
    s.set_defaults(handler=_second_folder)

    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])


def _create(args, ctx) -> int:
    from fazhi_desk.backup import create_backup
    from fazhi_desk.backup.handoff import ask_window
    from fazhi_desk.services.location import read_location

    if read_location(ctx.data.ensure()).on_server:  # a server store: its snapshot and the shared evidence folder
        jc = _ConsoleContext()
        try:
            result = create_backup(jc, ctx.data, args.out, store=ctx.store())
        finally:
            jc.finish()
        print(result.text())
        return 0
    text = ask_window(ctx.data.ensure(), args.out)  # the open window keeps the database: it backs up for us
    if text is not None:
        print(printable(text))
        return 0
    jc = _ConsoleContext()
    try:
        result = create_backup(jc, ctx.data.ensure(), args.out)
    finally:
        jc.finish()
    print(result.text())
    return 0


def _verify(args, ctx) -> int:
    from fazhi_desk.backup import verify_backup

    jc = _ConsoleContext()
    try:
        result = verify_backup(jc, args.file)
    finally:
        jc.finish()
    print(result.text())
    return 0


def _restore(args, ctx) -> int:
    from fazhi_desk.backup import current_summary, describe_change, restore_backup
    from fazhi_desk.backup.restore import peek_backup

    from fazhi_desk.services.location import read_location

    data = ctx.data.ensure()
    if read_location(data).on_server:
        return _restore_to_server(args, ctx, data)
    manifest = peek_backup(args.file)
    print(describe_change(manifest, current_summary(data)))
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("未恢复:请在确认后加 --yes 再运行。", file=sys.stderr)
            return 2
        answer = input("确定用这个备份替换当前数据吗?输入 y 确认:").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消,数据未改动。")
            return 1
    jc = _ConsoleContext()
    try:
        result = restore_backup(jc, data, args.file)
    finally:
        jc.finish()
    print(result.text())
    return 0


def _restore_to_server(args, ctx, data) -> int:  # noqa: ANN001
    """``backup restore`` on a desk that uses a server store: the same preview, then the server's data replaced."""
    from fazhi_desk.backup.restore import peek_backup
    from fazhi_desk.errors import UserError
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.location import (
        describe_server_restore,
        restore_to_server,
        server_restore_refusal,
        server_restored_text,
        server_summary,
    )

    why = server_restore_refusal(args.file)
    if why:
        raise UserError(why)
    store = ctx.store()
    manifest = peek_backup(args.file)
    print(describe_server_restore(manifest, server_summary(JobContext(), data, store), store))
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("未恢复:请在确认后加 --yes 再运行。", file=sys.stderr)
            return 2
        answer = input("确定用这个备份替换服务器上的数据吗?输入 y 确认:").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消,数据未改动。")
            return 1
    jc = _ConsoleContext()
    try:
        rows = restore_to_server(jc, data, store, args.file)
    finally:
        jc.finish()
    print(server_restored_text(rows, data))
    return 0


def _list(args, ctx) -> int:
    from fazhi_desk.backup.archive import size_text
    from fazhi_desk.backup.auto import backup_status, list_backups

    data = ctx.data.ensure()
    rows = list_backups(data)
    print(backup_status(data).text())
    if not rows:
        print(f"“{data.backups}”中还没有备份。")
        return 0
    print("时间\t类型\t状态\t单位\t大小\t文件")
    for e in rows:
        try:
            size = size_text(e.path.stat().st_size)
        except OSError:
            size = "?"
        when = f"{e.made_at:%Y-%m-%d %H:%M}" if e.made_at else "?"
        office = e.manifest.office_name if e.manifest is not None else ""
        print(printable(f"{when}\t{e.reason_text()}\t{e.state_text()}\t{office}\t{size}\t{e.path}"))
    return 0


def _accept_missing(args, ctx) -> int:
    from fazhi_desk.backup.auto import accept_missing, backup_status, list_backups, missing_now

    data = ctx.data.ensure()
    shas = missing_now(data)
    if not shas:
        print("最近的备份中没有缺失的佐证材料文件,无需确认。")
        return 0
    st = backup_status(data)
    print(f"最近的备份缺少 {len(shas)} 个佐证材料文件:" + "、".join(st.missing))
    holders = [e.path.name for e in list_backups(data) if any(e.holds(s) for s in shas)]
    if holders:
        print("仍含有这些文件的备份:" + "、".join(holders) + "(可先从中找回文件)。")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("未确认:请在确认后加 --yes 再运行。", file=sys.stderr)
            return 2
        if input("确定这些文件无法找回吗?输入 y 确认:").strip().lower() not in ("y", "yes", "是"):
            print("已取消,较早的备份会继续保留。")
            return 1
    accept_missing(data, shas)
    print("已确认。此后自动备份轮换时不再为这些文件保留旧备份。")
    return 0


def _second_folder(args, ctx) -> int:
    from fazhi_desk.backup.auto import second_folder, set_second_folder

    data = ctx.data.ensure()
    if args.clear:
        set_second_folder(data, None)
        print("已取消副本文件夹:自动备份只保存在本机。")
    elif args.folder:
        set_second_folder(data, args.folder)
        print(f"自动备份今后会同时复制到“{args.folder}”。")
    else:
        f = second_folder(data)
        print(f"副本文件夹:{f}" if f else "未设置副本文件夹。")
    return 0
