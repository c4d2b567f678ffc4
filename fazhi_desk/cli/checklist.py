"""Subcommands for the profile, assessments and the change log: ``profile``, ``status``, ``list``, ``show``, ``log``.

Item ids are matched case-insensitively and an unknown one is refused (never an empty listing).
"""

from __future__ import annotations

import argparse
import re
import datetime as dt

from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="查看或设置单位信息")
    psub = p.add_subparsers(dest="profile_cmd", metavar="操作")
    ps = psub.add_parser("set", help="设置单位信息")
    ps.add_argument("--office", dest="office_name", help="乡镇/街道名称")
    ps.add_argument("--county", help="所属县(市、区)")
    ps.add_argument("--contact", help="法制办联系人")
    ps.add_argument("--phone", help="联系电话")
    ps.add_argument("--leader", help="单位负责人(年度报告签署栏)")
    ps.add_argument("--deputy", help="分管领导(年度报告签署栏)")
    ps.add_argument("--preparer", help="填报人(年度报告签署栏)")
    ps.add_argument("--code", dest="office_code", help="单位编码:18 位统一社会信用代码或县里分配的单位编码")
    ps.add_argument("--documents", help="适用文件:约束本单位的来源文件代码,逗号分隔(如 ZS2022);"
                    "“auto”按所属县选取;其他文件仍已安装,list --all 可查看")
    ps.add_argument("--since", type=int, help="开始使用年度:此前到期的一次性事项只需确认一次(以前年度已完成/仍需完成)")
    ps.set_defaults(handler=_profile_set)
    pp = psub.add_parser("prior", help="开始使用年度以前到期的一次性事项:列出,或确认为以前年度已完成/仍需完成")
    pp.add_argument("item_ids", nargs="*", metavar="ITEM_ID", help="事项编号(不给则列出待确认的事项)")
    pp.add_argument("--done-before", dest="choice", action="store_const", const="以前年度已完成",
                    help="以前年度已完成(不计入任何年度)")
    pp.add_argument("--still-due", dest="choice", action="store_const", const="仍需完成", help="仍需完成(计入 --year 年度)")
    pp.add_argument("--note", default="", help="说明(可选),如 2021年已聘请法律顾问")
    pp.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年)")
    pp.set_defaults(handler=_profile_prior)
    psh = psub.add_parser("show", help="显示单位信息")
    psh.set_defaults(handler=_profile_show)
    p.set_defaults(handler=_profile_show)

    s = sub.add_parser("status", help="设置某事项某年度的完成情况")
    s.add_argument("item_id", metavar="ITEM_ID", help="事项编号,如 SZ2015-04-01")
    s.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年)")
    s.add_argument("--status", help="未开始 / 进行中 / 已完成 / 不适用 / 本年度未发生(按事件的事项)")
    s.add_argument("--reason", dest="na_reason", help="不适用的原因")
    s.add_argument("--actual", help="实际值")
    s.add_argument("--owner", help="责任人")
    s.add_argument("--completed-on", dest="completed_on",
                   help="完成日期 YYYY-MM-DD,须在该年度内且不晚于今天;以前年度标记为已完成时必须给出")
    s.add_argument("--note", help="工作情况说明")
    s.add_argument("--correction", help="更正原因:修改已报送年度时必须填写")
    s.set_defaults(handler=_status)

    ls = sub.add_parser("list", help="列出某年度的检查事项")
    ls.add_argument("--year", type=int, default=dt.date.today().year)
    ls.add_argument("--all", action="store_true", help="包括不适用于乡镇(仅供了解)的事项和不属于本单位适用文件的事项")
    ls.add_argument("--status", help="只列出此状态(也可用 未达标、本年度不检查、已退役)")
    ls.add_argument("--overdue", action="store_true", help="只列出逾期事项")
    ls.set_defaults(handler=_list)

    sh = sub.add_parser("show", help="显示某事项某年度的完整记录")
    sh.add_argument("item_id", metavar="ITEM_ID", help="事项编号,如 SZ2015-04-01")
    sh.add_argument("--year", type=int, default=dt.date.today().year, help="年度(默认今年)")
    sh.set_defaults(handler=_show)

    lg = sub.add_parser("log", help="显示变更记录")
    lg.add_argument("--item", help="事项编号")
    lg.add_argument("--year", type=int)
    lg.add_argument("--limit", type=int, default=50)
    lg.set_defaults(handler=_log)

    y = sub.add_parser("carry-forward", help="把上一年的责任人(和说明)沿用到新年度(不沿用状态)")
    y.add_argument("--from", dest="from_year", type=int, required=True)
    y.add_argument("--to", dest="to_year", type=int, required=True)
    y.add_argument("--notes", action="store_true", help="同时沿用工作情况说明")
    y.add_argument("--not-applicable", dest="not_applicable", action="store_true",
                   help="同时沿用“不适用”及其原因(只用于新年度仍为未开始的事项;其他状态从不沿用)")
    y.set_defaults(handler=_carry)


def _profile_set(args, ctx) -> int:
    from fazhi_desk.services.profile import set_profile

    fields = {k: getattr(args, k) for k in ("office_name", "county", "contact", "phone", "leader", "deputy", "preparer", "office_code") if getattr(args, k) is not None}
    if args.documents is not None:
        fields["binding_documents"] = _documents_arg(args.documents, ctx, fields.get("county"))
    if args.since is not None:
        from fazhi_desk.services.profile import set_since

        prof = set_since(ctx.store(), args.since)
        print(f"开始使用年度:{prof.since_year} 年(此前到期的一次性事项请用 fazhi-desk profile prior 确认一次)")
        if not fields:
            return 0
    if not fields:
        raise UserError("请至少给出一项\uff1a--office、--county、--code、--contact、--phone、--leader、--deputy、--preparer 或 --documents。")
    prof = set_profile(ctx.store(), **fields)
    print(f"已保存单位信息:{prof.office_name}({prof.county}),联系人 {prof.contact} {prof.phone}".rstrip())
    if prof.binding_documents is not None:
        print(f"适用文件:{'、'.join(prof.binding_documents) or '(无)'}")
    return 0


def _profile_prior(args, ctx) -> int:  # noqa: ANN001
    from fazhi_desk.services.submission import prior_candidates, set_prior

    store = ctx.store()
    if not args.item_ids:
        rows = prior_candidates(store, args.year)
        if not rows:
            print("没有待确认的事项。")
            return 0
        print(f"开始使用年度以前到期、尚未确认的一次性事项 {len(rows)} 项"
              "(用 --done-before 或 --still-due 加编号确认):")
        for r in rows:
            due = f"截止 {r.item.deadline}" if r.item.deadline else "无截止日期"
            print(f"  {r.item_id} {due} {r.item.requirement}")
        return 0
    if args.choice is None:
        raise UserError("请用 --done-before\uff08以前年度已完成\uff09或 --still-due\uff08仍需完成\uff09给出确认结果。")
    ids = [resolve(ctx, x) for x in args.item_ids]
    n = set_prior(store, ids, args.choice, note=args.note, due_year=args.year if args.choice == "仍需完成" else None)
    print(f"已确认 {n} 项为“{args.choice}”。")
    return 0


def _documents_arg(value: str, ctx, county: str | None) -> list[str]:  # noqa: ANN001
    """--documents: codes separated by commas, or "auto" for those issued in the office's county."""
    from fazhi_desk.services.catalogue import installed_documents
    from fazhi_desk.services.profile import get_profile, propose_binding_documents

    if value.strip().lower() != "auto":
        return [c for c in re.split(r"[,,、\s]+", value) if c]
    county = county if county is not None else get_profile(ctx.store()).county
    with ctx.store().session() as s:
        docs = installed_documents(s)
    codes, matched = propose_binding_documents(county, docs)
    if not matched:
        raise UserError(f"没有找到与所属县“{county}”同一地区发布的来源文件\uff0c请用 --documents 写出文件代码"
                        f"\uff08已安装\uff1a{'、'.join(d.code for d in docs)}\uff09。")
    return list(codes)


def _profile_show(args, ctx) -> int:
    from fazhi_desk.services.profile import get_profile

    prof = get_profile(ctx.store())
    if not prof.is_set:
        print("尚未设置单位信息。用 fazhi-desk profile set --office 名称 --county 县 --contact 联系人 设置。")
        return 0
    from fazhi_desk.services.profile import FIELD_NAMES

    for key, name in FIELD_NAMES.items():
        print(f"{name}:{getattr(prof, key)}")
    docs = "全部已安装的文件(尚未选择)" if prof.binding_documents is None else ("、".join(prof.binding_documents) or "(无)")
    print(f"适用文件:{docs}")
    return 0


def resolve(ctx, item_id: str) -> str:  # noqa: ANN001
    """The stored 编号 for what the user typed (any case); refuses an unknown one."""
    from fazhi_desk.services.checklist import resolve_item_id

    with ctx.store().session() as s:
        return resolve_item_id(s, item_id)


def _status(args, ctx) -> int:
    from fazhi_desk.domain.completion import Standing, below_target_reason
    from fazhi_desk.domain.dates import CompletionDateRequired
    from fazhi_desk.services.checklist import load_row, set_fields

    changes = {k: getattr(args, k) for k in ("status", "na_reason", "actual", "owner", "completed_on", "note")
               if getattr(args, k) is not None}
    if not changes:
        raise UserError("请至少给出一项要修改的内容\uff0c如 --status 已完成。")
    store = ctx.store()
    item_id = resolve(ctx, args.item_id)
    try:
        old = set_fields(store, item_id, args.year, changes, reason=args.correction)
    except CompletionDateRequired as e:
        raise UserError(f"{e.message}请用 --completed-on YYYY-MM-DD 给出\uff0c记不清具体日期时可用年末\uff1a"
                        f"--completed-on {e.year}-12-31。") from None
    with store.session() as s:
        row = load_row(s, item_id, args.year)
    print(f"{row.item_id} {args.year} 年:{row.status_text}" + ("" if old else "(没有变化)"))
    if row.completion.standing is Standing.BELOW_TARGET:
        print(f"注意:{below_target_reason(row.item, row.actual)}")
    return 0


def _wanted(text: str):  # noqa: ANN202
    """``list --status``: a status, or one of the rule's other words (未达标, 本年度不检查, 已退役)."""
    from fazhi_desk.domain.completion import Standing
    from fazhi_desk.services.checklist import status_error

    t = text.strip()
    try:
        return Status.parse(t)
    except ValueError:
        pass
    for st in (Standing.BELOW_TARGET, Standing.NOT_DUE, Standing.RETIRED):
        if t == st.value:
            return st
    raise UserError(status_error(text) + "\uff08也可用 未达标、本年度不检查、已退役\uff09")


def _list(args, ctx) -> int:
    from fazhi_desk.domain.completion import Scope, Standing, check_year
    from fazhi_desk.services.checklist import load_year

    check_year(args.year)
    want = _wanted(args.status) if args.status else None
    with ctx.store().session() as s:
        rows = load_year(s, args.year)
    n = 0
    for r in (Scope.ALL if args.all else Scope.OFFICE).select(rows):
        if isinstance(want, Status) and (r.status is not want or r.completion.standing in (
                Standing.RETIRED, Standing.BELOW_TARGET, Standing.NOT_DUE)):
            continue  # 已完成 lists what counts as done; 未达标, 已退役 and history are asked for by name
        if isinstance(want, Standing) and r.completion.standing is not want:
            continue
        if args.overdue and not r.overdue:
            continue
        c = r.completion
        flag = ("逾期" if c.overdue else "未达标" if c.standing is Standing.BELOW_TARGET
                else "已退役" if c.standing is Standing.RETIRED else "")
        print(f"{r.item_id}\t{r.status_text}\t{flag}\t{r.item.township_role.value}\t{r.item.requirement}")
        n += 1
    print(f"共 {n} 项")
    return 0


def _show(args, ctx) -> int:
    from fazhi_desk.services.activity import activity_lines
    from fazhi_desk.services.checklist import item_record

    store = ctx.store()
    item_id = resolve(ctx, args.item_id)
    for line in [*item_record(store, item_id, args.year), *activity_lines(store, item_id, args.year)]:
        print(line)
    return 0


def _log(args, ctx) -> int:
    from fazhi_desk.services.checklist import LOG_FIELD_NAMES, change_log

    item_id = resolve(ctx, args.item) if args.item else None
    with ctx.store().session() as s:
        for c in reversed(change_log(s, item_id, args.year, args.limit)):
            name = LOG_FIELD_NAMES.get(c.field, c.field)
            print(f"{c.at:%Y-%m-%d %H:%M:%S}\t{c.user}\t{c.item_id or ''}\t{c.year or ''}\t{name}:{c.old_value} → {c.new_value}")
    return 0


def _carry(args, ctx) -> int:
    from fazhi_desk.services.checklist import carry_forward

    n = carry_forward(ctx.store(), args.from_year, args.to_year, owners=True, notes=args.notes,
                      not_applicable=args.not_applicable)
    what = "责任人" + ("、说明" if args.notes else "") + ("、“不适用”及其原因" if args.not_applicable else "")
    print(f"已把 {args.from_year} 年的{what}沿用到 {args.to_year} 年:{n} 项。")
    return 0
