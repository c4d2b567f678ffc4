"""The trace tables (tools/trace/*.tsv): every sentence of each bundled source text is traced.

Each sentence (or clause of a sentence carrying several requirements) is held by
items, read into item fields (headings, unit lines, deadlines) or excluded for a
reason from the fixed list. The check itself is tested on altered copies of the
real tables, so each kind of fault it must catch is shown to be caught.
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


def test_sentences_cover_every_line(tr):
    for code in tr.CODES:
        source = (tr.SOURCE_DIR / f"{code}.txt").read_text("utf-8")
        lines = source.splitlines()
        by_line: dict[int, str] = {}
        for s in tr.sentences(source):
            by_line[s.line] = by_line.get(s.line, "") + s.text
            assert s.text.count("。") <= 1 and (s.text.endswith("。") or s.end == len(lines[s.line - 1]))
        assert [by_line[n] for n in sorted(by_line)] == lines


def _altered(tr, code, fn):
    trace, source, items = tr.load(code)
    trace = copy.deepcopy(trace)
    fn(trace.entries)
    return tr.check(trace, source, items)


def test_check_reports_an_untraced_sentence(tr):
    problems = _altered(tr, "SZ2015", lambda es: es.remove(next(e for e in es if e.sid == "25.1")))
    assert any(p.startswith("25.1: untraced sentence") for p in problems)


def test_check_reports_an_item_whose_passage_is_not_in_its_sentences(tr):
    def move(es):
        e = next(e for e in es if e.sid == "25.1")  # 集中学法不得少于4次: SZ2015-04-01's passage
        e.assignment = "!鼓励性"

    problems = _altered(tr, "SZ2015", move)
    assert any(p.startswith("SZ2015-04-01: 原文 not inside") for p in problems)


def test_check_reports_a_repeat_pointing_at_nothing(tr):
    def repeat(es, target):
        e = next(e for e in es if e.sid == "22.1")
        e.assignment = f"!重复 {target}"

    assert any("22.1: 重复 points at '999.1'" in p
               for p in _altered(tr, "SZ2015", lambda es: repeat(es, "999.1")))
    assert any("22.1: 重复 names no sentence" in p for p in _altered(tr, "SZ2015", lambda es: repeat(es, "")))
    # a repeat of an excluded sentence repeats no requirement
    assert any("holds no item" in p for p in _altered(tr, "SZ2015", lambda es: repeat(es, "7.1")))
    # a repeat of a traced sentence is fine
    assert _altered(tr, "SZ2015", lambda es: repeat(es, "21.1")) == []


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


def test_report_prints_the_figures():
    out = subprocess.run([sys.executable, str(REPORT)], capture_output=True, text=True, encoding="utf-8",
                         cwd=ROOT, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    for code in ("SZ2015", "ZS2022"):
        assert code in out.stdout
    assert "未对应      0" in out.stdout
    assert "排除:背景/目的" in out.stdout and "排除:落款/附件" in out.stdout
