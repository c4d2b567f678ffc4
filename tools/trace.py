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
that does not exist, an item whose 原文 is not inside the sentences traced to
it, a 重复 pointing at nothing, a heading or unit line no item carries.
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
    # each item's 原文 lies inside the units traced to it
    lines = source.splitlines()
    cover: dict[str, dict[int, set[int]]] = {}
    for sid, (ln, a, b) in spans.items():
        for i in seen[sid].items:
            cover.setdefault(i, {}).setdefault(ln, set()).update(range(a, b))
    for it in items:
        p = it["source_passage"]
        got = cover.get(it["id"])
        if not got:
            problems.append(f"{it['id']}: no sentence is traced to this item")
            continue
        ok = False
        for ln, chars in got.items():
            line = lines[ln - 1]
            k = line.find(p)
            while k >= 0 and not ok:
                ok = all(c in chars for c in range(k, k + len(p)))
                k = line.find(p, k + 1)
            if ok:
                break
        if not ok:
            problems.append(f"{it['id']}: 原文 not inside the sentences traced to it: {p[:30]}")
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
    return Figures(trace.code, len(sents), traced, structure, excluded, untraced, len(items),
                   sum(1 for i in items if i["id"] in item_ids))


def load(code: str) -> tuple[Trace, str, list[dict]]:
    import json

    trace = read_trace(TRACE_DIR / f"{code}.tsv", code)
    source = (SOURCE_DIR / f"{code}.txt").read_text("utf-8")
    items = json.loads((CATALOGUE_DIR / f"{code}.json").read_text("utf-8"))["items"]
    return trace, source, items
