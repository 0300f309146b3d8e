"""The bundle's per-source lookup index: sorted 64-bit keys and memory-mapped value rows.

An exact-allele lookup of millions of patient variants in a 100M-row gnomAD table cannot
afford to read the table: a hash join on (chrom, pos, ref, alt) probes every source row with
four string keys, so its cost grows with the source, not with the patient. The bundle
therefore keeps, next to each DuckDB table, files written once at build time, all in the
table's own ORDER BY chrom, pos:

- ``lookup/<source>.locus.npy``: one int64 per row, ``contig_code << 32 | pos``, sorted
  ascending (contig codes number the source's bare contig names in sorted order, listed in
  the manifest);
- ``lookup/<source>.allele.npy``: one int64 per row that names (REF, ALT) exactly
  (allele_codes), so matching alleles is an integer compare rather than a string gather;
- ``lookup/<source>.values.npy``: the fixed-width value columns (numbers, booleans, and
  strings of few distinct values as int32 codes into ``<source>.dictionaries.json``) as one
  record per row with a validity bit per column. A matched row's values then sit on one or
  two cache lines instead of one per column, which is what a gather of millions of scattered
  rows pays for;
- ``lookup/<source>.arrow``: REF, ALT and the variable-width value columns (ClinVar's
  condition names and the like), as an uncompressed Arrow IPC file of record batches.

A lookup binary-searches the patient's locus keys in the memory-mapped key column (numpy
``searchsorted``; the OS pages in only what it touches), compares allele codes on the few
rows that share a locus (REF/ALT strings only where an allele is too long or not A/C/G/T to
have a code), and reads the values of the matched rows only. Its cost grows with the
patient's variant count and only logarithmically with the source's size.
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from varrank.annotate.lookup_columns import read_by_lookup
from varrank.core.genome import bare_name
from varrank.core.errors import ResourceError

log = logging.getLogger(__name__)

LOOKUP_DIR = "lookup"
BATCH_ROWS = 1 << 20
POS_LIMIT = 1 << 32  # the locus key keeps pos in its low 32 bits
# Columns of the DuckDB table the index does not carry: they are in the key, or build-only.
NOT_CARRIED = ("chrom", "pos", "source_line")
ALLELE_COLUMNS = ("ref", "alt")
# A string column with at most this many distinct values is stored as int32 codes.
DICTIONARY_MAX = 1 << 15
VALID_FIELD = "_valid"  # the record's validity bits, one per value column
ROW_STORE_MAX_COLUMNS = 64
PAGE_BYTES = 4096
READ_AHEAD_FROM = 0.5  # read a whole index file ahead when a lookup touches >= half its pages

# Allele codes: (len(REF) << 57) | (1 << 2 * (len(REF) + len(ALT))) | 2-bit bases of REF+ALT.
# The marker bit fixes the total length and the REF length splits it, so two codes are equal
# exactly when both alleles are; 28 bases fit under the length field and keep the sign bit 0.
ALLELE_MAX_BASES = 28
ALLELE_UNCODED = -1  # too long, or a base other than A/C/G/T: compared as strings
ALLELE_NULL = -2  # a null allele never matches anything, as in SQL
_BASE_CODE = np.full(256, 255, dtype=np.uint8)
_BASE_CODE[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)


def allele_codes(ref: pa.Array, alt: pa.Array, chunk: int = BATCH_ROWS) -> np.ndarray:
    """One int64 per (REF, ALT) pair, equal for two pairs exactly when both alleles are equal.

    Upper-case A/C/G/T alleles of at most ALLELE_MAX_BASES bases together get an exact
    code (>= 0); anything else is ALLELE_UNCODED (compare the strings) or ALLELE_NULL.
    Computed column-wise over the string buffers, O(bases), a chunk of rows at a time.
    """
    ref = pc.cast(ref, pa.string())
    alt = pc.cast(alt, pa.string())
    out = np.empty(len(ref), dtype=np.int64)
    for lo in range(0, len(ref), chunk):
        out[lo:lo + chunk] = _allele_codes_chunk(ref.slice(lo, chunk), alt.slice(lo, chunk))
    return out


def _allele_codes_chunk(ref: pa.Array, alt: pa.Array) -> np.ndarray:
    (ref_at, ref_len, ref_data), (alt_at, alt_len, alt_data) = _strings(ref), _strings(alt)
    code = np.full(len(ref), ALLELE_UNCODED, dtype=np.int64)
    # SNVs, nearly every row: both bases read straight from the string buffers.
    r = _BASE_CODE[np.take(ref_data, ref_at, mode="clip")]
    a = _BASE_CODE[np.take(alt_data, alt_at, mode="clip")]
    snv = (ref_len == 1) & (alt_len == 1) & (r < 4) & (a < 4)
    np.copyto(code, ((1 << 57) | (1 << 4)) | (r.astype(np.int64) << 2) | a, where=snv)
    other = np.flatnonzero(((ref_len != 1) | (alt_len != 1))
                           & (ref_len + alt_len <= ALLELE_MAX_BASES))
    if other.size:
        code[other] = _packed_codes(pa.array(other), ref, alt, ref_len[other])
    if ref.null_count or alt.null_count:
        code[~pc.and_(pc.is_valid(ref), pc.is_valid(alt)).to_numpy(zero_copy_only=False)] = \
            ALLELE_NULL
    return code


def _strings(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, length, bytes) of each string of a pa.string() array, nulls as empty."""
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else \
        np.zeros(1, np.uint8)
    return offsets[:-1], np.diff(offsets), data


def _packed_codes(rows: pa.Array, ref: pa.Array, alt: pa.Array, ref_len: np.ndarray
                  ) -> np.ndarray:
    """allele_codes of the given rows (REF+ALT at most ALLELE_MAX_BASES bases), packed at once.

    Each base is shifted to its place counted from its string's end; a cumulative sum (uint64,
    so wrap-around is defined) differenced at the string bounds packs every string together.
    """
    joined = pc.binary_join_element_wise(ref.take(rows), alt.take(rows), "")
    at, length, data = _strings(joined)
    offsets = np.append(at, at[-1] + length[-1]).astype(np.int64) - at[0]
    bases = _BASE_CODE[data[at[0]:at[0] + offsets[-1]]]
    bad = np.concatenate([[0], np.cumsum(bases == 255, dtype=np.int64)])
    acgt = bad[offsets[1:]] == bad[offsets[:-1]]
    owner = np.repeat(np.arange(len(length)), length)
    shift = (2 * (offsets[1:][owner] - 1 - np.arange(bases.size))).astype(np.uint64)
    contrib = (bases.astype(np.uint64) & np.uint64(3)) << shift
    total = np.concatenate([np.zeros(1, np.uint64), np.cumsum(contrib, dtype=np.uint64)])
    packed = total[offsets[1:]] - total[offsets[:-1]]
    code = ((ref_len.astype(np.uint64) << np.uint64(57))
            | (np.uint64(1) << (2 * length).astype(np.uint64)) | packed).astype(np.int64)
    return np.where(acgt, code, ALLELE_UNCODED)


def _row_store_layout(con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema
                      ) -> tuple[list[str], dict[str, list[str]], dict[str, np.dtype]]:
    """The value columns of the fixed-width records, their storage types and dictionaries.

    Numbers and booleans always go there, integers in the narrowest width that holds the
    column's range (counts fit 32 bits; the lookup widens them back). A string column does
    when it has at most DICTIONARY_MAX distinct values (gnomAD FILTER and grpmax group,
    ClinVar significance and review status), stored as int16 codes.
    """
    row_columns: list[str] = []
    dictionaries: dict[str, list[str]] = {}
    storage: dict[str, np.dtype] = {}
    integers = [f.name for f in schema if pa.types.is_integer(f.type)]
    ranges: dict[str, tuple] = {}
    if integers:  # one scan for every integer column's range
        bounds = con.execute("SELECT " + ", ".join(f'min("{c}"), max("{c}")' for c in integers)
                             + f' FROM "{table}"').fetchall()[0]
        ranges = {c: bounds[2 * i:2 * i + 2] for i, c in enumerate(integers)}
    for field in schema:
        if field.name in ALLELE_COLUMNS or len(row_columns) == ROW_STORE_MAX_COLUMNS:
            continue
        t, name = field.type, field.name
        if pa.types.is_integer(t):
            storage[name] = _narrowest_int(*ranges[name], np.dtype(t.to_pandas_dtype()))
        elif pa.types.is_floating(t) or pa.types.is_boolean(t):
            storage[name] = np.dtype(t.to_pandas_dtype())
        elif pa.types.is_string(t) or pa.types.is_large_string(t):
            values = [r[0] for r in con.execute(
                f'SELECT DISTINCT "{name}" FROM "{table}" WHERE "{name}" IS NOT NULL '
                f'ORDER BY 1 LIMIT {DICTIONARY_MAX + 1}').fetchall()]
            if len(values) > DICTIONARY_MAX:
                continue
            dictionaries[name] = values
            storage[name] = np.dtype(np.int16)
        else:
            continue
        row_columns.append(name)
    return row_columns, dictionaries, storage


def _narrowest_int(low: int | None, high: int | None, wide: np.dtype) -> np.dtype:
    for narrow in (np.int16, np.int32):
        info = np.iinfo(narrow)
        if low is None or info.min <= low and high <= info.max:
            return np.dtype(narrow)
    return wide


def _record_dtype(row_columns: list[str], storage: dict[str, np.dtype]) -> np.dtype:
    valid = next(d for d in (np.uint8, np.uint16, np.uint32, np.uint64)
                 if np.iinfo(d).bits >= len(row_columns))
    return np.dtype([(c, storage[c]) for c in row_columns] + [(VALID_FIELD, valid)])


def write_index(con: duckdb.DuckDBPyConnection, table: str, bundle_dir: Path, kind: str
                ) -> dict:
    """Write the ``lookup/<table>.*`` files from the final, sorted DuckDB table."""
    folder = bundle_dir / LOOKUP_DIR
    folder.mkdir(exist_ok=True)
    contigs = [r[0] for r in con.execute(
        f'SELECT DISTINCT chrom FROM "{table}" ORDER BY chrom').fetchall()]
    n, max_pos = con.execute(f'SELECT count(*), coalesce(max(pos), 0) FROM "{table}"').fetchone()
    if max_pos >= POS_LIMIT:
        raise ResourceError(f"source {table!r} has a position ({max_pos}) beyond 2^32-1",
                            hint="positions this large are not genomic coordinates of a "
                                 "supported build")
    table_columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall() if r[0] not in NOT_CARRIED]
    columns = list(ALLELE_COLUMNS) + read_by_lookup(kind, table_columns)
    select = ", ".join(f'"{c}"' for c in columns)
    schema = con.sql(f'SELECT {select} FROM "{table}" LIMIT 0').to_arrow_reader(1).read_all().schema
    row_columns, dictionaries, storage = _row_store_layout(con, table, schema)
    arrow_columns = [c for c in columns if c not in row_columns]
    arrow_schema = pa.schema([schema.field(c) for c in arrow_columns])
    record = _record_dtype(row_columns, storage)
    value_sets = {c: pa.array(v, pa.string()) for c, v in dictionaries.items()}
    paths = {part: folder / f"{table}.{part}.npy" for part in ("locus", "allele", "values")}
    locus = np.lib.format.open_memmap(paths["locus"], mode="w+", dtype=np.int64, shape=(n,))
    allele = np.lib.format.open_memmap(paths["allele"], mode="w+", dtype=np.int64, shape=(n,))
    values = np.lib.format.open_memmap(paths["values"], mode="w+", dtype=record, shape=(n,))
    codes = pa.array(contigs, pa.string())
    done = 0
    # A plain scan returns the rows in the order CREATE TABLE ... ORDER BY stored them
    # (DuckDB preserves insertion order); the sortedness check below makes sure of it.
    reader = con.sql(f'SELECT chrom, pos, {select} FROM "{table}"').to_arrow_reader(BATCH_ROWS)
    with ipc.new_file(str(folder / f"{table}.arrow"), arrow_schema) as writer:
        for batch in reader:
            m = batch.num_rows
            code = pc.index_in(batch.column("chrom"), value_set=codes).to_numpy(zero_copy_only=False)
            pos = batch.column("pos").to_numpy(zero_copy_only=False)
            locus[done:done + m] = (code.astype(np.int64) << 32) | pos.astype(np.int64)
            allele[done:done + m] = allele_codes(pc.ascii_upper(batch.column("ref")),
                                                 pc.ascii_upper(batch.column("alt")))
            values[done:done + m] = _records(batch, row_columns, value_sets, record)
            writer.write_batch(pa.RecordBatch.from_arrays(
                [batch.column(c) for c in arrow_columns], schema=arrow_schema))
            done += m
    if done != n or (n > 1 and not bool(np.all(locus[1:] >= locus[:-1]))):
        raise RuntimeError(f"lookup index of {table!r} is not in key order (internal error)")
    for array in (locus, allele, values):
        array.flush()
    del locus, allele, values
    (folder / f"{table}.dictionaries.json").write_text(json.dumps(dictionaries))
    return {"contigs": contigs, "rows": int(n), "columns": columns,
            "value_columns": row_columns,
            "value_types": {c: str(schema.field(c).type) for c in row_columns},
            "locus": f"{LOOKUP_DIR}/{table}.locus.npy",
            "allele": f"{LOOKUP_DIR}/{table}.allele.npy",
            "values": f"{LOOKUP_DIR}/{table}.values.npy",
            "dictionaries": f"{LOOKUP_DIR}/{table}.dictionaries.json",
            "table": f"{LOOKUP_DIR}/{table}.arrow"}


def _records(batch: pa.RecordBatch, row_columns: list[str], value_sets: dict[str, pa.Array],
             record: np.dtype) -> np.ndarray:
    """The batch's fixed-width value columns as records (nulls as 0 with their bit cleared)."""
    out = np.zeros(batch.num_rows, dtype=record)
    valid_type = record[VALID_FIELD].type
    valid = np.zeros(batch.num_rows, dtype=valid_type)
    for bit, name in enumerate(row_columns):
        column = batch.column(name)
        if name in value_sets:
            column = pc.index_in(pc.cast(column, pa.string()), value_set=value_sets[name])
        zero = False if pa.types.is_boolean(column.type) else 0
        out[name] = pc.fill_null(column, zero).to_numpy(zero_copy_only=False)
        valid |= pc.is_valid(column).to_numpy(zero_copy_only=False).astype(valid_type) << valid_type(bit)
    out[VALID_FIELD] = valid
    return out


def _search_sorted(keys: np.ndarray, query: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """np.searchsorted(keys, query, "left") for sorted ``query``, a cache-sized slice at a time.

    One binary search over a 100M-key column misses the CPU cache at most of its ~27 steps;
    a chunk of sorted queries first narrows the keys to the slice it spans, then searches that.
    """
    if query.size <= chunk:
        return np.searchsorted(keys, query, side="left")
    firsts = query[::chunk]
    lasts = query[np.minimum(np.arange(chunk - 1, query.size + chunk - 1, chunk), query.size - 1)]
    lo = np.searchsorted(keys, firsts, side="left")
    hi = np.searchsorted(keys, lasts, side="right")
    out = np.empty(query.size, dtype=np.int64)
    for i, (a, b) in enumerate(zip(lo.tolist(), hi.tolist())):
        part = query[i * chunk:(i + 1) * chunk]
        out[i * chunk:(i + 1) * chunk] = np.searchsorted(keys[a:b], part, side="left") + a
    return out


@dataclass
class PatientKeys:
    """The patient's keys prepared once for every source, sorted by (bare contig, pos).

    Every source numbers its contigs in the sorted order of their bare names, so this one
    order is every source's key order: each source searches contig by contig without sorting.
    Rows that can match nothing (null contig or allele, position out of key range) are left out.
    """

    n: int  # rows of the patient table
    contigs: list[str]  # distinct bare contig names, sorted
    bounds: np.ndarray  # contig i holds sorted entries bounds[i]:bounds[i + 1]
    pos: np.ndarray  # int64 position of each sorted entry
    row: np.ndarray  # the patient row of each sorted entry
    allele: np.ndarray  # allele_codes of each sorted entry
    ref: pa.Array  # upper-cased, by patient row
    alt: pa.Array

    @classmethod
    def of(cls, keys: pa.Table) -> PatientKeys:
        n = keys.num_rows
        # The schema says string; a large_string or dictionary column (another writer) is cast.
        chrom = pc.dictionary_encode(pc.cast(keys.column("chrom").combine_chunks(), pa.string()))
        bare = [bare_name(c) for c in chrom.dictionary.to_pylist()]
        contigs = sorted(set(bare))
        rank_of = np.array([contigs.index(b) for b in bare] + [-1], dtype=np.int64)
        rank = rank_of[chrom.indices.fill_null(len(bare)).to_numpy(zero_copy_only=False)]
        pos = pc.fill_null(pc.cast(keys.column("pos").combine_chunks(), pa.int64()), -1
                           ).to_numpy(zero_copy_only=False)
        # Alleles compare case-insensitively. ASCII upper-casing meets the same source alleles
        # as DuckDB's Unicode upper() did: sources hold only A, C, G, T, N, and no non-ASCII
        # letter upper-cases to one of those.
        ref, alt = (pc.ascii_upper(pc.cast(keys.column(c).combine_chunks(), pa.string()))
                    for c in ALLELE_COLUMNS)
        allele = allele_codes(ref, alt)
        usable = (rank >= 0) & (pos.view(np.uint64) < POS_LIMIT) & (allele != ALLELE_NULL)
        row = np.flatnonzero(usable) if not usable.all() else np.arange(n)
        key = (rank[row] << 32) | pos[row]
        if key.size > 1 and not bool(np.all(key[1:] >= key[:-1])):
            order = np.argsort(key, kind="stable")
            row, key = row[order], key[order]
        bounds = np.searchsorted(key, np.arange(len(contigs) + 1, dtype=np.int64) << 32)
        return cls(n, contigs, bounds, key & (POS_LIMIT - 1), row, allele[row], ref, alt)


class SourceIndex:
    """One source's memory-mapped lookup index."""

    def __init__(self, bundle_dir: Path, name: str, info: dict) -> None:
        self.name = name
        self.contigs: list[str] = info["contigs"]
        paths = {kind: bundle_dir / info[kind]
                 for kind in ("locus", "allele", "values", "dictionaries", "table")}
        for path in paths.values():
            if not path.is_file():
                raise ResourceError(f"the bundle's lookup index for {name!r} is missing",
                                    hint="rebuild the bundle with `varrank resources build`",
                                    path=path)
        self.paths = paths
        # Plain ndarray views of the maps: numpy's memmap subclass costs per slice and take.
        self.locus = np.asarray(np.load(paths["locus"], mmap_mode="r"))
        self.allele = np.asarray(np.load(paths["allele"], mmap_mode="r"))
        self.values = np.asarray(np.load(paths["values"], mmap_mode="r"))
        self.value_bit = {c: bit for bit, c in enumerate(info["value_columns"])}
        self.dictionaries = {c: pa.array(v, pa.string()) for c, v in
                             json.loads(paths["dictionaries"].read_text()).items()}
        self.reader = ipc.open_file(pa.memory_map(str(paths["table"])))
        self.batches = [self.reader.get_batch(i) for i in range(self.reader.num_record_batches)]
        sizes = [batch.num_rows for batch in self.batches]
        self.starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        if not len(self.locus) == len(self.allele) == len(self.values) == self.starts[-1]:
            raise ResourceError(f"the bundle's lookup index for {name!r} is inconsistent "
                                f"({len(self.locus)} keys, {self.starts[-1]} rows)",
                                hint="rebuild the bundle with `varrank resources build`",
                                path=paths["table"])
        self.columns = [c for c in info["columns"] if c not in ALLELE_COLUMNS]
        self.types = {c: self.reader.schema.field(c).type for c in self.reader.schema.names}
        self.types.update({c: pa.type_for_alias(t) for c, t in info["value_types"].items()})

    def match(self, keys: PatientKeys, pool: Executor | None = None) -> np.ndarray:
        """Source row of each patient row (exact contig, pos, ref, alt), -1 where absent."""
        rows = np.full(keys.n, -1, dtype=np.int64)
        size = len(self.locus)
        if keys.row.size == 0 or size == 0:
            return rows
        # Each patient contig against its source contig's key range; a contig the source
        # lacks keeps query -1, which no key equals.
        query = np.full(keys.row.size, -1, dtype=np.int64)
        first = np.full(keys.row.size, size, dtype=np.int64)
        self._read_ahead(keys.row.size)
        code_of = {c: i for i, c in enumerate(self.contigs)}
        for i, name in enumerate(keys.contigs):
            lo, hi = int(keys.bounds[i]), int(keys.bounds[i + 1])
            if name not in code_of or hi == lo:
                continue
            code = code_of[name] << 32
            start, stop = np.searchsorted(self.locus, [code, code + POS_LIMIT])
            query[lo:hi] = keys.pos[lo:hi] | code
            first[lo:hi] = _search_sorted(self.locus[start:stop], query[lo:hi]) + start
        # Rows sharing the locus (multi-allelic sites, indels at one position) are consecutive.
        active = np.flatnonzero(np.take(self.locus, first, mode="clip") == query)
        at = first[active]
        pat, src = [active], [at]
        while active.size:
            at = at + 1
            inside = at < size
            active, at = active[inside], at[inside]
            same = np.take(self.locus, at) == query[active]
            active, at = active[same], at[same]
            pat.append(active)
            src.append(at)
        entry, src_rows = np.concatenate(pat), np.concatenate(src)
        if not entry.size:
            return rows
        # Candidates come sorted by locus: the code reads walk the mapped column forwards.
        mine, theirs = keys.allele[entry], np.take(self.allele, src_rows)
        hit = (mine == theirs) & (mine >= 0)
        uncoded = np.flatnonzero((mine == ALLELE_UNCODED) & (theirs == ALLELE_UNCODED))
        if uncoded.size:
            alleles = self.take(src_rows[uncoded], list(ALLELE_COLUMNS), pool)
            at = pa.array(keys.row[entry[uncoded]])
            same = pc.and_(pc.equal(keys.ref.take(at), pc.ascii_upper(alleles.column("ref"))),
                           pc.equal(keys.alt.take(at), pc.ascii_upper(alleles.column("alt"))))
            hit[uncoded] = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        # The bundle holds each (contig, pos, ref, alt) once, so a row matches at most one.
        rows[keys.row[entry[hit]]] = src_rows[hit]
        return rows

    def _read_ahead(self, queries: int) -> None:
        """Ask the OS to read whole index files the lookup will touch most pages of anyway.

        A genome's lookup reads most pages of the keys, codes and records; when they are not in
        the page cache, one sequential read-ahead (~1 GB/s here) beats a page fault at a time
        (fully cold, 5M variants x 100M rows: see benchmarks/RESULTS.md). A small patient
        (an exome against gnomAD) touches few pages and reads only those.
        """
        rows = len(self.locus)
        for part, row_bytes in (("locus", 8), ("allele", 8), ("values", self.values.itemsize)):
            pages = max(1.0, rows * row_bytes / PAGE_BYTES)
            if 1.0 - np.exp(-queries / pages) < READ_AHEAD_FROM:
                continue
            fd = os.open(self.paths[part], os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)

    def take(self, rows: np.ndarray, columns: list[str], pool: Executor | None = None) -> pa.Table:
        """The given columns at source ``rows`` (-1 gives a null row), in the order of ``rows``."""
        compact, present = self.take_compact(rows, columns, pool)
        return spread(compact, present, len(rows), pool)

    def take_compact(self, rows: np.ndarray, columns: list[str], pool: Executor | None = None
                     ) -> tuple[pa.Table, np.ndarray]:
        """The columns at the matched rows only, and which of ``rows`` those are (ascending).

        Row i of the compact table is the source row ``rows[present[i]]``; spread() lays it
        out at full length. Work that needs only matched rows (JSON, the maximum AF) stays
        on the compact table.
        """
        present = np.flatnonzero(rows >= 0)
        wanted = rows[present]
        got = self._take_values(wanted, [c for c in columns if c in self.value_bit], pool)
        got.update(self._take_arrow(wanted, [c for c in columns if c not in self.value_bit],
                                    pool))
        compact = pa.table([got[c] for c in columns],
                           schema=pa.schema([pa.field(c, self.types[c]) for c in columns]))
        return compact, present

    def _take_values(self, wanted: np.ndarray, columns: list[str], pool: Executor | None = None
                     ) -> dict[str, pa.Array]:
        """Fixed-width columns at source rows: one record read per row."""
        if not columns:
            return {}
        # Much faster than fancy indexing a memmap; rows come in runs of ascending order
        # (a patient contig at a time), so the reads walk the file forwards.
        records = np.take(self.values, wanted)
        valid = records[VALID_FIELD]
        all_bits = (1 << len(self.value_bit)) - 1
        complete = bool(np.all(valid == all_bits))  # gnomAD: nearly always, so no masks

        def column(name: str) -> pa.Array:
            kind = self.types[name]
            missing = None if complete else (valid & (1 << self.value_bit[name])) == 0
            if name in self.dictionaries:
                return self.dictionaries[name].take(pa.array(records[name], mask=missing))
            raw = records[name].astype(kind.to_pandas_dtype())  # widened where stored narrow
            return pa.array(raw, mask=missing, type=kind)

        run = pool.map if pool is not None else map
        return dict(zip(columns, run(column, columns)))

    def _take_arrow(self, wanted: np.ndarray, columns: list[str], pool: Executor | None = None
                    ) -> dict[str, pa.Array]:
        """Variable-width columns at source rows, from the memory-mapped record batches.

        Rows are read in source order, a batch at a time; Arrow's take releases the GIL, so
        a thread pool spreads the batches over cores.
        """
        if not columns:
            return {}
        order = None
        if wanted.size > 1 and not bool(np.all(wanted[1:] >= wanted[:-1])):
            order = np.argsort(wanted, kind="stable")
            wanted = wanted[order]
        run = pool.map if pool is not None else map
        batch_of = np.searchsorted(self.starts, wanted, side="right") - 1
        bounds = np.flatnonzero(np.diff(batch_of)) + 1
        spans = [(int(lo), int(hi)) for lo, hi in zip(np.concatenate([[0], bounds]),
                                                      np.concatenate([bounds, [wanted.size]]))
                 if hi > lo]

        def piece(span: tuple[int, int]) -> pa.RecordBatch:
            lo, hi = span
            b = int(batch_of[lo])
            return self.batches[b].select(columns).take(pa.array(wanted[lo:hi] - self.starts[b]))

        schema = pa.schema([self.reader.schema.field(c) for c in columns])
        got = pa.Table.from_batches(list(run(piece, spans)), schema=schema).combine_chunks()
        if order is not None:
            back = np.empty_like(order)
            back[order] = np.arange(order.size)
            got = got.take(pa.array(back))
        return {c: got.column(c).combine_chunks() for c in columns}


def spread(compact: pa.Table, present: np.ndarray, n: int, pool: Executor | None = None
           ) -> pa.Table:
    """The compact rows at positions ``present`` (ascending) of an ``n``-row table, nulls elsewhere."""
    if present.size == n:
        return compact
    run = pool.map if pool is not None else map
    return pa.table(list(run(lambda c: spread_array(one_array(compact.column(c)), present, n),
                             compact.column_names)), schema=compact.schema)


def one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array; combine_chunks() would copy even a single chunk."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def spread_array(values: pa.Array, present: np.ndarray, n: int) -> pa.Array:
    """One column of spread(): numbers and strings without a gather of the values.

    Because ``present`` ascends, a string column keeps its character data as it is and only
    its offsets are spread; numbers are placed with one numpy assignment.
    """
    if present.size == n:
        return values
    kind = values.type
    valid = np.zeros(n, dtype=bool)
    valid[present] = True if values.null_count == 0 else \
        pc.is_valid(values).to_numpy(zero_copy_only=False)
    if pa.types.is_string(kind):
        at, length, _ = _strings(values)
        lengths = np.zeros(n, dtype=np.int32)
        lengths[present] = length
        offsets = np.empty(n + 1, dtype=np.int32)
        offsets[0] = at[0] if at.size else 0
        np.cumsum(lengths, out=offsets[1:])
        offsets[1:] += offsets[0]
        nulls = n - int(np.count_nonzero(valid))
        return pa.StringArray.from_buffers(
            n, pa.py_buffer(offsets), values.buffers()[2] or pa.py_buffer(b""),
            pa.py_buffer(np.packbits(valid, bitorder="little")), null_count=nulls)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        full = np.zeros(n, dtype=kind.to_pandas_dtype())
        full[present] = values.fill_null(False if pa.types.is_boolean(kind) else 0
                                         ).to_numpy(zero_copy_only=False)
        return pa.array(full, mask=~valid, type=kind)
    place = np.full(n, -1, dtype=np.int64)
    place[present] = np.arange(present.size)
    return values.take(pa.array(place, mask=place < 0))
