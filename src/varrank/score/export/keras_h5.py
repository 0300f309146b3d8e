"""Read a Keras functional model (.h5: architecture JSON + weights) with h5py only.

The SpliceAI wheel ships Keras 2.0.5 HDF5 files. Reading the layer graph and weights directly
keeps TensorFlow out of varrank at run time and in CI; the graph is rebuilt from the file's
own ``model_config`` instead of a hand-copied architecture, so a transcription mistake in the
network cannot go unnoticed (an unknown layer type or option is an error, not a guess).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from varrank.core.errors import ResourceError

SUPPORTED = {"InputLayer", "Conv1D", "BatchNormalization", "Activation", "Add", "Cropping1D"}


@dataclass
class KerasLayer:
    name: str
    kind: str
    inputs: list[str]
    config: dict[str, Any]
    weights: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class KerasGraph:
    layers: list[KerasLayer]  # topological order as stored
    input_name: str
    output_name: str
    keras_version: str


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _check_layer(path: Path, layer: dict[str, Any]) -> None:
    kind = layer["class_name"]
    cfg = layer["config"]
    if kind not in SUPPORTED:
        raise ResourceError(f"layer {cfg.get('name')} has unsupported type {kind}", path=path,
                            hint="this exporter reads SpliceAI-style Conv1D networks only")
    if kind == "Conv1D":
        if cfg["padding"] not in ("same", "valid") or cfg.get("strides", [1])[0] != 1:
            raise ResourceError(f"Conv1D {cfg['name']}: padding/strides not supported", path=path)
        if cfg["kernel_size"][0] % 2 == 0:
            raise ResourceError(f"Conv1D {cfg['name']}: even kernel sizes not supported",
                                path=path)
        if cfg["activation"] not in ("linear", "softmax", "relu"):
            raise ResourceError(f"Conv1D {cfg['name']}: activation {cfg['activation']}",
                                path=path)
    if kind == "Activation" and cfg["activation"] not in ("relu", "softmax", "linear"):
        raise ResourceError(f"activation {cfg['activation']} not supported", path=path)
    if kind == "BatchNormalization" and cfg.get("axis", -1) not in (-1, 2):
        raise ResourceError(f"BatchNormalization {cfg['name']} over axis {cfg['axis']}",
                            path=path)


def read_keras_h5(path: Path | str) -> KerasGraph:
    """Parse architecture and weights of a Keras 2 functional model saved as HDF5."""
    import h5py  # optional extra: only `varrank model export` needs it

    path = Path(path)
    with h5py.File(path, "r") as handle:
        if "model_config" not in handle.attrs:
            raise ResourceError("HDF5 file has no Keras model_config", path=path)
        config = json.loads(_decode(handle.attrs["model_config"]))
        if config.get("class_name") != "Model":
            raise ResourceError(f"expected a functional Keras Model, got {config.get('class_name')}",
                                path=path)
        weights_root = handle["model_weights"] if "model_weights" in handle else handle
        layers: list[KerasLayer] = []
        for layer in config["config"]["layers"]:
            _check_layer(path, layer)
            name = layer["config"]["name"]
            inbound = layer.get("inbound_nodes") or []
            inputs = [node[0] for node in inbound[0]] if inbound else []
            weights: dict[str, np.ndarray] = {}
            if name in weights_root:
                group = weights_root[name]
                for wname in group.attrs.get("weight_names", []):
                    wname = _decode(wname)
                    short = wname.split("/")[-1].split(":")[0]
                    weights[short] = np.asarray(group[wname], dtype=np.float32)
            layers.append(KerasLayer(name, layer["class_name"], inputs, layer["config"], weights))
        inputs = config["config"]["input_layers"]
        outputs = config["config"]["output_layers"]
        if len(inputs) != 1 or len(outputs) != 1:
            raise ResourceError("expected one input and one output layer", path=path)
        return KerasGraph(layers, inputs[0][0], outputs[0][0],
                          _decode(handle.attrs.get("keras_version", "unknown")))


def conv_half(layer: KerasLayer) -> int:
    """Positions a Conv1D consumes on each side: (kernel - 1) / 2 x dilation (odd kernels)."""
    return (layer.config["kernel_size"][0] - 1) * layer.config["dilation_rate"][0] // 2


def receptive_trim(graph: KerasGraph) -> dict[str, tuple[int, int]]:
    """Positions lost at each side per tensor when every 'same' conv runs as 'valid'.

    Running the convolutions unpadded computes only positions whose receptive field lies in
    the input; the final Cropping1D then has nothing left to crop. This is where "compute only
    what the output window needs" comes from: the 10,000 context positions are consumed by
    the network instead of being computed and thrown away.
    """
    trim: dict[str, tuple[int, int]] = {}
    for layer in graph.layers:
        if layer.kind == "InputLayer":
            trim[layer.name] = (0, 0)
            continue
        parents = [trim[p] for p in layer.inputs]
        if layer.kind == "Add":
            trim[layer.name] = (max(t[0] for t in parents), max(t[1] for t in parents))
        elif layer.kind == "Conv1D":
            half = conv_half(layer)
            lo, hi = parents[0]
            # odd kernels only (checked on read): 'same' and 'valid' both lose ``half`` a side
            trim[layer.name] = (lo + half, hi + half)
        elif layer.kind == "Cropping1D":
            c_lo, c_hi = layer.config["cropping"]
            lo, hi = parents[0]
            if lo > c_lo or hi > c_hi:
                raise ResourceError(f"{layer.name}: receptive field exceeds the crop; the "
                                    "valid-convolution rewrite would drop needed positions")
            trim[layer.name] = (c_lo, c_hi)
        else:
            trim[layer.name] = parents[0]
    return trim
