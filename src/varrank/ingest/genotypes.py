"""Genotype fields of one sample on one split (biallelic) row.

After ``bcftools norm -m -any`` each row has one ALT, so allele 1 is "this ALT" and any other
allele of the original record has become 0; zygosity is therefore relative to this allele.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from varrank.core.vocab import Zygosity

INT32_MISSING = np.iinfo(np.int32).min  # htslib's missing integer as numpy shows it
INT32_VECTOR_END = INT32_MISSING + 1


@dataclass(frozen=True)
class Genotype:
    gt: str | None
    zygosity: Zygosity
    phased: bool | None


def genotype(alleles: list[int], phased: bool) -> Genotype:
    """From cyvcf2's allele list (``-1`` = missing) to GT text and zygosity."""
    return _genotype(tuple(alleles), bool(phased))


@lru_cache(maxsize=4096)  # a VCF has a handful of distinct genotypes; this is the hot path
def _genotype(alleles: tuple[int, ...], phased: bool) -> Genotype:
    calls = [a for a in alleles if a != INT32_VECTOR_END]
    if not calls:
        return Genotype(None, Zygosity.NO_CALL, None)
    sep = "|" if phased else "/"
    gt = sep.join("." if a < 0 else str(a) for a in calls)
    n_alt = sum(1 for a in calls if a > 0)
    missing = any(a < 0 for a in calls)
    if n_alt == 0:
        zygosity = Zygosity.NO_CALL if missing else Zygosity.HOM_REF
    elif len(calls) == 1:
        zygosity = Zygosity.HEMI
    elif n_alt == len(calls):
        zygosity = Zygosity.HOM_ALT
    else:
        zygosity = Zygosity.HET  # includes ./1: one ALT observed, the other unknown
    return Genotype(gt, zygosity, bool(phased) if len(calls) > 1 else None)


def int_field(values: np.ndarray | None, sample: int, column: int = 0) -> int | None:
    """One sample's integer FORMAT value; None when missing. Some callers declare GQ/DP as
    Float (missing = NaN); those are rounded."""
    if values is None:
        return None
    raw = values[sample, column] if values.ndim == 2 else values[sample]
    if values.dtype.kind == "f":
        return None if not np.isfinite(raw) or raw < 0 else int(round(float(raw)))
    value = int(raw)
    return None if value in (INT32_MISSING, INT32_VECTOR_END) or value < 0 else value


def allele_depths(ad: np.ndarray | None, sample: int) -> tuple[int | None, int | None, float | None]:
    """(reads REF, reads ALT, VAF) from FORMAT/AD after splitting (Number=R: ref, alt)."""
    if ad is None or ad.ndim != 2 or ad.shape[1] < 2:
        return None, None, None
    ref, alt = int_field(ad, sample, 0), int_field(ad, sample, 1)
    if ref is None or alt is None:
        return ref, alt, None
    total = ref + alt
    return ref, alt, (alt / total if total > 0 else None)
