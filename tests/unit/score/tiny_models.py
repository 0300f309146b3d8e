"""Tiny ONNX models that the tests build themselves with onnx.helper (no torch needed).

Each is small enough to reason about by hand, so a test can state the exact score it expects:
* ``spliceai_like``: SpliceAI's contract (batch, L, 4) -> (batch, L - 10000, 3) where each
  output position is softmax(onehot @ W) of the base at that position (no context);
* ``seq2func``: (batch, L, 4) -> (batch, L, 2) tracks = onehot @ W (track 0 counts G, track 1
  counts T);
* ``dnalm``: tokens (batch, L) -> logits (batch, L, 5) = E[token], a bigram model.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from varrank.score.bundle import write_manifest

SPLICE_W = np.array([[0.0, 2.0, -1.0],    # A: acceptor-ish
                     [0.0, -1.0, -1.0],   # C
                     [0.0, -1.0, 2.0],    # G: donor-ish
                     [0.0, -1.0, -1.0]],  # T
                    dtype=np.float32)
SEQ2FUNC_W = np.array([[0, 0], [0, 0], [1, 0], [0, 1]], dtype=np.float32)
BIGRAM = np.log(np.array([[0.7, 0.1, 0.1, 0.1, 1e-6],
                          [0.1, 0.7, 0.1, 0.1, 1e-6],
                          [0.1, 0.1, 0.7, 0.1, 1e-6],
                          [0.1, 0.1, 0.1, 0.7, 1e-6],
                          [0.4, 0.3, 0.2, 0.1, 1e-6]], dtype=np.float32)).astype(np.float32)


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def spliceai_like_graph(path: Path, channels: int = 4, flank: int = 5000) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "length", channels])
    probs = helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", "out", 3])
    inits = [numpy_helper.from_array(SPLICE_W[:channels] if channels <= 4 else
                                     np.vstack([SPLICE_W, np.zeros((channels - 4, 3),
                                                                   np.float32)]), "W"),
             numpy_helper.from_array(np.array([flank], np.int64), "starts"),
             numpy_helper.from_array(np.array([-flank], np.int64), "ends"),
             numpy_helper.from_array(np.array([1], np.int64), "axes")]
    nodes = [helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["xc"]),
             helper.make_node("MatMul", ["xc", "W"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["probs"], axis=-1)]
    return _save(helper.make_graph(nodes, "spliceai_like", [x], [probs], inits), path)


def seq2func_graph(path: Path) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64, 4])
    y = helper.make_tensor_value_info("tracks", TensorProto.FLOAT, ["batch", 64, 2])
    nodes = [helper.make_node("MatMul", ["x", "W"], ["tracks"])]
    inits = [numpy_helper.from_array(SEQ2FUNC_W, "W")]
    return _save(helper.make_graph(nodes, "seq2func", [x], [y], inits), path)


def dnalm_graph(path: Path) -> Path:
    tokens = helper.make_tensor_value_info("tokens", TensorProto.INT64, ["batch", 32])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 32, 5])
    nodes = [helper.make_node("Gather", ["E", "tokens"], ["logits"], axis=0)]
    inits = [numpy_helper.from_array(BIGRAM, "E")]
    return _save(helper.make_graph(nodes, "dnalm", [tokens], [logits], inits), path)


def write_bundle(root: Path, kind: str, graph_builder, manifest_extra: dict,
                 name: str | None = None, **graph_kwargs) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    graph_builder(root / "model.onnx", **graph_kwargs)
    files = [{"path": "model.onnx", "role": "graph"}]
    files += manifest_extra.pop("_files", [])
    manifest = {"manifest_version": 1, "name": name or f"tiny_{kind}", "version": "0.0.1",
                "kind": kind, "license": {"weights": "CC0-1.0 (test model)"},
                "files": files, **manifest_extra}
    write_manifest(root, manifest)
    return root


def spliceai_like_bundle(root: Path, annotation: Path | None = None, **graph_kwargs) -> Path:
    extra = {"input": {"name": "x", "encoding": "one_hot", "alphabet": "ACGT", "context": 10000},
             "outputs": {"probs": {"channels": ["neither", "acceptor", "donor"]}},
             "score": {"rule": "spliceai_delta"}, "genome_builds": ["GRCh37"]}
    if annotation is not None:
        (root / "annotations").mkdir(parents=True, exist_ok=True)
        (root / "annotations" / "grch37.txt").write_bytes(annotation.read_bytes())
        extra["_files"] = [{"path": "annotations/grch37.txt", "role": "annotation_GRCh37"}]
    return write_bundle(root, "spliceai", spliceai_like_graph, extra, name="spliceai",
                        **graph_kwargs)


def seq2func_bundle(root: Path) -> Path:
    return write_bundle(root, "seq2func", seq2func_graph, {
        "input": {"name": "x", "encoding": "one_hot", "alphabet": "ACGT", "length": 64},
        "outputs": {"tracks": {"names": ["G_count", "T_count"]}},
        "score": {"rule": "track_delta", "output": "tracks", "center_bins": 8}})


def dnalm_bundle(root: Path, rule: str = "causal_llr") -> Path:
    return write_bundle(root, "dnalm", dnalm_graph, {
        "input": {"name": "tokens", "encoding": "tokens", "length": 32,
                  "vocab": {"A": 0, "C": 1, "G": 2, "T": 3, "N": 4, "mask": 4}},
        "outputs": {"logits": {}}, "score": {"rule": rule, "output": "logits"}},
        name=f"tiny_dnalm_{rule}")


def edit_manifest(root: Path, **changes) -> None:
    path = root / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    path.write_text(json.dumps(manifest))
