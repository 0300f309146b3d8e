"""Every numeric threshold of the ACMG/AMP evidence rules, in one place, with its source.

Evidence modules import from here and nothing else hard-codes a cut-off, so a laboratory
(or a ClinGen VCEP specification for one gene) can change a value by editing a preset, not
code: ``Thresholds.from_mapping`` accepts a JSON/dict override of any field.

Sources:
- Richards S, et al. Genet Med 2015;17:405-424 (ACMG/AMP 2015), Table 3-5.
- Tavtigian SV, et al. Genet Med 2018;20:1054-1060 (Bayesian framework: prior 0.10,
  O_PVSt = 350, exponent = points / 8) and Hum Mutat 2020;41:1734-1737 (points:
  VS 8, S 4, M 2, P 1; >=10 P, 6..9 LP, 0..5 VUS, -1..-6 LB, <=-7 B).
- Ghosh R, et al. Hum Mutat 2018;39:1525-1530 (ClinGen SVI BA1: >5% in a continental
  population with >= 2000 alleles).
- Whiffin N, et al. Genet Med 2017;19:1151-1158 (maximum credible allele frequency, BS1).
- ClinGen SVI recommendation for PM2 v1.0 (2020): PM2 is applied at Supporting strength.
- Abou Tayoun AN, et al. Hum Mutat 2018;39:1517-1524 (ClinGen SVI PVS1 decision tree).
- Walker LC, et al. Am J Hum Genet 2023;110:1046-1067 (ClinGen SVI splicing: SpliceAI
  >= 0.2 -> PP3, <= 0.1 -> BP4/BP7; BP7 extended to deep intronic >= +7 / <= -21).
- Pejaver V, et al. Am J Hum Genet 2022;109:2163-2177, Table 2 (calibrated REVEL / CADD
  intervals for PP3/BP4 up to Strong / Very Strong).
- Bergquist T, et al. Genet Med 2025;27:101402 (calibrated AlphaMissense intervals: PP3 up to
  Strong, BP4 up to Moderate).
- McCormick EM, et al. Hum Mutat 2020;41:2028-2057 (ClinGen specifications of ACMG/AMP for
  mtDNA variants): frequency from homoplasmic AF in gnomAD / HelixMTdb (BA1 >= 1%, BS1 >= 0.5%,
  PM2_Supporting < 0.002%); PP3/BP4 from MitoTIP (tRNA) and APOGEE (missense).
- Sonney S, et al. PLoS Comput Biol 2017;13:e1005867 (MitoTIP; quartiles Q1 >= 16.25 likely
  pathogenic .. Q4 < 8.44 likely benign, from the distributed score table).
- Castellana S, et al. PLoS Comput Biol 2017;13:e1005628 (APOGEE: score > 0.5 Pathogenic).
- Karczewski KJ, et al. Nature 2020;581:434-443 (gnomAD LOEUF < 0.35 as the most
  LoF-intolerant decile; pLI >= 0.9 from Lek 2016) -- used as a proxy for "LoF is a known
  disease mechanism" when no curated haploinsufficiency list is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from varrank.core.errors import InputError
from varrank.core.presets import with_overrides
from varrank.core.vocab import EvidenceStrength as S


MISSENSE_TOOL_NAMES = ("REVEL", "AlphaMissense", "CADD")


@dataclass(frozen=True)
class Thresholds:
    # --- points (Tavtigian 2020) -------------------------------------------------------
    points: Mapping[str, int] = field(default_factory=lambda: {
        S.VERY_STRONG: 8, S.STRONG: 4, S.MODERATE: 2, S.SUPPORTING: 1,
    })
    points_pathogenic: int = 10          # >= 10
    points_likely_pathogenic: int = 6    # 6..9
    points_likely_benign: int = -1       # -1..-6
    points_benign: int = -7              # <= -7
    # BA1 is stand-alone; in the points system it is given enough weight to reach Benign.
    points_stand_alone: int = 8
    prior_probability: float = 0.10      # Tavtigian 2018
    odds_path_very_strong: float = 350.0  # Tavtigian 2018

    # --- frequency ---------------------------------------------------------------------
    ba1_af: float = 0.05                 # Richards 2015; Ghosh 2018: strictly greater than 5%
    ba1_min_an: int = 2000               # Ghosh 2018: continental population with >= 2000 alleles
    bs1_af: float = 0.01                 # default when no disease-specific max credible AF
    bs1_af_dominant: float = 0.001       # project default for dominant disorders (VCEPs vary)
    # PM2: "absent or extremely rare". Dominant / de novo: absent or <= 1 in 100,000
    # (gnomAD allele count of about 1). Recessive: below a carrier frequency (0.1%), a
    # common VCEP choice; both overridable per disease.
    pm2_af_dominant: float = 0.00001
    pm2_af_recessive: float = 0.001
    pm2_strength: str = S.SUPPORTING     # ClinGen SVI PM2 v1.0 (2020)

    # --- PVS1 (Abou Tayoun 2018) ---------------------------------------------------------
    lof_pli: float = 0.9
    lof_loeuf: float = 0.35
    # ClinVar P/LP truncating variants in the gene that establish LoF as a mechanism
    # (project default; the SVI tree asks for "LoF is a known mechanism" without a count)
    lof_min_clinvar_null: int = 2

    # --- splicing (Walker 2023) ----------------------------------------------------------
    spliceai_pp3: float = 0.2            # >= 0.2 -> PP3 (supporting)
    spliceai_bp4: float = 0.1            # <= 0.1 -> BP4 / BP7
    bp7_intron_donor_min: int = 7        # c.N+7 and beyond
    bp7_intron_acceptor_min: int = 21    # c.N-21 and beyond

    # --- missense predictors (Pejaver 2022, Table 2) --------------------------------------
    # PP3: lower bound of each pathogenic interval (inclusive).
    revel_pp3: Mapping[str, float] = field(default_factory=lambda: {
        S.STRONG: 0.932, S.MODERATE: 0.773, S.SUPPORTING: 0.644,
    })
    # BP4: upper bound of each benign interval (inclusive).
    revel_bp4: Mapping[str, float] = field(default_factory=lambda: {
        S.VERY_STRONG: 0.003, S.STRONG: 0.016, S.MODERATE: 0.183, S.SUPPORTING: 0.290,
    })
    cadd_pp3: Mapping[str, float] = field(default_factory=lambda: {
        S.MODERATE: 28.1, S.SUPPORTING: 25.3,
    })
    cadd_bp4: Mapping[str, float] = field(default_factory=lambda: {
        S.STRONG: 0.15, S.MODERATE: 17.3, S.SUPPORTING: 22.7,
    })

    # AlphaMissense (Bergquist 2025): PP3 [0.792, 0.906) Supporting, [0.906, 0.990) Moderate,
    # >= 0.990 Strong; BP4 (0.099, 0.169] Supporting, <= 0.099 Moderate.
    alphamissense_pp3: Mapping[str, float] = field(default_factory=lambda: {
        S.STRONG: 0.990, S.MODERATE: 0.906, S.SUPPORTING: 0.792,
    })
    alphamissense_bp4: Mapping[str, float] = field(default_factory=lambda: {
        S.MODERATE: 0.099, S.SUPPORTING: 0.169,
    })
    # One missense predictor decides PP3/BP4, the first of this order the variant has a score
    # of: Pejaver 2022 ask for one tool chosen in advance; taking the most damaging of several
    # would count the same prediction more than once. A lab names its own order here.
    missense_tools: tuple[str, ...] = MISSENSE_TOOL_NAMES

    # --- mtDNA (McCormick 2020; acmg/mito.py) -------------------------------------------
    # homoplasmic AF, the highest of gnomAD chrM and HelixMTdb
    mt_ba1_af: float = 0.01              # >= 1%: BA1
    mt_bs1_af: float = 0.005             # >= 0.5% (and below BA1): BS1
    mt_pm2_af: float = 0.00002           # < 0.002% (or absent): PM2_Supporting
    mt_pm2_strength: str = S.SUPPORTING
    mitotip_pp3: float = 16.25           # MitoTIP score >= this (Q1): PP3 (tRNA)
    mitotip_bp4: float = 8.44            # MitoTIP score < this (Q4): BP4 (tRNA)
    apogee_pp3: float = 0.5              # APOGEE score > this (its Pathogenic class): PP3
    # MITOMAP "Cfrm" (confirmed pathogenic), like a ClinVar assertion: ranking only, never
    # the ACMG class (a database assertion is not independent evidence; Biesecker 2018)
    mitomap_confirmed_rank_points: int = 6

    # --- ClinVar as evidence of its own (ranking only, not the ACMG class) ----------------
    # PP5/BP6 were retired by ClinGen SVI (Biesecker 2018, Genet Med 20:1687): a ClinVar
    # assertion is shown with its review stars and weighs in the *ranking*, never in the
    # five-tier class. Ranking points by stars (0, 1, >=2):
    clinvar_rank_points_pathogenic: tuple[int, int, int] = (2, 4, 6)
    clinvar_rank_points_benign: tuple[int, int, int] = (-1, -2, -4)
    # PS1/PM5 need a ClinVar P/LP assertion of at least this many stars.
    clinvar_min_stars_protein: int = 1

    def __post_init__(self) -> None:
        unknown = [t for t in self.missense_tools if t not in MISSENSE_TOOL_NAMES]
        if unknown:
            raise InputError(f"unknown missense tool(s) in missense_tools: {', '.join(unknown)}",
                             hint=f"name some of {', '.join(MISSENSE_TOOL_NAMES)}")

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None) -> "Thresholds":
        """Defaults with ``overrides`` applied; an unknown key is a user error."""
        return with_overrides(cls, overrides, "threshold")


DEFAULT = Thresholds()


def max_credible_af(prevalence: float, max_allelic_contribution: float,
                    max_genetic_contribution: float = 1.0, penetrance: float = 1.0,
                    dominant: bool = True) -> float:
    """Whiffin 2017 maximum credible population AF for a disorder (BS1 cut-off).

    Dominant: prevalence x allelic x genetic heterogeneity / penetrance x 1/2 (one allele
    per affected person); recessive: sqrt(prevalence x genetic / penetrance) x allelic
    (the allele's share of disease alleles scales the allele frequency, not its square).
    """
    if not 0 < penetrance <= 1:
        raise ValueError("penetrance must be in (0, 1]")
    if dominant:
        return prevalence * max_allelic_contribution * max_genetic_contribution / penetrance / 2
    return (prevalence * max_genetic_contribution / penetrance) ** 0.5 * max_allelic_contribution
