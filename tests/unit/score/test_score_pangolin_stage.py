"""SpliceAI and Pangolin in one SCORE pass: one model folder, both bundles, real alleles.

Each model must write its own columns, ledger entries, throughput note and execution
provider; the Pangolin columns must equal those of a Pangolin-only run (sharing the pass
changes nothing); rows each model cannot score say why, in its own status.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from score_helpers import variant_table

from varrank.cli import main
from varrank.core.table_io import read_table
from varrank.score.stage import ScoreOptions, run_score

pytestmark = pytest.mark.export
ANNOTATION = "annotation/spliceai_grch37_canonical.regions.txt"
# real BRCA1 alleles (1000G, Pangolin example, ClinVar); the MNV is scored by Pangolin only;
# 41196312 is the first base of the GENCODE v19 gene, outside the canonical table's span
ALLELES = [("17", 41276127, "A", "T"), ("17", 41276135, "T", "C"),
           ("17", 41276135, "TTAA", "GTCT"), ("17", 41199501, "CAAAT", "C"),
           ("17", 41232907, "T", "TA"), ("17", 41243725, "T", "C"),
           ("17", 41196363, "C", "T")]


@pytest.fixture(scope="module")
def model_dir(spliceai_bundle: Path, pangolin_bundle: Path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    (folder / "spliceai").symlink_to(spliceai_bundle)
    (folder / "pangolin").symlink_to(pangolin_bundle)
    return folder


def _run(table: Path, fasta: Path, models: Path, annotation: Path, out: Path, **options):
    paths = run_score(table, fasta, models, out, annotation,
                      ScoreOptions(all_variants=False, **options))
    rows = {r["variant_key"]: r for r in pq.read_table(paths["table"]).to_pylist()}
    return rows, json.loads(Path(paths["ledger"]).read_text()), read_table(paths["table"])[1]


def test_spliceai_and_pangolin_in_one_pass(model_dir: Path, pangolin_bundle: Path,
                                           shared_data: Path, grch37_fasta: Path,
                                           tmp_path: Path) -> None:
    af = [0.3 if a[1] == 41243725 else 0.0001 for a in ALLELES]  # one common allele
    table = variant_table(ALLELES, tmp_path / "BOTH.ingest.parquet", patient="BOTH",
                          extra={"max_pop_af": af})
    annotation = shared_data / ANNOTATION
    rows, ledger, meta = _run(table, grch37_fasta, model_dir, annotation, tmp_path / "both")
    alone, _l, _m = _run(table, grch37_fasta, pangolin_bundle, annotation, tmp_path / "alone")
    assert ledger["balanced"] and ledger["records_in"] == len(ALLELES)
    assert ledger["flagged"]["scored"] == 4 and ledger["flagged"]["pangolin:scored"] == 5
    assert ledger["flagged"]["pangolin:not_candidate:population_af_above_0.01"] == 1
    assert ledger["flagged"]["not_candidate:population_af_above_0.01"] == 1
    notes = " ".join(ledger["notes"])
    assert "SpliceAI" in notes and "Pangolin" in notes and notes.count("cone pass") == 2
    stage = meta["stages"][-1]
    assert set(stage["providers"]) == {"spliceai", "pangolin"}
    assert {m["name"] for m in stage["models"]} == {"spliceai", "pangolin"}
    assert stage["pangolin_mask"] is True
    mnv = rows["17-41276135-TTAA-GTCT"]
    assert mnv["score_status"] == "skipped:mnv_or_complex_not_scored_by_spliceai"
    assert mnv["pangolin_status"] == "scored" and mnv["pangolin_gene"] == "BRCA1"
    acceptor = rows["17-41276135-T-C"]  # creates a cryptic acceptor at -1, weakens the real
    assert acceptor["pangolin_gain"] >= 0.5 and acceptor["pangolin_gain_pos"] == -1
    assert acceptor["pangolin_loss"] <= -0.5 and acceptor["spliceai_max"] >= 0.5
    for key, row in rows.items():
        assert {k: v for k, v in row.items() if k.startswith("pangolin_")} == \
            {k: v for k, v in alone[key].items() if k.startswith("pangolin_")}, key
    assert rows["17-41196363-C-T"]["pangolin_status"].startswith("not_candidate")
    # the tracks side table: SpliceAI's probabilities and Pangolin's masked gain/loss per
    # position, whose extremes are the reported scores
    tracks = pq.read_table(tmp_path / "both" / "BOTH.tracks.parquet").to_pylist()
    pango = [t for t in tracks if t["model"] == "pangolin"
             and t["variant_key"] == "17-41276135-T-C"]
    assert len(pango) == 101 and {t["gene"] for t in pango} == {"BRCA1"}
    assert all(t["ref_acceptor"] is None for t in pango)
    peak = max(pango, key=lambda t: t["gain"])
    assert round(peak["gain"], 2) == acceptor["pangolin_gain"] and peak["offset"] == -1
    assert round(min(t["loss"] for t in pango), 2) == acceptor["pangolin_loss"]
    assert {t["model"] for t in tracks} == {"spliceai", "pangolin"}
    assert all(t["gain"] is None for t in tracks if t["model"] == "spliceai")


def test_cli_pangolin_mask_and_gff3_genes(pangolin_bundle: Path, shared_data: Path,
                                          grch37_fasta: Path, tmp_path: Path) -> None:
    table = variant_table(ALLELES[:2], tmp_path / "CLI.ingest.parquet", patient="CLI")
    gff3 = shared_data / "annotation/BRCA1_gencode_v19.GRCh37.gff3"
    base = ["score", "--in", str(table), "--fasta", str(grch37_fasta), "--model-dir",
            str(pangolin_bundle), "--all-variants", "--pangolin-annotation", str(gff3),
            "--pangolin-tags", "None"]
    genes = {}
    for mask in ("0", "1"):
        assert main(base + ["--out", str(tmp_path / mask), "--pangolin-mask", mask]) == 0
        got = pq.read_table(tmp_path / mask / "CLI.score.parquet").to_pylist()
        genes[mask] = {r["variant_key"]: r for r in got}
    for key, row in genes["0"].items():
        assert row["pangolin_gene"] == "ENSG00000012048.15"  # gene_id from the GFF3
        assert row["pangolin_gain"] >= genes["1"][key]["pangolin_gain"]  # masking only lowers
        assert row["pangolin_loss"] <= genes["1"][key]["pangolin_loss"]
    assert main(base[:-4] + ["--out", str(tmp_path / "x"), "--pangolin-annotation",
                             str(tmp_path / "missing.gff3")]) == 2
