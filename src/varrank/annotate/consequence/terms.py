"""Sequence Ontology consequence terms: severity order and the snpEff/VEP spelling differences.

The order is Ensembl VEP's consequence ranking
(https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html), which is the
order clinical pipelines (VEP --pick, Exomiser) use for "most severe". snpEff writes the
same SO terms, except for a few finer or older ones mapped here to their SO parent, so a
downstream rule testing ``inframe_deletion`` works whichever annotator ran.
"""

from __future__ import annotations

SEVERITY_ORDER = [
    "transcript_ablation", "exon_loss_variant", "splice_acceptor_variant", "splice_donor_variant",
    "stop_gained", "frameshift_variant", "stop_lost", "start_lost", "transcript_amplification",
    "feature_elongation", "feature_truncation", "inframe_insertion", "inframe_deletion",
    "missense_variant", "protein_altering_variant", "splice_donor_5th_base_variant",
    "splice_region_variant", "splice_donor_region_variant", "splice_polypyrimidine_tract_variant",
    "incomplete_terminal_codon_variant", "start_retained_variant", "stop_retained_variant",
    "synonymous_variant", "coding_sequence_variant", "mature_miRNA_variant",
    "5_prime_UTR_premature_start_codon_gain_variant", "5_prime_UTR_variant",
    "3_prime_UTR_variant", "non_coding_transcript_exon_variant", "intron_variant",
    "NMD_transcript_variant", "non_coding_transcript_variant", "coding_transcript_variant",
    "upstream_gene_variant", "downstream_gene_variant", "TFBS_ablation", "TFBS_amplification",
    "TF_binding_site_variant", "regulatory_region_ablation", "regulatory_region_amplification",
    "regulatory_region_variant", "intragenic_variant", "intergenic_region", "intergenic_variant",
    "sequence_variant",
]
RANK = {term: i for i, term in enumerate(SEVERITY_ORDER)}

# snpEff spelling -> SO parent used in the one schema.
SNPEFF_TO_SO = {
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "initiator_codon_variant": "start_retained_variant",
    "non_canonical_start_codon": "start_retained_variant",
    "intergenic_region": "intergenic_variant",
    "intragenic_variant": "intragenic_variant",
    "gene_variant": "intragenic_variant",
    "transcript_variant": "coding_transcript_variant",
    "exon_variant": "non_coding_transcript_exon_variant",
    "splice_region_variant": "splice_region_variant",
}
IMPACTS = ("HIGH", "MODERATE", "LOW", "MODIFIER")


def normalise_terms(raw: str) -> list[str]:
    """Split '&'-joined terms, map annotator-specific spellings to SO, order by severity."""
    terms = []
    for term in raw.split("&"):
        term = term.strip()
        if not term:
            continue
        term = SNPEFF_TO_SO.get(term, term)
        if term not in terms:
            terms.append(term)
    return sorted(terms, key=lambda t: RANK.get(t, len(RANK)))


def severity(terms: list[str]) -> int:
    """Rank of the most severe term (lower is more severe; unknown terms sort last)."""
    return min((RANK.get(t, len(RANK)) for t in terms), default=len(RANK) + 1)
