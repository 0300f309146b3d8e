"""Mode-of-inheritance fit per variant and compound heterozygosity per gene."""

from __future__ import annotations

import json

import pytest

from varrank.prioritise.inheritance.modes import comphet_pairs, family_genotypes, variant_modes
from varrank.core.pedigree import Pedigree, Person, single_sample


def trio(kid_sex="male", dad_affected=False, mum_affected=False) -> Pedigree:
    ped = Pedigree()
    ped.people["kid"] = Person("kid", "f", "dad", "mum", kid_sex, True)
    ped.people["dad"] = Person("dad", "f", None, None, "male", dad_affected)
    ped.people["mum"] = Person("mum", "f", None, None, "female", mum_affected)
    return ped


def gts(kid, dad=None, mum=None):
    fam = {k: v for k, v in (("dad", dad), ("mum", mum)) if v}
    return family_genotypes("kid", kid, json.dumps(fam))


@pytest.mark.parametrize("kid, dad, mum, chrom, expected", [
    ("het", "hom_ref", "hom_ref", "1", {"de_novo", "autosomal_dominant"}),
    ("het", "het", "hom_ref", "1", set()),                      # unaffected carrier father
    ("hom_alt", "het", "het", "1", {"autosomal_recessive_hom"}),
    ("hom_alt", "hom_ref", "het", "1", set()),                  # hom-ref parent: not classic AR
    ("hom_alt", "hom_alt", "het", "1", set()),                  # unaffected hom-alt father
    ("hom_ref", "het", "het", "1", set()),                      # proband does not carry
    ("het", None, None, "1", {"autosomal_dominant"}),           # parents not in VCF
    ("hemi", "hom_ref", "het", "X", {"x_linked_recessive"}),
    ("hemi", "hemi", "het", "X", set()),                        # son's X is not from dad
    ("het", "hom_ref", "hom_ref", "X", {"x_linked_dominant", "x_linked_recessive", "de_novo"}),
    ("hom_alt", "het", "het", "MT", {"mitochondrial_maternal"}),  # the mother carries it
    ("hom_alt", "het", "hom_ref", "MT", {"mitochondrial", "de_novo"}),  # not from the father
])
def test_variant_modes_in_a_trio(kid, dad, mum, chrom, expected):
    assert variant_modes(chrom, gts(kid, dad, mum), trio(), "kid") == expected


def test_x_linked_recessive_female_needs_both_alleles():
    ped = trio(kid_sex="female")
    assert "x_linked_recessive" not in variant_modes("X", gts("het", "hom_ref", "het"), ped, "kid")
    assert "x_linked_recessive" in variant_modes("X", gts("hom_alt", "hemi", "het"),
                                                 trio("female", dad_affected=True), "kid")


def test_affected_parent_allows_dominant_inheritance():
    assert "autosomal_dominant" in variant_modes("1", gts("het", "het", "hom_ref"),
                                                 trio(dad_affected=True), "kid")


def test_singleton_never_rules_out_a_mode_it_cannot_see():
    ped = single_sample("kid", "male")
    assert variant_modes("1", gts("het"), ped, "kid") == {"autosomal_dominant"}
    assert variant_modes("1", gts("hom_alt"), ped, "kid") == \
        {"autosomal_dominant", "autosomal_recessive_hom"}


def test_comphet_in_trans_confirmed_in_cis_rejected_without_parents_possible():
    ped = trio()
    paternal = ("v1", gts("het", "het", "hom_ref"))
    maternal = ("v2", gts("het", "hom_ref", "het"))
    paternal2 = ("v3", gts("het", "het", "hom_ref"))
    calls = {(c.a, c.b): c.status for c in comphet_pairs([paternal, maternal, paternal2], ped,
                                                         "kid")}
    assert calls == {("v1", "v2"): "confirmed", ("v2", "v3"): "confirmed"}  # v1+v3 in cis
    alone = single_sample("kid", "male")
    calls = comphet_pairs([("a", gts("het")), ("b", gts("het"))], alone, "kid")
    assert [(c.a, c.b, c.status) for c in calls] == [("a", "b", "possible")]


def test_comphet_with_de_novo_partner_is_possible():
    ped = trio()
    calls = comphet_pairs([("v1", gts("het", "het", "hom_ref")),
                           ("dn", gts("het", "hom_ref", "hom_ref"))], ped, "kid")
    assert [c.status for c in calls] == ["possible"]


def test_unaffected_sibling_with_both_variants_rules_pair_out():
    ped = trio()
    ped.people["sib"] = Person("sib", "f", "dad", "mum", "female", False)

    def g(kid, dad, mum, sib):
        return family_genotypes("kid", kid, json.dumps({"dad": dad, "mum": mum, "sib": sib}))

    pairs = comphet_pairs([("v1", g("het", "het", "hom_ref", "het")),
                           ("v2", g("het", "hom_ref", "het", "het"))], ped, "kid")
    assert pairs == []


def test_family_zygosity_json_that_is_not_json_counts_as_unknown():
    g = family_genotypes("kid", "het", "{not json")
    assert g.of("dad") == "unknown" and g.of("kid") == "het"


def test_comphet_partners_pick_the_best_scoring_partner_per_phase():
    from varrank.prioritise.inheritance.modes import comphet_partners

    ped = trio()
    variants = [("pat_low", gts("het", "het", "hom_ref"), 0.1),
                ("mat_high", gts("het", "hom_ref", "het"), 0.9),
                ("mat_low", gts("het", "hom_ref", "het"), 0.2),
                ("dn", gts("het", "hom_ref", "hom_ref"), 0.5)]
    best = comphet_partners(variants, ped, "kid")
    assert best["pat_low"]["confirmed"] == ("mat_high", 0.9)
    assert best["mat_low"]["confirmed"] == ("pat_low", 0.1)
    assert "confirmed" not in best["dn"] and best["dn"]["possible"] == ("mat_high", 0.9)
    # agrees with the exhaustive pair list
    pairs = {frozenset((c.a, c.b)): c.status
             for c in comphet_pairs([(k, g) for k, g, _ in variants], ped, "kid")}
    assert pairs[frozenset(("pat_low", "mat_high"))] == "confirmed"
    assert frozenset(("mat_high", "mat_low")) not in pairs


def test_comphet_partners_scale_linearly_without_parents():
    import time

    from varrank.prioritise.inheritance.modes import comphet_partners

    alone = single_sample("kid", "male")
    variants = [(f"v{i}", gts("het"), i / 5000) for i in range(5000)]
    started = time.time()
    best = comphet_partners(variants, alone, "kid")
    assert time.time() - started < 5
    assert best["v0"]["possible"] == ("v4999", 4999 / 5000)
