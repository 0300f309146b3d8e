"""Registry code paths with tiny self-built ONNX models: seq2func delta and DNA-LM LLR."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import tiny_models
from score_helpers import variant_table

from varrank.core.ledger import Ledger
from varrank.score import providers, registry
from varrank.score.bundle import load_bundle
from varrank.score.sequence import ReferenceGenome
from varrank.score.stage import ScoreOptions, run_score

SLICE = "reference/GRCh37_chr17_41100001-41300000.fa"
CONTIG = "chr17:41100001-41300000"
OFFSET = 41100000
# Pangolin BRCA1 example site chr17:41,276,135 T (real REF), as slice coordinates
POS = 41276135 - OFFSET


def scorer_for(root: Path):
    bundle = load_bundle(root)
    session = providers.make_session(bundle.graph,
                                     providers.choose_providers(["CPUExecutionProvider"]))
    return registry.make_scorer(bundle, session)


@pytest.fixture(scope="module")
def genome(shared_data: Path) -> ReferenceGenome:
    return ReferenceGenome(shared_data / SLICE)


def test_seq2func_delta_of_tracks(genome, tmp_path: Path) -> None:
    scorer = scorer_for(tiny_models.seq2func_bundle(tmp_path / "s2f"))
    assert genome.fetch(CONTIG, POS, POS) == "T"
    gain_g, _ = scorer.score(genome, registry.Allele(0, CONTIG, POS, "T", "G"))
    assert gain_g == {"score": 1.0, "track": "G_count"}
    loss_t, _ = scorer.score(genome, registry.Allele(0, CONTIG, POS, "T", "C"))
    assert loss_t == {"score": -1.0, "track": "T_count"}


def test_seq2func_refuses_indels_and_contig_ends(genome, tmp_path: Path) -> None:
    scorer = scorer_for(tiny_models.seq2func_bundle(tmp_path / "s2f"))
    assert scorer.score(genome, registry.Allele(0, CONTIG, POS, "T", "TA")) == \
        (None, "length_changing_allele")
    first = genome.fetch(CONTIG, 3, 3)
    assert scorer.score(genome, registry.Allele(0, CONTIG, 3, first, "A" if first != "A" else "C"))\
        == (None, "near_contig_end")


def _log_rows() -> np.ndarray:
    e = tiny_models.BIGRAM.astype(np.float64)
    return e - np.log(np.exp(e).sum(axis=1, keepdims=True))


def test_dnalm_causal_llr_matches_bigram_by_hand(genome, tmp_path: Path) -> None:
    scorer = scorer_for(tiny_models.dnalm_bundle(tmp_path / "lm"))
    value, reason = scorer.score(genome, registry.Allele(0, CONTIG, POS, "T", "G"))
    assert reason is None
    idx = {"A": 0, "C": 1, "G": 2, "T": 3}
    prev, nxt = genome.fetch(CONTIG, POS - 1, POS - 1), genome.fetch(CONTIG, POS + 1, POS + 1)
    lp = _log_rows()  # row = previous token, column = next token
    expected = (lp[idx[prev], idx["G"]] + lp[idx["G"], idx[nxt]]) - \
               (lp[idx[prev], idx["T"]] + lp[idx["T"], idx[nxt]])
    assert value["rule"] == "causal_llr"
    assert value["score"] == pytest.approx(expected, abs=1e-5)
    assert abs(value["score"]) > 0.1


def test_dnalm_masked_llr(genome, tmp_path: Path) -> None:
    scorer = scorer_for(tiny_models.dnalm_bundle(tmp_path / "lm", rule="masked_llr"))
    value, _ = scorer.score(genome, registry.Allele(0, CONTIG, POS, "T", "G"))
    # masked position sees the mask token's row: P(G)=0.2, P(T)=0.1
    assert value["score"] == pytest.approx(np.log(0.2 / 0.1), abs=1e-4)


def test_dnalm_unknown_rule_refused(tmp_path: Path) -> None:
    from varrank.core.errors import ResourceError
    with pytest.raises(ResourceError, match="unknown dnalm score rule"):
        scorer_for(tiny_models.dnalm_bundle(tmp_path / "lm", rule="vibes"))


def test_stage_with_registry_models_only(shared_data: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    tiny_models.seq2func_bundle(models / "s2f")
    tiny_models.dnalm_bundle(models / "lm")
    alleles = [(CONTIG, POS, "T", "G"), (CONTIG, POS, "T", "TA"), (CONTIG, POS, "A", "G")]
    table = variant_table(alleles, tmp_path / "P2.ingest.parquet", patient="P2")
    paths = run_score(table, shared_data / SLICE, models, tmp_path / "out", None, ScoreOptions())
    out = pq.read_table(paths["table"]).to_pylist()
    assert len(out) == 3
    first = json.loads(out[0]["model_scores"])
    assert first["tiny_seq2func"] == {"score": 1.0, "track": "G_count"}
    assert "tiny_dnalm_causal_llr" in first
    assert out[1]["model_scores"] is None and out[2]["model_scores"] is None
    assert all(r["spliceai_ds_ag"] is None for r in out)
    ledger = Ledger.read(paths["ledger"])
    assert ledger.balanced
    assert ledger.flagged["tiny_seq2func:skipped:length_changing_allele"] == 1
    assert ledger.flagged["tiny_seq2func:skipped:ref_mismatch_with_fasta"] == 1
    assert any("no SpliceAI bundle" in note for note in ledger.notes)
