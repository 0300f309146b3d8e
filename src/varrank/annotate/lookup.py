"""Exact-allele lookup of the patient's variants in the bundle's sources.

The patient table and every source are normalised the same way (split, left-aligned), so
an exact (contig, pos, ref, alt) match is the right test of identity; a position-only match
would hand a SNV the ClinVar record of a different base change. Contigs are compared in
bare form (``chr1`` and ``1`` meet), alleles case-insensitively. Columns from a source the
bundle lacks stay null: absent from a database means unknown, never frequency 0.

The match itself is a binary search of the patient's locus keys in each source's sorted,
memory-mapped key column, with REF/ALT compared on the rows that share a locus, and the
value columns taken by row index for the matched rows only (lookup_index.py); its result is
the same as a LEFT JOIN on the four keys (tests/unit/annotate/test_lookup_index.py holds the
two side by side). The JSON columns are written column-wise with DuckDB's number formatting.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from varrank.annotate.bundle import Bundle
from varrank.annotate.lookup_index import PatientKeys, scatter

log = logging.getLogger(__name__)

# gnomAD's grpmax leaves out bottlenecked/founder and small groups (gnomAD v4 release notes;
# Karczewski 2020): Amish, Ashkenazi Jewish, Finnish, Middle Eastern, remaining/other.
GRPMAX_EXCLUDED = {"ami", "asj", "fin", "mid", "oth", "remaining"}

CLINVAR_COLUMNS = {
    "clinvar_variation_id": "variation_id", "clinvar_allele_id": "allele_id",
    "clinvar_significance": "significance", "clinvar_significance_conflicts": "significance_conflicts",
    "clinvar_review_status": "review_status", "clinvar_stars": "stars",
    "clinvar_conditions": "conditions",
}
GNOMAD_COLUMNS = {
    "gnomad_af": "af", "gnomad_grpmax_af": "grpmax_af", "gnomad_grpmax_pop": "grpmax_pop",
    "gnomad_ac": "ac", "gnomad_an": "an", "gnomad_nhomalt": "nhomalt", "gnomad_filter": "filter",
}
INHOUSE_COLUMNS = {"inhouse_classification": "classification", "inhouse_ac": "ac",
                   "inhouse_an": "an"}


def lookup(bundle: Bundle, keys: pa.Table, threads: int = 2,
           memory_limit: str = "4GB") -> tuple[dict[str, pa.Array], dict[str, int]]:
    """Return new columns aligned with ``keys`` (chrom, pos, ref, alt) and match counts."""
    con = duckdb.connect()  # in memory: only formats JSON over the matched rows
    con.execute(f"SET threads = {int(threads)}")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET enable_progress_bar = false")
    n = keys.num_rows
    patient = PatientKeys.of(keys.select(["chrom", "pos", "ref", "alt"]))
    pool = ThreadPoolExecutor(max_workers=int(threads)) if threads > 1 else None
    out: dict[str, pa.Array] = {}
    matches: dict[str, int] = {}
    freq_candidates: list[tuple[str, np.ndarray]] = []

    def join(name: str, wanted: list[str], groups: list[str] | None = None,
             release: bool = False) -> pa.Table:
        index = bundle.index(name)
        rows = index.match(patient, pool)
        hit = rows >= 0
        matches[name] = int(hit.sum())
        compact, place = index.take_compact(rows, wanted + (groups or []), pool)
        result = scatter(compact, place, pool)
        if release:
            label = bundle.release(name)
            result = result.append_column("_release", pc.if_else(
                pa.array(hit, pa.bool_()), pa.scalar(label, pa.string()),
                pa.scalar(None, pa.string())))
        if groups is not None:
            result = result.append_column("_groups", _group_json(con, compact, place, groups, pool))
        log.info("%s: %d of %d variants matched", name, matches[name], n)
        return result

    for name in bundle.sources_of("clinvar")[:1]:
        available = bundle.index(name).columns
        got = join(name, [c for c in CLINVAR_COLUMNS.values() if c in available], release=True)
        for col, src in CLINVAR_COLUMNS.items():
            if src in available:
                out[col] = got.column(src).combine_chunks()
        out["clinvar_release"] = got.column("_release").combine_chunks()
    for name in bundle.sources_of("gnomad")[:1]:
        available = bundle.index(name).columns
        groups = [c for c in available if c.startswith("af_")]
        got = join(name, [c for c in GNOMAD_COLUMNS.values() if c in available], groups,
                   release=True)
        for col, src in GNOMAD_COLUMNS.items():
            if src in available:
                out[col] = got.column(src).combine_chunks()
        out["gnomad_release"] = got.column("_release").combine_chunks()
        out["gnomad_group_af"] = got.column("_groups").combine_chunks()
        freq_candidates += _freq_candidates(name, got, groups)
    popfreq_names = bundle.sources_of("popfreq")
    popfreq_af: list[pa.Array] = []
    for name in popfreq_names:
        available = bundle.index(name).columns
        groups = [c for c in available if c.startswith("af_")]
        got = join(name, [c for c in ("af",) if c in available] + groups)
        popfreq_af.append(got.column("af").combine_chunks() if "af" in available
                          else pa.nulls(n, pa.float64()))
        freq_candidates += _freq_candidates(name, got, groups)
    if popfreq_names:
        out["popfreq_af"] = _popfreq_json(con, popfreq_names, popfreq_af)
    for name in bundle.sources_of("inhouse")[:1]:
        available = bundle.index(name).columns
        got = join(name, [c for c in INHOUSE_COLUMNS.values() if c in available], release=True)
        for col, src in INHOUSE_COLUMNS.items():
            if src in available:
                out[col] = got.column(src).combine_chunks()
        out["inhouse_release"] = got.column("_release").combine_chunks()
    if freq_candidates:
        out["max_pop_af"], out["max_pop_af_source"] = _max_af(freq_candidates, n)
    con.close()
    if pool is not None:
        pool.shutdown()
    return out, matches


def _group_json(con: duckdb.DuckDBPyConnection, compact: pa.Table, place: pa.Array | None,
                groups: list[str], pool: Executor | None = None) -> pa.Array:
    """JSON object group -> AF per row (null where unmatched or every group is null).

    Written for the matched rows (``compact``) only, then laid out like the other columns.
    """
    n = compact.num_rows if place is None else len(place)
    if not groups or not compact.num_rows:
        return pa.nulls(n, pa.string())
    text = _json_object(con, [(g[3:], compact.column(g).combine_chunks()) for g in groups], pool)
    return text if place is None else text.take(place)


def _json_object(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, pa.Array]],
                 pool: Executor | None = None) -> pa.Array:
    """Per row ``{"label":value,...}`` of the non-null values, null when all are null.

    Same text as DuckDB's ``to_json(map_from_entries(...))`` (which varrank used before), built
    column-wise: the numbers as DuckDB writes them (_json_numbers), joined in label order.
    """
    run = pool.map if pool is not None else map
    numbers = list(run(lambda pair: _json_numbers(con, pair[1]), pairs))
    # Rows where every value is present (nearly all in gnomAD): one join of fixed pieces.
    parts: list = []
    for i, ((label, _), text) in enumerate(zip(pairs, numbers)):
        parts += [("{" if i == 0 else ",") + f'"{label}":', text]
    full = pc.binary_join_element_wise(*parts, "}", "")  # null where any value is null
    if full.null_count == 0 or full.null_count == len(full) and all(
            v.null_count == len(v) for v in numbers):
        return full
    # Elsewhere each present value as '"label":value,' ('' when null), joined, last comma
    # dropped. (binary_join_element_wise's null_handling="skip" loses all-null rows here.)
    pieces = [pc.fill_null(pc.binary_join_element_wise(f'"{label}":', text, ",", ""), "")
              for (label, _), text in zip(pairs, numbers)]
    inner = pc.binary_join_element_wise(*pieces, "")
    text = pc.binary_join_element_wise("{", pc.utf8_slice_codeunits(inner, 0, -1), "}", "")
    sparse = pc.if_else(pc.equal(inner, ""), pa.scalar(None, pa.string()), text)
    return pc.if_else(pc.is_valid(full), full, sparse)


def _json_numbers(con: duckdb.DuckDBPyConnection, values: pa.Array) -> pa.Array:
    """DuckDB's JSON text of each double, null kept.

    Arrow's cast to string writes the same shortest round-trip digits as DuckDB's JSON writer
    for every non-integral finite value below 1e16 or so (checked on 6M random values from
    1e-30 to 1e25, tests/unit/annotate/test_lookup_index.py checks the lookup output against
    DuckDB's); the rest (integral values, where DuckDB writes "0.0" and Arrow "0"; large
    exponents; NaN and infinities) is written by DuckDB itself, once per distinct value.
    """
    values = pc.cast(values, pa.float64())
    text = pc.cast(values, pa.string())
    number = values.to_numpy(zero_copy_only=False)  # NaN where null
    with np.errstate(invalid="ignore"):
        fraction = np.isfinite(number) & (number != np.floor(number))
    same = pc.and_(pa.array(fraction | np.isnan(number) & ~pc.is_valid(values).to_numpy(
        zero_copy_only=False)), pc.invert(pc.match_substring(text, "e+")))
    same = pc.fill_null(same, True)
    if pc.all(same).as_py():
        return text
    distinct = pc.unique(pc.filter(values, pc.invert(same)))
    cursor = con.cursor()  # its own connection: _json_object may call this from threads
    cursor.register("_json_numbers", pa.table({"v": distinct}))
    written = _to_arrow(cursor.sql("SELECT to_json(v)::VARCHAR AS j FROM _json_numbers")
                        ).column("j").combine_chunks()
    cursor.close()
    theirs = pc.take(written, pc.index_in(values, value_set=distinct))
    return pc.if_else(same, text, theirs)


def _to_arrow(result) -> pa.Table:
    """DuckDB 1.x calls it fetch_arrow_table / arrow, 2.x to_arrow_table."""
    for name in ("to_arrow_table", "fetch_arrow_table", "arrow"):
        if hasattr(result, name):
            table = getattr(result, name)()
            return table.read_all() if hasattr(table, "read_all") else table
    raise RuntimeError("this DuckDB has no Arrow export")


def _popfreq_json(con, names: list[str], arrays: list[pa.Array]) -> pa.Array:
    return _json_object(con, list(zip(names, arrays)))


def _freq_candidates(source: str, got: pa.Table, groups: list[str]) -> list[tuple[str, np.ndarray]]:
    """(label, AF as float array with NaN for absent) for the overall AF and eligible groups."""
    found = []
    for col in (["af"] if "af" in got.column_names else []) + [
            g for g in groups if g[3:] not in GRPMAX_EXCLUDED]:
        label = source if col == "af" else f"{source}:{col[3:]}"
        arr = got.column(col).to_numpy(zero_copy_only=False)
        found.append((label, np.asarray(arr, dtype=np.float64)))
    return found


def _max_af(candidates: list[tuple[str, np.ndarray]], n: int) -> tuple[pa.Array, pa.Array]:
    """Highest AF over all sources and groups; null (not 0) where every source lacks the allele.

    First candidate wins a tie; absent values count as -1 (the argmax over a -1-filled stack
    that this replaces, one candidate at a time).
    """
    labels = pa.array([c[0] for c in candidates], pa.string())
    best_value = np.full(n, -1.0)
    best = np.zeros(n, dtype=np.int64)
    any_present = np.zeros(n, dtype=bool)
    for i, (_, values) in enumerate(candidates):
        present = ~np.isnan(values)
        better = values > best_value  # False where NaN (absent)
        best_value = np.where(better, values, best_value)
        best = np.where(better, i, best)
        any_present |= present
    return (pa.array(best_value, pa.float64(), mask=~any_present),
            pc.take(labels, pa.array(best, mask=~any_present)))
