"""The canonical catalogue file: one JSON file per source document, diffable, validated on load.

Layout (``resources/catalogues/<CODE>.json``)::

    {
      "format": "fazhi-desk-catalogue",
      "format_version": 1,
      "document": {
        "code": "SZ2015",                    # 文件代码: [A-Z][A-Z0-9]{1,15}
        "title": "…",                        # 文件名称
        "doc_number": "苏府〔2015〕12号",     # 发文字号
        "issuer": "苏州市人民政府",           # 发文机关
        "date": "2015-02-01",                # 发布日期
        "version": "1.0",                    # 版本 of this catalogue (dotted numbers)
        "source_text": "SZ2015.txt",         # cleaned source under resources/sources/ ("" if none)
        "notes": ["…"],                      # repairs made to the source text, remarks
        "term_start": 2022,                  # optional: 施行期限, first year in force
        "term_end": 2025                     # optional: last year in force (none: until retired)
      },
      "items": [
        {
          "id": "SZ2015-04-01",              # 编号: stable, unique, "<CODE>-<article:02>-<n:02>"
          "chapter": "二、主要任务",          # 章
          "section": "(一)…",               # 节 ("" if none)
          "article": 4,                      # 条 number
          "article_title": "建立学法培训长效机制",
          "requirement": "…",                # 事项内容: short actionable sentence
          "source_passage": "…",             # 原文: verbatim substring of the cleaned source
          "lead_units": "…",                 # 牵头单位 or 责任单位
          "participating_units": "…",        # 参加单位
          "applies_to_township": true,       # 适用乡镇
          "township_role": "参加",            # 乡镇角色: 牵头 / 参加 / 仅供了解 (仅供了解 iff not 适用乡镇;
                                             #   absent: 牵头 where it applies, else 仅供了解)
          "cycle": "每年",                    # 一次性 / 每年 / 每两年 / 按事件 / 持续
          "target": "4",                     # 目标值: positive number or range "1~2"; "" if none
          "unit": "次",                      # 计量单位
          "deadline": "2025-12-31",          # 截止日期 or ""
          "evidence": "…",                   # 佐证材料; a suggestion starts with "建议:"
          "first_year": 2016,                # optional: first year due (biennial anchor)
          "score": 5,                        # optional: 分值 of the item in a 考核 table
          "measure": "逐次登记"               # optional: 计量方式. 逐次登记: the 实际值 is the total of the
                                             #   item's activity log (needs a 目标值); absent: typed once
        }
      ],
      "indicators": [                        # optional: statistics indicators this catalogue adds
        {
          "code": "XK_PERMITS",              # stable code: [A-Z][A-Z0-9_]{1,39}, not a default indicator's
                                             #   (domain.statistics.DEFAULT_INDICATORS), unique in the file
          "category": "行政许可",             # 类别
          "name": "办理件数",                 # 指标名称
          "unit": "件",                       # 计量单位
          "items": ["ZS2022-05-01"],         # the items this figure proves
          "linked_item": ""                  # an item whose 实际值 is this same figure ("" if none)
        }
      ]
    }

The Excel template (:mod:`.excel`) carries the same indicators in its sheet 统计指标; its
reader builds this dict and runs it through :func:`parse_catalogue_dict`, so both formats
share one set of rules.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from fazhi_desk.domain.completion import YEAR_MAX, YEAR_MIN
from fazhi_desk.domain.model import MEASURE_LOGGED, MEASURES, Cycle, Item, SourceDocument, TownshipRole, parse_target
from fazhi_desk.domain.statistics import CODE_RE as INDICATOR_CODE_RE
from fazhi_desk.domain.statistics import DEFAULT_INDICATORS, Indicator
from fazhi_desk.errors import ProblemList, UserError

FORMAT = "fazhi-desk-catalogue"
FORMAT_VERSION = 1
MAX_TEXT = 5000
DOC_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
ITEM_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[0-9A-Za-z]{1,8}(-[0-9A-Za-z]{1,8}){0,3}$")
VERSION_RE = re.compile(r"^\d{1,9}(\.\d{1,9}){0,3}$")  # at most 39 characters (catalogue_version.version)


@dataclass(frozen=True)
class Catalogue:
    """One source document and its items, as one catalogue version has them."""

    document: SourceDocument
    items: tuple[Item, ...] = field(default_factory=tuple)
    indicators: tuple[Indicator, ...] = field(default_factory=tuple)  # statistics indicators it defines

    def item_map(self) -> dict[str, Item]:
        return {i.item_id: i for i in self.items}


def version_key(v: str) -> tuple[int, ...]:
    """Sortable key of a dotted version string ("1.10" > "1.9")."""
    return tuple(int(p) for p in v.split("."))


def _text(p: ProblemList, obj: dict, key: str, place: str, *, required: bool = True) -> str:
    v = obj.get(key, "")
    if v is None:
        v = ""
    if not isinstance(v, str):
        p.add(f"{place}.{key}", "应为文字")
        return ""
    if required and not v.strip():
        p.add(f"{place}.{key}", "不能为空")
    if len(v) > MAX_TEXT:
        p.add(f"{place}.{key}", f"超过 {MAX_TEXT} 个字符")
    return v.strip() if key not in ("source_passage",) else v


def _date(p: ProblemList, value: Any, place: str, *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            p.add(place, "不能为空")
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        p.add(place, f"“{value}”不是有效日期\uff08格式 YYYY-MM-DD\uff09")
        return None


def parse_catalogue_dict(data: Any, origin: str = "", *, taken: Mapping[str, str] | None = None) -> Catalogue:
    """Validate a decoded JSON catalogue; every problem is listed with its JSON path.

    ``taken`` maps indicator codes already installed to the document that defines them: a
    catalogue may not take another document's code (the import would silently move it).
    """
    p = ProblemList()
    if not isinstance(data, dict):
        raise UserError(f"{origin}\uff1a不是检查目录文件\uff08顶层应为 JSON 对象\uff09。")
    if data.get("format") != FORMAT:
        p.add("format", f"应为“{FORMAT}”")
    fv = data.get("format_version")
    if not isinstance(fv, int) or fv > FORMAT_VERSION:
        p.add("format_version", f"不支持的格式版本“{fv}”\uff0c请升级本程序后再导入")
    d = data.get("document")
    if not isinstance(d, dict):
        p.add("document", "缺少来源文件信息")
        d = {}
    code = _text(p, d, "code", "document")
    if code and not DOC_CODE_RE.match(code):
        p.add("document.code", f"文件代码“{code}”应为大写字母开头的字母数字\uff08如 SZ2015\uff09")
    version = str(d.get("version", "")).strip()
    if not VERSION_RE.match(version):
        p.add("document.version", f"版本“{version}”应为数字\uff0c如 1.0、1.2")
    notes = d.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        p.add("document.notes", "应为文字列表")
        notes = []
    term: dict[str, int | None] = {}
    for key in ("term_start", "term_end"):
        v = d.get(key)
        if v in (None, ""):
            term[key] = None
        elif isinstance(v, int) and not isinstance(v, bool) and 1990 <= v <= 2100:
            term[key] = v
        else:
            p.add(f"document.{key}", f"施行期限年份“{v}”应为 1990—2100 之间的年份")
            term[key] = None
    if term["term_start"] and term["term_end"] and term["term_start"] > term["term_end"]:
        p.add("document.term_end", f"施行截止年份 {term['term_end']} 早于起始年份 {term['term_start']}")
    doc = SourceDocument(
        code=code,
        title=_text(p, d, "title", "document"),
        doc_number=_text(p, d, "doc_number", "document", required=False),
        issuer=_text(p, d, "issuer", "document", required=False),
        date=_date(p, d.get("date"), "document.date", required=True) or dt.date(1970, 1, 1),
        version=version,
        source_text=_text(p, d, "source_text", "document", required=False),
        notes=tuple(notes),
        term_start=term["term_start"],
        term_end=term["term_end"],
    )
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        p.add("items", "缺少检查事项列表")
        raw_items = []
    items: list[Item] = []
    seen: dict[str, int] = {}
    for n, it in enumerate(raw_items):
        place = f"items[{n}]"
        if not isinstance(it, dict):
            p.add(place, "应为对象")
            continue
        item_id = _text(p, it, "id", place)
        if item_id:
            if not ITEM_ID_RE.match(item_id):
                p.add(f"{place}.id", f"编号“{item_id}”格式不对\uff08如 SZ2015-04-01\uff09")
            elif code and not item_id.startswith(code + "-"):
                p.add(f"{place}.id", f"编号“{item_id}”应以文件代码“{code}-”开头")
            if item_id in seen:
                p.add(f"{place}.id", f"编号“{item_id}”与 items[{seen[item_id]}] 重复")
            seen.setdefault(item_id, n)
        cycle_s = it.get("cycle", "")
        try:
            cycle = Cycle.parse(str(cycle_s))
        except ValueError:
            p.add(f"{place}.cycle", f"周期“{cycle_s}”应为 一次性/每年/每两年/按事件/持续 之一")
            cycle = Cycle.YEARLY
        target: float | None = None
        target_max: float | None = None
        t_raw = it.get("target", "")
        if t_raw not in (None, ""):
            try:
                target, target_max = parse_target(str(t_raw))
            except ValueError:
                p.add(f"{place}.target", f"目标值“{t_raw}”应为正数或范围\uff08如 4、1~2\uff09")
        art = it.get("article", 0)
        if not isinstance(art, int) or isinstance(art, bool) or art < 0:
            p.add(f"{place}.article", "条应为非负整数")
            art = 0
        applies = it.get("applies_to_township", True)
        if not isinstance(applies, bool):
            p.add(f"{place}.applies_to_township", "应为 true 或 false")
            applies = True
        role_s = it.get("township_role", "")
        if role_s in (None, ""):
            role = TownshipRole.default_for(applies)
        else:
            try:
                role = TownshipRole.parse(str(role_s))
            except ValueError:
                p.add(f"{place}.township_role", f"乡镇角色“{role_s}”应为 牵头/参加/仅供了解 之一")
                role = TownshipRole.default_for(applies)
            if (role is TownshipRole.INFO) == applies:
                p.add(f"{place}.township_role",
                      f"乡镇角色“{role.value}”与适用乡镇“{'是' if applies else '否'}”矛盾"
                      "\uff08仅供了解的事项适用乡镇应为“否”\uff0c牵头或参加的应为“是”\uff09")
        score = it.get("score")
        if score in ("", None):
            score = None
        elif isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1000 \
                or score != score:
            p.add(f"{place}.score", f"分值“{score}”应为 0 到 1000 之间的数")
            score = None
        else:
            score = float(score)
        measure = it.get("measure", "")
        if measure is None:
            measure = ""
        if not isinstance(measure, str) or measure.strip() not in MEASURES:
            p.add(f"{place}.measure", f"计量方式“{measure}”应为“{MEASURE_LOGGED}”或留空\uff08留空\uff1a年底填报实际值\uff09")
            measure = ""
        measure = measure.strip()
        if measure == MEASURE_LOGGED and t_raw in (None, ""):
            p.add(f"{place}.measure", f"计量方式“{MEASURE_LOGGED}”需要数值目标值\uff08如 4 次、40 学时\uff09\uff0c"
                                      "请填写目标值和计量单位\uff0c或把计量方式留空")
        fy = it.get("first_year")
        if fy is not None and (not isinstance(fy, int) or not YEAR_MIN <= fy <= YEAR_MAX):
            p.add(f"{place}.first_year", "应为年份")
            fy = None
        items.append(
            Item(
                item_id=item_id,
                doc_code=code,
                chapter=_text(p, it, "chapter", place, required=False),
                section=_text(p, it, "section", place, required=False),
                article_no=art,
                article_title=_text(p, it, "article_title", place, required=False),
                requirement=_text(p, it, "requirement", place),
                source_passage=_text(p, it, "source_passage", place, required=False),
                lead_units=_text(p, it, "lead_units", place, required=False),
                participating_units=_text(p, it, "participating_units", place, required=False),
                applies_to_township=applies,
                cycle=cycle,
                target=target,
                target_max=target_max,
                unit=_text(p, it, "unit", place, required=False),
                deadline=_date(p, it.get("deadline"), f"{place}.deadline", required=False),
                evidence_hint=_text(p, it, "evidence", place, required=False),
                first_year=fy,
                township_role=role,
                score=score,
                measure=measure,
            )
        )
    indicators = _indicators(p, data.get("indicators", []), code, set(seen), taken or {})
    p.raise_if_any(f"检查目录“{origin or code}”有错误\uff0c未导入")
    return Catalogue(document=doc, items=tuple(items), indicators=indicators)


def _indicators(p: ProblemList, raw: Any, code: str, item_ids: set[str],
                taken: Mapping[str, str]) -> tuple[Indicator, ...]:
    """The statistics indicators a catalogue defines (the one set of rules for the JSON and the Excel template).

    A code must be new: the default set's codes (人民调解 MEDIATION, …) cannot be redefined, nor another
    installed document's (``taken``: code → 文件代码), and no code twice.
    The items an indicator proves and its linked item must be items of this catalogue.
    """
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list):
        p.add("indicators", "应为统计指标列表")
        return ()
    defaults = {i.code: i for i in DEFAULT_INDICATORS}
    out: list[Indicator] = []
    seen: dict[str, int] = {}
    for n, d in enumerate(raw):
        place = f"indicators[{n}]"
        if not isinstance(d, dict):
            p.add(place, "应为对象")
            continue
        icode = _text(p, d, "code", place)
        if icode and not INDICATOR_CODE_RE.match(icode):
            p.add(f"{place}.code", f"指标编码“{icode}”应为大写字母开头的大写字母、数字或下划线\uff082 到 40 个字符\uff0c"
                                   f"如 {code or 'XK2024'}_PERMITS\uff09\uff0c请改正")
        elif icode in defaults:
            p.add(f"{place}.code", f"指标编码“{icode}”是程序内置的统计指标“{defaults[icode].label}”\uff0c目录不能重新定义它\uff1b"
                                   f"请换一个编码\uff08如在前面加上文件代码\uff1a{code or 'XK2024'}_{icode}\uff09\uff0c"
                                   "或删去这一行直接使用内置指标")
        elif taken.get(icode, code) != code:
            p.add(f"{place}.code", f"指标编码“{icode}”已是已安装的来源文件 {taken[icode]} 的统计指标\uff0c"
                                   f"请换一个编码\uff08如 {code or 'XK2024'}_{icode.split('_', 1)[-1]}\uff09")
        elif icode in seen:
            p.add(f"{place}.code", f"指标编码“{icode}”与 indicators[{seen[icode]}] 重复\uff0c请换一个编码")
        if icode:
            seen.setdefault(icode, n)
        items = d.get("items", [])
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            p.add(f"{place}.items", "应为事项编号列表")
            items = []
        items = [x.strip() for x in items if x.strip()]
        for x in items:
            if x not in item_ids:
                p.add(f"{place}.items", f"事项“{x}”不是本目录\uff08文件代码 {code}\uff09的检查事项\uff0c请核对编号")
        if len(set(items)) != len(items):
            p.add(f"{place}.items", "同一事项写了两次\uff0c请删去重复的编号")
        linked = _text(p, d, "linked_item", place, required=False)
        if linked and linked not in item_ids:
            p.add(f"{place}.linked_item", f"事项“{linked}”不是本目录\uff08文件代码 {code}\uff09的检查事项\uff0c"
                                          "请核对编号\uff08关联事项的实际值就是这个指标的数值\uff1b没有可留空\uff09")
        out.append(Indicator(icode, _text(p, d, "name", place), _text(p, d, "unit", place, required=False),
                             _text(p, d, "category", place, required=False), tuple(items), linked, code))
    return tuple(out)


def load_catalogue_json(path: Path, *, taken: Mapping[str, str] | None = None) -> Catalogue:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UserError(f"无法读取文件“{path}”\uff1a{e.strerror or e}。") from e
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise UserError(f"文件“{path.name}”不是 UTF-8 编码的文本\uff0c无法作为检查目录读取。") from e
    except json.JSONDecodeError as e:
        raise UserError(f"文件“{path.name}”第 {e.lineno} 行第 {e.colno} 列\uff1aJSON 格式错误\uff08{e.msg}\uff09。") from e
    except RecursionError:
        raise UserError(f"文件“{path.name}”的 JSON 嵌套层数过多\uff0c不是检查目录文件。请确认文件来源后重新导出。") from None
    return parse_catalogue_dict(data, path.name, taken=taken)


def catalogue_to_dict(cat: Catalogue) -> dict[str, Any]:
    d = cat.document
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "document": {
            "code": d.code,
            "title": d.title,
            "doc_number": d.doc_number,
            "issuer": d.issuer,
            "date": d.date.isoformat(),
            "version": d.version,
            "source_text": d.source_text,
            "notes": list(d.notes),
            **({"term_start": d.term_start} if d.term_start is not None else {}),
            **({"term_end": d.term_end} if d.term_end is not None else {}),
        },
        "items": [_item_to_dict(i) for i in cat.items],
        **({"indicators": [_indicator_to_dict(i) for i in cat.indicators]} if cat.indicators else {}),
    }


def _indicator_to_dict(i: Indicator) -> dict[str, Any]:
    return {"code": i.code, "category": i.category, "name": i.name, "unit": i.unit, "items": list(i.items),
            "linked_item": i.linked_item}


def _item_to_dict(i: Item) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": i.item_id,
        "chapter": i.chapter,
        "section": i.section,
        "article": i.article_no,
        "article_title": i.article_title,
        "requirement": i.requirement,
        "source_passage": i.source_passage,
        "lead_units": i.lead_units,
        "participating_units": i.participating_units,
        "applies_to_township": i.applies_to_township,
        "township_role": i.township_role.value,
        "cycle": i.cycle.value,
        "target": i.target_text,
        "unit": i.unit,
        "deadline": i.deadline.isoformat() if i.deadline else "",
        "evidence": i.evidence_hint,
    }
    if i.first_year is not None:
        out["first_year"] = i.first_year
    if i.score is not None:
        out["score"] = int(i.score) if float(i.score).is_integer() else i.score
    if i.measure:
        out["measure"] = i.measure
    return out


def dump_catalogue_json(cat: Catalogue) -> str:
    return json.dumps(catalogue_to_dict(cat), ensure_ascii=False, indent=2) + "\n"


def write_catalogue_json(cat: Catalogue, path: Path) -> str:
    """Write ``cat`` to ``path`` in canonical form (temp name, fsync, rename) and check it reads back the same.

    Returns the text written.
    """
    from fazhi_desk.fileio import write_bytes_atomic

    text = dump_catalogue_json(cat)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, text.encode("utf-8"))
    if dump_catalogue_json(load_catalogue_json(path)) != text:
        raise UserError(f"检查目录“{path.name}”写入后读回不一致\uff08不是规范格式\uff09。")
    return text


def bundled_catalogues() -> list[Catalogue]:
    """The catalogues shipped in resources/catalogues/, in file-name order."""
    from fazhi_desk.paths import resource_path

    folder = resource_path("catalogues")
    return [load_catalogue_json(p) for p in sorted(folder.glob("*.json"))]


def source_text(doc: SourceDocument) -> str:
    """The cleaned source document's full text ("" when not bundled)."""
    from fazhi_desk.paths import resource_path

    if not doc.source_text:
        return ""
    p = resource_path("sources", doc.source_text)
    return p.read_text("utf-8") if p.is_file() else ""
