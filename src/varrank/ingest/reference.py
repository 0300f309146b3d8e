"""The reference FASTA: contig names and lengths, build inference, and the build check.

Contig lengths are the only reliable build signal: a VCF header's ``##reference`` line is
free text and often wrong (several files in the test data say GRCh37 over GRCh38
coordinates). A VCF whose ``##contig`` lengths disagree with the FASTA's .fai was called on
another assembly, and normalising it against this FASTA would silently corrupt every indel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pysam

from varrank.core.errors import InputError, ResourceError
from varrank.core.genome import bare_name, canonical_build, contig_mapper, infer_build


@dataclass
class Reference:
    path: Path
    lengths: dict[str, int]
    mapper: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.mapper = contig_mapper(self.lengths)

    @cached_property
    def build(self) -> str | None:
        return infer_build(self.lengths)

    @cached_property
    def fasta(self) -> pysam.FastaFile:
        return pysam.FastaFile(str(self.path))

    def fetch(self, contig: str, start0: int, end0: int) -> str:
        return self.fasta.fetch(contig, start0, end0)


def open_reference(path: str | Path) -> Reference:
    """Open a FASTA (plain or bgzip) with its .fai, creating the index when it is missing."""
    path = Path(path)
    if not path.is_file():
        raise ResourceError("reference FASTA not found", hint="check --fasta", path=path)
    with open(path, "rb") as handle:
        head = handle.read(18)
    if head[:2] == b"\x1f\x8b" and head[12:14] != b"BC":
        raise ResourceError(
            "reference FASTA is plain-gzip compressed; random access needs bgzip",
            hint=f"zcat {path.name} | bgzip > {path.stem}.gz && samtools faidx {path.stem}.gz", path=path,
        )
    fai = Path(f"{path}.fai")
    if not fai.exists():
        try:
            pysam.faidx(str(path))
        except (pysam.SamtoolsError, OSError) as err:
            raise ResourceError(
                f"FASTA has no .fai index and one could not be created ({str(err).splitlines()[0][:120]})",
                hint=f"run: samtools faidx {path}", path=path,
            ) from None
    try:  # htslib reads the .fai: names and lengths in the index's order
        with pysam.FastaFile(str(path)) as fasta:
            lengths = dict(zip(fasta.references, fasta.lengths))
    except (OSError, ValueError) as err:
        raise ResourceError(f"unreadable FASTA or .fai ({err})", hint=f"samtools faidx {path}",
                            path=path) from None
    return Reference(path, lengths)


def check_build(
    vcf_path: Path,
    vcf_lengths: dict[str, int],
    reference: Reference | None,
    declared: str | None = None,
) -> str | None:
    """Refuse a VCF whose header contig lengths disagree with the FASTA; return the build.

    ``declared`` (``--genome``) must agree with what the lengths say. The returned build is
    the FASTA's when it is recognisable, else the VCF header's, else the declared one.
    """
    try:
        declared = canonical_build(declared) if declared else None
    except ValueError as err:
        raise InputError(str(err), hint="--genome takes GRCh37 or GRCh38 (or hg19/hg38/b37/b38)") from None
    vcf_build = infer_build(vcf_lengths)
    if reference is not None:
        mismatches = []
        for name, length in vcf_lengths.items():
            target = reference.mapper.get(name)
            if target is not None and reference.lengths[target] != length:
                mismatches.append((name, length, target, reference.lengths[target]))
        if mismatches:
            name, length, target, ref_length = mismatches[0]
            raise InputError(
                f"build mismatch: VCF contig {name} has length {length} "
                f"({vcf_build or 'unknown build'}) but FASTA {target} has {ref_length} "
                f"({reference.build or 'unknown build'}); {len(mismatches)} contig(s) differ",
                hint="give the FASTA of the build the VCF was called on, or lift the VCF over first",
                path=vcf_path,
            )
    ref_build = reference.build if reference is not None else None
    found = ref_build or vcf_build
    if declared and found and declared != found:
        raise InputError(
            f"--genome {declared} but the contig lengths of the "
            f"{'FASTA' if ref_build else 'VCF header'} are {found}",
            hint="fix --genome or use the matching reference", path=vcf_path,
        )
    return found or declared


def primary_x(contigs) -> str | None:
    """Name of the X chromosome among ``contigs`` (``X`` or ``chrX``), if present."""
    for name in contigs:
        if bare_name(name) == "X":
            return name
    return None
