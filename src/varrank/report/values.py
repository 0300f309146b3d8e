"""Turning table cells into report values: missing is ``None``, never "nan" or "None".

Parquet nulls arrive as ``None``, pandas turns some into ``NaN``, and upstream tools write
the strings "nan", "None", "." or "" for an absent value. A clinician must never read "nan"
as if it were a result, so every value entering report.json passes through :func:`clean`.
"""

from __future__ import annotations

import math
from typing import Any

import jinja2

# Strings that upstream tools write for "no value". Compared case-insensitively.
_MISSING_STRINGS = frozenset({"", ".", "nan", "none", "null", "na", "n/a"})


def is_missing(value: Any) -> bool:
    """True for None, NaN/inf and the usual spellings of "no value"."""
    if value is None or isinstance(value, jinja2.Undefined):
        return True
    if isinstance(value, float) and not math.isfinite(value):
        return True
    if isinstance(value, str) and value.strip().lower() in _MISSING_STRINGS:
        return True
    return False


def clean(value: Any) -> Any:
    """Return a JSON-safe value, with every spelling of "missing" turned into ``None``.

    numpy scalars become Python scalars (json cannot encode them); containers are cleaned
    recursively so nested QC or manifest data cannot smuggle a NaN into report.json.
    """
    if isinstance(value, jinja2.Undefined):  # a field absent from report.json, seen by a filter
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if is_missing(value):
        return None
    if isinstance(value, str):
        return value.strip()
    return value


def split_list(value: Any, sep: str = ";") -> list[str]:
    """Split a ``;``-joined text cell (the schema's convention for lists) into clean items."""
    value = clean(value)
    if value is None:
        return []
    return [item.strip() for item in str(value).split(sep) if not is_missing(item)]


def format_af(value: Any) -> str | None:
    """Allele frequency for humans: 3 significant digits, scientific below 0.001."""
    value = clean(value)
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)  # not a number: shown as given rather than failing the page
    if not math.isfinite(value):
        return None
    if value == 0:
        return "0"
    if value < 0.001:
        return f"{value:.2e}"
    return f"{value:.4f}".rstrip("0").rstrip(".")


def format_number(value: Any, digits: int = 2) -> str | None:
    """Fixed-point display of a float, integers left alone."""
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 1000:
            return f"{int(value):,}"
        return f"{value:.{digits}f}"
    return str(value)
