"""The written annual report as a .docx laid out as a Chinese official document (GB/T 9704 conventions).

* A4, margins 天头 37 mm, 订口 28 mm, right 26 mm, bottom 35 mm (版心 156 × 225 mm);
  body 仿宋_GB2312 三号 (16 pt) on a fixed 28.95 pt line (22 lines a page, the document grid's line
  pitch) and 28 characters a line: 16 pt characters fit only 27 into 156 mm, so body text is set
  0.25 pt tighter (28 × 15.75 pt = 441 pt). The grid's own character pitch (``linesAndChars`` with
  ``w:charSpace``) would do it in Word, but LibreOffice lays such a grid out at about twice the
  pitch (14 characters a line, measured with LibreOffice 7.4), so the spacing is on the runs;
  first lines indented two characters; a heading that would leave one character on a line of
  its own is set a little tighter;
* ASCII , : ; ( ) ? ! next to Chinese text printed full-width (:func:`fazhi_desk.domain.annual.fullwidth`);
* title 方正小标宋简体 二号 (22 pt), centred, broken at a meaningful place;
* 一级标题 “一、” 黑体, 二级标题 “(一)” 楷体_GB2312, 三级 “1.” 仿宋, all 三号;
* page numbers “— 1 —” in 宋体 四号, odd pages right, even pages left, one character in;
* the office's opening paragraph and closing line (报告模板), then the office and the date
  (署名 centred over the date; a sealed 上行文's date four characters from the right margin,
  GB/T 9704 7.3.5.1; Arabic numerals), then the statistics as 附件 on a new page.

Fonts are named as Word and WPS expect them (``w:eastAsia`` on every run, Latin
text in Times New Roman), and the font table gives each Chinese font an
``altName`` and panose/charset, so a PC without 仿宋_GB2312 or 方正小标宋简体
shows 仿宋 / 宋体 instead of an arbitrary substitute.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from fazhi_desk.domain.annual import HEADING2_RE, AnnualDocument, cn_number, fullwidth
from fazhi_desk.reports.output import output_file
from fazhi_desk.safetext import neutralise

FANGSONG = "仿宋_GB2312"
KAITI = "楷体_GB2312"
HEITI = "黑体"
XBS = "方正小标宋简体"
SONG = "宋体"
LATIN = "Times New Roman"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NO_PT = 14  # 四号
TABLE_PT = 12  # 小四
LINE_PT = 28.95  # 225 mm / 22 lines
CHARS_PER_LINE = 28
TEXT_WIDTH_PT = 156 / 25.4 * 72  # the 版心's width
# w:spacing of body runs, in 1/20 pt: the largest whole step that fits 28 characters (−0.25 pt)
BODY_SPACING = -5
TITLE_CHARS_PER_LINE = 20  # 156 mm at 22 pt

# name → (altName, panose-1, family, pitch): what Word/WPS use when the named font is missing.
FONT_TABLE = {
    FANGSONG: ("仿宋", "02010609060101010101", "modern", "fixed"),
    KAITI: ("楷体", "02010609060101010101", "modern", "fixed"),
    XBS: ("宋体", "02000000000000000000", "auto", "variable"),
    HEITI: ("SimHei", "02010609060101010101", "modern", "fixed"),
    SONG: ("SimSun", "02010600030101010101", "auto", "variable"),
}


def _width(text: str) -> float:
    """Width in character cells: CJK and full-width 1, everything else ½."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _set_fonts(rpr, east_asia: str, latin: str = LATIN) -> None:  # noqa: ANN001 - CT_RPr
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


RPR_AFTER_SPACING = ("w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
                     "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
PPR_AFTER_SNAP = ("spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
                  "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _insert(parent, el, after: tuple[str, ...]) -> None:  # noqa: ANN001
    """Put ``el`` before the first child named in ``after`` (the schema's order; Word rejects others)."""
    names = {qn(f"w:{t}") for t in after}
    for i, child in enumerate(parent):
        if child.tag in names:
            parent.insert(i, el)
            return
    parent.append(el)


def _spacing(rpr, twentieths: int) -> None:  # noqa: ANN001
    sp = rpr.find(qn("w:spacing"))
    if sp is None:
        sp = OxmlElement("w:spacing")
        _insert(rpr, sp, RPR_AFTER_SPACING)
    sp.set(qn("w:val"), str(twentieths))


def _run(par, text: str, font: str, size: float, *, bold: bool = False, latin: str = LATIN):  # noqa: ANN001, ANN202
    r = par.add_run(fullwidth(neutralise(text).text))  # Word evaluates no run text: no quote needed
    r.font.size = Pt(size)
    r.font.name = latin
    r.bold = bold
    rpr = r._element.get_or_add_rPr()
    _set_fonts(rpr, font, latin)
    if size == BODY_PT:
        _spacing(rpr, BODY_SPACING)
    return r


def _para(doc, *, indent_chars: float = 2, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line: float = LINE_PT,  # noqa: ANN001
          size: float = BODY_PT):  # noqa: ANN202
    p = doc.add_paragraph()
    f = p.paragraph_format
    f.alignment = align
    f.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    f.line_spacing = Pt(line)
    f.space_before = f.space_after = Pt(0)
    f.first_line_indent = Pt(size * indent_chars) if indent_chars else None
    f.widow_control = True
    return p


def _styles(doc) -> None:  # noqa: ANN001
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.font.name = LATIN
    _set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, FANGSONG)
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "en-US")
            lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc) -> None:  # noqa: ANN001
    """Declare our Chinese fonts with an altName and GB2312 charset in word/fontTable.xml."""
    for part in doc.part.package.iter_parts():
        if str(part.partname) != "/word/fontTable.xml":
            continue
        root = etree.fromstring(part.blob)
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        for name, (alt, panose, family, pitch) in FONT_TABLE.items():
            for old in root.findall(f"{{{w}}}font"):
                if old.get(f"{{{w}}}name") == name:
                    root.remove(old)
            f = etree.SubElement(root, f"{{{w}}}font")
            f.set(f"{{{w}}}name", name)
            for tag, val in (("altName", alt), ("panose1", panose), ("charset", "86"), ("family", family),
                             ("pitch", pitch)):
                etree.SubElement(f, f"{{{w}}}{tag}").set(f"{{{w}}}val", val)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return


def _page_number(footer, odd: bool) -> None:  # noqa: ANN001
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    f = p.paragraph_format
    f.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        f.right_indent = Pt(PAGE_NO_PT)
    else:
        f.left_indent = Pt(PAGE_NO_PT)
    _run(p, "— ", SONG, PAGE_NO_PT, latin=SONG)
    r = _run(p, "", SONG, PAGE_NO_PT, latin=SONG)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._element.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            r._element.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            r._element.append(t)
    _run(p, " —", SONG, PAGE_NO_PT, latin=SONG)


def _page_setup(doc) -> None:  # noqa: ANN001
    sec = doc.sections[0]
    sec.start_type = WD_SECTION_START.NEW_PAGE
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = Mm(15)
    sec.footer_distance = Mm(22)
    doc.settings.odd_and_even_pages_header_footer = True
    sect = sec._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    _page_number(sec.footer, odd=True)
    _page_number(sec.even_page_footer, odd=False)


def title_lines(doc_: AnnualDocument) -> list[str]:
    """The title broken where it reads well (office + 关于…年度 / 法治政府建设情况的报告)."""
    first = f"{doc_.office_name}关于{doc_.year}年度"
    if _width(first) <= TITLE_CHARS_PER_LINE:
        return [first, "法治政府建设情况的报告"]
    return [doc_.office_name, f"关于{doc_.year}年度法治政府建设情况的报告"]


def addressee(county: str) -> str:
    """主送机关: the county's 依法治县(区、市)委员会办公室."""
    county = county.strip()
    if not county:
        return ""
    level = county[-1] if county[-1] in "县区市旗" else "县"
    return f"中共{county}委全面依法治{level}委员会办公室:"


def _date_text(d) -> str:  # noqa: ANN001
    return f"{d.year}年{d.month}月{d.day}日"


def lone_last_char(text: str, first: float = CHARS_PER_LINE - 2, rest: float = CHARS_PER_LINE) -> bool:
    """Whether ``text`` (``first`` characters on its first line, ``rest`` on the others) would leave one
    character, or its last one, alone on a line: a line filled exactly may already wrap its last character
    (Latin digits and the spacing round differently in Word, WPS and LibreOffice)."""
    w = _width(fullwidth(text))
    return w >= first and (w - first) % rest <= 1


def _tighten(p, run) -> None:  # noqa: ANN001
    """Set a heading a little tighter so its last character stays on the line above."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    _insert(p._p.get_or_add_pPr(), snap, PPR_AFTER_SNAP)
    _spacing(run._element.get_or_add_rPr(), -20)  # −1 pt a character


def _heading(doc, text: str, font: str):  # noqa: ANN001, ANN202
    p = _para(doc)
    p.paragraph_format.keep_with_next = True
    r = _run(p, text, font, BODY_PT)
    if lone_last_char(text):
        _tighten(p, r)
    return p


def _body_text(doc, text: str) -> None:  # noqa: ANN001
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if HEADING2_RE.match(line):
            _heading(doc, line, KAITI)
        else:
            _run(_para(doc), line, FANGSONG, BODY_PT)


def _appendix_title(doc_: AnnualDocument) -> str:
    return f"{doc_.office_name}{doc_.year}年度法治政府建设主要统计数据"


def _appendix_title_lines(doc_: AnnualDocument) -> list[str]:
    first = f"{doc_.office_name}{doc_.year}年度"
    if _width(first) <= TITLE_CHARS_PER_LINE:
        return [first, "法治政府建设主要统计数据"]
    return [doc_.office_name, f"{doc_.year}年度法治政府建设主要统计数据"]


def _title(doc, lines: list[str]) -> None:  # noqa: ANN001
    t = _para(doc, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER, line=35, size=TITLE_PT)
    for n, line in enumerate(lines):
        r = _run(t, line, XBS, TITLE_PT)
        if n < len(lines) - 1:
            r.add_break(WD_BREAK.LINE)


def build_docx(doc_: AnnualDocument):  # noqa: ANN201 - docx.Document
    doc = Document()
    _styles(doc)
    _font_table(doc)
    _page_setup(doc)
    core = doc.core_properties
    core.title = doc_.title
    core.author = doc_.office_name
    core.comments = "法治政府建设检查台生成"
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None and not body.text:
        body._element.getparent().remove(body._element)

    _title(doc, title_lines(doc_))
    _para(doc, indent_chars=0)  # one blank line under the title
    to = addressee(doc_.county)
    if to:
        _run(_para(doc, indent_chars=0), to, FANGSONG, BODY_PT)
    opening = doc_.opening or f"根据法治政府建设年度报告制度的要求,现将{doc_.office_name}{doc_.year}年度法治政府建设情况报告如下。"
    for line in opening.splitlines():
        if line.strip():
            _run(_para(doc), line.strip(), FANGSONG, BODY_PT)
    for n, sec in enumerate(doc_.sections, start=1):
        _heading(doc, f"{cn_number(n)}、{sec.title}", HEITI)
        _body_text(doc, sec.text)
    for line in doc_.closing.splitlines():
        if line.strip():
            _run(_para(doc), line.strip(), FANGSONG, BODY_PT)

    figures = [f for f in doc_.statistics if f.value is not None]
    if figures:
        _para(doc)
        note = _para(doc, indent_chars=0)  # 附件说明: 左空二字, continuation lines under the title
        note.paragraph_format.left_indent = Pt(BODY_PT * 5)
        note.paragraph_format.first_line_indent = Pt(-BODY_PT * 3)
        text = f"附件:{_appendix_title(doc_)}"
        r = _run(note, text, FANGSONG, BODY_PT)
        if lone_last_char(text, CHARS_PER_LINE - 2, CHARS_PER_LINE - 5):
            _tighten(note, r)
    _signature(doc, doc_)
    _keep_signature_company(doc)
    if figures:
        _appendix(doc, doc_, figures)
    return doc


def signature_indents(office: str, date: str, sealed: bool = True) -> tuple[float, float]:
    """Right indents (in characters) of the 署名 and the 成文日期.

    Sealed (GB/T 9704 7.3.5.1): the date 右空四字, the 署名 centred over the date. Unsealed (7.3.5.2): the
    date 右空二字, the 署名 over it. A 署名 wider than the date moves the date left so the 署名 still fits.
    """
    base = 4.0 if sealed else 2.0
    w_date, w_office = _width(date), _width(office)
    date_right = base + max(0.0, (w_office - w_date) / 2 - base)
    office_right = max(0.0, date_right + (w_date - w_office) / 2)
    return office_right, date_right


def _signature(doc, doc_: AnnualDocument) -> None:  # noqa: ANN001
    """署名 centred over the date (see :func:`signature_indents`)."""
    date = _date_text(doc_.submit_date)
    office_right, date_right = signature_indents(doc_.office_name, date, doc_.sealed)
    for _ in range(2):
        _para(doc)
    for text, right in ((doc_.office_name, office_right), (date, date_right)):
        p = _para(doc, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * right)
        p.paragraph_format.keep_with_next = True
        _run(p, text, FANGSONG, BODY_PT)


def _keep_signature_company(doc, lines: int = 2) -> None:  # noqa: ANN001
    """The 署名 and 成文日期 never stand alone on a page: the last ``lines`` paragraphs of text before them
    (the closing, the 附件说明, the blank lines between) move with them."""
    paras = doc.paragraphs
    text_seen = 0
    for p in reversed(paras[:-2]):  # the two signature paragraphs keep with each other already
        p.paragraph_format.keep_with_next = True
        if p.text.strip():
            text_seen += 1
            if text_seen >= lines:
                break


def _appendix(doc, doc_: AnnualDocument, figures) -> None:  # noqa: ANN001
    p = _para(doc, indent_chars=0)
    p.paragraph_format.page_break_before = True
    _run(p, "附件", HEITI, BODY_PT)
    _para(doc, indent_chars=0)
    _title(doc, _appendix_title_lines(doc_))
    _para(doc, indent_chars=0)
    table = doc.add_table(rows=1, cols=5)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(14), Mm(32), Mm(70), Mm(20), Mm(20)]  # 156 mm: the width of the 版心
    for col, w in zip(table.columns, widths):
        col.width = w
    head = ["序号", "类别", "指标", "计量单位", "数值"]
    for cell, text, w in zip(table.rows[0].cells, head, widths):
        cell.width = w
        cp = cell.paragraphs[0]
        cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cp, text, HEITI, TABLE_PT)
    rpr = table.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")  # repeat the header row on each page
    rpr.append(hdr)
    for n, f in enumerate(figures, start=1):
        cells = table.add_row().cells
        value = str(int(f.value)) if float(f.value).is_integer() else f"{f.value:g}"
        for k, (cell, text, w) in enumerate(zip(cells, [str(n), f.category, f.name, f.unit, value], widths)):
            cell.width = w
            cp = cell.paragraphs[0]
            cp.alignment = WD_ALIGN_PARAGRAPH.LEFT if k == 2 else WD_ALIGN_PARAGRAPH.CENTER
            _run(cp, text, FANGSONG, TABLE_PT)


def write_docx(doc_: AnnualDocument, out_path: Path) -> None:
    """Build and save the .docx (temp name in the target folder, fsync, rename)."""
    doc = build_docx(doc_)
    out_path = Path(out_path)
    with output_file(out_path) as tmp:
        doc.save(os.fspath(tmp))
