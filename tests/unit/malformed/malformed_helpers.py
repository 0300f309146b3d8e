"""Builders and checks shared by the malformed-input corpus and the fuzz tests (a plain module
with a unique name: conftest modules cannot be imported across test folders).

The contract every case checks (docs: "One error policy"): bad input exits 2 with one line
``varrank <command>: error: <file>[:<line>]: <problem>`` and one ``hint: ...`` line, never a
traceback; a bad record is dropped, counted in the ledger with its reason, and every other
record comes through.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pysam

CONTIGS = {"chr1": 3000, "chr2": 2000}
# htslib's warnings are silenced at -q; logging's own warnings have this shape.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ varrank (WARNING|INFO|DEBUG) ")
HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
##INFO=<ID=END,Number=1,Type=Integer,Description="End of a reference block">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
"""


def sequence(name: str, length: int) -> str:
    rng = random.Random(f"malformed-{name}")
    return "".join(rng.choice("ACGT") for _ in range(length))


def write_fasta(path: Path) -> Path:
    with open(path, "w") as handle:
        for name, length in CONTIGS.items():
            seq = sequence(name, length)
            handle.write(f">{name}\n" + "".join(seq[i:i + 60] + "\n" for i in range(0, length, 60)))
    pysam.faidx(str(path))
    return path


@dataclass
class Record:
    chrom: str
    pos: int
    alt: str = ""
    gt: str = "0/1"
    filter: str = "PASS"
    info: str = "DP=30"
    fmt: str = "GT:DP:GQ"
    sample: str = ""

    @property
    def ref(self) -> str:
        return sequence(self.chrom, CONTIGS[self.chrom])[self.pos - 1]

    def line(self) -> str:
        alt = self.alt or {"A": "G", "C": "T", "G": "A", "T": "C"}[self.ref]
        sample = self.sample or f"{self.gt}:30:99"
        return "\t".join([self.chrom, str(self.pos), ".", self.ref, alt, "50", self.filter,
                          self.info, self.fmt, sample])


def good_records(n: int = 12) -> list[Record]:
    """Sorted het SNVs whose REF is the small reference's base: each must reach the table."""
    step = 150 if n <= 18 else 2800 // n
    chr1 = [Record("chr1", 100 + step * i) for i in range(n - 3)]
    return chr1 + [Record("chr2", 200 + 300 * i) for i in range(3)]


def vcf_text(lines: Sequence[str], samples: Sequence[str] = ("S1",), header: str = HEADER) -> str:
    contigs = "".join(f"##contig=<ID={c},length={n}>\n" for c, n in CONTIGS.items())
    chrom = "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples])
    return header + contigs + chrom + "\n" + "".join(f"{line}\n" for line in lines)


def header_line_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.startswith("#"))


def write_vcf(path: Path, text: str | bytes, compress: str | None = None) -> Path:
    """``compress``: None (plain), 'bgzip', 'gzip' or 'bcf'."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    plain = path.with_suffix(".vcf") if compress else path
    plain.write_bytes(data)
    if compress is None:
        return plain
    if compress == "gzip":
        out = path.with_suffix(".plain.vcf.gz")
        out.write_bytes(gzip.compress(data, mtime=0))
        return out
    if compress == "bgzip":
        out = path.with_suffix(".vcf.gz")
        pysam.tabix_compress(str(plain), str(out), force=True)
        return out
    if compress == "bcf":
        out = path.with_suffix(".bcf")
        pysam.bcftools.view("-O", "b", "-o", str(out), str(plain), catch_stdout=False)
        return out
    raise ValueError(compress)


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        """stderr without logging's WARNING/INFO lines."""
        return [ln for ln in self.stderr.strip().splitlines() if ln and not LOG_LINE.match(ln)]


def assert_one_line_error(result: CliResult, command: str, path: Path | str, *fragments: str,
                          line: int | None = None) -> str:
    """Exit 2; exactly 'varrank COMMAND: error: PATH[:LINE]: ...' plus 'hint: ...'; no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code == 2, (result.code, result.stderr)
    lines = result.lines
    assert len(lines) == 2, result.stderr
    error, hint = lines
    where = f"{path}:{line}:" if line is not None else f"{path}"
    assert error.startswith(f"varrank {command}: error: {where}"), (where, error)
    assert hint.startswith("hint: ") and len(hint) > len("hint: "), hint
    for fragment in fragments:
        assert fragment in error, (fragment, error)
    return error


@dataclass
class IngestOutcome:
    keys: list[tuple[str, int]]
    ledger: dict
    dropped: list[list[str]] = field(default_factory=list)


def read_ingest(out: Path, patient: str = "P1") -> IngestOutcome:
    table = pq.read_table(out / f"{patient}.ingest.parquet")
    ledger = json.loads((out / f"{patient}.ingest.ledger.json").read_text())
    with gzip.open(out / f"{patient}.ingest.dropped.tsv.gz", "rt") as handle:
        dropped = [row.rstrip("\n").split("\t") for row in handle][1:]
    keys = list(zip(table.column("chrom").to_pylist(), table.column("pos").to_pylist()))
    return IngestOutcome(keys, ledger, dropped)


def assert_balanced(outcome: IngestOutcome) -> None:
    ledger = outcome.ledger
    assert ledger["balanced"] is True
    assert ledger["records_in"] + sum(ledger["added"].values()) == \
        ledger["records_out"] + sum(ledger["dropped"].values())
    assert len(outcome.dropped) == sum(ledger["dropped"].values())
