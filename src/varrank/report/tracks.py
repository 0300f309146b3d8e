"""SpliceAI per-position tracks (ID.tracks.parquet) for the splice plot.

Expected shape (agreed with the SCORE stage): one row per variant, model and position,
columns ``variant_key``, ``model``, ``offset`` (position relative to the variant, bp),
``ref_acceptor``, ``alt_acceptor``, ``ref_donor``, ``alt_donor`` (probabilities 0-1).
``position``/``pos_offset`` are accepted for ``offset``. Only the variants shown as
findings are kept in report.json, so the file can be large.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq

from varrank.core.errors import InputError
from varrank.report.values import clean

TRACK_COLUMNS = ("ref_acceptor", "alt_acceptor", "ref_donor", "alt_donor")
OFFSET_ALIASES = ("offset", "position_offset", "pos_offset", "position")


def read_tracks(path: Path, variant_keys: set[str]) -> dict[str, dict[str, Any]]:
    """variant_key -> {model, offset[], ref_acceptor[], ...} for the requested variants."""
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the SpliceAI tracks table ({err})", path=path) from None
    names = set(table.column_names)
    offset = next((c for c in OFFSET_ALIASES if c in names), None)
    missing = [c for c in ("variant_key", *TRACK_COLUMNS) if c not in names]
    if offset is None or missing:
        need = ", ".join(missing + ([] if offset else ["offset"]))
        raise InputError(f"tracks table lacks column(s) {need}", path=path,
                         hint="expected variant_key, model, offset, ref/alt acceptor/donor")
    if not variant_keys:
        return {}
    keep = pc.is_in(table["variant_key"], value_set=__import__("pyarrow").array(sorted(variant_keys)))
    rows = table.filter(keep).to_pylist()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        grouped[(row["variant_key"], str(row.get("model") or "spliceai"))].append(row)
    result: dict[str, dict[str, Any]] = {}
    for (key, model), items in sorted(grouped.items()):
        if key in result and "spliceai" not in model.lower():
            continue  # one plot per variant; SpliceAI preferred when several models
        items.sort(key=lambda r: r[offset])
        result[key] = {"model": model, "offset": [int(r[offset]) for r in items],
                       **{c: [clean(r[c]) for r in items] for c in TRACK_COLUMNS}}
    return result
