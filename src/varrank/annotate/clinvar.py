"""ClinVar review status -> review stars, as ClinVar displays them.

Mapping from NCBI's "Review status in ClinVar" page
(https://www.ncbi.nlm.nih.gov/clinvar/docs/review_status/): practice guideline 4, expert
panel 3, multiple submitters with criteria and no conflicts 2, single submitter with
criteria or conflicting classifications 1, no assertion criteria 0. The conflicting label
was renamed from "interpretations" to "classifications" in 2024; both are recognised. A
status not in this table gives null stars, never 0, so a new ClinVar wording is visible.
"""

from __future__ import annotations

import duckdb

REVIEW_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_single_submitter": 1,
    "criteria_provided,_conflicting_interpretations": 1,
    "criteria_provided,_conflicting_classifications": 1,
    "no_assertion_criteria_provided": 0,
    "no_assertion_provided": 0,
    "no_interpretation_for_the_single_variant": 0,
    "no_classification_for_the_single_variant": 0,
    "no_classifications_from_unflagged_records": 0,
    "no_classification_provided": 0,
}


def review_stars(status: str | None) -> int | None:
    """Stars for one CLNREVSTAT value (spaces or underscores after commas both accepted)."""
    if status is None:
        return None
    key = status.strip().replace(", ", ",_").replace(" ", "_")
    return REVIEW_STARS.get(key)


def add_review_stars(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Add a TINYINT ``stars`` column computed from ``review_status``."""
    con.execute(f'ALTER TABLE "{table}" ADD COLUMN stars TINYINT')
    con.execute("CREATE TEMP TABLE _stars (review_status VARCHAR, stars TINYINT)")
    con.executemany("INSERT INTO _stars VALUES (?, ?)", list(REVIEW_STARS.items()))
    con.execute(f'UPDATE "{table}" t SET stars = s.stars FROM _stars s '
                "WHERE t.review_status = s.review_status")
    con.execute("DROP TABLE _stars")
