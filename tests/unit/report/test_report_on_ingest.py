"""REPORT on a real INGEST output: the first version of the chain (issue 2 item 5)."""

from __future__ import annotations

import json

import pysam

from report_helpers import assert_no_missing_words, visible_text
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
