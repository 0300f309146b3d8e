"""Exact-allele lookup: ClinVar GRCh37 chr1 subset x GIAB Ashkenazi trio (HG002), and friends."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from varrank.annotate import run_annotate
from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.lookup import lookup
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError
from varrank.core.table_io import read_table, write_table

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TRIO = "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz"


@pytest.fixture(scope="module")
def clinvar_bundle(shared_data, tmp_path_factory) -> Path:
    return build_bundle(BuildRequest(out=tmp_path_factory.mktemp("cv") / "bundle", genome="GRCh37",
                                     sources=[SourceSpec("clinvar", "clinvar", [shared_data / CLINVAR37])]))


@pytest.fixture(scope="module")
def hg002_annotated(trio_hg002, clinvar_bundle, tmp_path_factory) -> Path:
    return run_annotate(trio_hg002, clinvar_bundle, tmp_path_factory.mktemp("out")).table


def _alleles(path: Path) -> set[tuple[str, int, str, str]]:
    """Split alleles of a VCF read naively, independent of the code under test."""
    found = set()
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if not line.startswith("#"):
                c = line.split("\t")
                for alt in c[4].split(","):
                    found.add((c[0], int(c[1]), c[3], alt))
    return found


def test_twelve_exact_clinvar_matches_including_perm1(shared_data, hg002_annotated):
    rows = pq.read_table(hg002_annotated).to_pylist()
    hits = {(r["chrom"], r["pos"], r["ref"], r["alt"]) for r in rows if r["clinvar_variation_id"]}
    expected = _alleles(shared_data / TRIO) & _alleles(shared_data / CLINVAR37)
    assert len(expected) == 12 and hits == expected
    perm1 = next(r for r in rows if (r["pos"], r["ref"], r["alt"]) == (911595, "A", "G"))
    assert perm1["clinvar_significance"] == "Pathogenic"
    assert perm1["clinvar_release"] == "2023-07-10"
    assert perm1["clinvar_stars"] == 0  # no_assertion_criteria_provided
    assert perm1["clinvar_review_status"] == "no_assertion_criteria_provided"
    assert "PERM1" not in (perm1["clinvar_conditions"] or "")  # conditions, not genes
    assert perm1["clinvar_allele_id"] and perm1["clinvar_variation_id"]


def test_absent_means_null_never_zero(hg002_annotated):
    rows = pq.read_table(hg002_annotated).to_pylist()
    misses = [r for r in rows if r["clinvar_variation_id"] is None]
    assert len(misses) == len(rows) - 12
    for r in misses[:500]:
        assert r["clinvar_stars"] is None and r["clinvar_release"] is None
        assert r["gnomad_af"] is None and r["max_pop_af"] is None  # no frequency source at all


def test_stage_keeps_every_row_and_ingest_columns(trio_hg002, hg002_annotated):
    before, _ = read_table(trio_hg002)
    after, meta = read_table(hg002_annotated)
    assert after.num_rows == before.num_rows == 9940
    assert after.select(before.column_names).equals(before)
    assert meta["stages"][-1]["stage"] == "annotate"
    assert meta["stages"][-1]["sources"] == {"clinvar": "2023-07-10"}
    ledger = json.loads(hg002_annotated.with_name("HG002.annotate.ledger.json").read_text())
    assert ledger["balanced"] and ledger["records_in"] == ledger["records_out"] == 9940
    assert any("12 of 9940" in note for note in ledger["notes"])


def test_chr_prefixed_patient_meets_b37_named_bundle(trio_hg002, clinvar_bundle, tmp_path):
    table, meta = read_table(trio_hg002)
    chrom = pa.array(["chr" + c for c in table.column("chrom").to_pylist()])
    renamed = table.set_column(table.column_names.index("chrom"), "chrom", chrom)
    path = write_table(renamed, tmp_path / "chr.parquet", meta)
    out = run_annotate(path, clinvar_bundle, tmp_path / "out")
    rows = pq.read_table(out.table).to_pylist()
    assert sum(1 for r in rows if r["clinvar_variation_id"]) == 12
    assert all(r["chrom"].startswith("chr") for r in rows)  # the patient's naming is kept


def test_bundle_of_other_build_is_refused(trio_hg002, clinvar_bundle, tmp_path):
    table, meta = read_table(trio_hg002)
    path = write_table(table, tmp_path / "p38.parquet", dict(meta, genome_build="GRCh38"))
    with pytest.raises(ResourceError, match="bundle is GRCh37 but the patient's variants are GRCh38"):
        run_annotate(path, clinvar_bundle, tmp_path / "out")


def test_cli_reports_other_build_in_one_line(trio_hg002, clinvar_bundle, tmp_path, repo_root):
    table, meta = read_table(trio_hg002)
    path = write_table(table, tmp_path / "p38.parquet", dict(meta, genome_build="hg38"))
    proc = subprocess.run([sys.executable, "-m", "varrank", "annotate", "--in", str(path),
                           "--bundle", str(clinvar_bundle), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env={"PYTHONPATH": str(repo_root / "src"),
                                                               "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bundle is GRCh37 but the patient's variants are GRCh38" in proc.stderr


def test_frequencies_max_pop_af_and_groups(shared_data, tmp_path):
    vcf = shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                       sources=[SourceSpec("popfreq", "tgp", [vcf])]))
    keys = pa.table({"chrom": ["chr17", "17", "17"], "pos": [41196363, 41196368, 41196363],
                     "ref": ["C", "C", "C"], "alt": ["T", "T", "G"]})
    cols, matches = lookup(open_bundle(bundle, "GRCh37"), keys)
    assert matches == {"tgp": 2}
    # 17:41196363 C>T: AF=0.00419329; EUR_AF=0.0099 is the highest super-population
    assert cols["max_pop_af"].to_pylist() == [0.0099, 0.0399, None]
    assert cols["max_pop_af_source"].to_pylist() == ["tgp:eur", "tgp:sas", None]
    assert json.loads(cols["popfreq_af"][0].as_py()) == {"tgp": 0.00419329}
    assert cols["popfreq_af"][2].as_py() is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_lookup_rows_stay_aligned_for_any_subset_and_order(clinvar_bundle, trio_hg002, data):
    """Property: a row's annotation does not depend on which other rows are looked up with it."""
    table, _ = read_table(trio_hg002)
    bundle = open_bundle(clinvar_bundle, "GRCh37")
    full, _ = lookup(bundle, table)
    idx = data.draw(st.lists(st.integers(0, table.num_rows - 1), min_size=1, max_size=60))
    sub, _ = lookup(bundle, table.take(pa.array(idx)))
    assert sub["clinvar_variation_id"].to_pylist() == [full["clinvar_variation_id"][i].as_py() for i in idx]
    assert len(sub["clinvar_stars"]) == len(idx)


def _hg002_carried_alleles(path: Path) -> set[tuple[str, int, str, str]]:
    """Alleles in HG002's genotype (10th column), read naively from the trio VCF."""
    found = set()
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            gt = c[9].split(":")[0].replace("|", "/").split("/")
            alts = c[4].split(",")
            for a in {int(x) for x in gt if x not in (".", "0")}:
                found.add((c[0], int(c[1]), c[3], alts[a - 1]))
    return found


def test_real_ingest_output_of_hg002(shared_data, clinvar_bundle, tmp_path):
    """`varrank ingest` (split-only: no chr1 FASTA in the test data) then `varrank annotate`."""
    from varrank.ingest import run_ingest

    ingested = run_ingest(shared_data / TRIO, "HG002", tmp_path / "ingest", proband="HG002",
                          genome="GRCh37")
    out = run_annotate(ingested.table, clinvar_bundle, tmp_path / "annotate")
    rows = pq.read_table(out.table).to_pylist()
    hits = {(r["chrom"], r["pos"], r["ref"], r["alt"]) for r in rows if r["clinvar_variation_id"]}
    expected = _hg002_carried_alleles(shared_data / TRIO) & _alleles(shared_data / CLINVAR37)
    assert hits == expected and ("1", 911595, "A", "G") in hits
    assert len(expected) == 11  # the 12th trio match is a parental allele HG002 does not carry
    perm1 = next(r for r in rows if r["pos"] == 911595)
    assert perm1["zygosity"] == "hom_alt" and perm1["clinvar_significance"] == "Pathogenic"


def test_empty_table_and_resources_show(clinvar_bundle, tmp_path, repo_root):
    from varrank.core.schema import arrow_schema

    empty = write_table(pa.Table.from_pylist([], schema=arrow_schema("ingest")),
                        tmp_path / "e.parquet", {"patient": "E0", "genome_build": "GRCh37"})
    out = run_annotate(empty, clinvar_bundle, tmp_path / "o")
    assert pq.read_table(out.table).num_rows == 0
    assert json.loads(out.ledger.read_text())["balanced"]
    proc = subprocess.run([sys.executable, "-m", "varrank", "resources", "show", str(clinvar_bundle)],
                          capture_output=True, text=True,
                          env={"PYTHONPATH": str(repo_root / "src"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0 and "2023-07-10" in proc.stdout and "1,999" in proc.stdout
