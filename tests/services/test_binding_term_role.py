"""适用文件, 施行期限 and 乡镇角色 over the bundled catalogues: what the checklist, dashboard and report count.

A 柞水 township is bound by 柞水's plan only; its 2022—2025 term ends, after
which nothing of it falls due (past years keep their data); 仅供了解 items are
shown on demand but never counted. The report is written and read back.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from fazhi_desk.catalogue.schema import bundled_catalogues
from fazhi_desk.domain.model import TownshipRole
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.annual import SHEET_CHECKLIST, SHEET_SUMMARY, SUMMARY_HEADERS
from fazhi_desk.services.checklist import load_year, set_fields
from fazhi_desk.services.profile import get_profile, propose_binding_documents, set_binding, set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.services.summary import summarize

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def zs_store(store):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    return store


def _rows(ws):
    head = [c.value for c in ws[1]]
    return head, [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def _report(store, year, tmp_path, today=TODAY):
    out = tmp_path / f"{year}.xlsx"
    export_report(JobContext(), store, year, out, today=today)
    return openpyxl.load_workbook(out)


def test_proposal_follows_the_county():
    docs = [c.document for c in bundled_catalogues()]
    assert propose_binding_documents("柞水县", docs) == (("ZS2022",), True)
    assert propose_binding_documents("陕西省商洛市柞水县", docs) == (("ZS2022",), True)
    assert propose_binding_documents("苏州市吴中区", docs) == (("SZ2015",), True)  # the city's opinion binds
    assert propose_binding_documents("某某县", docs) == (("SZ2015", "ZS2022"), False)


def test_profile_keeps_the_choice_and_refuses_unknown_codes(store):
    assert get_profile(store).binding_documents is None  # not chosen: every document counts, as before
    set_profile(store, office_name="乾佑街道办事处", binding_documents=["zs2022"])
    assert get_profile(store).binding_documents == ("ZS2022",)
    from fazhi_desk.errors import UserError

    with pytest.raises(UserError, match="XX2020"):
        set_profile(store, binding_documents=["XX2020"])
    assert get_profile(store).binding_documents == ("ZS2022",)
    assert set_binding(store, "SZ2015", True).binding_documents == ("SZ2015", "ZS2022")
    assert set_binding(store, "SZ2015", False).binding_documents == ("ZS2022",)


def test_only_binding_documents_count_and_info_items_never(zs_store):
    with zs_store.session() as s:
        rows = load_year(s, 2025, TODAY)
    assert {r.item.doc_code for r in rows} == {"SZ2015", "ZS2022"}  # the other document stays installed
    assert all(r.binding == (r.item.doc_code == "ZS2022") for r in rows)
    counted = [r for r in rows if r.in_scope]
    zs = bundled_catalogues()[1]
    assert len(counted) == sum(1 for i in zs.items if i.township_role is not TownshipRole.INFO) == 88
    total = summarize(rows, 2025, TODAY).total
    assert total.items == len(counted) and total.applicable == len([r for r in counted if r.due])
    assert [t.label for t in summarize(rows, 2025, TODAY).by_document] == [zs.document.title]


def test_report_reads_back_binding_documents_roles_and_the_term(zs_store, tmp_path):
    set_fields(zs_store, "ZS2022-27-02", 2024, {"status": "已完成", "note": "2024年度报告已公开", "completed_on": "2024-03-31"})
    wb = _report(zs_store, 2025, tmp_path)
    head, rows = _rows(wb[SHEET_CHECKLIST])
    ids = {r["编号"] for r in rows}
    assert ids and all(i.startswith("ZS2022-") for i in ids)  # Suzhou's opinion does not bind a 柞水 township
    assert "ZS2022-09-01" not in ids  # 仅供了解: county departments only
    roles = {r["编号"]: r["乡镇角色"] for r in rows}
    assert roles["ZS2022-01-01"] == "参加" and roles["ZS2022-28-02"] == "牵头"
    assert set(roles.values()) == {"牵头", "参加"}
    # after the term: nothing is due, nothing overdue; the past year keeps its data
    wb = _report(zs_store, 2026, tmp_path, today=dt.date(2026, 6, 1))
    _, rows = _rows(wb[SHEET_CHECKLIST])
    assert {r["状态"] for r in rows} == {"本年度不检查"}
    total = [r for r in wb[SHEET_SUMMARY].iter_rows(values_only=True) if r[0] == "总计"][0]
    assert total[SUMMARY_HEADERS.index("逾期")] == 0
    assert total[SUMMARY_HEADERS.index("本年度不检查")] == len(rows)
    wb = _report(zs_store, 2024, tmp_path, today=dt.date(2026, 6, 1))
    _, rows = _rows(wb[SHEET_CHECKLIST])
    row = next(r for r in rows if r["编号"] == "ZS2022-27-02")
    assert row["状态"].startswith("已完成") and row["工作情况说明"] == "2024年度报告已公开"


def test_after_the_term_the_year_has_no_due_or_overdue_items(zs_store):
    with zs_store.session() as s:
        rows_2025 = load_year(s, 2025, dt.date(2026, 3, 1))
        rows_2026 = load_year(s, 2026, dt.date(2026, 3, 1))
    assert any(r.overdue for r in rows_2025 if r.in_scope)  # 2025's one-time items are overdue in 2026 …
    assert not any(r.due or r.overdue for r in rows_2026 if r.item.doc_code == "ZS2022")  # … 2026 has none
    assert all(r.due for r in rows_2026 if r.item.doc_code == "SZ2015" and r.item.cycle.value == "每年")
    total = summarize(rows_2026, 2026, dt.date(2026, 3, 1)).total
    assert total.items == total.not_due == 88 and total.applicable == 0 and total.overdue == 0
