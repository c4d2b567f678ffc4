"""No import cycle at module level in the package: the window imports its panels right after the first paint while
the worker opens the store, and two threads entering a cycle from opposite ends deadlock in Python's import
locks (seen at start-up: ``_DeadlockError`` on ``fazhi_desk.domain.model``, then a half-made
``fazhi_desk.domain.completion`` on the worker). A package that re-exports names does it lazily
(``fazhi_desk.lazy``)."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Its modules share the package's own helpers; only the draft dialog and the command line import it, on demand,
# one thread at a time.
KNOWN = {frozenset({"fazhi_desk.catalogue.draft", "fazhi_desk.catalogue.draft.clean", "fazhi_desk.catalogue.draft.plan",
                    "fazhi_desk.catalogue.draft.table"})}


def module_graph() -> dict[str, set[str]]:
    mods = {}
    for p in (ROOT / "fazhi_desk").rglob("*.py"):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        for node in ast.parse(p.read_text(encoding="utf-8")).body:  # module level: what runs at import
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            graph[m] |= {n for n in names if n in mods and n != m}
        parts = m.split(".")
        graph[m] |= {".".join(parts[:i]) for i in range(1, len(parts))} & set(mods)  # a module imports its package
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_at_module_level():
    found = [sorted(c) for c in cycles(module_graph()) if c not in KNOWN]
    assert not found, found


def test_a_package_still_re_exports_its_names_when_asked():
    import fazhi_desk.backup as backup
    import fazhi_desk.domain as domain

    assert domain.Tally.__module__ == "fazhi_desk.domain.completion" and "Tally" in dir(domain)
    from fazhi_desk.backup import create_backup  # noqa: F401 - the form the code uses

    assert backup.create_backup is create_backup


def test_two_threads_import_the_domain_from_opposite_ends():
    """What the start does, many times over in fresh processes: one thread imports the rules (via the item panel),
    another the model (via the store's services), at the same moment."""
    code = (
        "import threading, sys\n"
        "errors = []\n"
        "def imp(name):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except BaseException as e:\n"
        "        errors.append(repr(e))\n"
        "b = threading.Barrier(2)\n"
        "def t(name):\n"
        "    b.wait(); imp(name)\n"
        "ts = [threading.Thread(target=t, args=(n,)) for n in ('fazhi_desk.domain.completion', 'fazhi_desk.domain.model')]\n"
        "[x.start() for x in ts]; [x.join() for x in ts]\n"
        "print('ERRORS', errors)\n"
    )
    threads = []
    results: list[str] = []

    def run() -> None:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
        results.append(p.stdout + p.stderr)

    for _ in range(2):
        for _ in range(10):
            threads.append(threading.Thread(target=run))
            threads[-1].start()
        for th in threads:
            th.join()
    assert len(results) == 20 and all("ERRORS []" in r for r in results), [r for r in results if "ERRORS []" not in r]
