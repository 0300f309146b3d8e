"""Each ACMG/AMP rule on rows built for exactly what the test asserts, incl. boundaries."""

from __future__ import annotations

import pytest

from varrank.prioritise.acmg import RuleContext, evaluate
from varrank.core.clinvar import review_stars as stars_from_review_status
from varrank.core.clinvar import significance_category
from varrank.prioritise.acmg.clinvar import clinvar_assertion
from varrank.prioritise.acmg.computational import bp4, pp3
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.acmg.frequency import ba1, bs1, pm2
from varrank.prioritise.acmg.length_change import bp3, pm4
from varrank.prioritise.acmg.protein_change import pm5, ps1
from varrank.prioritise.acmg.protein_index import ProteinIndex, parse_missense
from varrank.prioritise.acmg.pvs1 import pvs1
from varrank.prioritise.acmg.synonymous import bp7, intron_offset
from varrank.prioritise.acmg.thresholds import Thresholds, max_credible_af

CTX = RuleContext()


def row(**kw):
    return Row(kw)


# ---- PVS1 ------------------------------------------------------------------------------
LOF_GENE = dict(gene_symbol="G", gene_pli=0.99, gene_loeuf=0.1)


@pytest.mark.parametrize("exon, strength", [("3/10", "very_strong"), ("9/10", "strong"),
                                            ("10/10", "moderate"), (None, "strong")])
def test_pvs1_nonsense_strength_follows_nmd_position(exon, strength):
    e = pvs1(row(consequence="stop_gained", exon=exon, **LOF_GENE), CTX)
    assert e.met and e.strength == strength


def test_pvs1_labels_and_points():
    e = pvs1(row(consequence="frameshift_variant", exon="10/10", **LOF_GENE), CTX)
    assert e.label == "PVS1_Moderate" and e.points(CTX.thresholds) == 2


def test_pvs1_splice_and_start():
    assert pvs1(row(consequence="splice_donor_variant", **LOF_GENE), CTX).strength == "strong"
    assert pvs1(row(consequence="start_lost", **LOF_GENE), CTX).strength == "supporting"


def test_pvs1_gene_mechanism_boundaries():
    # LOEUF < 0.35 is intolerant; exactly 0.35 is not; pLI >= 0.9 is
    assert pvs1(row(consequence="stop_gained", exon="2/5", gene_symbol="G", gene_loeuf=0.349),
                CTX).met
    e = pvs1(row(consequence="stop_gained", exon="2/5", gene_symbol="G", gene_loeuf=0.35,
                 gene_pli=0.5), CTX)
    assert e.status == "not_met" and "not LoF-intolerant" in e.reason
    assert pvs1(row(consequence="stop_gained", exon="2/5", gene_symbol="G", gene_pli=0.9),
                CTX).met


def test_pvs1_not_evaluated_without_gene_mechanism_or_annotation():
    e = pvs1(row(consequence="stop_gained", gene_symbol="G", gene_pli=None), CTX)
    assert e.status == "not_evaluated" and "constraint" in e.reason
    assert pvs1(row(chrom="1"), CTX).status == "not_evaluated"
    assert pvs1(row(consequence="missense_variant", **LOF_GENE), CTX).status == "not_met"


def test_pvs1_curated_list_wins_over_missing_constraint():
    ctx = RuleContext(lof_genes=frozenset({"G"}))
    e = pvs1(row(consequence="stop_gained", exon="2/9", gene_symbol="G"), ctx)
    assert e.met and "curated" in e.reason


# ---- frequency -------------------------------------------------------------------------
def test_ba1_boundary_is_strictly_greater_than_5_percent():
    assert not ba1(row(gnomad_grpmax_af=0.05), CTX).met
    assert ba1(row(gnomad_grpmax_af=0.0501), CTX).met
    e = ba1(row(gnomad_grpmax_af=0.2, gnomad_an=1500), CTX)
    assert e.status == "not_evaluated"  # Ghosh 2018: needs >= 2000 alleles


def test_bs1_dominant_and_recessive_cutoffs():
    dom = RuleContext(gene_modes={"G": frozenset({"autosomal_dominant"})})
    rec = RuleContext(gene_modes={"G": frozenset({"autosomal_recessive"})})
    assert bs1(row(gene_symbol="G", gnomad_grpmax_af=0.002), dom).met
    assert not bs1(row(gene_symbol="G", gnomad_grpmax_af=0.002), rec).met
    assert bs1(row(gene_symbol="G", gnomad_grpmax_af=0.0101), rec).met
    assert not bs1(row(gene_symbol="G", gnomad_grpmax_af=0.06), rec).met  # BA1 instead


def test_pm2_supporting_absent_and_thresholds_by_mode():
    e = pm2(row(gnomad_af=None, gnomad_grpmax_af=None), CTX)
    assert e.met and e.label == "PM2_Supporting" and e.points(CTX.thresholds) == 1
    dom = RuleContext(gene_modes={"G": frozenset({"autosomal_dominant"})})
    rec = RuleContext(gene_modes={"G": frozenset({"autosomal_recessive"})})
    assert pm2(row(gene_symbol="G", gnomad_grpmax_af=0.00001), dom).met
    assert not pm2(row(gene_symbol="G", gnomad_grpmax_af=0.00002), dom).met
    assert pm2(row(gene_symbol="G", gnomad_grpmax_af=0.0009), rec).met
    assert not pm2(row(gene_symbol="G", gnomad_grpmax_af=0.0011), rec).met


def test_frequency_not_evaluated_when_annotate_skipped_or_no_data():
    assert pm2(row(chrom="1"), CTX).status == "not_evaluated"
    no_data = RuleContext(frequency_data=False)
    assert pm2(row(gnomad_af=None), no_data).status == "not_evaluated"


def test_max_credible_af_whiffin_hcm_example():
    # Whiffin 2017: HCM, prevalence 1/500, max allelic contribution 0.02, genetic 1,
    # penetrance 0.5 -> max credible AF 4e-5 (dominant).
    assert max_credible_af(1 / 500, 0.02, 1.0, 0.5) == pytest.approx(4e-5)


# ---- PM4 / BP3 -------------------------------------------------------------------------
def test_pm4_inframe_and_stop_lost_bp3_needs_repeat_track():
    assert pm4(row(consequence="inframe_deletion"), CTX).met
    assert "repeat region not checked" in pm4(row(consequence="inframe_deletion"), CTX).reason
    assert pm4(row(consequence="stop_lost"), CTX).met
    assert not pm4(row(consequence="missense_variant"), CTX).met
    assert bp3(row(consequence="inframe_insertion"), CTX).status == "not_evaluated"
    assert bp3(row(consequence="inframe_insertion", repeat_region=True), CTX).met
    assert not pm4(row(consequence="inframe_insertion", repeat_region=True), CTX).met


# ---- PP3 / BP4 -------------------------------------------------------------------------
@pytest.mark.parametrize("score, pp3_met, bp4_met", [(0.2, True, False), (0.19, False, False),
                                                      (0.1, False, True), (0.11, False, False)])
def test_spliceai_boundaries_walker_2023(score, pp3_met, bp4_met):
    r = row(consequence="intron_variant", spliceai_max=score)
    assert pp3(r, CTX).met is pp3_met
    assert bp4(r, CTX).met is bp4_met


@pytest.mark.parametrize("revel, strength", [(0.932, "strong"), (0.931, "moderate"),
                                             (0.773, "moderate"), (0.644, "supporting"),
                                             (0.643, None)])
def test_revel_pp3_intervals_pejaver_2022(revel, strength):
    e = pp3(row(consequence="missense_variant", revel_score=revel, spliceai_max=0.0), CTX)
    assert (e.strength if e.met else None) == strength


@pytest.mark.parametrize("revel, strength", [(0.003, "very_strong"), (0.016, "strong"),
                                             (0.183, "moderate"), (0.29, "supporting"),
                                             (0.291, None)])
def test_revel_bp4_intervals_need_no_splice_effect(revel, strength):
    e = bp4(row(consequence="missense_variant", revel_score=revel, spliceai_max=0.05), CTX)
    assert (e.strength if e.met else None) == strength
    assert bp4(row(consequence="missense_variant", revel_score=revel, spliceai_max=0.5),
               CTX).met is False


def test_missense_bp4_not_evaluated_without_missense_predictor():
    e = bp4(row(consequence="missense_variant", spliceai_max=0.0), CTX)
    assert e.status == "not_evaluated"


def test_pp3_counted_once_strongest_of_splice_and_missense():
    e = pp3(row(consequence="missense_variant", revel_score=0.95, spliceai_max=0.9), CTX)
    assert e.met and e.strength == "strong"


def test_pp3_not_on_null_variants_and_not_evaluated_without_scores():
    assert pp3(row(consequence="splice_donor_variant", spliceai_max=0.9), CTX).status == "not_met"
    assert pp3(row(consequence="intron_variant"), CTX).status == "not_evaluated"


# ---- BP7 -------------------------------------------------------------------------------
def test_bp7_synonymous_and_deep_intronic_boundaries():
    assert bp7(row(consequence="synonymous_variant", spliceai_max=0.1), CTX).met
    assert not bp7(row(consequence="synonymous_variant", spliceai_max=0.11), CTX).met
    assert bp7(row(consequence="intron_variant", hgvs_c="c.100+7G>A", spliceai_max=0.0), CTX).met
    assert not bp7(row(consequence="intron_variant", hgvs_c="c.100+6G>A", spliceai_max=0.0),
                   CTX).met
    assert bp7(row(consequence="intron_variant", hgvs_c="c.101-21C>T", spliceai_max=0.0), CTX).met
    assert not bp7(row(consequence="intron_variant", hgvs_c="c.101-20C>T", spliceai_max=0.0),
                   CTX).met
    assert bp7(row(consequence="synonymous_variant"), CTX).status == "not_evaluated"
    assert intron_offset("NM_000059.4:c.*12+3A>G") == ("+", 3)


# ---- PS1 / PM5 -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def macarthur_index(shared_data):
    return ProteinIndex.load(shared_data /
                             "variants/clinvar/macarthur_clinvar_alleles.multi.b37.vcf.gz")


def test_parse_missense_forms():
    assert parse_missense("NP_001276791.1:p.Pro415Ala").residue == 415
    assert parse_missense("p.(Arg97Trp)").alt == "W"
    assert parse_missense("p.R97W").ref == "R"
    for not_missense in ("p.Arg97Ter", "p.Arg97=", "p.Arg97fs", "p.?", None, "p.Arg97*"):
        assert parse_missense(not_missense) is None


def test_protein_index_from_real_clinvar_records(macarthur_index):
    # PER3 p.Pro415Ala is a Pathogenic record in the macarthur-lab table, but its review
    # status gives 0 stars, so the default (>= 1 star) does not treat it as established.
    hits = macarthur_index.at_residue("PER3", 415)
    assert hits and hits[0].change.alt == "A" and hits[0].stars == 0
    assert len(macarthur_index) > 50


def test_ps1_same_change_different_nucleotide(macarthur_index):
    lenient = RuleContext(thresholds=Thresholds.from_mapping({"clinvar_min_stars_protein": 0}),
                          protein_index=macarthur_index)
    r = row(variant_key="1-7869953-C-T", gene_symbol="PER3", consequence="missense_variant",
            hgvs_p="p.Pro415Ala")
    assert ps1(r, lenient).met
    assert ps1(r, RuleContext(protein_index=macarthur_index)).status == "not_met"
    # the same record is not its own PS1 evidence
    same = row(variant_key="1-7869953-C-G", gene_symbol="PER3", consequence="missense_variant",
               hgvs_p="p.Pro415Ala")
    assert not ps1(same, lenient).met
    # predicted splice change withholds PS1 (Walker 2023)
    spl = row(variant_key="x", gene_symbol="PER3", consequence="missense_variant",
              hgvs_p="p.Pro415Ala", spliceai_max=0.5)
    assert not ps1(spl, lenient).met


def test_pm5_other_change_same_residue(macarthur_index):
    lenient = RuleContext(thresholds=Thresholds.from_mapping({"clinvar_min_stars_protein": 0}),
                          protein_index=macarthur_index)
    r = row(variant_key="x", gene_symbol="PER3", consequence="missense_variant",
            hgvs_p="p.Pro415Leu")
    assert pm5(r, lenient).met and not ps1(r, lenient).met
    assert pm5(row(variant_key="x", gene_symbol="PER3", consequence="missense_variant",
                   hgvs_p="p.Pro416Leu"), lenient).status == "not_met"


def test_ps1_pm5_not_evaluated_without_index_or_annotation(macarthur_index):
    r = row(gene_symbol="PER3", consequence="missense_variant", hgvs_p="p.Pro415Ala")
    assert ps1(r, CTX).status == "not_evaluated"
    assert pm5(row(chrom="1"), RuleContext(protein_index=macarthur_index)).status == \
        "not_evaluated"


def test_protein_index_tsv(tmp_path):
    tsv = tmp_path / "idx.tsv"
    tsv.write_text("gene_symbol\thgvs_p\tclinvar_significance\tclinvar_stars\n"
                   "BRCA1\tp.Cys61Gly\tPathogenic\t3\nBRCA1\tp.Cys64Arg\tBenign\t2\n")
    idx = ProteinIndex.load(tsv)
    assert len(idx) == 1 and idx.at_residue("BRCA1", 61)[0].stars == 3


# ---- ClinVar assertion item --------------------------------------------------------------
def test_review_status_stars_and_significance():
    assert stars_from_review_status("reviewed_by_expert_panel") == 3
    assert stars_from_review_status("criteria_provided,_multiple_submitters,_no_conflicts") == 2
    assert stars_from_review_status("criteria_provided,_single_submitter") == 1
    assert stars_from_review_status("no_assertion_criteria_provided") == 0
    assert stars_from_review_status("practice_guideline") == 4
    assert significance_category("Pathogenic/Likely_pathogenic") == "pathogenic"
    assert significance_category("Benign/Likely_benign|other") == "benign"
    assert significance_category("Conflicting_interpretations_of_pathogenicity") == "conflicting"


def test_clinvar_item_not_in_class_but_shown():
    e = clinvar_assertion(row(clinvar_significance="Pathogenic", clinvar_stars=2), CTX)
    assert e.met and e.strength == "strong" and "2 stars" in e.reason
    assert clinvar_assertion(row(chrom="1"), CTX).status == "not_evaluated"
    assert clinvar_assertion(row(clinvar_significance=None), CTX).status == "not_met"


def test_evaluate_reports_every_rule_once_and_skips():
    items = evaluate({"chrom": "1"}, CTX, skip=frozenset({"PVS1"}))
    codes = [e.code for e in items]
    assert codes == ["PVS1", "PS1", "PM2", "PM4", "PM5", "PP3", "BA1", "BS1", "BP3", "BP4",
                     "BP7", "ClinVar"]
    assert all(e.status == "not_evaluated" for e in items)  # nothing annotated: nothing known
    assert items[0].reason == "switched off for this analysis"


def test_unknown_threshold_in_preset_is_an_error():
    from varrank.core.errors import InputError

    with pytest.raises(InputError, match="unknown threshold"):
        Thresholds.from_mapping({"pm2_af": 0.1})


def test_clinvar_mc_consequence_names_are_understood():
    """ClinVar's MC field says 'nonsense' and 'initiatior_codon_variant' (sic)."""
    e = pvs1(row(consequence="intron_variant&nonsense", exon="2/9", **LOF_GENE), CTX)
    assert e.met and e.strength == "very_strong"
    assert pvs1(row(consequence="initiatior_codon_variant", **LOF_GENE), CTX).met
    assert pm4(row(consequence="inframe_variant"), CTX).met
    from varrank.prioritise.consequence_prior import impact_of

    assert impact_of(None, "nonsense") == "HIGH"
    # snpEff's exon_variant is a non-coding exon hit in ANNOTATE and here alike (one SO table;
    # this line asserted None before issue 11, when the two stages disagreed)
    assert impact_of(None, "exon_variant") == "MODIFIER"
    assert impact_of(None, "not_a_term") is None
    assert impact_of("moderate", None) == "MODERATE"


def test_protein_index_meets_a_renamed_gene_by_ncbi_gene_id(tmp_path):
    """ClinVar's index says GBA (GENEINFO GBA:2629 or a gene_ncbi_id column); a row annotated
    with today's symbol GBA1 and ANNOTATE's gene_ncbi_id 2629 gets PM5 and PS1 from it."""
    tsv = tmp_path / "idx.tsv"
    tsv.write_text("gene_symbol\thgvs_p\tclinvar_significance\tclinvar_stars\tgene_ncbi_id\n"
                   "GBA\tp.Leu483Pro\tPathogenic\t2\t2629\n")
    lenient = RuleContext(protein_index=ProteinIndex.load(tsv))
    renamed = row(variant_key="x", gene_symbol="GBA1", gene_ncbi_id="2629",
                  consequence="missense_variant", hgvs_p="p.Leu483Arg")
    assert pm5(renamed, lenient).met
    assert ps1(row(variant_key="x", gene_symbol="GBA1", gene_ncbi_id="2629",
                   consequence="missense_variant", hgvs_p="p.Leu483Pro"), lenient).met
    no_id = row(variant_key="x", gene_symbol="GBA1", consequence="missense_variant",
                hgvs_p="p.Leu483Arg")
    assert pm5(no_id, lenient).status == "not_met"      # symbols alone do not meet
