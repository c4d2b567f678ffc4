"""The dashboard, the annual report (read back from the xlsx), the written report and the checklist tree
give the same numbers, and the item panel says what they count.

Before the completion rule moved into domain/, a biennial item done in its off year gave the dashboard
0 % and the report 50 % for the same year; each view counted in its own way. A one-time item done in an
earlier year is history: shown as 已完成(2025年) everywhere and counted nowhere (it used to count as done in
every later year, although its panel said the year did not check it).
"""

from __future__ import annotations

import datetime as dt

import openpyxl

from fazhi_desk.catalogue.schema import Catalogue
from fazhi_desk.domain.model import Cycle, Item, SourceDocument
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.reports.annual import SHEET_CHECKLIST, SHEET_SUMMARY
from fazhi_desk.services.catalogue import install_new_document
from fazhi_desk.services.annual_text import draft_input, drafts
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.store.db import open_store
from tests.ui.helpers import open_window

YEAR = 2024
TODAY = dt.date(2025, 1, 15)  # the year is over: what is not done is overdue


def _catalogue() -> Catalogue:
    doc = SourceDocument(code="RR2020", title="规则测试文件", doc_number="测〔2020〕2号", issuer="测试机关",
                         date=dt.date(2020, 3, 1), version="1.0")

    def it(n: str, chapter: str, cycle: Cycle, **kw) -> Item:
        return Item(item_id=f"RR2020-{n}", doc_code="RR2020", chapter=chapter, article_no=int(n[:2]),
                    article_title="条", requirement=f"事项{n}", cycle=cycle, **kw)

    return Catalogue(document=doc, items=(
        it("01-01", "一、每年", Cycle.YEARLY),  # done
        it("01-02", "一、每年", Cycle.YEARLY),  # not started → overdue
        it("01-03", "一、每年", Cycle.YEARLY),  # not applicable
        it("02-01", "二、每两年", Cycle.BIENNIAL, first_year=2020),  # on year, in progress → overdue
        it("02-02", "二、每两年", Cycle.BIENNIAL, first_year=2021),  # off year, done anyway
        it("02-03", "二、每两年", Cycle.BIENNIAL, first_year=2021),  # off year, untouched → not due
        it("03-01", "三、一次性", Cycle.ONCE, deadline=dt.date(2022, 6, 30)),  # done in 2022
        it("04-01", "四、按事件", Cycle.PER_EVENT),  # done
        it("04-02", "四、按事件", Cycle.PER_EVENT),  # not applicable
    ))


def _seed(tmp_path):
    st = open_store(DataDir(tmp_path / "d").ensure())
    with st.transaction() as s:
        install_new_document(s, _catalogue(), source_file="test")
    set_profile(st, office_name="营盘镇", county="柞水县")
    done = {"status": "已完成", "completed_on": "2024-10-08"}
    set_fields(st, "RR2020-01-01", YEAR, done)
    set_fields(st, "RR2020-01-03", YEAR, {"status": "不适用", "na_reason": "本镇无此职能"})
    set_fields(st, "RR2020-02-01", YEAR, {"status": "进行中"})
    set_fields(st, "RR2020-02-02", YEAR, done)
    set_fields(st, "RR2020-03-01", 2022, {"status": "已完成", "completed_on": "2022-05-01"})
    set_fields(st, "RR2020-04-01", YEAR, done)
    set_fields(st, "RR2020-04-02", YEAR, {"status": "不适用", "na_reason": "本年度未制定规范性文件"})
    return st


def test_dashboard_report_and_tree_agree(qtbot, tmp_path):
    st = _seed(tmp_path)
    try:
        win = open_window(qtbot, st, tmp_path, YEAR, TODAY)

        # the tree: the document node's done/total
        doc_node = win.model.top_nodes()[0]
        tree = (doc_node.done, doc_node.total, doc_node.overdue)

        # the dashboard, as shown
        dash = win.show_dashboard()
        t = dash.summary.total
        board = (t.done, t.applicable, t.overdue)
        assert dash.t_done.value.text() == f"{t.done}/{t.applicable}"

        # the report, read back from the file
        out = tmp_path / "报告.xlsx"
        export_report(JobContext(), st, YEAR, out, today=TODAY)
        wb = openpyxl.load_workbook(out)
        sm = wb[SHEET_SUMMARY]
        rows = list(sm.iter_rows(values_only=True))
        head = next(r for r in rows if r[0] == "文件" and r[1] == "章 / 节")
        total = dict(zip(head, next(r for r in rows if r[0] == "总计")))
        report = (total["已完成"], total["应完成"], total["逾期"])

        # done: 01-01, 02-02 (off-year work), 04-01; counted: those + 01-02, 02-01;
        # 03-01 (done in 2022) is history, not counted again
        assert tree == board == report == (3, 5, 2)
        assert total["完成率"] == dash.summary.total.rate
        assert dash.t_rate.value.text() == "60.0%"
        assert (total["不适用"], total["本年度不检查"]) == (2, 2)
        # the written report counts the same (it used to compare status words on its own)
        assert "全年应完成检查事项5项\uff0c已完成3项\uff0c完成率60.0%" in drafts(st, YEAR, TODAY)["measures"]

        ck = wb[SHEET_CHECKLIST]
        heads = [c.value for c in ck[1]]
        rows = {r[0]: r for r in ck.iter_rows(min_row=2, values_only=True)}
        status = {k: r[heads.index("状态")] for k, r in rows.items()}  # one word; 逾期 has its own column
        assert status["RR2020-02-02"] == "已完成"
        assert status["RR2020-02-03"] == "本年度不检查"
        assert status["RR2020-03-01"] == "本年度不检查"
        assert "2022年已完成" in rows["RR2020-03-01"][heads.index("工作情况说明")]
        assert status["RR2020-02-01"] == "进行中" and rows["RR2020-02-01"][heads.index("逾期")] == "是"
        # the tree says each state in the same words (the report's 逾期 column is the tree's “(逾期)”)
        for item_id, text in status.items():
            shown = text + ("(逾期)" if rows[item_id][heads.index("逾期")] == "是" else "")
            if item_id == "RR2020-03-01":
                shown = "已完成(2022年)"
            assert win.model.index_for_item(item_id).siblingAtColumn(1).data() == shown
    finally:
        st.close()


HISTORY = "ZS2022-29-01"  # 一次性, deadline 2025-12-31, in 柞水's plan (term 2022—2025)


def test_a_one_time_item_done_last_year_is_history_in_every_view(qtbot, store, tmp_path):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["SZ2015", "ZS2022"])
    set_fields(store, HISTORY, 2025, {"status": "已完成", "completed_on": "2025-09-10"})
    set_fields(store, "SZ2015-04-01", 2026, {"status": "已完成", "actual": 4, "completed_on": "2026-02-10"})
    today = dt.date(2026, 3, 1)
    win = open_window(qtbot, store, tmp_path, 2026, today)

    # the panel: not checked this year, done in 2025
    assert win.select_item(HISTORY)
    assert "\uff082026 年不检查\uff09" in win.detail.lbl_cycle.text()
    assert "已于 2025 年完成" in win.detail.done_before_lbl.text()
    # the tree: shown as done in 2025, not counted in 2026
    assert win.model.index_for_item(HISTORY).siblingAtColumn(1).data() == "已完成(2025年)"
    zs = next(n for n in win.model.top_nodes() if n.key == "ZS2022")
    assert (zs.done, zs.total) == (0, 0)
    tree = sum(n.done for n in win.model.top_nodes()), sum(n.total for n in win.model.top_nodes())
    # the overview
    t = win.show_dashboard().summary.total
    assert (t.done, t.applicable) == tree and t.done == 1
    # the workbook
    out = tmp_path / "2026.xlsx"
    export_report(JobContext(), store, 2026, out, today=today)
    wb = openpyxl.load_workbook(out)
    rows = list(wb[SHEET_SUMMARY].iter_rows(values_only=True))
    head = next(r for r in rows if r[0] == "文件" and r[1] == "章 / 节")
    total = dict(zip(head, next(r for r in rows if r[0] == "总计")))
    assert (total["已完成"], total["应完成"]) == tree
    ck = wb[SHEET_CHECKLIST]
    heads = [c.value for c in ck[1]]
    row = next(r for r in ck.iter_rows(min_row=2, values_only=True) if r[0] == HISTORY)
    assert row[heads.index("状态")] == "本年度不检查" and "2025年已完成" in row[heads.index("工作情况说明")]
    # the written report: not a 2026 achievement, the same counts
    text = drafts(store, 2026, today)["measures"]
    assert "建立行政工作人员应知应会法律法规清单" not in text
    assert f"全年应完成检查事项{tree[1]}项\uff0c已完成1项" in text
    assert not any(r.item_id == HISTORY for r in draft_input(store, 2026, today).next_year)
