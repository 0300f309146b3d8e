"""The cone pass (staged graphs, recompute only what an allele changes) against the full graph.

Same real alleles scored twice: with the exported bundle (CPU -> cone pass) and with a copy
of it whose manifest lists no staged graphs (-> every allele runs the full ensemble graph).
Tracks must agree to float rounding and DS/DP exactly, on both strands, for SNVs,
deletions and insertions, including alleles near the gene's transcript ends (N-masking).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from score_helpers import variant_table

from varrank.score.bundle import MANIFEST_NAME, load_bundle
from varrank.score.stage import ScoreOptions, run_score

pytestmark = pytest.mark.export

# (chrom, pos, ref, alt): GRCh37 BRCA1 (minus strand) 1000G/Pangolin alleles incl. the
# splice-altering 41276127 A>T and 41276134 T>G, deletions up to 12 bp and insertions
GRCH37 = [("17", 41276127, "A", "T"), ("17", 41276134, "T", "G"), ("17", 41199501, "CAAAT", "C"),
          ("17", 41206761, "AT", "A"), ("17", 41232907, "T", "TA"),
          ("17", 41256075, "AAAAAAAAAAAAG", "A"), ("17", 41243725, "T", "C")]
# GRCh38 chr13: BRCA2 (plus strand) and ZAR1L (minus) alleles
GRCH38 = [("13", 32315485, "G", "A"), ("13", 32314943, "A", "G")]


def _without_stages(bundle: Path, out: Path) -> Path:
    """A copy of the bundle as an older varrank exported it: no staged graphs listed."""
    manifest = json.loads((bundle / MANIFEST_NAME).read_text())
    manifest.pop("stages")
    manifest["files"] = [f for f in manifest["files"] if not f["role"].startswith("stage:")]
    out.mkdir()
    for entry in manifest["files"]:
        target = out / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(bundle / entry["path"])
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    return out


def _score(table: Path, fasta: Path, bundle: Path, annotation: Path, out: Path):
    paths = run_score(table, fasta, bundle, out, annotation, ScoreOptions(all_variants=True))
    rows = {r["variant_key"]: r for r in pq.read_table(paths["table"]).to_pylist()}
    tracks = pq.read_table(paths["tracks"]).sort_by([("variant_key", "ascending"),
                                                     ("offset", "ascending")])
    notes = json.loads(Path(paths["ledger"]).read_text())["notes"]
    return rows, tracks, notes


@pytest.mark.parametrize("build", ["GRCh37", "GRCh38"])
def test_cone_pass_equals_full_graph(build: str, spliceai_bundle: Path, shared_data: Path,
                                     grch37_fasta: Path, grch38_chr13_fasta: Path,
                                     tmp_path: Path) -> None:
    assert load_bundle(spliceai_bundle).manifest["stages"]["plan"]["reach"] == 5000
    alleles, fasta, ann = {
        "GRCh37": (GRCH37, grch37_fasta, "spliceai_grch37_canonical.regions.txt"),
        "GRCh38": (GRCH38, grch38_chr13_fasta, "spliceai_grch38_canonical.regions.txt"),
    }[build]
    annotation = shared_data / "annotation" / ann
    table = variant_table(alleles, tmp_path / "CONE.ingest.parquet", patient="CONE", build=build)
    old = _without_stages(spliceai_bundle, tmp_path / "old_bundle")
    cone_rows, cone_tracks, cone_notes = _score(table, fasta, spliceai_bundle, annotation,
                                                tmp_path / "cone")
    full_rows, full_tracks, full_notes = _score(table, fasta, old, annotation, tmp_path / "full")
    assert any("(cone pass)" in n for n in cone_notes)
    assert not any("(cone pass)" in n for n in full_notes)
    assert {r["score_status"] for r in cone_rows.values()} == {"scored"}
    for key, row in cone_rows.items():
        for col in [c for c in row if c.startswith("spliceai_")]:
            assert row[col] == full_rows[key][col], (key, col)
    assert cone_tracks.column("variant_key").to_pylist() == \
        full_tracks.column("variant_key").to_pylist()
    for col in ("ref_acceptor", "alt_acceptor", "ref_donor", "alt_donor"):
        diff = np.abs(cone_tracks.column(col).to_numpy() - full_tracks.column(col).to_numpy())
        assert diff.max() <= 1e-5, (col, diff.max())
    if build == "GRCh37":  # the real splice-altering alleles really move the tracks
        assert max(r["spliceai_max"] for r in cone_rows.values()) >= 0.8

