"""core.clinvar: review stars by every spelling ClinVar distributions use, and its SQL twin."""

import duckdb
import pytest

from varrank.core.clinvar import (REVIEW_STARS, Significance, is_pathogenic_assertion,
                                  review_stars, review_status_key, review_status_key_sql,
                                  significance_category)

# (spelling as found in a real file, stars): CLNREVSTAT (weekly VCF), macarthur-lab VCF
# (', ' escaped as '..'), the web/TSV wording, and wordings not in ClinVar's table.
SPELLINGS = [
    ("criteria_provided,_single_submitter", 1),
    ("criteria_provided..single_submitter", 1),
    ("criteria provided, single submitter", 1),
    ("criteria_provided,_multiple_submitters,_no_conflicts", 2),
    ("criteria_provided..multiple_submitters..no_conflicts", 2),
    ("criteria_provided,_conflicting_interpretations", 1),
    ("criteria_provided..conflicting_interpretations", 1),
    ("criteria_provided,_conflicting_classifications", 1),
    ("reviewed_by_expert_panel", 3),
    ("Reviewed by expert panel", 3),
    ("practice_guideline", 4),
    ("no_assertion_criteria_provided", 0),
    ("no_assertion_for_the_individual_variant", 0),
    ("no_classification_for_the_single_variant", 0),
    ("some_future_wording", None),
    ("no_assertion_criteria_provided|criteria_provided..single_submitter", None),
    ("", None),
    (".", None),
]


@pytest.mark.parametrize("status,stars", SPELLINGS)
def test_review_stars_by_spelling(status, stars):
    assert review_stars(status) == stars


def test_review_status_key_sql_is_the_python_rule():
    statuses = [s for s, _ in SPELLINGS if s] + list(REVIEW_STARS)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(s,) for s in statuses])
    got = dict(con.execute(f"SELECT s, {review_status_key_sql('s')} FROM t").fetchall())
    assert got == {s: review_status_key(s) for s in statuses}


@pytest.mark.parametrize("clnsig,category", [
    ("Pathogenic", Significance.PATHOGENIC),
    ("Likely_pathogenic", Significance.PATHOGENIC),
    ("Pathogenic/Likely_pathogenic|risk_factor", Significance.PATHOGENIC),
    ("Benign/Likely_benign", Significance.BENIGN),
    ("Conflicting_interpretations_of_pathogenicity", Significance.CONFLICTING),
    ("Conflicting_classifications_of_pathogenicity", Significance.CONFLICTING),
    ("Uncertain_significance", Significance.UNCERTAIN),
    ("Pathogenic/Likely_benign", Significance.OTHER),
    ("drug_response", Significance.OTHER),
    (None, None), (".", None),
])
def test_significance_category(clnsig, category):
    assert significance_category(clnsig) == category
    assert is_pathogenic_assertion(clnsig) == (category is Significance.PATHOGENIC)
