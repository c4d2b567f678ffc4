"""Frozen records (fazhi_desk.record): what @dataclass(frozen=True) gave Changes, DataDir and Problem."""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from fazhi_desk.changes import NOTHING, Changes
from fazhi_desk.errors import Problem, ProblemList, UserError
from fazhi_desk.paths import DataDir


def test_equal_and_hashed_by_value() -> None:
    a, b = Changes.item("SZ-1", 2025), Changes(items=frozenset({("SZ-1", 2025)}))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Changes.item("SZ-1", 2024) and a != NOTHING
    assert DataDir(Path("/x")) == DataDir(Path("/x")) != DataDir(Path("/y"))
    assert Problem("第 3 行", "缺少名称") == Problem(place="第 3 行", message="缺少名称")
    assert Problem("a", "b") != ("a", "b")  # another type is never equal


def test_frozen() -> None:
    d = DataDir(Path("/x"))
    with pytest.raises(AttributeError, match="frozen DataDir"):
        d.root = Path("/y")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del d.root
    with pytest.raises(AttributeError):
        d.other = 1  # type: ignore[attr-defined]
    assert d.root == Path("/x")


def test_defaults_order_and_repr() -> None:
    c = Changes(frozenset(), frozenset({2025}), catalogue=True)
    assert (c.years, c.catalogue, c.profile, c.statistics) == (frozenset({2025}), True, False, frozenset())
    assert repr(Problem("p", "m")) == "Problem(place='p', message='m')"
    assert repr(DataDir(Path("/x"))) == f"DataDir(root={Path('/x')!r})"
    assert (Changes.year(2024) | Changes.statistics_of(2025)) == Changes(years=frozenset({2024}),
                                                                       statistics=frozenset({2025}))


def test_copied_and_pickled_by_value() -> None:
    for v in (Changes.evidence_of(("SZ-1", 2025)), DataDir(Path("/x")), Problem("p", "m")):
        assert copy.copy(v) == v and copy.deepcopy(v) == v and pickle.loads(pickle.dumps(v)) == v


def test_problem_list_collects_and_raises() -> None:
    problems = ProblemList()
    assert not problems and problems == ProblemList([])
    problems.add("第 2 行", "缺少名称")
    assert problems and problems.problems == [Problem("第 2 行", "缺少名称")]
    with pytest.raises(UserError, match="共 1 个问题"):
        problems.raise_if_any("目录有误")
    with pytest.raises(TypeError):
        hash(problems)  # mutable: never a dict key


def test_the_window_s_first_paint_imports_no_dataclasses() -> None:
    code = ("import sys; import fazhi_desk.ui.application, fazhi_desk.ui.main_window; "
            "print(sorted(m for m in ('dataclasses', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.stdout.strip() == "[]"
