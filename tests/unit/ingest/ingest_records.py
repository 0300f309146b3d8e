"""VCF records and text for the ingest tests (a plain module: conftest modules share one name
across test folders, so tests must not import from them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A reference whose sequence the tests know: random bases with a poly-A run at 101-110
# (1-based), where an indel has many equivalent positions and must be left-aligned to 100.
SMALL_CONTIGS = {"chr1": 2000, "chr2": 1500}


@dataclass
class Rec:
    chrom: str
    pos: int
    ref: str
    alt: str
    gts: Sequence[str] = ("0/1",)
    id: str = "."
    filter: str = "PASS"
    info: str = "."
    fmt: str = "GT"

    def line(self) -> str:
        return "\t".join([self.chrom, str(self.pos), self.id, self.ref, self.alt, "60", self.filter,
                          self.info, self.fmt, *self.gts])


VCF_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##INFO=<ID=END,Number=1,Type=Integer,Description="End of a reference block">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">
"""


def vcf_text(records: Sequence[Rec | str], samples: Sequence[str] = ("S1",),
             contigs: dict[str, int] | None = None) -> str:
    contigs = SMALL_CONTIGS if contigs is None else contigs
    lines = [VCF_HEADER.rstrip("\n")]
    lines += [f"##contig=<ID={name},length={length}>" for name, length in contigs.items()]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                            *(["FORMAT", *samples] if samples else [])]))
    lines += [r if isinstance(r, str) else r.line() for r in records]
    return "\n".join(lines) + "\n"
