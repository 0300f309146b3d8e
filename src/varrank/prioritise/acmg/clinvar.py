"""The variant's own ClinVar assertion, shown with its review stars as evidence of its own.

ClinGen SVI retired PP5/BP6 (Biesecker & Harrison, Genet Med 2018;20:1687-1688): a
"reputable source" assertion is not independent evidence for the ACMG class, so it never
enters ``acmg_class``. It is still what a clinician looks at first, and the ranking uses it
with a weight by review stars (``Thresholds.clinvar_rank_points_*``). Star levels follow
ClinVar's review-status documentation.
"""

from __future__ import annotations

import re

from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import (BENIGN, MET, NOT_EVALUATED, NOT_MET, PATHOGENIC,
                                              Evidence, Row)

CODE = "ClinVar"

# ClinVar review status -> stars (https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/)
_STARS = (
    ("practice_guideline", 4),
    ("expert_panel", 3),
    ("multiple_submitters", 2),
    ("conflicting", 1),
    ("single_submitter", 1),
)


def stars_from_review_status(status: str | None) -> int | None:
    """CLNREVSTAT (or macarthur-lab REVIEW_STATUS) text -> 0..4 stars; None when absent."""
    if status is None or str(status).strip() in ("", "."):
        return None
    text = re.sub(r"[^a-z]+", "_", str(status).lower())
    for keyword, stars in _STARS:
        if keyword in text:
            return stars
    return 0


def significance_category(clnsig: str | None) -> str | None:
    """Collapse CLNSIG spellings into pathogenic / benign / uncertain / conflicting / other.

    "Pathogenic/Likely_pathogenic" and "Likely_pathogenic" are both *pathogenic* here: the
    ranking weight distinguishes them only through the review stars. Modifiers after '|'
    or ',' (e.g. "|risk_factor") are ignored.
    """
    if clnsig is None or str(clnsig).strip() in ("", "."):
        return None
    text = str(clnsig).lower().replace(" ", "_")
    head = re.split(r"[|,;]", text)[0]
    if "conflicting" in head:
        return "conflicting"
    if "pathogenic" in head and "benign" not in head:
        return "pathogenic"
    if "benign" in head and "pathogenic" not in head:
        return "benign"
    if "uncertain" in head:
        return "uncertain"
    return "other"


def clinvar_assertion(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("clinvar_significance"):
        return Evidence(CODE, NOT_EVALUATED, "no ClinVar lookup (ANNOTATE not run)")
    clnsig = row.get("clinvar_significance")
    category = significance_category(clnsig)
    if category is None:
        return Evidence(CODE, NOT_MET, "not in ClinVar")
    stars = row.get("clinvar_stars")
    if stars is None:
        stars = stars_from_review_status(row.get("clinvar_review_status")) or 0
    stars = int(stars)
    vid = row.get("clinvar_variation_id")
    text = f"{clnsig} ({stars} star{'s' if stars != 1 else ''}"
    text += f", VariationID {vid})" if vid else ")"
    if category == "pathogenic":
        return Evidence(CODE, MET, text, _strength_for_stars(stars), PATHOGENIC)
    if category == "benign":
        return Evidence(CODE, MET, text, _strength_for_stars(stars), BENIGN)
    return Evidence(CODE, NOT_MET, text)


def _strength_for_stars(stars: int) -> str:
    return "strong" if stars >= 2 else "moderate" if stars == 1 else "supporting"


def clinvar_rank_points(item: Evidence, ctx: RuleContext) -> int:
    """Ranking weight of the ClinVar item (zero unless a P/LP or B/LB assertion)."""
    if item.status != MET:
        return 0
    idx = {"supporting": 0, "moderate": 1, "strong": 2}[item.strength or "supporting"]
    t = ctx.thresholds
    table = t.clinvar_rank_points_pathogenic if item.direction == PATHOGENIC else \
        t.clinvar_rank_points_benign
    return int(table[idx])
