"""Drafting a catalogue from a county's own table (.xlsx, .xls, .ods): 考核细则 and 指标体系.

Counties send their scoring tables, not our template: 序号, 一级/二级/三级指标, 考核内容, 评分标准,
分值, 责任单位, with the indicator levels in merged cells. python-calamine reads all three formats
(openpyxl cannot read .xls). The header row is the first of the first 15 rows that names at least two
known columns; a merged indicator cell holds its value only in its first row, so the levels are
filled down. ``mapping`` (field → column letter, from ``--map`` or the window's mapping step)
overrides the guess.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from fazhi_desk.domain.model import Item
from fazhi_desk.errors import UserError

from fazhi_desk.catalogue.draft.plan import MEASURE_GUESS, Warning, read_cycle, read_deadline, read_measure, read_target

MAX_ROWS = 20_000

# field → header words that name it (a header cell matches when it contains one of them)
FIELDS: dict[str, tuple[str, ...]] = {
    "章": ("一级指标", "考核项目", "考核类别", "类别", "项目"),
    "节": ("二级指标", "考核要点"),
    "条": ("三级指标", "指标名称", "考核指标", "指标"),
    "事项内容": ("考核内容", "工作任务", "任务内容", "具体任务", "工作内容", "考核要求", "内容"),
    "评分标准": ("评分标准", "评分办法", "考核标准", "扣分标准", "计分方法"),
    "分值": ("分值", "分数", "标准分", "权重"),
    "牵头单位": ("牵头单位", "责任单位", "主责单位", "责任部门"),
    "参加单位": ("参加单位", "配合单位", "协办单位"),
    "截止日期": ("完成时限", "时限", "完成时间"),
    "佐证材料": ("佐证材料", "考核方式", "备查资料", "考核依据"),
}
FIELD_ORDER = tuple(FIELDS)


@dataclass(frozen=True)
class TableDraft:
    items: list[Item]
    warnings: list[Warning]
    mapping: dict[str, int]  # field → 0-based column
    header_row: int  # 1-based
    scores: dict[str, float]  # item_id → 分值
    signature: str  # the header's words, to remember the mapping for files of the same shape
    headers: list[str]  # the header row's text, column by column (for choosing a mapping)


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letter: str) -> int:
    n = 0
    for ch in letter.strip().upper():
        if not "A" <= ch <= "Z":
            raise ValueError(letter)
        n = n * 26 + ord(ch) - 64
    return n - 1


def parse_map(spec: str, fields: dict[str, tuple[str, ...]] = FIELDS, what: str = "可对应的字段",
              example: str = "C") -> dict[str, int]:
    """``事项内容=C,牵头单位=E`` → {field: column} for the names in ``fields``; a clear message for a wrong part.

    Parts are separated by a comma or semicolon, half- or full-width (the escapes: text typed into source
    files may arrive with its full-width punctuation turned into ASCII).
    """
    out: dict[str, int] = {}
    for part in [p for p in re.split(r"[,\uff0c;\uff1b]", spec or "") if p.strip()]:
        name, _, col = part.partition("=")
        name = name.strip()
        if name not in fields:
            raise UserError(f"--map 中的“{name}”不是{what}。可用\uff1a{'、'.join(fields)}。")
        try:
            out[name] = col_index(col)
        except ValueError:
            raise UserError(f"--map 中“{part.strip()}”的列应为字母\uff0c如 {example}。") from None
    return out


def _read_rows(path: Path) -> tuple[str, list[list[str]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() in (".xlsx", ".ods"):
        from fazhi_desk.catalogue.draft.word import check_zip

        check_zip(path, "表格文件")
    from fazhi_desk.spreadsheets import check_workbook

    check_workbook(path, "表格文件")  # before calamine: a cell at XFD1048576 would abort the process
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
        best = None
        for name in names:
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            if len(rows) > MAX_ROWS:
                raise UserError(f"表格“{path.name}”工作表“{name}”有 {len(rows):,} 行\uff0c超过 {MAX_ROWS:,} 行上限。请只保留考核指标部分。")
            filled = sum(1 for r in rows for c in r if str(c).strip())
            if best is None or filled > best[0]:
                merged = list(sheet.merged_cell_ranges or [])
                best = (filled, name, rows, merged)
    except UserError:
        raise
    except Exception as e:  # calamine raises its own error types for damaged or protected files
        raise UserError(
            f"无法读取表格“{path.name}”\uff1a文件已损坏、设置了密码或不是 Excel/WPS 表格\uff08{type(e).__name__}\uff09。"
            "请在 Excel 中打开并另存为 .xlsx 后重试。"
        ) from e
    if best is None or best[0] == 0:
        raise UserError(f"表格“{path.name}”中没有内容。")
    _, name, rows, merged = best
    text_rows = [[_cell_text(c) for c in r] for r in rows]
    return name, text_rows, merged


def _cell_text(c: object) -> str:
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    return str(c).strip() if c is not None else ""


def guess_header(rows: list[list[str]], fields: dict[str, tuple[str, ...]] = FIELDS,
                 required: str | None = None) -> tuple[int, dict[str, int]]:
    """The header row among the first 15 (0-based; -1 when none) and field → column, by the words of ``fields``.

    The row naming the most fields wins (with ``required``, only a row naming that field); a header cell
    names the first field, in ``fields``' order, one of whose words it contains.
    """
    best: tuple[int, dict[str, int]] = (-1, {})
    for r, row in enumerate(rows[:15]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            cell = re.sub(r"\s+", "", cell)
            if not cell or len(cell) > 12:
                continue
            for fld, words in fields.items():
                if fld not in found and any(w in cell for w in words):
                    found[fld] = c
                    break
        if len(found) > len(best[1]) and (required is None or required in found):
            best = (r, found)
    return best


def draft_table(path: Path, code: str, plan_year: int, mapping: dict[str, int] | None = None) -> tuple[str, TableDraft]:
    sheet, rows, merged = _read_rows(path)
    header, guess = guess_header(rows)
    cols = dict(guess)
    cols.update(mapping or {})
    if "事项内容" not in cols and "条" in cols:
        cols["事项内容"] = cols["条"]
    if header < 0 or "事项内容" not in cols:
        raise UserError(
            f"表格“{path.name}”工作表“{sheet}”\uff1a找不到表头\uff08前 15 行中没有“考核内容”“指标”“责任单位”等列名\uff09。"
            "请用 --map 指定各列\uff0c如 --map 事项内容=C\uff0c牵头单位=E\uff08窗口中可在“列对应”一步选择\uff09。"
        )
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend([""] * (width - len(r)))
    # A merged cell holds its value in its first cell only: copy it into the whole range.
    for (r0, c0), (r1, c1) in merged:
        v = rows[r0][c0] if r0 < len(rows) and c0 < width else ""
        for r in range(r0, min(r1 + 1, len(rows))):
            for c in range(c0, min(c1 + 1, width)):
                rows[r][c] = v
    items: list[Item] = []
    warnings: list[Warning] = []
    scores: dict[str, float] = {}
    level_cols = [cols[f] for f in ("章", "节", "条") if f in cols]
    last_levels = [""] * len(level_cols)
    chapters: list[str] = []
    per_chapter: dict[int, int] = {}

    def get(row: list[str], fld: str) -> str:
        return row[cols[fld]].strip() if fld in cols and cols[fld] < width else ""

    for rno in range(header + 1, len(rows)):
        row = rows[rno]
        levels = []
        for k, c in enumerate(level_cols):  # a level left empty continues the one above
            v = row[c].strip() or last_levels[k]
            levels.append(v)
        last_levels = levels
        content = get(row, "事项内容")
        if not content or content == get(rows[header], "事项内容"):
            continue
        chapter = levels[0] if level_cols and "章" in cols else ""
        section = get(row, "节") or (levels[1] if len(levels) > 1 and "节" in cols else "")
        article = get(row, "条") if "条" in cols and cols["条"] != cols["事项内容"] else ""
        if chapter not in chapters:
            chapters.append(chapter)
        art_no = chapters.index(chapter) + 1
        n = per_chapter.get(art_no, 0) + 1
        per_chapter[art_no] = n
        item_id = f"{code}-{art_no:02d}-{n:02d}"
        standard = get(row, "评分标准")
        deadline_text = get(row, "截止日期")
        deadline = read_deadline(deadline_text or content, plan_year)
        target, unit = read_target(content)
        lead = get(row, "牵头单位")
        part = get(row, "参加单位")
        evidence = get(row, "佐证材料")
        cycle = read_cycle(content, deadline)
        measure = read_measure(content, target, unit, cycle)
        item = Item(
            item_id=item_id, doc_code=code, chapter=chapter, section=section, article_no=art_no,
            article_title=article or section or chapter, requirement=content.replace("\n", "")[:200],
            source_passage=content, lead_units=lead, participating_units=part,
            applies_to_township=True, cycle=cycle, target=target, unit=unit,
            deadline=deadline, evidence_hint=("评分标准:" + standard if standard else evidence), measure=measure,
        )
        score_text = get(row, "分值")
        if score_text:
            try:
                scores[item_id] = float(score_text)
                item = dataclasses.replace(item, score=scores[item_id])
            except ValueError:
                warnings.append(Warning(item_id, f"第 {rno + 1} 行分值“{score_text}”不是数字"))
        items.append(item)
        if not lead:
            warnings.append(Warning(item_id, "未找到责任单位,请填写"))
        if target is not None and not unit:
            warnings.append(Warning(item_id, "目标值没有计量单位"))
        if measure:
            warnings.append(Warning(item_id, MEASURE_GUESS))
    if not items:
        raise UserError(f"表格“{path.name}”工作表“{sheet}”第 {header + 1} 行是表头\uff0c但其下没有任何考核内容。")
    signature = "|".join(re.sub(r"\s+", "", c) for c in rows[header] if c.strip())
    headers = [re.sub(r"\s+", "", c) for c in rows[header]]
    return sheet, TableDraft(items, warnings, cols, header + 1, scores, signature, headers)
