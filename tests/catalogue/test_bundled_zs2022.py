"""The bundled catalogue of 柞法治委发〔2022〕4号 (ZS2022.json) against its cleaned source text.

Checks the file is valid and canonical, that every task and sub-item of the
plan has items with verbatim passages, that units, township flags, targets
and deadlines follow the text, and that no damaged or traditional characters
are left. The source is parsed here independently of the build script.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fazhi_desk.catalogue.schema import (
    Catalogue,
    bundled_catalogues,
    dump_catalogue_json,
    load_catalogue_json,
)
from fazhi_desk.domain.model import Cycle, Item, TownshipRole

ROOT = Path(__file__).resolve().parents[2]
JSON = ROOT / "resources" / "catalogues" / "ZS2022.json"
SOURCE = ROOT / "resources" / "sources" / "ZS2022.txt"
BUILDER = ROOT / "tools" / "build_catalogue_zs2022.py"

ID_RE = re.compile(r"^ZS2022-(\d{2})-(\d{2})$")
# 编号 → 事项内容 of the bundled catalogues' version 1.0 (the ids past years were assessed under)
IDS_1_0 = json.loads((Path(__file__).parent / "data" / "item_ids_1.0.json").read_text("utf-8"))
PINYIN_RE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
PLAN_END = dt.date(2025, 12, 31)


@dataclass
class Task:
    """A task (sub=0) or sub-item of the plan as the source text has it."""

    chapter: str
    section: str
    article: int
    title: str
    sub: int
    text: str
    lead: str = ""
    participating: str = ""


def parse_tasks(text: str) -> dict[tuple[int, int], Task]:
    tasks: dict[tuple[int, int], Task] = {}
    chapter = section = title = ""
    article = 0
    last: Task | None = None
    for line in text.splitlines():
        if re.match(r"^[一二三四五六七八九十]+、", line):
            chapter, section, last = line, "", None
            continue
        if not chapter or chapter.startswith("一、"):
            continue
        if re.match(r"^\([一二三四五六七八九十]+\)", line):
            section = line
            continue
        if m := re.match(r"^(\d+)\.(.+)$", line):
            article, title, last = int(m.group(1)), m.group(2), None
            continue
        if m := re.match(r"^(牵头单位|责任单位|参加单位):(.*)$", line):
            assert last is not None
            if m.group(1) == "参加单位":
                last.participating = m.group(2)
            else:
                last.lead = m.group(2)
            continue
        sub_m = re.match(r"^\((\d+)\)", line)
        if last is not None and last.lead and not sub_m:
            continue  # closing paragraph of the plan
        last = Task(chapter, section, article, title, int(sub_m.group(1)) if sub_m else 0, line)
        tasks[(article, last.sub)] = last
    return tasks


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text("utf-8")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue_json(JSON)


@pytest.fixture(scope="module")
def tasks(source) -> dict[tuple[int, int], Task]:
    return parse_tasks(source)


def task_of(item: Item, tasks: dict[tuple[int, int], Task]) -> Task:
    found = [t for (a, _), t in tasks.items() if a == item.article_no and item.source_passage in t.text]
    assert len(found) == 1, f"{item.item_id}: passage found in {len(found)} paragraphs of task {item.article_no}"
    return found[0]


def all_text(cat: Catalogue) -> str:
    d = cat.document
    parts = [d.title, d.doc_number, d.issuer, *d.notes]
    for i in cat.items:
        parts += [i.chapter, i.section, i.article_title, i.requirement, i.source_passage,
                  i.lead_units, i.participating_units, i.unit, i.evidence_hint]
    return "\n".join(parts)


def test_document_block(cat):
    d = cat.document
    assert d.code == "ZS2022"
    assert d.doc_number == "柞法治委发〔2022〕4号"
    assert d.issuer == "中共柞水县委全面依法治县委员会"
    assert d.date == dt.date(2022, 8, 5)
    assert d.title == "柞水县法治政府建设实施方案(2022—2025年)"
    assert d.version == "1.4" and d.source_text == "ZS2022.txt"
    notes = "\n".join(d.notes)
    for repair in ("乱码", "拼音", "乾佑", "着力解决", "编辑署名"):
        assert repair in notes, repair


def test_file_is_canonical(cat):
    assert JSON.read_text("utf-8") == dump_catalogue_json(cat)


def test_build_script_reproduces_file(source, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_catalogue_zs2022", BUILDER)
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mod)  # dataclasses look their module up
    spec.loader.exec_module(mod)
    assert dump_catalogue_json(mod.build(source)) == JSON.read_text("utf-8")


def test_source_has_31_tasks_and_41_sub_items(tasks):
    assert sorted({a for a, _ in tasks}) == list(range(1, 32))
    assert len(tasks) == 41
    assert all(t.lead for t in tasks.values())
    assert {t.chapter for t in tasks.values()} == {"二、主要任务和重点措施", "三、组织领导和工作保障"}


def test_every_task_and_sub_item_has_items(cat, tasks):
    covered = {(t.article, t.sub) for t in (task_of(i, tasks) for i in cat.items)}
    assert covered == set(tasks)
    assert {i.article_no for i in cat.items} == set(range(1, 32))
    assert 90 <= len(cat.items) <= 130


def test_ids_unique_patterned_and_in_document_order(cat, tasks, source):
    ids = [i.item_id for i in cat.items]
    assert len(set(ids)) == len(ids)
    v1 = IDS_1_0["ZS2022"]
    last_v1: dict[int, int] = {}
    last_pos = (0, 0, -1)
    for i in cat.items:
        m = ID_RE.match(i.item_id)
        assert m, i.item_id
        assert int(m.group(1)) == i.article_no
        if i.item_id in v1:  # version 1.0 numbered each task's items 01, 02, … in order
            n = int(m.group(2))
            assert n == last_v1.get(i.article_no, 0) + 1, i.item_id
            last_v1[i.article_no] = n
        t = task_of(i, tasks)
        pos = (t.article, t.sub, source.index(i.source_passage, source.index(t.text)))
        assert pos[:2] >= last_pos[:2], i.item_id
        last_pos = pos
    for i in cat.items:  # items added later are numbered after their task's version 1.0 items
        if i.item_id not in v1:
            assert int(i.item_id[-2:]) > last_v1[i.article_no], i.item_id


def test_version_1_0_ids_keep_their_meaning(cat):
    """Every 编号 of version 1.0 is still there; the one split item keeps the part matching its old wording."""
    items = cat.item_map()
    v1 = IDS_1_0["ZS2022"]
    assert set(v1) <= set(items)
    changed = {i for i, req in v1.items() if items[i].requirement != req}
    assert changed == {"ZS2022-13-02"}
    assert v1["ZS2022-13-02"].startswith(items["ZS2022-13-02"].requirement)  # the split-off rest is 13-05
    assert "应急演练" in items["ZS2022-13-05"].requirement
    assert items["ZS2022-13-05"].cycle is Cycle.YEARLY
    assert sorted(set(items) - set(v1)) == ["ZS2022-03-04", "ZS2022-13-05"]  # 03-04: version 1.3
    notes = "\n".join(cat.document.notes)
    assert "13-02" in notes and "13-05" in notes  # the split is recorded with the version


def test_headings_and_units_copied_from_the_task(cat, tasks):
    for i in cat.items:
        t = task_of(i, tasks)
        assert i.chapter == t.chapter
        assert i.section == t.section
        assert i.article_title == t.title
        assert i.lead_units == t.lead, i.item_id
        assert i.participating_units == t.participating, i.item_id
    # sections: (一)…(八) under 二; the tasks of 三 have none
    secs = {i.section for i in cat.items if i.chapter.startswith("二")}
    assert len(secs) == 8 and all(s.startswith("(") for s in secs)
    assert {i.section for i in cat.items if i.chapter.startswith("三")} == {""}


def test_source_passages_are_whole_sentences_of_one_paragraph(cat, source):
    for i in cat.items:
        assert i.source_passage, i.item_id
        assert i.source_passage in source, i.item_id
        assert "\n" not in i.source_passage  # in 柞水 every item's sentences lie in one paragraph
        assert i.source_passage.endswith("。"), i.item_id
        assert not i.source_passage.startswith(("牵头单位", "参加单位", "责任单位"))
        k = source.index(i.source_passage)
        # it starts a sentence: at a line's start, after its sub-item number "(n)", or after a "。"
        before = source[:k]
        assert before == "" or before.endswith(("\n", "。")) or re.search(r"\n\(\d+\)$", before), i.item_id
    m = cat.item_map()
    # the whole sentence, not one clause of it (version 1.2 cut these at a comma)
    assert m["ZS2022-14-03"].source_passage.endswith("完善激励保障措施。")
    assert m["ZS2022-20-01"].source_passage.endswith("健全行政监督。")


def test_applies_to_township_iff_units_name_the_towns(cat):
    for i in cat.items:
        units = i.lead_units + "、" + i.participating_units
        assert i.applies_to_township == ("各镇办" in units), i.item_id
    flags = {i.item_id: i.applies_to_township for i in cat.items}
    # the text of 2(2) mentions 各镇办 but its units do not
    assert flags["ZS2022-02-04"] is False
    assert flags["ZS2022-08-01"] is True  # "…等部门,各镇办"
    assert flags["ZS2022-21-01"] is True  # "县人民法院,县政府有关部门、各镇办"
    assert flags["ZS2022-09-01"] is False and flags["ZS2022-17-01"] is False
    assert sum(flags.values()) > len(flags) / 2


def test_responsible_units_go_to_lead(cat):
    m = cat.item_map()
    assert m["ZS2022-09-01"].lead_units.startswith("县科教局、县公安局")
    assert m["ZS2022-09-01"].participating_units == ""
    assert m["ZS2022-20-01"].lead_units == "县委(政府)督查办"
    assert m["ZS2022-20-01"].participating_units == "县纪委监委"


def test_deadlines_follow_the_text(cat, tasks):
    m = cat.item_map()
    assert m["ZS2022-17-01"].deadline == dt.date(2022, 12, 31)
    assert m["ZS2022-17-01"].cycle is Cycle.ONCE
    assert m["ZS2022-21-02"].deadline == dt.date(2024, 12, 31)
    assert m["ZS2022-21-02"].cycle is Cycle.ONCE
    dated = {}
    for t in tasks.values():
        for year in re.findall(r"(\d{4})年年底前", t.text):
            dated[year] = t
    assert set(dated) == {"2022", "2024"}
    for year, t in dated.items():
        # the item the deadline clause is traced to carries it; 原文 is the whole sentence
        hits = [i for i in cat.items if f"{year}年年底前" in i.requirement]
        assert len(hits) == 1 and hits[0].deadline == dt.date(int(year), 12, 31)
        assert f"{year}年年底前" in hits[0].source_passage
    # 21-01 shares the sentence "…确定执法责任,2024年年底前基本建成…体系": the date is the 体系's, not its own
    assert "2024年年底前" in m["ZS2022-21-01"].source_passage and m["ZS2022-21-01"].deadline == PLAN_END
    others = [i for i in cat.items if i.item_id not in ("ZS2022-17-01", "ZS2022-21-02")]
    assert all(i.deadline == PLAN_END for i in others)


def test_numeric_targets(cat):
    m = cat.item_map()
    lectures = m["ZS2022-29-04"]
    assert (lectures.target, lectures.target_max, lectures.unit) == (2, None, "期")
    assert lectures.cycle is Cycle.YEARLY and "讲座" in lectures.requirement
    assert "两期" in lectures.source_passage
    hours = m["ZS2022-29-06"]
    assert (hours.target, hours.unit, hours.cycle) == (100, "学时", Cycle.YEARLY)
    assert "100学时" in hours.source_passage
    with_target = {i.item_id for i in cat.items if i.target is not None}
    assert with_target == {"ZS2022-29-04", "ZS2022-29-06"}
    assert all(i.unit == "" for i in cat.items if i.target is None)


@pytest.mark.parametrize(
    ("item_id", "keywords", "cycle"),
    [
        ("ZS2022-04-03", ("合法性审核",), Cycle.PER_EVENT),
        ("ZS2022-05-01", ("备案",), Cycle.PER_EVENT),
        ("ZS2022-05-02", ("清理",), Cycle.ONGOING),
        ("ZS2022-06-02", ("法律顾问",), Cycle.ONGOING),
        ("ZS2022-06-05", ("听证",), Cycle.PER_EVENT),
        ("ZS2022-10-06", ("年度涉企", "检查计划"), Cycle.YEARLY),
        ("ZS2022-18-01", ("出庭应诉",), Cycle.PER_EVENT),
        ("ZS2022-27-02", ("年度报告", "公开"), Cycle.YEARLY),
        ("ZS2022-28-01", ("经费", "预算"), Cycle.YEARLY),
        ("ZS2022-29-01", ("应知应会",), Cycle.ONCE),
    ],
)
def test_pinned_items(cat, item_id, keywords, cycle):
    item = cat.item_map()[item_id]
    for k in keywords:
        assert k in item.requirement, (item_id, k)
    assert item.cycle is cycle


def test_evidence_and_requirements_are_filled(cat):
    for i in cat.items:
        assert i.evidence_hint, i.item_id
        assert 4 <= len(i.requirement) <= 42, i.item_id


def test_no_damaged_characters(cat, source):
    for text in (source, all_text(cat), JSON.read_text("utf-8")):
        assert "\ufffd" not in text
        assert "?" not in text and "?" not in text
        assert not PINYIN_RE.search(text)


def test_no_traditional_characters(cat, source):
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s").convert
    for text in (source, all_text(cat)):
        # 乾佑 is a place name that t2s would wrongly turn into 干佑
        masked = text.replace("乾佑", "〇〇")
        assert t2s(masked) == masked


def test_listed_among_bundled_catalogues():
    codes = {c.document.code: len(c.items) for c in bundled_catalogues()}
    assert codes.get("ZS2022") == len(load_catalogue_json(JSON).items)


def test_term_from_the_plan_title_and_closing_sentence(cat):
    d = cat.document
    assert (d.term_start, d.term_end) == (2022, 2025)
    assert d.term_text == "2022—2025年"
    assert "2022--2025年" in d.title.replace("—", "--") and PLAN_END.year == d.term_end


def test_township_role_follows_the_units_and_the_text(cat):
    m = cat.item_map()
    for i in cat.items:
        assert (i.township_role is TownshipRole.INFO) == (not i.applies_to_township), i.item_id
    assert m["ZS2022-01-01"].township_role is TownshipRole.TAKE_PART  # 参加单位:…、各镇办
    assert m["ZS2022-09-01"].township_role is TownshipRole.INFO  # 责任单位: county bodies only
    assert m["ZS2022-02-04"].township_role is TownshipRole.INFO  # text names 各镇办, the units do not
    # the sentence itself makes 各镇办 the actor
    assert m["ZS2022-28-02"].township_role is TownshipRole.LEAD
    assert m["ZS2022-30-01"].township_role is TownshipRole.LEAD
    leads = {i.item_id for i in cat.items if i.township_role is TownshipRole.LEAD}
    assert leads == {"ZS2022-28-02", "ZS2022-30-01"}


def test_counted_yearly_items_are_logged_session_by_session(cat):
    """1.4: the lectures (期) and the training hours (学时) are 逐次登记; nothing else is."""
    logged = {i.item_id: (i.target_text, i.unit) for i in cat.items if i.logged}
    assert logged == {"ZS2022-29-04": ("2", "期"), "ZS2022-29-06": ("100", "学时")}
    assert all(i.target is not None and i.cycle.value == "每年" for i in cat.items if i.logged)
