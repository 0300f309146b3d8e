"""Excluded HPO terms lower the diseases annotated with them (LIRICAL's rule), on real HPO data."""

from __future__ import annotations

import json
import math

import pytest

from varrank.core.errors import InputError
from varrank.prioritise.phenotype.excluded import ExcludedTerms, consistent_exclusions
from varrank.prioritise.phenotype.hpo_index import parse_frequency
from varrank.prioritise.phenotype.similarity import PatientProfile, match_gene
from varrank.prioritise.stage import PrioritiseOptions, load_resources, prioritise_table

from .conftest import TRIO_META

CF = "OMIM:219700"
CF_OBSERVED = [2110, 1738, 4401]      # bronchiectasis, exocrine pancreatic insuff., meconium ileus
SWEAT_CHLORIDE = 12236                # Elevated sweat chloride: 1.0 in cystic fibrosis (HPOA)
FAILURE_TO_THRIVE = 1508              # 8/21 of cystic fibrosis patients


def test_frequency_column_forms():
    assert parse_frequency("HP:0040280") == 1.0
    assert parse_frequency("HP:0040282") == pytest.approx(0.545)
    assert parse_frequency("3/4") == 0.75 and parse_frequency("12%") == pytest.approx(0.12)
    assert math.isnan(parse_frequency("")) and math.isnan(parse_frequency("1/0"))


def _freq(ix, disease, number):
    d = ix.diseases[disease]
    return float(d.frequencies[list(d.terms).index(ix.position[number])])


def test_index_carries_the_annotation_frequencies(hpo_subset_index):
    assert _freq(hpo_subset_index, CF, SWEAT_CHLORIDE) == 1.0
    assert _freq(hpo_subset_index, CF, FAILURE_TO_THRIVE) == pytest.approx(8 / 21, abs=1e-6)


def test_factor_is_one_minus_frequency_with_the_floor(hpo_subset_index):
    ix = hpo_subset_index
    cf = ix.diseases[CF]
    factor, hits = ExcludedTerms([FAILURE_TO_THRIVE], ix).disease_factor(cf)
    assert factor == pytest.approx(1 - 8 / 21, abs=1e-6)
    assert hits[0].excluded == FAILURE_TO_THRIVE and hits[0].frequency == pytest.approx(0.381)
    factor, _ = ExcludedTerms([SWEAT_CHLORIDE], ix, floor=0.01).disease_factor(cf)
    assert factor == 0.01                           # obligate feature absent: LIRICAL's floor
    both, _ = ExcludedTerms([SWEAT_CHLORIDE, FAILURE_TO_THRIVE], ix).disease_factor(cf)
    assert both == pytest.approx((0.01 * (1 - 8 / 21)) ** (1 / 2), abs=1e-6)


def test_penalty_is_averaged_over_the_profile_like_the_match(hpo_subset_index):
    """Product of the factors ** 1/(observed + excluded terms): one obligate feature absent
    in a 3 + 1 term profile costs 0.01 ** (1/4), about 68% of the match, not 99%."""
    ix = hpo_subset_index
    one, _ = ExcludedTerms([SWEAT_CHLORIDE], ix, n_observed=3).disease_factor(ix.diseases[CF])
    assert one == pytest.approx(0.01 ** 0.25)


def test_an_excluded_ancestor_counts_through_the_true_path_rule(hpo_subset_index):
    ix = hpo_subset_index
    cf = ix.diseases[CF]
    parent = max((int(ix.term_ids[a]) for a in ix.ancestors(ix.position[SWEAT_CHLORIDE])
                  if int(ix.term_ids[a]) != SWEAT_CHLORIDE), key=lambda n: ix.ic[ix.position[n]])
    factor, hits = ExcludedTerms([parent], ix).disease_factor(cf)
    assert factor < 1 and hits[0].excluded == parent


def test_a_feature_the_disease_lacks_changes_nothing(hpo_subset_index):
    ix = hpo_subset_index
    seizure = 1250
    assert ExcludedTerms([seizure], ix).disease_factor(ix.diseases[CF]) == (1.0, ())
    profile = PatientProfile(CF_OBSERVED, ix)
    plain = match_gene(profile, "CFTR")
    assert match_gene(profile, "CFTR", ExcludedTerms([seizure], ix)).score == plain.score


def test_excluding_the_hallmark_lowers_the_gene_and_its_disease(hpo_subset_index):
    ix = hpo_subset_index
    profile = PatientProfile(CF_OBSERVED, ix)
    plain = match_gene(profile, "CFTR")
    lowered = match_gene(profile, "CFTR", ExcludedTerms([SWEAT_CHLORIDE], ix))
    assert plain.disease_id == CF
    assert lowered.score < plain.score
    # OMIM cystic fibrosis drops to 1% of its match; a CFTR disease without the annotation
    # (Orphanet's entries lack sweat chloride) now matches best, unpenalised
    assert lowered.disease_id != CF and lowered.excluded_factor == 1.0
    cf_match = profile.match(ix.diseases[CF].terms).score
    assert lowered.disease_score >= cf_match * 0.01


def test_an_excluded_term_implied_by_an_observed_one_is_dropped(hpo_subset_index):
    ix = hpo_subset_index
    parent = int(ix.term_ids[[a for a in ix.ancestors(ix.position[SWEAT_CHLORIDE])
                              if int(ix.term_ids[a]) != SWEAT_CHLORIDE][-1]])
    kept, warnings = consistent_exclusions([SWEAT_CHLORIDE], [parent, 1250], ix)
    assert kept == [1250] and "implied by an observed term" in warnings[0]


def test_stage_reports_and_can_switch_off_excluded_terms(trio_table, hpo_subset_dir):
    observed = ["HP:0002110", "HP:0001738", "HP:0004401"]
    base = PrioritiseOptions(hpo=observed, hpo_dir=hpo_subset_dir)
    res = load_resources(base)
    with_ex = PrioritiseOptions(hpo=observed, hpo_excluded=["HP:0012236"], hpo_dir=hpo_subset_dir)
    off = PrioritiseOptions(hpo=observed, hpo_excluded=["HP:0012236"], hpo_dir=hpo_subset_dir,
                            skip=frozenset({"excluded_phenotype"}))
    a, _, _ = prioritise_table(trio_table, TRIO_META, base, res)
    b, _, info = prioritise_table(trio_table, TRIO_META, with_ex, res)
    c, _, _ = prioritise_table(trio_table, TRIO_META, off, res)
    assert info["hpo_excluded"] == ["HP:0012236"]
    assert a.column("phenotype_score").to_pylist() == c.column("phenotype_score").to_pylist()
    assert a.column("acmg_codes").to_pylist() == b.column("acmg_codes").to_pylist()
    lowered = [r for r in b.to_pylist() if r["evidence_json"] and '"excluded"' in r["evidence_json"]]
    for row in lowered:
        item = next(i for i in json.loads(row["evidence_json"]) if i["kind"] == "phenotype")
        assert item["excluded"][0]["excluded"] == "HP:0012236" and item["excluded_factor"] < 1


def test_unknown_excluded_id_is_an_input_error(trio_table, hpo_subset_dir):
    options = PrioritiseOptions(hpo=["HP:0002110"], hpo_excluded=["HP:9999999"],
                                hpo_dir=hpo_subset_dir)
    with pytest.raises(InputError, match="HP:9999999"):
        prioritise_table(trio_table, TRIO_META, options, load_resources(options))
