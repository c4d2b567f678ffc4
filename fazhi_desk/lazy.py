"""Names a package re-exports from its modules, imported when first asked for (PEP 562).

A package whose ``__init__`` imports its own modules makes an import cycle (each module imports the
package first). Two threads importing modules of that package at once (the window importing its
panels after the first paint while the worker opens the store) then take Python's import locks in
opposite orders, and one of them fails with ``_DeadlockError``, or gets a half-made module. With the
re-exports made lazy, importing the package imports nothing, and there is no cycle to enter.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]) -> tuple[Callable[[str], Any], Callable[[], list]]:
    """``__getattr__`` and ``__dir__`` for ``package``, which re-exports ``exports`` (module → names)."""
    where = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:  # noqa: N807
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list:  # noqa: N807
        return sorted(set(where) | set(vars(sys.modules[package])))

    return __getattr__, __dir__
