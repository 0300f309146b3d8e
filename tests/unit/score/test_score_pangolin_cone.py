"""Pangolin's cone pass (per-tissue staged graphs) against its full ensemble graph.

The same real alleles are scored twice by ``varrank score``, once with the cone pass (CPU
default) and once with ``--no-cone`` (every alternative window through the full graph):
every Pangolin column must be identical and the per-model tracks agree to float rounding,
on both strands, for SNVs, an MNV, deletions and insertions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from score_helpers import variant_table

from varrank.score import pangolin, providers, spliceai
from varrank.score.bundle import load_bundle
from varrank.score.sequence import ReferenceGenome
from varrank.score.stage import ScoreOptions, run_score

pytestmark = pytest.mark.export

GFF3 = "annotation/BRCA1_gencode_v19.GRCh37.gff3"
APPRIS = ("appris_principal", "appris_candidate", "appris_candidate_longest")
# GRCh37 1000G/Pangolin-example/ClinVar alleles: BRCA1 (minus) incl. the exon 2 acceptor
# region, an MNV, deletions up to 12 bp, insertions; RPL21P4 (plus, inside a BRCA1 intron)
# alleles are scored on both strands with the GFF3 genes
GRCH37 = [("17", 41276127, "A", "T"), ("17", 41276134, "T", "G"),
          ("17", 41276135, "TTAA", "GTCT"), ("17", 41199501, "CAAAT", "C"),
          ("17", 41206761, "AT", "A"), ("17", 41232907, "T", "TA"),
          ("17", 41256075, "AAAAAAAAAAAAG", "A"), ("17", 41231508, "G", "A"),
          ("17", 41231670, "C", "T")]


def _pangolin_rows(table: Path, fasta: Path, bundle: Path, out: Path, cone: bool,
                   gff3: Path) -> tuple[dict, list[str]]:
    options = ScoreOptions(all_variants=True, cone=cone, pangolin_annotation=gff3,
                           pangolin_tags=APPRIS)
    paths = run_score(table, fasta, bundle, out, None, options)
    rows = {r["variant_key"]: {k: v for k, v in r.items() if k.startswith("pangolin_")}
            for r in pq.read_table(paths["table"]).to_pylist()}
    return rows, json.loads(Path(paths["ledger"]).read_text())["notes"]


def test_cone_pass_scores_equal_full_graph(pangolin_bundle: Path, shared_data: Path,
                                           grch37_fasta: Path, tmp_path: Path) -> None:
    table = variant_table(GRCH37, tmp_path / "PCONE.ingest.parquet", patient="PCONE")
    cone, cone_notes = _pangolin_rows(table, grch37_fasta, pangolin_bundle, tmp_path / "c",
                                      True, shared_data / GFF3)
    full, full_notes = _pangolin_rows(table, grch37_fasta, pangolin_bundle, tmp_path / "f",
                                      False, shared_data / GFF3)
    assert any("Pangolin" in n and "(cone pass)" in n for n in cone_notes)
    assert not any("(cone pass)" in n for n in full_notes if "Pangolin" in n)
    assert {r["pangolin_status"] for r in cone.values()} == {"scored"}
    assert cone == full
    both = [r for r in cone.values() if r["pangolin_info"].count("|Warnings:") == 2]
    assert len(both) == 2  # the RPL21P4 alleles: one entry per strand's gene
    assert max(r["pangolin_max"] for r in cone.values()) >= 0.5  # real splice effects


def test_cone_tracks_equal_full_graph_tracks(pangolin_bundle: Path,
                                             grch38_chr13_fasta: Path) -> None:
    """Per-model tracks of both passes on BRCA2 (plus strand) and ZAR1L (minus) alleles,
    nearby ones sharing a reference block."""
    bundle = load_bundle(pangolin_bundle)
    cpu = providers.choose_providers(["CPUExecutionProvider"])
    full = pangolin.FullGraphPass(spliceai.EnsembleRunner(
        providers.make_session(bundle.graph, cpu), 1, output="psplice"))
    cone = pangolin.load_cone_pass(bundle, cpu)
    genome = ReferenceGenome(grch38_chr13_fasta)
    probe = genome.fetch("13", 32315100, 32315101)  # a 2-bp MNV probe in ZAR1L
    tasks = [pangolin.PangolinTask(0, "13", 32316419, "CAG", "C", "+"),
             pangolin.PangolinTask(1, "13", 32316412, "T", "C", "+"),
             pangolin.PangolinTask(2, "13", 32316433, "A", "ACT", "+"),
             pangolin.PangolinTask(3, "13", 32314943, "A", "G", "-"),
             pangolin.PangolinTask(4, "13", 32315100, probe, "AC" if probe != "AC" else "GT",
                                   "-")]
    got = pangolin.compute_tracks(cone, genome, tasks, 50)
    expected = pangolin.compute_tracks(full, genome, tasks, 50)
    for task, (c_ref, c_alt), (f_ref, f_alt) in zip(tasks, got, expected):
        assert c_ref.shape == f_ref.shape == (len(task.ref) + 100, 12)
        assert c_alt.shape == f_alt.shape == (len(task.alt) + 100, 12)
        assert np.abs(c_ref - f_ref).max() <= 1e-5 and np.abs(c_alt - f_alt).max() <= 1e-5
    genome.close()
