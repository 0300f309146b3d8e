"""Xpresso through varrank (own ONNX graph from the Keras weights, own TSS-anchored windows)
against the original Keras model: tests/data/score/xpresso_expected.tsv, 363 alleles in the
8 promoters of the GRCh37 chr17 slice (both strands), made with TensorFlow 2.15 by
benchmarks/xpresso_oracle.py, which builds its windows independently of varrank."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import onnxruntime as ort
import pytest

from varrank.score import xpresso
from varrank.score.annotation import SpliceAnnotation
from varrank.score.bundle import load_bundle
from varrank.score.sequence import ReferenceGenome

EXPECTED = Path(__file__).resolve().parents[2] / "data" / "score" / "xpresso_expected.tsv"


def _expected() -> list[dict]:
    with open(EXPECTED) as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("# ")),
                                   delimiter="\t"))


def test_every_allele_matches_the_original_model(xpresso_bundle, grch37_fasta, grch37_annotation):
    bundle = load_bundle(xpresso_bundle, verify=True)
    assert bundle.kind == "xpresso" and bundle.manifest["license"]["weights"] == "MIT"
    session = ort.InferenceSession(str(bundle.graph), providers=["CPUExecutionProvider"])
    genes = {g.name: g for g in SpliceAnnotation.read(grch37_annotation).genes if g.chrom == "17"}
    genome = ReferenceGenome(grch37_fasta)
    contig = genome.contig("17")
    rows = _expected()
    assert len(rows) == 363 and {r["strand"] for r in rows} == {"+", "-"}
    worst = 0.0
    for r in rows:
        gene = genes[r["gene"]]
        assert xpresso.tss(gene) == int(r["tss"]) and gene.strand == r["strand"]
        got = xpresso.score_allele(session, genome, contig, gene, int(r["pos"]), r["ref"], r["alt"])
        assert got is not None, r
        worst = max(worst, abs(got.ref - float(r["pred_ref"])), abs(got.alt - float(r["pred_alt"])))
        assert got.delta == pytest.approx(float(r["pred_alt"]) - float(r["pred_ref"]), abs=2e-5)
    assert worst < 1e-5, worst
    genome.close()


def test_window_rule_and_refusals(grch37_fasta, grch37_annotation):
    assert xpresso.promoter_bounds(10_000, "+") == (3_000, 13_499)
    assert xpresso.promoter_bounds(10_000, "-") == (6_501, 17_000)
    genome = ReferenceGenome(grch37_fasta)
    contig = genome.contig("17")
    brca1 = next(g for g in SpliceAnnotation.read(grch37_annotation).genes if g.name == "BRCA1")
    start = xpresso.tss(brca1)
    ref = genome.fetch(contig, start, start)
    assert xpresso.promoter_onehot(genome, contig, start, "-", (start, "N" if ref != "N" else "A",
                                                                "C")) is None  # REF mismatch
    assert xpresso.promoter_onehot(genome, contig, start, "-", (start, ref, ref + "A")) is None
    assert xpresso.promoter_onehot(genome, contig, 100, "+") is None  # off the contig start
    x = xpresso.promoter_onehot(genome, contig, start, "-")
    # minus strand: index 7000 is the TSS base, complemented
    assert x.shape == (10500, 4) and x[7000].argmax() == "ACGT".index(ref.translate(
        str.maketrans("ACGT", "TGCA")))
    genome.close()


def test_manifest_is_a_model_card(xpresso_bundle):
    manifest = json.loads((xpresso_bundle / "manifest.json").read_text())
    assert "Agarwal & Shendure 2020" in manifest["description"]
    assert manifest["input"]["tss_index"] == 7000 and manifest["input"]["length"] == 10500
    assert manifest["export"]["onnxruntime_vs_numpy_max_abs_diff"] < 1e-4


def test_score_stage_writes_xpresso_columns(xpresso_bundle, grch37_fasta, grch37_annotation,
                                            tmp_path):
    import pyarrow.parquet as pq
    from score_helpers import variant_table

    from varrank.score.stage import ScoreOptions, run_score

    oracle = [r for r in _expected() if r["gene"] == "BRCA1"][:6]
    alleles = [("17", int(r["pos"]), r["ref"], r["alt"]) for r in oracle]
    alleles += [("17", 41110000, "A", "G"),  # inside no promoter window of the slice's genes
                ("17", int(oracle[0]["pos"]), oracle[0]["ref"], oracle[0]["ref"] + "T")]
    table = variant_table(alleles, tmp_path / "XP.ingest.parquet", patient="XP")
    paths = run_score(table, grch37_fasta, xpresso_bundle, tmp_path / "out", grch37_annotation,
                      ScoreOptions(all_variants=True))
    rows = pq.read_table(paths["table"]).to_pylist()
    for row, r in zip(rows, oracle):
        assert row["xpresso_status"] == "scored" and row["xpresso_gene"] == "BRCA1"
        assert row["xpresso_delta"] == pytest.approx(
            float(r["pred_alt"]) - float(r["pred_ref"]), abs=2e-5)
    assert rows[6]["xpresso_status"] == "not_in_promoter_window"
    assert rows[7]["xpresso_status"] == "skipped:indel_or_symbolic_not_scored_by_xpresso"
    ledger = json.loads(Path(paths["ledger"]).read_text())
    assert ledger["flagged"]["xpresso:scored"] == 6 and ledger["balanced"]
    assert any(n.startswith("Xpresso human-epoch11: 6 alleles") for n in ledger["notes"])


def test_report_and_evidence_show_xpresso_unweighed(hpo_subset_dir=None):
    from varrank.prioritise.stage import _xpresso_item
    from varrank.report.findings import build_finding
    from varrank.report.render import _xpresso

    row = {"variant_key": "17-1-A-G", "chrom": "17", "pos": 1, "ref": "A", "alt": "G",
           "xpresso_delta": -0.12, "xpresso_ref": 0.73, "xpresso_gene": "BRCA1",
           "xpresso_status": "scored"}
    item = _xpresso_item(row)
    assert item["kind"] == "xpresso" and item["points"] == 0 and "-0.120" in item["reason"]
    finding = build_finding(row, {"score"})
    assert _xpresso(finding["xpresso"]) == ("-0.120 log10 expression (BRCA1 promoter, "
                                            "reference 0.730; shown, not weighed)")
    assert _xpresso_item({"xpresso_delta": None}) is None
