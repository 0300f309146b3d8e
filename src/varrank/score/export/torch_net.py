"""PyTorch re-implementation of a Keras Conv1D graph (SpliceAI) built from its own config.

Two deliberate differences from running the Keras file as is, both exact for the outputs:
convolutions run unpadded ('valid') and residual/skip additions crop to their common span,
so only positions inside the final output window are ever computed (see
``keras_h5.receptive_trim``); 1-D convolutions run as 2-D ones of height 1 (see forward).
Batch normalisation stays a BatchNormalization node in inference mode. Layout: input
(batch, length, 4) one-hot like SpliceAI, output (batch, length - 10000, 3) softmax
probabilities (neither, acceptor, donor).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from varrank.score.export.keras_h5 import KerasGraph, receptive_trim


def _crop(x: torch.Tensor, left: int, right: int) -> torch.Tensor:
    if left == 0 and right == 0:
        return x
    return x[..., left:x.shape[-1] - right] if right else x[..., left:]


class KerasConvNet(nn.Module):
    """One Keras model as a torch module; forward follows the stored layer order."""

    def __init__(self, graph: KerasGraph) -> None:
        super().__init__()
        self.graph_input = graph.input_name
        self.graph_output = graph.output_name
        self.trim = receptive_trim(graph)
        self.steps: list[tuple[str, str, list[str], dict]] = []
        self.convs = nn.ModuleDict()
        self.norms = nn.ModuleDict()
        for layer in graph.layers:
            if layer.kind == "InputLayer":
                continue
            extra: dict = {}
            if layer.kind == "Conv1D":
                kernel = layer.weights["kernel"]  # (k, in, out)
                conv = nn.Conv2d(kernel.shape[1], kernel.shape[2], (1, kernel.shape[0]),
                                 dilation=(1, layer.config["dilation_rate"][0]), padding=0,
                                 bias="bias" in layer.weights)
                with torch.no_grad():
                    conv.weight.copy_(torch.from_numpy(
                        np.transpose(kernel, (2, 1, 0))[:, :, None, :].copy()))
                    if conv.bias is not None:
                        conv.bias.copy_(torch.from_numpy(layer.weights["bias"]))
                self.convs[layer.name] = conv
                extra["activation"] = layer.config["activation"]
            elif layer.kind == "BatchNormalization":
                w = layer.weights
                norm = nn.BatchNorm2d(len(w["moving_mean"]), eps=float(layer.config["epsilon"]))
                with torch.no_grad():
                    norm.weight.copy_(torch.from_numpy(w.get("gamma", np.ones_like(
                        w["moving_mean"]))))
                    norm.bias.copy_(torch.from_numpy(w.get("beta", np.zeros_like(
                        w["moving_mean"]))))
                    norm.running_mean.copy_(torch.from_numpy(w["moving_mean"]))
                    norm.running_var.copy_(torch.from_numpy(w["moving_variance"]))
                self.norms[layer.name] = norm
            elif layer.kind == "Activation":
                extra["activation"] = layer.config["activation"]
            elif layer.kind == "Cropping1D":
                lo, hi = self.trim[layer.inputs[0]]
                c_lo, c_hi = layer.config["cropping"]
                extra["crop"] = (c_lo - lo, c_hi - hi)
            self.steps.append((layer.name, layer.kind, list(layer.inputs), extra))

    @staticmethod
    def _activate(x: torch.Tensor, name: str) -> torch.Tensor:
        if name == "relu":
            return F.relu(x)
        if name == "softmax":
            return torch.softmax(x, dim=1)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (batch, length, 4) -> (batch, 4, 1, length): 2-D convolutions with a height of 1 let
        # onnxruntime's CPU provider use its blocked (NCHWc) direct convolution, about 2.5x
        # faster than its 1-D path for these dilated kernels
        tensors: dict[str, torch.Tensor] = {self.graph_input: x.transpose(1, 2).unsqueeze(2)}
        for name, kind, inputs, extra in self.steps:
            if kind == "Conv1D":
                y = self._activate(self.convs[name](tensors[inputs[0]]), extra["activation"])
            elif kind == "BatchNormalization":
                y = self.norms[name](tensors[inputs[0]])
            elif kind == "Activation":
                y = self._activate(tensors[inputs[0]], extra["activation"])
            elif kind == "Add":
                lo, hi = self.trim[name]
                parts = [_crop(tensors[i], lo - self.trim[i][0], hi - self.trim[i][1])
                         for i in inputs]
                y = parts[0]
                for part in parts[1:]:
                    y = y + part
            elif kind == "Cropping1D":
                y = _crop(tensors[inputs[0]], *extra["crop"])
            else:  # pragma: no cover - rejected when the file is read
                raise ValueError(kind)
            tensors[name] = y
        return tensors[self.graph_output].squeeze(2).transpose(1, 2)


class Ensemble(nn.Module):
    """Average of several networks, as the original CLI averages its five models.

    One graph instead of five sessions lets onnxruntime (and TensorRT) plan the whole
    ensemble at once; the per-model outputs stay available for the parity test.
    """

    def __init__(self, members: list[nn.Module]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        each = torch.stack([m(x) for m in self.members], dim=0)
        return each.mean(dim=0), each
