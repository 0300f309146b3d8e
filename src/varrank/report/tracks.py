"""SpliceAI's and Pangolin's per-position tracks (ID.tracks.parquet) for the splice plots.

Shape written by SCORE (``score/stage.py`` TRACK_SCHEMA): one row per variant, gene and
position, columns ``variant_key``, ``gene``, ``strand``, ``offset`` (position relative to
the variant, bp), ``ref_acceptor``, ``alt_acceptor``, ``ref_donor``, ``alt_donor``
(probabilities 0-1); Pangolin's rows (``model`` pangolin) carry ``gain`` and ``loss``
instead (masked change of splice-site usage, -1 to 1). Optional ``model`` (default SpliceAI); ``position``/``pos_offset`` are
accepted for ``offset``. A variant scored against two overlapping genes has two track sets;
the finding shows the one of the gene its SpliceAI score was reported for. Only the variants shown as
findings are kept in report.json, so the file can be large.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from varrank.core.errors import InputError
from varrank.core.table_io import read_parquet
from varrank.report.values import clean

TRACK_COLUMNS = ("ref_acceptor", "alt_acceptor", "ref_donor", "alt_donor")
PANGOLIN_COLUMNS = ("gain", "loss")
OFFSET_ALIASES = ("offset", "position_offset", "pos_offset", "position")


def read_tracks(path: Path, variant_keys: set[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """variant_key -> [{model, gene, strand, offset[], ref_acceptor[], ...}] for the variants (all
    when ``variant_keys`` is None: SCORE writes tracks only for its candidates, so the file
    stays small; the report keeps only the findings' tracks in report.json)."""
    try:
        table = read_parquet(path)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the SpliceAI tracks table ({err})", path=path) from None
    names = set(table.column_names)
    offset = next((c for c in OFFSET_ALIASES if c in names), None)
    missing = [c for c in ("variant_key", *TRACK_COLUMNS) if c not in names]
    if offset is None or missing:
        need = ", ".join(missing + ([] if offset else ["offset"]))
        raise InputError(f"tracks table lacks column(s) {need}", path=path,
                         hint="expected variant_key, model, offset, ref/alt acceptor/donor")
    if variant_keys is not None:
        table = table.filter(pc.is_in(table["variant_key"], value_set=pa.array(sorted(variant_keys))))
    rows = table.to_pylist()
    grouped: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(row["variant_key"], str(row.get("model") or "SpliceAI"),
                 str(row.get("gene") or ""))].append(row)
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (key, model, gene), items in sorted(grouped.items()):
        items.sort(key=lambda r: r[offset])
        entry = {"model": model, "gene": gene or None, "strand": clean(items[0].get("strand")),
                 "offset": [int(r[offset]) for r in items],
                 **{c: [_prob(r[c]) for r in items] for c in TRACK_COLUMNS}}
        for column in PANGOLIN_COLUMNS:  # Pangolin's rows: masked gain / loss per position
            if any(r.get(column) is not None for r in items):
                entry[column] = [_prob(r.get(column)) for r in items]
        result[key].append(entry)
    return dict(result)


def _prob(value: Any) -> float | None:
    """Probabilities rounded to 4 decimals: float32 noise would triple report.json's size."""
    value = clean(value)
    return None if value is None else round(float(value), 4)
