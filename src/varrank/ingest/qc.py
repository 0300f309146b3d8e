"""Sample-level QC of the proband's kept variants.

Numbers a reviewer checks before trusting a ranking: Ti/Tv (~2.0-2.1 genome-wide, ~3.0 in
exomes for true SNVs; DePristo et al. 2011, Nat Genet 43:491), het/hom-alt ratio (~1.5-2 in
outbred genomes; much lower suggests consanguinity or contamination), and chrX
heterozygosity outside the pseudo-autosomal regions as a sex check (a male has no true het
calls there; plink --check-sex and peddy, Pedersen & Quinlan 2017, AJHG 100:406, use the
same signal). Inference needs enough chrX sites; with fewer it says so instead of guessing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from varrank.core.alleles import is_transition
from varrank.core.genome import bare_name
from varrank.core.vocab import CARRIER_ZYGOSITIES, VariantType, Zygosity

# Pseudo-autosomal regions of chrX (1-based, inclusive), GRCh37 and GRCh38.
PAR_X = {
    "GRCh37": [(60001, 2699520), (154931044, 155260560)],
    "GRCh38": [(10001, 2781479), (155701383, 156030895)],
}
SEX_MIN_X_SITES = 20
MALE_MAX_X_HET = 0.10  # below: male-like (hemizygous X)
FEMALE_MIN_X_HET = 0.25  # above: female-like


@dataclass
class QcAccumulator:
    build: str | None
    types: Counter = field(default_factory=Counter)
    zygosity: Counter = field(default_factory=Counter)
    filters: Counter = field(default_factory=Counter)
    transitions: int = 0
    transversions: int = 0
    x_het: int = 0
    x_hom: int = 0
    gq: list[int] = field(default_factory=list)
    dp: list[int] = field(default_factory=list)
    rows: int = 0

    def add(self, chrom: str, pos: int, ref: str, alt: str, vtype: str, zygosity: str,
            filter_value: str | None, gq: int | None, dp: int | None) -> None:
        self.rows += 1
        self.types[vtype] += 1
        self.zygosity[zygosity] += 1
        self.filters["PASS" if filter_value == "PASS" else "unfiltered" if filter_value is None else "failed"] += 1
        if vtype == VariantType.SNV:
            if is_transition(ref, alt):
                self.transitions += 1
            else:
                self.transversions += 1
            if _is_x(chrom) and not self._in_par(pos) and zygosity in CARRIER_ZYGOSITIES:
                if zygosity == Zygosity.HET:
                    self.x_het += 1
                else:
                    self.x_hom += 1
        if gq is not None:
            self.gq.append(gq)
        if dp is not None:
            self.dp.append(dp)

    def _in_par(self, pos: int) -> bool:
        regions = PAR_X.get(self.build or "", [])
        return any(start <= pos <= end for start, end in regions)

    def inferred_sex(self) -> tuple[str, str]:
        sites = self.x_het + self.x_hom
        if sites < SEX_MIN_X_SITES:
            return "undetermined", f"{sites} non-PAR chrX SNVs (< {SEX_MIN_X_SITES} needed)"
        fraction = self.x_het / sites
        if fraction <= MALE_MAX_X_HET:
            return "male", f"chrX het fraction {fraction:.3f} <= {MALE_MAX_X_HET}"
        if fraction >= FEMALE_MIN_X_HET:
            return "female", f"chrX het fraction {fraction:.3f} >= {FEMALE_MIN_X_HET}"
        return "undetermined", f"chrX het fraction {fraction:.3f} between thresholds"

    def to_dict(self, declared_sex: str) -> dict[str, Any]:
        het, hom = self.zygosity.get(Zygosity.HET, 0), self.zygosity.get(Zygosity.HOM_ALT, 0)
        inferred, basis = self.inferred_sex()
        x_sites = self.x_het + self.x_hom
        if declared_sex == "unknown" or inferred == "undetermined":
            sex_check = "not_checked"
        else:
            sex_check = "consistent" if declared_sex == inferred else "mismatch"
        return {
            "variants": self.rows,
            "variant_types": dict(sorted(self.types.items())),
            "zygosity": dict(sorted(self.zygosity.items())),
            "filter": dict(sorted(self.filters.items())),
            "pass_fraction": _ratio(self.filters.get("PASS", 0), self.rows),
            "snv_transitions": self.transitions,
            "snv_transversions": self.transversions,
            "ti_tv": _ratio(self.transitions, self.transversions),
            "het_hom_ratio": _ratio(het, hom),
            "chrx": {
                "non_par_snvs": x_sites,
                "het": self.x_het,
                "hom_or_hemi": self.x_hom,
                "het_fraction": _ratio(self.x_het, x_sites),
                "par_regions_excluded": PAR_X.get(self.build or "", []),
            },
            "sex": {"declared": declared_sex, "inferred": inferred, "basis": basis, "check": sex_check},
            "gq": _summary(self.gq, low=20),
            "dp": _summary(self.dp, low=10),
        }


@lru_cache(maxsize=1024)
def _is_x(chrom: str) -> bool:
    return bare_name(chrom) == "X"


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _summary(values: list[int], low: int) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    arr = np.asarray(values, dtype=np.int64)
    q1, median, q3 = np.percentile(arr, [25, 50, 75])
    return {
        "n": int(arr.size), "min": int(arr.min()), "q1": float(q1), "median": float(median),
        "mean": round(float(arr.mean()), 3), "q3": float(q3), "max": int(arr.max()),
        f"fraction_below_{low}": round(float((arr < low).mean()), 4),
    }
