"""Build the Xpresso model bundle from the upstream Keras file (``human_trainepoch.11-0.426.h5``).

Xpresso (Agarwal & Shendure 2020, Cell Reports 31:107663; vagarwal87/Xpresso, MIT) predicts a
gene's median mRNA expression (log10 TPM across tissues) from its promoter sequence, 7,000 bp
upstream to 3,500 bp downstream of the TSS (one-hot, the TSS at index 7,000 on the
transcript's strand), plus 6 standardised mRNA half-life features. The network is small (two
Conv1D + max-pool blocks, three Dense layers); its graph is rebuilt here from the file's own
``model_config`` (every layer type, size and option read and checked, nothing hand-copied)
and written as ONNX with ``onnx.helper`` from the stored weights (h5py), so neither
TensorFlow nor torch is needed. Dropout is the identity at inference. Needs the export extra
(onnx, h5py); the graph is checked against a NumPy evaluation of the same weights before the
bundle is written, and against the original Keras model by tests/unit/score/test_xpresso.py's
stored oracle (tests/data/score/xpresso_expected.tsv, made with TensorFlow 2.15).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from varrank.core.checksums import sha256_file
from varrank.core.errors import InputError, ResourceError
from varrank.score.bundle import MANIFEST_VERSION, write_manifest
from varrank.score.export.onnx_io import OPSET, require_export_extra

log = logging.getLogger(__name__)

H5_NAME = "human_trainepoch.11-0.426.h5"
GRAPH_NAME = "xpresso.onnx"
WINDOW, TSS_INDEX = 10500, 7000  # -7,000..+3,500 bp around the TSS
# the layer sequence of the published human model; each layer's sizes come from the file
ARCHITECTURE = ("InputLayer", "Conv1D", "MaxPooling1D", "Conv1D", "MaxPooling1D", "Flatten",
                "InputLayer", "Concatenate", "Dense", "Activation", "Dropout", "Dense",
                "Activation", "Dropout", "Dense")
LICENSE_TEXT = ("Xpresso (vagarwal87/Xpresso, Agarwal & Shendure 2020) code and trained models "
                "are distributed under the MIT licence (LICENSE in this bundle); this bundle is a "
                "format conversion of the human model file and carries the same licence.")
MAX_DIFF = 1e-4


def read_keras(h5: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, np.ndarray]]]:
    """(layers of model_config, weights by layer name), the architecture checked."""
    import h5py

    with h5py.File(h5, "r") as f:
        raw = f.attrs["model_config"]
        config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
        layers = config["config"]["layers"]
        kinds = tuple(layer["class_name"] for layer in layers)
        if kinds != ARCHITECTURE:
            raise ResourceError(f"not the Xpresso human architecture: layers {', '.join(kinds)}",
                                path=h5, hint=f"pass the folder holding {H5_NAME}")
        weights = {}
        group = f["model_weights"]
        for layer in layers:
            name = layer["config"]["name"]
            if layer["class_name"] in ("Conv1D", "Dense"):
                stored = group[name][name]
                weights[name] = {key.split(":")[0]: np.asarray(stored[key]) for key in stored}
    for layer in layers:
        _check_options(h5, layer)
    return layers, weights


def _check_options(h5: Path, layer: dict[str, Any]) -> None:
    cfg, kind = layer["config"], layer["class_name"]
    bad = (kind == "Conv1D" and (cfg["padding"] != "same" or cfg["strides"] != [1]
                                 or cfg["dilation_rate"] != [1] or cfg["activation"] != "relu")
           or kind == "MaxPooling1D" and (cfg["padding"] != "valid"
                                          or cfg["strides"] != cfg["pool_size"])
           or kind == "Dense" and cfg["activation"] != "linear"
           or kind == "Activation" and cfg["activation"] != "relu")
    if bad:
        raise ResourceError(f"layer {cfg['name']} has options this exporter does not read",
                            path=h5, hint="only the published Xpresso model is supported")


def halflife_features(layers: list[dict[str, Any]]) -> int:
    """Width of the second input (the half-life features), from its InputLayer."""
    return int(layers[ARCHITECTURE.index("InputLayer", 1)]["config"]["batch_input_shape"][1])


def _same_pads(kernel: int) -> list[int]:
    """Keras/TensorFlow 'same' padding: the extra column goes to the end (kernel 6: 2 + 3)."""
    total = kernel - 1
    return [total // 2, total - total // 2]


def build_graph(layers: list[dict[str, Any]], weights: dict[str, dict[str, np.ndarray]]):
    """The ONNX model: promoter (batch, 10500, 4) + halflife (batch, 6) -> expression (batch, 1)."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value.astype(np.float32), name))
        return name

    nodes.append(helper.make_node("Transpose", ["promoter"], ["x0"], perm=[0, 2, 1]))
    x = "x0"
    for layer in layers[1:5]:
        cfg = layer["config"]
        name = cfg["name"]
        if layer["class_name"] == "Conv1D":
            w = weights[name]
            kernel = cfg["kernel_size"][0]
            nodes.append(helper.make_node(
                "Conv", [x, const(f"{name}.W", w["kernel"].transpose(2, 1, 0)),
                         const(f"{name}.B", w["bias"])], [f"{name}.conv"],
                kernel_shape=[kernel], pads=_same_pads(kernel)))
            nodes.append(helper.make_node("Relu", [f"{name}.conv"], [name]))
        else:
            pool = cfg["pool_size"][0]
            nodes.append(helper.make_node("MaxPool", [x], [name], kernel_shape=[pool],
                                          strides=[pool]))
        x = name
    # Keras flattens (steps, channels) row-major: back to channels-last first
    nodes.append(helper.make_node("Transpose", [x], ["channels_last"], perm=[0, 2, 1]))
    nodes.append(helper.make_node("Flatten", ["channels_last"], ["flat"], axis=1))
    nodes.append(helper.make_node("Concat", ["flat", "halflife"], ["joined"], axis=1))
    x = "joined"
    dense = [layer for layer in layers if layer["class_name"] == "Dense"]
    for i, layer in enumerate(dense):
        name = layer["config"]["name"]
        w = weights[name]
        out = "expression" if i == len(dense) - 1 else f"{name}.out"
        nodes.append(helper.make_node("Gemm", [x, const(f"{name}.W", w["kernel"]),
                                               const(f"{name}.B", w["bias"])], [out]))
        if i < len(dense) - 1:
            nodes.append(helper.make_node("Relu", [out], [f"{name}.relu"]))
            x = f"{name}.relu"
    graph = helper.make_graph(
        nodes, "xpresso_human",
        [helper.make_tensor_value_info("promoter", TensorProto.FLOAT, ["batch", WINDOW, 4]),
         helper.make_tensor_value_info("halflife", TensorProto.FLOAT,
                                       ["batch", halflife_features(layers)])],
        [helper.make_tensor_value_info("expression", TensorProto.FLOAT, ["batch", 1])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def numpy_forward(layers, weights, promoter: np.ndarray, halflife: np.ndarray) -> np.ndarray:
    """The same network in NumPy (float64): the exporter's check of its own graph."""
    x = promoter.astype(np.float64)
    for layer in layers[1:5]:
        cfg = layer["config"]
        if layer["class_name"] == "Conv1D":
            w, b = weights[cfg["name"]]["kernel"], weights[cfg["name"]]["bias"]
            left, right = _same_pads(cfg["kernel_size"][0])
            padded = np.pad(x, ((0, 0), (left, right), (0, 0)))
            windows = np.lib.stride_tricks.sliding_window_view(padded, w.shape[0], axis=1)
            x = np.maximum(np.einsum("bsck,kco->bso", windows, w) + b, 0)
        else:
            pool = cfg["pool_size"][0]
            steps = x.shape[1] // pool
            x = x[:, :steps * pool].reshape(x.shape[0], steps, pool, -1).max(axis=2)
    x = np.concatenate([x.reshape(x.shape[0], -1), halflife], axis=1)
    dense = [layer for layer in layers if layer["class_name"] == "Dense"]
    for i, layer in enumerate(dense):
        w = weights[layer["config"]["name"]]
        x = x @ w["kernel"] + w["bias"]
        if i < len(dense) - 1:
            x = np.maximum(x, 0)
    return x


def export_xpresso(weights_dir: Path, out: Path, force: bool = False) -> Path:
    """Write the bundle to ``out``; returns the manifest path."""
    require_export_extra("h5py")
    import onnx
    import onnxruntime as ort

    h5 = Path(weights_dir) / H5_NAME
    if not h5.is_file():
        raise InputError(f"{H5_NAME} not found", path=weights_dir,
                         hint="pass the folder of vagarwal87/Xpresso's Fig5_S5 model file")
    if out.exists() and not force:
        raise InputError("bundle folder exists", path=out, hint="use --force to replace it")
    layers, weights = read_keras(h5)
    model = build_graph(layers, weights)
    onnx.checker.check_model(model)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(model, out / GRAPH_NAME)
    max_diff = _check(out / GRAPH_NAME, layers, weights, ort)
    licence = Path(weights_dir) / "LICENSE.txt"
    if licence.is_file():
        shutil.copyfile(licence, out / "LICENSE")
    manifest = _manifest(out, h5, licence.is_file(), onnx.__version__, max_diff,
                         halflife_features(layers))
    path = write_manifest(out, manifest)
    log.info("wrote bundle %s", out)
    return path


def _check(graph: Path, layers, weights, ort) -> float:
    """onnxruntime vs NumPy on random sequences (and random half-life features)."""
    rng = np.random.default_rng(0)
    promoter = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(3, WINDOW))]
    halflife = rng.normal(size=(3, halflife_features(layers))).astype(np.float32)
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    got = session.run(None, {"promoter": promoter, "halflife": halflife})[0]
    diff = float(np.abs(got - numpy_forward(layers, weights, promoter, halflife)).max())
    if diff > MAX_DIFF:
        raise ResourceError(f"exported graph differs from the weights' NumPy evaluation by {diff}",
                            path=graph, hint="report this as a bug")
    return diff


def _manifest(out: Path, h5: Path, has_licence: bool, onnx_version: str, max_diff: float,
              halflife_n: int) -> dict[str, Any]:
    files = [{"path": GRAPH_NAME, "role": "graph"}] + (
        [{"path": "LICENSE", "role": "license"}] if has_licence else [])
    for entry in files:
        entry["sha256"] = sha256_file(out / entry["path"])
        entry["size_bytes"] = (out / entry["path"]).stat().st_size
    return {
        "manifest_version": MANIFEST_VERSION, "name": "xpresso", "version": "human-epoch11",
        "kind": "xpresso",
        "description": "Xpresso (Agarwal & Shendure 2020, Cell Reports 31:107663): median mRNA "
                       "expression (log10 TPM) from the promoter sequence -7,000..+3,500 bp "
                       "around the TSS and 6 mRNA half-life features; the human model "
                       f"{H5_NAME} (vagarwal87/Xpresso Fig5_S5)",
        "license": {"weights": "MIT", "text": LICENSE_TEXT},
        "genome_builds": ["GRCh37", "GRCh38"],
        "files": files,
        "input": {"name": "promoter", "layout": "batch,length,channel", "dtype": "float32",
                  "encoding": "one_hot", "alphabet": "ACGT", "unknown_base": "all zeros",
                  "length": WINDOW, "tss_index": TSS_INDEX,
                  "minus_strand": "reverse complement (the TSS stays at index 7000)",
                  "halflife": {"name": "halflife", "features": halflife_n,
                               "value": "0 for every feature (their training mean after "
                                        "standardisation), as the upstream's locus predictions "
                                        "(Fig5_S5/predict_seqs.py) feed them"}},
        "outputs": {"expression": "predicted log10 median expression"},
        "score": {"rule": "xpresso_delta", "window": [-TSS_INDEX, WINDOW - TSS_INDEX],
                  "value": "alt minus ref prediction, log10 expression units"},
        "export": {"source_sha256": sha256_file(h5), "onnx_version": onnx_version,
                   "onnxruntime_vs_numpy_max_abs_diff": max_diff},
    }
