"""Analysis presets: a frozen dataclass of defaults, with a user's JSON overrides applied.

Thresholds and ranking weights (PRIORITISE) are presets; an override naming a field the
dataclass lacks is a user error listing the known names, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any, TypeVar

from varrank.core.errors import InputError

T = TypeVar("T")


def with_overrides(cls: type[T], overrides: Mapping[str, Any] | None, what: str) -> T:
    """``cls()`` with ``overrides`` applied (JSON lists become tuples)."""
    if not overrides:
        return cls()
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise InputError(f"unknown {what}(s) in preset: {', '.join(unknown)}",
                         hint=f"known {what}s: {', '.join(sorted(known))}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
    return replace(cls(), **values)
