"""The per-patient variant table: one row per normalised allele, keyed by (chrom, pos, ref, alt).

Every stage reads the previous stage's Parquet table and adds its own columns; no stage
drops rows (exclusion is a column with a reason). This module is the single documented
contract between stages; docs/output.md is generated from the same descriptions.

Conventions: positions are 1-based; ``chrom`` uses the reference FASTA's naming; an absent
database value is null, never 0; list-like text values are ``;``-joined.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

SCHEMA_VERSION = 1
KEY = ("chrom", "pos", "ref", "alt")


def variant_key(chrom: object, pos: object, ref: object, alt: object) -> str:
    """``chrom-pos-ref-alt``: the ``variant_key`` column, unique per normalised allele; the
    join key of the side tables (transcripts, tracks) and the report."""
    return f"{chrom}-{pos}-{ref}-{alt}"


def allele_label(chrom: object, pos: object, ref: object, alt: object) -> str:
    """``chrom:pos:ref:alt``: how ledgers and messages name one record's allele(s)."""
    return f"{chrom}:{pos}:{ref}:{alt}"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    stage: str
    description: str


def _cols(stage: str, *specs: tuple[str, pa.DataType, str]) -> list[Column]:
    return [Column(name, dtype, stage, desc) for name, dtype, desc in specs]


INGEST = _cols(
    "ingest",
    ("chrom", pa.string(), "Contig, spelled as in the reference FASTA"),
    ("pos", pa.int64(), "1-based position after left-alignment"),
    ("ref", pa.string(), "Reference allele (upper case)"),
    ("alt", pa.string(), "Alternate allele (one per row after multi-allelic splitting)"),
    ("variant_key", pa.string(), "chrom-pos-ref-alt, unique per row"),
    ("vcf_id", pa.string(), "ID column of the input VCF (untrusted text)"),
    ("qual", pa.float64(), "QUAL"),
    ("filter", pa.string(), "FILTER values joined by ';' ('PASS' when passed)"),
    ("variant_type", pa.string(), "SNV, MNV, insertion, deletion or complex"),
    ("split_from", pa.string(), "Original chrom:pos:ref:alts when split from a multi-allelic record"),
    ("left_aligned", pa.bool_(), "True when bcftools norm moved the allele"),
    ("gt", pa.string(), "Proband genotype relative to this allele (0/1, 1|0, 1/1, 1, ...)"),
    ("zygosity", pa.string(), "het, hom_alt, hemi, hom_ref or no_call"),
    ("phased", pa.bool_(), "Genotype phased"),
    ("gq", pa.int32(), "Genotype quality"),
    ("dp", pa.int32(), "Read depth at the site for the proband"),
    ("ad_ref", pa.int32(), "Reads supporting REF"),
    ("ad_alt", pa.int32(), "Reads supporting this ALT"),
    ("vaf", pa.float64(), "ad_alt / (sum of AD)"),
    ("family_zygosity", pa.string(), "JSON object sample -> zygosity for other samples in the VCF"),
    ("csq_raw", pa.string(), "INFO/CSQ as given by VEP upstream, untouched (null when absent)"),
    ("ann_raw", pa.string(), "INFO/ANN as given by snpEff upstream, untouched (null when absent)"),
    # mtDNA (ingest/heteroplasmy.py); null off chrM/MT
    ("heteroplasmy", pa.float64(), "chrM/MT: fraction of mtDNA copies carrying the ALT (0-1), "
     "from FORMAT/AF (or HF) when within 0-1, else AD alt/(ref+alt); null when unknown"),
    ("heteroplasmy_source", pa.string(), "chrM/MT: FORMAT/AF, FORMAT/HF, AD, or GT (a haploid "
     "ALT call without read counts: homoplasmic by the caller's call, level unknown)"),
    ("plasmy", pa.string(), "chrM/MT: homoplasmic (heteroplasmy >= 95%, gnomAD's cut-off) or "
     "heteroplasmic"),
    ("heteroplasmy_flag", pa.string(), "chrM/MT: problems with the level (FORMAT/AF outside "
     "0-1, AD above DP, AF and AD disagreeing), '; '-joined; null when none"),
)
HETEROPLASMY_COLUMNS = ("heteroplasmy", "heteroplasmy_source", "plasmy", "heteroplasmy_flag")

ANNOTATE = _cols(
    "annotate",
    ("gene_symbol", pa.string(), "HGNC symbol of the preferred transcript's gene"),
    ("gene_id", pa.string(), "Ensembl/NCBI gene ID"),
    ("gene_hgnc_id", pa.string(), "HGNC ID of the gene (bundle's HGNC table; null if unresolved)"),
    ("gene_ncbi_id", pa.string(), "NCBI Gene ID of the gene (bundle's HGNC table)"),
    ("transcript_id", pa.string(), "Preferred transcript (MANE Select > canonical > most severe)"),
    ("biotype", pa.string(), "Biotype of the preferred transcript (protein_coding, lncRNA, ...)"),
    ("is_mane_select", pa.bool_(), "Preferred transcript is MANE Select"),
    ("is_canonical", pa.bool_(), "Preferred transcript is the canonical one"),
    ("consequence", pa.string(), "Sequence Ontology terms joined by '&'"),
    ("impact", pa.string(), "HIGH, MODERATE, LOW or MODIFIER"),
    ("hgvs_c", pa.string(), "HGVS coding/non-coding name"),
    ("hgvs_p", pa.string(), "HGVS protein name"),
    ("exon", pa.string(), "exon number/total"),
    ("intron", pa.string(), "intron number/total"),
    ("protein_position", pa.int32(), "Amino-acid position"),
    ("amino_acids", pa.string(), "REF/ALT amino acids (e.g. R/W)"),
    ("splice_distance", pa.int32(), "Signed offset from the nearest splice-site exon base, HGVS-style: "
     "intronic c.N+k -> +k, c.N-k -> -k; exonic: negative 5' of a donor, positive 3' of an acceptor"),
    ("n_transcripts", pa.int32(), "Number of transcript effects in ID.transcripts.parquet"),
    ("annotator", pa.string(), "Annotator and version"),
    ("clinvar_variation_id", pa.string(), "ClinVar VariationID (VCF ID column)"),
    ("clinvar_allele_id", pa.string(), "ClinVar ALLELEID"),
    ("clinvar_significance", pa.string(), "CLNSIG"),
    ("clinvar_significance_conflicts", pa.string(), "CLNSIGCONF (conflicting classifications)"),
    ("clinvar_review_status", pa.string(), "CLNREVSTAT"),
    ("clinvar_stars", pa.int8(), "Review stars 0-4 from CLNREVSTAT"),
    ("clinvar_conditions", pa.string(), "CLNDN"),
    ("clinvar_release", pa.string(), "ClinVar release used"),
    ("gnomad_af", pa.float64(), "gnomAD allele frequency"),
    ("gnomad_grpmax_af", pa.float64(), "gnomAD grpmax (popmax) allele frequency"),
    ("gnomad_grpmax_pop", pa.string(), "gnomAD genetic ancestry group of the grpmax AF"),
    ("gnomad_group_af", pa.string(), "JSON object group -> AF (gnomAD genetic ancestry groups)"),
    ("gnomad_ac", pa.int64(), "gnomAD allele count"),
    ("gnomad_an", pa.int64(), "gnomAD allele number"),
    ("gnomad_nhomalt", pa.int64(), "gnomAD homozygous count"),
    ("gnomad_filter", pa.string(), "gnomAD site FILTER"),
    ("gnomad_release", pa.string(), "gnomAD release used"),
    ("popfreq_af", pa.string(), "JSON object source -> AF for the bundle's other frequency sources"),
    ("max_pop_af", pa.float64(), "Highest AF across all population sources (null: absent from all)"),
    ("max_pop_af_source", pa.string(), "Source (and group) of max_pop_af, e.g. gnomad:nfe"),
    ("inhouse_classification", pa.string(), "The lab's prior classification"),
    ("inhouse_ac", pa.int64(), "In-house allele count"),
    ("inhouse_an", pa.int64(), "In-house allele number"),
    ("inhouse_release", pa.string(), "In-house source release used"),
    ("spliceai_precomputed", pa.string(), "Precomputed SpliceAI entries of the allele from the "
     "bundle's spliceai source, as its INFO/SpliceAI (ALLELE|SYMBOL|DS_AG|...|DP_DL, one per gene)"),
    ("revel_score", pa.float64(), "REVEL score of the allele (highest over its protein changes); "
     "PP3/BP4 by Pejaver 2022"),
    ("revel_release", pa.string(), "REVEL release used"),
    ("cadd_phred", pa.float64(), "CADD PHRED-scaled score; PP3/BP4 by Pejaver 2022"),
    ("cadd_raw", pa.float64(), "CADD raw score"),
    ("cadd_release", pa.string(), "CADD release used"),
    ("alphamissense_score", pa.float64(), "AlphaMissense am_pathogenicity; PP3/BP4 by "
     "Bergquist 2025"),
    ("alphamissense_class", pa.string(), "AlphaMissense am_class (likely_benign, ambiguous, "
     "likely_pathogenic)"),
    ("alphamissense_release", pa.string(), "AlphaMissense release used"),
    # mtDNA sources (docs/mitochondrial.md); null off chrM/MT
    ("mito_locus", pa.string(), "chrM/MT: MITOMAP loci covering the position (MT-TL1, MT-CR, "
     "...), ';'-joined"),
    ("gnomad_mt_af_hom", pa.float64(), "gnomAD chrM homoplasmic allele frequency (AF_hom)"),
    ("gnomad_mt_af_het", pa.float64(), "gnomAD chrM heteroplasmic (10-95%) allele frequency (AF_het)"),
    ("gnomad_mt_ac_hom", pa.int64(), "gnomAD chrM homoplasmic count"),
    ("gnomad_mt_ac_het", pa.int64(), "gnomAD chrM heteroplasmic count"),
    ("gnomad_mt_an", pa.int64(), "gnomAD chrM allele number (genomes called)"),
    ("gnomad_mt_max_heteroplasmy", pa.float64(), "gnomAD chrM highest heteroplasmy observed"),
    ("gnomad_mt_filter", pa.string(), "gnomAD chrM site filters"),
    ("gnomad_mito_release", pa.string(), "gnomAD chrM release used"),
    ("helixmtdb_af_hom", pa.float64(), "HelixMTdb homoplasmic allele frequency"),
    ("helixmtdb_af_het", pa.float64(), "HelixMTdb heteroplasmic allele frequency"),
    ("helixmtdb_ac_hom", pa.int64(), "HelixMTdb homoplasmic count"),
    ("helixmtdb_ac_het", pa.int64(), "HelixMTdb heteroplasmic count"),
    ("helixmtdb_max_heteroplasmy", pa.float64(), "HelixMTdb highest alternate read fraction"),
    ("helixmtdb_release", pa.string(), "HelixMTdb release used"),
    ("mitomap_status", pa.string(), "MITOMAP disease status (Cfrm = confirmed pathogenic, "
     "Reported, ...; untrusted text)"),
    ("mitomap_disease", pa.string(), "MITOMAP associated diseases (untrusted text)"),
    ("mitomap_homoplasmy", pa.string(), "MITOMAP: reported homoplasmic (+/-)"),
    ("mitomap_heteroplasmy", pa.string(), "MITOMAP: reported heteroplasmic (+/-)"),
    ("mitomap_genbank_freq", pa.float64(), "MITOMAP: % of GenBank full-length sequences with "
     "the allele"),
    ("mitomap_release", pa.string(), "MITOMAP disease table release used"),
    ("mitotip_score", pa.float64(), "MitoTIP tRNA pathogenicity score; PP3/BP4 by quartile "
     "(McCormick 2020)"),
    ("mitotip_quartile", pa.string(), "MitoTIP quartile (Q1 likely pathogenic .. Q4 likely benign)"),
    ("mitotip_release", pa.string(), "MitoTIP release used"),
    ("apogee_score", pa.float64(), "MitImpact APOGEE score (mtDNA missense); PP3/BP4 "
     "(McCormick 2020)"),
    ("apogee_class", pa.string(), "MitImpact APOGEE class (Pathogenic, Neutral)"),
    ("mitimpact_release", pa.string(), "MitImpact release used"),
    ("gene_pli", pa.float64(), "gnomAD constraint pLI"),
    ("gene_loeuf", pa.float64(), "gnomAD constraint LOEUF"),
    ("gene_constraint_release", pa.string(), "gnomAD constraint release used"),
)

SCORE = _cols(
    "score",
    ("spliceai_ds_ag", pa.float64(), "SpliceAI delta score, acceptor gain"),
    ("spliceai_ds_al", pa.float64(), "SpliceAI delta score, acceptor loss"),
    ("spliceai_ds_dg", pa.float64(), "SpliceAI delta score, donor gain"),
    ("spliceai_ds_dl", pa.float64(), "SpliceAI delta score, donor loss"),
    ("spliceai_dp_ag", pa.int32(), "Position of acceptor gain relative to the variant"),
    ("spliceai_dp_al", pa.int32(), "Position of acceptor loss relative to the variant"),
    ("spliceai_dp_dg", pa.int32(), "Position of donor gain relative to the variant"),
    ("spliceai_dp_dl", pa.int32(), "Position of donor loss relative to the variant"),
    ("spliceai_max", pa.float64(), "max of the four delta scores"),
    ("spliceai_gene", pa.string(), "Gene the SpliceAI score was computed for"),
    ("spliceai_source", pa.string(), "live (scored in this run) or precomputed (the bundle's "
     "spliceai source, taken as is); null when not scored"),
    ("score_status", pa.string(), "scored, not_candidate, or skipped:<reason>"),
    ("model_scores", pa.string(),
     "JSON object: registry model name -> {score, ...} (seq2func/dnalm bundles; docs/models.md)"),
    # Pangolin (Zeng & Li 2022), scored as its CLI does; docs/score.md
    ("pangolin_gain", pa.float64(), "Pangolin largest increase of splice-site P(splice) within "
     "+-D (max over 4 tissues of the mean of 3 models; masked unless --pangolin-mask 0), 2 decimals"),
    ("pangolin_gain_pos", pa.int32(), "Position of pangolin_gain relative to the variant"),
    ("pangolin_loss", pa.float64(), "Pangolin largest decrease (<= 0) of splice-site P(splice) "
     "within +-D (len(REF) + 2D positions for deletions), 2 decimals"),
    ("pangolin_loss_pos", pa.int32(), "Position of pangolin_loss relative to the variant"),
    ("pangolin_max", pa.float64(), "max(pangolin_gain, -pangolin_loss)"),
    ("pangolin_gene", pa.string(), "Gene of the Pangolin score (largest pangolin_max of the "
     "variant's genes)"),
    ("pangolin_info", pa.string(), "Every gene's entry as the original INFO/Pangolin: "
     "gene|pos:gain|pos:loss|Warnings:..., joined by ','"),
    ("pangolin_status", pa.string(), "scored, not_candidate:<reason> or skipped:<reason>; "
     "null when no Pangolin bundle ran"),
    # Xpresso (Agarwal & Shendure 2020): promoter variants' effect on predicted expression
    ("xpresso_delta", pa.float64(), "Xpresso alt minus ref predicted log10 median expression "
     "(the gene whose promoter window -7,000..+3,500 bp holds the allele with the largest change)"),
    ("xpresso_ref", pa.float64(), "Xpresso reference prediction (log10 expression) of that gene"),
    ("xpresso_gene", pa.string(), "Gene of the Xpresso score"),
    ("xpresso_status", pa.string(), "scored, not_in_promoter_window, not_candidate:<reason> or "
     "skipped:<reason>; null when no Xpresso bundle ran"),
)

PRIORITISE = _cols(
    "prioritise",
    ("acmg_codes", pa.string(), "ACMG/AMP evidence codes met, with strength, joined by ';'"),
    ("acmg_class", pa.string(), "Five-tier class by the 2015 combining rules"),
    ("acmg_points", pa.int32(), "Bayesian points (Tavtigian 2020)"),
    ("acmg_class_points", pa.string(), "Five-tier class by the points system"),
    ("phenotype_score", pa.float64(), "HPO similarity of the gene to the patient's terms"),
    ("phenotype_disease", pa.string(), "Best-matching disease for the gene"),
    ("disease_inheritance", pa.string(),
     "Modes of inheritance of the gene's matched disease (HPO annotations), joined by ';'"),
    ("inheritance_fit", pa.string(), "Modes of inheritance the genotypes fit, joined by ';'"),
    ("variant_score", pa.float64(), "Combined variant score in [0, 1]"),
    ("gene_score", pa.float64(), "Combined gene score in [0, 1]"),
    ("rank", pa.int32(), "Rank of the variant (1 = best); null when excluded"),
    ("gene_rank", pa.int32(), "Rank of the variant's gene by gene_score (1 = best); null when excluded"),
    ("evidence_json", pa.string(), "JSON list of evidence items that made the score"),
    ("excluded_reason", pa.string(), "Why the variant is not ranked (null when ranked)"),
)

ALL_COLUMNS: list[Column] = INGEST + ANNOTATE + SCORE + PRIORITISE


def columns_for(stage: str) -> list[Column]:
    return [c for c in ALL_COLUMNS if c.stage == stage]


def arrow_schema(stage: str) -> pa.Schema:
    """Schema of the columns that ``stage`` adds, in documented order."""
    return pa.schema([pa.field(c.name, c.type) for c in columns_for(stage)])
