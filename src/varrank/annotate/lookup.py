"""Exact-allele lookup of the patient's variants in the bundle's sources.

The patient table and every source are normalised the same way (split, left-aligned), so
an exact (contig, pos, ref, alt) match is the right test of identity; a position-only match
would hand a SNV the ClinVar record of a different base change. Contigs are compared in
bare form (``chr1`` and ``1`` meet), alleles case-insensitively. Columns from a source the
bundle lacks stay null: absent from a database means unknown, never frequency 0.

The match itself is a binary search of the patient's locus keys in each source's sorted,
memory-mapped key column, with allele codes (REF/ALT strings where an allele has no code)
compared on the rows that share a locus, and the values read for the matched rows only
(lookup_index.py); its result is the same as a LEFT JOIN on the four keys
(tests/unit/annotate/test_lookup_index.py holds the two side by side). Whatever needs only
the matched rows (group-AF JSON, the maximum AF) is computed on them before the columns are
laid out at full length. The JSON columns are written column-wise with DuckDB's number
formatting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from concurrent.futures import Executor, ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from varrank.annotate.bundle import Bundle
from varrank.annotate.lookup_columns import (CLINVAR_COLUMNS, GNOMAD_COLUMNS, INHOUSE_COLUMNS,
                                             MITO_COLUMNS, PREDICTOR_COLUMNS, SPLICEAI_COLUMNS, group_columns,
                                             group_label)
from varrank.annotate.lookup_index import PatientKeys, one_array, spread, spread_array

log = logging.getLogger(__name__)

JSON_SPLIT_ROWS = 1 << 17  # JSON texts of more matched rows are joined on two threads
EXPONENT_FROM = 1e9  # below this Arrow never writes a non-integral double with "e+"
# gnomAD's grpmax leaves out bottlenecked/founder and small groups (gnomAD v4 release notes;
# Karczewski 2020): Amish, Ashkenazi Jewish, Finnish, Middle Eastern, remaining/other.
GRPMAX_EXCLUDED = {"ami", "asj", "fin", "mid", "oth", "remaining"}


def lookup(bundle: Bundle, keys: pa.Table, threads: int = 2,
           memory_limit: str = "4GB") -> tuple[dict[str, pa.Array], dict[str, int]]:
    """Return new columns aligned with ``keys`` (chrom, pos, ref, alt) and match counts."""
    run = _LookupRun(bundle, keys, threads, memory_limit)
    try:
        out = {**run.clinvar(), **run.gnomad(), **run.popfreq(), **run.inhouse(),
               **run.spliceai(), **run.predictors(), **run.mito()}
        if run.freq_candidates:
            out["max_pop_af"], out["max_pop_af_source"] = _max_af(run.freq_candidates, run.n)
        return out, run.matches
    finally:
        run.close()


class _LookupRun:
    """One patient's lookup: the sorted patient keys, a thread pool and the DuckDB session
    that formats JSON over matched rows, shared by every source."""

    def __init__(self, bundle: Bundle, keys: pa.Table, threads: int, memory_limit: str):
        self.bundle, self.n = bundle, keys.num_rows
        self.con = duckdb.connect()  # in memory: only formats JSON over the matched rows
        self.con.execute(f"SET threads = {int(threads)}")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("SET enable_progress_bar = false")
        self.patient = PatientKeys.of(keys.select(["chrom", "pos", "ref", "alt"]))
        self.pool = ThreadPoolExecutor(max_workers=int(threads)) if threads > 1 else None
        self.matches: dict[str, int] = {}
        self.freq_candidates: list[Candidate] = []

    def close(self) -> None:
        self.con.close()
        if self.pool is not None:
            self.pool.shutdown()

    def join(self, name: str, wanted: list[str], groups: list[str] | None = None,
             release: bool = False, group_json: bool = False) -> pa.Table:
        """The source's columns at the patient rows; frequency sources (``groups`` given)
        also add their AF candidates for max_pop_af."""
        index, n, pool = self.bundle.index(name), self.n, self.pool
        rows = index.match(self.patient, pool)
        compact, present = index.take_compact(rows, wanted + (groups or []), pool)
        self.matches[name] = int(present.size)
        result = spread(compact.select(wanted), present, n, pool)
        if release:
            label = pa.repeat(pa.scalar(self.bundle.release(name), pa.string()), present.size)
            result = result.append_column("_release", spread_array(label, present, n))
        if group_json:
            text = _group_json(self.con, compact, groups or [], pool)
            result = result.append_column("_groups", spread_array(text, present, n))
        if groups is not None:
            self.freq_candidates.extend(_freq_candidates(name, compact, present, groups))
        log.info("%s: %d of %d variants matched", name, self.matches[name], n)
        return result

    def _columns(self, name: str, columns: dict[str, str]) -> list[str]:
        available = self.bundle.index(name).columns
        return [c for c in columns.values() if c in available]

    def clinvar(self) -> dict[str, pa.Array]:
        return self._first_source("clinvar", CLINVAR_COLUMNS)

    def gnomad(self) -> dict[str, pa.Array]:
        for name in self.bundle.sources_of("gnomad")[:1]:
            groups = group_columns(self.bundle.index(name).columns)
            got = self.join(name, self._columns(name, GNOMAD_COLUMNS), groups,
                            release=True, group_json=True)
            return {**_named(got, GNOMAD_COLUMNS),
                    "gnomad_release": one_array(got.column("_release")),
                    "gnomad_group_af": one_array(got.column("_groups"))}
        return {}

    def popfreq(self) -> dict[str, pa.Array]:
        names = self.bundle.sources_of("popfreq")
        afs: list[pa.Array] = []
        for name in names:
            available = self.bundle.index(name).columns
            got = self.join(name, [c for c in ("af",) if c in available], group_columns(available))
            afs.append(one_array(got.column("af")) if "af" in available
                       else pa.nulls(self.n, pa.float64()))
        return {"popfreq_af": _popfreq_json(self.con, names, afs)} if names else {}

    def inhouse(self) -> dict[str, pa.Array]:
        return self._first_source("inhouse", INHOUSE_COLUMNS)

    def spliceai(self) -> dict[str, pa.Array]:
        """Precomputed SpliceAI entries; their release, -M and -D go to the table footer."""
        return self._first_source("spliceai", SPLICEAI_COLUMNS, release=False)

    def predictors(self) -> dict[str, pa.Array]:
        """Missense predictors' scores (REVEL, CADD, AlphaMissense) with their releases."""
        return {name: column for kind, columns in PREDICTOR_COLUMNS.items()
                for name, column in self._first_source(kind, columns).items()}

    def mito(self) -> dict[str, pa.Array]:
        """mtDNA sources (gnomAD chrM, HelixMTdb, MITOMAP, MitoTIP, MitImpact) with their
        releases; they hold chrM rows only, so nuclear variants simply do not match."""
        return {name: column for kind, columns in MITO_COLUMNS.items()
                for name, column in self._first_source(kind, columns).items()}

    def _first_source(self, kind: str, columns: dict[str, str],
                      release: bool = True) -> dict[str, pa.Array]:
        """The first bundle source of ``kind`` joined: its named columns plus ``<kind>_release``
        (one ClinVar, in-house and SpliceAI source per run; further ones are left out)."""
        for name in self.bundle.sources_of(kind)[:1]:
            got = self.join(name, self._columns(name, columns), release=release)
            if not release:
                return _named(got, columns)
            return {**_named(got, columns), f"{kind}_release": one_array(got.column("_release"))}
        return {}


def _named(got: pa.Table, names: dict[str, str]) -> dict[str, pa.Array]:
    """Output column -> the source column it names, for the source columns ``got`` holds."""
    return {col: one_array(got.column(src)) for col, src in names.items()
            if src in got.column_names}


def _group_json(con: duckdb.DuckDBPyConnection, compact: pa.Table, groups: list[str],
                pool: Executor | None = None) -> pa.Array:
    """JSON object group -> AF per matched row (null where every group is null)."""
    if not groups or not compact.num_rows:
        return pa.nulls(compact.num_rows, pa.string())
    return _json_object(con, [(group_label(g), one_array(compact.column(g)))
                              for g in groups], pool)


def _json_object(con: duckdb.DuckDBPyConnection, pairs: list[tuple[str, pa.Array]],
                 pool: Executor | None = None) -> pa.Array:
    """Per row ``{"label":value,...}`` of the non-null values, null when all are null.

    Same text as DuckDB's ``to_json(map_from_entries(...))`` (which varrank used before), built
    column-wise: the numbers as DuckDB writes them (_json_numbers), joined in label order.
    """
    run = pool.map if pool is not None else map
    numbers = list(run(lambda pair: _json_numbers(con, pair[1]), pairs))
    labels = [label for label, _ in pairs]
    rows = len(numbers[0]) if numbers else 0
    if pool is None or rows < JSON_SPLIT_ROWS:
        return _joined_json(labels, numbers)
    # Arrow's string joins are single-threaded; halves of the rows run side by side.
    half = rows // 2
    return pa.concat_arrays(list(pool.map(
        lambda span: _joined_json(labels, [text.slice(*span) for text in numbers]),
        [(0, half), (half, rows - half)])))


def _joined_json(labels: list[str], numbers: list[pa.Array]) -> pa.Array:
    """The JSON objects of _json_object from the labels and their number texts."""
    # Rows where every value is present (nearly all in gnomAD): one join of fixed pieces.
    parts: list = []
    for i, (label, text) in enumerate(zip(labels, numbers)):
        parts += [("{" if i == 0 else ",") + f'"{label}":', text]
    full = pc.binary_join_element_wise(*parts, "}", "")  # null where any value is null
    if full.null_count == 0 or full.null_count == len(full) and all(
            v.null_count == len(v) for v in numbers):
        return full
    # Elsewhere each present value as '"label":value,' ('' when null), joined, last comma
    # dropped. (binary_join_element_wise's null_handling="skip" loses all-null rows here.)
    pieces = [pc.fill_null(pc.binary_join_element_wise(f'"{label}":', text, ",", ""), "")
              for label, text in zip(labels, numbers)]
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
        same = np.isfinite(number) & (number != np.floor(number))
    # Arrow writes an exponent from 1e10 up ("1e+10"), DuckDB does not: only values that
    # large need their text looked at.
    large = np.flatnonzero(same & (np.abs(number) >= EXPONENT_FROM))
    if large.size:
        same[large] = pc.invert(pc.match_substring(text.take(pa.array(large)), "e+")
                                ).to_numpy(zero_copy_only=False)
    if values.null_count:
        same |= ~pc.is_valid(values).to_numpy(zero_copy_only=False)
    if same.all():
        return text
    same = pa.array(same)
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


@dataclass
class Candidate:
    """One AF column of one source at the rows it matched, for the maximum over sources."""

    label: str  # "gnomad" (overall AF) or "gnomad:afr" (a group)
    present: np.ndarray  # patient rows the source matched, ascending
    values: np.ndarray  # AF at those rows, NaN where the source has no value


def _freq_candidates(source: str, compact: pa.Table, present: np.ndarray, groups: list[str]
                     ) -> list[Candidate]:
    """The overall AF and the groups eligible for grpmax, on the source's matched rows."""
    found = []
    for col in (["af"] if "af" in compact.column_names else []) + [
            g for g in groups if group_label(g) not in GRPMAX_EXCLUDED]:
        label = source if col == "af" else f"{source}:{group_label(col)}"
        values = one_array(compact.column(col))
        found.append(Candidate(label, present, np.asarray(
            pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)))
    return found


def _max_af(candidates: list[Candidate], n: int) -> tuple[pa.Array, pa.Array]:
    """Highest AF over all sources and groups; null (not 0) where every source lacks the allele.

    The first candidate wins a tie, and an absent value never wins (the argmax over a
    -1-filled stack that this replaces). Each candidate touches only its source's matched rows.
    """
    labels = pa.array([c.label for c in candidates], pa.string())
    best_value = np.full(n, -1.0)
    best = np.zeros(n, dtype=np.int32)
    any_present = np.zeros(n, dtype=bool)
    for i, cand in enumerate(candidates):
        current = best_value[cand.present]
        better = cand.values > current  # False where NaN (absent)
        rows = cand.present[better]
        best_value[rows] = cand.values[better]
        best[rows] = i
        any_present[cand.present[~np.isnan(cand.values)]] = True
    return (pa.array(best_value, pa.float64(), mask=~any_present),
            pc.take(labels, pa.array(best, mask=~any_present)))
