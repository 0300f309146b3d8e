"""Helpers for the ANNOTATE tests: patient tables built from real VCFs, a padded GRCh38 chr17.

Until `varrank ingest` is on main these tests build the INGEST table directly: the VCF is
split with bcftools norm -m-any (through pysam; no chr1 FASTA exists in the test data, so no
left-alignment) and the proband's genotype is read with cyvcf2.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import cyvcf2
import pyarrow as pa
import pysam
import pysam.bcftools

from varrank.core.schema import arrow_schema
from varrank.core.table_io import write_table

CHR17_GRCH38_LENGTH = 83257441
SLICE38 = "reference/GRCh38_chr17_42425000-43600000.fa"
SLICE38_START = 42425000


def _zygosity(gt: list) -> str:
    alleles = [a for a in gt[:-1] if a is not None and a >= 0]
    if not alleles:
        return "no_call"
    if all(a == 0 for a in alleles):
        return "hom_ref"
    if len(alleles) == 1:
        return "hemi"
    return "hom_alt" if len(set(alleles)) == 1 else "het"


def patient_table(vcf: Path, sample: str, out: Path, patient: str, build: str,
                  fasta: Path | None = None, rename=None) -> Path:
    """Write an INGEST-shaped Parquet table (split multi-allelics) for one sample of ``vcf``."""
    split = out.with_suffix(".split.vcf")
    args = ["-m", "-any", "-O", "v", "-o", str(split)]
    if fasta:
        args += ["-f", str(fasta)]
    pysam.bcftools.norm(*args, str(vcf), catch_stdout=False)
    rows: dict[str, list] = {f.name: [] for f in arrow_schema("ingest")}
    reader = cyvcf2.VCF(str(split), samples=[sample])
    for rec in reader:
        chrom = rename(rec.CHROM) if rename else rec.CHROM
        alt = rec.ALT[0] if rec.ALT else "."
        gt = rec.genotypes[0]
        rows["chrom"].append(chrom)
        rows["pos"].append(rec.POS)
        rows["ref"].append(rec.REF)
        rows["alt"].append(alt)
        rows["variant_key"].append(f"{chrom}-{rec.POS}-{rec.REF}-{alt}")
        rows["vcf_id"].append(rec.ID)
        rows["qual"].append(rec.QUAL)
        rows["filter"].append(rec.FILTER or "PASS")
        rows["gt"].append("/".join("." if a < 0 else str(a) for a in gt[:-1]))
        rows["zygosity"].append(_zygosity(gt))
        for name in rows:
            if len(rows[name]) < len(rows["chrom"]):
                rows[name].append(None)
    reader.close()
    split.unlink()
    table = pa.Table.from_pydict(rows, schema=arrow_schema("ingest"))
    write_table(table, out, {"patient": patient, "genome_build": build,
                             "fasta": str(fasta) if fasta else None, "proband": sample})
    return out


def write_padded_chr17(shared: Path, dest_dir: Path) -> Path:
    """GRCh38 chr17 at true coordinates: the slice padded with N (varrank.testdata.derive)."""
    from varrank.testdata.derive import pad_slice

    return pad_slice(shared / SLICE38, dest_dir, "GRCh38")


def vcf_text_records(path: Path) -> list[list[str]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]


# Ensembl VEP 113 output (--everything style, 59 fields) for 1:65568 A>C, as quoted verbatim in
# a public VEP-CSQ parsing project's tests; real format, MANE Select on ENST00000641515.2.
VEP113_DESCRIPTION = (
    "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|"
    "Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position|CDS_position|"
    "Protein_position|Amino_acids|Codons|Existing_variation|REF_ALLELE|UPLOADED_ALLELE|DISTANCE|"
    "STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|MANE|MANE_SELECT|MANE_PLUS_CLINICAL|TSL|APPRIS|SIFT|"
    "PolyPhen|AF|AFR_AF|AMR_AF|EAS_AF|EUR_AF|SAS_AF|gnomADe_AF|gnomADe_AFR_AF|gnomADe_AMR_AF|"
    "gnomADe_ASJ_AF|gnomADe_EAS_AF|gnomADe_FIN_AF|gnomADe_MID_AF|gnomADe_NFE_AF|"
    "gnomADe_REMAINING_AF|gnomADe_SAS_AF|CLIN_SIG|SOMATIC|PHENO|PUBMED|MOTIF_NAME|MOTIF_POS|"
    "HIGH_INF_POS|MOTIF_SCORE_CHANGE|TRANSCRIPTION_FACTORS|am_class|am_pathogenicity")
VEP113_CSQ = (
    "C|downstream_gene_variant|MODIFIER|OR4G11P|ENSG00000240361|Transcript|ENST00000492842.2|"
    "transcribed_unprocessed_pseudogene|||||||||||A|A/C|1681|1||HGNC|HGNC:31276|||||||||||||||||||"
    "|||||||||||||||,"
    "C|missense_variant|MODERATE|OR4F5|ENSG00000186092|Transcript|ENST00000641515.2|protein_coding|"
    "2/3||||64|4|2|K/Q|Aag/Cag||A|A/C||1||HGNC|HGNC:14825|MANE_Select|NM_001005484.2|||P1|"
    "tolerated_low_confidence(0.06)|benign(0)|||||||||||||||||||||||||||,"
    "C|downstream_gene_variant|MODIFIER||ENSG00000290826|Transcript|ENST00000642116.1|lncRNA|||||||"
    "||||A|A/C|1452|1|||||||||||||||||||||||||||||||||||||,"
    "C|downstream_gene_variant|MODIFIER||ENSG00000290826|Transcript|ENST00000832531.1|lncRNA|||||||"
    "||||A|A/C|2042|1|||||||||||||||||||||||||||||||||||||")


GNOMAD_V4_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=AC0,Description="Allele count is zero after filtering out low-confidence genotypes">
##FILTER=<ID=AS_VQSR,Description="Failed VQSR filtering thresholds">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum allele frequency">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">
##INFO=<ID=AC_afr,Number=A,Type=Integer,Description="Alternate allele count for samples of African/African-American ancestry">
##INFO=<ID=AN_afr,Number=1,Type=Integer,Description="Total number of alleles in samples of African/African-American ancestry">
##INFO=<ID=AF_afr,Number=A,Type=Float,Description="Alternate allele frequency in samples of African/African-American ancestry">
##INFO=<ID=AC_nfe,Number=A,Type=Integer,Description="Alternate allele count for samples of Non-Finnish European ancestry">
##INFO=<ID=AN_nfe,Number=1,Type=Integer,Description="Total number of alleles in samples of Non-Finnish European ancestry">
##INFO=<ID=AF_nfe,Number=A,Type=Float,Description="Alternate allele frequency in samples of Non-Finnish European ancestry">
##INFO=<ID=AF_asj,Number=A,Type=Float,Description="Alternate allele frequency in samples of Ashkenazi Jewish ancestry">
##INFO=<ID=vep,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP">
##contig=<ID=chr17,length=83257441,assembly=gnomAD_GRCh38>
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO
"""


def slice_base(shared: Path, pos: int, length: int = 1) -> str:
    with pysam.FastaFile(str(shared / "reference/GRCh38_chr17_42425000-43600000.fa")) as fa:
        start = pos - 42425000
        return fa.fetch(fa.references[0], start, start + length).upper()


def homopolymer(shared: Path, start: int = 43045000) -> tuple[int, int]:
    """(position of the base before an A-run of length >= 4, run length), read from the slice."""
    seq = slice_base(shared, start, 20000)
    i = seq.index("GAAAA")
    j = i + 1
    while seq[j] == "A":
        j += 1
    return start + i, j - (i + 1)


def write_gnomad_v4(shared: Path, path: Path) -> dict:
    """A tiny VCF in gnomAD v4.1's official layout at real BRCA1 positions (values synthetic)."""
    anchor, run = homopolymer(shared)
    p1, p2 = 43045705, 43047643
    r1, r2 = slice_base(shared, p1), slice_base(shared, p2)
    alt1 = "T" if r1 != "T" else "C"
    alt2a, alt2b = [b for b in "ACGT" if b != r2][:2]
    right = anchor + run - 1  # a 1-bp deletion of the run, written right-shifted
    lines = [
        f"chr17\t{p1}\t.\t{r1}\t{alt1}\t.\tPASS\tAC=3;AN=152000;AF=1.97e-05;grpmax=afr;AF_grpmax=6e-05;"
        f"nhomalt=0;AC_afr=2;AN_afr=41000;AF_afr=4.878e-05;AC_nfe=1;AN_nfe=68000;AF_nfe=1.47e-05;"
        f"AF_asj=0.01;vep=x|y",
        f"chr17\t{p2}\t.\t{r2}\t{alt2a},{alt2b}\t.\tAC0\tAC=0,5;AN=150000;AF=0,3.3e-05;grpmax=.,nfe;"
        f"AF_grpmax=.,7.3e-05;nhomalt=0,1;AC_nfe=0,5;AN_nfe=68000;AF_nfe=0,7.353e-05",
        f"chr17\t{right}\t.\tAA\tA\t.\tPASS\tAC=10;AN=150000;AF=6.67e-05;nhomalt=0",
    ]
    path.write_text(GNOMAD_V4_HEADER + "\n".join(lines) + "\n")
    return {"p1": (p1, r1, alt1), "p2": (p2, r2, alt2a, alt2b), "del_left": (anchor, slice_base(shared, anchor, 2),
                                                                             slice_base(shared, anchor))}
