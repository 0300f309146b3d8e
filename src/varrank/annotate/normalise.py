"""Normalising database records the same way INGEST normalises the patient's: split, left-align.

An exact-allele join is only as good as the agreement of the two sides' representations
(Tan et al. 2015, Bioinformatics 31:2202, "Unified representation of genetic variants"): an
indel written right-shifted in a database never meets its left-aligned patient twin. Both
sides therefore go through bcftools norm (htslib, through pysam), the sources with the same
reference FASTA as the patient's when one is given.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pysam
import pysam.bcftools as bcftools

from varrank.core.errors import ResourceError

log = logging.getLogger(__name__)


def bcftools_version() -> str:
    from pysam import version

    return f"bcftools {version.__bcftools_version__} (pysam {pysam.__version__})"


def normalise_vcf(src: Path, dst: Path, fasta: Path | None, origin: Path) -> None:
    """Split multi-allelics and, with a FASTA, left-align and check REF against it.

    ``origin`` is the user's file, named in errors (``src`` is our cleaned copy of it).
    A REF mismatch is an error, not a warning: it means the source and the reference are
    different builds or the coordinates are shifted, and every join would be wrong.
    """
    # Uncompressed BCF: the cheapest format for the bcftools query that reads it next.
    args = ["-m", "-any", "-O", "u", "-o", str(dst)]
    if fasta is not None:
        args += ["-f", str(fasta), "-c", "e"]
    # Our cleaned header declares INFO values as text on purpose; htslib's "should be declared
    # as Type=Float" warnings would only be noise (errors are still reported).
    previous = pysam.set_verbosity(1)
    try:
        bcftools.norm(*args, str(src), catch_stdout=False)
    except pysam.utils.SamtoolsError as err:
        detail = str(err).split("stderr=", 1)[-1].strip().splitlines()
        first = next((line for line in detail if line.strip()), "unknown error")
        hint = ("the source and the reference FASTA disagree: wrong genome build, or coordinates "
                "shifted" if "mismatch" in first.lower() else "check the file with bcftools view")
        raise ResourceError(f"bcftools norm failed: {first}", hint=hint, path=origin) from None
    finally:
        pysam.set_verbosity(previous)


def query_tsv(src: Path, dst: Path, fmt: str, origin: Path) -> None:
    """Extract the columns the bundle stores as TSV (missing values as '.')."""
    previous = pysam.set_verbosity(1)
    try:
        bcftools.query("-f", fmt, "-o", str(dst), str(src), catch_stdout=False)
    except pysam.utils.SamtoolsError as err:
        raise ResourceError(f"bcftools query failed: {str(err)[-300:]}", path=origin) from None
    finally:
        pysam.set_verbosity(previous)
