"""The trace from every sentence of a cleaned source text to the catalogue items that hold it.

Build-time only (the application never imports this). The trace tables live in
``tools/trace/<CODE>.tsv``, one per bundled source text, and are reviewed like
code. Each line of a table is ``<sid>␉<assignment>␉<text>``:

* ``sid`` names a sentence of the source: ``<line>.<n>`` is the n-th sentence
  (split after every "。") of the 1-based source line; ``<line>.<n><a|b|c…>`` is a
  clause of that sentence. A sentence split into clauses has the assignment
  ``分句`` and is followed by its clauses, whose texts joined give the sentence.
* ``assignment`` is one of

  - item ids separated by spaces (``SZ2015-04-01 SZ2015-04-02``): the items
    that hold the sentence;
  - ``#标题`` (a chapter, section or article heading: items carry it verbatim
    as 章/节/条), ``#单位`` (a 牵头单位/参加单位/责任单位 line: items carry it
    as their units) or ``#期限`` (a deadline for all tasks: items carry it as
    their 截止日期);
  - an exclusion ``!<reason>``, the reason one of :data:`REASONS`; ``!重复 <sid>``
    names the sentence it repeats.

* ``text`` is the sentence or clause, verbatim.

:func:`check` lists every way a table disagrees with its source text and its
catalogue: a sentence missing from the table or with changed text, an item id
that does not exist, an item whose 原文 is not exactly the whole sentences traced
to it, a clause stating an obligation that no item assigned to its sentence
holds, a 重复 pointing at nothing, a heading or unit line no item carries.

An item's 原文 is the whole sentence(s) traced to it (a sentence split into
clauses counts whole when any of its clauses is), verbatim and in document
order: :func:`item_passages` builds it, the build scripts write it, and
:func:`check` compares. The sentences must follow one another in the source;
sentences on consecutive lines are joined with a line break, and a leading
sub-item number such as "(1)" is left out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACE_DIR = ROOT / "tools" / "trace"
SOURCE_DIR = ROOT / "resources" / "sources"
CATALOGUE_DIR = ROOT / "resources" / "catalogues"
CODES = ("SZ2015", "ZS2022")

REASONS = {
    "背景/目的": "背景、目的、意义、形势判断",
    "指导思想/原则": "指导思想、原则、总体目标",
    "上级职责": "上级政府或部门的职责,乡镇不参加",
    "重复": "重复另一句已有的要求",
    "鼓励性": "鼓励性、无可检查的要求",
    "落款/附件": "发文机关、主送、印发通知、落款日期",
}
STRUCTURE = {
    "#标题": "章、节、条标题(读入事项的章、节、条)",
    "#单位": "牵头单位、参加单位、责任单位行(读入事项的单位)",
    "#期限": "完成期限(读入事项的截止日期)",
}
SPLIT = "分句"
SID_RE = re.compile(r"^(\d+)\.(\d+)([a-z]?)$")
# Verbs of duty: a clause containing one states an obligation (建立制度, 不得…, 应当…, 组织培训…).
OBLIGATION_VERBS = ("建立", "健全", "完善", "落实", "开展", "组织", "承办", "负责", "不得", "严禁",
                    "应当", "必须", "要", "实行", "推行", "执行", "制定", "审核", "报送", "公布",
                    "坚持", "加强", "推进", "确保")
CLAUSE_RE = re.compile(r"[^,;:\uff0c\uff1b\uff1a]+[,;:\uff0c\uff1b\uff1a]?")
SUB_NO_RE = re.compile(r"^\(\d+\)")  # a sub-item number opening a line, left out of 原文


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source: line number (1-based), index in the line, span in the line."""

    sid: str
    line: int
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Every sentence of a cleaned source text, split after each "。" of each line."""
    out: list[Sentence] = []
    for ln, line in enumerate(text.splitlines(), start=1):
        pos, n = 0, 0
        for m in re.finditer(r"[^。]*(?:。|$)", line):
            s = m.group(0)
            if not s:
                continue
            n += 1
            out.append(Sentence(f"{ln}.{n}", ln, m.start(), m.end(), s))
            pos = m.end()
        assert pos == len(line)
    return out


@dataclass
class Entry:
    """One row of a trace table."""

    sid: str
    assignment: str
    text: str
    row: int  # line of the table file

    @property
    def items(self) -> list[str]:
        a = self.assignment
        if a.startswith(("!", "#")) or a == SPLIT:
            return []
        return a.split()

    @property
    def reason(self) -> str:
        """The exclusion reason ("" when traced)."""
        if not self.assignment.startswith("!"):
            return ""
        return self.assignment[1:].split()[0]

    @property
    def repeats(self) -> str:
        parts = self.assignment[1:].split()
        return parts[1] if self.reason == "重复" and len(parts) > 1 else ""


@dataclass
class Trace:
    code: str
    entries: list[Entry] = field(default_factory=list)


def read_trace(path: Path, code: str = "") -> Trace:
    t = Trace(code or path.stem)
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path.name}:{n}: expected 3 tab-separated fields, got {len(parts)}")
        sid, assignment, text = parts
        t.entries.append(Entry(sid.strip(), assignment.strip(), text, n))
    return t


def write_trace(path: Path, code: str, header: list[str], entries: list[Entry]) -> None:
    lines = [f"# {h}" if h else "#" for h in header]
    lines += [f"{e.sid}\t{e.assignment}\t{e.text}" for e in entries]
    path.write_text("\n".join(lines) + "\n", "utf-8", newline="\n")


def _base(sid: str) -> str:
    m = SID_RE.match(sid)
    return f"{m.group(1)}.{m.group(2)}" if m else sid


def item_sentences(trace: Trace, source: str) -> dict[str, list[Sentence]]:
    """item id -> the whole sentences traced to it (directly or by a clause), in document order."""
    sents = sentences(source)
    order = {s.sid: k for k, s in enumerate(sents)}
    by_sid = {s.sid: s for s in sents}
    out: dict[str, set[str]] = {}
    for e in trace.entries:
        base = _base(e.sid)
        if base not in by_sid:
            continue
        for i in e.items:
            out.setdefault(i, set()).add(base)
    return {i: [by_sid[sid] for sid in sorted(sids, key=order.__getitem__)] for i, sids in out.items()}


def join_sentences(sents: list[Sentence], all_sents: list[Sentence]) -> str | None:
    """The 原文 made of ``sents`` (whole sentences in document order); None when they do not follow one another.

    Sentences of one line are joined as they stand, consecutive lines with a line
    break; a sub-item number "(1)" opening the first sentence's line is left out.
    """
    if not sents:
        return None
    order = {s.sid: k for k, s in enumerate(all_sents)}
    ks = [order[s.sid] for s in sents]
    if ks != list(range(ks[0], ks[0] + len(ks))):
        return None
    out = ""
    for k, s in enumerate(sents):
        if k and s.line != sents[k - 1].line:
            out += "\n"
        out += s.text
    if sents[0].start == 0:
        out = SUB_NO_RE.sub("", out, count=1)
    return out


def item_passages(trace: Trace, source: str) -> dict[str, str | None]:
    """item id -> its 原文: the whole sentences traced to it (None when they are not contiguous)."""
    all_sents = sentences(source)
    return {i: join_sentences(ss, all_sents) for i, ss in item_sentences(trace, source).items()}


def clauses(text: str) -> list[str]:
    """The clauses of a sentence or clause, split after each comma, semicolon or colon."""
    return [c for c in CLAUSE_RE.findall(text) if c.strip(",;:\uff0c\uff1b\uff1a。 ")]


_DUTY_RE = re.compile("|".join(v if v != "要" else r"(?<![重主需纲提])要(?![求点素])" for v in OBLIGATION_VERBS))


def states_obligation(clause: str) -> bool:
    return bool(_DUTY_RE.search(clause))


@dataclass
class Obligation:
    """A clause stating an obligation: the unit (sentence or clause of the trace) it lies in, and who holds it."""

    sid: str
    clause: str
    holders: list[str]  # items assigned to its unit whose 原文 contains it
    reason: str  # the unit's exclusion reason ("" when traced to items)


def obligations(trace: Trace, items: list[dict]) -> list[Obligation]:
    """Every clause with a verb of duty in a sentence or clause traced to items or excluded for a reason.

    Headings, unit lines and deadlines are read into item fields and are not clauses.
    """
    passage = {i["id"]: i["source_passage"] for i in items}
    out: list[Obligation] = []
    for e in trace.entries:
        if e.assignment == SPLIT or e.assignment in STRUCTURE:
            continue
        for c in clauses(e.text):
            if not states_obligation(c):
                continue
            core = SUB_NO_RE.sub("", c.rstrip(",;:\uff0c\uff1b\uff1a。"), count=1)
            holders = [i for i in e.items if core in passage.get(i, "")]
            out.append(Obligation(e.sid, core, holders, e.reason))
    return out


def whole_sentence_passages(trace: Trace, source: str, items: list[dict]) -> int:
    """How many items' 原文 are exactly whole sentences of the source (what :func:`item_passages` makes)."""
    all_sents = sentences(source)
    text = source
    starts: set[int] = set()
    ends: set[int] = set()
    offset = 0
    line_off = {}
    for ln, line in enumerate(text.splitlines(), start=1):
        line_off[ln] = offset
        offset += len(line) + 1
    for s in all_sents:
        a = line_off[s.line] + s.start
        starts.add(a)
        if s.start == 0:
            m = SUB_NO_RE.match(s.text)
            if m:
                starts.add(a + m.end())
        ends.add(line_off[s.line] + s.end)
    n = 0
    for it in items:
        p = it["source_passage"]
        k = text.find(p) if p else -1
        while k >= 0:
            if k in starts and k + len(p) in ends:
                n += 1
                break
            k = text.find(p, k + 1)
    return n


@dataclass
class Units:
    """The units (whole sentences, or clauses of a split one) with their spans, by sid."""

    spans: dict[str, tuple[int, int, int]]  # sid -> (line, start, end)
    entries: dict[str, Entry]


def check(trace: Trace, source: str, items: list[dict]) -> list[str]:
    """Every problem of ``trace`` against the source text and the catalogue's items (dicts as in the JSON)."""
    problems: list[str] = []
    sents = sentences(source)
    by_sid = {s.sid: s for s in sents}
    item_ids = {i["id"] for i in items}
    seen: dict[str, Entry] = {}
    spans: dict[str, tuple[int, int, int]] = {}
    order: list[str] = []
    pending: tuple[Sentence, list[Entry]] | None = None

    def close_split() -> None:
        nonlocal pending
        if pending is None:
            return
        s, clauses = pending
        joined = "".join(c.text for c in clauses)
        if len(clauses) < 2:
            problems.append(f"{s.sid}: 分句 needs at least two clauses")
        elif joined != s.text:
            problems.append(f"{s.sid}: clauses do not join to the sentence")
        else:
            pos = s.start
            for c in clauses:
                spans[c.sid] = (s.line, pos, pos + len(c.text))
                pos += len(c.text)
        pending = None

    for e in trace.entries:
        m = SID_RE.match(e.sid)
        if not m:
            problems.append(f"row {e.row}: bad sid {e.sid!r}")
            continue
        if e.sid in seen:
            problems.append(f"{e.sid}: listed twice (rows {seen[e.sid].row}, {e.row})")
            continue
        seen[e.sid] = e
        base = f"{m.group(1)}.{m.group(2)}"
        if m.group(3):  # a clause
            if pending is None or pending[0].sid != base:
                problems.append(f"{e.sid}: clause outside its split sentence")
                continue
            pending[1].append(e)
        else:
            close_split()
            s = by_sid.get(e.sid)
            if s is None:
                problems.append(f"{e.sid}: no such sentence in the source")
                continue
            if e.text != s.text:
                problems.append(f"{e.sid}: text differs from the source: {e.text[:30]!r} vs {s.text[:30]!r}")
            order.append(e.sid)
            if e.assignment == SPLIT:
                pending = (s, [])
            else:
                spans[e.sid] = (s.line, s.start, s.end)
        a = e.assignment
        if a == SPLIT:
            continue
        if a in STRUCTURE:
            continue
        if a.startswith("!"):
            if e.reason not in REASONS:
                problems.append(f"{e.sid}: unknown exclusion reason {e.reason!r}")
            if e.reason == "重复":
                target = e.repeats
                if not target:
                    problems.append(f"{e.sid}: 重复 names no sentence")
                elif target == e.sid:
                    problems.append(f"{e.sid}: 重复 names itself")
            continue
        if not e.items:
            problems.append(f"{e.sid}: no assignment")
        for i in e.items:
            if i not in item_ids:
                problems.append(f"{e.sid}: no item {i}")
    close_split()
    # 重复 must point at a sentence or clause that is itself traced to items
    for e in seen.values():
        if e.reason == "重复" and e.repeats:
            t = seen.get(e.repeats)
            if t is None or t.assignment == SPLIT:
                problems.append(f"{e.sid}: 重复 points at {e.repeats!r}, which is not a sentence or clause of the trace")
            elif not t.items:
                problems.append(f"{e.sid}: 重复 points at {e.repeats}, which holds no item")
    missing = [s.sid for s in sents if s.sid not in seen]
    for sid in missing:
        problems.append(f"{sid}: untraced sentence: {by_sid[sid].text[:40]}")
    # each item's 原文 is the whole sentences traced to it
    if not any(p.startswith("row ") or "listed twice" in p for p in problems):
        want = item_passages(trace, source)
        for it in items:
            if it["id"] not in want:
                problems.append(f"{it['id']}: no sentence is traced to this item")
                continue
            w = want[it["id"]]
            if w is None:
                sids = " ".join(s.sid for s in item_sentences(trace, source)[it["id"]])
                problems.append(f"{it['id']}: the sentences traced to it do not follow one another: {sids}")
            elif it["source_passage"] != w:
                problems.append(f"{it['id']}: 原文 is not the whole sentences traced to it: "
                                f"{it['source_passage'][:30]!r} vs {w[:30]!r}")
        # every clause stating an obligation is held by an item of its sentence, or excluded with a reason
        for o in obligations(trace, items):
            if not o.holders and not o.reason:
                problems.append(f"{o.sid}: obligation held by no item assigned to it: {o.clause[:30]}")
    # headings and unit lines are carried by items
    carried = set()
    for it in items:
        carried.update({it["chapter"], it["section"], it["article_title"], it["lead_units"], it["participating_units"]})
    for e in seen.values():
        if e.assignment == "#标题":
            t = e.text.rstrip("。")
            t2 = re.sub(r"^\d+\.", "", t)
            if t not in carried and t2 not in carried:
                problems.append(f"{e.sid}: heading carried by no item: {e.text[:30]}")
        elif e.assignment == "#单位":
            units = e.text.split(":", 1)[-1]
            if units not in carried:
                problems.append(f"{e.sid}: unit line carried by no item: {e.text[:30]}")
        elif e.assignment == "#期限":
            years = re.findall(r"(\d{4})年年底前", e.text)
            dates = {it["deadline"] for it in items}
            if not years or any(f"{y}-12-31" not in dates for y in years):
                problems.append(f"{e.sid}: deadline carried by no item: {e.text[:30]}")
    return problems


@dataclass
class Figures:
    """Counts for the report: sentences (clauses counted for split ones) by how they are traced."""

    code: str
    sentences: int
    traced: int
    structure: int
    excluded: Counter
    untraced: list[Sentence]
    items: int
    items_traced: int
    obligations: int = 0  # clauses with a verb of duty in traced or excluded sentences
    obligations_held: int = 0  # … held by an item assigned to their sentence
    obligations_excluded: Counter = field(default_factory=Counter)  # … in a unit excluded, by reason
    obligations_unheld: list[Obligation] = field(default_factory=list)  # … neither: must be none
    per_article: dict[int, int] = field(default_factory=dict)  # items per article (条 / 任务)
    whole_passages: int = 0  # items whose 原文 is whole sentences


def figures(trace: Trace, source: str, items: list[dict]) -> Figures:
    sents = sentences(source)
    entries = {e.sid: e for e in trace.entries}
    traced = structure = 0
    excluded: Counter = Counter()
    untraced: list[Sentence] = []
    for s in sents:
        e = entries.get(s.sid)
        if e is None:
            untraced.append(s)
            continue
        units = [e]
        if e.assignment == SPLIT:
            units = [c for sid, c in entries.items() if sid.startswith(s.sid) and sid != s.sid
                     and SID_RE.match(sid) and SID_RE.match(sid).group(3)
                     and f"{SID_RE.match(sid).group(1)}.{SID_RE.match(sid).group(2)}" == s.sid]
        for u in units:
            if u.items:
                traced += 1
            elif u.assignment in STRUCTURE:
                structure += 1
            elif u.reason:
                excluded[u.reason] += 1
            else:
                untraced.append(s)
    item_ids = {i for e in trace.entries for i in e.items}
    obs = obligations(trace, items)
    per_article: Counter = Counter(i["article"] for i in items)
    return Figures(trace.code, len(sents), traced, structure, excluded, untraced, len(items),
                   sum(1 for i in items if i["id"] in item_ids),
                   obligations=len(obs),
                   obligations_held=sum(1 for o in obs if o.holders),
                   obligations_excluded=Counter(o.reason for o in obs if not o.holders and o.reason),
                   obligations_unheld=[o for o in obs if not o.holders and not o.reason],
                   per_article=dict(sorted(per_article.items())),
                   whole_passages=whole_sentence_passages(trace, source, items))


def load(code: str) -> tuple[Trace, str, list[dict]]:
    import json

    trace = read_trace(TRACE_DIR / f"{code}.tsv", code)
    source = (SOURCE_DIR / f"{code}.txt").read_text("utf-8")
    items = json.loads((CATALOGUE_DIR / f"{code}.json").read_text("utf-8"))["items"]
    return trace, source, items
