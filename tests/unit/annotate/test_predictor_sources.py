"""Missense predictors as annotation-bundle sources: REVEL, CADD and AlphaMissense read from
their official table formats (tests/data/annotate/predictors: the heads of the real files),
looked up by allele, and turned into PP3/BP4 by their calibrated intervals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.lookup import lookup
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError
from varrank.prioritise.acmg import RuleContext
from varrank.prioritise.acmg.computational import bp4, pp3
from varrank.prioritise.acmg.evidence import Row
from varrank.prioritise.acmg.thresholds import Thresholds

DATA = Path(__file__).resolve().parents[2] / "data" / "annotate" / "predictors"
REVEL = DATA / "revel_v1.3.head.csv"
CADD = DATA / "cadd_GRCh38-v1.6.whole_genome_SNVs.head.tsv"
ALPHAMISSENSE = DATA / "AlphaMissense_hg38.head.tsv"


def _bundle(tmp_path: Path, **paths: list[Path]) -> Path:
    specs = [SourceSpec(kind, kind, files) for kind, files in paths.items()]
    return build_bundle(BuildRequest(out=tmp_path / "bundle", genome="GRCh38", sources=specs,
                                     hpo_dir=None))


def _keys(*alleles: tuple[str, int, str, str]) -> pa.Table:
    chrom, pos, ref, alt = zip(*alleles)
    return pa.table({"chrom": list(chrom), "pos": list(pos), "ref": list(ref), "alt": list(alt)})


@pytest.fixture(scope="module")
def predictor_bundle(tmp_path_factory) -> Path:
    return _bundle(tmp_path_factory.mktemp("pred"), revel=[REVEL], cadd=[CADD],
                   alphamissense=[ALPHAMISSENSE])


def test_each_table_format_loads_and_is_found_by_allele(predictor_bundle):
    keys = _keys(("chr1", 35142, "G", "T"), ("chr1", 10001, "T", "C"),
                 ("chr1", 69094, "G", "A"), ("chr1", 69095, "T", "G"), ("chr1", 35142, "G", "G"))
    cols, matches = lookup(open_bundle(predictor_bundle, "GRCh38"), keys)
    assert matches == {"revel": 1, "cadd": 1, "alphamissense": 2}
    assert cols["revel_score"].to_pylist() == [0.043, None, None, None, None]
    assert cols["cadd_phred"].to_pylist() == [None, 8.921, None, None, None]
    assert cols["cadd_raw"].to_pylist() == [None, 0.750954, None, None, None]
    assert cols["alphamissense_score"].to_pylist() == [None, None, 0.3296, 0.203, None]
    assert cols["alphamissense_class"].to_pylist()[2:4] == ["likely_benign", "likely_benign"]
    assert cols["revel_release"].to_pylist()[0] == "v1.3"  # from the file name


def test_manifest_records_each_predictor_source(predictor_bundle):
    manifest = open_bundle(predictor_bundle, "GRCh38").manifest
    kinds = {name: src["kind"] for name, src in manifest["sources"].items()}
    assert kinds == {"revel": "revel", "cadd": "cadd", "alphamissense": "alphamissense"}
    assert manifest["sources"]["alphamissense"]["rows"] == 6


def test_repeated_allele_keeps_its_highest_score_and_rows_without_a_position_are_left_out(
        tmp_path):
    # derived from the real head: the allele repeated for a second protein change (REVEL lists
    # one row per aaref/aaalt), and an hg19-only row ('.' in grch38_pos)
    text = REVEL.read_text().splitlines()
    text += ["1,35142,35142,G,T,T,N,0.512,ENST00000000001", "1,40000,.,C,T,A,V,0.9,ENST1"]
    derived = tmp_path / "revel_derived.csv"
    derived.write_text("\n".join(text) + "\n")
    bundle = _bundle(tmp_path, revel=[derived])
    cols, matches = lookup(open_bundle(bundle, "GRCh38"), _keys(("1", 35142, "G", "T")))
    assert cols["revel_score"].to_pylist() == [0.512]
    assert open_bundle(bundle, "GRCh38").manifest["sources"]["revel"]["rows"] == 3


def test_wrong_table_and_wrong_build_are_one_line_errors(tmp_path):
    with pytest.raises(ResourceError, match="not a REVEL table: its header lacks"):
        _bundle(tmp_path / "a", revel=[CADD])
    with pytest.raises(ResourceError, match="AlphaMissense row is hg38 but the bundle is GRCh37"):
        build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37", hpo_dir=None,
                                  sources=[SourceSpec("alphamissense", "alphamissense",
                                                      [ALPHAMISSENSE])]))


def test_cli_builds_from_the_three_tables(tmp_path, repo_root):
    out = tmp_path / "cli_bundle"
    run = subprocess.run([sys.executable, "-m", "varrank", "resources", "build", "--genome",
                          "GRCh38", "--no-hpo", "--revel", str(REVEL), "--cadd", str(CADD),
                          "--alphamissense", str(ALPHAMISSENSE), "--release", "revel=v1.3",
                          "--out", str(out)], capture_output=True, text=True, cwd=repo_root)
    assert run.returncode == 0, run.stderr
    sources = open_bundle(out, "GRCh38").manifest["sources"]
    assert sources["revel"]["release"] == "v1.3"


# ---- PP3/BP4 from the predictors ------------------------------------------------------
CTX = RuleContext()


def _row(**values) -> Row:
    return Row({"consequence": "missense_variant", "spliceai_max": 0.05, **values})


@pytest.mark.parametrize("score, strength", [(0.990, "strong"), (0.989, "moderate"),
                                             (0.906, "moderate"), (0.792, "supporting"),
                                             (0.791, None)])
def test_alphamissense_pp3_intervals_bergquist_2025(score, strength):
    e = pp3(_row(alphamissense_score=score), CTX)
    assert (e.strength if e.met else None) == strength
    assert "AlphaMissense decides" in e.reason


@pytest.mark.parametrize("score, strength", [(0.099, "moderate"), (0.1, "supporting"),
                                             (0.169, "supporting"), (0.17, None)])
def test_alphamissense_bp4_intervals_bergquist_2025(score, strength):
    e = bp4(_row(alphamissense_score=score), CTX)
    assert (e.strength if e.met else None) == strength


def test_one_predictor_decides_and_every_value_is_named():
    # REVEL benign-supporting, AlphaMissense pathogenic-moderate: REVEL is first in the
    # default order, so PP3 is not met on AlphaMissense's reading (no tool shopping)
    values = {"revel_score": 0.25, "alphamissense_score": 0.95, "cadd_phred": 30.0}
    e = pp3(_row(**values), CTX)
    assert not e.met
    assert "REVEL decides; also AlphaMissense=0.95, CADD=30" in e.reason
    assert bp4(_row(**values), CTX).strength == "supporting"
    lab = RuleContext(thresholds=Thresholds.from_mapping(
        {"missense_tools": ["AlphaMissense", "REVEL", "CADD"]}))
    e = pp3(_row(**values), lab)
    assert e.met and e.strength == "moderate" and "AlphaMissense decides" in e.reason


def test_report_shows_every_predictor_and_the_one_that_decided():
    from varrank.report.findings import build_finding
    from varrank.report.render import _missense

    values = {"revel_score": 0.25, "alphamissense_score": 0.95,
              "alphamissense_class": "likely_pathogenic", "cadd_phred": 30.0}
    evidence = [{"code": "BP4", "status": "met", "reason": bp4(_row(**values), CTX).reason}]
    import json
    finding = build_finding({"variant_key": "1-1-A-G", "chrom": "1", "pos": 1, "ref": "A",
                             "alt": "G", **values, "evidence_json": json.dumps(evidence)},
                            {"annotate", "prioritise"})
    assert finding["missense"]["decided"] == "REVEL"
    assert finding["missense"]["tools"]["AlphaMissense"] == {
        "score": 0.95, "release": None, "class": "likely_pathogenic"}
    assert _missense(finding["missense"]) == (
        "REVEL 0.25 (decided PP3/BP4), AlphaMissense 0.95 likely pathogenic, CADD 30")


def test_a_preset_naming_an_unknown_tool_is_refused():
    from varrank.core.errors import InputError
    with pytest.raises(InputError, match="unknown missense tool"):
        Thresholds.from_mapping({"missense_tools": ["revel"]})


def test_methods_flag_non_commercial_licences(predictor_bundle, tmp_path):
    import json

    from varrank.report.methods import licences, read_manifest

    model = tmp_path / "model" / "manifest.json"
    model.parent.mkdir()
    model.write_text(json.dumps({"name": "spliceai", "kind": "spliceai", "files": [],
                                 "license": {"weights": "CC BY-NC 4.0", "text": "..."}}))
    gpl = tmp_path / "model2" / "manifest.json"
    gpl.parent.mkdir()
    gpl.write_text(json.dumps({"name": "pangolin", "kind": "pangolin", "files": [],
                               "license": {"weights": "GPL-3.0"}}))
    found = licences([read_manifest(p) for p in
                      (predictor_bundle / "manifest.json", model, gpl)])
    flags = {entry["what"]: entry["non_commercial"] for entry in found}
    assert flags == {"annotation source revel": True, "annotation source cadd": True,
                     "annotation source alphamissense": True, "model spliceai": True,
                     "model pangolin": False}


def test_report_shows_pangolin_beside_spliceai():
    from varrank.report.findings import build_finding
    from varrank.report.render import _pangolin

    base = {"variant_key": "17-1-A-G", "chrom": "17", "pos": 1, "ref": "A", "alt": "G"}
    finding = build_finding({**base, "pangolin_max": 0.35, "pangolin_gain": 0.35,
                             "pangolin_gain_pos": 12, "pangolin_loss": -0.02,
                             "pangolin_loss_pos": -3, "pangolin_gene": "BRCA1",
                             "pangolin_status": "scored"}, {"score"})
    assert _pangolin(finding["pangolin"]) == "0.35 (low): gain 0.35 at +12, loss -0.02 at -3 (BRCA1)"
    skipped = build_finding({**base, "pangolin_status": "not_candidate:common"}, {"score"})
    assert _pangolin(skipped["pangolin"]) == "not candidate:common"
    assert build_finding(base, {"score"})["pangolin"] is None


def test_non_adjacent_repeats_keep_the_highest_score(tmp_path):
    # derived from the real head: one GRCh38 allele reached from two distant hg19 rows (a
    # liftover collision), which the table's order cannot show; rows out of GRCh38 order
    text = REVEL.read_text().splitlines()
    text += ["1,90000,35142,G,T,T,N,0.61,ENST2", "1,80000,20000,C,T,A,V,0.2,ENST3"]
    derived = tmp_path / "revel_liftover.csv"
    derived.write_text("\n".join(text) + "\n")
    bundle = _bundle(tmp_path, revel=[derived])
    cols, _ = lookup(open_bundle(bundle, "GRCh38"), _keys(("1", 35142, "G", "T"),
                                                         ("1", 20000, "C", "T")))
    assert cols["revel_score"].to_pylist() == [0.61, 0.2]
    assert open_bundle(bundle, "GRCh38").manifest["sources"]["revel"]["rows"] == 4
