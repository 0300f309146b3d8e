"""Reading a reference FASTA's contigs, with the build check every resource builder needs.

A bundle or snpEff database built against a FASTA of the other build would annotate every
variant wrongly without failing, so the build is inferred from contig lengths and refused
when it disagrees with the one asked for.
"""

from __future__ import annotations

from pathlib import Path

import pysam

from varrank.core.errors import ResourceError
from varrank.core.genome import infer_build


def fasta_contig_lengths(fasta: Path, genome: str) -> dict[str, int]:
    """Contig -> length of an indexed FASTA; refuses a FASTA whose lengths say another build."""
    try:
        with pysam.FastaFile(str(fasta)) as handle:
            lengths = dict(zip(handle.references, handle.lengths))
    except (OSError, ValueError) as err:
        raise ResourceError(f"cannot open the reference FASTA: {err}",
                            hint="the FASTA needs a .fai index (samtools faidx) in a writable "
                                 "folder, and .gzi when bgzipped", path=fasta) from None
    inferred = infer_build(lengths)
    if inferred and inferred != genome:
        raise ResourceError(f"the reference FASTA is {inferred} but {genome} was asked for",
                            hint="use the FASTA of the same build as --genome", path=fasta)
    return lengths
