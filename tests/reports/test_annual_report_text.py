"""The written report a county accepts: short, by theme, from what the office did (bundled catalogues, a real year).

Also the command line (``report text show|set|redraft|template``, ``report --date``, ``--allow-placeholders``)
and the office's 报告模板 round trip through .docx and text.
"""

from __future__ import annotations

import re

import pytest
from docx import Document

from fazhi_desk.domain.annual import THEMES, SECTIONS, strip_number
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.annual_text import draft_input, drafts, export_docx, load_annual_text, section_views
from fazhi_desk.services.checklist import load_year
from fazhi_desk.services.report import load_report_data
from fazhi_desk.services.report_template import (
    ReportTemplate,
    export_template,
    get_template,
    import_template,
    set_template,
)
from tests.reports.annual_year import STATISTICS, TODAY, YEAR, build_year

ASCII_BETWEEN_CJK = re.compile(r"[\u4e00-\u9fff][,:;()][\u4e00-\u9fff]|[\u4e00-\u9fff][,:;()]$")


@pytest.fixture
def year_store(store, tmp_path):
    build_year(store, tmp_path)
    return store


def _body(text: dict[str, str]) -> str:
    return "\n".join(text[k] for k, _t in SECTIONS)


def test_a_realistic_year_drafts_a_short_report_by_theme(year_store, tmp_path):
    text = drafts(year_store, YEAR, TODAY)
    body = _body(text)
    assert len(body) <= 4500, len(body)
    # every 一级 heading of 一、主要举措和成效 is a theme, not an item
    heads = [strip_number(ln) for ln in text["measures"].splitlines() if re.match("^\uff08[一二三四五六七八九十]+\uff09", ln)]
    assert 5 <= len(heads) <= 8 and set(heads) <= {t.heading.replace(",", "\uff0c") for t in THEMES}
    # no sentence starts with an item's 事项内容 verbatim (plan wording is never presented as a result)
    with year_store.session() as s:
        rows = load_year(s, YEAR, TODAY, evidence_text=False)
    requirements = {r.item.requirement.rstrip("。") for r in rows}
    sentences = [x.strip() for x in re.split(r"[。\n]|[一二三四五六七八九十]是", body) if x.strip()]
    starts = [s for s in sentences for req in requirements if len(req) >= 6 and s.startswith(req)]
    assert not starts
    assert "通过2~3年努力实现依法行政工作总体目标" not in text["measures"]
    # the activity log in prose, the named documents, a figure of 0 left out
    assert "全年组织集中学法12次\uff0c分别为学习宪法\u3001学习民法典合同编" in text["measures"]
    assert "《营盘镇2025年依法行政工作计划》" in text["measures"]
    assert "行政复议案件0件" not in body
    # units read naturally; a reason given by the clerk is named with its item
    assert "仅完成5天" in text["shortcomings"]
    # no ZS2022 item (its term ended in 2025) is planned for 2026
    assert not any(r.item_id.startswith("ZS2022") for r in draft_input(year_store, YEAR, TODAY).next_year)
    # no ASCII , : ; ( ) between Chinese characters
    assert not ASCII_BETWEEN_CJK.search(body)


def test_a_document_filed_from_a_sub_folder_is_named_without_the_folder(year_store, tmp_path):
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.evidence import attach

    src = tmp_path / "决策材料"
    (src / "制度").mkdir(parents=True)
    (src / "制度" / "关于印发营盘镇重大行政决策程序规定的通知.pdf").write_bytes("规定正文".encode())
    attach(JobContext(), year_store, "SZ2015-12-02", YEAR, [src])
    body = _body(drafts(year_store, YEAR, TODAY))
    assert "《营盘镇重大行政决策程序规定》" in body and "制度/" not in body


def test_every_figure_in_the_text_is_the_workbooks(year_store, tmp_path):
    text = _body(drafts(year_store, YEAR, TODAY))
    data = load_report_data(year_store, YEAR, TODAY)
    t = data.total()
    assert f"全年应完成检查事项{t.applicable}项\uff0c已完成{t.done}项\uff0c完成率{t.rate_text()}" in text
    stats = {s.code: s.value for s in data.statistics}
    for code, phrase in (("NORM_ISSUED", "制发规范性文件{}件"), ("MEDIATION", "调解矛盾纠纷{}件"),
                         ("ENFORCEMENT_CASES", "办结行政执法案件{}件"), ("LEADER_MEETINGS", "专题研究法治建设{}次"),
                         ("REVIEW_CONTRACTS", "审核对外签订的合同\u3001协议{}件")):
        assert stats[code] == STATISTICS[code]
        assert phrase.format(int(stats[code])) in text, code
    # each statistic phrase the draft uses carries the workbook's value, never another
    for code, v in stats.items():
        if v:
            from fazhi_desk.reports.drafts import PHRASES

            if code in PHRASES:
                stem = PHRASES[code][1].split("{v}")[0]
                for m in re.finditer(re.escape(stem) + r"(\d+)", text):
                    assert int(m.group(1)) == int(v), code


def test_the_docx_of_a_realistic_year_reads_as_an_official_document(year_store, tmp_path):
    out = export_docx(JobContext(), year_store, YEAR, tmp_path / "r.docx", today=TODAY)
    paras = [p.text for p in Document(str(out)).paragraphs if p.text.strip()]
    assert not any(ASCII_BETWEEN_CJK.search(p) for p in paras)
    assert "特此报告。" in paras
    assert load_annual_text(year_store, YEAR).section("measures").text == ""  # exporting stores nothing


def test_the_office_template_survives_redrafts_and_travels_as_docx_and_text(year_store, tmp_path):
    set_template(year_store, ReportTemplate("{单位}现将{年度}年度工作报告如下。", "专此报告。",
                                            {"leadership": "坚持党的领导,压实第一责任"}))
    text = drafts(year_store, YEAR, TODAY)["measures"]
    assert "\uff08一\uff09坚持党的领导\uff0c压实第一责任" in text
    out = export_docx(JobContext(), year_store, YEAR, tmp_path / "r.docx", today=TODAY)
    paras = [p.text for p in Document(str(out)).paragraphs]
    assert "营盘镇人民政府现将2025年度工作报告如下。" in paras and "专此报告。" in paras
    for name in ("模板.docx", "模板.txt"):
        export_template(year_store, tmp_path / name)
        set_template(year_store, ReportTemplate())
        assert get_template(year_store).heading("leadership") == THEMES[0].heading
        got = import_template(year_store, tmp_path / name)
        assert got.heading("leadership") == "坚持党的领导,压实第一责任" and got.closing == "专此报告。"
    from fazhi_desk.errors import UserError

    (tmp_path / "bad.txt").write_text("【主题标题】\nnobody=标题\n", encoding="utf-8")
    with pytest.raises(UserError, match="第2行"):
        import_template(year_store, tmp_path / "bad.txt")


@pytest.mark.system
def test_the_clerk_finishes_the_report_on_the_command_line(year_store, tmp_path):
    from tests.cli.test_cli import run

    data = year_store.data.root
    views = section_views(year_store, YEAR, TODAY)
    year_store.close()
    y = str(YEAR)
    p = run("report", "text", "show", "responsibility", "--year", y, data=data)
    assert "专题研究法治建设4次" in p.stdout
    # placeholders remain: the .docx is refused with what is left, unless told
    p = run("report", "--year", y, "--docx", str(tmp_path / "r.docx"), "--date", "2026-01-12", data=data,
            check=False)
    assert p.returncode == 1 and "【请补充" in p.stderr and "--allow-placeholders" in p.stderr
    assert not (tmp_path / "r.docx").exists()
    # the clerk writes the missing parts in a file and sets them
    resp = views["responsibility"].text.splitlines()
    resp[-1] = "镇党委书记亲自部署法治建设工作,主持召开专题会议4次。"
    (tmp_path / "resp.txt").write_text("\n".join(resp), encoding="utf-8")
    assert "已保存" in run("report", "text", "set", "responsibility", "--file", str(tmp_path / "resp.txt"),
                           "--year", y, data=data).stdout
    short = [ln for ln in views["shortcomings"].text.splitlines() if "【" not in ln]
    (tmp_path / "short.txt").write_text("\n".join(short), encoding="utf-8")
    run("report", "text", "set", "shortcomings", "--file", str(tmp_path / "short.txt"), "--year", y, data=data)
    # the next-year part says 柞水's plan ended with 2025 until the clerk has dealt with it
    nxt = [ln for ln in views["next_year"].text.splitlines() if "【" not in ln]
    (tmp_path / "next.txt").write_text("\n".join(nxt), encoding="utf-8")
    run("report", "text", "set", "next_year", "--file", str(tmp_path / "next.txt"), "--year", y, data=data)
    out = tmp_path / "r.docx"
    p = run("report", "--year", y, "--docx", str(out), "--out", str(tmp_path / "r.xlsx"), "--date", "2026-01-12",
            data=data)
    paras = [x.text for x in Document(str(out)).paragraphs]
    assert "镇党委书记亲自部署法治建设工作\uff0c主持召开专题会议4次。" in paras
    assert "2026年1月12日" in paras  # 成文日期 = the workbook's 报送日期
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert any("2026-01-12" in str(c) or "2026年1月12日" in str(c)
               for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    wb.close()
    # redraft leaves edited sections unless forced
    p = run("report", "text", "redraft", "--year", y, data=data)
    assert "未替换" in p.stderr
    p = run("report", "text", "redraft", "responsibility", "--force", "--year", y, data=data)
    assert "已恢复为程序起草" in p.stdout
    p = run("report", "text", "template", "--export", str(tmp_path / "t.docx"), data=data)
    assert (tmp_path / "t.docx").exists()
