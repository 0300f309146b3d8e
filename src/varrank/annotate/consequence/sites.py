"""The sites-only VCF that an external annotator (snpEff, VEP) reads.

The row index goes into the ID column so that the annotator's output can be matched back to
the table row by row, whatever the annotator does to the alleles' spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def write_sites_vcf(path: Path, records: Iterable[tuple[str, int, str, str]]) -> Path:
    """Write (chrom, pos, ref, alt) records as a minimal VCF with the row index as ID."""
    with open(path, "w") as out:
        out.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i, (chrom, pos, ref, alt) in enumerate(records):
            out.write(f"{chrom}\t{pos}\t{i}\t{ref}\t{alt}\t.\t.\t.\n")
    return path


@dataclass
class AnnotatedSites:
    """An annotator's output VCF read back: row index -> the INFO value it added."""

    values: dict[int, str]
    info_description: str | None   # the header's Description of that INFO key
    header_lines: list[str]


def read_annotated_sites(path: Path, key: str) -> AnnotatedSites:
    """Read INFO/``key`` (ANN or CSQ) per row of the annotator's output with cyvcf2.

    The ID column carries the row index that :func:`write_sites_vcf` put there."""
    import cyvcf2

    reader = cyvcf2.VCF(str(path))
    try:
        values = {}
        for record in reader:
            value = record.INFO.get(key)
            if value is not None:
                values[int(record.ID)] = value if isinstance(value, str) else ",".join(value)
        try:
            description = reader.get_header_type(key).get("Description", "").strip('"')
        except KeyError:
            description = None
        return AnnotatedSites(values, description, reader.raw_header.splitlines())
    finally:
        reader.close()
