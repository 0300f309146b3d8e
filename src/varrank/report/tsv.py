"""ranked.tsv: every row of the variant table, best rank first, for spreadsheets and LIMS.

Untrusted text (VCF IDs, INFO-derived strings) can carry tabs or newlines that would shift
columns, and cells starting with = + - @ are run as formulas by spreadsheet programs
(OWASP "CSV injection"); such cells are neutralised. Missing values are empty cells.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pyarrow as pa

from varrank.core import schema as table_schema
from varrank.core.table_io import atomic_write_text
from varrank.report.values import clean

FIRST = ("rank", "variant_key", "chrom", "pos", "ref", "alt", "gene_symbol", "transcript_id",
         "hgvs_c", "hgvs_p", "zygosity", "acmg_class", "acmg_codes", "clinvar_significance",
         "clinvar_stars", "gnomad_af", "spliceai_max", "phenotype_score", "inheritance_fit",
         "variant_score", "excluded_reason")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def tsv_cell(value: Any) -> str:
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, str) and text.startswith(FORMULA_START) and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def column_order(table: pa.Table) -> list[str]:
    names = table.column_names
    documented = [c.name for c in table_schema.ALL_COLUMNS]
    ordered = [c for c in FIRST if c in names]
    ordered += [c for c in documented if c in names and c not in ordered]
    ordered += [c for c in names if c not in ordered]
    return ordered


def write_tsv(table: pa.Table, path: Path) -> Path:
    columns = column_order(table)
    rows = table.select(columns).to_pylist()
    rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0,
                             str(r.get("chrom")), r.get("pos") or 0))
    out = io.StringIO()
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(tsv_cell(row[c]) for c in columns) + "\n")
    return atomic_write_text(path, out.getvalue())
