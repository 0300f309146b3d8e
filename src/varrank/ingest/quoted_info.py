"""INFO columns wrapped in double quotes: a real-world export oddity, repaired with a note.

Some tools that write VCFs through a table library (R's ``write.table`` with its default
``quote=TRUE``, spreadsheet exports) wrap text columns in double quotes, so INFO reads
``"AC=1;AN=1073"``. htslib then sees an INFO key named ``"AC`` and refuses the record, which
would stop INGEST on the first line of an otherwise valid file (the 1000 Genomes HG00097
chrMT calls that mitoreport ships are such a file). The quotes are not part of any value
(the VCF 4.3 INFO grammar has no quoting), so INGEST reads a copy of the file with them
removed, line for line (line numbers stay those of the original), and says so in the
ledger. Only an INFO column that both starts and ends with a quote and has no other quote
inside is changed; every other byte is copied as it is.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from varrank.ingest.sniff import SniffResult

PROBE_RECORDS = 100  # record lines looked at before deciding a copy is needed
INFO_COLUMN = 7


def _unquoted(line: bytes) -> bytes | None:
    """The line with its INFO column's wrapping quotes removed; None when it has none."""
    cols = line.split(b"\t")
    if len(cols) <= INFO_COLUMN:
        return None
    info = cols[INFO_COLUMN].rstrip(b"\r\n")
    if len(info) < 2 or info[:1] != b'"' or info[-1:] != b'"' or b'"' in info[1:-1]:
        return None
    cols[INFO_COLUMN] = cols[INFO_COLUMN].replace(info, info[1:-1] or b".", 1)
    return b"\t".join(cols)


def _open(path: Path, compressed: bool):
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _records(handle):
    """The lines after the '#CHROM' line."""
    for raw in handle:
        if raw[:1] == b"#" and raw[1:2] != b"#":
            break
    yield from handle


def has_quoted_info(sniffed: SniffResult) -> bool:
    """Whether one of the first record lines has a quoted INFO column."""
    if not sniffed.is_text:
        return False
    with _open(sniffed.path, sniffed.format.value.startswith("vcf.gz")) as handle:
        for n, raw in enumerate(_records(handle)):
            if n >= PROBE_RECORDS:
                break
            if _unquoted(raw) is not None:
                return True
    return False


def unquote_copy(sniffed: SniffResult, dest: Path) -> int:
    """Write ``sniffed.path`` to ``dest`` (plain text) with quoted INFO columns unquoted;
    return how many record lines were changed."""
    changed = 0
    with _open(sniffed.path, sniffed.format.value.startswith("vcf.gz")) as src, \
            open(dest, "wb") as out:
        for raw in src:  # the header, '#CHROM' line included, as it is
            out.write(raw)
            if raw[:1] == b"#" and raw[1:2] != b"#":
                break
        for raw in src:
            fixed = _unquoted(raw)
            if fixed is None:
                out.write(raw)
            else:
                out.write(fixed)
                changed += 1
    return changed


def note(changed: int) -> str:
    """The ledger note for a repaired file."""
    return (f"{changed} record(s) had their INFO column wrapped in double quotes (an export "
            "oddity, e.g. R write.table); the quotes were removed before reading, values kept")
