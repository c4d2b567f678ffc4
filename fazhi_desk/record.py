"""Frozen records for the few value classes the window imports before its first paint.

``@dataclass`` writes each class's ``__init__``, ``__eq__``, ``__hash__`` and ``__repr__`` as source and
compiles it when the module is imported: ~0.7 ms a class, ~3 ms of the first paint for ``Changes``,
``DataDir``, ``Problem`` and ``ProblemList`` (and the ``dataclasses`` module with them). A :class:`Record`
gives the frozen ones the same behaviour from one shared implementation (``ProblemList``, mutable, is a
plain class): fields named in ``__slots__``, set once by the
subclass's ``__init__`` (:meth:`_init`), compared, hashed, shown and copied by value, immutable after.
Everything else in the program keeps ``@dataclass``.
"""

from __future__ import annotations

from typing import Any


class Record:
    """A frozen value object: ``__slots__`` are its fields, in order."""

    __slots__ = ()

    def _init(self, *values: Any) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field '{name}' of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field '{name}' of a frozen {type(self).__name__}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle by value (the frozen __setattr__ refuses state)
        return (type(self), self._values())
