"""得分: where a document weighs its items (a county's 考核 table), the dashboard and the annual report
show the points earned beside the completion rate, by the one completion rule: a done item earns its
分值; 未达标 and unfinished items earn none; 不适用 and 本年度未发生 leave the total."""

from __future__ import annotations

import datetime as dt

import openpyxl

from fazhi_desk.catalogue.schema import Catalogue
from fazhi_desk.domain.completion import Standing, Tally
from fazhi_desk.domain.model import Cycle, Item, SourceDocument
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.reports.annual import SHEET_SUMMARY
from fazhi_desk.services.catalogue import install_new_document
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.store.db import open_store
from tests.ui.helpers import open_window

YEAR = 2024
TODAY = dt.date(2025, 1, 15)


def test_tally_scores_by_the_rule():
    t = Tally()
    t.add(Standing.DONE, score=5)
    t.add(Standing.BELOW_TARGET, score=4)
    t.add(Standing.NOT_STARTED, True, score=3)
    t.add(Standing.NOT_APPLICABLE, score=10)
    t.add(Standing.NO_EVENT, score=10)
    t.add(Standing.DONE)  # no score: counts for the rate, not for points
    assert (t.score_earned, t.score_total, t.scored) == (5, 12, 3)
    assert t.score_text() == "得分 5/12"
    assert Tally().score_text() == ""


def _catalogue() -> Catalogue:
    doc = SourceDocument(code="KH2023", title="考核细则", doc_number="", issuer="柞水县", date=dt.date(2023, 3, 1),
                         version="1.0")

    def it(n: str, cycle: Cycle, score: float, **kw) -> Item:
        return Item(item_id=f"KH2023-01-{n}", doc_code="KH2023", chapter="一、依法决策", article_no=1,
                    requirement=f"考核内容{n}", cycle=cycle, score=score, **kw)

    return Catalogue(document=doc, items=(
        it("01", Cycle.YEARLY, 5),  # done: 5
        it("02", Cycle.YEARLY, 4, target=4, unit="次"),  # done with actual 2: 未达标, 0
        it("03", Cycle.YEARLY, 3),  # not started: 0
        it("04", Cycle.PER_EVENT, 6),  # 本年度未发生: out of the total
        it("05", Cycle.YEARLY, 2),  # 不适用: out of the total
    ))


def test_dashboard_and_report_show_the_same_points(qtbot, tmp_path):
    st = open_store(DataDir(tmp_path / "d").ensure())
    try:
        with st.transaction() as s:
            install_new_document(s, _catalogue(), source_file="test")
        set_profile(st, office_name="营盘镇", county="柞水县")
        set_fields(st, "KH2023-01-01", YEAR, {"status": "已完成", "completed_on": "2024-10-08"})
        set_fields(st, "KH2023-01-02", YEAR, {"status": "已完成", "completed_on": "2024-10-08", "actual": 2})
        set_fields(st, "KH2023-01-04", YEAR, {"status": "本年度未发生"})
        set_fields(st, "KH2023-01-05", YEAR, {"status": "不适用", "na_reason": "本镇无此职能"})

        win = open_window(qtbot, st, tmp_path, YEAR, TODAY)
        dash = win.show_dashboard()
        assert not dash.t_score.isHidden()
        assert dash.t_score.value.text() == "5/12"
        assert dash.t_rate.value.text() == "33.3%"  # 1 done of 3 counted

        out = tmp_path / "报告.xlsx"
        export_report(JobContext(), st, YEAR, out, today=TODAY)
        sm = openpyxl.load_workbook(out)[SHEET_SUMMARY]
        text = "\n".join(str(v) for row in sm.iter_rows(values_only=True) for v in row if v)
        assert "得分 5/12(有分值的 3 项)" in text
    finally:
        st.close()
