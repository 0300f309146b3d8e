"""A cohort in one `nextflow run`: six patients of the test resources, one of them the proband
of a trio whose spike is de novo (`varrank testdata cohort`), every stage for real.

The 50-patient run with its time and memory is benchmarks/cohort_bench.py (RESULTS.md)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cohort_run(nextflow, prepared, tmp_path_factory):
    proc = subprocess.run([sys.executable, "-m", "varrank", "testdata", "cohort", "--out", str(prepared),
                           "--patients", "6", "--families", "1"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    sheet = Path(proc.stdout.strip().splitlines()[-1])
    root = tmp_path_factory.mktemp("cohort")
    outdir = root / "results"
    result = nextflow.run("-profile", "test", "--test_prepared_dir", str(prepared), "--input", str(sheet),
                          "--outdir", str(outdir), cwd=root / "launch", timeout=1500)
    assert result.returncode == 0, result.output
    with sheet.open() as handle:
        rows = list(csv.DictReader(handle))
    return {"outdir": outdir, "result": result, "analysed": [r["patient"] for r in rows if r["vcf"]]}


def test_every_patient_has_a_report_and_the_index_lists_them(cohort_run):
    outdir, analysed = cohort_run["outdir"], cohort_run["analysed"]
    assert len(analysed) == 6
    for patient in analysed:
        assert (outdir / patient / "report" / f"{patient}.report.html").is_file(), patient
    links = re.findall(r'href="([^"]+\.report\.html)"', (outdir / "index.html").read_text())
    assert sorted(links) == sorted(f"{p}/report/{p}.report.html" for p in analysed)
    assert not (outdir / "F01-DAD").exists(), "parents are pedigree rows, not patients"
    trace = cohort_run["result"].trace(outdir)
    assert {row["status"] for row in trace} == {"COMPLETED"}
    assert sum(row["name"].startswith("VARRANK:REPORT (") for row in trace) == 6


def test_trio_proband_gets_the_family_and_the_de_novo_spike(cohort_run):
    outdir = cohort_run["outdir"]
    report = json.loads((outdir / "F01-KID" / "report" / "F01-KID.report.json").read_text())
    assert report["patient"]["family_id"] == "F01"
    assert sorted(report["patient"]["other_samples"]) == ["F01-DAD", "F01-MUM"]
    ranked = (outdir / "F01-KID" / "report" / "F01-KID.ranked.tsv").read_text().splitlines()
    header = ranked[0].split("\t")
    spike = next(line.split("\t") for line in ranked[1:] if "\tchr17-43124094-C-T\t" in f"\t{line}\t")
    assert "de_novo" in spike[header.index("inheritance_fit")].split(";"), spike
    assert json.loads(spike[header.index("family_zygosity")]) == {"F01-DAD": "hom_ref", "F01-MUM": "hom_ref"}


def test_multiqc_covers_the_cohort(cohort_run):
    stats = (cohort_run["outdir"] / "multiqc" / "multiqc_report_data" / "multiqc_general_stats.txt")
    samples = {line.split("\t")[0] for line in stats.read_text().splitlines()[1:]}
    assert samples == set(cohort_run["analysed"])
