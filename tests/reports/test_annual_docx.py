"""The written annual report: sections in the store, drafts that never overwrite the user, the .docx read back."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from docx import Document
from docx.shared import Pt

from fazhi_desk.domain.annual import SECTIONS
from fazhi_desk.domain.completion import Scope
from fazhi_desk.domain.model import Cycle
from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.drafts import next_year_rows
from fazhi_desk.services.annual_text import (
    UnfinishedReport,
    draft_input,
    drafts,
    export_docx,
    load_annual_text,
    regenerate,
    report_problems,
    save_section,
    section_views,
    set_submit_date,
)
from fazhi_desk.services.checklist import change_log, load_year, set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.services.statistics import set_statistic

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def office(store):
    set_profile(store, office_name="乾佑街道办事处", county="柞水县", contact="王敏", phone="0914-1234567",
                leader="赵一", deputy="钱二", preparer="孙三")
    set_fields(store, "SZ2015-04-01", 2025, {"status": "已完成", "actual": 4, "completed_on": "2025-12-01",
                                             "note": "全年组织领导干部集中学法4次,邀请县司法局讲解行政处罚法。"})
    set_fields(store, "SZ2015-04-02", 2025, {"status": "进行中", "note": "因疫情推迟一次培训。"})
    set_statistic(store, 2025, "MEDIATION", 57)
    set_statistic(store, 2025, "LEADER_MEETINGS", 4)
    return store


def test_drafts_are_assembled_from_the_years_data(office):
    t = drafts(office, 2025, TODAY)
    measures = t["measures"]
    # written from what was done: the note (not the plan's wording), the statistics as phrases, by theme
    assert "全年组织领导干部集中学法4次\uff0c邀请县司法局讲解行政处罚法。" in measures
    assert "\uff08一\uff09抓好学法用法\uff0c提升依法行政能力" in measures
    assert "调解矛盾纠纷57件" in measures
    assert "每年安排领导干部集中学法不少于4次" not in measures
    assert "因疫情推迟一次培训" not in measures  # an unfinished item's note is a reason, not a result
    short = t["shortcomings"]
    assert "每年组织工作人员法律培训不少于40学时" in short and "因疫情推迟一次培训" in short
    assert "专题研究法治建设4次" in t["responsibility"]
    assert "【请填写主要负责人学法讲法次数\u3001述法人次】" in t["responsibility"]
    assert "2026年" in t["next_year"]
    assert load_annual_text(office, 2025).section("measures").text == ""  # drafting stores nothing


def test_next_year_plan_lists_the_items_judged_due_next_year(office):
    """An office bound by both documents, reporting on 2025: 柞水's plan ends in 2025, so its items are not
    next year's work and the plan is not next year's basis (the draft used to list 24 of them for 2026)."""
    set_profile(office, binding_documents=["SZ2015", "ZS2022"])
    inp = draft_input(office, 2025, TODAY)
    with office.session() as s:
        judged = Scope.OFFICE.select(load_year(s, 2026, TODAY))
    # due next year and still to do; an ongoing item is no new arrangement, and an item whose deadline has
    # passed goes with this year's unfinished work
    expected = {r.item_id for r in judged if r.due and r.completion.standing.outstanding
                and r.item.cycle is not Cycle.ONGOING and r.due_date.year >= 2026}
    planned = [r.item_id for r in next_year_rows(inp)]
    assert sorted(planned) == sorted(expected)
    assert expected and {i.split("-")[0] for i in expected} == {"SZ2015"}
    # what the section says is that list: per theme, the items named in quotes or "等N项"
    text = drafts(office, 2025, TODAY)["next_year"]
    listed = 0
    for line in re.findall(r"^\d+\.(.*方面.*)$", text, re.M):
        more = re.search(r"等(\d+)项工作", line)
        listed += int(more.group(1)) if more else line.count("\u201c")
    assert listed == len(expected)
    assert 5 <= len(re.findall(r"^\d+\.", text, re.M)) <= 8
    for r in judged:
        if r.item.doc_code == "ZS2022":
            assert f"\u201c{r.item.requirement.rstrip('。')}" not in text
    basis = text.splitlines()[0]
    assert basis.startswith("2026年\uff0c乾佑街道办事处将继续对照《苏州市") and "柞水县法治政府建设实施方案" not in basis
    assert "柞法治委发〔2022〕4号\uff09施行期限已于2025年届满" in text
    # this year's work is still reported against both documents
    assert {t for t, _n in inp.documents} == {r.document.title for r in judged}


def test_regenerating_never_overwrites_what_the_user_wrote_unless_told(office):
    assert regenerate(office, 2025, today=TODAY).replaced == ()  # nothing stored: the drafts are live already
    save_section(office, 2025, "measures", "我们自己写的总结。", today=TODAY)
    set_statistic(office, 2025, "MEDIATION", 60)  # the data change: a fresh draft would differ
    r = regenerate(office, 2025, today=TODAY)
    assert r.kept_edited == ("measures",)
    assert load_annual_text(office, 2025).section("measures").text == "我们自己写的总结。"
    r = regenerate(office, 2025, ("measures",), overwrite=("measures",), today=TODAY)
    assert r.replaced == ("measures",)
    assert "调解矛盾纠纷60件" in section_views(office, 2025, TODAY)["measures"].text
    with office.session() as s:
        fields = [c.field for c in change_log(s, year=2025)]
    assert fields.count("年度报告·主要举措和成效") == 2  # the edit, and putting the draft back


def test_drafted_paragraphs_stay_live_and_an_edited_one_with_old_figures_is_flagged(office, tmp_path):
    """The same export gave a workbook with one count and a .docx with another: drafted figures now follow the
    data until the clerk edits that paragraph; an edited paragraph whose figures changed is named at export."""
    view = section_views(office, 2025, TODAY)["measures"]
    lines = view.text.splitlines()
    mediation = next(n for n, ln in enumerate(lines) if "调解矛盾纠纷57件" in ln)
    lines[mediation] = lines[mediation].replace("57件", "57件\uff0c同比增长10%")
    save_section(office, 2025, "measures", "\n".join(lines), today=TODAY)
    set_fields(office, "SZ2015-04-03", 2025, {"status": "已完成", "completed_on": "2025-12-20"})
    set_statistic(office, 2025, "MEDIATION", 61)
    now = section_views(office, 2025, TODAY)["measures"]
    first = now.text.splitlines()[0]
    assert "已完成2项" in first  # an untouched drafted paragraph: live
    assert "同比增长10%" in now.text and "57件" in now.text  # the clerk's paragraph kept as written
    assert [(x.was, x.now) for x in now.stale] == [(("57",), ("61",))]
    problems = [p.text for p in report_problems(office, 2025, TODAY)]
    assert any("第" in p and "已手工修改" in p and "57" in p for p in problems)
    with pytest.raises(UnfinishedReport, match="已手工修改"):
        export_docx(JobContext(), office, 2025, tmp_path / "r.docx", today=TODAY, allow_unfinished=False)
    assert not (tmp_path / "r.docx").exists()
    out = export_docx(JobContext(), office, 2025, tmp_path / "r.docx", today=TODAY)
    body = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "已完成2项" in body and "同比增长10%" in body
    # the workbook of the same moment has the same counts
    from fazhi_desk.services.report import load_report_data

    t = load_report_data(office, 2025, TODAY).total()
    assert f"全年应完成检查事项{t.applicable}项\uff0c已完成{t.done}项" in body


def test_submit_date_is_stored_and_checked(office):
    set_submit_date(office, 2025, dt.date(2026, 1, 10))
    assert load_annual_text(office, 2025).submit_date == dt.date(2026, 1, 10)
    from fazhi_desk.errors import UserError

    with pytest.raises(UserError, match="报送日期"):
        set_submit_date(office, 2025, dt.date(2030, 1, 1))


def _fonts(run) -> tuple[str | None, str | None]:
    f = run._element.rPr.rFonts
    from docx.oxml.ns import qn

    return f.get(qn("w:eastAsia")), f.get(qn("w:ascii"))


def test_docx_is_laid_out_as_an_official_document(office, tmp_path):
    regenerate(office, 2025, today=TODAY)
    save_section(office, 2025, "other", "(一)关于机构调整\n本年度法制办新增专职人员1名。")
    set_submit_date(office, 2025, dt.date(2026, 1, 10))
    out = export_docx(JobContext(), office, 2025, tmp_path / "报告.docx", today=TODAY)
    doc = Document(str(out))
    sec = doc.sections[0]
    mm = lambda v: round(v.mm, 1)  # noqa: E731 - stored in twips
    assert (mm(sec.page_width), mm(sec.page_height)) == (210, 297)
    assert tuple(map(mm, (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin))) == (37, 35, 28, 26)
    paras = [p for p in doc.paragraphs if p.text.strip()]
    title = paras[0]
    assert title.text == "乾佑街道办事处关于2025年度\n法治政府建设情况的报告"
    assert _fonts(title.runs[0])[0] == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    texts = [p.text for p in paras]
    assert texts[1] == "中共柞水县委全面依法治县委员会办公室\uff1a"
    heads = [p for p in paras if p.text[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert [h.text[2:] for h in heads] == [t for _k, t in SECTIONS]
    assert all(_fonts(h.runs[0])[0] == "黑体" for h in heads)
    h2 = next(p for p in paras if p.text == "\uff08一\uff09关于机构调整")
    assert _fonts(h2.runs[0])[0] == "楷体_GB2312"
    body = next(p for p in paras if p.text == "本年度法制办新增专职人员1名。")
    assert _fonts(body.runs[0]) == ("仿宋_GB2312", "Times New Roman") and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.first_line_indent == Pt(32)
    # 署名 and 成文日期 after the body, then the statistics as 附件
    i = texts.index("2026年1月10日")
    assert texts[i - 1] == "乾佑街道办事处"
    assert texts[i + 1] == "附件"
    assert any("附件\uff1a乾佑街道办事处2025年度法治政府建设主要统计数据" == t for t in texts)
    # a sealed 上行文: the date 右空四字, the 署名 centred over it (GB/T 9704 7.3.5.1); 特此报告。 before them
    date_p, office_p = paras[i], paras[i - 1]
    assert date_p.paragraph_format.right_indent == Pt(16 * 4)
    # centres line up: 署名 7 characters wide, the date 6.5 (Arabic numerals are half width)
    assert office_p.paragraph_format.right_indent.pt / 16 + 7 / 2 == 4 + 6.5 / 2
    assert texts.index("特此报告。") + 1 == texts.index("附件\uff1a乾佑街道办事处2025年度法治政府建设主要统计数据") < i
    # 28 characters a line (16 pt characters fit only 27 into the 156 mm 版心): body runs set 0.25 pt tighter
    from docx.oxml.ns import qn

    sp = body.runs[0]._element.rPr.find(qn("w:spacing"))
    pitch = 16 + int(sp.get(qn("w:val"))) / 20
    assert 28 * pitch <= 156 / 25.4 * 72 < 29 * pitch
    assert sec._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch")) == "579"  # 22 lines a page
    # full-width punctuation in Chinese text
    assert not any(re.search(r"[\u4e00-\u9fff][,:;()?!]|[,:;()?!][\u4e00-\u9fff]", t) for t in texts)
    table = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "类别", "指标", "计量单位", "数值"]
    assert ["人民调解", "件数", "件", "57"] in [r[1:] for r in rows]
    # page numbers on odd and even pages, as fields
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        assert "PAGE" in footer._element.xml and footer.paragraphs[0].text.startswith("— ")
    # fonts missing on the PC fall back cleanly: the font table names the substitutes
    with zipfile.ZipFile(out) as z:
        table_xml = z.read("word/fontTable.xml").decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in table_xml and 'w:altName w:val="仿宋"' in table_xml
    assert 'w:altName w:val="楷体"' in table_xml and 'w:charset w:val="86"' in table_xml


def test_a_year_never_drafted_exports_fresh_drafts(office, tmp_path):
    out = export_docx(JobContext(), office, 2025, tmp_path / "r.docx", today=TODAY)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "全年组织领导干部集中学法4次" in text
    assert load_annual_text(office, 2025).section("measures").text == ""  # exporting stores nothing


@pytest.mark.system
def test_cli_report_docx(office, tmp_path):
    from tests.cli.test_cli import run

    set_profile(office, leader="")
    office.close()
    p = run("report", "--year", "2025", "--out", str(tmp_path / "r.xlsx"), data=office.data.root)
    assert "“单位负责人”为空" in p.stderr  # the workbook's sign-off would be blank: said, not refused
    out = tmp_path / "r.docx"
    p = run("report", "--year", "2025", "--docx", str(out), data=office.data.root, check=False)
    assert p.returncode == 1 and "【请补充" in p.stderr and not out.exists()  # placeholders left: refused
    p = run("report", "--year", "2025", "--docx", str(out), "--allow-placeholders", data=office.data.root)
    assert out.exists() and "文字报告" in p.stdout and "[待完善]" in p.stderr and "单位负责人" in p.stderr
    p = run("report", "--year", "2025", "--docx", str(tmp_path / "r.txt"), data=office.data.root, check=False)
    assert p.returncode == 1 and ".docx" in p.stderr
