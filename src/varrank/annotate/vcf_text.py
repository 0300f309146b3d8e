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
from varrank.core.schema import allele_label

log = logging.getLogger(__name__)

LINE_TAG = "VRLINE"
PROGRESS_EVERY = 5_000_000
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
    seen_pos: tuple[str, str] | None = None
    seen_alleles: dict[tuple[str, str], tuple[int, str]] = {}
    alts_ok = ALTS_RE.match
    ref_ok = ALLELE_RE.match
    for n, line in lines:
        if not line or line[0] == "#":
            if line.startswith("#"):
                raise ResourceError("header line after the first record", path=path, line=n,
                                    hint="the file may be two VCFs concatenated without bcftools concat")
            continue
        stats.records += 1
        if stats.records % PROGRESS_EVERY == 0:
            log.info("%s: %d records checked", path.name, stats.records)
        cols = line.split("\t", 8)
        if len(cols) < 8:
            raise ResourceError(f"record has {len(cols)} tab-separated columns, VCF needs at least 8",
                                hint="the file may be truncated or space-separated", path=path, line=n)
        chrom, pos, vid, ref, alt, qual, flt, info = cols[:8]
        if not pos.isdigit() or pos[0] == "0":
            raise ResourceError(f"POS {pos[:40]!r} is not a positive integer", path=path, line=n)
        if not ref_ok(ref):
            raise ResourceError(f"REF {ref[:40]!r} is not a DNA sequence", path=path, line=n)
        target = rename(chrom)
        if target is None:
            stats.skip("contig_not_in_reference", allele_label(chrom, pos, ref, alt))
            continue
        if not alts_ok(alt):
            example = allele_label(chrom, pos, ref, alt)
            if alt in MISSING_ALLELES or alt == SPANNING_DELETION:
                stats.skip("no_alt_allele", example)
                continue
            if any(is_symbolic(a) or a == SPANNING_DELETION for a in alt.split(",")):
                stats.skip("symbolic_or_breakend_alt", example)
                continue
            raise ResourceError(f"ALT {alt[:40]!r} is not a DNA sequence or symbolic allele",
                                path=path, line=n)
        if (chrom, pos) != seen_pos:
            seen_pos = (chrom, pos)
            seen_alleles = {}
        body = "\t".join(cols[2:8])
        duplicate = False
        for one_alt in alt.split(","):
            key = (ref.upper(), one_alt.upper())
            if key in seen_alleles:
                first_line, first_body = seen_alleles[key]
                if first_body == body:
                    duplicate = True
                    continue
                raise ResourceError(
                    f"duplicate record for {chrom}:{pos} {ref}>{one_alt} (first at line {first_line}) "
                    "with different content",
                    hint="a database should list each allele once; fix the file or deduplicate it "
                         "(bcftools norm -d exact) before building the bundle",
                    path=path, line=n)
            seen_alleles[key] = (n, body)
        if duplicate:
            stats.skip("exact_duplicate_record", allele_label(chrom, pos, ref, alt))
            continue
        info = f"{LINE_TAG}={n}" if info in (".", "") else f"{info};{LINE_TAG}={n}"
        out.write(f"{target}\t{pos}\t{vid}\t{ref.upper()}\t{alt.upper()}\t{qual}\t{flt}\t{info}\n")
        stats.written += 1
