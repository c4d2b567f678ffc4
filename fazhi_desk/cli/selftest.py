"""``fazhi-desk --self-test``: prove that a build (frozen or not) works on this PC.

In a throw-away data directory it runs the migrations, loads the bundled
catalogues, sets the office profile, sets an item's status, writes the annual
report and reads it back; then it starts Qt on the current platform plugin
(``QT_QPA_PLATFORM``; ``offscreen`` in tests) with a main window and a chart,
and loads the ``qtbase_zh_CN`` translation. Each check prints one line, ✓ or ✗,
in Chinese and English; the exit status is 0 only when every check passed.

Nothing outside the temporary directory is touched. Qt is imported only inside
the Qt checks, so importing this module (as the CLI does) loads no Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from fazhi_desk import APP_TITLE, __version__
from fazhi_desk.errors import UserError

SELF_TEST_OFFICE = "自检镇"
REPORT_MODULE = "fazhi_desk.services.report"


def register(sub: argparse._SubParsersAction) -> None:
    """The self-test is the top-level ``--self-test`` flag (see ``cli.build_parser``); no subcommand."""


class CheckFailed(Exception):
    """A check ran but its result was wrong; the message says what was found (Chinese / English)."""


@dataclass
class SelfTestState:
    """What one check hands to the next."""

    tmp: Path
    store: object = None
    year: int = field(default_factory=lambda: dt.date.today().year)
    item_id: str = ""
    bundled_items: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    title: str
    detail: str


def _fmt_error(e: BaseException) -> str:
    if isinstance(e, (UserError, CheckFailed)):
        return str(e)
    frame = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{type(e).__name__}: {e}{where}"


# ----------------------------------------------------------------- the checks

def check_migrations(st: SelfTestState) -> str:
    from fazhi_desk.paths import DataDir
    from fazhi_desk.store.db import _current_revision, head_revision, open_store

    data = DataDir(st.tmp / "data").ensure()
    st.store = open_store(data)
    head = head_revision()
    current = _current_revision(data.db)
    if not head or current != head:
        raise CheckFailed(f"数据库版本 {current},应为 {head} / database at revision {current}, expected {head}")
    return f"数据库版本 {head} / schema at revision {head}"


def check_catalogues(st: SelfTestState) -> str:
    from sqlalchemy import func, select

    from fazhi_desk.catalogue.schema import bundled_catalogues
    from fazhi_desk.paths import resource_path
    from fazhi_desk.services.catalogue import install_bundled
    from fazhi_desk.store.models import ItemRow

    folder = resource_path("catalogues")
    cats = bundled_catalogues()
    codes = install_bundled(st.store)  # type: ignore[arg-type]
    with st.store.session() as s:  # type: ignore[attr-defined]
        n = s.scalar(select(func.count()).select_from(ItemRow)) or 0
    st.bundled_items = n
    if not cats or n == 0:
        raise CheckFailed(
            f"没有内置检查目录:“{folder}”中没有 .json 目录文件(或文件中没有事项),程序打包不完整 / "
            f"no bundled catalogue items: no *.json catalogue in {folder}"
        )
    return f"{len(codes)} 个目录({'、'.join(codes)}),{n} 项 / {len(codes)} catalogues, {n} items"


def _ensure_some_item(st: SelfTestState) -> None:
    """Without bundled items, install a one-item catalogue so the later checks still exercise the store."""
    if st.bundled_items:
        return
    from sqlalchemy import select

    from fazhi_desk.catalogue.schema import Catalogue
    from fazhi_desk.domain.model import Cycle, Item, SourceDocument
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.models import ItemRow

    with st.store.transaction() as s:  # type: ignore[attr-defined]
        if s.scalar(select(ItemRow.item_id).limit(1)) is not None:
            return
        doc = SourceDocument(code="ZJ0000", title="自检文件", doc_number="自检〔0000〕1号", issuer="自检",
                             date=dt.date(st.year, 1, 1), version="1", source_text="")
        item = Item(item_id="ZJ0000-01-01", doc_code="ZJ0000", chapter="一、自检", article_no=1,
                    article_title="自检", requirement="每年自检一次", cycle=Cycle.YEARLY)
        install_new_document(s, Catalogue(document=doc, items=(item,)), source_file="self-test")
    st.notes.append("后续检查使用了临时的自检事项 / later checks used a stand-in item")


def check_profile(st: SelfTestState) -> str:
    from fazhi_desk.services.profile import get_profile, set_profile

    set_profile(st.store, office_name=SELF_TEST_OFFICE, county="自检县", contact="张三", phone="0000")  # type: ignore[arg-type]
    prof = get_profile(st.store)  # type: ignore[arg-type]
    if prof.office_name != SELF_TEST_OFFICE or prof.county != "自检县":
        raise CheckFailed(f"读回的单位信息不符:{prof} / profile read back wrong")
    return f"{prof.office_name}({prof.county})"


def check_status(st: SelfTestState) -> str:
    from fazhi_desk.domain.model import Status
    from fazhi_desk.services.checklist import load_row, load_year, set_fields

    _ensure_some_item(st)
    with st.store.session() as s:  # type: ignore[attr-defined]
        rows = load_year(s, st.year)
    if not rows:
        raise CheckFailed(f"{st.year} 年没有检查事项 / no items in {st.year}")
    row = next((r for r in rows if r.item.applies_to_township), rows[0])
    st.item_id = row.item_id
    set_fields(st.store, row.item_id, st.year, {"status": Status.DONE, "note": "自检写入"}, user="self-test")  # type: ignore[arg-type]
    with st.store.session() as s:  # type: ignore[attr-defined]
        back = load_row(s, row.item_id, st.year)
    if back.status is not Status.DONE or back.note != "自检写入":
        raise CheckFailed(f"读回状态为 {back.status.value} / status read back as {back.status.name}")
    return f"{row.item_id} {st.year} 年 → {back.status.value}"


def _cells_text(path: Path) -> list[str]:
    from openpyxl import load_workbook

    # Full (not read-only) mode: it reads every row whatever the sheet's <dimension> claims, as Excel does.
    wb = load_workbook(path)
    try:
        return [str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v is not None]
    finally:
        wb.close()


def _report_module():
    """The annual-report service, or None while it does not exist in this build."""
    import importlib

    try:
        return importlib.import_module(REPORT_MODULE)
    except ModuleNotFoundError as e:
        if e.name == REPORT_MODULE:
            return None
        raise


def check_report(st: SelfTestState) -> str:
    out = st.tmp / f"自检-{st.year}年度报告.xlsx"
    mod = _report_module()
    if mod is not None and hasattr(mod, "export_report"):
        from fazhi_desk.jobs import JobContext

        mod.export_report(JobContext(), st.store, st.year, out)
        kind = "年度报告"
    else:
        _minimal_workbook(out, st)
        kind = "简易工作簿(年度报告模块尚未提供)"
        st.notes.append("年度报告模块缺失,只做了 openpyxl 读写 / annual report module missing: plain openpyxl round-trip")
    cells = _cells_text(out)
    if not any(st.item_id in c for c in cells):
        raise CheckFailed(f"读回的“{out.name}”中找不到事项 {st.item_id} / item {st.item_id} not found in the report")
    return f"{kind} {out.stat().st_size} 字节,{len(cells)} 个单元格 / {out.stat().st_size} bytes, {len(cells)} cells"


def _minimal_workbook(out: Path, st: SelfTestState) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"{st.year}年度"
    ws.append(["事项编号", "状态", "单位"])
    ws.append([st.item_id, "已完成", SELF_TEST_OFFICE])
    from fazhi_desk.fileio import atomic_write

    with atomic_write(out) as tmp:
        wb.save(tmp)


def check_qt(st: SelfTestState) -> str:
    from fazhi_desk.ui.selfcheck import check_qt_gui

    return check_qt_gui()


def check_translation(st: SelfTestState) -> str:
    from fazhi_desk.ui.selfcheck import check_qt_translation

    return check_qt_translation()


CHECKS: tuple[tuple[str, Callable[[SelfTestState], str]], ...] = (
    ("数据库迁移 / database migrations", check_migrations),
    ("内置检查目录 / bundled catalogues", check_catalogues),
    ("单位信息 / office profile", check_profile),
    ("事项状态 / item status", check_status),
    ("年度报告写入与读回 / annual report write and read back", check_report),
    ("图形界面 / Qt GUI", check_qt),
    ("中文界面翻译 / Chinese Qt translation", check_translation),
)
NEEDS_STORE = {check_profile, check_status, check_report}


def run_checks(print_line: Callable[[str], None] = print) -> list[CheckResult]:
    """Run every check in a temporary directory; print one ✓/✗ line per check and return the results."""
    frozen = bool(getattr(sys, "frozen", False))
    print_line(f"{APP_TITLE} fazhi-desk {__version__} 自检 / self-test"
               f"({'打包版' if frozen else '源码'} / {'frozen' if frozen else 'source'},Python {sys.version.split()[0]})")
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(prefix="fazhi-desk-selftest-", ignore_cleanup_errors=True) as tmp:
        st = SelfTestState(tmp=Path(tmp))
        try:
            for title, fn in CHECKS:
                if fn in NEEDS_STORE and st.store is None:
                    res = CheckResult(False, title, "数据库未能打开,跳过 / skipped: the store did not open")
                else:
                    try:
                        res = CheckResult(True, title, fn(st))
                    except Exception as e:  # every failure becomes a ✗ line; the next check still runs
                        res = CheckResult(False, title, _fmt_error(e))
                results.append(res)
                print_line(f"{'✓' if res.ok else '✗'} {res.title}:{res.detail}")
        finally:
            if st.store is not None:
                st.store.close()  # type: ignore[attr-defined]
        for note in st.notes:
            print_line(f"  注意 / note:{note}")
    passed = sum(r.ok for r in results)
    if passed == len(results):
        print_line(f"自检通过 / self-test passed ({passed}/{len(results)})")
    else:
        print_line(f"自检未通过 / self-test FAILED ({passed}/{len(results)} passed)")
    return results


def self_test() -> int:
    """Exit status 0 when every check passed, 1 otherwise."""
    results = run_checks(lambda line: print(line, flush=True))
    return 0 if all(r.ok for r in results) else 1
