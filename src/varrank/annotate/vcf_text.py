"""Line-level reading of database VCFs, so that every problem can name its file and line.

htslib reports a malformed record by chromosome and position at best, and a truncated gzip
as a bare read failure; a curator fixing a 20 GB gnomAD download needs the line. This module
walks the raw text once, validates what the bundle will use (columns, POS, alleles, typed INFO
values of the keys we extract, duplicate records at one position), and writes a cleaned copy
that bcftools can normalise: contigs renamed to the reference's spelling and each record
tagged with its source line (INFO/VRLINE) so that later errors can still point at it.
"""

from __future__ import annotations

import gzip
import logging
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from varrank.core.alleles import (MISSING_ALLELES, SEQUENCE_LIST_PATTERN, SEQUENCE_PATTERN,
                                  SPANNING_DELETION, is_symbolic)
from varrank.core.errors import ResourceError
from varrank.core.progress import Progress
from varrank.core.schema import allele_label

log = logging.getLogger(__name__)

LINE_TAG = "VRLINE"
ALLELE_RE = re.compile(SEQUENCE_PATTERN)
ALTS_RE = re.compile(SEQUENCE_LIST_PATTERN)
_INFO_DEF = re.compile(r'^##INFO=<ID=([^,>]+),Number=([^,>]+),Type=([^,>]+)(?:,Description="(.*)")?')
_CONTIG_DEF = re.compile(r"^##contig=<ID=([^,>]+)(?:,length=(\d+))?")


@dataclass
class InfoDef:
    key: str
    number: str
    type: str
    description: str = ""


@dataclass
class VcfHeader:
    """What the bundle needs from a VCF header: INFO types, contigs, dates, build hints."""

    path: Path
    lines: list[str] = field(default_factory=list)
    info: dict[str, InfoDef] = field(default_factory=dict)
    contigs: dict[str, int | None] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    column_line: str = ""
    n_lines: int = 0

    def meta_line_number(self, key: str) -> int | None:
        for i, line in enumerate(self.lines, start=1):
            if line.startswith(f"##{key}="):
                return i
        return None


def open_text(path: Path) -> IO[str]:
    """Open plain or (b)gzipped text; bgzip is a gzip member series, which gzip reads."""
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict", newline="\n")
    return open(path, encoding="utf-8", errors="strict", newline="\n")


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without newline); corrupt/truncated input -> ResourceError."""
    n = 0
    try:
        with open_text(path) as handle:
            for n, line in enumerate(handle, start=1):
                if not line.endswith("\n"):
                    # A file cut mid-record ends without a newline; its last record is partial.
                    raise ResourceError(
                        "file ends in the middle of a line (truncated download?)",
                        hint="download the file again and compare its checksum",
                        path=path, line=n)
                yield n, line.rstrip("\r\n")
    except (EOFError, OSError, zlib.error, gzip.BadGzipFile) as err:
        raise ResourceError(
            f"cannot read the file after line {n}: {err} (corrupt or truncated?)",
            hint="download the file again and compare its checksum (md5/sha256 from the provider)",
            path=path, line=n + 1) from None
    except UnicodeDecodeError as err:
        raise ResourceError(f"not UTF-8 text after line {n}: {err.reason}",
                            hint="is this really a VCF/TSV file?", path=path, line=n + 1) from None


def parse_header(path: Path, lines: Iterator[tuple[int, str]]) -> VcfHeader:
    """Consume header lines up to and including #CHROM; leave the iterator at the first record."""
    header = VcfHeader(path=path)
    for n, line in lines:
        header.n_lines = n
        if line.startswith("##"):
            header.lines.append(line)
            if m := _INFO_DEF.match(line):
                header.info[m.group(1)] = InfoDef(m.group(1), m.group(2), m.group(3), m.group(4) or "")
            elif m := _CONTIG_DEF.match(line):
                header.contigs[m.group(1)] = int(m.group(2)) if m.group(2) else None
            elif "=" in line and not line.startswith("##INFO") and not line.startswith("##FORMAT"):
                key, _, value = line[2:].partition("=")
                header.meta.setdefault(key, value)
            continue
        if line.startswith("#CHROM"):
            header.column_line = line
            return header
        raise ResourceError("VCF header has no #CHROM line before the first record",
                            hint="is this a VCF file?", path=path, line=n)
    raise ResourceError("empty file or VCF header without a #CHROM line",
                        hint="is this a VCF file? was the download complete?", path=path,
                        line=header.n_lines or 1)


@dataclass
class CleanStats:
    records: int = 0
    written: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, example: str) -> None:
        self.skipped[reason] += 1
        bucket = self.examples.setdefault(reason, [])
        if len(bucket) < 5:
            bucket.append(example)


def clean_records(
    header: VcfHeader,
    lines: Iterator[tuple[int, str]],
    out: IO[str],
    rename: Callable[[str], str | None],
    stats: CleanStats,
) -> None:
    """Validate records and write them as 8-column VCF lines tagged with their source line.

    Structure is checked here (columns, POS, REF/ALT alphabet); INFO passes through untouched
    and the values the bundle stores are type-checked later, column-wise in DuckDB, where
    the INFO/VRLINE tag still names the line. ``rename`` maps a source contig to the
    reference's spelling, or None when the reference lacks it (skipped and counted, like
    symbolic or missing ALT alleles, which a sequence-level join cannot use). Exact duplicate
    lines are dropped and counted; two different records for one allele at one position are
    an error, because picking one silently would be a guess.
    """
    path = header.path
    duplicates = _Duplicates(path)
    progress = Progress(f"{path.name}: checking line by line", unit="records")
    for n, line in lines:
        if not line or line[0] == "#":
            if line.startswith("#"):
                raise ResourceError("header line after the first record", path=path, line=n,
                                    hint="the file may be two VCFs concatenated without bcftools concat")
            continue
        stats.records += 1
        progress.update()
        cols = _record_columns(path, n, line)
        chrom, pos, vid, ref, alt, qual, flt, info = cols[:8]
        target = rename(chrom)
        reason = "contig_not_in_reference" if target is None else _unusable_alt(path, n, alt)
        if reason is None and duplicates.seen(n, chrom, pos, ref, alt, "\t".join(cols[2:8])):
            reason = "exact_duplicate_record"
        if reason is not None:
            stats.skip(reason, allele_label(chrom, pos, ref, alt))
            continue
        info = f"{LINE_TAG}={n}" if info in (".", "") else f"{info};{LINE_TAG}={n}"
        out.write(f"{target}\t{pos}\t{vid}\t{ref.upper()}\t{alt.upper()}\t{qual}\t{flt}\t{info}\n")
        stats.written += 1
    progress.finish()


def _record_columns(path: Path, n: int, line: str) -> list[str]:
    """The record's columns, its structure checked (8+ columns, POS, REF alphabet)."""
    cols = line.split("\t", 8)
    if len(cols) < 8:
        raise ResourceError(f"record has {len(cols)} tab-separated columns, VCF needs at least 8",
                            hint="the file may be truncated or space-separated", path=path, line=n)
    pos, ref = cols[1], cols[3]
    if not pos.isdigit() or pos[0] == "0":
        raise ResourceError(f"POS {pos[:40]!r} is not a positive integer", path=path, line=n)
    if not ALLELE_RE.match(ref):
        raise ResourceError(f"REF {ref[:40]!r} is not a DNA sequence", path=path, line=n)
    return cols


def _unusable_alt(path: Path, n: int, alt: str) -> str | None:
    """None for DNA ALT alleles; the skip reason for missing/symbolic ones; else an error."""
    if ALTS_RE.match(alt):
        return None
    if alt in MISSING_ALLELES or alt == SPANNING_DELETION:
        return "no_alt_allele"
    if any(is_symbolic(a) or a == SPANNING_DELETION for a in alt.split(",")):
        return "symbolic_or_breakend_alt"
    raise ResourceError(f"ALT {alt[:40]!r} is not a DNA sequence or symbolic allele",
                        path=path, line=n)


class _Duplicates:
    """Alleles seen at the current position (sources are sorted): an exact repeat of a line
    is dropped, a second, different record for one allele is an error."""

    def __init__(self, path: Path):
        self.path = path
        self.pos: tuple[str, str] | None = None
        self.alleles: dict[tuple[str, str], tuple[int, str]] = {}

    def seen(self, n: int, chrom: str, pos: str, ref: str, alt: str, body: str) -> bool:
        if (chrom, pos) != self.pos:
            self.pos, self.alleles = (chrom, pos), {}
        duplicate = False
        for one_alt in alt.split(","):
            key = (ref.upper(), one_alt.upper())
            if key in self.alleles:
                first_line, first_body = self.alleles[key]
                if first_body != body:
                    raise ResourceError(
                        f"duplicate record for {chrom}:{pos} {ref}>{one_alt} (first at line "
                        f"{first_line}) with different content",
                        hint="a database should list each allele once; fix the file or "
                             "deduplicate it (bcftools norm -d exact) before building the bundle",
                        path=self.path, line=n)
                duplicate = True
                continue
            self.alleles[key] = (n, body)
        return duplicate
