"""The written report's rules without a store: full-width punctuation, live paragraphs, themes, sentence ends."""

from __future__ import annotations

import datetime as dt

from fazhi_desk.domain.annual import compose, fullwidth, placeholders, theme_of
from fazhi_desk.domain.completion import Standing
from fazhi_desk.reports.docx import lone_last_char, signature_indents
from fazhi_desk.reports.drafts import DraftInput, DraftRow, _against_target, _sentence, draft_all


def test_ascii_punctuation_next_to_chinese_becomes_full_width():
    assert fullwidth("全年学法4次,分别学习了宪法、民法典(2020年);共3件:") == (
        "全年学法4次\uff0c分别学习了宪法、民法典\uff082020年\uff09\uff1b共3件\uff1a")
    assert fullwidth("(1)检查") == "\uff081\uff09检查"  # a pair is converted as a pair
    assert fullwidth("9:30 开会") == "9:30 开会"  # a time keeps its colon
    assert fullwidth("see (RFC 1)") == "see (RFC 1)"  # Latin text is left alone
    assert fullwidth("“非禁即入”,好") == "“非禁即入”\uff0c好"


def test_a_sentence_ending_in_a_closing_quote_still_gets_its_full_stop():
    assert _sentence("落实“非禁即入”") == "落实“非禁即入”。"
    assert _sentence("他说“好。”") == "他说“好。”"
    assert _sentence("已完成;") == "已完成。"


def test_units_read_naturally():
    r = DraftRow("文件", "", "", "规范性文件自发布之日起15日内报县市区政府备案", Standing.BELOW_TARGET, actual=17,
                 target_text="15", unit="日")
    assert _against_target(r) == "应在15日内完成,实际17日"


def test_an_untouched_paragraph_follows_the_data_an_edited_one_is_kept_and_flagged():
    draft = "共86项,完成4项。\n(一)学法\n一是学法4次。\n(二)执法\n一是执法3件。"
    fresh = "共101项,完成5项。\n(一)学法\n一是学法5次。\n(二)执法\n一是执法3件。"
    text = "共86项,完成4项。\n(一)学法\n一是学法4次,效果好。\n(二)执法\n一是执法3件。\n我们自己写的。"
    v = compose("measures", text, draft, fresh)
    assert v.text.splitlines() == ["共101项,完成5项。", "(一)学法", "一是学法4次,效果好。", "(二)执法",
                                   "一是执法3件。", "我们自己写的。"]
    assert v.edited and [(s.line, s.was, s.now) for s in v.stale] == [(2, ("4",), ("5",))]
    assert "第3段已手工修改" in v.stale[0].message()
    # saved again with its base, the flag stays until the clerk changes the paragraph
    again = compose("measures", v.text, v.base, fresh)
    assert again.text == v.text and len(again.stale) == 1
    # nothing saved: the fresh draft, not edited
    assert compose("measures", "", "", fresh) == compose("measures", "", "x", fresh)
    assert not compose("measures", "", "", fresh).edited


def test_items_fall_into_work_areas_and_placeholders_are_found():
    assert theme_of("法制办对重大行政决策进行合法性审查") == "decisions"
    assert theme_of("规范性文件统一登记、统一编号、统一发布") == "norms"
    assert theme_of("落实领导干部学法制度") == "study"
    assert theme_of("成立主要领导任组长的依法行政领导小组") == "leadership"
    assert theme_of("某项", "加强行政执法队伍建设") == "enforcement"
    assert placeholders("a【请填写原因】b【请补充】") == ["【请填写原因】", "【请补充】"]


def test_headings_and_the_signature_follow_gb_t_9704():
    assert lone_last_char("法" * 27)  # 26 on the indented first line, one alone below
    assert not lone_last_char("法" * 20)
    office_right, date_right = signature_indents("营盘镇人民政府", "2026年1月15日", sealed=True)
    assert date_right == 4 and office_right + 7 / 2 == date_right + 6.5 / 2
    assert signature_indents("营盘镇人民政府", "2026年1月15日", sealed=False)[1] == 2


def test_a_year_with_nothing_done_asks_for_the_measures_and_lists_no_item():
    rows = tuple(DraftRow("文件", "二、主要任务", "(一)学法", f"每年开展第{n}项工作", Standing.NOT_STARTED,
                          overdue=True, item_id=f"X-{n}", due_date=dt.date(2025, 12, 31)) for n in range(30))
    text = draft_all(DraftInput("营盘镇", 2025, (("文件", "X〔2020〕1号"),), rows, ()))
    assert "【请填写本年度推进法治政府建设的主要举措和取得的成效】" in text["measures"]
    assert text["shortcomings"].count("\u201c") == 1 and "等30项逾期未完成" in text["shortcomings"]
