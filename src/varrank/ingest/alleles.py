"""Allele-level helpers: classification, validity and the minimal (trimmed) representation."""

from __future__ import annotations

import re

from varrank.core.vocab import VariantType

BASES = re.compile(r"^[ACGTNacgtn]+$")
GVCF_NON_REF = frozenset({"<NON_REF>", "<*>"})


def is_symbolic(alt: str) -> bool:
    """``<DEL>``-style symbolic alleles and breakend notation (``G]17:198982]``)."""
    return alt.startswith("<") or "[" in alt or "]" in alt


def is_valid_allele(allele: str) -> bool:
    return bool(BASES.match(allele)) or allele == "*" or is_symbolic(allele)


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
