"""Contig renaming and normalisation with bcftools (through pysam, no external binary).

``bcftools norm -m -any`` splits multi-allelic records into one row per ALT (AD, PL and GT
recoded per allele), ``-f FASTA`` left-aligns and trims indels (Tan, Abecasis & Kang 2015,
Bioinformatics 31:2202), ``--old-rec-tag`` records the original record on every row it
changed, and ``-c x`` drops rows whose REF disagrees with the FASTA. INGEST has already
dropped (and listed) REF mismatches itself, so ``-c x`` should remove nothing; whatever it
does remove is counted from its summary line, never lost silently. ``-c s`` is never used:
it rewrites REF from the FASTA and so changes the meaning of the call without a trace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pysam
import pysam.bcftools

from varrank.core.errors import InputError

OLD_TAG = "OLD_VARIANT"
SUMMARY = re.compile(
    r"Lines\s+total/split/joined/realigned/mismatch_removed/dup_removed/skipped:\s+"
    r"(\d+)/(\d+)/(\d+)/(\d+)/(\d+)/(\d+)/(\d+)")


@dataclass(frozen=True)
class NormSummary:
    total: int = 0
    split: int = 0
    realigned: int = 0
    mismatch_removed: int = 0
    skipped: int = 0


def _bcftools(command: str, args: list[str], what: Path) -> str:
    tool = getattr(pysam.bcftools, command)
    try:
        tool(*args, catch_stdout=False)
    except pysam.SamtoolsError as err:
        detail = [ln for ln in str(err).split("stderr=")[-1].splitlines() if ln.strip()]
        raise InputError(
            f"bcftools {command} failed: {(detail[-1] if detail else str(err))[:200]}",
            hint="check the file with bcftools view", path=what,
        ) from None
    return tool.stderr or ""


def rename_contigs(src: Path, dst: Path, renames: dict[str, str], original: Path) -> None:
    """Rename contigs (e.g. ``17`` -> ``chr17``) to the FASTA's spelling, header included."""
    mapping = dst.with_suffix(".chrmap.tsv")
    mapping.write_text("".join(f"{old}\t{new}\n" for old, new in sorted(renames.items())))
    _bcftools("annotate", ["--rename-chrs", str(mapping), "--no-version", "-O", "u", "-o", str(dst), str(src)],
              original)


def normalise(src: Path, dst: Path, fasta: Path | None, original: Path) -> NormSummary:
    """Split multi-allelics and, given a FASTA, left-align; write uncompressed BCF (text VCF
    without a FASTA) to ``dst``."""
    # Text VCF out when the input may use contigs its header never declared (no FASTA to
    # declare them from): BCF cannot encode those.
    output_type = "u" if fasta is not None else "v"
    args = ["-m", "-any", "--old-rec-tag", OLD_TAG, "--no-version", "-O", output_type, "-o", str(dst)]
    if fasta is not None:
        args += ["-f", str(fasta), "-c", "x"]
    stderr = _bcftools("norm", args + [str(src)], original)
    match = SUMMARY.search(stderr)
    if not match:
        return NormSummary()
    total, split, _joined, realigned, mismatch, _dup, skipped = map(int, match.groups())
    return NormSummary(total, split, realigned, mismatch, skipped)


def bcftools_version() -> str:
    return pysam.version.__bcftools_version__
