"""The variant's own ClinVar assertion, shown with its review stars as evidence of its own.

ClinGen SVI retired PP5/BP6 (Biesecker & Harrison, Genet Med 2018;20:1687-1688): a
"reputable source" assertion is not independent evidence for the ACMG class, so it never
enters ``acmg_class``. It is still what a clinician looks at first, and the ranking uses it
with a weight by review stars (``Thresholds.clinvar_rank_points_*``). Star levels follow
ClinVar's review-status documentation.
"""

from __future__ import annotations

from varrank.core.clinvar import Significance, review_stars, significance_category
from varrank.core.vocab import EvidenceStrength
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import (BENIGN, MET, NOT_EVALUATED, NOT_MET, PATHOGENIC,
                                              Evidence, Row)

CODE = "ClinVar"
# index into Thresholds.clinvar_rank_points_*: 0-star, 1-star, 2+-star assertions
RANK_POINT_LEVELS = (EvidenceStrength.SUPPORTING, EvidenceStrength.MODERATE, EvidenceStrength.STRONG)

def clinvar_assertion(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("clinvar_significance"):
        return Evidence(CODE, NOT_EVALUATED, "no ClinVar lookup (ANNOTATE not run)")
    clnsig = row.get("clinvar_significance")
    category = significance_category(clnsig)
    if category is None:
        return Evidence(CODE, NOT_MET, "not in ClinVar")
    stars = row.get("clinvar_stars")
    if stars is None:
        stars = review_stars(row.get("clinvar_review_status")) or 0
    stars = int(stars)
    vid = row.get("clinvar_variation_id")
    text = f"{clnsig} ({stars} star{'s' if stars != 1 else ''}"
    text += f", VariationID {vid})" if vid else ")"
    if category is Significance.PATHOGENIC:
        return Evidence(CODE, MET, text, _strength_for_stars(stars), PATHOGENIC)
    if category is Significance.BENIGN:
        return Evidence(CODE, MET, text, _strength_for_stars(stars), BENIGN)
    return Evidence(CODE, NOT_MET, text)


def _strength_for_stars(stars: int) -> EvidenceStrength:
    if stars >= 2:
        return EvidenceStrength.STRONG
    return EvidenceStrength.MODERATE if stars == 1 else EvidenceStrength.SUPPORTING


def clinvar_rank_points(item: Evidence, ctx: RuleContext) -> int:
    """Ranking weight of the ClinVar item (zero unless a P/LP or B/LB assertion)."""
    if item.status != MET:
        return 0
    idx = RANK_POINT_LEVELS.index(item.strength or EvidenceStrength.SUPPORTING)
    t = ctx.thresholds
    table = t.clinvar_rank_points_pathogenic if item.direction == PATHOGENIC else \
        t.clinvar_rank_points_benign
    return int(table[idx])
