"""Ledger reasons of the INGEST stage, one place so docs, QC and tests use the same words.

A record that alone is unusable is dropped with one of these reasons and counted; problems
with the whole file (not a VCF, truncated, unsorted, wrong build) raise InputError instead.
"""

from __future__ import annotations

# Dropped before normalisation (one count per input record).
GVCF_REFERENCE_BLOCK = "gvcf_reference_block"  # ALT only <NON_REF>/<*>, or '.' with INFO/END
NO_ALT_ALLELE = "no_alt_allele"  # ALT '.' without END: a monomorphic reference call (23andMe-style)
CONTIG_NOT_IN_REFERENCE = "contig_not_in_reference"
POS_BEYOND_CONTIG_END = "pos_beyond_contig_end"
INVALID_ALLELE = "invalid_allele"  # REF/ALT with characters other than ACGTN (case-insensitive)
REF_MISMATCH = "ref_mismatch"  # REF differs from the FASTA at that position
UNSUPPORTED_GENOTYPE = "unsupported_genotype_code"  # 23andMe raw: I/D/--/0 calls
WRONG_COLUMN_COUNT = "wrong_column_count"  # not the #CHROM line's number of columns
NOT_UTF8 = "not_utf8"  # the record's text is not UTF-8 (VCF 4.3, 1.2)
EMPTY_COLUMN = "empty_column"  # a column with no text (a missing value is '.')
NUL_CHARACTER = "nul_character"  # a NUL byte, which ends the text early for htslib
INVALID_CONTIG_NAME = "invalid_contig_name"  # an undeclared CHROM that no header could declare
POS_ZERO = "pos_zero"  # POS 0: a telomere in VCF 4.x, no base to check or call
MALFORMED_RECORD = "malformed_record"  # htslib cannot parse the record, or flags it unwritable

# Dropped after splitting (one count per split row).
GVCF_NON_REF_ALLELE = "gvcf_non_ref_allele"  # the <NON_REF> row of a gVCF variant record
SYMBOLIC_ALLELE = "symbolic_allele"  # <DEL>, <CN0>, breakends: structural, not handled here
ALT_EQUALS_REF = "alt_equals_ref"  # an ALT identical to REF: no variant (seen in merged VCFs)
STAR_ALLELE = "star_allele"  # '*' = allele spanned by an upstream deletion
PROBAND_HOM_REF = "proband_hom_ref"  # the proband does not carry this allele
PROBAND_NO_CALL = "proband_no_call"  # the proband's genotype is missing (./. or 0/.)
DUPLICATE_RECORD = "duplicate_record"  # same chrom-pos-ref-alt as an earlier row (first kept)
REMOVED_BY_NORM = "removed_by_bcftools_norm"  # rows bcftools norm -c x excluded (REF check)

# Added rows.
MULTIALLELIC_SPLIT = "multiallelic_split"
