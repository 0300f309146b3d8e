"""REPORT on a real INGEST output: the first version of the chain (issue 2 item 5)."""

from __future__ import annotations

import json

import pysam
from pathlib import Path

from report_helpers import assert_no_missing_words, run_cli, visible_text
from varrank.report import run_report
from varrank.report.validate import schema_errors


def test_report_on_the_ingested_demo_patient(tmp_path, shared_data):
    from varrank.ingest import run_ingest
    from varrank.testdata.demo import HPO_TERMS, prepare

    demo = prepare(shared_data, tmp_path / "demo")
    ingest = run_ingest(demo["vcf"], "DEMO", tmp_path / "ingest", fasta=demo["fasta"], sex="male",
                        index=demo["index"])
    out = run_report(ingest.table, tmp_path / "report", qc_path=ingest.qc,
                     ledger_paths=[ingest.ledger], hpo=list(HPO_TERMS))
    doc = json.loads(out.json.read_text())
    assert schema_errors(doc) == []
    qc = json.loads(ingest.qc.read_text())
    ledger = json.loads(ingest.ledger.read_text())
    assert doc["summary"]["variants"] == qc["variants"] == ledger["records_out"]
    assert doc["exclusions"]["reconciled"] is True
    assert doc["patient"]["genome_build"] == "GRCh38" and doc["patient"]["sex_inferred"] == qc["sex"]["inferred"]
    text = visible_text(out.html.read_text())
    assert f"Ti/Tv {qc['ti_tv']:.3f}" in text
    assert "HP:0003002 Breast carcinoma" in text
    assert "chr17 43,124,094 C T" in text  # the spiked ClinVar allele is in the variants table
    assert_no_missing_words(out.html.read_text())
    with pysam.VariantFile(str(out.vcf)) as vcf:
        assert len(list(vcf.fetch("chr17", 43124093, 43124094))) == 1
        assert vcf.header.contigs["chr17"].length == 83257441


def test_report_on_ingest_then_prioritise(tmp_path, shared_data):
    """INGEST -> PRIORITISE (ANNOTATE and SCORE skipped) -> REPORT with the real stages."""
    from varrank.ingest import run_ingest
    from varrank.testdata.demo import HPO_TERMS, prepare

    demo = prepare(shared_data, tmp_path / "demo")
    ingest = run_ingest(demo["vcf"], "DEMO", tmp_path / "ingest", fasta=demo["fasta"], sex="male",
                        index=demo["index"])
    assert run_cli(["-q", "prioritise", "--in", str(ingest.table), "--hpo", ",".join(HPO_TERMS),
                 "--out", str(tmp_path / "prio")]) == 0
    prio = tmp_path / "prio"
    out = run_report(prio / "DEMO.prioritise.parquet", tmp_path / "report", qc_path=ingest.qc,
                     ledger_paths=[ingest.ledger, prio / "DEMO.prioritise.ledger.json"])
    doc = json.loads(out.json.read_text())
    assert schema_errors(doc) == []
    assert doc["stages"] == {"present": ["ingest", "prioritise"], "missing": ["annotate", "score"]}
    assert [t["id"] for t in doc["indication"]["hpo_terms"]] == list(HPO_TERMS)  # from metadata
    items = doc["findings"]["items"]
    assert items and items[0]["rank"] == 1 and items[0]["evidence"]
    assert doc["exclusions"]["reconciled"] is True
    page = out.html.read_text()
    text = visible_text(page)
    assert "Not evaluated:" in text and "ANNOTATE stage not run: Gene, Transcript" in text
    assert_no_missing_words(page)


def test_report_after_real_annotate_lists_the_bundle(tmp_path, shared_data, trio_rows):
    """Trio table -> ANNOTATE against a real ClinVar bundle -> REPORT (PRIORITISE skipped)."""
    import report_tables as T

    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.sources import SourceSpec
    from varrank.annotate.stage import run_annotate
    from varrank.core.table_io import write_table

    write_table(T.to_table(trio_rows, ("ingest",)), tmp_path / "AJ.ingest.parquet",
                T.metadata(("ingest",)))
    bundle = build_bundle(BuildRequest(out=tmp_path / "bundle", genome="GRCh37", sources=[
        SourceSpec("clinvar", "clinvar", [shared_data / T.CLINVAR])]))
    ann = run_annotate(tmp_path / "AJ.ingest.parquet", bundle, tmp_path / "annotate")
    out = run_report(ann.table, tmp_path / "report", ledger_paths=[ann.ledger],
                     manifest_paths=[Path(bundle) / "manifest.json"], secondary=True)
    doc = json.loads(out.json.read_text())
    assert schema_errors(doc) == []
    assert doc["stages"]["present"] == ["ingest", "annotate"]
    items = doc["findings"]["items"]
    assert [(f["variant"]["pos"], f["clinvar"]["significance"]) for f in items] == [(911595, "Pathogenic")]
    assert "ClinVar classes pathogenic" in doc["findings"]["basis"]
    resource = doc["methods"]["resources"][0]
    assert resource["kind"] == "annotation bundle" and resource["sources"][0]["release"] == "2023-07-10"
    clinvar_sha = next(f["checksum"] for f in resource["files"] if f["name"].endswith(T.CLINVAR.split("/")[-1]))
    text = visible_text(out.html.read_text())
    assert clinvar_sha in text
    assert "QC: no QC JSON given" in text.replace("Qc:", "QC:")
    assert_no_missing_words(out.html.read_text())


def test_report_vcf_keeps_contig_lengths_without_the_fasta(tmp_path, shared_data):
    """REPORT takes contig lengths from the table footer, not from the FASTA path INGEST saw:
    in a task container (or on a cloud node) that path is not mounted. Found by running
    -profile test,podman: the annotated VCF had `##contig=<ID=chr17>` without a length."""
    import shutil

    from varrank.core.stage_io import read_stage_table
    from varrank.ingest import run_ingest
    from varrank.testdata.demo import prepare

    demo = prepare(shared_data, tmp_path / "demo")
    fasta_dir = tmp_path / "ref"
    fasta_dir.mkdir()
    fasta = fasta_dir / Path(demo["fasta"]).name
    shutil.copy(demo["fasta"], fasta)
    shutil.copy(f"{demo['fasta']}.fai", f"{fasta}.fai")
    ingest = run_ingest(demo["vcf"], "DEMO", tmp_path / "ingest", fasta=fasta, sex="male",
                        index=demo["index"])
    assert read_stage_table(ingest.table, "report")[1].contigs["chr17"] == 83257441
    shutil.rmtree(fasta_dir)  # what a REPORT container sees of the reference: nothing
    out = run_report(ingest.table, tmp_path / "report", qc_path=ingest.qc,
                     ledger_paths=[ingest.ledger])
    with pysam.VariantFile(str(out.vcf)) as vcf:
        assert vcf.header.contigs["chr17"].length == 83257441
