"""`nextflow run -stub-run`: the wiring of the whole chain without running the stages.

Checks what the .nf files own: which tasks run per patient, what gets published where,
the PED handed to a family's tasks, pipeline_info/, and that -resume caches every task.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline


def test_stub_run_wires_chain_publishes_and_resumes(nextflow, stub_inputs, tmp_path):
    model_dir = stub_inputs["dir"] / "model"
    model_dir.mkdir()
    (model_dir / "manifest.json").write_text('{"name": "stub"}\n')
    outdir = tmp_path / "out"
    launch = tmp_path / "launch"
    args = ["--input", str(stub_inputs["samplesheet"]), "--fasta", str(stub_inputs["fasta"]),
            "--model_dir", str(model_dir), "--outdir", str(outdir), "-stub-run"]

    first = nextflow.run(*args, cwd=launch)
    assert first.returncode == 0, first.output
    assert "skipping ANNOTATE (no --annotation_db)" in first.output
    assert "chain INGEST -> SCORE -> PRIORITISE -> REPORT" in first.output

    # Two patients (KID-1 with its trio VCF, SOLO.2); the parents are pedigree rows only.
    for patient in ("KID-1", "SOLO.2"):
        for rel in ["ingest/{p}.ingest.parquet", "ingest/{p}.qc.json", "ingest/{p}.norm.vcf.gz.tbi",
                    "score/{p}.score.parquet", "prioritise/{p}.prioritise.ledger.json",
                    "report/{p}.report.html", "report/{p}.annotated.vcf.gz"]:
            assert (outdir / patient / rel.format(p=patient)).exists(), rel.format(p=patient)
    assert not (outdir / "DAD-1").exists()
    assert not list(outdir.rglob("versions.yml")), "versions.yml must be collated, not published"

    info = outdir / "pipeline_info"
    for name in ("execution_trace.txt", "execution_timeline.html", "execution_report.html",
                 "pipeline_dag.mmd", "software_versions.yml"):
        assert (info / name).stat().st_size > 0, name
    versions = (info / "software_versions.yml").read_text()
    for line in ('"INGEST":', '"SCORE":', '"PRIORITISE":', '"REPORT":', "Nextflow: \"24.10.0\"",
                 "onnxruntime:", "htslib:", "bcftools:", "pysam:", '"MULTIQC":', "multiqc:"):
        assert line in versions, line
    assert versions.count('"INGEST":') == 1, "one entry per process, not per patient"

    trace = first.trace(outdir)
    assert sorted(row["name"] for row in trace) == sorted(
        [f"VARRANK:{stage} ({p})" for stage in ("INGEST", "SCORE", "PRIORITISE", "REPORT")
         for p in ("KID-1", "SOLO.2")] + ["VARRANK:REPORT_INDEX", "VARRANK:MULTIQC"])
    assert (outdir / "multiqc" / "multiqc_report.html").exists(), "MultiQC is published under multiqc/"
    assert (outdir / "index.html").exists(), "the cohort index is published at the top"
    assert {row["status"] for row in trace} == {"COMPLETED"}

    # The family's PED (PLINK: sex 1/2, phenotype 1/2) reaches the proband's INGEST task only.
    ingest_kid = next(r for r in trace if r["name"] == "VARRANK:INGEST (KID-1)")
    ped = Path(ingest_kid["workdir"]) / "FAM1.ped"
    assert ped.read_text().splitlines() == [
        "FAM1\tKID-1\tDAD-1\tMUM-1\t2\t2",
        "FAM1\tDAD-1\t0\t0\t1\t1",
        "FAM1\tMUM-1\t0\t0\t2\t1",
    ]
    ingest_solo = next(r for r in trace if r["name"] == "VARRANK:INGEST (SOLO.2)")
    assert not list(Path(ingest_solo["workdir"]).glob("*.ped"))

    again = nextflow.run(*args, "-resume", cwd=launch)
    assert again.returncode == 0, again.output
    statuses = {row["name"]: row["status"] for row in again.trace(outdir)}
    assert len(statuses) == 10
    assert set(statuses.values()) == {"CACHED"}, statuses


def test_skip_list_and_missing_resources_leave_ingest_and_report(nextflow, stub_inputs, tmp_path):
    outdir = tmp_path / "out"
    result = nextflow.run("--input", str(stub_inputs["samplesheet"]), "--fasta",
                          str(stub_inputs["fasta"]), "--skip", "prioritise", "--outdir",
                          str(outdir), "-stub-run", cwd=tmp_path / "launch")
    assert result.returncode == 0, result.output
    assert "skipping PRIORITISE (--skip)" in result.output
    assert "skipping SCORE (no --model_dir)" in result.output
    assert "chain INGEST -> REPORT" in result.output
    processes = {row["process"] for row in result.trace(outdir)}
    assert processes == {"VARRANK:INGEST", "VARRANK:REPORT", "VARRANK:REPORT_INDEX", "VARRANK:MULTIQC"}


def test_raredisease_samplesheet_and_ext_when(nextflow, stub_inputs, tmp_path):
    """nf-core/raredisease's columns (one row per lane) with --case_vcf; ext.when = false on
    SCORE skips that task and the run says what it cost instead of failing."""
    data = stub_inputs["dir"]
    sheet = data / "raredisease.csv"
    sheet.write_text("sample,lane,fastq_1,fastq_2,sex,phenotype,paternal_id,maternal_id,case_id\n"
                     "kid,1,k1.fq.gz,k2.fq.gz,2,2,dad,mum,fam1\n"
                     "kid,2,k3.fq.gz,k4.fq.gz,2,2,dad,mum,fam1\n"
                     "dad,1,d1.fq.gz,d2.fq.gz,1,1,0,0,fam1\n"
                     "mum,1,m1.fq.gz,m2.fq.gz,2,1,0,0,fam1\n")
    (data / "fam1_snv.vcf.gz").write_text("placeholder\n")
    outdir = tmp_path / "out"
    common = ["--input", str(sheet), "--case_vcf", str(data / "{case_id}_snv.vcf.gz"),
              "--fasta", str(stub_inputs["fasta"]), "--outdir", str(outdir), "-stub-run"]
    result = nextflow.run(*common, cwd=tmp_path / "launch")
    assert result.returncode == 0, result.output
    names = sorted(row["name"] for row in result.trace(outdir))
    assert names == ["VARRANK:INGEST (kid)", "VARRANK:MULTIQC", "VARRANK:PRIORITISE (kid)",
                     "VARRANK:REPORT (kid)", "VARRANK:REPORT_INDEX"], names
    ped = Path(next(r for r in result.trace(outdir) if r["name"] == "VARRANK:INGEST (kid)")["workdir"]) / "fam1.ped"
    assert ped.read_text().splitlines()[0] == "fam1\tkid\tdad\tmum\t2\t2"

    model_dir = data / "model"
    model_dir.mkdir()
    (model_dir / "manifest.json").write_text('{"name": "stub"}\n')
    config = tmp_path / "when.config"
    config.write_text("process { withName: 'SCORE' { ext.when = false } }\n")
    skipped = nextflow.run(*common, "--model_dir", str(model_dir), "-c", str(config), cwd=tmp_path / "launch2")
    assert skipped.returncode == 0, skipped.output
    assert "0 of 1 report(s) written: a process skipped by ext.when" in skipped.output
    assert "Exception" not in skipped.output
