"""core.so_terms: one table of severity and impact; every spelling maps to a term in it."""

import pytest

from varrank.core import so_terms
from varrank.core.vocab import Impact
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.consequence_prior import impact_of


def test_table_is_consistent():
    names = [t.name for t in so_terms.TERMS]
    assert len(names) == len(set(names))
    assert all(t.accession.startswith("SO:") for t in so_terms.TERMS)
    assert set(so_terms.SYNONYMS.values()) <= set(names)
    assert so_terms.NULL_CONSEQUENCES <= set(names) and so_terms.INFRAME <= set(names)
    # impact classes never get milder towards the top of the order, except VEP's one
    # documented exception (regulatory_region_ablation is MODERATE among MODIFIERs)
    order = list(Impact)
    ranks = [order.index(t.impact) for t in so_terms.TERMS if t.name != "regulatory_region_ablation"]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("spelling", ["initiator_codon_variant", "initiatior_codon_variant"])
def test_initiator_codon_means_start_loss_for_every_source(spelling):
    # one meaning whichever stage reads it: ANNOTATE's ordering, PRIORITISE's rules and impact
    assert so_terms.normalise_terms(spelling) == ["start_lost"]
    assert Row({"consequence": spelling}).consequences() == {"start_lost"}
    assert impact_of(None, spelling) == Impact.HIGH


def test_exon_loss_is_a_whole_feature_loss_everywhere():
    assert so_terms.normalise_terms("intron_variant&exon_loss_variant") == ["exon_loss_variant",
                                                                          "intron_variant"]
    assert "exon_loss_variant" in so_terms.NULL_CONSEQUENCES
    assert impact_of(None, "exon_loss_variant") == Impact.HIGH


def test_snpeff_spellings_and_order():
    assert so_terms.normalise_terms("disruptive_inframe_deletion&splice_region_variant") == [
        "inframe_deletion", "splice_region_variant"]
    assert so_terms.severity(["intron_variant", "stop_gained"]) == so_terms.RANK["stop_gained"]
    assert so_terms.severity([]) > so_terms.severity(["not_a_term"]) > so_terms.RANK["sequence_variant"]
    assert impact_of("moderate", "stop_gained") == "MODERATE"  # the annotator's own class wins
    assert impact_of(None, "not_a_term") is None
