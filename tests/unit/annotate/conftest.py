"""Fixtures for the ANNOTATE tests: patient tables built from real VCFs, a padded GRCh38 chr17.

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
import pytest

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


def write_padded_chr17(shared: Path, dest: Path) -> Path:
    """GRCh38 chr17 at true coordinates: the 1.175 Mb slice padded with N (test-time derivation)."""
    with pysam.FastaFile(str(shared / SLICE38)) as fa:
        seq = fa.fetch(fa.references[0]).upper()
    tail = CHR17_GRCH38_LENGTH - (SLICE38_START - 1) - len(seq)
    line = 60
    with open(dest, "w") as out:
        out.write(">chr17\n")
        full = "N" * (SLICE38_START - 1) + seq + "N" * tail
        out.write("\n".join(full[i:i + line] for i in range(0, len(full), line)))
        out.write("\n")
    pysam.faidx(str(dest))
    return dest


@pytest.fixture(scope="session")
def chr17_grch38(shared_data: Path, tmp_path_factory) -> Path:
    return write_padded_chr17(shared_data, tmp_path_factory.mktemp("ref38") / "chr17.fa")


@pytest.fixture(scope="session")
def snpeff_db_grch38(shared_data: Path, chr17_grch38: Path, tmp_path_factory) -> Path:
    from varrank.annotate.consequence.snpeff import build_snpeff_db

    out = tmp_path_factory.mktemp("snpeff") / "db"
    return build_snpeff_db(shared_data / "annotation/BRCA1_gencode_v19.GRCh38.gff3",
                           chr17_grch38, "GRCh38", out)


@pytest.fixture(scope="session")
def trio_hg002(shared_data: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("trio") / "HG002.ingest.parquet"
    return patient_table(shared_data / "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz",
                         "HG002", out, "HG002", "GRCh37")


def vcf_text_records(path: Path) -> list[list[str]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
