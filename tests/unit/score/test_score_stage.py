"""SCORE stage end to end with a tiny SpliceAI-shaped model: bad input, ledger, tracks, CLI.

The tiny model (tests/unit/score/tiny_models.py) has SpliceAI's input/output contract but
scores each base on its own, so expected values can be written down; the real network's
numbers are checked against the original tool in test_score_parity.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import tiny_models
from score_helpers import read_slice, variant_table

from varrank.cli import main
from varrank.core.ledger import Ledger
from varrank.score.stage import ScoreOptions, run_score

SLICE = "reference/GRCh37_chr17_41100001-41300000.fa"
CONTIG = "chr17:41100001-41300000"
OFFSET = 41100000


def softmax(v) -> np.ndarray:
    e = np.exp(np.asarray(v, np.float64))
    return e / e.sum()


@pytest.fixture()
def edge_setup(shared_data: Path, tmp_path: Path):
    """Slice FASTA (real bases) plus a derived copy with an N-rich stretch, and an annotation
    whose minus-strand gene EDGE spans the whole slice (so contig ends are inside a gene)."""
    seq = read_slice(shared_data / SLICE)
    n_rich = seq[:100_000 - 3000] + "N" * 2999 + seq[99_999:]
    fasta = tmp_path / "slice.fa"
    fasta.write_text(f">{CONTIG}\n" + "\n".join(seq[i:i + 60] for i in range(0, len(seq), 60))
                     + "\n")
    n_fasta = tmp_path / "nrich.fa"
    n_fasta.write_text(f">{CONTIG}\n" + "\n".join(n_rich[i:i + 60]
                                                 for i in range(0, len(n_rich), 60)) + "\n")
    ann = tmp_path / "edge.txt"
    ann.write_text("#NAME\tCHROM\tSTRAND\tTX_START\tTX_END\tEXON_START\tEXON_END\n"
                   f"EDGE\t{CONTIG}\t-\t0\t{len(seq)}\t0,150000,\t1000,{len(seq)},\n")
    models = tmp_path / "models"
    tiny_models.spliceai_like_bundle(models / "spliceai")
    return seq, fasta, n_fasta, ann, models


def run(tmp_path, alleles, fasta, models, ann, **kw):
    extra = kw.pop("extra", None)
    table = variant_table(alleles, tmp_path / "P1.annotate.parquet", extra=extra)
    paths = run_score(table, fasta, models, tmp_path / "out", ann, ScoreOptions(**kw))
    rows = pq.read_table(paths["table"]).to_pylist()
    return rows, Ledger.read(paths["ledger"]), paths


def test_bad_input_each_gets_a_reason_and_no_score(edge_setup, tmp_path: Path) -> None:
    seq, fasta, _n, ann, models = edge_setup
    p = 120_000
    ref = seq[p - 1].upper()
    other = "A" if ref != "A" else "C"
    alleles = [
        (CONTIG, 100, seq[99].upper(), "A" if seq[99].upper() != "A" else "C"),   # contig start
        (CONTIG, len(seq) - 20, seq[-21].upper(), "G" if seq[-21].upper() != "G" else "T"),
        (CONTIG, p, other, ref),                                                   # REF wrong
        (CONTIG, p, seq[p - 1:p + 120].upper(), ref),                              # 120 bp del
        (CONTIG, p, ref, ref + "A" * 5001),                                        # huge ins
        (CONTIG, p, ref, "<DEL>"),                                                 # symbolic
        (CONTIG, p, ref, "*"),
        ("chrUn_nope", 500, "A", "C"),                                             # no contig
        (CONTIG, p, ref, other),                                                   # good one
    ]
    rows, ledger, _ = run(tmp_path, alleles, fasta, models, ann, all_variants=True)
    status = [r["score_status"] for r in rows]
    assert status == [
        "skipped:near_contig_end", "skipped:near_contig_end", "skipped:ref_mismatch_with_fasta",
        "skipped:ref_longer_than_100bp", "skipped:alt_longer_than_5000bp",
        "skipped:symbolic_or_missing_allele", "skipped:symbolic_or_missing_allele",
        "not_candidate", "scored"]
    assert all(r["spliceai_ds_ag"] is None for r in rows[:-1])
    assert rows[-1]["spliceai_gene"] == "EDGE"
    assert ledger.balanced and ledger.records_in == ledger.records_out == len(alleles)
    assert ledger.flagged["skipped:near_contig_end"] == 2
    assert ledger.flagged["not_candidate:not_in_annotated_gene"] == 1
    assert ledger.examples["skipped:ref_mismatch_with_fasta"] == [f"{CONTIG}-{p}-{other}-{ref}"]


def test_n_rich_context_skipped_light_n_scored(edge_setup, tmp_path: Path) -> None:
    seq, _f, n_fasta, ann, models = edge_setup
    near = 100_000   # 2,999 N in the 10,101-base window: 30% > 10%
    far = 104_700    # window starts after most of the N run: 299 N, 3%
    alleles = [(CONTIG, near, seq[near - 1].upper(), "A" if seq[near - 1].upper() != "A" else "C"),
               (CONTIG, far, seq[far - 1].upper(), "A" if seq[far - 1].upper() != "A" else "C")]
    rows, ledger, _ = run(tmp_path, alleles, n_fasta, models, ann)
    assert [r["score_status"] for r in rows] == ["skipped:n_rich_context", "scored"]
    rows, _, _ = run(tmp_path, alleles, n_fasta, models, ann, max_n_fraction=0.5)
    assert [r["score_status"] for r in rows] == ["scored", "scored"]


def test_minus_strand_snv_scores_the_complement_base(edge_setup, tmp_path: Path) -> None:
    """Tiny model: acceptor logit 2 for A, -1 otherwise (per base, model orientation)."""
    seq, fasta, _n, ann, models = edge_setup
    p = next(i for i in range(120_000, 121_000) if seq[i - 1].upper() == "T")
    rows, _, paths = run(tmp_path, [(CONTIG, p, "T", "G")], fasta, models, ann)
    # minus strand: T reads as A (acceptor-ish), G as C
    expected = round(softmax([0, 2, -1])[1] - softmax([0, -1, -1])[1], 2)
    row = rows[0]
    assert (row["spliceai_ds_al"], row["spliceai_dp_al"]) == (expected, 0)
    assert row["spliceai_ds_ag"] == 0.0 and row["spliceai_max"] == expected
    tracks = pq.read_table(paths["tracks"]).to_pylist()
    assert len(tracks) == 101
    centre = [t for t in tracks if t["offset"] == 0][0]
    assert centre["ref_acceptor"] == pytest.approx(softmax([0, 2, -1])[1], abs=1e-6)
    assert centre["alt_acceptor"] == pytest.approx(softmax([0, -1, -1])[1], abs=1e-6)
    assert {t["variant_key"] for t in tracks} == {f"{CONTIG}-{p}-T-G"}
    assert {t["model"] for t in tracks} == {"spliceai"}


def test_candidate_policy_af_and_missing_columns(edge_setup, tmp_path: Path) -> None:
    seq, fasta, _n, ann, models = edge_setup
    alleles = [(CONTIG, p, seq[p - 1].upper(), "A" if seq[p - 1].upper() != "A" else "C")
               for p in (120_000, 120_010, 120_020)]
    extra = {"max_pop_af": [0.2, None, 0.001], "gnomad_af": [None, 0.5, None]}
    rows, ledger, _ = run(tmp_path, alleles, fasta, models, ann, extra=extra)
    assert [r["score_status"] for r in rows] == ["not_candidate", "not_candidate", "scored"]
    assert ledger.flagged["not_candidate:population_af_above_0.01"] == 2
    rows, _, _ = run(tmp_path, alleles, fasta, models, ann, extra=extra, all_variants=True)
    assert [r["score_status"] for r in rows] == ["scored"] * 3
    rows, _, _ = run(tmp_path, alleles, fasta, models, ann)  # ANNOTATE skipped: no AF columns
    assert [r["score_status"] for r in rows] == ["scored"] * 3


def test_rerun_on_scored_table_replaces_columns(edge_setup, tmp_path: Path) -> None:
    seq, fasta, _n, ann, models = edge_setup
    alleles = [(CONTIG, 120_000, seq[119_999].upper(), "A" if seq[119_999].upper() != "A" else "C")]
    _, _, paths = run(tmp_path, alleles, fasta, models, ann)
    again = run_score(paths["table"], fasta, models, tmp_path / "out2", ann, ScoreOptions())
    names = pq.read_table(again["table"]).column_names
    assert names.count("spliceai_ds_ag") == 1


def test_cli_score_and_errors(edge_setup, tmp_path: Path, capsys) -> None:
    seq, fasta, _n, ann, models = edge_setup
    table = variant_table([(CONTIG, 120_000, seq[119_999].upper(), "T")], tmp_path / "P9.x.parquet",
                          patient="P9")
    code = main(["score", "--in", str(table), "--fasta", str(fasta), "--model-dir", str(models),
                 "--annotation", str(ann), "--out", str(tmp_path / "o")])
    assert code == 0
    assert (tmp_path / "o" / "P9.score.parquet").is_file()
    assert (tmp_path / "o" / "P9.tracks.parquet").is_file()
    meta = json.loads(pq.read_schema(tmp_path / "o" / "P9.score.parquet").metadata[b"varrank"])
    assert meta["stages"][-1]["providers"] == {"spliceai": "CPUExecutionProvider"}
    code = main(["score", "--in", str(table), "--fasta", str(fasta), "--model-dir",
                 str(tmp_path / "missing"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "model directory does not exist" in err and "Traceback" not in err
    tiny_models.edit_manifest(models / "spliceai", manifest_version=2)
    code = main(["score", "--in", str(table), "--fasta", str(fasta), "--model-dir", str(models),
                 "--annotation", str(ann), "--out", str(tmp_path / "o")])
    assert code == 2 and "manifest_version 2 is not supported" in capsys.readouterr().err


def test_model_verify_cli(tmp_path: Path, capsys) -> None:
    root = tiny_models.spliceai_like_bundle(tmp_path / "b")
    assert main(["model", "verify", str(root)]) == 0
    assert '"ok": true' in capsys.readouterr().out
    with open(root / "model.onnx", "ab") as handle:
        handle.write(b"x")
    assert main(["model", "verify", str(root)]) == 2
    assert "checksum mismatch" in capsys.readouterr().err
