"""The population allele frequency rule: which AF says how common a variant is.

SCORE's candidate filter, the ACMG frequency criteria (BA1, BS1, PM2) and the report's
findings all ask "how common is this allele?"; they answer with one rule, the filtering AF:
gnomAD's grpmax (popmax) AF, else gnomAD's global AF, else the highest AF across the
bundle's other frequency sources (``max_pop_af``). grpmax comes first because gnomAD leaves
bottlenecked groups (Ashkenazi Jewish, Finnish, "remaining") out of it, as the filtering AF
of Whiffin et al. 2017 (Genet Med 19:1151) and ClinGen's BA1 guidance (Ghosh et al. 2018,
Hum Mutat 39:1525) intend. A value absent from every column means "not in any population
database" (None), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa

FILTERING_AF_COLUMNS = ("gnomad_grpmax_af", "gnomad_af", "max_pop_af")
# SCORE runs the models on alleles at or below this filtering AF (or unknown): common
# polymorphisms add hours of scoring and nothing to a rare-disease ranking.
DEFAULT_MAX_AF = 0.01


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def filtering_af(get: Callable[[str], Any]) -> tuple[float | None, str | None]:
    """(AF, column it came from) for one row read through ``get``; (None, None) if absent."""
    for name in FILTERING_AF_COLUMNS:
        value = _number(get(name))
        if value is not None:
            return value, name
    return None, None


def filtering_af_of_table(table: pa.Table) -> list[float | None]:
    """The filtering AF of every row of a variant table (columns absent = unknown)."""
    columns = [table.column(c).to_pylist() for c in FILTERING_AF_COLUMNS
               if c in table.column_names]
    out: list[float | None] = []
    for values in zip(*columns) if columns else ([()] * table.num_rows):
        out.append(next((v for v in map(_number, values) if v is not None), None))
    return out


def has_frequency_columns(names: Iterable[str]) -> bool:
    """Whether a table (or row) carries any column of the rule, i.e. a lookup ran."""
    return any(name in FILTERING_AF_COLUMNS for name in names)
