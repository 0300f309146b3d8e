"""Bundle manifests: what is refused and why (checksum, version, shape, layout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tiny_models

from varrank.core.errors import ResourceError
from varrank.score import providers
from varrank.score.bundle import find_bundles, load_bundle
from varrank.score.registry import check_input_shape


def test_valid_bundle_loads_with_provenance(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    bundle = load_bundle(root)
    assert bundle.kind == "seq2func"
    assert bundle.graph == root / "model.onnx"
    prov = bundle.provenance()
    assert set(prov["files"]) == {"model.onnx"}
    assert len(prov["files"]["model.onnx"]) == 64


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    with open(root / "model.onnx", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ResourceError, match="checksum mismatch for model.onnx"):
        load_bundle(root)


def test_unknown_manifest_version_is_refused(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    tiny_models.edit_manifest(root, manifest_version=99)
    with pytest.raises(ResourceError, match="manifest_version 99 is not supported"):
        load_bundle(root)


def test_missing_field_and_unknown_kind(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    manifest = json.loads((root / "manifest.json").read_text())
    del manifest["score"]
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResourceError, match="lacks required field"):
        load_bundle(root)
    manifest["score"] = {}
    manifest["kind"] = "mystery"
    (root / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResourceError, match="unknown model kind 'mystery'"):
        load_bundle(root)


def test_file_path_escaping_bundle_is_refused(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    tiny_models.edit_manifest(root, files=[{"path": "../x.onnx", "sha256": "0", "role": "graph"}])
    with pytest.raises(ResourceError, match="must stay inside the bundle"):
        load_bundle(root)


def test_not_json_manifest(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ResourceError, match="not valid JSON"):
        load_bundle(tmp_path)


def test_find_bundles_in_parent_folder(tmp_path: Path) -> None:
    tiny_models.seq2func_bundle(tmp_path / "a")
    tiny_models.dnalm_bundle(tmp_path / "b")
    (tmp_path / "not_a_bundle").mkdir()
    assert [p.name for p in find_bundles(tmp_path)] == ["a", "b"]
    with pytest.raises(ResourceError, match="no model bundle"):
        find_bundles(tmp_path / "not_a_bundle")


def test_unexpected_input_shape_is_refused(tmp_path: Path) -> None:
    root = tiny_models.spliceai_like_bundle(tmp_path / "sai", channels=5)
    bundle = load_bundle(root)
    session = providers.make_session(bundle.graph, providers.choose_providers(["CPUExecutionProvider"]))
    with pytest.raises(ResourceError, match=r"5 channels \(expected 4, ACGT\)"):
        check_input_shape(bundle, session)


def test_fixed_length_mismatch_is_refused(tmp_path: Path) -> None:
    root = tiny_models.seq2func_bundle(tmp_path / "s2f")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["input"]["length"] = 128
    (root / "manifest.json").write_text(json.dumps(manifest))
    bundle = load_bundle(root)
    session = providers.make_session(bundle.graph, providers.choose_providers(["CPUExecutionProvider"]))
    with pytest.raises(ResourceError, match="length 64 \\(manifest says 128\\)"):
        check_input_shape(bundle, session)
