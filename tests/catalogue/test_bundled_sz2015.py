"""The bundled catalogue of 苏府〔2015〕12号 (SZ2015.json) against its cleaned source text.

Checks the file is valid, canonical and what the build script writes; that every
numbered article of the 意见 has items whose passages are verbatim; that the
numbers the text demands sit on the right items; that the township flag follows
the actor; and that no damaged or traditional characters are left. The source
headings are parsed here independently of the build script.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
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
JSON = ROOT / "resources" / "catalogues" / "SZ2015.json"
SOURCE = ROOT / "resources" / "sources" / "SZ2015.txt"
BUILDER = ROOT / "tools" / "build_catalogue_sz2015.py"
CLEANER = ROOT / "tools" / "clean_sources.py"

ID_RE = re.compile(r"^SZ2015-(\d{2})-(\d{2})$")
# 编号 → 事项内容 of the bundled catalogues' version 1.0 (the ids past years were assessed under)
IDS_1_0 = json.loads((Path(__file__).parent / "data" / "item_ids_1.0.json").read_text("utf-8"))
PINYIN_RE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
COUNTY_ACTORS = {"县市区政府", "县市区政府法制机构", "县市区行政执法机关", "委托行政机关"}


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue_json(JSON)


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text("utf-8")


@pytest.fixture(scope="module")
def items(cat) -> dict[str, Item]:
    return cat.item_map()


def parse_articles(text: str) -> dict[int, tuple[str, str, str]]:
    """article number → (chapter, section, title), read from the heading lines."""
    out: dict[int, tuple[str, str, str]] = {}
    chapter = section = ""
    for line in text.splitlines():
        if re.match(r"^[一二三]、", line):
            chapter, section = line, ""
        elif re.match(r"^\([一二三四五六七]\)", line):
            section = line.removesuffix("。")
        elif m := re.match(r"^(\d+)\.(.*)。$", line):
            out[int(m.group(1))] = (chapter, section, m.group(2))
    return out


def _texts(cat: Catalogue) -> list[str]:
    d = cat.document
    out = [d.title, d.doc_number, d.issuer, *d.notes]
    for i in cat.items:
        out += [i.chapter, i.section, i.article_title, i.requirement, i.source_passage,
                i.lead_units, i.participating_units, i.unit, i.evidence_hint]
    return out


# --- the file -------------------------------------------------------------------------


def test_file_is_canonical(cat):
    assert JSON.read_text("utf-8") == dump_catalogue_json(cat)


def test_build_script_reproduces_file():
    builder = _load_module(BUILDER, "build_catalogue_sz2015")
    assert dump_catalogue_json(builder.build()) == JSON.read_text("utf-8")


def test_is_bundled(cat):
    bundled = {c.document.code: c for c in bundled_catalogues()}
    assert bundled["SZ2015"].items == cat.items


def test_document_block(cat):
    d = cat.document
    assert d.code == "SZ2015"
    assert d.title == "苏州市政府关于进一步加强乡镇政府、街道办事处依法行政工作的意见"
    assert d.doc_number == "苏府〔2015〕12号"
    assert d.issuer == "苏州市人民政府"
    assert d.date.isoformat() == "2015-02-01"
    assert d.version == "1.4"
    assert d.source_text == "SZ2015.txt"


def test_notes_record_every_repair(cat):
    cleaner = _load_module(CLEANER, "clean_sources_for_sz_test")
    notes = "\n".join(cat.document.notes)
    assert "此件公开发布" in notes  # where the document was cut out of the web page
    for old, _new, _count in cleaner.SZ_REPAIRS:
        # each repair is named by the words on either side of the join
        head = old.split("\n")[0]
        assert head in notes, f"repair not recorded: {old!r}"
    assert "苏府[2015]12号" in notes  # the odd brackets of the source are explained
    assert "脱“挥”字" in notes


# --- structure ------------------------------------------------------------------------


def test_every_article_has_items_with_its_headings(cat, source):
    arts = parse_articles(source)
    assert sorted(arts) == list(range(1, 31))
    by_art: dict[int, list[Item]] = {}
    for i in cat.items:
        by_art.setdefault(i.article_no, []).append(i)
    assert sorted(by_art) == list(range(1, 31))
    for n, (chapter, section, title) in arts.items():
        for i in by_art[n]:
            assert (i.chapter, i.section, i.article_title) == (chapter, section, title), i.item_id
    assert by_art[1][0].chapter == "一、重要意义和总体目标" and by_art[1][0].section == ""
    assert by_art[4][0].section == "(一)大力提高工作人员依法行政意识和能力"
    assert by_art[4][0].article_title == "建立学法培训长效机制"
    assert by_art[25][0].chapter == "三、保障措施" and by_art[25][0].section == ""
    assert len(by_art[12]) >= 8  # the 重大行政决策 procedure: each step its own item


def test_item_count_is_plausible(cat):
    n = len(cat.items)
    assert 120 <= n <= 150, n
    township = sum(i.applies_to_township for i in cat.items)
    assert 80 <= township < n


def test_ids_unique_patterned_and_in_document_order(cat, source):
    ids = [i.item_id for i in cat.items]
    assert len(set(ids)) == len(ids)
    v1 = IDS_1_0["SZ2015"]
    last_v1: dict[int, int] = {}
    for i in cat.items:
        m = ID_RE.match(i.item_id)
        assert m, i.item_id
        assert int(m.group(1)) == i.article_no
        if i.item_id in v1:  # version 1.0 numbered each article's items 01, 02, … in order
            n = int(m.group(2))
            assert n == last_v1.get(i.article_no, 0) + 1, i.item_id
            last_v1[i.article_no] = n
    # items added later are numbered after their article's version 1.0 items
    for i in cat.items:
        if i.item_id not in v1:
            assert int(i.item_id[-2:]) > last_v1[i.article_no], i.item_id
    # and the passages follow the text: line numbers never go back
    line_of = [source.count("\n", 0, source.index(i.source_passage)) for i in cat.items]
    assert line_of == sorted(line_of)


def test_version_1_0_ids_keep_their_meaning(items):
    """Every 编号 of version 1.0 is still there with the wording assessments were made against."""
    v1 = IDS_1_0["SZ2015"]
    assert set(v1) <= set(items)
    for item_id, requirement in v1.items():
        assert items[item_id].requirement == requirement, item_id
    added = sorted(set(items) - set(v1))
    added_1_1 = ["SZ2015-09-06", "SZ2015-22-05", "SZ2015-24-04"]
    added_1_3 = ["SZ2015-03-04", "SZ2015-04-04", "SZ2015-05-07", "SZ2015-05-08", "SZ2015-07-04", "SZ2015-08-04",
                 "SZ2015-09-07", "SZ2015-11-03", "SZ2015-12-12", "SZ2015-18-06", "SZ2015-20-02", "SZ2015-21-04",
                 *(f"SZ2015-28-{n:02d}" for n in range(8, 15))]
    assert added == sorted(added_1_1 + added_1_3)


def test_passages_are_whole_verbatim_sentences(cat, source):
    lines = set(source.splitlines())
    for i in cat.items:
        p = i.source_passage
        assert p and p == p.strip() and p in source, i.item_id
        # every line of it is a whole line of the source (in Suzhou each sentence is a line)
        assert all(ln in lines for ln in p.split("\n")), i.item_id
    multi = sorted(i.item_id for i in cat.items if "\n" in i.source_passage)
    assert multi == ["SZ2015-18-01", "SZ2015-21-01"]  # 充实行政执法队伍。/ 积极整合社会力量… belong to them


def test_fields_filled_and_short(cat):
    for i in cat.items:
        assert 4 <= len(i.requirement) <= 40, i.item_id
        assert i.evidence_hint, i.item_id
        assert i.lead_units, i.item_id
        assert i.deadline is None, i.item_id  # the Suzhou text sets no dates
        assert i.first_year is None, i.item_id
        assert (i.target is None) == (i.unit == ""), i.item_id


# --- text quality -----------------------------------------------------------------------


def test_no_damaged_characters(cat, source):
    for t in [source, *_texts(cat)]:
        assert "\ufffd" not in t and "?" not in t and "\uff1f" not in t, t
        assert not PINYIN_RE.search(t), t


def test_no_traditional_characters(cat, source):
    opencc = pytest.importorskip("opencc")
    conv = opencc.OpenCC("t2s")
    for t in [source, *_texts(cat)]:
        assert conv.convert(t) == t, t


# --- content pinned against the text -----------------------------------------------------


def test_article_4_study_and_training(items):
    a = items["SZ2015-04-01"]
    assert "集中学法" in a.requirement and (a.target, a.unit, a.cycle) == (4, "次", Cycle.YEARLY)
    b = items["SZ2015-04-02"]
    assert "培训" in b.requirement and (b.target, b.unit, b.cycle) == (40, "学时", Cycle.YEARLY)


def test_article_10_normative_documents(items):
    reg = items["SZ2015-10-01"]
    assert "统一登记" in reg.requirement and reg.cycle is Cycle.PER_EVENT
    filing = items["SZ2015-10-02"]
    assert "备案" in filing.requirement
    assert (filing.target, filing.unit, filing.cycle) == (15, "日", Cycle.PER_EVENT)
    assert "备案报告" in filing.evidence_hint
    rate = items["SZ2015-10-03"]
    assert (rate.target, rate.unit, rate.cycle) == (100, "%", Cycle.YEARLY)
    review = items["SZ2015-10-04"]
    assert review.lead_units == "县市区政府法制机构" and not review.applies_to_township
    clean = items["SZ2015-10-05"]
    assert "清理" in clean.requirement and clean.cycle is Cycle.BIENNIAL
    assert "清理结果" in clean.evidence_hint
    publish = items["SZ2015-10-06"]
    assert "公布" in publish.requirement and "清理结果" in publish.requirement
    assert publish.cycle is Cycle.BIENNIAL
    biennial = {i for i, it in items.items() if it.cycle is Cycle.BIENNIAL}
    assert biennial == {"SZ2015-10-05", "SZ2015-10-06"}


def test_decision_procedure_items(items):
    assert items["SZ2015-12-05"].evidence_hint == "听证报告"
    assert items["SZ2015-12-10"].evidence_hint == "决策档案"
    assert items["SZ2015-12-02"].cycle is Cycle.YEARLY  # 目录每年报备
    assert "廉洁性审查" in items["SZ2015-12-03"].requirement
    assert "考试结果" in items["SZ2015-03-02"].evidence_hint
    assert "履职档案" in items["SZ2015-29-02"].evidence_hint


def test_every_numeric_target_on_its_item(items, source):
    expected = {
        "SZ2015-04-01": ("4", "次"),
        "SZ2015-04-02": ("40", "学时"),
        "SZ2015-10-02": ("15", "日"),
        "SZ2015-10-03": ("100", "%"),
        "SZ2015-13-01": ("1~2", "件"),
        "SZ2015-18-03": ("6", "天"),
        "SZ2015-18-04": ("9", "天"),
        "SZ2015-25-03": ("15", "%"),
        "SZ2015-28-04": ("2", "名"),
        "SZ2015-28-05": ("1~2", "名"),
        "SZ2015-28-06": ("1", "名"),
    }
    got = {i: (it.target_text, it.unit) for i, it in items.items() if it.target is not None}
    assert got == expected
    for item_id, (target, unit) in expected.items():
        assert target + unit in items[item_id].source_passage, item_id
    # every quantity the text demands (不少于/不得少于/达到/以上/N次…) is one of the above
    demands = re.findall(r"(?<![\d月~])(\d+(?:~\d+)?)(次|学时|日|天|件|%|名)", source)
    assert {f"{n}{u}" for n, u in demands} == {t + u for t, u in expected.values()}


def test_articles_9_and_28_offices(items):
    assert items["SZ2015-09-03"].evidence_hint == "法律审核意见书"
    assert items["SZ2015-09-03"].lead_units == "乡镇、街道法制办"
    assert "法制办公室" in items["SZ2015-28-01"].requirement
    assert items["SZ2015-28-01"].cycle is Cycle.ONCE
    assert items["SZ2015-28-06"].lead_units == "街道办事处"


def test_applies_to_township_follows_the_actor(cat, items):
    for i in cat.items:
        units = i.lead_units + "、" + i.participating_units
        township = "镇" in units or "街道" in units
        assert i.applies_to_township == township, i.item_id
        if not i.applies_to_township:
            assert set(i.lead_units.split("、")) <= COUNTY_ACTORS, i.item_id
    # addressed to the county only
    for item_id in ("SZ2015-25-01", "SZ2015-25-02", "SZ2015-25-03", "SZ2015-26-01",
                    "SZ2015-26-02", "SZ2015-15-01", "SZ2015-19-01", "SZ2015-22-03"):
        assert not items[item_id].applies_to_township, item_id
    # joint with the township, or addressed to a kind of township
    for item_id in ("SZ2015-15-02", "SZ2015-19-05", "SZ2015-19-03", "SZ2015-05-05", "SZ2015-28-05"):
        assert items[item_id].applies_to_township, item_id
    # every item whose passage says the township must act applies to it
    for i in cat.items:
        if i.source_passage.startswith("乡镇政府、街道办事处"):
            assert i.applies_to_township, i.item_id


def test_cycles_are_sensible(items):
    assert items["SZ2015-27-04"].cycle is Cycle.YEARLY  # 年度计划
    assert items["SZ2015-27-03"].cycle is Cycle.ONCE  # 长期规划
    assert items["SZ2015-27-06"].cycle is Cycle.YEARLY  # 定期书面报告
    for i in items.values():
        if "每年" in i.requirement:
            assert i.cycle is Cycle.YEARLY, i.item_id


def test_no_term_and_township_role_from_the_actor(cat, items):
    assert (cat.document.term_start, cat.document.term_end) == (None, None)  # in force until retired
    for i in cat.items:
        assert (i.township_role is TownshipRole.INFO) == (not i.applies_to_township), i.item_id
    take_part = {i for i, it in items.items() if it.township_role is TownshipRole.TAKE_PART}
    # a county body leads, the township joins
    assert take_part == {"SZ2015-15-02", "SZ2015-19-05", "SZ2015-05-08"}
    assert items["SZ2015-17-01"].township_role is TownshipRole.LEAD  # the township leads, the county joins
    assert items["SZ2015-25-01"].township_role is TownshipRole.INFO


# --- version 1.3: whole sentences, the office's own duties, fields read again -----------------


def test_clauses_the_issue_named_are_held(items):
    assert items["SZ2015-12-09"].source_passage.startswith("坚持集体讨论决定制度,")
    assert "补考后仍不及格的,不得任职或者暂缓任职" in items["SZ2015-03-02"].source_passage
    assert "贴近群众实际需求开展法治宣传教育活动" in items["SZ2015-30-01"].source_passage
    own = {  # obligations that had no item of their own
        "SZ2015-07-04": "一事一议",
        "SZ2015-08-04": "两级服务体系",
        "SZ2015-18-01": "充实执法队伍",
        "SZ2015-20-02": "妥善处理突发性、群体性事件",
        "SZ2015-21-04": "个性化的村(社区)调解工作室",
    }
    for item_id, words in own.items():
        assert words in items[item_id].requirement, item_id


def test_the_offices_own_duties_are_items_led_by_it(items, source):
    """Article 28 lists what the 法制办 itself does: each duty is an item, role 牵头."""
    duties = {
        "SZ2015-28-08": "组织、协调和推进",
        "SZ2015-28-09": "重大行政决策进行合法性审查",
        "SZ2015-28-10": "规范性文件的审查备案",
        "SZ2015-28-02": "审核对外签订的合同",
        "SZ2015-28-11": "执法案卷评查、执法考核评议",
        "SZ2015-28-12": "行政复议、诉讼案件",
        "SZ2015-28-13": "重大复杂的法律事务",
        "SZ2015-28-14": "行政调解的组织协调、业务指导和统计分析",
    }
    sentence = next(ln for ln in source.splitlines() if ln.startswith("乡镇、街道法制办主要承担"))
    for item_id, words in duties.items():
        it = items[item_id]
        assert words in it.requirement, item_id
        assert it.lead_units == "乡镇、街道法制办" and it.township_role is TownshipRole.LEAD, item_id
        assert it.source_passage == sentence, item_id
    # the duties are no longer folded into other articles' items
    for item_id in ("SZ2015-09-03", "SZ2015-12-08", "SZ2015-16-02", "SZ2015-21-02", "SZ2015-22-02", "SZ2015-28-01"):
        assert items[item_id].source_passage != sentence, item_id


def test_cycles_targets_and_roles_read_from_the_text(items):
    # "每两年对规范性文件进行一次全面清理": biennial
    assert "每两年" in items["SZ2015-10-05"].source_passage and items["SZ2015-10-05"].cycle is Cycle.BIENNIAL
    # "发布满2年" is the scope of the review, not a target
    after = items["SZ2015-11-01"]
    assert "发布满2年" in after.source_passage and after.target is None and after.unit == ""
    # "1~2件" and "1~2名" are ranges
    assert (items["SZ2015-13-01"].target, items["SZ2015-13-01"].target_max) == (1, 2)
    assert (items["SZ2015-28-05"].target, items["SZ2015-28-05"].target_max) == (1, 2)
    # a county department acts alone: 仅供了解 for the township
    for item_id, words in (("SZ2015-15-06", "委托行政机关"), ("SZ2015-26-01", "例会制度"),
                           ("SZ2015-26-02", "组织乡镇法制工作人员")):
        assert words in items[item_id].source_passage, item_id
        assert items[item_id].township_role is TownshipRole.INFO, item_id
    # whatever the text says is done each year is yearly; every year-wise cycle is stated or 定期
    for i in items.values():
        if "每年" in i.requirement or "年度计划" in i.requirement:
            assert i.cycle is Cycle.YEARLY, i.item_id


def test_counted_yearly_items_are_logged_session_by_session(cat):
    """1.4: 集中学法 (次), legal training (学时) and the enforcement staff's training (天) are 逐次登记."""
    logged = {i.item_id: (i.target_text, i.unit) for i in cat.items if i.logged}
    assert logged == {"SZ2015-04-01": ("4", "次"), "SZ2015-04-02": ("40", "学时"),
                      "SZ2015-18-03": ("6", "天"), "SZ2015-18-04": ("9", "天")}
    assert all(i.target is not None and i.cycle.value == "每年" for i in cat.items if i.logged)
