"""HPO term resolution and Resnik best-match similarity on a real (subset) HPO release."""

from __future__ import annotations

import pytest

from varrank.core.errors import InputError, ResourceError
from varrank.prioritise.phenotype import hpo_index
from varrank.prioritise.phenotype.hpo_index import load_index
from varrank.prioritise.phenotype.similarity import PatientProfile, match_gene
from varrank.prioritise.phenotype.terms import resolve_terms, split_hpo_argument


def test_split_hpo_argument():
    assert split_hpo_argument(" HP:0000001, HP:0000002;HP:0000003  HP:0000004") == \
        ["HP:0000001", "HP:0000002", "HP:0000003", "HP:0000004"]
    assert split_hpo_argument("") == []


def test_obsolete_id_maps_to_replacement_with_warning(hpo_subset_index, caplog):
    terms = resolve_terms(["HP:0000057", "HP:0001250"], hpo_subset_index)
    assert terms.ids == ["HP:0008665", "HP:0001250"]
    assert "obsolete" in terms.warnings[0] and "HP:0008665" in terms.warnings[0]
    assert "HP:0000057 is obsolete" in caplog.text


def test_unknown_malformed_and_unreplaceable_ids_are_one_error(hpo_subset_index):
    with pytest.raises(InputError) as err:
        resolve_terms(["HP:9999999", "HP:12", "HP:0000489", "HP:0001250"], hpo_subset_index)
    text = err.value.one_line()
    assert "HP:9999999 (not in HPO release" in text
    assert "'HP:12' (not an HPO id" in text
    assert "HP:0000489 (obsolete, no replacement" in text
    assert "HP:0001250" not in text
    assert "\n" not in text


def test_non_phenotype_terms_are_ignored_with_a_note(hpo_subset_index):
    terms = resolve_terms(["HP:0000007", "HP:0001250", "HP:0001250"], hpo_subset_index)
    assert terms.ids == ["HP:0001250"]
    assert "not a phenotypic abnormality" in terms.ignored[0]


def test_resnik_matches_pyhpo(hpo_subset_dir, hpo_subset_index):
    """Our vectorised Resnik/BMA equals pyhpo's own computation on the same release."""
    from pyhpo import HPOSet, Ontology

    Ontology(data_folder=str(hpo_subset_dir))
    patient = ["HP:0001250", "HP:0002110", "HP:0001263"]
    patient = [t for t in patient if t in {hpo_index.hp_id(int(n))
                                           for n in hpo_subset_index.term_ids}]
    disease = hpo_subset_index.diseases["OMIM:219700"]   # cystic fibrosis
    disease_ids = [hpo_index.hp_id(int(hpo_subset_index.term_ids[p])) for p in disease.terms]
    ours = PatientProfile([int(t[3:]) for t in patient], hpo_subset_index).match(disease.terms)
    theirs = HPOSet.from_queries(patient).similarity(
        HPOSet.from_queries(disease_ids), kind="omim", method="resnik", combine="funSimAvg")
    assert ours.raw == pytest.approx(theirs, rel=1e-9)
    a, b = Ontology.get_hpo_object(patient[0]), Ontology.get_hpo_object(disease_ids[0])
    single = PatientProfile([int(a.id[3:])], hpo_subset_index).matrix[
        0, hpo_subset_index.position[int(b.id[3:])]]
    assert single == pytest.approx(a.similarity_score(b, kind="omim", method="resnik"))


def test_disease_terms_find_their_gene_and_mode(hpo_subset_index):
    cf = hpo_subset_index.diseases["OMIM:219700"]
    numbers = [int(hpo_subset_index.term_ids[p]) for p in cf.terms[:6]]
    profile = PatientProfile(numbers, hpo_subset_index)
    scores = {g: match_gene(profile, g) for g in hpo_subset_index.gene_terms}
    best = max(scores.values(), key=lambda m: m.score)
    assert best.gene == "CFTR"
    assert best.disease_id == "OMIM:219700" and best.disease_name == "Cystic fibrosis"
    assert best.modes == ("autosomal_recessive",)
    assert scores["SCN1A"].score < best.score


def test_imprecise_terms_score_lower_than_exact_but_above_unrelated(hpo_subset_index):
    ix = hpo_subset_index
    cf = ix.diseases["OMIM:219700"]
    exact = [int(ix.term_ids[p]) for p in cf.terms[:4]]
    # an ancestor (first parent) of each term: the imprecise clinician
    parents = []
    for n in exact:
        anc = [int(ix.term_ids[a]) for a in ix.ancestors(ix.position[n]) if int(ix.term_ids[a]) != n]
        parents.append(max(anc, key=lambda t: ix.ic[ix.position[t]]))
    s_exact = match_gene(PatientProfile(exact, ix), "CFTR").score
    s_parent = match_gene(PatientProfile(parents, ix), "CFTR").score
    assert s_exact > s_parent > 0


def test_index_is_cached_on_disk(hpo_subset_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VARRANK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(hpo_index, "_CACHE", {})
    first = load_index(hpo_subset_dir)
    assert list(tmp_path.glob("hpo-index-*.pkl"))
    monkeypatch.setattr(hpo_index, "_CACHE", {})
    monkeypatch.setattr(hpo_index, "build_index", lambda folder: pytest.fail("rebuilt"))
    second = load_index(hpo_subset_dir)
    assert second.release == first.release and len(second.term_ids) == len(first.term_ids)


def test_hpo_dir_without_release_files_is_a_resource_error(tmp_path):
    with pytest.raises(ResourceError, match="lacks hp.obo"):
        load_index(tmp_path)
