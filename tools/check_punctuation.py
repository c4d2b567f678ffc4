"""Chinese text the user reads takes full-width punctuation: ASCII , : ; ( ) ? ! next to a Chinese character is wrong.

Checks the string literals the user reads: every literal of the window's code (``fazhi_desk/ui``,
``fazhi_desk/tasks.py``) and, everywhere else, the messages of ``UserError`` and its kin (what the window
and the command line show when something is refused) and of each ``Problem`` listed under such a refusal.
Left alone: docstrings, raw strings, and strings that are matched against data (compared, used as a dict key or index, passed to ``re`` or to a string
method such as ``startswith`` or ``split``): a header or a line read from someone's file may well have
ASCII punctuation, and exports other desks read must keep theirs.

    python tools/check_punctuation.py          # lists each place, exits 1 if there is any
    python tools/check_punctuation.py --fix    # rewrites them as escapes (\\uff0c, \\uff1a, …)

The rule for what is converted is the written report's (``fazhi_desk.domain.annual.fullwidth``: a colon
between digits stays, a bracket pair is converted as a pair). The full-width characters are written as
escapes so that an editor or a terminal that folds full-width punctuation cannot undo them unseen.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fazhi_desk.domain.annual import FULL, bracket_pairs, fullwidth_marks  # noqa: E402

UI_CODE = ("fazhi_desk/ui/", "fazhi_desk/tasks.py")
# a refusal, and the problems of a refused file or backup listed under it (Problem, a reader's problem(),
# ProblemList.raise_if_any's headline; ProblemList.add is told by its two arguments below)
MESSAGE_CALLS = {"UserError", "NotEnoughSpace", "StoreError", "StoreUnavailable", "ImportRefused",
                 "Problem", "problem", "raise_if_any"}
MATCHING_METHODS = {"startswith", "endswith", "split", "rsplit", "partition", "rpartition", "replace", "find",
                    "rfind", "index", "rindex", "count", "strip", "lstrip", "rstrip", "removeprefix",
                    "removesuffix", "get", "setdefault", "pop", "translate", "maketrans"}
ESCAPE = {v: f"\\u{ord(v):04x}" for v in FULL.values()}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class Finder(ast.NodeVisitor):
    """The string nodes (Constant or JoinedStr) of one module that the user reads."""

    def __init__(self, ui: bool) -> None:
        self.ui = ui
        self.read: list[ast.expr] = []
        self.skip: set[int] = set()  # id() of nodes under a matching context
        self.message_depth = 0

    def _skip_all(self, node: ast.AST | None) -> None:
        if node is not None:
            for n in ast.walk(node):
                self.skip.add(id(n))

    def visit_Module(self, node: ast.Module) -> None:  # noqa: N802
        self._docstring(node)
        self.generic_visit(node)

    def _docstring(self, node) -> None:  # noqa: ANN001
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            self.skip.add(id(body[0].value))

    def visit_FunctionDef(self, node) -> None:  # noqa: ANN001, N802
        self._docstring(node)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802
        self._docstring(node)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:  # noqa: N802
        self._skip_all(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:  # noqa: N802
        self._skip_all(node.slice)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:  # noqa: N802
        for k in node.keys:
            self._skip_all(k)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        name = _name(node.func)
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if (isinstance(owner, ast.Name) and owner.id == "re") or name in MATCHING_METHODS:
            self._skip_all(node)
            return
        problem_list_add = name == "add" and len(node.args) == 2  # (place, message); set.add and the like take one
        if name in MESSAGE_CALLS or problem_list_add:
            self.message_depth += 1
            self.generic_visit(node)
            self.message_depth -= 1
            return
        self.generic_visit(node)

    def _string(self, node: ast.expr) -> None:
        if id(node) not in self.skip and (self.ui or self.message_depth):
            self.read.append(node)

    def visit_Constant(self, node: ast.Constant) -> None:  # noqa: N802
        if isinstance(node.value, str):
            self._string(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:  # noqa: N802
        self._string(node)
        for v in node.values:  # the expressions inside: their own strings are judged on their own
            if isinstance(v, ast.FormattedValue):
                self.visit(v.value)


def _spans(src: str, ui: bool) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the strings the user reads are, as (line, column) in characters, as tokenize counts them
    (ast counts columns in UTF-8 bytes)."""
    f = Finder(ui)
    f.visit(ast.parse(src))
    lines = src.splitlines(keepends=True)

    def col(line: int, byte_col: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    return [((n.lineno, col(n.lineno, n.col_offset)), (n.end_lineno, col(n.end_lineno, n.end_col_offset)))  # type: ignore[arg-type]
            for n in f.read]


def _split_literal(tok: str) -> tuple[str, str, str]:
    """(prefix with the opening quote(s), body, closing quote(s))."""
    i = 0
    while tok[i] not in "'\"":
        i += 1
    q = tok[i:i + 3] if tok[i:i + 3] in ('"""', "'''") else tok[i]
    return tok[:i + len(q)], tok[i + len(q):len(tok) - len(q)], q


def _parts(body: str, f: bool) -> list[tuple[bool, str]]:
    """A literal's body as (is literal text, text) parts: an f-string's ``{…}`` are code (``{{``/``}}`` are text)."""
    if not f:
        return [(True, body)]
    parts: list[tuple[bool, str]] = []
    i, depth, start = 0, 0, 0
    while i < len(body):
        c = body[i]
        if depth == 0 and body[i:i + 2] in ("{{", "}}"):
            i += 2
            continue
        if c == "{":
            if depth == 0:
                parts.append((True, body[start:i]))
                start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                parts.append((False, body[start:i + 1]))
                start = i + 1
        i += 1
    parts.append((depth == 0, body[start:]))
    return parts


REGEX_SIGNS = ("*.", ";;", "(?", "[^", ")?", ")*", ")+", "\\s*", "\\s+", "\\s?", "\\d", "|")  # parts of a regular expression or a file dialog filter


def to_convert(text: str) -> set[int]:
    """:func:`_marks`, again over the text with those made full-width, until nothing more changes: a colon after
    a bracket that became full-width (``(必填):``) is next to Chinese punctuation too."""
    marks: set[int] = set()
    while True:
        seen = "".join(FULL[c] if i in marks else c for i, c in enumerate(text))
        more = _marks(seen) - marks
        if not more:
            return marks
        marks |= more


def _marks(text: str) -> set[int]:
    """The positions in ``text`` whose ASCII punctuation becomes full-width: the written report's rule
    (``fullwidth_marks``), except that a menu accelerator ``(&F)`` keeps its ASCII brackets, as Chinese Windows
    programs write it."""
    pairs = bracket_pairs(text)

    def accelerator(i: int) -> bool:
        opening = i if text[i] == "(" else pairs.get(i, -1)
        return opening >= 0 and text[opening + 1:opening + 2] == "&"

    return {i for i in fullwidth_marks(text) if text[i] not in "()" or not accelerator(i)}


class Literal:
    """One string token of a node: its place in the file, and its body in parts."""

    def __init__(self, tok: tokenize.TokenInfo) -> None:
        self.tok = tok
        self.head, body, self.tail = _split_literal(tok.string)
        self.parts = [list(p) for p in _parts(body, "f" in self.head.lower())]


def convert_node(lits: list[Literal]) -> bool:
    """Convert the literals of one string node (implicitly joined tokens, f-string parts) as one text: what is
    next to what is judged across token and placeholder boundaries (a placeholder counts as Latin text).
    Returns whether anything changed; the literals' parts are rewritten in place."""
    text: list[str] = []
    where: list[tuple[int, int, int]] = []  # for each char of text: (literal, part, index) or (-1, …) for code
    for li, lit in enumerate(lits):
        for pi, (literal, body) in enumerate(lit.parts):
            if literal:
                k = 0
                while k < len(body):
                    esc = body[k + 2:k + 6]
                    if body[k:k + 2] == "\\u" and len(esc) == 4 and all(h in "0123456789abcdefABCDEF" for h in esc):
                        text.append(chr(int(esc, 16)))  # an escape counts as the character it stands for
                        where.append((li, pi, k))
                        k += 6
                        continue
                    text.append(body[k])
                    where.append((li, pi, k))
                    k += 1
            else:
                text.append("x")
                where.append((-1, -1, -1))
    joined = "".join(text)
    if any(sign in lit_body for lit in lits for is_text, lit_body in lit.parts if is_text
           for sign in REGEX_SIGNS):
        return False
    marks = to_convert(joined)
    if not marks:
        return False
    drop: set[int] = set()
    for i in marks:  # a space beside a full-width mark is no longer wanted
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(joined) and joined[j] == " " and where[j][0] >= 0:
                drop.add(j)
                j += step
    edits: dict[tuple[int, int], dict[int, str]] = {}
    for i in marks | drop:
        li, pi, k = where[i]
        edits.setdefault((li, pi), {})[k] = ESCAPE[FULL[joined[i]]] if i in marks else ""
    for (li, pi), changes in edits.items():
        body = lits[li].parts[pi][1]
        lits[li].parts[pi][1] = "".join(changes.get(k, c) for k, c in enumerate(body))
    return True


def check_file(path: Path, fix: bool = False) -> list[tuple[int, str]]:
    """The places in ``path`` with ASCII punctuation next to Chinese text the user reads; rewritten if ``fix``."""
    src = path.read_text(encoding="utf-8")
    rel = path.resolve().relative_to(ROOT).as_posix()
    spans = _spans(src, rel.startswith(UI_CODE))
    if not spans:
        return []
    starts = [0]
    for line in src.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    by_span: dict[int, list[Literal]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type == tokenize.STRING:
            for n, (a, b) in enumerate(spans):
                if a <= tok.start and tok.end <= b:
                    by_span.setdefault(n, []).append(Literal(tok))
                    break
    edits: list[tuple[int, int, str]] = []
    found: list[tuple[int, str]] = []
    for lits in by_span.values():
        if any("r" in lit.head.rstrip("'\"").lower() or "b" in lit.head.rstrip("'\"").lower() for lit in lits):
            continue  # a raw string (escapes would not be escapes), bytes
        before = [lit.tok.string for lit in lits]
        if not convert_node(lits):
            continue
        for lit, old in zip(lits, before):
            new = lit.head + "".join(body for _t, body in lit.parts) + lit.tail
            if new != old:
                a = starts[lit.tok.start[0] - 1] + lit.tok.start[1]
                b = starts[lit.tok.end[0] - 1] + lit.tok.end[1]
                edits.append((a, b, new))
        first = lits[0].tok
        shown = " ".join(before)
        found.append((first.start[0], shown if len(shown) < 90 else shown[:87] + "…"))
    if fix and edits:
        for a, b, text in sorted(edits, reverse=True):
            src = src[:a] + text + src[b:]
        ast.parse(src)  # still Python
        path.write_text(src, encoding="utf-8")
    return sorted(found)


def files() -> list[Path]:
    return sorted(p for p in (ROOT / "fazhi_desk").rglob("*.py") if "__pycache__" not in p.parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fix", action="store_true", help="rewrite them (full-width, as escapes)")
    args = ap.parse_args(argv)
    total = 0
    for p in files():
        for line, text in check_file(p, args.fix):
            total += 1
            print(f"{p.relative_to(ROOT)}:{line}: {text}")
    if total:
        print(f"{total} string(s) with ASCII punctuation next to Chinese text" + (": fixed" if args.fix else ""))
    return 1 if total and not args.fix else 0


if __name__ == "__main__":
    sys.exit(main())
