"""Subcommands ``report text …``: the written report's sections and the office's 报告模板, without the window.

``report text show [SECTION]`` prints the sections as the window shows them (drafted
paragraphs live, edited ones kept, stale figures flagged on stderr); ``report text set
SECTION --file F`` saves the clerk's text of one section; ``report text redraft`` puts
edited sections back to the draft (only with ``--force``); ``report text template
--export F | --import F`` hands the office's house style on as .docx or text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from fazhi_desk.domain.annual import SECTIONS

KEYS = [k for k, _t in SECTIONS]
KEY_HELP = "部分:" + "、".join(f"{k}={t}" for k, t in SECTIONS)


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.choices["report"]
    rsub = report.add_subparsers(dest="report_command", metavar="text", required=False)
    t = rsub.add_parser("text", help="文字报告的各部分:查看、从文件写入、重新起草、报告模板")
    tsub = t.add_subparsers(dest="text_command", metavar="命令", required=True)

    def year(p: argparse.ArgumentParser) -> None:
        p.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年,与 report 相同)")

    sh = tsub.add_parser("show", help="显示文字报告(未修改的段落按最新数据起草)")
    sh.add_argument("section", nargs="?", choices=KEYS, metavar="SECTION", help=KEY_HELP + "(默认全部)")
    year(sh)
    sh.set_defaults(handler=_show)
    st = tsub.add_parser("set", help="用文本文件(UTF-8)的内容替换某一部分")
    st.add_argument("section", choices=KEYS, metavar="SECTION", help=KEY_HELP)
    st.add_argument("--file", required=True, metavar="FILE", help="文本文件;“-”为标准输入")
    year(st)
    st.set_defaults(handler=_set)
    rd = tsub.add_parser("redraft", help="把各部分恢复为程序起草(已修改的部分需加 --force)")
    rd.add_argument("sections", nargs="*", metavar="SECTION", help=KEY_HELP + "(默认全部)")
    rd.add_argument("--force", action="store_true", help="已修改的部分也恢复为程序起草(您写的内容将被替换)")
    year(rd)
    rd.set_defaults(handler=_redraft)
    tp = tsub.add_parser("template", help="报告模板(开头语、各方面标题、结束语):导出或导入 .docx/.txt")
    g = tp.add_mutually_exclusive_group(required=True)
    g.add_argument("--export", metavar="FILE", help="导出到 .docx 或 .txt")
    g.add_argument("--import", dest="import_", metavar="FILE", help="从 .docx 或 .txt 导入")
    g.add_argument("--show", action="store_true", help="显示当前模板")
    tp.set_defaults(handler=_template)


def _show(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001 - cli.Context
    from fazhi_desk.services.annual_text import section_views

    views = section_views(ctx.store(), args.year)
    for key in [args.section] if args.section else KEYS:
        v = views[key]
        if not args.section:
            print(f"【{v.title}】" + ("(已修改)" if v.edited else ""))
        print(v.text)
        if not args.section:
            print()
        for x in v.stale:
            print(f"注意:{x.message()}", file=sys.stderr)
    return 0


def _set(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.errors import UserError
    from fazhi_desk.services.annual_text import save_section, section_views

    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            raw = Path(args.file).read_bytes()
            text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"找不到文件“{args.file}”\uff0c请检查路径。") from None
    except UnicodeDecodeError:
        raise UserError(f"文件“{args.file}”不是 UTF-8 文本\uff0c请用记事本另存为 UTF-8 后再试。") from None
    changed = save_section(ctx.store(), args.year, args.section, text.strip("\n"))
    v = section_views(ctx.store(), args.year)[args.section]
    state = "已保存" if changed else "内容未变化,未保存"
    kind = "(与程序起草相同,按起草处理,数字随数据更新)" if not v.edited else ""
    print(f"{args.year} 年度文字报告“{v.title}”{state}{kind}。")
    return 0


def _redraft(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.annual_text import regenerate

    from fazhi_desk.domain.annual import SECTION_TITLES

    keys = tuple(args.sections) or None
    r = regenerate(ctx.store(), args.year, keys, overwrite=tuple(keys or KEYS) if args.force else ())
    if r.replaced:
        print("已恢复为程序起草:" + "、".join(SECTION_TITLES[k] for k in r.replaced))
    if r.kept_edited:
        print("以下部分已修改,未替换(确需替换请加 --force):" + "、".join(SECTION_TITLES[k] for k in r.kept_edited),
              file=sys.stderr)
    if not r.replaced and not r.kept_edited:
        print("各部分均为程序起草,已是最新数据。")
    return 0


def _template(args: argparse.Namespace, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.report_template import export_template, get_template, import_template

    if args.export:
        print(f"报告模板已导出:{export_template(ctx.store(), args.export)}")
    elif args.import_:
        import_template(ctx.store(), args.import_)
        print(f"报告模板已导入:{args.import_}。重新起草或导出文字报告时使用。")
    else:
        print(get_template(ctx.store()).to_text(), end="")
    return 0
