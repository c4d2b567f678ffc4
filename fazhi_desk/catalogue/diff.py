"""What an incoming catalogue changes compared with the installed one: pure, no I/O.

Items are matched by their stable 编号. For every incoming document the diff
lists the items added, removed (to be retired), changed (old and new wording,
with the names of the fields that differ) and unchanged, plus changes to the
document's own metadata and whether its version goes backwards (a downgrade).
The statistics indicators a catalogue defines are matched by their code the
same way (added, removed, changed, order): a file that changes only its
indicators is a change like any other, so importing it installs them.
Installed documents that the incoming file does not mention are not touched and
do not appear in the diff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from fazhi_desk.catalogue.schema import Catalogue, version_key
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, document_start, first_counted_year
from fazhi_desk.domain.statistics import Indicator

# Item fields a catalogue update can change, with their Chinese names (preview, change log).
ITEM_FIELD_LABELS: dict[str, str] = {
    "chapter": "章",
    "section": "节",
    "article_no": "条",
    "article_title": "条标题",
    "requirement": "事项内容",
    "source_passage": "原文",
    "lead_units": "牵头单位",
    "participating_units": "参加单位",
    "applies_to_township": "适用乡镇",
    "cycle": "周期",
    "target": "目标值",
    "unit": "计量单位",
    "deadline": "截止日期",
    "evidence_hint": "佐证材料",
    "first_year": "首次年度",
    "township_role": "乡镇角色",
    "score": "分值",
    "measure": "计量方式",
}

DOCUMENT_FIELD_LABELS: dict[str, str] = {
    "title": "文件名称",
    "doc_number": "发文字号",
    "issuer": "发文机关",
    "date": "发布日期",
    "version": "版本",
    "source_text": "原文文件",
    "notes": "说明",
    "term_start": "施行起始年份",
    "term_end": "施行截止年份",
}


# Indicator fields, with the Chinese names the Excel template's 统计指标 sheet uses.
INDICATOR_FIELD_LABELS: dict[str, str] = {
    "category": "类别",
    "name": "指标名称",
    "unit": "计量单位",
    "items": "证明事项",
    "linked_item": "关联事项",
}


def indicator_field_text(ind: Indicator, name: str) -> str:
    """One field of an indicator as the user reads it (preview, CLI)."""
    v = getattr(ind, name)
    return "、".join(v) if isinstance(v, tuple) else str(v)


def indicator_text(ind: Indicator) -> str:
    """E.g. "行政许可·办理件数(件)"."""
    return ind.label + (f"({ind.unit})" if ind.unit else "")


def item_field_text(item: Item, name: str) -> str:
    """One field of an item as the user reads it (preview, CLI)."""
    if name == "target":
        return item.target_text
    v = getattr(item, name)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:g}"
    if hasattr(v, "value"):  # Cycle
        return str(v.value)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def changed_item_fields(old: Item, new: Item) -> tuple[str, ...]:
    """Names (keys of :data:`ITEM_FIELD_LABELS`) of the fields that differ."""
    out = []
    for name in ITEM_FIELD_LABELS:
        if name == "target":
            if (old.target, old.target_max) != (new.target, new.target_max):
                out.append(name)
        elif getattr(old, name) != getattr(new, name):
            out.append(name)
    return tuple(out)


def changed_document_fields(old: SourceDocument, new: SourceDocument) -> tuple[str, ...]:
    return tuple(f.name for f in fields(SourceDocument) if f.name != "code" and getattr(old, f.name) != getattr(new, f.name))


@dataclass(frozen=True)
class ItemChange:
    """An item whose wording changed: old and new, and which fields differ."""

    old: Item
    new: Item
    fields: tuple[str, ...]

    @property
    def item_id(self) -> str:
        return self.new.item_id


@dataclass(frozen=True)
class IndicatorChange:
    """A statistics indicator whose definition changed: old and new, and which fields differ."""

    old: Indicator
    new: Indicator
    fields: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.new.code


@dataclass(frozen=True)
class DocumentDiff:
    """What an incoming catalogue changes for one source document."""

    code: str
    old: SourceDocument | None  # None: a document not installed yet
    new: SourceDocument
    added: tuple[Item, ...] = ()
    removed: tuple[Item, ...] = ()
    changed: tuple[ItemChange, ...] = ()
    unchanged: tuple[Item, ...] = ()
    document_fields: tuple[str, ...] = ()  # metadata fields that differ (incl. "version")
    reordered: bool = False
    indicators_added: tuple[Indicator, ...] = ()
    indicators_removed: tuple[Indicator, ...] = ()
    indicators_changed: tuple[IndicatorChange, ...] = ()
    indicators_reordered: bool = False

    @property
    def is_new_document(self) -> bool:
        return self.old is None

    @property
    def old_version(self) -> str:
        return self.old.version if self.old else ""

    @property
    def is_downgrade(self) -> bool:
        return self.old is not None and version_key(self.new.version) < version_key(self.old.version)

    @property
    def has_indicator_changes(self) -> bool:
        return bool(self.indicators_added or self.indicators_removed or self.indicators_changed
                    or self.indicators_reordered)

    @property
    def is_empty(self) -> bool:
        return (
            self.old is not None
            and not (self.added or self.removed or self.changed or self.document_fields or self.reordered
                     or self.has_indicator_changes)
        )

    @property
    def changes_without_new_version(self) -> bool:
        """Items, indicators or metadata changed but the version number stayed the same."""
        return self.old is not None and not self.is_empty and self.old.version == self.new.version

    def indicator_summary(self) -> str:
        """E.g. "统计指标:新增 2 项,修改 1 项,删除 0 项" ("" when the indicators did not change)."""
        if self.is_new_document:
            return f"统计指标 {len(self.indicators_added)} 项" if self.indicators_added else ""
        if not self.has_indicator_changes:
            return ""
        text = (f"统计指标:新增 {len(self.indicators_added)} 项,修改 {len(self.indicators_changed)} 项,"
                f"删除 {len(self.indicators_removed)} 项")
        return text + (",顺序调整" if self.indicators_reordered else "")

    def summary(self) -> str:
        """E.g. "新增 3,修改 2,退役 1,未变 40,统计指标:新增 2 项,修改 1 项,删除 0 项"."""
        ind = self.indicator_summary()
        if self.is_new_document:
            return f"新增 {len(self.added)} 项" + (f",{ind}" if ind else "")
        parts = [f"新增 {len(self.added)}", f"修改 {len(self.changed)}", f"退役 {len(self.removed)}",
                 f"未变 {len(self.unchanged)}"]
        if self.reordered:
            parts.append("顺序调整")
        other = [DOCUMENT_FIELD_LABELS[f] for f in self.document_fields if f != "version"]
        if other:
            parts.append("文件信息更新:" + "、".join(other))
        return ",".join(parts + ([ind] if ind else []))


@dataclass(frozen=True)
class CatalogueDiff:
    """The diff of every incoming document against what is installed."""

    documents: tuple[DocumentDiff, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return all(d.is_empty for d in self.documents)

    @property
    def is_downgrade(self) -> bool:
        return any(d.is_downgrade for d in self.documents)

    def count(self, kind: str) -> int:
        """Number of items of one kind ("added", "removed", "changed", "unchanged") over all documents."""
        return sum(len(getattr(d, kind)) for d in self.documents)


def changed_indicator_fields(old: Indicator, new: Indicator) -> tuple[str, ...]:
    """Names (keys of :data:`INDICATOR_FIELD_LABELS`) of the fields that differ."""
    return tuple(name for name in INDICATOR_FIELD_LABELS if getattr(old, name) != getattr(new, name))


def _diff_indicators(old: tuple[Indicator, ...], new: tuple[Indicator, ...]) -> dict[str, object]:
    old_map = {i.code: i for i in old}
    new_codes = {i.code for i in new}
    added = tuple(i for i in new if i.code not in old_map)
    removed = tuple(i for i in old if i.code not in new_codes)
    changed = tuple(IndicatorChange(old_map[i.code], i, names) for i in new if i.code in old_map
                    for names in [changed_indicator_fields(old_map[i.code], i)] if names)
    reordered = [i.code for i in old if i.code in new_codes] != [i.code for i in new if i.code in old_map]
    return {"indicators_added": added, "indicators_removed": removed, "indicators_changed": changed,
            "indicators_reordered": reordered}


def diff_catalogue(installed: Catalogue | None, incoming: Catalogue) -> DocumentDiff:
    new_items = incoming.items
    if installed is None:
        return DocumentDiff(code=incoming.document.code, old=None, new=incoming.document, added=tuple(new_items),
                            indicators_added=incoming.indicators)
    old_map = installed.item_map()
    new_ids = {i.item_id for i in new_items}
    added: list[Item] = []
    changed: list[ItemChange] = []
    unchanged: list[Item] = []
    for item in new_items:
        old = old_map.get(item.item_id)
        if old is None:
            added.append(item)
            continue
        names = changed_item_fields(old, item)
        if names:
            changed.append(ItemChange(old=old, new=item, fields=names))
        else:
            unchanged.append(item)
    removed = tuple(i for i in installed.items if i.item_id not in new_ids)
    old_order = [i.item_id for i in installed.items if i.item_id in new_ids]
    new_order = [i.item_id for i in new_items if i.item_id in old_map]
    return DocumentDiff(
        code=incoming.document.code,
        old=installed.document,
        new=incoming.document,
        added=tuple(added),
        removed=removed,
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        document_fields=changed_document_fields(installed.document, incoming.document),
        reordered=old_order != new_order,
        **_diff_indicators(installed.indicators, incoming.indicators),  # type: ignore[arg-type]
    )


def diff(installed: list[Catalogue], incoming: list[Catalogue]) -> CatalogueDiff:
    """Compare incoming catalogues with the installed ones (matched by 文件代码, items by 编号)."""
    by_code = {c.document.code: c for c in installed}
    return CatalogueDiff(tuple(diff_catalogue(by_code.get(c.document.code), c) for c in incoming))


def counts_from(doc: DocumentDiff, import_year: int | None = None) -> str:
    """In which years the document's new items count: "自2026年起计入统计,2025年及以前的年度不受影响"."""
    if not doc.added:
        return ""
    start = document_start(doc.new)
    if doc.is_new_document:
        years = sorted({first_counted_year(i, start) for i in doc.added})
    else:
        year = import_year if import_year is not None else dt.date.today().year
        years = sorted({first_counted_year(i, start, year) for i in doc.added})
    first = years[0]
    span = f"自{first}年起计入统计" if len(years) == 1 else f"自{first}年起陆续计入统计({'、'.join(map(str, years))}年)"
    return f"{span}\uff0c{first - 1}年及以前的年度不受影响"


def document_headline(doc: DocumentDiff, import_year: int | None = None) -> str:
    """One line per document: what it is and what the import does to it (CLI and import preview)."""
    head = f"{doc.code} {doc.new.title}"
    when = counts_from(doc, import_year)
    when = f"\uff1b新增事项{when}" if when else ""
    if doc.is_new_document:
        return f"{head}:新的来源文件,版本 {doc.new.version},{doc.summary()}{when}"
    if doc.is_empty:
        return f"{head}:没有变化(版本 {doc.new.version})"
    return f"{head}:版本 {doc.old_version} → {doc.new.version};{doc.summary()}{when}"


def stale_deadlines(doc: DocumentDiff) -> list[Item]:
    """New or changed one-time items whose 截止日期 falls before the document's first year (overdue on import)."""
    start = document_start(doc.new)
    items = list(doc.added) + [c.new for c in doc.changed]
    return [i for i in items if i.cycle is Cycle.ONCE and i.deadline is not None and i.deadline.year < start]


def document_warnings(doc: DocumentDiff) -> list[str]:
    """What the user must look at before applying: a downgrade, changes under an unchanged version, one-time
    deadlines before the document's first year."""
    out = []
    stale = stale_deadlines(doc)
    if stale:
        ids = "、".join(i.item_id for i in stale[:5]) + ("等" if len(stale) > 5 else "")
        out.append(f"注意\uff1a{doc.code} 有 {len(stale)} 项一次性事项的截止日期早于文件的首个年度 "
                   f"{document_start(doc.new)} 年({ids})\uff0c导入后立即为逾期\uff1b请核对截止日期"
                   "(起草时填写施行期限\uff0c早于它的期限会顺延)。")
    if doc.is_new_document or doc.is_empty:
        return out
    if doc.is_downgrade:
        out.append(f"注意:{doc.code} 导入的版本 {doc.new.version} 低于已安装的版本 {doc.old_version}(降级)。")
    if doc.changes_without_new_version:
        out.append(f"注意:{doc.code} 内容有变化,但版本号仍是 {doc.new.version}。请向县司法局核实。")
    return out


def document_field_lines(doc: DocumentDiff) -> list[str]:
    """The document's own changed fields (title, 发文字号…), one line each; not the version or notes."""
    if doc.is_new_document or doc.is_empty:
        return []
    return [f"文件信息 {DOCUMENT_FIELD_LABELS[name]}:{getattr(doc.old, name)} → {getattr(doc.new, name)}"
            for name in doc.document_fields if name not in ("version", "notes")]


def indicator_lines(doc: DocumentDiff) -> list[str]:
    """The indicator changes of one document: a count line, then one line per indicator (and per changed field)."""
    summary = doc.indicator_summary()
    if not summary:
        return []
    lines = [summary]
    lines += [f"+ 新增统计指标 {i.code} {indicator_text(i)}" for i in doc.indicators_added]
    lines += [f"- 删除统计指标 {i.code} {indicator_text(i)}(已填写的数值保留,不再列出)"
              for i in doc.indicators_removed]
    for ch in doc.indicators_changed:
        lines.append(f"~ 修改统计指标 {ch.code} {indicator_text(ch.old)}")
        lines += [f"    {INDICATOR_FIELD_LABELS[name]}:{indicator_field_text(ch.old, name) or '(空)'} → "
                  f"{indicator_field_text(ch.new, name) or '(空)'}" for name in ch.fields]
    return lines


def format_diff(d: CatalogueDiff, *, restored: frozenset[str] = frozenset(), limit: int = 200) -> list[str]:
    """The diff as lines of Chinese text (command line output, logs)."""
    if d.is_empty:
        return ["没有变化:导入的目录与已安装的目录完全相同。"]
    lines: list[str] = []
    for doc in d.documents:
        lines.append(document_headline(doc))
        if doc.is_empty:
            continue
        lines += [f"  {w}" for w in document_warnings(doc)]
        lines += [f"  {f}" for f in document_field_lines(doc)]
        shown = 0
        for item in doc.added:
            if shown >= limit:
                break
            tag = "恢复" if item.item_id in restored else "新增"
            lines.append(f"  + {tag} {item.item_id} {item.requirement}")
            shown += 1
        if doc.is_new_document:
            if len(doc.added) > shown:
                lines.append(f"  ……另有 {len(doc.added) - shown} 项新增未列出")
            lines += [f"  {ln}" for ln in indicator_lines(doc)]
            continue
        for item in doc.removed:
            if shown >= limit:
                break
            lines.append(f"  - 退役 {item.item_id} {item.requirement}")
            shown += 1
        for ch in doc.changed:
            if shown >= limit:
                break
            lines.append(f"  ~ 修改 {ch.item_id}")
            for name in ch.fields:
                lines.append(
                    f"      {ITEM_FIELD_LABELS[name]}:{item_field_text(ch.old, name)} → {item_field_text(ch.new, name)}"
                )
            shown += 1
        rest = len(doc.added) + len(doc.removed) + len(doc.changed) - shown
        if rest > 0:
            lines.append(f"  ……另有 {rest} 项变化未列出")
        lines += [f"  {ln}" for ln in indicator_lines(doc)]
    return lines
