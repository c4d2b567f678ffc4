"""报告模板: the office's house style for the written report (opening paragraph, theme headings, closing).

Kept with the profile in the ``setting`` table (keys ``report_template.*``), so it
travels with backups and survives every redraft; exported and imported as plain
text or as a .docx holding the same lines, so one office can hand its style to
another. The text form::

    【开头】
    根据……现将{单位}{年度}年度法治政府建设情况报告如下。
    【主题标题】
    leadership=加强组织领导,健全工作机制
    ...
    【结尾】
    特此报告。

``{单位}`` and ``{年度}`` in the opening are filled in when the report is drafted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from fazhi_desk.domain.annual import THEME_BY_KEY, THEMES
from fazhi_desk.errors import UserError
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Setting

PREFIX = "report_template."
DEFAULT_OPENING = "根据法治政府建设年度报告制度的要求,现将{单位}{年度}年度法治政府建设情况报告如下。"
DEFAULT_CLOSING = "特此报告。"
MAX_TEXT = 2000
OPENING, HEADINGS, CLOSING = "【开头】", "【主题标题】", "【结尾】"


@dataclass(frozen=True)
class ReportTemplate:
    opening: str = DEFAULT_OPENING
    closing: str = DEFAULT_CLOSING
    headings: dict[str, str] = field(default_factory=dict)  # theme key → heading; absent: the default

    def heading(self, key: str) -> str:
        return self.headings.get(key) or THEME_BY_KEY[key].heading

    def opening_for(self, office: str, year: int) -> str:
        return self.opening.replace("{单位}", office).replace("{年度}", str(year))

    def to_text(self) -> str:
        lines = [OPENING, self.opening, HEADINGS]
        lines += [f"{t.key}={self.heading(t.key)}" for t in THEMES]
        lines += [CLOSING, self.closing]
        return "\n".join(lines) + "\n"


def get_template(store: Store) -> ReportTemplate:
    with store.session() as s:
        return read_template(s)


def read_template(s) -> ReportTemplate:  # noqa: ANN001 - a Session
    from sqlalchemy import select

    vals = {r.key[len(PREFIX):]: r.value for r in s.scalars(select(Setting).where(Setting.key.like(PREFIX + "%")))}
    heads = {k[len("heading."):]: v for k, v in vals.items() if k.startswith("heading.") and v.strip()}
    return ReportTemplate(vals.get("opening") or DEFAULT_OPENING, vals.get("closing") or DEFAULT_CLOSING,
                          {k: v for k, v in heads.items() if k in THEME_BY_KEY})


def set_template(store: Store, t: ReportTemplate) -> ReportTemplate:
    """Save the template (one transaction); a heading equal to the default is stored as no override."""
    for what, text in (("开头", t.opening), ("结尾", t.closing), *((k, v) for k, v in t.headings.items())):
        if len(text) > MAX_TEXT:
            raise UserError(f"报告模板的“{what}”超过 {MAX_TEXT} 字\uff0c请精简。")
        if "\n" in text.strip() and what not in ("开头", "结尾"):
            raise UserError(f"报告模板中主题“{what}”的标题只能有一行。")
    unknown = [k for k in t.headings if k not in THEME_BY_KEY]
    if unknown:
        raise UserError(f"报告模板中的主题“{'、'.join(unknown)}”不存在\uff1b可用的主题\uff1a"
                        f"{'、'.join(x.key for x in THEMES)}。")
    values = {"opening": t.opening.strip(), "closing": t.closing.strip()}
    for th in THEMES:
        h = t.headings.get(th.key, "").strip()
        values["heading." + th.key] = "" if h == th.heading else h
    with store.transaction() as s:
        for k, v in values.items():
            row = s.get(Setting, PREFIX + k)
            if row is None:
                s.add(Setting(key=PREFIX + k, value=v))
            else:
                row.value = v
    return get_template(store)


def parse_template(text: str, where: str = "报告模板") -> ReportTemplate:
    """The template in its text form (see the module's docstring)."""
    part = ""
    opening: list[str] = []
    closing: list[str] = []
    heads: dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line in (OPENING, HEADINGS, CLOSING):
            part = line
            continue
        if not line:
            continue
        if part == OPENING:
            opening.append(line)
        elif part == CLOSING:
            closing.append(line)
        elif part == HEADINGS:
            key, sep, head = line.partition("=")
            if not sep or key.strip() not in THEME_BY_KEY:
                raise UserError(f"“{where}”第{n}行“{line[:30]}”不是“主题=标题”的形式\uff0c或主题不存在\uff1b"
                                f"可用的主题\uff1a{'、'.join(t.key for t in THEMES)}。")
            heads[key.strip()] = head.strip()
        else:
            raise UserError(f"“{where}”第{n}行在“{OPENING}”之前\uff1b请按导出的模板格式填写。")
    if not (opening or closing or heads):
        raise UserError(f"“{where}”中没有找到{OPENING}{HEADINGS}{CLOSING}三部分\uff0c请先导出模板再修改。")
    return ReportTemplate("\n".join(opening) or DEFAULT_OPENING, "\n".join(closing) or DEFAULT_CLOSING, heads)


def export_template(store: Store, path: Path | str) -> Path:
    """Write the template as .txt (UTF-8) or .docx (one paragraph a line)."""
    from fazhi_desk.reports.output import output_file

    path = Path(path)
    text = get_template(store).to_text()
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".docx"):
        raise UserError(f"报告模板文件名“{path.name}”应以 .txt 或 .docx 结尾。")
    with output_file(path) as tmp:
        if suffix == ".txt":
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        else:
            from docx import Document

            doc = Document()
            for line in text.splitlines():
                doc.add_paragraph(line)
            doc.save(os.fspath(tmp))
    return path


def import_template(store: Store, path: Path | str) -> ReportTemplate:
    """Read a template exported before (.txt or .docx, possibly edited in Word or WPS) and save it."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            from docx import Document

            text = "\n".join(p.text for p in Document(os.fspath(path)).paragraphs)
        elif suffix == ".txt":
            raw = path.read_bytes()
            text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
        else:
            raise UserError(f"报告模板文件“{path.name}”应为 .txt 或 .docx。")
    except FileNotFoundError:
        raise UserError(f"找不到报告模板文件“{path}”\uff0c请检查路径。") from None
    except UnicodeDecodeError:
        raise UserError(f"报告模板文件“{path.name}”不是 UTF-8 文本\uff0c请用记事本另存为 UTF-8 后再导入。") from None
    except UserError:
        raise
    except Exception as e:  # a damaged .docx (zip or XML error)
        raise UserError(f"无法读取报告模板文件“{path.name}”\uff1a文件已损坏或不是 Word 文档\uff08{type(e).__name__}\uff09。") from None
    return set_template(store, parse_template(text, path.name))
