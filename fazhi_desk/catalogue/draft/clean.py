"""Reading and cleaning the text of a plan as counties send it (a web copy, a .txt, pasted text).

Web copies carry page debris (首页 > 文章中心, 前言:本站为你…), pinyin annotations after
characters (實(shí)) and traditional characters. :func:`clean_text` removes the first two and
converts to simplified characters with OpenCC, protecting place names that OpenCC gets wrong
(乾佑 must not become 干佑). The result has one paragraph per line; drafted 原文 are verbatim
substrings of it.
"""

from __future__ import annotations

import codecs

import re
from pathlib import Path

from fazhi_desk.errors import UserError

MAX_CHARS = 2_000_000  # about 1,300 pages; a longer "plan" is not a plan

# Pinyin the annotating sites insert after characters: 實(shí), 發(fā), 綠(lǜ).
PINYIN_RE = re.compile(r"[((][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[))]")
# Whole lines that are page furniture, not the document.
DEBRIS_RES = [
    re.compile(p)
    for p in (
        r"^首页\s*[>›»]",
        r"^前言[::].{0,12}(本站|本文|小编)",
        r"(欢迎|敬请)(咨询|下载|访问|关注)",
        r"^(上一篇|下一篇|相关(推荐|阅读|文章)|责任编辑|文稿编辑|来源[::]|浏览次数|点击[数量率]|阅读[数量]|分享到)",
        r"^(打印本页|关闭窗口|返回顶部|【\s*(打印|关闭|字体)|扫一扫)",
        r"^(版权所有|Copyright|©)",
        r"^第\s*\d+\s*页\s*(/|共)",
        r"^\d+\s*/\s*\d+$",
    )
]
# Words OpenCC's t2s gets wrong: place names and variants. (traditional or t2s output, right form)
PROTECTED = ("乾佑", "乾县", "乾陵", "乾安")
AFTER_T2S = (("陜", "陕"),)


def read_text_file(path: Path) -> str:
    """A .txt plan in UTF-8 (with or without BOM), UTF-16 with BOM (Notepad's "Unicode") or GB18030 (what Chinese
    Windows writes)."""
    data = path.read_bytes()
    if len(data) > MAX_CHARS * 4:
        raise UserError(f"文件“{path.name}”过大\uff08{len(data) // 1_000_000} MB\uff09\uff0c不像是一份实施方案。请只提供方案正文。")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode" / "Unicode big endian"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError(f"文件“{path.name}”标明是 UTF-16\uff08“Unicode”\uff09编码\uff0c但内容不完整或已损坏。"
                            "请用记事本打开后另存为 UTF-8 编码再重试。") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UserError(f"无法识别文件“{path.name}”的文字编码。请用记事本另存为 UTF-8 编码后重试。")


def _has_traditional(text: str) -> bool:
    import opencc

    sample = "".join(ch for ch in text[:20_000] if "\u4e00" <= ch <= "\u9fff")
    if not sample:
        return False
    converted = opencc.OpenCC("t2s").convert(sample)
    changed = sum(1 for a, b in zip(sample, converted) if a != b)
    return changed >= max(3, len(sample) // 200)


def to_simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s), leaving protected place names as they are."""
    import opencc

    marks = {}
    for n, word in enumerate(PROTECTED):
        mark = chr(0xE000 + n)  # private-use characters survive OpenCC untouched
        marks[mark] = word
        text = text.replace(word, mark)
    text = opencc.OpenCC("t2s").convert(text)
    for mark, word in marks.items():
        text = text.replace(mark, word)
    for old, new in AFTER_T2S:
        text = text.replace(old, new)
    return text


def clean_text(raw: str) -> str:
    """One paragraph per line, without page debris or pinyin, in simplified characters."""
    if len(raw) > MAX_CHARS:
        raise UserError(f"文本过长\uff08{len(raw):,} 字\uff09\uff0c不像是一份实施方案。请只提供方案正文。")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = PINYIN_RE.sub("", text)
    if _has_traditional(text):
        text = to_simplified(text)
    lines = []
    for line in text.split("\n"):
        line = line.strip(" \t\u00a0\u3000")
        line = re.sub(r"^[,,]\s*", "", line)  # a comma left at a line's start by a cut annotation
        if not line or any(r.search(line) for r in DEBRIS_RES):
            continue
        lines.append(line)
    if not lines:
        raise UserError("文件中没有文字。请确认选择了方案正文\uff08.docx、.txt\uff09\uff0c而不是空白文件或图片。")
    return "\n".join(lines) + "\n"
