"""Allele classes: what a REF or ALT string is, one rule for every stage.

VCF 4.3 (section 1.6.1) allows A/C/G/T/N bases (any case) in REF and ALT, ``*`` for an
allele missing because of an upstream deletion, ``<ID>`` symbolic alleles, breakends
(``G]17:198982]``) and ``.`` for no ALT. Reference FASTAs also carry IUPAC ambiguity codes
(R, Y, ...), which a caller may copy into REF; they are a class of their own so a stage can
say "ambiguous base" instead of "not DNA". INGEST keeps sequence alleles and drops the rest
with a reason; ANNOTATE hands only sequence alleles to an annotator; SCORE needs unambiguous
A/C/G/T. The regular expressions below are shared by Python (``re``) and Arrow
(``pyarrow.compute.match_substring_regex``, RE2) column-wise checks.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from varrank.core.vocab import StrEnum, VariantType

SEQUENCE_PATTERN = r"^[ACGTNacgtn]+$"
SEQUENCE_LIST_PATTERN = r"^[ACGTNacgtn]+(?:,[ACGTNacgtn]+)*$"  # a comma-joined ALT column
# a comma-joined ALT column holding a symbolic allele, a breakend or a spanning deletion
NON_SEQUENCE_LIST_PATTERN = r"(^|,)<|\[|\]|(^|,)\*(,|$)"
SPANNING_DELETION = "*"
MISSING_ALLELES = frozenset({".", ""})
GVCF_NON_REF = frozenset({"<NON_REF>", "<*>"})
IUPAC_AMBIGUITY = frozenset("RYSWKMBDHVryswkmbdhv")

_SEQUENCE = re.compile(SEQUENCE_PATTERN)
_IUPAC = re.compile(r"^[ACGTNRYSWKMBDHVacgtnryswkmbdhv]+$")


class AlleleClass(StrEnum):
    SEQUENCE = "sequence"                    # A/C/G/T/N, any case
    IUPAC = "iupac"                          # bases with at least one ambiguity code
    SPANNING_DELETION = "spanning_deletion"  # '*'
    SYMBOLIC = "symbolic"                    # <DEL>, <CN0>, <NON_REF>, ...
    BREAKEND = "breakend"                    # G]17:198982], [13:123457[T
    MISSING = "missing"                      # '.' or empty
    OTHER = "other"                          # anything else: not an allele


def allele_class(allele: str) -> AlleleClass:
    if _SEQUENCE.match(allele):
        return AlleleClass.SEQUENCE
    if allele in MISSING_ALLELES:
        return AlleleClass.MISSING
    if allele == SPANNING_DELETION:
        return AlleleClass.SPANNING_DELETION
    if allele.startswith("<"):
        return AlleleClass.SYMBOLIC
    if "[" in allele or "]" in allele:
        return AlleleClass.BREAKEND
    if _IUPAC.match(allele):
        return AlleleClass.IUPAC
    return AlleleClass.OTHER


def is_sequence(allele: str) -> bool:
    return bool(_SEQUENCE.match(allele))


def is_symbolic(alt: str) -> bool:
    """``<DEL>``-style symbolic alleles and breakend notation (``G]17:198982]``)."""
    return alt.startswith("<") or "[" in alt or "]" in alt


def is_valid_allele(allele: str) -> bool:
    """What a VCF record may carry: sequence, '*', symbolic or breakend."""
    return is_sequence(allele) or allele == SPANNING_DELETION or is_symbolic(allele)


def sequence_mask(alleles: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Column-wise :func:`is_sequence` (nulls are not sequences)."""
    ok = pc.match_substring_regex(alleles, SEQUENCE_PATTERN)
    return pc.fill_null(ok, False).to_numpy(zero_copy_only=False)


def variant_type(ref: str, alt: str) -> VariantType:
    """SNV, MNV, insertion, deletion or complex, on a normalised biallelic pair."""
    if len(ref) == len(alt):
        return VariantType.SNV if len(ref) == 1 else VariantType.MNV
    if len(ref) < len(alt) and alt.startswith(ref):
        return VariantType.INSERTION
    if len(alt) < len(ref) and ref.startswith(alt):
        return VariantType.DELETION
    return VariantType.COMPLEX


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Drop shared suffix then shared prefix, keeping one base: split-only representation.

    This is what splitting without a reference yields; a normalised row that differs from it
    was moved by left-alignment.
    """
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


TRANSITIONS = frozenset({("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")})


def is_transition(ref: str, alt: str) -> bool:
    return (ref, alt) in TRANSITIONS
