"""Checks an allele must pass before SpliceAI sees it; each failure is a ledger reason.

The original tool logs a warning and moves on for most of these; here each becomes a
``skipped:<reason>`` status on the row and a count in the ledger, so a clinician can see that
a variant has no splice score because its context ran off the contig, not because it is
harmless. Order follows the original (contig, window, REF, length, allele shape).
"""

from __future__ import annotations

from dataclasses import dataclass

from varrank.core.alleles import AlleleClass, allele_class
from varrank.score.sequence import ReferenceGenome
from varrank.score.spliceai import FLANK

# what a sequence model cannot read at all; IUPAC codes pass here and are named below
NOT_BASES = frozenset({AlleleClass.MISSING, AlleleClass.SPANNING_DELETION, AlleleClass.SYMBOLIC,
                       AlleleClass.BREAKEND, AlleleClass.OTHER})


def _not_bases(ref: str, alt: str) -> bool:
    return allele_class(ref) in NOT_BASES or allele_class(alt) in NOT_BASES


@dataclass(frozen=True)
class Limits:
    distance: int = 50
    max_n_fraction: float = 0.1
    max_alt_length: int = FLANK


def _fasta_contig(genome: ReferenceGenome, chrom: str, ref: str,
                  alt: str) -> tuple[str | None, str | None]:
    """(FASTA contig, None), or (None, why) when the allele or its contig cannot be read."""
    if _not_bases(ref, alt):
        return None, "symbolic_or_missing_allele"
    contig = genome.contig(chrom)
    return (contig, None) if contig is not None else (None, "contig_not_in_fasta")


def check_basic(genome: ReferenceGenome, chrom: str, pos: int, ref: str,
                alt: str) -> tuple[str | None, str | None]:
    """Allele shape, contig and REF checks every sequence model needs."""
    contig, skip = _fasta_contig(genome, chrom, ref, alt)
    if skip is not None:
        return None, skip
    if pos < 1 or pos + len(ref) - 1 > genome.lengths[contig]:
        return contig, "outside_contig"
    if genome.fetch(contig, pos, pos + len(ref) - 1) != ref.upper():
        return contig, "ref_mismatch_with_fasta"
    if set(ref.upper() + alt.upper()) - set("ACGT"):
        return contig, "ambiguous_base_in_allele"
    return contig, None


def check_allele(genome: ReferenceGenome, chrom: str, pos: int, ref: str, alt: str,
                 limits: Limits) -> tuple[str | None, str | None]:
    """Return (fasta contig, None) when scorable, else (contig or None, reason)."""
    contig, skip = _fasta_contig(genome, chrom, ref, alt)
    if skip is not None:
        return None, skip
    half = FLANK + limits.distance
    length = genome.lengths[contig]
    if pos - half < 1 or pos + half > length:
        return contig, "near_contig_end"
    if genome.fetch(contig, pos, pos + len(ref) - 1) != ref.upper():
        return contig, "ref_mismatch_with_fasta"
    if len(ref) > 2 * limits.distance:
        return contig, f"ref_longer_than_{2 * limits.distance}bp"
    if len(alt) > limits.max_alt_length:
        return contig, f"alt_longer_than_{limits.max_alt_length}bp"
    if len(ref) > 1 and len(alt) > 1:
        return contig, "mnv_or_complex_not_scored_by_spliceai"
    if set(ref.upper() + alt.upper()) - set("ACGT"):
        return contig, "ambiguous_base_in_allele"
    window = genome.fetch(contig, pos - half, pos + half)
    if window.count("N") > limits.max_n_fraction * len(window):
        return contig, "n_rich_context"
    return contig, None


def check_pangolin_allele(genome: ReferenceGenome, chrom: str, pos: int, ref: str, alt: str,
                          limits: Limits) -> tuple[str | None, str | None]:
    """The original Pangolin CLI's allele rules, with varrank's window checks.

    Pangolin scores SNVs, MNVs (equal lengths) and indels whose REF or ALT is one base; its
    window is 5,000 + D bases each side of the whole REF allele.
    """
    contig, reason = check_basic(genome, chrom, pos, ref, alt)
    if reason is not None:
        return contig, reason
    if len(ref) > 1 and len(alt) > 1 and len(ref) != len(alt):
        return contig, "complex_indel_not_scored_by_pangolin"
    if len(ref) > 2 * limits.distance:
        return contig, f"ref_longer_than_{2 * limits.distance}bp"
    if len(alt) > limits.max_alt_length:
        return contig, f"alt_longer_than_{limits.max_alt_length}bp"
    half = FLANK + limits.distance
    if pos - half < 1 or pos + len(ref) - 1 + half > genome.lengths[contig]:
        return contig, "near_contig_end"
    window = genome.fetch(contig, pos - half, pos + len(ref) - 1 + half)
    if window.count("N") > limits.max_n_fraction * len(window):
        return contig, "n_rich_context"
    return contig, None
