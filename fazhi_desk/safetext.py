"""Text from outside written into our outputs: never a formula, never a disguised name.

Everything an office or a county types (office name, county, contact, notes, owner,
evidence file names and descriptions, statistics, catalogue wording) ends up in a
workbook, a CSV, a roll-up or a .docx that someone else opens. :func:`neutralise` is
the one function every channel calls:

* characters that steer the direction of text (U+202E RIGHT-TO-LEFT OVERRIDE and its
  kin) are made visible as ``[U+202E]``, so ``"\\u202efdp.exe"`` no longer shows as
  "exe.pdf";
* characters an XML file (xlsx, docx) cannot hold are dropped;
* a text that a spreadsheet would read as a formula (it starts with ``= + - @``, tab,
  CR or NUL, before or after the cleaning) is flagged ``quote``: a workbook cell then
  gets ``quotePrefix`` and the text type, a CSV cell gets a leading ``'``
  (:func:`csv_cell`). A .docx needs no quote: Word does not evaluate run text.

No Qt, no openpyxl here: :mod:`fazhi_desk.fileio` (file names) uses it too.
"""

from __future__ import annotations

import re
from typing import NamedTuple

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Embedding, override and isolate controls, and the marks that reorder neighbouring text.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SafeText(NamedTuple):
    """What to write (``text``) and whether a spreadsheet must be told it is text (``quote``)."""

    text: str
    quote: bool


def show_controls(text: str) -> str:
    """``text`` with every direction-steering control written out visibly, e.g. ``[U+202E]``."""
    if text.isprintable():  # every such control is non-printable: most text needs no search
        return text
    return _BIDI_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def clean_text(text: str) -> str:
    """Controls made visible (:func:`show_controls`) and characters XML 1.0 cannot hold dropped."""
    if text.isprintable():
        return text
    return _ILLEGAL_XML.sub("", show_controls(text))


def neutralise(value: object) -> SafeText:
    """The one neutralising function for text from outside (see the module docstring).

    ``quote`` is decided on the text as given and as written: ``"\\x01=HYPERLINK(…)"``
    is written as ``"=HYPERLINK(…)"`` and is therefore quoted.
    """
    raw = value if value.__class__ is str else ("" if value is None else str(value))
    text = clean_text(raw)
    return SafeText(text, raw.startswith(FORMULA_TRIGGERS) or text.startswith(FORMULA_TRIGGERS))


def csv_cell(value: object) -> object:
    """A CSV cell: text neutralised and, when a spreadsheet would evaluate it, prefixed with ``'``.

    Numbers pass unchanged (a CSV carries no type: a negative number is a number, not text).
    """
    if value is None or isinstance(value, (int, float)):
        return value
    text, quote = neutralise(value)
    return "'" + text if quote else text
