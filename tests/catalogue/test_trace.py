"""The trace tables (tools/trace/*.tsv): every sentence of each bundled source text is traced.

Each sentence (or clause of a sentence carrying several requirements) is held by
items, read into item fields (headings, unit lines, deadlines) or excluded for a
reason from the fixed list. Each item's 原文 is exactly the whole sentence(s)
traced to it, and every clause stating an obligation (a verb of duty) is held by
an item of its sentence or excluded with a reason. The check itself is tested on
altered copies of the real tables and catalogues, so each kind of fault it must
catch is shown to be caught.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "trace.py"
REPORT = ROOT / "tools" / "trace_report.py"


@pytest.fixture(scope="module")
def tr():
    spec = importlib.util.spec_from_file_location("fazhi_trace", TOOL)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("code", ["SZ2015", "ZS2022"])
def test_every_sentence_traced_and_every_item_holds_its_passage(tr, code):
    trace, source, items = tr.load(code)
    assert tr.check(trace, source, items) == []
    f = tr.figures(trace, source, items)
    assert f.untraced == []
    assert f.items_traced == f.items == len(items)
    assert set(f.excluded) <= set(tr.REASONS)
    assert f.obligations_unheld == []
    assert f.whole_passages == len(items)  # every 原文 is whole sentences
    assert sum(f.per_article.values()) == len(items)


def test_sentences_cover_every_line(tr):
    for code in tr.CODES:
        source = (tr.SOURCE_DIR / f"{code}.txt").read_text("utf-8")
        lines = source.splitlines()
        by_line: dict[int, str] = {}
        for s in tr.sentences(source):
            by_line[s.line] = by_line.get(s.line, "") + s.text
            assert s.text.count("。") <= 1 and (s.text.endswith("。") or s.end == len(lines[s.line - 1]))
        assert [by_line[n] for n in sorted(by_line)] == lines


def _altered(tr, code, fn, items_fn=None):
    trace, source, items = tr.load(code)
    trace = copy.deepcopy(trace)
    items = copy.deepcopy(items)
    fn(trace.entries)
    if items_fn:
        items_fn({i["id"]: i for i in items})
    return tr.check(trace, source, items)


def test_check_reports_an_untraced_sentence(tr):
    problems = _altered(tr, "SZ2015", lambda es: es.remove(next(e for e in es if e.sid == "25.1")))
    assert any(p.startswith("25.1: untraced sentence") for p in problems)


def test_check_reports_an_item_whose_passage_is_not_in_its_sentences(tr):
    def move(es):
        e = next(e for e in es if e.sid == "25.1")  # 集中学法不得少于4次: SZ2015-04-01's passage
        e.assignment = "!鼓励性"

    problems = _altered(tr, "SZ2015", move)
    assert "SZ2015-04-01: no sentence is traced to this item" in problems

    def add(es):  # a second sentence traced to 04-01: its 原文 no longer holds all of them
        next(e for e in es if e.sid == "26.1").assignment = "SZ2015-04-02 SZ2015-04-01"

    assert any(p.startswith("SZ2015-04-01: 原文 is not the whole sentences") for p in _altered(tr, "SZ2015", add))


def test_check_reports_a_passage_cut_to_one_clause(tr):
    """SZ2015-12-09 used to keep only "重大行政决策应当经…集体讨论决定", dropping "坚持集体讨论决定制度"."""
    def cut(items):
        items["SZ2015-12-09"]["source_passage"] = "重大行政决策应当经乡镇政府、街道办事处负责人集体讨论决定"

    problems = _altered(tr, "SZ2015", lambda es: None, cut)
    assert any(p.startswith("SZ2015-12-09: 原文 is not the whole sentences") for p in problems)
    # the clause it dropped states an obligation that no item of its sentence now holds
    assert any(p.startswith("78.1: obligation held by no item") and "坚持集体讨论决定制度" in p for p in problems)

    def cut_03_02(items):
        items["SZ2015-03-02"]["source_passage"] = "建立乡镇政府、街道办事处中层以上领导干部任职前法律法规知识考试制度"

    problems = _altered(tr, "SZ2015", lambda es: None, cut_03_02)
    assert any(p.startswith("20.1: obligation held by no item") and "不得任职" in p for p in problems)


def test_an_obligation_clause_may_be_excluded_with_a_reason(tr):
    def split(es):
        # 20.1 split: its last clause (不得任职) excluded with a reason, the rest still traced to 03-02
        k = next(n for n, e in enumerate(es) if e.sid == "20.1")
        e = es[k]
        head, tail = e.text.split("补考后")
        es[k:k + 1] = [tr.Entry("20.1", "分句", e.text, e.row), tr.Entry("20.1a", "SZ2015-03-02", head, e.row),
                       tr.Entry("20.1b", "!鼓励性", "补考后" + tail, e.row)]

    def cut(items):
        items["SZ2015-03-02"]["source_passage"] = "建立乡镇政府、街道办事处中层以上领导干部任职前法律法规知识考试制度"

    problems = _altered(tr, "SZ2015", split, cut)
    assert not any("obligation held by no item" in p for p in problems)
    trace, _, items = tr.load("SZ2015")
    split(trace.entries)
    obs = tr.obligations(trace, items)
    assert any(o.sid == "20.1b" and o.reason == "鼓励性" and "不得任职" in o.clause for o in obs)


def test_check_reports_sentences_of_an_item_that_do_not_follow_one_another(tr):
    def spread(es):  # 后评估报告 (68.1) also traced to 11-01, with 67.1 in between going to 11-03
        next(e for e in es if e.sid == "68.1").assignment = "SZ2015-11-02 SZ2015-11-01"

    problems = _altered(tr, "SZ2015", spread)
    assert any(p.startswith("SZ2015-11-01: the sentences traced to it do not follow one another") for p in problems)


def test_passages_are_whole_sentences_joined_across_lines(tr):
    _, source, items = tr.load("SZ2015")
    by_id = {i["id"]: i for i in items}
    # 18-01 holds "充实行政执法队伍。" and the next line's sentence
    assert by_id["SZ2015-18-01"]["source_passage"].startswith("充实行政执法队伍。\n严格行政执法人员资格管理")
    assert by_id["SZ2015-12-09"]["source_passage"].startswith("坚持集体讨论决定制度,")
    assert "补考后仍不及格的,不得任职" in by_id["SZ2015-03-02"]["source_passage"]
    assert "贴近群众实际需求开展法治宣传教育活动" in by_id["SZ2015-30-01"]["source_passage"]
    for i in items:
        assert i["source_passage"] in source and i["source_passage"].endswith("。"), i["id"]
    # a sub-item number opening the line is left out of 原文
    _, zsource, zitems = tr.load("ZS2022")
    z = {i["id"]: i for i in zitems}
    assert z["ZS2022-01-01"]["source_passage"].startswith("优化政府组织结构")
    assert "(1)" + z["ZS2022-01-01"]["source_passage"] in zsource


def test_check_reports_a_repeat_pointing_at_nothing(tr):
    def repeat(es, target):  # 155.1 具体工作职责由各乡镇确定 repeats 153.1 (明确工作职责)
        e = next(e for e in es if e.sid == "155.1")
        e.assignment = f"!重复 {target}"

    assert any("155.1: 重复 points at '999.1'" in p
               for p in _altered(tr, "SZ2015", lambda es: repeat(es, "999.1")))
    assert any("155.1: 重复 names no sentence" in p for p in _altered(tr, "SZ2015", lambda es: repeat(es, "")))
    # a repeat of an excluded sentence repeats no requirement
    assert any("holds no item" in p for p in _altered(tr, "SZ2015", lambda es: repeat(es, "7.1")))
    # a repeat of a traced sentence is fine
    assert _altered(tr, "SZ2015", lambda es: repeat(es, "153.1")) == []


def test_check_reports_changed_text_unknown_items_and_reasons(tr):
    def spoil(es):
        es[20].text = es[20].text[:-1]
        next(e for e in es if e.sid == "21.1").assignment = "SZ2015-99-01"
        next(e for e in es if e.sid == "7.1").assignment = "!不想做"

    problems = _altered(tr, "SZ2015", spoil)
    assert any("text differs" in p for p in problems)
    assert any(p == "21.1: no item SZ2015-99-01" for p in problems)
    assert any("unknown exclusion reason" in p for p in problems)


def test_check_reports_clauses_that_do_not_join_to_their_sentence(tr):
    def spoil(es):
        c = next(e for e in es if e.sid == "32.1b")
        c.text = c.text.replace("依法", "")

    assert any(p.startswith("32.1: clauses do not join") for p in _altered(tr, "SZ2015", spoil))


@pytest.mark.system
def test_report_prints_the_figures():
    out = subprocess.run([sys.executable, str(REPORT)], capture_output=True, text=True, encoding="utf-8",
                         cwd=ROOT, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    for code in ("SZ2015", "ZS2022"):
        assert code in out.stdout
    assert "未对应      0" in out.stdout
    assert "排除:背景/目的" in out.stdout and "排除:落款/附件" in out.stdout
    assert out.stdout.count("无事项 0") == 2
    assert "原文为整句  133/133" in out.stdout and "原文为整句  117/117" in out.stdout
    assert "各条事项数  1:1 2:1 3:4 " in out.stdout and " 28:14 " in out.stdout
