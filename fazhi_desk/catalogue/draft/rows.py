"""A draft as editable rows of text, and back to a validated catalogue.

The review grid edits every field as text (as a clerk types it); :func:`catalogue_from_rows` turns the
rows back into a :class:`~fazhi_desk.catalogue.Catalogue` through the same validation as an imported
file, with each problem named by its row and column (第 3 行“周期”). Rows are immutable: an edit makes a
new row, so an undo step can keep the rows it replaced.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from fazhi_desk.catalogue.diff import ITEM_FIELD_LABELS
from fazhi_desk.catalogue.schema import Catalogue, catalogue_to_dict, parse_catalogue_dict
from fazhi_desk.domain.model import Item, SourceDocument
from fazhi_desk.errors import Problem, UserError

from fazhi_desk.catalogue.draft.plan import SENTENCE_RE, Warning, _short_requirement


@dataclass(frozen=True)
class DraftRow:
    item_id: str
    chapter: str = ""
    section: str = ""
    article_no: str = ""
    article_title: str = ""
    requirement: str = ""
    source_passage: str = ""
    lead_units: str = ""
    participating_units: str = ""
    township_role: str = ""
    cycle: str = ""
    target: str = ""
    unit: str = ""
    deadline: str = ""
    score: str = ""
    evidence: str = ""
    warnings: str = ""
    measure: str = ""  # 计量方式: 逐次登记 or ""


# (field, header) of the columns the review grid shows, in order; 提示 is read-only.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("item_id", "编号"), ("chapter", "章"), ("section", "节"), ("article_no", "条"), ("article_title", "条标题"),
    ("requirement", "事项内容"), ("source_passage", "原文"), ("lead_units", "牵头单位"),
    ("participating_units", "参加单位"), ("township_role", "乡镇角色"), ("cycle", "周期"), ("target", "目标值"),
    ("unit", "计量单位"), ("deadline", "截止日期"), ("score", "分值"), ("measure", "计量方式"), ("evidence", "佐证材料"),
    ("warnings", "提示"),
)
LABELS = dict(COLUMNS)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def rows_from_items(items: tuple[Item, ...] | list[Item], warnings: list[Warning]) -> list[DraftRow]:
    by_item: dict[str, list[str]] = {}
    for w in warnings:
        by_item.setdefault(w.item_id, []).append(w.message)
    return [
        DraftRow(
            item_id=i.item_id, chapter=i.chapter, section=i.section, article_no=str(i.article_no),
            article_title=i.article_title, requirement=i.requirement, source_passage=i.source_passage,
            lead_units=i.lead_units, participating_units=i.participating_units,
            township_role=i.township_role.value, cycle=i.cycle.value, target=i.target_text, unit=i.unit,
            deadline=i.deadline.isoformat() if i.deadline else "", score=_num(i.score), evidence=i.evidence_hint,
            warnings=";".join(by_item.get(i.item_id, [])), measure=i.measure,
        )
        for i in items
    ]


def renumber(rows: list[DraftRow], code: str) -> list[DraftRow]:
    """编号 ``CODE-条-序号`` in row order (a draft's numbers are not yet anyone's history)."""
    out, per_article = [], {}
    for r in rows:
        try:
            art = int(r.article_no)
        except ValueError:
            art = 0
        n = per_article.get(art, 0) + 1
        per_article[art] = n
        out.append(dataclasses.replace(r, item_id=f"{code}-{art:02d}-{n:02d}"))
    return out


def merge_with_previous(rows: list[DraftRow], index: int, code: str) -> list[DraftRow]:
    """Row ``index`` joins the row above it: one obligation the draft had cut in two."""
    if index <= 0 or index >= len(rows):
        return rows
    a, b = rows[index - 1], rows[index]
    joined = dataclasses.replace(
        a, requirement=f"{a.requirement};{b.requirement}".strip(";"),
        source_passage=a.source_passage + b.source_passage,
        warnings=";".join(w for w in (a.warnings, b.warnings) if w),
    )
    return renumber(rows[: index - 1] + [joined] + rows[index + 1:], code)


def split_by_sentence(rows: list[DraftRow], index: int, code: str) -> list[DraftRow]:
    """Row ``index`` becomes one row per sentence of its 原文 (several obligations in one row)."""
    r = rows[index]
    parts = [s for s in SENTENCE_RE.findall(r.source_passage) if s.strip()]
    if len(parts) < 2:
        return rows
    new = [dataclasses.replace(r, source_passage=p.rstrip(";;"), requirement=_short_requirement(p)[0]) for p in parts]
    return renumber(rows[:index] + new + rows[index + 1:], code)


_PLACE_RE = re.compile(r"^items\[(\d+)\]\.?(\w*)$")
_JSON_KEYS = {"id": "item_id", "article": "article_no", "evidence": "evidence"}


def catalogue_from_rows(document: SourceDocument, rows: list[DraftRow]) -> Catalogue:
    """Validate the edited rows as a catalogue; problems name 第 N 行 and the column."""
    cat = Catalogue(document=document, items=())
    data = catalogue_to_dict(cat)
    items = []
    for r in rows:
        try:
            article: object = int(r.article_no) if r.article_no.strip() else 0
        except ValueError:
            article = r.article_no
        score: object = r.score.strip()
        if score:
            try:
                score = float(score)
            except ValueError:
                pass
        items.append({
            "id": r.item_id.strip(), "chapter": r.chapter.strip(), "section": r.section.strip(), "article": article,
            "article_title": r.article_title.strip(), "requirement": r.requirement.strip(),
            "source_passage": r.source_passage.strip(), "lead_units": r.lead_units.strip(),
            "participating_units": r.participating_units.strip(),
            "applies_to_township": r.township_role.strip() != "仅供了解",
            "township_role": r.township_role.strip(), "cycle": r.cycle.strip(), "target": r.target.strip(),
            "unit": r.unit.strip(), "deadline": r.deadline.strip(), "evidence": r.evidence.strip(),
            **({"score": score} if score != "" else {}),
            **({"measure": r.measure.strip()} if r.measure.strip() else {}),
        })
    data["items"] = items
    try:
        return parse_catalogue_dict(data, document.title or document.code)
    except UserError as e:
        problems = []
        for p in e.problems:
            m = _PLACE_RE.match(p.place)
            if m:
                key = _JSON_KEYS.get(m.group(2), m.group(2))
                label = LABELS.get(key) or ITEM_FIELD_LABELS.get(key, key)
                problems.append(Problem(f"第 {int(m.group(1)) + 1} 行“{label}”" if m.group(2) else f"第 {int(m.group(1)) + 1} 行", p.message))
            else:
                problems.append(p)
        raise UserError("草稿中有需要改正的地方\uff0c尚未保存或导入", problems) from None
