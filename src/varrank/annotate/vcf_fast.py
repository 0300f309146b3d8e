"""Column-wise validation and cleaning of a database VCF (pyarrow), the fast path of vcf_text.

``vcf_text.clean_records`` checks and rewrites one line at a time in Python: ~12 µs a record,
over 20 minutes for a 100M-row gnomAD file before bcftools even starts. This module does the
same work on Arrow columns of a million records at a time (regular expressions, dictionary
encoded contigs, string joins in C++), writing the same cleaned VCF body.

It only ever accepts what it can prove is clean. Anything else (a malformed POS/REF/ALT, a
header line among the records, a row with the wrong column count or a blank line, a file cut
mid-line, corrupt compression or text that is not UTF-8) makes it give up and return False; the caller then runs the
line-by-line path on the same file, which raises the error naming the file and line, or
handles the rare case (e.g. a blank line) exactly as before. Like the slow path it collects
the contigs (in order of first appearance) and FILTER names the body uses, for the cleaned
header. Duplicate records are not looked
for here: the bundle build checks duplicates after normalisation and, if a fast-path file has
any, rebuilds that source through the line-by-line path, whose pre-normalisation check
decides (collapse exact duplicates, reject conflicting ones) as it always did.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from varrank.annotate.vcf_text import LINE_TAG, CleanStats, VcfHeader
from varrank.core.progress import Progress
from varrank.core.alleles import (MISSING_ALLELES, NON_SEQUENCE_LIST_PATTERN, SEQUENCE_LIST_PATTERN,
                                  SEQUENCE_PATTERN, SPANNING_DELETION)
from varrank.core.schema import allele_label

log = logging.getLogger(__name__)

COLUMNS = ["chrom", "pos", "id", "ref", "alt", "qual", "filter", "info"]
BLOCK_BYTES = 64 << 20
_POS = r"^[1-9][0-9]*$"


class _LastByte:
    """File wrapper remembering the last byte read: a file must end with a newline."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.last = b""
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if data:
            self.last = bytes(data[-1:])
        return bytes(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True
        self.raw.close()


def _open(path: Path) -> _LastByte:
    with open(path, "rb") as handle:
        gz = handle.read(2) == b"\x1f\x8b"
    return _LastByte(pa.input_stream(str(path), compression="gzip" if gz else None))


def clean_records_fast(header: VcfHeader, out: IO[bytes], rename: Callable[[str], str | None],
                       stats: CleanStats, contigs: dict[str, None], filters: set[str]) -> bool:
    """Write the cleaned 8-column body of ``header.path`` to ``out``; False = use the slow path.

    ``contigs`` (insertion-ordered) and ``filters`` receive the names the kept records use.
    """
    n_columns = len(header.column_line.split("\t"))
    if n_columns < 8:
        return False
    # Genotype columns (1000 Genomes sites files keep them) are read past, as the slow path does.
    names = COLUMNS + [f"_sample{i}" for i in range(n_columns - 8)]
    bad_rows: list[int] = []
    source = _open(header.path)
    try:
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(skip_rows=header.n_lines, column_names=names,
                                           block_size=BLOCK_BYTES, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=lambda row: bad_rows.append(1) or "skip"),
            convert_options=pacsv.ConvertOptions(
                include_columns=COLUMNS, column_types={c: pa.string() for c in COLUMNS},
                null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        line0 = header.n_lines + 1
        progress = Progress(f"{header.path.name}: checking", unit="records")
        for batch in reader:
            if bad_rows:
                return False
            if not _clean_batch(batch, line0, out, rename, stats, contigs, filters):
                return False
            line0 += batch.num_rows
            progress.update(batch.num_rows)
        progress.finish()
        if bad_rows or (line0 > header.n_lines + 1 and source.last != b"\n"):
            return False
    except (pa.ArrowInvalid, pa.ArrowException, OSError, UnicodeDecodeError, ValueError) as err:
        log.info("%s: column-wise reading stopped (%s); checking line by line",
                 header.path.name, str(err).splitlines()[0][:200])
        return False
    finally:
        source.close()
    return True


def _clean_batch(batch: pa.RecordBatch, line0: int, out: IO[bytes],
                 rename: Callable[[str], str | None], stats: CleanStats,
                 contigs: dict[str, None], filters: set[str]) -> bool:
    n = batch.num_rows
    chrom, pos, ref, alt = (batch.column(c) for c in ("chrom", "pos", "ref", "alt"))
    if pc.any(pc.starts_with(chrom, "#")).as_py():
        return False  # header line after the first record: an error for the slow path to name
    if not pc.all(pc.match_substring_regex(pos, _POS)).as_py():
        return False
    if not pc.all(pc.match_substring_regex(ref, SEQUENCE_PATTERN)).as_py():
        return False
    encoded = pc.dictionary_encode(chrom)
    targets = [rename(c) for c in encoded.dictionary.to_pylist()]
    known = np.array([t is not None for t in targets], dtype=bool)[
        encoded.indices.to_numpy(zero_copy_only=False)]
    alts_ok = pc.match_substring_regex(alt, SEQUENCE_LIST_PATTERN).to_numpy(zero_copy_only=False)
    no_alt = pc.is_in(alt, pa.array([*sorted(MISSING_ALLELES), SPANNING_DELETION])).to_numpy(zero_copy_only=False)
    symbolic = pc.match_substring_regex(alt, NON_SEQUENCE_LIST_PATTERN).to_numpy(zero_copy_only=False)
    skip_contig = ~known
    skip_no_alt = known & ~alts_ok & no_alt
    skip_symbolic = known & ~alts_ok & ~no_alt & symbolic
    if np.any(known & ~alts_ok & ~no_alt & ~symbolic):
        return False  # ALT that is neither DNA nor symbolic: the slow path names the line
    for reason, mask in (("contig_not_in_reference", skip_contig), ("no_alt_allele", skip_no_alt),
                         ("symbolic_or_breakend_alt", skip_symbolic)):
        count = int(mask.sum())
        if not count:
            continue
        room = 5 - len(stats.examples.get(reason, []))
        for i in np.flatnonzero(mask)[:max(room, 0)]:
            stats.skip(reason, allele_label(chrom[i].as_py(), pos[i].as_py(), ref[i].as_py(), alt[i].as_py()))
        stats.skipped[reason] += count - min(count, max(room, 0))
    stats.records += n
    keep = known & alts_ok
    kept = int(keep.sum())
    if not kept:
        return True
    kept_rows = np.flatnonzero(keep)
    take = pa.array(kept_rows)
    target = pc.take(pa.array(targets, pa.string()), pc.take(encoded.indices, take))
    for contig in pc.unique(target).to_pylist():
        contigs.setdefault(contig, None)
    flt = pc.take(batch.column("filter"), take)
    filters.update(f for value in pc.unique(flt).to_pylist() if value not in (".", "PASS")
                   for f in value.split(";"))
    info = pc.take(batch.column("info"), take)
    line = pc.cast(pa.array(kept_rows + line0), pa.string())
    tag = pc.binary_join_element_wise(f"{LINE_TAG}=", line, "")
    empty = pc.is_in(info, pa.array([".", ""]))
    info = pc.if_else(empty, tag, pc.binary_join_element_wise(info, tag, ";"))
    text = pc.binary_join_element_wise(
        target, pc.take(pos, take), pc.take(batch.column("id"), take),
        pc.ascii_upper(pc.take(ref, take)), pc.ascii_upper(pc.take(alt, take)),
        pc.take(batch.column("qual"), take), flt, info, "\t")
    text = pc.binary_join_element_wise(text, "", "\n")
    _write_values(out, text)
    stats.written += kept
    return True


def _write_values(out: IO[bytes], values: pa.Array) -> None:
    """Write the concatenated bytes of a string array (its value buffer) in one call."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset:values.offset + len(values) + 1]
    data = values.buffers()[2]
    out.write(memoryview(data)[int(offsets[0]):int(offsets[-1])])
