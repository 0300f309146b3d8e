"""The bundle's per-source lookup index: a sorted 64-bit locus key and memory-mapped columns.

An exact-allele lookup of millions of patient variants in a 100M-row gnomAD table cannot
afford to read the table: a hash join on (chrom, pos, ref, alt) probes every source row with
four string keys, so its cost grows with the source, not with the patient. The bundle
therefore keeps, next to each DuckDB table, two files written once at build time:

- ``lookup/<source>.locus.npy``: one int64 per row, ``contig_code << 32 | pos``, sorted
  ascending (contig codes number the source's bare contig names in sorted order, listed in
  the manifest, so the key order is the table's own ORDER BY chrom, pos);
- ``lookup/<source>.arrow``: the same rows in the same order, as an uncompressed Arrow IPC
  file of record batches (ref, alt and every value column), memory-mapped at lookup time.

A lookup binary-searches the patient's locus keys in the memory-mapped key column (numpy
``searchsorted``; the OS pages in only what it touches), compares REF and ALT as strings on
the few rows that share a locus (so there is no hash and no collision to rule out), and takes
the value columns by row index for the matched rows only. Its cost grows with the patient's
variant count and only logarithmically with the source's size.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from varrank.core.errors import ResourceError

log = logging.getLogger(__name__)

LOOKUP_DIR = "lookup"
BATCH_ROWS = 1 << 20
POS_LIMIT = 1 << 32  # the locus key keeps pos in its low 32 bits
# Columns of the DuckDB table the index does not carry: they are in the key, or build-only.
NOT_CARRIED = ("chrom", "pos", "source_line")


def bare_contig(name: str) -> str:
    """Python twin of bundle_build.BARE_CHROM_SQL: 'chr1' -> '1', 'chrM'/'M' -> 'MT'."""
    if name.upper() in ("M", "MT", "CHRM", "CHRMT"):
        return "MT"
    if name.lower().startswith("chr"):
        return name[3:]
    return name


def write_index(con: duckdb.DuckDBPyConnection, table: str, bundle_dir: Path) -> dict:
    """Write ``lookup/<table>.locus.npy`` and ``.arrow`` from the final, sorted DuckDB table."""
    folder = bundle_dir / LOOKUP_DIR
    folder.mkdir(exist_ok=True)
    contigs = [r[0] for r in con.execute(
        f'SELECT DISTINCT chrom FROM "{table}" ORDER BY chrom').fetchall()]
    n, max_pos = con.execute(f'SELECT count(*), coalesce(max(pos), 0) FROM "{table}"').fetchone()
    if max_pos >= POS_LIMIT:
        raise ResourceError(f"source {table!r} has a position ({max_pos}) beyond 2^32-1",
                            hint="positions this large are not genomic coordinates of a "
                                 "supported build")
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall() if r[0] not in NOT_CARRIED]
    select = ", ".join(f'"{c}"' for c in columns)
    codes = pa.array(contigs, pa.string())
    locus_path = folder / f"{table}.locus.npy"
    locus = np.lib.format.open_memmap(locus_path, mode="w+", dtype=np.int64, shape=(n,))
    done = 0
    # A plain scan returns the rows in the order CREATE TABLE ... ORDER BY stored them
    # (DuckDB preserves insertion order); the sortedness check below makes sure of it.
    reader = con.sql(f'SELECT chrom, pos, {select} FROM "{table}"').to_arrow_reader(BATCH_ROWS)
    schema = pa.schema([reader.schema.field(c) for c in columns])
    with ipc.new_file(str(folder / f"{table}.arrow"), schema) as writer:
        for batch in reader:
            m = batch.num_rows
            code = pc.index_in(batch.column("chrom"), value_set=codes).to_numpy(zero_copy_only=False)
            pos = batch.column("pos").to_numpy(zero_copy_only=False)
            locus[done:done + m] = (code.astype(np.int64) << 32) | pos.astype(np.int64)
            writer.write_batch(pa.RecordBatch.from_arrays(
                [batch.column(c) for c in columns], schema=schema))
            done += m
    if done != n or (n > 1 and not bool(np.all(locus[1:] >= locus[:-1]))):
        raise RuntimeError(f"lookup index of {table!r} is not in key order (internal error)")
    locus.flush()
    del locus
    return {"contigs": contigs, "rows": int(n), "columns": columns,
            "locus": f"{LOOKUP_DIR}/{table}.locus.npy", "table": f"{LOOKUP_DIR}/{table}.arrow"}


def _search_sorted(keys: np.ndarray, query: np.ndarray, chunk: int = 2048) -> np.ndarray:
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
    """The patient's keys prepared once for every source: bare contigs, pos, upper-case alleles."""

    contigs: list[str]  # distinct bare contig names
    contig_idx: np.ndarray  # per row index into contigs, -1 where chrom is null
    pos: np.ndarray  # int64, -1 where null or out of key range
    ref: pa.Array
    alt: pa.Array

    @classmethod
    def of(cls, keys: pa.Table) -> PatientKeys:
        n = keys.num_rows
        # The schema says string; a large_string or dictionary column (another writer) is cast.
        chrom = pc.dictionary_encode(pc.cast(keys.column("chrom").combine_chunks(), pa.string())
                                     ) if n else None
        if chrom is None:
            return cls([], np.empty(0, np.int64), np.empty(0, np.int64),
                       pa.array([], pa.string()), pa.array([], pa.string()))
        contigs = [bare_contig(c) for c in chrom.dictionary.to_pylist()]
        idx = chrom.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        pos_col = keys.column("pos").combine_chunks()
        pos = pc.fill_null(pc.cast(pos_col, pa.int64()), -1).to_numpy(zero_copy_only=False)
        pos = np.where((pos >= 0) & (pos < POS_LIMIT), pos, -1)
        # A null allele never equals anything, as in SQL (upper-cased in SourceIndex.match).
        return cls(contigs, idx, pos, pc.cast(keys.column("ref").combine_chunks(), pa.string()),
                   pc.cast(keys.column("alt").combine_chunks(), pa.string()))

    @property
    def n(self) -> int:
        return len(self.pos)


class SourceIndex:
    """One source's memory-mapped lookup index."""

    def __init__(self, bundle_dir: Path, name: str, info: dict) -> None:
        self.name = name
        self.contigs: list[str] = info["contigs"]
        locus_path, table_path = bundle_dir / info["locus"], bundle_dir / info["table"]
        for path in (locus_path, table_path):
            if not path.is_file():
                raise ResourceError(f"the bundle's lookup index for {name!r} is missing",
                                    hint="rebuild the bundle with `varrank resources build`",
                                    path=path)
        self.locus = np.load(locus_path, mmap_mode="r")
        self.reader = ipc.open_file(pa.memory_map(str(table_path)))
        self.batches = [self.reader.get_batch(i) for i in range(self.reader.num_record_batches)]
        sizes = [batch.num_rows for batch in self.batches]
        self.starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        if self.starts[-1] != len(self.locus):
            raise ResourceError(f"the bundle's lookup index for {name!r} is inconsistent "
                                f"({len(self.locus)} keys, {self.starts[-1]} rows)",
                                hint="rebuild the bundle with `varrank resources build`",
                                path=table_path)
        self.columns = [c for c in self.reader.schema.names if c not in ("ref", "alt")]

    def match(self, keys: PatientKeys, pool: Executor | None = None) -> np.ndarray:
        """Source row of each patient row (exact contig, pos, ref, alt), -1 where absent."""
        rows = np.full(keys.n, -1, dtype=np.int64)
        if keys.n == 0 or len(self.locus) == 0:
            return rows
        code_of = {c: i for i, c in enumerate(self.contigs)}
        code_map = np.array([code_of.get(c, -1) for c in keys.contigs] + [-1], dtype=np.int64)
        code = code_map[keys.contig_idx]  # index -1 (null chrom) hits the trailing -1
        ok = np.flatnonzero((code >= 0) & (keys.pos >= 0))
        query = (code[ok] << 32) | keys.pos[ok]
        if query.size > 1 and not bool(np.all(query[1:] >= query[:-1])):
            order = np.argsort(query, kind="stable")  # sorted queries search faster
            ok, query = ok[order], query[order]
        first = _search_sorted(self.locus, query)
        # Rows sharing the locus (multi-allelic sites, indels at one position) are consecutive.
        pat, src = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
        active, k = np.arange(query.size), 0
        while active.size:
            at = first[active] + k
            inside = at < len(self.locus)
            active, at = active[inside], at[inside]
            same = self.locus[at] == query[active]
            active, at = active[same], at[same]
            pat.append(ok[active])
            src.append(at)
            k += 1
        pat_rows, src_rows = np.concatenate(pat), np.concatenate(src)
        if not pat_rows.size:
            return rows
        alleles = self.take(src_rows, ["ref", "alt"], pool)
        # Upper-cased here, on the candidates only. ASCII upper-casing meets the same source
        # alleles as DuckDB's Unicode upper() did: sources hold only A, C, G, T, N, and no
        # non-ASCII letter upper-cases to one of those.
        ref = pc.ascii_upper(keys.ref.take(pa.array(pat_rows)))
        alt = pc.ascii_upper(keys.alt.take(pa.array(pat_rows)))
        same = pc.and_(pc.equal(ref, alleles.column("ref")), pc.equal(alt, alleles.column("alt")))
        hit = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        # The bundle holds each (contig, pos, ref, alt) once, so a row matches at most one.
        rows[pat_rows[hit]] = src_rows[hit]
        return rows

    def take(self, rows: np.ndarray, columns: list[str], pool: Executor | None = None) -> pa.Table:
        """The given columns at source ``rows`` (-1 gives a null row), in the order of ``rows``."""
        compact, place = self.take_compact(rows, columns, pool)
        return scatter(compact, place, pool)

    def take_compact(self, rows: np.ndarray, columns: list[str], pool: Executor | None = None
                     ) -> tuple[pa.Table, pa.Array | None]:
        """The columns at the matched rows only, and where each of ``rows`` finds its row.

        Returns (compact table, place): row i of the full answer is compact row place[i] (null
        where ``rows[i]`` is -1); place is None when compact is already the full answer.
        Arrow's take releases the GIL, so a thread pool spreads the record batches over cores.
        """
        run = pool.map if pool is not None else map
        schema = pa.schema([self.reader.schema.field(c) for c in columns])
        valid = np.flatnonzero(rows >= 0)
        wanted = rows[valid]
        if wanted.size > 1 and not bool(np.all(wanted[1:] >= wanted[:-1])):
            order = np.argsort(wanted, kind="stable")
            valid, wanted = valid[order], wanted[order]
        batch_of = np.searchsorted(self.starts, wanted, side="right") - 1
        bounds = np.flatnonzero(np.diff(batch_of)) + 1
        spans = [(int(lo), int(hi)) for lo, hi in zip(np.concatenate([[0], bounds]),
                                                      np.concatenate([bounds, [wanted.size]]))
                 if hi > lo]

        def piece(span: tuple[int, int]) -> pa.RecordBatch:
            lo, hi = span
            b = int(batch_of[lo])
            batch = self.batches[b].select(columns)
            return batch.take(pa.array(wanted[lo:hi] - self.starts[b]))

        got = pa.Table.from_batches(list(run(piece, spans)), schema=schema).combine_chunks()
        if valid.size == len(rows) and np.array_equal(valid, np.arange(len(rows))):
            return got, None
        place = np.full(len(rows), -1, dtype=np.int64)
        place[valid] = np.arange(valid.size)
        return got, pa.array(place, mask=place < 0)


def scatter(compact: pa.Table, place: pa.Array | None, pool: Executor | None = None) -> pa.Table:
    """Rows of ``compact`` laid out as ``place`` says (see SourceIndex.take_compact)."""
    if place is None:
        return compact
    run = pool.map if pool is not None else map
    return pa.table(list(run(lambda c: compact.column(c).take(place), compact.column_names)),
                    schema=compact.schema)
