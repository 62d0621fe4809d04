"""What the aiortc hooks use to check their premises: names in bytecode, attributes present."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from media_worker.errors import IncompatibleAiortc

#: (what the hook relies on, the function, the names its bytecode must use)
Expectation = tuple[str, Callable[..., Any], set[str]]


def code_names(function: Callable[..., Any]) -> set[str]:
    return set(inspect.unwrap(function).__code__.co_names)


def unmet(expectations: Iterable[Expectation]) -> list[str]:
    """One line for each expectation whose function no longer uses all its names."""
    found = []
    for what, function, names in expectations:
        missing = names - code_names(function)
        if missing:
            found.append(f"{what}: no longer uses {sorted(missing)}")
    return found


def require_attributes(target: object, names: tuple[str, ...]) -> None:
    missing = [name for name in names if not hasattr(target, name)]
    if missing:
        raise IncompatibleAiortc(f"{type(target).__name__} lacks {missing}; see check_compatible")
