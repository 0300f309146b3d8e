"""Test-data tooling: manifest lookup with checksums, slice padding, the DEMO patient."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pysam
import pytest

from varrank.core.errors import ResourceError
from varrank.testdata.derive import pad_slice, read_slice
from varrank.core.checksums import sha256_file
from varrank.testdata.manifest import load_manifest, locate

REPO = Path(__file__).resolve().parents[2]
SLICE38 = "reference/GRCh38_chr17_42425000-43600000.fa"


def test_manifest_lists_every_mirrored_file(shared_data):
    manifest = load_manifest()
    provenance = {row["local_name"]
                  for row in csv.DictReader((shared_data / "PROVENANCE.tsv").open(), delimiter="\t")}
    assert len(manifest) >= 40
    for name, entry in manifest.items():
        assert len(entry.sha256) == 64 and entry.upstream and entry.build
        assert (shared_data / name).is_file(), name
    assert set(manifest) <= provenance | {n for n in manifest if n.endswith(".fai")}


def test_locate_verifies_checksum(shared_data):
    path = locate(SLICE38, shared_data)
    assert path == shared_data / SLICE38
    assert sha256_file(path) == load_manifest()[SLICE38].sha256


def test_locate_refuses_a_modified_file(shared_data, tmp_path):
    copy = tmp_path / SLICE38
    copy.parent.mkdir(parents=True)
    data = bytearray((shared_data / SLICE38).read_bytes())
    data[-5] = ord("N") if data[-5] != ord("N") else ord("A")
    copy.write_bytes(bytes(data))
    with pytest.raises(ResourceError, match="sha256 mismatch"):
        locate(SLICE38, tmp_path)


def test_locate_missing_and_unknown(tmp_path, shared_data):
    with pytest.raises(ResourceError, match="test-data file missing"):
        locate(SLICE38, tmp_path)
    with pytest.raises(ResourceError, match="not in the test-data manifest"):
        locate("reference/not_there.fa", shared_data)


def test_locate_uses_the_environment(shared_data, monkeypatch):
    monkeypatch.setenv("VARRANK_TEST_DATA", str(shared_data))
    assert locate(SLICE38) == shared_data / SLICE38


def test_pad_slice_true_coordinates_and_deterministic(shared_data, tmp_path):
    region = read_slice(shared_data / SLICE38)
    a = pad_slice(shared_data / SLICE38, tmp_path / "a", "GRCh38")
    b = pad_slice(shared_data / SLICE38, tmp_path / "b", "GRCh38")
    assert a.read_bytes() == b.read_bytes()
    with pysam.FastaFile(str(a)) as fasta:
        assert list(fasta.references) == ["chr17"] and list(fasta.lengths) == [83257441]
        assert fasta.fetch("chr17", region.start - 1, region.end).encode() == region.sequence
        assert set(fasta.fetch("chr17", 0, region.start - 1)) == {"N"}
        assert set(fasta.fetch("chr17", region.end, 83257441)) == {"N"}
        # the ClinVar BRCA1 start codon record chr17:43124094 C>T: REF C at its true position
        assert fasta.fetch("chr17", 43124093, 43124094) == "C"
    mtime = a.stat().st_mtime_ns
    assert pad_slice(shared_data / SLICE38, tmp_path / "a", "GRCh38") == a and a.stat().st_mtime_ns == mtime


def test_pad_slice_bgzip_and_rename(shared_data, tmp_path):
    path = pad_slice(shared_data / "reference/GRCh37_chr17_41100001-41300000.fa", tmp_path, "GRCh37",
                     contig_name="17", compress=True)
    assert Path(f"{path}.gzi").exists()
    with pysam.FastaFile(str(path)) as fasta:
        assert list(fasta.references) == ["17"] and list(fasta.lengths) == [81195210]


def test_pad_refuses_non_region_names(shared_data, tmp_path):
    with pytest.raises(ResourceError, match="not a region"):
        pad_slice(shared_data / "reference/ga4gh_ref_brca1.fa", tmp_path, "GRCh37")


def test_prepare_demo_patient(shared_data, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cmd = [sys.executable, "-m", "varrank", "-q", "testdata", "prepare", "--data-dir", str(shared_data),
           "--out", str(tmp_path / "demo")]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - started < 20
    out = tmp_path / "demo"
    params = json.loads((out / "params.json").read_text())
    assert set(params) == {"input", "fasta", "genome"}  # only keys nextflow_schema.json knows
    schema = json.loads((REPO / "nextflow_schema.json").read_text()) if (REPO / "nextflow_schema.json").exists() else None
    if schema is not None:
        known = {name for group in schema.get("$defs", schema.get("definitions", {})).values()
                 for name in group.get("properties", {})} | set(schema.get("properties", {}))
        assert set(params) <= known
    assert params["genome"] == "GRCh38" and Path(params["fasta"]).is_file()
    assert json.loads((out / "demo.json").read_text())["fictional"] is True
    assert Path(params["fasta"]).is_absolute() and Path(params["fasta"] + ".fai").is_file()
    rows = list(csv.DictReader((out / "samplesheet.csv").open()))
    assert list(rows[0]) == ["patient", "vcf", "index", "sex", "hpo_terms", "family_id", "paternal_id",
                             "maternal_id", "phenotype"]
    (row,) = rows
    assert row["patient"] == "DEMO" and Path(row["vcf"]).is_absolute() and Path(row["index"]).is_file()
    assert row["hpo_terms"].split(";") == ["HP:0003002", "HP:0012125"]

    # idempotent: a second run rewrites nothing
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120).returncode == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps

    # the demo ingests cleanly and carries the spiked ClinVar record as het
    from varrank.ingest import run_ingest

    paths = run_ingest(vcf=row["vcf"], patient="DEMO", out=tmp_path / "ingest", fasta=params["fasta"],
                       sex=row["sex"])
    table = pq.read_table(paths.table).to_pylist()
    spike = [r for r in table if (r["pos"], r["ref"], r["alt"]) == (43124094, "C", "T")]
    assert len(spike) == 1 and spike[0]["zygosity"] == "het"
    with pysam.VariantFile(row["vcf"]) as vcf:
        assert list(vcf.header.samples) == ["HG00096"]
        assert "varrank_demo" in str(vcf.header)
    assert len(table) == 156  # 155 HG00096 alleles + the spike


def test_cli_verify_and_pad(shared_data, tmp_path, capfd):
    from varrank_cli_calls import run_main as main

    assert main(["-q", "testdata", "verify", "--data-dir", str(shared_data)]) == 0
    assert "verified" in capfd.readouterr().out
    assert main(["-q", "testdata", "verify", "--data-dir", str(tmp_path)]) == 2
    err = capfd.readouterr().err
    assert "test-data files failed the check" in err and "Traceback" not in err
    assert main(["-q", "testdata", "pad", "--fasta", str(shared_data / SLICE38), "--genome", "GRCh38",
                 "--bgzip", "--out", str(tmp_path / "pad")]) == 0
    assert Path(capfd.readouterr().out.strip()).name == "GRCh38_chr17.padded.fa.gz"
    assert main(["-q", "testdata", "pad", "--fasta", str(shared_data / SLICE38), "--genome", "hg99",
                 "--out", str(tmp_path / "pad")]) == 2
    assert "unknown genome build" in capfd.readouterr().err
