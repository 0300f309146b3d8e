"""ranked.tsv: every row of the variant table, best rank first, for spreadsheets and LIMS.

Untrusted text (VCF IDs, INFO-derived strings) can carry tabs or newlines that would shift
columns, and cells starting with = + - @ are run as formulas by spreadsheet programs
(OWASP "CSV injection"); such cells are neutralised. Missing values are empty cells.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from varrank.core import schema as table_schema
from varrank.report.columns import rank_order

FIRST = ("rank", "variant_key", "chrom", "pos", "ref", "alt", "gene_symbol", "transcript_id",
         "hgvs_c", "hgvs_p", "zygosity", "acmg_class", "acmg_codes", "clinvar_significance",
         "clinvar_stars", "gnomad_af", "spliceai_max", "phenotype_score", "inheritance_fit",
         "variant_score", "excluded_reason")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MISSING_SPELLINGS = ["", ".", "nan", "none", "null", "na", "n/a"]
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def column_order(table: pa.Table) -> list[str]:
    names = table.column_names
    documented = [c.name for c in table_schema.ALL_COLUMNS]
    ordered = [c for c in FIRST if c in names]
    ordered += [c for c in documented if c in names and c not in ordered]
    ordered += [c for c in names if c not in ordered]
    return ordered


def _tsv_strings(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Vectorised tsv_cell for a text column: missing spellings -> null, escapes, formulas."""
    if pa.types.is_large_string(col.type) or pa.types.is_dictionary(col.type):
        col = col.cast(pa.string())
    col = pc.utf8_trim_whitespace(col)
    missing = pc.is_in(pc.utf8_lower(col), value_set=pa.array(MISSING_SPELLINGS))
    col = pc.if_else(missing, pa.scalar(None, pa.string()), col)
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        col = pc.replace_substring(col, raw, escaped)
    formula = pc.and_(pc.match_substring_regex(col, r"^[=+\-@]"),
                      pc.invert(pc.match_substring_regex(col, NUMBER)))
    return pc.if_else(pc.fill_null(formula, False), pc.binary_join_element_wise("'", col, ""), col)


def write_tsv(table: pa.Table, path: Path, batch_rows: int = 65536) -> Path:
    """Write the table, best rank first, to ``path``. Every column is turned into text by
    Arrow (text escaped by _tsv_strings, numbers by Arrow's shortest round-trip format,
    missing as empty), so Python only joins ready-made strings."""
    columns = column_order(table)
    ordered = rank_order(table.select(columns))
    texts = []
    for name in columns:
        col = ordered[name]
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = _tsv_strings(col)
        else:
            if pa.types.is_floating(col.type):
                col = pc.if_else(pc.is_finite(col), col, pa.scalar(None, col.type))
            col = pc.cast(col, pa.string())
        texts.append(pc.fill_null(col, ""))
    text_table = pa.table(texts, names=columns)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            out.write("\t".join(columns) + "\n")
            for batch in text_table.to_batches(max_chunksize=batch_rows):
                cells = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
                out.writelines(line + "\n" for line in map("\t".join, zip(*cells, strict=True)))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
