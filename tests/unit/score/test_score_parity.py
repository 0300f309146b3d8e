"""Parity of the exported SpliceAI bundle with the original Keras models and CLI.

References were made once with spliceai 1.3.1 + TensorFlow in a throwaway environment by
tests/data/score/make_spliceai_expected.py (committed with its outputs):
* spliceai_keras_tracks.npz: per-position outputs of each Keras model on real windows;
* spliceai_expected.tsv: the original CLI's DS/DP for real variants (1000G BRCA1, Pangolin
  BRCA1 examples on GRCh37; BRCA2 gnomAD/ExAC/ClinVar records on GRCh38).
The default run compares a deterministic subset (CI time); VARRANK_FULL_PARITY=1 compares
every row (benchmarks/RESULTS.md records that run).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from score_helpers import variant_table

from varrank.score import providers
from varrank.score.bundle import load_bundle
from varrank.score.stage import ScoreOptions, run_score

pytestmark = pytest.mark.export
DATA = Path(__file__).resolve().parents[2] / "data" / "score"
SUBSET_STRIDE = 6


def test_each_exported_member_matches_keras_per_position(spliceai_bundle: Path) -> None:
    bundle = load_bundle(spliceai_bundle)
    session = providers.make_session(bundle.graph,
                                     providers.choose_providers(["CPUExecutionProvider"]))
    ref = np.load(DATA / "spliceai_keras_tracks.npz")
    windows = list(ref["windows"])
    assert len(windows) == 3 and any(w.endswith(":-") for w in windows)
    for k in range(len(windows)):
        x = ref[f"x{k}"].astype(np.float32)[None]
        mean, each = session.run(["probs", "probs_per_model"], {"x": x})
        keras = ref[f"y{k}"]  # (5, positions, 3)
        assert each.shape == (5, 1) + keras.shape[1:]
        worst = np.abs(each[:, 0] - keras).max(axis=(1, 2))
        assert (worst <= 1e-4).all(), f"window {windows[k]}: per-model max |diff| {worst}"
        assert np.abs(mean[0] - keras.mean(axis=0)).max() <= 1e-4
        assert keras[..., 1:].max() > 0.5  # the windows contain real splice sites


def test_manifest_states_licence_and_provenance(spliceai_bundle: Path) -> None:
    manifest = load_bundle(spliceai_bundle).manifest
    assert manifest["license"]["weights"] == "CC BY-NC 4.0"
    assert manifest["input"]["alphabet"] == "ACGT" and manifest["input"]["context"] == 10000
    assert manifest["export"]["spliceai_version"] == "1.3.1"
    assert len(manifest["export"]["wheel_sha256"]) == 64
    assert len(manifest["export"]["keras_files_sha256"]) == 5
    assert {f["role"] for f in manifest["files"]} >= {"graph", "annotation_GRCh37"}


def expected_rows() -> list[dict[str, str]]:
    with open(DATA / "spliceai_expected.tsv") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        row["build"] = row.pop("#build")
    return rows


def allele_key(row: dict[str, str]) -> tuple:
    return (row["build"], row["chrom"], int(row["pos"]), row["ref"], row["alt"])


@pytest.fixture(scope="module")
def scored(spliceai_bundle: Path, shared_data: Path, grch37_fasta: Path,
           grch38_chr13_fasta: Path, tmp_path_factory) -> dict:
    rows = expected_rows()
    if not os.environ.get("VARRANK_FULL_PARITY"):
        alleles = list(dict.fromkeys(allele_key(r) for r in rows))
        keep = set(alleles[::SUBSET_STRIDE])
        rows = [r for r in rows if allele_key(r) in keep]
    out: dict = {"expected": rows}
    setups = {"GRCh37": (grch37_fasta, "spliceai_grch37_canonical.regions.txt"),
              "GRCh38": (grch38_chr13_fasta, "spliceai_grch38_canonical.regions.txt")}
    for build, (fasta, ann) in setups.items():
        alleles = sorted({(r["chrom"], int(r["pos"]), r["ref"], r["alt"])
                          for r in rows if r["build"] == build})
        if not alleles:
            continue
        tmp = tmp_path_factory.mktemp(f"parity{build}")
        table = variant_table(alleles, tmp / f"PAR{build}.ingest.parquet",
                              patient=f"PAR{build}", build=build)
        paths = run_score(table, fasta, spliceai_bundle, tmp / "out",
                          shared_data / "annotation" / ann, ScoreOptions(all_variants=True))
        for r in pq.read_table(paths["table"]).to_pylist():
            out[(build, r["chrom"], r["pos"], r["ref"], r["alt"])] = r
    return out


def test_delta_scores_and_positions_equal_original_cli(scored: dict) -> None:
    """Every allele: same status; for scored ones the original's entry for the gene varrank
    reports has identical DS_* and DP_*, and that gene has the largest delta of its entries."""
    by_allele: dict[tuple, list[dict]] = {}
    for exp in scored["expected"]:
        by_allele.setdefault(allele_key(exp), []).append(exp)
    compared = 0
    problems = []
    for key, entries in by_allele.items():
        got = scored[key]
        if entries[0]["gene"] == ".":
            assert got["score_status"] == "not_candidate", key
            continue
        if entries[0]["DS_AG"] == ".":
            assert got["score_status"] == "skipped:mnv_or_complex_not_scored_by_spliceai", key
            continue
        assert got["score_status"] == "scored", (key, got["score_status"])
        exp = next(e for e in entries if e["gene"] == got["spliceai_gene"])
        assert got["spliceai_max"] == max(max(float(e[f"DS_{k}"]) for k in ("AG", "AL", "DG", "DL"))
                                          for e in entries)
        compared += 1
        mine = [got[f"spliceai_ds_{k}"] for k in ("ag", "al", "dg", "dl")] + \
               [got[f"spliceai_dp_{k}"] for k in ("ag", "al", "dg", "dl")]
        theirs = [float(exp[f"DS_{k}"]) for k in ("AG", "AL", "DG", "DL")] + \
                 [int(exp[f"DP_{k}"]) for k in ("AG", "AL", "DG", "DL")]
        if mine != theirs:
            problems.append((exp["spliceai_info"], mine))
    assert compared >= (200 if os.environ.get("VARRANK_FULL_PARITY") else 20)
    assert not problems, f"{len(problems)}/{compared} differ: {problems[:5]}"
