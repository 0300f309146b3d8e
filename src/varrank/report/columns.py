"""Columnar questions about the variant table, answered without materialising every row.

A genome has ~5 million variants; turning each into a Python dict would need tens of GB.
The report needs counts, a few hundred rows in rank order and the rows of a few genes, so
every question here is answered with Arrow compute and only the selected rows are
converted to Python. Absent columns (a skipped stage) read as all-null.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from varrank.report.values import clean


def column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return table[name]
    return pa.chunked_array([pa.nulls(len(table))])


def value_counts(table: pa.Table, name: str, missing_label: str | None = None) -> dict[Any, int]:
    """{value: count}; null (and other spellings of missing) under ``missing_label`` if given."""
    counts: dict[Any, int] = {}
    for item in pc.value_counts(column(table, name)).to_pylist():
        value = clean(item["values"])
        if value is None:
            if missing_label is None:
                continue
            value = missing_label
        counts[value] = counts.get(value, 0) + item["counts"]
    return counts


def count_where(table: pa.Table, name: str, predicate: Callable[[Any], bool]) -> int:
    """Rows whose value satisfies ``predicate`` (evaluated once per distinct value)."""
    return sum(n for value, n in value_counts(table, name).items() if predicate(value))


def mask_where(table: pa.Table, name: str, predicate: Callable[[Any], bool]) -> pa.ChunkedArray:
    matching = [v for v in value_counts(table, name) if predicate(v)]
    if not matching or name not in table.column_names:
        return pa.chunked_array([pa.array([False] * len(table))])
    return pc.fill_null(pc.is_in(table[name], value_set=pa.array(matching)), False)


def non_null(table: pa.Table, name: str) -> int:
    return len(table) - column(table, name).null_count


def rank_order(table: pa.Table) -> pa.Table:
    """Rows by rank (unranked last), ties and unranked rows in table (position) order.
    Arrow's sort is stable, so the INGEST order (contig, position) is kept within ties."""
    if "rank" not in table.column_names or table["rank"].null_count == len(table):
        return table
    return table.sort_by([("rank", "ascending")])


def rows(table: pa.Table, batch_size: int = 65536) -> Iterator[dict[str, Any]]:
    """Row dicts, one batch at a time (bounded memory)."""
    for batch in table.to_batches(max_chunksize=batch_size):
        yield from batch.to_pylist()
