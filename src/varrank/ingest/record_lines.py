"""Each record line of a text VCF as bytes, read beside htslib, so a bad line is dropped
before anything touches the record htslib made of it.

Why a second reader: cyvcf2 hands back a half-built record for some lines htslib could not
parse (a blank line, a '#' line among the records, an undeclared contig followed by too few
columns), and reading that record's REF crashes the process (SIGSEGV). htslib also accepts,
without a word, records with more or fewer sample columns than the '#CHROM' line. htslib
reads exactly one line per record, so reading the same lines here (split on '\\n' only, one
count of tabs per line) tells which line each record came from and whether it is whole. A
record line is whole when it has the header's number of tab-separated columns, a POS of
digits and UTF-8 text (VCF 4.3, 1.2); blank and '#' lines are not records at all.
"""

from __future__ import annotations

import gzip
import re
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from varrank.core.errors import InputError
from varrank.ingest import reasons
from varrank.ingest.sniff import GZIP_MAGIC

# Not records: skipped (one next() of htslib each), counted in a ledger note.
BLANK_LINE = "blank line"
COMMENT_LINE = "'#' line"
# htslib gives up on (or half-parses) a record whose POS is not a number; INGEST stops with
# the line named, as it always has for a record htslib cannot parse.
BAD_POS = "bad_pos"
POS_DIGITS_MAX = 18  # htslib reads POS into 62 bits; more digits overflow
CONTIG_NAME = re.compile(rb"[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*")


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line after the header."""

    number: int
    problem: str  # BLANK_LINE, COMMENT_LINE, BAD_POS or a reasons.* code
    detail: str = ""
    fields: tuple[str, str, str, str] = ("", "", "", "")  # CHROM, POS, REF, ALT for the dropped list

    @property
    def is_record(self) -> bool:
        return self.problem not in (BLANK_LINE, COMMENT_LINE)


class RecordLines:
    """The lines after the '#CHROM' line of a plain or gzip/bgzip text VCF, each with its
    number, its problem (None for a whole record line) and, the first time a record uses a
    contig the header does not declare, that contig's name: the caller declares it to htslib
    before htslib parses the line. (cyvcf2 returns a half-built record, which crashes the
    process, for any line that fails to parse after its contig was found undeclared.)
    ``divert`` copies the header, those contigs and the remaining whole lines to a file htslib
    can read instead, once a bad line shows that it must not see the original."""

    def __init__(self, path: Path, columns: int, contigs: set[str]) -> None:
        self.path, self.columns = path, columns
        self.contigs = {c.encode() for c in contigs}
        self.added: list[str] = []  # contigs declared on the way, in order
        with open(path, "rb") as probe:
            self.compressed = probe.read(2) == GZIP_MAGIC
        self.number = self.header_lines = 0
        self.raw: bytes | None = None  # the line just yielded
        self._handle = None

    def _open(self):
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")

    def __iter__(self) -> Iterator[tuple[int, LineProblem | None, str | None]]:
        with self._open() as handle:
            self._handle = handle
            with self._gzip_errors():
                self.header_lines = number = _skip_header(handle)
                tabs, contigs = self.columns - 1, self.contigs
                for raw in handle:
                    number += 1
                    self.number, self.raw = number, raw
                    # The hot path: a whole line on a known contig, checked with C-level scans.
                    if raw.count(b"\t") == tabs and raw[:1] not in (b"\t", b"#") and b"\t\t" not in raw \
                            and b"\x00" not in raw and raw.isascii() and not raw.endswith((b"\t\n", b"\t\r\n", b"\t")):
                        chrom, pos, _ = raw.split(b"\t", 2)
                        if chrom in contigs and pos.isdigit() and len(pos) <= POS_DIGITS_MAX:
                            yield number, None, None
                            continue
                    yield number, *self._check(raw)

    def _check(self, raw: bytes) -> tuple[LineProblem | None, str | None]:
        problem = classify(raw, self.number, self.columns)
        if problem is not None:
            return problem, None
        chrom = raw[:raw.index(b"\t")]
        if chrom in self.contigs:
            return None, None
        if not CONTIG_NAME.fullmatch(chrom):
            return LineProblem(self.number, reasons.INVALID_CONTIG_NAME,
                               "not a valid contig name (VCF 4.3, 1.4.7)", fields_of(raw.rstrip(b"\r\n"))), None
        self.contigs.add(chrom)
        self.added.append(chrom.decode())
        return None, self.added[-1]

    def divert(self, dest: Path, first: LineProblem) -> dict[int, LineProblem]:
        """Write the header (with the contigs declared so far or used by the lines left) and
        every whole line after ``first`` (the line just read) to ``dest``; return the problems
        of the lines left out, by line number (``first`` included). ``self.number`` is then
        the file's last line."""
        problems = {first.number: first}
        body = dest.with_suffix(".body")
        with open(body, "wb") as out, self._gzip_errors():
            for raw in self._handle:
                self.number += 1
                problem, _ = self._check(raw)
                if problem is None:
                    out.write(raw if raw.endswith(b"\n") else raw + b"\n")
                else:
                    problems[self.number] = problem
        with open(dest, "wb") as out, self._gzip_errors():
            with self._open() as head:
                for n, raw in enumerate(head, start=1):
                    if n == self.header_lines:
                        out.writelines(f"##contig=<ID={name}>\n".encode() for name in self.added)
                        out.write(raw)
                        break
                    out.write(raw)
            with open(body, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
        body.unlink()
        return problems

    @contextmanager
    def _gzip_errors(self):
        try:
            yield
        except (EOFError, OSError, zlib.error):
            raise InputError("truncated or corrupt gzip data", hint="the file was cut short; fetch it again",
                             path=self.path, line=self.number + 1) from None


def _skip_header(handle) -> int:
    """Lines up to and including the first with a single '#', where htslib's header ends."""
    number = 0
    for raw in handle:
        number += 1
        if raw[:1] == b"#" and raw[1:2] != b"#":
            break
    return number


def classify(raw: bytes, number: int, columns: int) -> LineProblem | None:
    """None for a whole record line (the hot path: one count, one split); else the problem."""
    line = raw.rstrip(b"\n")
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line.strip():
        return LineProblem(number, BLANK_LINE)
    if line[:1] == b"#":
        return LineProblem(number, COMMENT_LINE, _shown(line[:60]))
    found = line.count(b"\t") + 1
    if found != columns:
        return LineProblem(number, reasons.WRONG_COLUMN_COUNT,
                           f"{found} tab-separated columns, the #CHROM line has {columns}", fields_of(line))
    if b"\t\t" in line or line[:1] == b"\t" or line[-1:] == b"\t":
        return LineProblem(number, reasons.EMPTY_COLUMN, "a column is empty (a missing value is '.')",
                           fields_of(line))
    if b"\x00" in line:
        return LineProblem(number, reasons.NUL_CHARACTER, f"NUL byte at column {line.index(0) + 1}",
                           fields_of(line))
    pos = line.split(b"\t", 2)[1]
    if not pos.isdigit() or len(pos) > POS_DIGITS_MAX:
        return LineProblem(number, BAD_POS, _shown(line[:80]), fields_of(line))
    if not line.isascii():
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as err:
            return LineProblem(number, reasons.NOT_UTF8,
                               f"byte {line[err.start:err.start + 1]!r} at column {err.start + 1} "
                               "is not UTF-8", fields_of(line))
    return None


def fields_of(line: bytes) -> tuple[str, str, str, str]:
    parts = (line.split(b"\t", 5) + [b""] * 5)[:5]
    return _shown(parts[0]), _shown(parts[1]), _shown(parts[3]), _shown(parts[4])


def _shown(value: bytes) -> str:
    return value[:50].decode("utf-8", "replace")
