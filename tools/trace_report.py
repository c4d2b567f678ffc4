"""Print, per bundled source text, how its sentences are traced to catalogue items.

Build-time only::

    python tools/trace_report.py

For each document: sentences (a sentence split into clauses counts once per
clause), how many are traced to items, read into item fields (headings, unit
lines, deadlines), excluded by each reason, and untraced; the clauses stating an
obligation (a verb of duty) and how many an item holds, how many lie in a
sentence or clause excluded with a reason, and how many neither (listed; must be
0); how many items' 原文 are whole sentences; the items per article; then every
untraced sentence and every problem :func:`trace.check` finds. Exits 1 when
there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import trace as tr  # noqa: E402  (tools/trace.py, not the standard library's trace)


def main() -> int:
    bad = 0
    for code in tr.CODES:
        trace, source, items = tr.load(code)
        f = tr.figures(trace, source, items)
        problems = tr.check(trace, source, items)
        units = f.traced + f.structure + sum(f.excluded.values()) + len(f.untraced)
        print(f"{code}: {f.sentences} 句({units} 个句或分句),{f.items} 项检查事项")
        print(f"  对应到事项  {f.traced}")
        print(f"  读入事项字段 {f.structure}(标题、单位、期限)")
        for reason in tr.REASONS:
            if f.excluded.get(reason):
                print(f"  排除:{reason:<8} {f.excluded[reason]}")
        print(f"  未对应      {len(f.untraced)}")
        for s in f.untraced:
            print(f"    {s.sid}  {s.text}")
        print(f"  含义务动词的分句 {f.obligations}:有事项 {f.obligations_held},"
              + "".join(f"排除({r}) {n}," for r, n in f.obligations_excluded.items())
              + f"无事项 {len(f.obligations_unheld)}")
        for o in f.obligations_unheld:
            print(f"    {o.sid}  {o.clause}")
        print(f"  原文为整句  {f.whole_passages}/{f.items}")
        print("  各条事项数  " + " ".join(f"{a}:{n}" for a, n in f.per_article.items()))
        if problems:
            print(f"  问题 {len(problems)}:")
            for p in problems:
                print(f"    {p}")
        bad += len(f.untraced) + len(problems) + len(f.obligations_unheld)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
