"""Recognise what the input file is before any tool touches it.

htslib reads VCF, bgzipped VCF, plain-gzip VCF and BCF alike, but when it fails it fails with
messages like ``bcf_read error-code 0 ret -2``. Looking at the bytes first lets INGEST say
*which* problem a file has (not a VCF, truncated gzip, header only, no samples) and where,
in one line a clinical bioinformatician can act on.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from varrank.core.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
# The empty BGZF block htslib writes at the end of every bgzip file (SAM/BAM spec 4.1.2).
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


class InputFormat(str, Enum):
    VCF = "vcf"
    VCF_BGZF = "vcf.gz (bgzip)"
    VCF_GZIP = "vcf.gz (plain gzip)"
    BCF = "bcf"
    RAW_23ANDME = "23andMe raw genotypes (tsv)"


@dataclass
class SniffResult:
    path: Path
    format: InputFormat
    header_lines: int = 0  # number of '#' lines in a text VCF (first record is line +1)
    samples: list[str] = field(default_factory=list)
    contig_lengths: dict[str, int] = field(default_factory=dict)  # from ##contig lines
    has_records: bool = True
    csq_format: str | None = None  # ##INFO=<ID=CSQ> Description (VEP ran upstream)

    @property
    def is_text(self) -> bool:
        return self.format in (InputFormat.VCF, InputFormat.VCF_BGZF, InputFormat.VCF_GZIP)


def _is_bgzf(head: bytes) -> bool:
    # gzip with FEXTRA whose subfield is 'BC' (bgzip's block size field).
    return len(head) >= 14 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def _open_text(path: Path, compressed: bool) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if compressed else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)


def gzip_is_complete(path: Path) -> bool:
    """Decompress the whole file (all members); False when the stream ends early or is corrupt."""
    try:
        with gzip.open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass
    except (EOFError, OSError, zlib.error):
        return False
    return True


def _header_facts(meta_lines: list[str]) -> tuple[dict[str, int], str | None]:
    """Contig lengths and the INFO/CSQ field list from a text header's '##' lines, parsed by
    htslib (pysam.VariantHeader) line by line: a line htslib cannot parse is passed over, as
    bcftools does, so one bad meta line never hides the others."""
    import pysam

    pysam.set_verbosity(0)
    header = pysam.VariantHeader()
    for line in meta_lines:
        if line.startswith(("##contig=", "##INFO=<ID=CSQ,")):
            try:
                header.add_line(line)
            except ValueError:
                continue
    lengths = {name: c.length for name, c in header.contigs.items() if c.length}
    csq = header.info["CSQ"].description if "CSQ" in header.info else None
    return lengths, csq


def sniff(path: str | Path) -> SniffResult:
    """Identify the format, read the header and check the file is complete enough to parse."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", hint="check the samplesheet's vcf column", path=path)
    if path.is_dir():
        raise InputError("is a directory, not a VCF", path=path)
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file (0 bytes)", hint="the variant caller's output is missing", path=path)
    with open(path, "rb") as handle:
        head = handle.read(64)
        handle.seek(max(0, size - len(BGZF_EOF)))
        tail = handle.read()

    compressed = head[:2] == GZIP_MAGIC
    if compressed and _is_bgzf(head) and tail != BGZF_EOF:
        raise InputError(
            "truncated bgzip file: the BGZF end-of-file block is missing",
            hint="the file was cut short (interrupted copy or download); fetch it again",
            path=path,
        )
    if compressed:
        try:
            with gzip.open(path, "rb") as handle:
                start = handle.read(64)
        except (EOFError, OSError, zlib.error) as err:
            raise InputError(f"unreadable gzip data ({err})", hint="fetch the file again", path=path) from None
        if compressed and not _is_bgzf(head) and not gzip_is_complete(path):
            raise InputError(
                "truncated or corrupt gzip file", hint="the file was cut short; fetch it again", path=path
            )
    else:
        start = head

    if start.startswith(b"BCF\x02"):
        return _sniff_bcf(path)
    if start.startswith(b"##fileformat=VCF"):
        fmt = InputFormat.VCF if not compressed else (
            InputFormat.VCF_BGZF if _is_bgzf(head) else InputFormat.VCF_GZIP)
        return _sniff_text(path, fmt, compressed)
    with _open_text(path, compressed) as text:
        first = text.readline().rstrip("\n")
        if (first.startswith("#") and "23andMe" in first) or first.lower().startswith("# rsid"):
            return SniffResult(path, InputFormat.RAW_23ANDME)
    shown = first[:60]
    raise InputError(
        f"not a VCF or BCF: first line is {shown!r}",
        hint="a VCF starts with '##fileformat=VCFv4.x'; 23andMe raw files start with '# This data file generated by 23andMe'",
        path=path, line=1,
    )


def _sniff_text(path: Path, fmt: InputFormat, compressed: bool) -> SniffResult:
    result = SniffResult(path, fmt)
    n = 0
    chrom_line = None
    meta_lines: list[str] = []
    with _open_text(path, compressed) as text:
        try:
            for line in text:
                if not line.startswith("#"):
                    result.has_records = bool(line.strip())
                    break
                n += 1
                if line.startswith("##"):
                    meta_lines.append(line.rstrip("\r\n"))
                elif line.startswith("#CHROM"):
                    chrom_line = line.rstrip("\r\n")
            else:
                result.has_records = False
        except (EOFError, OSError, zlib.error):
            raise InputError("truncated or corrupt gzip data inside the header", path=path) from None
    result.header_lines = n
    result.contig_lengths, result.csq_format = _header_facts(meta_lines)
    if chrom_line is None:
        raise InputError(
            "VCF header has no '#CHROM' column line", hint="the header is incomplete", path=path, line=n + 1
        )
    columns = chrom_line.split("\t")
    if columns[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
        raise InputError(
            "the '#CHROM' line does not have the 8 tab-separated VCF columns",
            hint="columns must be separated by tabs, not spaces", path=path, line=n,
        )
    result.samples = columns[9:]
    return result


def _sniff_bcf(path: Path) -> SniffResult:
    import pysam

    pysam.set_verbosity(0)
    try:
        with pysam.VariantFile(str(path)) as bcf:
            header = bcf.header
            samples = list(header.samples)
            lengths = {name: c.length for name, c in header.contigs.items() if c.length}
            csq = header.info["CSQ"].description if "CSQ" in header.info else None
            has_records = next(iter(bcf), None) is not None
    except (OSError, ValueError, StopIteration) as err:
        raise InputError(f"unreadable BCF ({err})", hint="check the file with bcftools view", path=path) from None
    return SniffResult(path, InputFormat.BCF, 0, samples, lengths, has_records, csq)


def read_line(path: Path, line_number: int) -> str | None:
    """Return line ``line_number`` (1-based) of a text VCF, for error messages; None if absent."""
    compressed = open(path, "rb").read(2) == GZIP_MAGIC
    try:
        with _open_text(path, compressed) as text:
            for n, line in enumerate(text, start=1):
                if n == line_number:
                    return line.rstrip("\r\n")
    except (EOFError, OSError, zlib.error):
        return None
    return None
