"""Real data: 1000 Genomes BRCA1 (GRCh38 and GRCh37) and the GIAB Ashkenazi trio (GRCh37)."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
import pysam

from varrank.core.ledger import Ledger
from varrank.ingest import run_ingest


def load(paths):
    return pq.read_table(paths.table).to_pylist(), Ledger.read(paths.ledger), json.loads(paths.qc.read_text())


def genotype_counts(vcf_path, sample):
    """Independent count with pysam of the rows where ``sample`` carries each ALT."""
    carried = 0
    with pysam.VariantFile(str(vcf_path)) as vcf:
        for rec in vcf:
            gt = rec.samples[sample]["GT"]
            for i, alt in enumerate(rec.alts or (), start=1):
                if i in gt and not alt.startswith("<"):
                    carried += 1
    return carried


def test_1000g_grch38_brca1_hg00096(tmp_path, shared_data, padded_grch38_chr17):
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
    paths = run_ingest(vcf=vcf, patient="HG00096", out=tmp_path, fasta=padded_grch38_chr17, proband="HG00096")
    table, ledger, qc = load(paths)
    assert ledger.records_in == 2052 and ledger.balanced
    assert ledger.dropped["ref_mismatch"] if "ref_mismatch" in ledger.dropped else True
    assert "ref_mismatch" not in ledger.dropped  # README: 2052/2052 REF alleles match GRCh38
    assert qc["ref_check"] == {"checked": 2052, "mismatches": 0, "examples": []}
    assert len(table) == genotype_counts(vcf, "HG00096") == 155
    keyed = {(r["pos"], r["ref"], r["alt"]): r for r in table}
    # multi-allelic rs7503154;rs375172267 AAAAC>CAAAC,A: HG00096 carries the first ALT only,
    # which trims to the SNV A>C at the same position.
    row = keyed[(43095587, "A", "C")]
    assert row["split_from"] == "chr17:43095587:AAAAC:CAAAC,A" and row["variant_type"] == "SNV"
    assert row["vcf_id"] == "rs7503154;rs375172267" and row["left_aligned"] is False
    assert all(r["chrom"] == "chr17" for r in table)
    assert qc["genome_build"] == "GRCh38" and qc["variants"] == 155
    assert sum(qc["variant_types"].values()) == 155


def test_1000g_grch37_bare_names_against_chr_fasta(tmp_path, shared_data, padded_grch37_chr17):
    """GRCh37 1000G file names the contig '17'; the UCSC-style FASTA says 'chr17'."""
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
    paths = run_ingest(vcf=vcf, patient="HG00096", out=tmp_path, fasta=padded_grch37_chr17, proband="HG00096")
    table, ledger, qc = load(paths)
    assert ledger.records_in == 2052 and "ref_mismatch" not in ledger.dropped
    assert len(table) == 155 and {r["chrom"] for r in table} == {"chr17"}
    assert qc["genome_build"] == "GRCh37"
    # same alleles as in GRCh38, shifted by the constant offset the data README documents
    grch38 = run_ingest(vcf=shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf", patient="X",
                        out=tmp_path / "38", fasta=None, proband="HG00096")
    t38 = pq.read_table(grch38.table).to_pylist()
    offset = 43044295 - 41196312
    assert {(r["pos"] + offset, r["ref"], r["alt"]) for r in table} == {(r["pos"], r["ref"], r["alt"]) for r in t38}


def test_giab_trio_without_reference(tmp_path, shared_data):
    """No chr1/chr2 reference in the bundle: split-only normalisation, stated in ledger and QC."""
    paths = run_ingest(vcf=shared_data / "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz", patient="HG002",
                       out=tmp_path, ped=shared_data / "variants/patients/slivar_ashk-trio.ped")
    table, ledger, qc = load(paths)
    assert ledger.records_in == 9940 and ledger.balanced
    assert any("not left-aligned" in note for note in ledger.notes)
    assert qc["normalisation"]["left_aligned"] is False and qc["proband"] == "HG002"
    assert qc["genome_build"] == "GRCh37" and qc["sex"]["declared"] == "male"  # from the PED
    assert all(r["left_aligned"] is None for r in table)
    perm1 = [r for r in table if (r["chrom"], r["pos"], r["ref"], r["alt"]) == ("1", 911595, "A", "G")]
    assert len(perm1) == 1  # the one ClinVar Pathogenic match of the trio (data README)
    assert set(json.loads(perm1[0]["family_zygosity"])) == {"HG003", "HG004"}
    # every kept row is carried by HG002; every HG002-carried row is kept
    carried = genotype_counts(shared_data / "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz", "HG002")
    assert len(table) == carried
    assert all(r["zygosity"] in ("het", "hom_alt", "hemi") for r in table)
    with gzip.open(paths.dropped, "rt") as handle:
        assert sum(1 for _ in handle) - 1 == sum(ledger.dropped.values())


def test_mitochondrial_mt_names_and_polyc_insertion(tmp_path, shared_data, write_vcf):
    """b37-style 'MT' records against an rCRS FASTA named chrM (UCSC style): m.3243A>G (MELAS),
    m.8993T>G (NARP), and the 315insC of the D310 poly-C tract, which left-aligns to 310."""
    with pysam.FastaFile(str(shared_data / "reference/chrM_rCRS_NC_012920.1.fa")) as rcrs:
        sequence = rcrs.fetch(rcrs.references[0])
    fasta = tmp_path / "chrM.fa"
    fasta.write_text(">chrM\n" + "\n".join(sequence[i:i + 60] for i in range(0, len(sequence), 60)) + "\n")
    pysam.faidx(str(fasta))
    from ingest_records import Rec

    records = [Rec("MT", 315, "C", "CC", gts=("1",)), Rec("MT", 3243, "A", "G", gts=("1",)),
               Rec("MT", 8993, "T", "G", gts=("0/1",))]
    vcf = write_vcf("mt_b37_names", records, contigs={"MT": 16569})
    paths = run_ingest(vcf=vcf, patient="MITO", out=tmp_path / "out", fasta=fasta)
    table, ledger, _ = load(paths)
    assert {(r["chrom"], r["pos"], r["ref"], r["alt"], r["zygosity"]) for r in table} == {
        ("chrM", 310, "T", "TC", "hemi"), ("chrM", 3243, "A", "G", "hemi"), ("chrM", 8993, "T", "G", "het")}
    assert next(r for r in table if r["pos"] == 310)["left_aligned"] is True
