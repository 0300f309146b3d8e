"""A ranking-only prior from the variant's predicted consequence (not an ACMG criterion).

Exomiser scores a variant's pathogenicity from its effect when no predictor applies
(Smedley et al., Nat Protoc 2015;10:2004: frameshift/nonsense/splice-site near 1, intronic
and intergenic near 0); without something like it, an intronic variant and a missense
variant with no predictor scores look alike. Here the consequence's impact class (VEP's
HIGH / MODERATE / LOW / MODIFIER, taken from the ``impact`` column or derived from the SO
terms) adds ranking points (``RankWeights.impact_points``). It never enters the ACMG
class; PVS1, PM4 and PP3 remain the evidence for that.
"""

from __future__ import annotations

# Ensembl VEP consequence -> impact (https://www.ensembl.org/info/genome/variation/
# prediction/predicted_data.html); snpEff's names for the same effects are included.
IMPACT = {
    "transcript_ablation": "HIGH", "splice_acceptor_variant": "HIGH",
    "splice_donor_variant": "HIGH", "stop_gained": "HIGH", "frameshift_variant": "HIGH",
    "stop_lost": "HIGH", "start_lost": "HIGH", "transcript_amplification": "HIGH",
    "feature_elongation": "HIGH", "feature_truncation": "HIGH",
    "inframe_insertion": "MODERATE", "inframe_deletion": "MODERATE", "inframe_indel": "MODERATE",
    "disruptive_inframe_insertion": "MODERATE", "disruptive_inframe_deletion": "MODERATE",
    "conservative_inframe_insertion": "MODERATE", "conservative_inframe_deletion": "MODERATE",
    "missense_variant": "MODERATE", "protein_altering_variant": "MODERATE",
    "splice_donor_5th_base_variant": "LOW", "splice_region_variant": "LOW",
    "splice_donor_region_variant": "LOW", "splice_polypyrimidine_tract_variant": "LOW",
    "incomplete_terminal_codon_variant": "LOW", "start_retained_variant": "LOW",
    "stop_retained_variant": "LOW", "synonymous_variant": "LOW",
    "coding_sequence_variant": "MODIFIER", "mature_miRNA_variant": "MODIFIER",
    "5_prime_UTR_variant": "MODIFIER", "3_prime_UTR_variant": "MODIFIER",
    "non_coding_transcript_exon_variant": "MODIFIER", "intron_variant": "MODIFIER",
    "NMD_transcript_variant": "MODIFIER", "non_coding_transcript_variant": "MODIFIER",
    "upstream_gene_variant": "MODIFIER", "downstream_gene_variant": "MODIFIER",
    "intergenic_variant": "MODIFIER", "regulatory_region_variant": "MODIFIER",
    "TF_binding_site_variant": "MODIFIER",
}
ORDER = ("HIGH", "MODERATE", "LOW", "MODIFIER")


def impact_of(impact: str | None, consequence: str | None) -> str | None:
    """The row's impact class; None when neither column says (e.g. exon_variant only)."""
    if impact and str(impact).upper() in ORDER:
        return str(impact).upper()
    if not consequence:
        return None
    from varrank.prioritise.acmg.evidence import normalise_consequence

    terms = (normalise_consequence(t.strip()) for t in str(consequence).replace(",", "&").split("&"))
    classes = [IMPACT[t] for t in terms if t in IMPACT]
    return min(classes, key=ORDER.index) if classes else None
