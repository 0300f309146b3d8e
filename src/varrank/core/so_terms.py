"""Sequence Ontology consequence terms: one table of severity, impact and accepted spellings.

Every stage reads consequences through this module: ANNOTATE orders a transcript's terms and
picks the most severe, PRIORITISE's rules (PVS1, PM4, PP3, BP7) and the ranking prior read
the impact class, REPORT prints the terms. Severity order and impact classes are Ensembl
VEP's (https://www.ensembl.org/info/genome/variation/prediction/predicted_data.html), the
order clinical pipelines (VEP --pick, Exomiser) use for "most severe".

Annotators and ClinVar spell some terms differently; ``SYNONYMS`` maps each spelling to the
term used in the variant table, so a rule testing ``inframe_deletion`` or ``start_lost``
works whichever annotator ran. Two choices worth knowing:

- ``initiator_codon_variant`` (SO:0001582, "changes at least one base of the first codon")
  is read as ``start_lost``. ClinVar's MC field uses it for start loss; snpEff writes it for
  NON_SYNONYMOUS_START (ATG -> CTG, an "alternative start codon" with another amino acid),
  which VEP and the ClinGen PVS1 tree (Abou Tayoun 2018, "initiation codon") both treat as a
  loss of the canonical start. snpEff's synonymous start change is ``start_retained_variant``.
- ``exon_loss_variant`` (SO:0001572, snpEff's EXON_DELETED) stays a term of its own, HIGH,
  ranked after ``transcript_ablation``; PVS1 counts it with whole-transcript deletions.
"""

from __future__ import annotations

from dataclasses import dataclass

from varrank.core.vocab import Impact


@dataclass(frozen=True)
class SoTerm:
    name: str
    accession: str
    impact: Impact


_H, _M, _L, _X = Impact.HIGH, Impact.MODERATE, Impact.LOW, Impact.MODIFIER

# Most severe first. The order decides the preferred transcript's "most severe" term.
TERMS: tuple[SoTerm, ...] = tuple(SoTerm(n, a, i) for n, a, i in (
    ("transcript_ablation", "SO:0001893", _H),
    ("exon_loss_variant", "SO:0001572", _H),
    ("splice_acceptor_variant", "SO:0001574", _H),
    ("splice_donor_variant", "SO:0001575", _H),
    ("stop_gained", "SO:0001587", _H),
    ("frameshift_variant", "SO:0001589", _H),
    ("stop_lost", "SO:0001578", _H),
    ("start_lost", "SO:0002012", _H),
    ("transcript_amplification", "SO:0001889", _H),
    ("feature_elongation", "SO:0001907", _H),
    ("feature_truncation", "SO:0001906", _H),
    ("inframe_insertion", "SO:0001821", _M),
    ("inframe_deletion", "SO:0001822", _M),
    ("inframe_indel", "SO:0001820", _M),
    ("missense_variant", "SO:0001583", _M),
    ("protein_altering_variant", "SO:0001818", _M),
    ("splice_donor_5th_base_variant", "SO:0001787", _L),
    ("splice_region_variant", "SO:0001630", _L),
    ("splice_donor_region_variant", "SO:0002170", _L),
    ("splice_polypyrimidine_tract_variant", "SO:0002169", _L),
    ("incomplete_terminal_codon_variant", "SO:0001626", _L),
    ("start_retained_variant", "SO:0002019", _L),
    ("stop_retained_variant", "SO:0001567", _L),
    ("synonymous_variant", "SO:0001819", _L),
    ("coding_sequence_variant", "SO:0001580", _X),
    ("mature_miRNA_variant", "SO:0001620", _X),
    ("5_prime_UTR_premature_start_codon_gain_variant", "SO:0001988", _X),
    ("5_prime_UTR_variant", "SO:0001623", _X),
    ("3_prime_UTR_variant", "SO:0001624", _X),
    ("non_coding_transcript_exon_variant", "SO:0001792", _X),
    ("intron_variant", "SO:0001627", _X),
    ("NMD_transcript_variant", "SO:0001621", _X),
    ("non_coding_transcript_variant", "SO:0001619", _X),
    ("coding_transcript_variant", "SO:0001968", _X),
    ("upstream_gene_variant", "SO:0001631", _X),
    ("downstream_gene_variant", "SO:0001632", _X),
    ("TFBS_ablation", "SO:0001895", _X),
    ("TFBS_amplification", "SO:0001892", _X),
    ("TF_binding_site_variant", "SO:0001782", _X),
    ("regulatory_region_ablation", "SO:0001894", _M),
    ("regulatory_region_amplification", "SO:0001891", _X),
    ("regulatory_region_variant", "SO:0001566", _X),
    ("intragenic_variant", "SO:0002011", _X),
    ("intergenic_variant", "SO:0001628", _X),
    ("sequence_variant", "SO:0001060", _X),
))
BY_NAME: dict[str, SoTerm] = {t.name: t for t in TERMS}
RANK: dict[str, int] = {t.name: i for i, t in enumerate(TERMS)}

# Annotator / ClinVar spelling -> the term in TERMS.
SYNONYMS: dict[str, str] = {
    # snpEff
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "initiator_codon_variant": "start_lost",
    "non_canonical_start_codon": "start_retained_variant",
    "intergenic_region": "intergenic_variant",
    "gene_variant": "intragenic_variant",
    "transcript_variant": "coding_transcript_variant",
    "exon_variant": "non_coding_transcript_exon_variant",
    # ClinVar MC and older VEP releases
    "nonsense": "stop_gained",
    "initiatior_codon_variant": "start_lost",
    "inframe_variant": "inframe_indel",
    "non-coding_transcript_variant": "non_coding_transcript_variant",
    "2KB_upstream_variant": "upstream_gene_variant",
    "500B_downstream_variant": "downstream_gene_variant",
}

# Consequence families the ACMG rules name.
TRUNCATING = frozenset({"stop_gained", "frameshift_variant"})
CANONICAL_SPLICE = frozenset({"splice_donor_variant", "splice_acceptor_variant"})
START_LOSS = frozenset({"start_lost"})
INFRAME = frozenset({"inframe_insertion", "inframe_deletion", "inframe_indel"})
STOP_LOST = frozenset({"stop_lost"})
WHOLE_FEATURE_LOSS = frozenset({"transcript_ablation", "exon_loss_variant"})
NULL_CONSEQUENCES = TRUNCATING | CANONICAL_SPLICE | START_LOSS | WHOLE_FEATURE_LOSS


def normalise_term(term: str) -> str:
    """One spelling -> the table's term (unknown terms pass through unchanged)."""
    return SYNONYMS.get(term, term)


def split_terms(raw: str | None) -> list[str]:
    """'&'- (or ',')-joined terms -> normalised terms, each once, in the order given."""
    terms: list[str] = []
    for term in str(raw or "").replace(",", "&").split("&"):
        term = normalise_term(term.strip())
        if term and term not in terms:
            terms.append(term)
    return terms


def normalise_terms(raw: str) -> list[str]:
    """Split, map annotator-specific spellings, order most severe first."""
    return sorted(split_terms(raw), key=lambda t: RANK.get(t, len(RANK)))


def severity(terms: list[str]) -> int:
    """Rank of the most severe term (lower is more severe; unknown terms sort last)."""
    return min((RANK.get(t, len(RANK)) for t in terms), default=len(RANK) + 1)


def impact_of_terms(terms: list[str]) -> Impact | None:
    """Impact class of the most severe known term; None when no term is known."""
    known = [BY_NAME[t].impact for t in terms if t in BY_NAME]
    order = list(Impact)
    return min(known, key=order.index) if known else None
