"""REPORT end to end on real records: report.json, HTML, TSV and annotated VCF."""

from __future__ import annotations

import json
import re

import pysam
import pysam.bcftools

from report_helpers import assert_no_missing_words, visible_text
from varrank.report.secondary import SF_GENES
from varrank.report.validate import schema_errors


def test_ingest_only_report_shows_qc_variants_and_what_is_missing(ingest_report):
    outputs, rows = ingest_report
    doc = json.loads(outputs.json.read_text())
    assert schema_errors(doc) == []
    assert doc["stages"] == {"present": ["ingest"], "missing": ["annotate", "score", "prioritise"]}
    assert doc["summary"]["variants"] == len(rows) == 9940
    assert doc["summary"]["pass"] == sum(1 for r in rows if r["filter"] == "PASS")
    assert doc["findings"]["items"] == [] and "not run" in doc["findings"]["unavailable"]
    assert doc["variants"]["shown"] == 500 and doc["variants"]["total"] == len(rows)
    html = outputs.html.read_text()
    text = visible_text(html)
    assert "Ti/Tv 2.070" in text and "PASS fraction 0.9312 (93.1%)" in text
    assert "ANNOTATE stage not run" in text and "Splicing not assessed" in text
    assert "1 65,797 T C" in text  # first trio record, in the variants table
    assert_no_missing_words(html)


def test_full_report_findings_carry_every_field(full_report):
    outputs, rows = full_report
    doc = json.loads(outputs.json.read_text())
    assert schema_errors(doc) == []
    assert doc["stages"]["missing"] == []
    items = doc["findings"]["items"]
    assert [f["rank"] for f in items] == sorted(f["rank"] for f in items)
    top = items[0]
    assert (top["gene"], top["variant"]["pos"]) == ("PERM1", 911595)  # the trio's one ClinVar P
    assert top["clinvar"]["significance"] == "Pathogenic" and top["clinvar"]["stars"] == 0
    assert top["acmg"]["class"] == "Likely pathogenic" and "PM2_Supporting" in top["acmg"]["codes"]
    assert top["gnomad"]["af"] == 1.2e-5 and top["phenotype"]["score"] == 0.82
    assert top["genotype"]["zygosity"] == "hom_alt" and top["inheritance_fit"] == ["autosomal_recessive"]
    assert [e["code"] for e in top["evidence"]] == ["PM2", "PP5"]
    assert {"field": "hgvs_p", "reason": "not available"} in top["missing"]
    html = outputs.html.read_text()
    text = visible_text(html)
    assert "PERM1" in text and "Renal tubular epithelial cell apoptosis; Neutrophil inclusion bodies" in text
    assert "HP:0001250 Seizure" in text and "HP:0002575 Tracheoesophageal fistula" in text
    assert "0 of 4 review stars" in text  # stars are text too, not only glyphs
    assert "gnomAD grpmax AF 3.60e-05 (nfe)" in text and "pLI 0.02, LOEUF 0.85" in text
    assert "Disease inheritance autosomal recessive" in text
    assert ("Result summary: 11 candidate findings, 1 classed pathogenic or likely pathogenic "
            "by the automated ACMG/AMP rules. Top: PERM1 c.2595A>G") in text
    assert_no_missing_words(html)


def test_splice_plot_drawn_only_where_a_splice_effect_is_predicted(full_report):
    outputs, _ = full_report
    doc = json.loads(outputs.json.read_text())
    spliced = [f for f in doc["findings"]["items"] if f["spliceai"] and f["spliceai"]["predicted"]]
    assert [f["variant_key"] for f in spliced] == ["1-949654-A-G"]
    tracks = spliced[0]["spliceai"]["tracks"]
    assert tracks["offset"][0] == -60 and len(tracks["ref_acceptor"]) == 121
    assert tracks["gene"] == "ISG15" and tracks["ref_acceptor"][62] == 0.95  # not OVERLAP1's
    html = outputs.html.read_text()
    assert html.count('<svg class="splice-plot"') == 1
    svg = html[html.index('<svg class="splice-plot"'):html.index("</svg>")]
    assert "Acceptor (largest change -0.91 at 2 bp)" in svg
    assert len(re.findall(r"<polyline points=", svg)) == 4  # ref+alt for acceptor and donor


def test_secondary_findings_only_when_asked_and_only_sf_genes(full_report, tmp_path, trio_rows, shared_data):
    from report_tables import full_rows, write_inputs

    from varrank.report import run_report

    outputs, _ = full_report
    doc = json.loads(outputs.json.read_text())
    assert doc["secondary_findings"]["requested"] is True
    assert all(f["gene"] in SF_GENES for f in doc["secondary_findings"]["items"])
    # Put a ClinVar-pathogenic call on BRCA1 (an SF gene) and compare with and without opt-in.
    rows = full_rows(trio_rows[:1000], shared_data)
    target = next(r for r in rows if r["gene_symbol"] is None and r["zygosity"] == "het")
    target.update(gene_symbol="BRCA1", clinvar_significance="Pathogenic", clinvar_stars=3,
                  clinvar_review_status="reviewed_by_expert_panel")
    kwargs = write_inputs(tmp_path / "in", rows, ("ingest", "annotate", "score", "prioritise"))
    without = json.loads(run_report(out_dir=tmp_path / "a", **kwargs).json.read_text())
    assert without["secondary_findings"] == {**without["secondary_findings"], "requested": False,
                                             "items": []}
    with_sf = run_report(out_dir=tmp_path / "b", secondary=True, **kwargs)
    items = json.loads(with_sf.json.read_text())["secondary_findings"]["items"]
    assert [(f["gene"], f["variant_key"]) for f in items] == [("BRCA1", target["variant_key"])]
    assert "Not analysed: secondary findings were not requested" in visible_text(
        (tmp_path / "a" / "AJ-HG002.report.html").read_text())


def test_exclusions_reconcile_with_the_ledgers(full_report):
    outputs, rows = full_report
    doc = json.loads(outputs.json.read_text())
    ex = doc["exclusions"]
    assert ex["reconciled"] is True and ex["problems"] == []
    assert [s["stage"] for s in ex["stages"]] == ["ingest", "prioritise"]
    flagged = {r["reason"]: r["count"] for r in ex["stages"][1]["reasons"]}
    assert sum(flagged.values()) == sum(1 for r in rows if r["excluded_reason"])
    assert "Counts reconcile" in visible_text(outputs.html.read_text())


def test_ranked_tsv_has_every_row_best_first(full_report):
    outputs, rows = full_report
    lines = outputs.tsv.read_text().splitlines()
    header = lines[0].split("\t")
    assert header[:3] == ["rank", "variant_key", "chrom"]
    assert len(lines) - 1 == len(rows)
    ranks = [line.split("\t")[0] for line in lines[1:]]
    ranked = [int(r) for r in ranks if r]
    assert ranked == sorted(ranked) and ranks[:len(ranked)] == [str(r) for r in ranked]
    assert "nan" not in outputs.tsv.read_text().split() and "None" not in outputs.tsv.read_text()


def test_annotated_vcf_is_indexed_and_documents_every_added_field(full_report):
    outputs, rows = full_report
    with pysam.VariantFile(str(outputs.vcf)) as vcf:
        info = set(vcf.header.info)
        assert {"VR_gene_symbol", "VR_clinvar_significance", "VR_spliceai_max", "VR_acmg_class",
                "VR_rank", "VR_variant_type"} <= info
        assert all(vcf.header.info[k].description for k in info)
        assert list(vcf.header.samples) == ["HG002"]
        records = list(vcf)
        assert len(records) == len(rows)
        hit = list(vcf.fetch("1", 911594, 911595))
    assert len(hit) == 1 and hit[0].info["VR_gene_symbol"] == "PERM1" and hit[0].info["VR_rank"] == 1
    assert hit[0].samples["HG002"]["GT"] == (1, 1)
    # real bcftools (through pysam) parses the file end to end
    assert pysam.bcftools.view("-H", str(outputs.vcf)).count("\n") == len(rows)


def test_same_inputs_give_identical_outputs(tmp_path, trio_rows, monkeypatch):
    from report_tables import write_inputs

    from varrank.report import run_report

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    kwargs = write_inputs(tmp_path / "in", trio_rows[:500], ("ingest",))
    kwargs.pop("generated_at")
    first = run_report(out_dir=tmp_path / "a", **kwargs)
    second = run_report(out_dir=tmp_path / "b", **kwargs)
    for a, b in ((first.json, second.json), (first.html, second.html), (first.tsv, second.tsv)):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert json.loads(first.json.read_text())["generated_at"] == "2026-01-01T00:00:00+00:00"
