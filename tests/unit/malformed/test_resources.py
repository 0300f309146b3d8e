"""Damaged resources: the annotation bundle, the snpEff database and model bundles. Opening
checks what is cheap (manifest shape, every file's size); `varrank resources verify` and
`varrank model verify` compare every file's sha256. Each problem is one line naming the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from malformed_helpers import assert_one_line_error


def _annotate(run_cli, table, bundle, fasta, out, *extra):
    return run_cli("annotate", "--in", table, "--bundle", bundle, "--fasta", fasta, *extra, "--out", out)


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _flip(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x5A
    path.write_bytes(bytes(data))


def _garble(path: Path) -> None:
    """Same size, other bytes: passes the size check, must still not crash the reader."""
    path.write_bytes(bytes((7 * i + 3) % 256 for i in range(path.stat().st_size)))


LOOKUP = ["locus.npy", "allele.npy", "values.npy", "dictionaries.json", "arrow"]


@pytest.mark.parametrize("part", LOOKUP + ["annotation.duckdb"])
def test_truncated_bundle_file_is_named(part, tmp_path, run_cli, chr17_table, chr17, demo_resources,
                                        damaged_copy):
    """'mmap length is greater than file size' was a traceback; now the file and its sizes."""
    bundle = damaged_copy(demo_resources["annotation_db"])
    target = bundle / part if part == "annotation.duckdb" else bundle / "lookup" / f"clinvar.{part}"
    os.truncate(target, target.stat().st_size // 2)
    result = _annotate(run_cli, chr17_table, bundle, chr17, tmp_path / "out")
    assert_one_line_error(result, "annotate", target, "truncated")


@pytest.mark.parametrize("part", ["locus.npy", "values.npy", "dictionaries.json", "arrow"])
def test_garbled_bundle_file_same_size(part, tmp_path, run_cli, chr17_table, chr17, demo_resources,
                                       damaged_copy):
    bundle = damaged_copy(demo_resources["annotation_db"])
    target = bundle / "lookup" / f"clinvar.{part}"
    _garble(target)
    result = _annotate(run_cli, chr17_table, bundle, chr17, tmp_path / "out")
    assert_one_line_error(result, "annotate", bundle / "lookup", "unreadable")
    verify = run_cli("resources", "verify", "--bundle", bundle)
    assert_one_line_error(verify, "resources", target, "sha256 differs")


def test_garbled_duckdb_same_size(demo_resources, damaged_copy):
    """A lookup reads only the index; the database (gene resources) is refused when opened."""
    from varrank.annotate.bundle import open_bundle
    from varrank.core.errors import ResourceError

    bundle = damaged_copy(demo_resources["annotation_db"])
    _garble(bundle / "annotation.duckdb")
    with pytest.raises(ResourceError, match="database cannot be opened") as err:
        open_bundle(bundle, None).connect()
    assert err.value.path == bundle / "annotation.duckdb" and err.value.hint


@pytest.mark.parametrize("part", LOOKUP + ["annotation.duckdb"])
def test_bit_flip_found_by_verify(part, run_cli, demo_resources, damaged_copy):
    """A flipped bit passes every open (sizes only) and is named by `resources verify`."""
    bundle = damaged_copy(demo_resources["annotation_db"])
    target = bundle / part if part == "annotation.duckdb" else bundle / "lookup" / f"tgp.{part}"
    _flip(target)
    assert_one_line_error(run_cli("resources", "verify", "--bundle", bundle), "resources", target,
                          "sha256 differs")


def test_verify_intact_bundle_and_database(run_cli, demo_resources):
    result = run_cli("resources", "verify", "--bundle", demo_resources["annotation_db"],
                     "--snpeff-db", demo_resources["snpeff_db"])
    assert result.code == 0, result.stderr
    assert "files match the manifest's sizes and sha256" in result.stdout
    manifest = json.loads((demo_resources["annotation_db"] / "manifest.json").read_text())
    listed = {e["path"] for e in manifest["bundle_files"]}
    assert {"annotation.duckdb", "lookup/clinvar.values.npy", "lookup/tgp.arrow"} <= listed


MANIFEST_DAMAGE = {
    "not_json": (lambda p: p.write_text("{\"bundle_format\": 3,"), "not valid JSON"),
    "not_an_object": (lambda p: p.write_text("[3]"), "not a JSON object"),
    "not_utf8": (lambda p: p.write_bytes(b"\xff\xfe{}"), "not UTF-8"),
    "old_format": (lambda p: _edit_json(p, lambda m: m.update(bundle_format=2)), "bundle format 2"),
    "no_genome_build": (lambda p: _edit_json(p, lambda m: m.pop("genome_build")),
                        "lacks required field 'genome_build'"),
    "source_without_lookup": (lambda p: _edit_json(p, lambda m: m["sources"]["clinvar"].pop("lookup")),
                              "sources/clinvar: lacks required field 'lookup'"),
    "lookup_without_its_files": (lambda p: _edit_json(p, lambda m: m["sources"]["tgp"]["lookup"].pop("values")),
                                 "sources/tgp/lookup: lacks required field 'values'"),
    "sources_a_list": (lambda p: _edit_json(p, lambda m: m.update(sources=[1])), "sources: [1] is not of type"),
    "bundle_files_not_a_list": (lambda p: _edit_json(p, lambda m: m.update(bundle_files="all")),
                                "bundle_files: 'all' is not of type 'array'"),
    "bundle_file_size_not_a_number": (lambda p: _edit_json(p, lambda m: m["bundle_files"][0].update(size_bytes="1k")),
                                      "bundle_files/0/size_bytes"),
    "bundle_file_outside": (lambda p: _edit_json(p, lambda m: m["bundle_files"].append(
        {"path": "../../etc/passwd", "size_bytes": 1, "sha256": "0" * 64})), "outside the bundle"),
}


@pytest.mark.parametrize("name", MANIFEST_DAMAGE)
def test_bad_bundle_manifest(name, tmp_path, run_cli, chr17_table, chr17, demo_resources, damaged_copy):
    bundle = damaged_copy(demo_resources["annotation_db"])
    damage, fragment = MANIFEST_DAMAGE[name]
    damage(bundle / "manifest.json")
    result = _annotate(run_cli, chr17_table, bundle, chr17, tmp_path / "out")
    assert_one_line_error(result, "annotate", bundle / "manifest.json", fragment)


def test_missing_listed_file(tmp_path, run_cli, chr17_table, chr17, demo_resources, damaged_copy):
    bundle = damaged_copy(demo_resources["annotation_db"])
    (bundle / "lookup" / "tgp.allele.npy").unlink()
    result = _annotate(run_cli, chr17_table, bundle, chr17, tmp_path / "out")
    assert_one_line_error(result, "annotate", bundle / "lookup" / "tgp.allele.npy", "missing")


def test_verify_bundle_built_before_checksums(run_cli, demo_resources, damaged_copy):
    bundle = damaged_copy(demo_resources["annotation_db"])
    _edit_json(bundle / "manifest.json", lambda m: m.pop("bundle_files"))
    assert_one_line_error(run_cli("resources", "verify", "--bundle", bundle), "resources",
                          bundle / "manifest.json", "lists no file checksums")


@pytest.mark.parametrize("what", ["no_folder", "no_manifest"])
def test_not_a_bundle(what, tmp_path, run_cli, chr17_table, chr17, demo_resources, damaged_copy):
    bundle = tmp_path / "nothing" if what == "no_folder" else damaged_copy(demo_resources["annotation_db"])
    if what == "no_manifest":
        (bundle / "manifest.json").unlink()
    result = _annotate(run_cli, chr17_table, bundle, chr17, tmp_path / "out")
    assert_one_line_error(result, "annotate", bundle, "not an annotation bundle")


# --------------------------------------------------------------------------- snpEff database

def _predictor(db: Path) -> Path:
    name = json.loads((db / "manifest.json").read_text())["name"]
    return db / "data" / name / "snpEffectPredictor.bin"


SNPEFF_DAMAGE = {
    "manifest_not_json": (lambda db: (db / "manifest.json").write_text("{"), "manifest.json", "not valid JSON"),
    "manifest_without_name": (lambda db: _edit_json(db / "manifest.json", lambda m: m.pop("name")),
                              "manifest.json", "lacks required field 'name'"),
    "manifest_name_with_path": (lambda db: _edit_json(db / "manifest.json", lambda m: m.update(name="../x")),
                                "manifest.json", "name: '../x' does not match"),
    "db_file_outside": (lambda db: _edit_json(db / "manifest.json", lambda m: m["db_files"].append(
        {"path": "/etc/passwd", "size_bytes": 1, "sha256": "0" * 64})), "manifest.json", "outside the database"),
    "truncated_predictor": (lambda db: os.truncate(_predictor(db), 100), "predictor", "truncated"),
    "missing_predictor": (lambda db: _predictor(db).unlink(), "predictor", "missing"),
    "garbled_transcript_table": (lambda db: _garble(db / "transcripts.parquet"), "transcripts.parquet",
                                 "transcript table is unreadable"),
    "no_manifest": (lambda db: (db / "manifest.json").unlink(), ".", "not a snpEff database"),
}


@pytest.mark.parametrize("name", SNPEFF_DAMAGE)
def test_bad_snpeff_db(name, tmp_path, run_cli, chr17_table, chr17, demo_resources, damaged_copy):
    db = damaged_copy(demo_resources["snpeff_db"])
    damage, where, fragment = SNPEFF_DAMAGE[name]
    target = _predictor(db) if where == "predictor" else db / where if where != "." else db
    damage(db)
    result = _annotate(run_cli, chr17_table, demo_resources["annotation_db"], chr17, tmp_path / "out",
                       "--snpeff-db", db)
    assert_one_line_error(result, "annotate", target if where != "." else db, fragment)


def test_snpeff_bit_flip_found_by_verify(run_cli, demo_resources, damaged_copy):
    db = damaged_copy(demo_resources["snpeff_db"])
    _flip(_predictor(db))
    assert_one_line_error(run_cli("resources", "verify", "--snpeff-db", db), "resources", _predictor(db),
                          "sha256 differs")


# --------------------------------------------------------------------------- model bundles

MODEL_DAMAGE = {
    "manifest_not_json": (lambda b: (b / "manifest.json").write_text("{"), "manifest.json", "not valid JSON"),
    "manifest_a_list": (lambda b: (b / "manifest.json").write_text("[]"), "manifest.json", "JSON object"),
    "unsupported_version": (lambda b: _edit_json(b / "manifest.json", lambda m: m.update(manifest_version=9)),
                            "manifest.json", "manifest_version 9"),
    "missing_fields": (lambda b: _edit_json(b / "manifest.json", lambda m: m.pop("score")), "manifest.json",
                       "lacks required field"),
    "unknown_kind": (lambda b: _edit_json(b / "manifest.json", lambda m: m.update(kind="oracle")),
                     "manifest.json", "unknown model kind"),
    "no_files": (lambda b: _edit_json(b / "manifest.json", lambda m: m.update(files=[])), "manifest.json",
                 "files: [] should be non-empty"),
    "file_outside_bundle": (lambda b: _edit_json(b / "manifest.json", lambda m: m["files"][0].update(
        path="../model.onnx")), "manifest.json", "inside the bundle"),
    "truncated_graph": (lambda b: os.truncate(b / "model.onnx", 10), "model.onnx", "truncated"),
    "bit_flip_graph": (lambda b: _flip(b / "model.onnx"), "model.onnx", "checksum mismatch"),
    "missing_graph": (lambda b: (b / "model.onnx").unlink(), ".", "missing"),
}


@pytest.mark.parametrize("name", MODEL_DAMAGE)
def test_bad_model_bundle(name, run_cli, tiny_model, damaged_copy):
    bundle = damaged_copy(tiny_model)
    damage, where, fragment = MODEL_DAMAGE[name]
    damage(bundle)
    target = bundle if where == "." else bundle / where
    assert_one_line_error(run_cli("model", "verify", bundle), "model", target, fragment)


def test_garbage_graph_with_matching_checksum(run_cli, tiny_model, damaged_copy):
    """Not an ONNX graph at all, manifest rewritten to match: onnxruntime's refusal is one line."""
    from varrank.score.bundle import write_manifest

    bundle = damaged_copy(tiny_model)
    (bundle / "model.onnx").write_bytes(b"not an onnx graph" * 10)
    write_manifest(bundle, json.loads((bundle / "manifest.json").read_text()))
    assert_one_line_error(run_cli("model", "verify", bundle), "model", bundle / "model.onnx")


def test_score_with_truncated_model(tmp_path, run_cli, chr17_table, chr17, tiny_model, damaged_copy):
    bundle = damaged_copy(tiny_model)
    os.truncate(bundle / "model.onnx", 10)
    result = run_cli("score", "--in", chr17_table, "--fasta", chr17, "--model-dir", bundle,
                     "--out", tmp_path / "out")
    assert_one_line_error(result, "score", bundle / "model.onnx", "truncated")


@pytest.mark.parametrize("what", ["missing_folder", "folder_without_bundles"])
def test_no_model_bundle(what, tmp_path, run_cli, chr17_table, chr17):
    folder = tmp_path / "models"
    if what == "folder_without_bundles":
        folder.mkdir()
    result = run_cli("score", "--in", chr17_table, "--fasta", chr17, "--model-dir", folder,
                     "--out", tmp_path / "out")
    assert_one_line_error(result, "score", folder)


# ---- missense predictor tables (resources build --revel/--cadd/--alphamissense) ---------
PREDICTOR_HEAD = "chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid\n"
PREDICTOR_DAMAGE = {  # name -> (option, text, line, fragment)
    "revel_short_row": ("--revel", PREDICTOR_HEAD + "1,35142,35142,G,A,T,M,0.027,ENST1\n1,35144\n",
                        3, "row has 2 columns, the header has 9"),
    "revel_score_not_a_number": ("--revel", PREDICTOR_HEAD + "1,35142,35142,G,A,T,M,abc,ENST1\n",
                                 2, "INFO/REVEL='abc' is not a valid Float"),
    "revel_given_a_cadd_file": ("--revel", "#Chrom\tPos\tRef\tAlt\tRawScore\tPHRED\n1\t10001\tT\tA\t0.7\t8.4\n",
                                1, "not a REVEL table"),
    "alphamissense_other_build": ("--alphamissense",
                                  "#CHROM\tPOS\tREF\tALT\tgenome\tuniprot_id\ttranscript_id\t"
                                  "protein_variant\tam_pathogenicity\tam_class\n"
                                  "chr1\t69094\tG\tT\thg19\tQ8NH21\tENST1\tV2L\t0.29\tlikely_benign\n",
                                  2, "AlphaMissense row is hg19 but the bundle is GRCh38"),
    "cadd_empty": ("--cadd", "", 1, "no CADD column header"),
}


@pytest.mark.parametrize("name", PREDICTOR_DAMAGE)
def test_bad_predictor_table(name, tmp_path, run_cli):
    option, text, line, fragment = PREDICTOR_DAMAGE[name]
    table = tmp_path / f"{name}.tsv"
    table.write_text(text)
    result = run_cli("resources", "build", "--genome", "GRCh38", "--no-hpo", option, table,
                     "--out", tmp_path / "bundle")
    assert_one_line_error(result, "resources", table, fragment, line=line)
    assert not (tmp_path / "bundle").exists()
