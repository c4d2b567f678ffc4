"""Subcommands for where the store lives: ``store move-to|connect|show|disconnect|operator``.

``move-to`` copies this desk's whole workspace onto a PostgreSQL server and a shared evidence folder,
checks it, and switches this desk to it; ``connect`` points another desk at it; ``disconnect`` goes
back to the local file. The password is kept in the credential store (or a file only the user can
read), never printed.
"""

from __future__ import annotations

import argparse
import sys

from fazhi_desk.cli import printable

URL_HELP = "postgresql://用户名[:密码]@服务器[:端口]/数据库名(密码只保存在本机凭据中,不会显示)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("store", help="数据存放位置:迁到 PostgreSQL 服务器、连接服务器、查看、改回本机")
    ssub = p.add_subparsers(dest="store_cmd", metavar="操作")

    m = ssub.add_parser("move-to", help="把本机全部数据和佐证材料复制到服务器上的空数据库,逐项核对后切换到服务器")
    m.add_argument("url", metavar="URL", help=URL_HELP)
    m.add_argument("--evidence-dir", required=True, metavar="DIR", help="各台电脑都能访问的佐证材料共享文件夹")
    m.add_argument("--operator", required=True, metavar="NAME", help="这台电脑的操作人(写入变更记录)")
    m.add_argument("--yes", action="store_true", help="不再询问,直接迁移")
    m.set_defaults(handler=_move_to)

    c = ssub.add_parser("connect", help="让这台电脑使用服务器上已有的数据")
    c.add_argument("url", metavar="URL", help=URL_HELP)
    c.add_argument("--evidence-dir", required=True, metavar="DIR", help="与服务器数据配套的佐证材料共享文件夹")
    c.add_argument("--operator", required=True, metavar="NAME", help="这台电脑的操作人(写入变更记录)")
    c.set_defaults(handler=_connect)

    s = ssub.add_parser("show", help="显示数据存放在哪里(不显示密码)")
    s.set_defaults(handler=_show)

    d = ssub.add_parser("disconnect", help="不再使用服务器,改回本机数据(服务器上的数据不变)")
    d.set_defaults(handler=_disconnect)

    o = ssub.add_parser("operator", help="设置这台电脑的操作人(变更记录写明每项修改的操作人)")
    o.add_argument("name", metavar="NAME")
    o.set_defaults(handler=_operator)

    p.set_defaults(handler=lambda args, ctx: (p.print_help(), 2)[1])


def _with_password(url: str, data) -> str:  # noqa: ANN001
    """``url``, asking for the password at the terminal when it has none and none is kept for it."""
    from sqlalchemy.engine import make_url

    from fazhi_desk.services.location import check_server_url, load_password

    check_server_url(url)
    u = make_url(url)
    if u.password is not None or load_password(data, url) is not None or not (sys.stdin and sys.stdin.isatty()):
        return url
    import getpass

    pw = getpass.getpass(f"数据库用户“{u.username}”的密码(输入时不显示):")
    return u.set(password=pw).render_as_string(hide_password=False)


def _move_to(args, ctx) -> int:
    from sqlalchemy.engine import make_url

    from fazhi_desk.services.location import move_to

    data = ctx.data.ensure()
    args.url = _with_password(args.url, data)
    u = make_url(args.url)
    where = f"{u.host}{f':{u.port}' if u.port else ''}/{u.database}"
    print(printable(f"将把数据目录“{data.root}”中的全部数据复制到 PostgreSQL 数据库“{where}”,"
                    f"佐证材料复制到“{args.evidence_dir}”,核对无误后这台电脑改用服务器上的数据(本机数据保留不动)。"))
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            print("未迁移:请在确认后加 --yes 再运行。", file=sys.stderr)
            return 2
        answer = input("确定迁移吗?输入 y 确认:").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消,数据未改动。")
            return 1
    report = move_to(data, args.url, args.evidence_dir, args.operator,
                     progress=lambda t: print(t, file=sys.stderr, flush=True))
    print(printable(report.text()))
    return 0


def _connect(args, ctx) -> int:
    from fazhi_desk.services.location import connect

    data = ctx.data.ensure()
    loc = connect(data, _with_password(args.url, data), args.evidence_dir, args.operator)
    print("已连接。这台电脑今后使用服务器上的数据:")
    for line in loc.lines(data):
        print(printable(line))
    return 0


def _show(args, ctx) -> int:
    from fazhi_desk.services.location import read_location

    data = ctx.data.ensure()
    for line in read_location(data).lines(data):
        print(printable(line))
    return 0


def _disconnect(args, ctx) -> int:
    from fazhi_desk.services.location import disconnect, read_location

    data = ctx.data.ensure()
    was = read_location(data)
    if not was.on_server:
        print("这台电脑本来就使用本机数据,无需改动。")
        return 0
    disconnect(data)
    print(printable(f"已改回本机数据(“{data.db}”)。服务器上的数据没有改动,需要时可用“store connect”重新连接。"))
    return 0


def _operator(args, ctx) -> int:
    from fazhi_desk.services.location import set_operator_name

    loc = set_operator_name(ctx.data.ensure(), args.name)
    print(printable(f"操作人已设为“{loc.operator}”,此后的修改在变更记录中记为此人。"))
    return 0
