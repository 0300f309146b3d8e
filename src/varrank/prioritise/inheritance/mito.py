"""Maternal inheritance and heteroplasmy for mtDNA variants (the mitochondrial mode's fit).

mtDNA is inherited from the mother only; its level (heteroplasmy) can differ between mother
and child and between tissues, and disease appears above a tissue threshold (McCormick et al.
2020, Hum Mutat 41:2028; Stewart & Chinnery 2015, Nat Rev Genet 16:530). So the fit looks at
the mother alone and never rules the mode out on a relative's genotype; the proband's own
level weighs in the ranking: a level below ``RankWeights.mito_min_heteroplasmy`` (3%, the
detection floor MitoHPC and most mtDNA callers report from; gnomAD reports only >= 10%) is
as likely a NUMT or sequencing artefact as a real heteroplasmy, so its inheritance factor
is ``mito_low_heteroplasmy_factor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from varrank.core.vocab import CARRIER_ZYGOSITIES, InheritanceMode, Zygosity

if TYPE_CHECKING:
    from varrank.core.pedigree import Pedigree
    from varrank.prioritise.inheritance.modes import Genotypes
    from varrank.prioritise.rank import RankWeights

M = InheritanceMode


def maternal_modes(gts: Genotypes, ped: Pedigree, proband: str) -> set[str]:
    """Modes of an mtDNA allele the proband carries, from the mother's genotype."""
    _, mother = ped.parents(proband)
    seen = gts.of(mother) if mother else Zygosity.UNKNOWN
    if seen in CARRIER_ZYGOSITIES:
        return {M.MITOCHONDRIAL_MATERNAL}
    if seen == Zygosity.HOM_REF:
        return {M.MITOCHONDRIAL, M.DE_NOVO}
    return {M.MITOCHONDRIAL}


def heteroplasmy_factor(row: dict, weights: RankWeights) -> tuple[float, str | None]:
    """(factor, text) for the proband's heteroplasmy on an mtDNA row; (1, None) when its
    level is unknown or not low."""
    level = row.get("heteroplasmy")
    if level is None:
        plasmy = row.get("plasmy")
        return 1.0, f"{plasmy} (haploid call, level not given)" if plasmy else None
    text = f"heteroplasmy {float(level):.1%} ({row.get('heteroplasmy_source')})"
    if float(level) < weights.mito_min_heteroplasmy:
        return weights.mito_low_heteroplasmy_factor, (
            f"{text} below {weights.mito_min_heteroplasmy:.0%}: possible artefact or NUMT")
    return 1.0, text
