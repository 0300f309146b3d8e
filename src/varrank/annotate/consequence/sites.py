"""The sites-only VCF that an external annotator (snpEff, VEP) reads.

The row index goes into the ID column so that the annotator's output can be matched back to
the table row by row, whatever the annotator does to the alleles' spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def write_sites_vcf(path: Path, records: Iterable[tuple[str, int, str, str]]) -> Path:
    """Write (chrom, pos, ref, alt) records as a minimal VCF with the row index as ID."""
    with open(path, "w") as out:
        out.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i, (chrom, pos, ref, alt) in enumerate(records):
            out.write(f"{chrom}\t{pos}\t{i}\t{ref}\t{alt}\t.\t.\t.\n")
    return path
