"""ClinVar's words: review status -> stars, and CLNSIG -> one significance category.

One table for ANNOTATE (stars computed in DuckDB when a bundle is built), PRIORITISE (the
ClinVar evidence item, the protein-change index for PS1/PM5) and REPORT (P/LP findings).

Stars follow NCBI's "Review status in ClinVar" page
(https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/): practice guideline 4, expert
panel 3, multiple submitters with criteria and no conflicts 2, single submitter with
criteria or conflicting classifications 1, no assertion criteria 0. The conflicting label was
renamed from "interpretations" to "classifications" in 2024; both are recognised. Spellings
differ by distribution (CLNREVSTAT ``criteria_provided,_single_submitter``, the
macarthur-lab VCF's ``criteria_provided..single_submitter``, the web's "criteria provided,
single submitter"), so a status is compared after folding every run of non-letters into one
underscore. A status not in the table gives null stars, never 0, so a new ClinVar wording is
visible instead of silently weak.
"""

from __future__ import annotations

import re

from varrank.core.vocab import StrEnum

_NON_LETTERS = re.compile(r"[^a-z]+")

REVIEW_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided_multiple_submitters_no_conflicts": 2,
    "criteria_provided_single_submitter": 1,
    "criteria_provided_conflicting_interpretations": 1,
    "criteria_provided_conflicting_classifications": 1,
    "no_assertion_criteria_provided": 0,
    "no_assertion_provided": 0,
    "no_assertion_for_the_individual_variant": 0,
    "no_interpretation_for_the_single_variant": 0,
    "no_classification_for_the_single_variant": 0,
    "no_classifications_from_unflagged_records": 0,
    "no_classification_provided": 0,
}


def review_status_key(status: str) -> str:
    """The folded spelling the star table is keyed by (lower case, non-letters -> '_')."""
    return _NON_LETTERS.sub("_", status.lower()).strip("_")


def review_status_key_sql(column: str) -> str:
    """DuckDB twin of :func:`review_status_key` for a column (tests compare the two)."""
    return f"trim(regexp_replace(lower({column}), '[^a-z]+', '_', 'g'), '_')"


def review_stars(status: str | None) -> int | None:
    """Stars 0-4 for one review status; None when absent or a wording ClinVar never used."""
    if status is None or str(status).strip() in ("", "."):
        return None
    return REVIEW_STARS.get(review_status_key(str(status)))


class Significance(StrEnum):
    """CLNSIG collapsed to what a rule or a finding needs to know."""

    PATHOGENIC = "pathogenic"      # Pathogenic, Likely_pathogenic and their combination
    BENIGN = "benign"              # Benign, Likely_benign and their combination
    UNCERTAIN = "uncertain"
    CONFLICTING = "conflicting"
    OTHER = "other"                # drug_response, risk_factor, not_provided, ...


def significance_category(clnsig: str | None) -> Significance | None:
    """Collapse CLNSIG spellings into one :class:`Significance`; None when absent.

    "Pathogenic/Likely_pathogenic" and "Likely_pathogenic" are both *pathogenic* here: the
    ranking weight distinguishes them only through the review stars. Modifiers after '|',
    ',' or ';' (e.g. "|risk_factor") are ignored.
    """
    if clnsig is None or str(clnsig).strip() in ("", "."):
        return None
    head = re.split(r"[|,;]", str(clnsig).lower().replace(" ", "_"))[0]
    if "conflicting" in head:
        return Significance.CONFLICTING
    if "pathogenic" in head and "benign" not in head:
        return Significance.PATHOGENIC
    if "benign" in head and "pathogenic" not in head:
        return Significance.BENIGN
    if "uncertain" in head:
        return Significance.UNCERTAIN
    return Significance.OTHER


def is_pathogenic_assertion(clnsig: str | None) -> bool:
    """Pathogenic or likely pathogenic (with or without modifiers), not conflicting."""
    return significance_category(clnsig) is Significance.PATHOGENIC
