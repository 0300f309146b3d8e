"""How a stage reads its input table and writes its outputs: one way for every stage.

``read_stage_table`` opens the previous stage's Parquet, checks its footer
(:class:`~varrank.core.table_meta.TableMetadata`) and the columns the stage needs (the
registry's ``required_columns``); ``write_stage_outputs`` writes the table, the ledger and
any side tables under the registry's file names; ``attach_columns`` puts a stage's columns
on the table in the documented order and types.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from varrank.core.contract import stage as stage_spec
from varrank.core.errors import InputError
from varrank.core.ledger import Ledger
from varrank.core.schema import arrow_schema
from varrank.core.table_io import read_table, write_side_table, write_table
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import Stage


def read_stage_table(path: Path | str, stage: Stage | str) -> tuple[pa.Table, TableMetadata]:
    """The input table of ``stage``, its footer checked and its required columns present."""
    path = Path(path)
    table, footer = read_table(path)
    meta = TableMetadata.from_footer(footer, path)
    required = stage_spec(stage).required_columns
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise InputError(f"variant table lacks column(s) {', '.join(missing)} that "
                         f"{str(stage).upper()} needs", path=path,
                         hint="give the <ID>.<stage>.parquet a varrank stage wrote")
    return table, meta


def attach_columns(table: pa.Table, stage: Stage | str,
                   columns: Mapping[str, pa.Array | pa.ChunkedArray | list[Any]]) -> pa.Table:
    """``table`` with the columns ``stage`` adds, in schema order and type, after the rest.

    Columns of the stage already on the table (a re-run) are replaced; a stage column not in
    ``columns`` is all null, never left out, so the next stage can tell "ran, no value" from
    "did not run" by the history.
    """
    schema = arrow_schema(str(stage))
    out = table.select([c for c in table.column_names if c not in schema.names])
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            value = pa.nulls(table.num_rows, field.type)
        elif not isinstance(value, (pa.Array, pa.ChunkedArray)):
            value = pa.array(value, type=field.type)
        elif value.type != field.type:
            value = value.cast(field.type)
        out = out.append_column(field, value)
    return out


def write_stage_outputs(stage: Stage | str, outdir: Path | str, patient: str, *,
                        table: pa.Table | None = None, meta: TableMetadata | None = None,
                        ledger: Ledger | None = None,
                        side_tables: Mapping[str, tuple[pa.Table, dict[str, Any]]] = {},
                        texts: Mapping[str, str] = {}) -> dict[str, Path]:
    """Write what a stage produced under the registry's names; returns output key -> path.

    Side tables (transcripts, tracks) are written before the variant table, the ledger last:
    a task killed half-way never leaves a ledger that claims outputs which are not there.
    """
    spec = stage_spec(stage)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for key, (side, info) in side_tables.items():
        written[key] = write_side_table(side, spec.output_path(outdir, key, patient), info)
    for key, text in texts.items():
        from varrank.core.table_io import atomic_write_text

        written[key] = atomic_write_text(spec.output_path(outdir, key, patient), text)
    if table is not None:
        if meta is None:
            raise TypeError("a stage table needs its metadata")
        written["table"] = write_table(table, spec.output_path(outdir, "table", patient), meta)
    if ledger is not None:
        written["ledger"] = ledger.write(spec.output_path(outdir, "ledger", patient))
    return written


def dump_json(doc: Any) -> str:
    return json.dumps(doc, indent=2) + "\n"
