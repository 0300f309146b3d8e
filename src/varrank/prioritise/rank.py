"""One explainable score per variant and per gene.

Modelled on Exomiser's combination of a variant score and a phenotype (priority) score,
but kept as a product of three named factors so every rank can be read off its evidence:

  variant_score   = posterior P(pathogenic) of the variant's evidence points (Tavtigian 2018
                    odds model, prior 0.10), where the points are the ACMG points plus the
                    ClinVar assertion's ranking weight plus the consequence prior
                    (``consequence_prior``: HIGH +2, MODERATE +1, LOW -1, MODIFIER -2) plus
                    Pangolin's ranking-only point (no published calibration; splice line once);
  phenotype factor = floor + (1 - floor) x normalised HPO similarity of the gene (1 when the
                    patient has no HPO terms: the ranking then uses variant evidence alone);
  inheritance factor = 1 when the genotypes fit a mode of the disease matched to the gene (or
                    its modes are unknown), ``mode_mismatch`` when they fit only other modes.

  variant combined = variant_score x phenotype factor x inheritance factor
  gene score      = best unit in the gene: a single variant's combined score, or for a
                    compound heterozygous pair the mean of the two variant scores times the
                    factors (Exomiser scores recessive genes by the mean of the top two).

The floor stops genes without HPO annotation (novel disease genes) from dropping to zero:
a strong variant in an unannotated gene still outranks a weak variant in a matching gene.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankWeights:
    phenotype_floor: float = 0.05
    mode_mismatch: float = 0.5
    # excluded HPO terms (phenotype/excluded.py, after LIRICAL): factor max(floor, 1 - f) on a
    # disease annotated with the excluded feature at frequency f (unknown f: the value below)
    excluded_floor: float = 0.01
    excluded_unknown_frequency: float = 0.5
    impact_points: dict = None  # type: ignore[assignment]
    # Pangolin (ranking only: no ClinGen calibration of it is published, so it never gives
    # PP3/BP4). A predicted splice change of at least this delta -- SpliceAI's PP3 level
    # (Walker 2023), as the scores share a scale -- adds these points when SpliceAI itself
    # gave none (the splice line counts once).
    pangolin_min_delta: float = 0.2
    pangolin_points: int = 1
    # mtDNA (inheritance/mito.py): a heteroplasmy below this may be an artefact or NUMT
    mito_min_heteroplasmy: float = 0.03
    mito_low_heteroplasmy_factor: float = 0.5

    def __post_init__(self) -> None:
        if self.impact_points is None:
            object.__setattr__(self, "impact_points",
                               {"HIGH": 2, "MODERATE": 1, "LOW": -1, "MODIFIER": -2})

    @classmethod
    def from_mapping(cls, values: dict | None) -> "RankWeights":
        from varrank.core.presets import with_overrides

        return with_overrides(cls, values, "ranking weight")


def phenotype_factor(similarity: float | None, weights: RankWeights, use_phenotype: bool) -> float:
    if not use_phenotype:
        return 1.0
    s = 0.0 if similarity is None else max(0.0, min(1.0, float(similarity)))
    return weights.phenotype_floor + (1.0 - weights.phenotype_floor) * s


def inheritance_factor(fits: set[str], disease_modes: tuple[str, ...], weights: RankWeights,
                       mode_fits: dict[str, set[str]]) -> tuple[float, str]:
    """(factor, explanation) for a variant fitting ``fits`` in a gene whose disease has
    ``disease_modes``."""
    if not disease_modes:
        return 1.0, "mode of the disease unknown"
    wanted = set().union(*(mode_fits.get(m, set()) for m in disease_modes))
    matched = sorted(fits & wanted)
    if matched:
        return 1.0, f"fits {', '.join(matched)} as the disease ({', '.join(disease_modes)})"
    return weights.mode_mismatch, (f"fits {', '.join(sorted(fits)) or 'nothing'} but the disease is "
                                   f"{', '.join(disease_modes)}")
