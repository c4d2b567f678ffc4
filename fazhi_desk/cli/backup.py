"""Subcommands for backup and restore: ``backup create|verify|restore|list|second-folder``.

``create`` works while the window is open (it reads a snapshot, it does not
need the data directory for itself); ``restore`` needs the window closed, shows
what the backup holds against the current data and asks before replacing it
(``--yes`` skips the question, for scripts).
"""

from __future__ import annotations

import argparse
import sys

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

    r = bsub.add_parser("restore", help="从备份恢复(先自动备份当前数据;请先关闭程序窗口)")
    r.add_argument("file", metavar="FILE")
    r.add_argument("--yes", action="store_true", help="不再询问,直接恢复")
    r.set_defaults(handler=_restore)

    ls = bsub.add_parser("list", help="列出数据目录 backups 文件夹中的备份")
    ls.set_defaults(handler=_list)

    s = bsub.add_parser("second-folder", help="设置自动备份的副本文件夹(U 盘或另一块磁盘),或 --clear 取消")
    s.add_argument("folder", metavar="DIR", nargs="?")
    s.add_argument("--clear", action="store_true")
    s.set_defaults(handler=_second_folder)

    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])


def _create(args, ctx) -> int:
    from fazhi_desk.backup import create_backup

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
    from fazhi_desk.backup import current_summary, describe_change, peek_manifest, restore_backup

    data = ctx.data.ensure()
    manifest = peek_manifest(args.file)
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


def _list(args, ctx) -> int:
    from fazhi_desk.backup.archive import REASONS, size_text
    from fazhi_desk.backup.auto import backup_status, list_backups

    data = ctx.data.ensure()
    rows = list_backups(data)
    print(backup_status(data).text())
    if not rows:
        print(f"“{data.backups}”中还没有备份。")
        return 0
    print("时间\t类型\t单位\t大小\t文件")
    for p, m in rows:
        if m is None:
            print(f"?\t无法读取\t\t{size_text(p.stat().st_size)}\t{p}")
        else:
            print(f"{m.created_at:%Y-%m-%d %H:%M}\t{REASONS.get(m.reason, m.reason)}\t{m.office_name}\t"
                  f"{size_text(p.stat().st_size)}\t{p}")
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
