"""A ranking-only prior from the variant's predicted consequence (not an ACMG criterion).

Exomiser scores a variant's pathogenicity from its effect when no predictor applies
(Smedley et al., Nat Protoc 2015;10:2004: frameshift/nonsense/splice-site near 1, intronic
and intergenic near 0); without something like it, an intronic variant and a missense
variant with no predictor scores look alike. Here the consequence's impact class (VEP's
HIGH / MODERATE / LOW / MODIFIER, taken from the ``impact`` column or derived from the SO
terms) adds ranking points (``RankWeights.impact_points``). It never enters the ACMG
class; PVS1, PM4 and PP3 remain the evidence for that.
"""

from __future__ import annotations

from varrank.core.so_terms import impact_of_terms, split_terms
from varrank.core.vocab import Impact

ORDER = tuple(Impact)


def impact_of(impact: str | None, consequence: str | None) -> str | None:
    """The row's impact class; None when neither column says (e.g. an unknown term only).

    The annotator's own IMPACT wins; otherwise the most severe SO term's class
    (:mod:`varrank.core.so_terms`)."""
    if impact and str(impact).upper() in ORDER:
        return str(impact).upper()
    if not consequence:
        return None
    return impact_of_terms(split_terms(consequence))
