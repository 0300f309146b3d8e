"""Export the SpliceAI ensemble a second time, cut into per-convolution stages (the "cone").

Why: for an alternative allele, every activation outside a cone around the variant equals
the reference activation at the same (shifted) position, because a convolution of half-width
h only spreads a change h positions per layer. The full graph recomputes all of them; the
staged graphs let the scorer recompute only the cone and take everything else from the
reference pass it already ran (``varrank.score.spliceai_cone``). For SpliceAI-10k that is
~3.8x fewer multiply-adds per alternative allele than the already trimmed full graph, with
the same operations on the same numbers.

Stages, for an ensemble of M networks with C channels each, activations laid out
(batch, M*C, 1, length) so that one stage runs all five networks:

* ``stem``: the first 1x1 convolution, one-hot (batch, length, 4) -> activations;
* per residual unit r: ``a`` = BN -> ReLU -> dilated conv (valid) and ``b`` = BN -> ReLU ->
  dilated conv (valid) + the unit's input cropped to the same span (the residual);
* ``head``: the skip sum (1x1 convolutions of the stem and of the outputs of the residual
  units the Keras graph taps, added in the Keras order), the softmax 1x1 convolution and the
  ensemble mean -> (batch, length, 3).

The structure is read from the Keras graph and checked against this pattern; a graph of
another shape gets no staged export (the scorer then uses the full graph).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from varrank.score.export.keras_h5 import KerasGraph, conv_half
from varrank.score.export.onnx_io import LENGTH_AXES, export_graph

log = logging.getLogger(__name__)

STAGE_DIR = "stages"


@dataclass(frozen=True)
class ResidualUnit:
    """Layer names of one residual unit: BN/ReLU/conv twice, then the residual Add."""

    bn_a: str
    conv_a: str
    bn_b: str
    conv_b: str
    add: str
    input: str
    half: int  # positions lost per side by each of the two convolutions


@dataclass(frozen=True)
class SpliceStructure:
    stem: str
    units: list[ResidualUnit]
    skip: list[tuple[str, int]]  # (1x1 conv name, index of the unit it taps; 0 = stem)
    final: str


class NotSpliceShaped(ValueError):
    """The Keras graph is not the SpliceAI residual pattern this staging understands."""


class _Layers:
    """Name -> layer of a Keras graph, with the checks the SpliceAI pattern needs."""

    def __init__(self, graph: KerasGraph):
        self.by_name = {layer.name: layer for layer in graph.layers}

    def __getitem__(self, name: str):
        return self.by_name[name]

    def layer(self, name: str, kind: str):
        found = self.by_name.get(name)
        if found is None or found.kind != kind:
            raise NotSpliceShaped(f"expected {kind} at {name}")
        return found

    def is_pointwise_conv(self, name: str) -> bool:
        found = self.by_name.get(name)
        return (found is not None and found.kind == "Conv1D"
                and found.config["kernel_size"][0] == 1)


def parse_structure(graph: KerasGraph) -> SpliceStructure:
    """Find stem, residual units, skip taps and head in a SpliceAI-shaped Keras graph."""
    g = _Layers(graph)
    final = g.layer(graph.output_name, "Conv1D")
    if final.config["kernel_size"][0] != 1 or final.config["activation"] != "softmax":
        raise NotSpliceShaped("output is not a 1x1 softmax convolution")
    crop = g.layer(final.inputs[0], "Cropping1D")
    taps, stem_name = _skip_taps(g, crop, graph.input_name)
    units = _residual_units(g, taps[-1][1], stem_name)
    index_of = {stem_name: 0} | {u.add: i + 1 for i, u in enumerate(units)}
    skip = []
    for dense, tapped in taps:
        if tapped not in index_of:
            raise NotSpliceShaped(f"skip convolution {dense} taps {tapped}, not a unit output")
        skip.append((dense, index_of[tapped]))
    total = 2 * sum(u.half for u in units)  # positions consumed per side
    if list(crop.config["cropping"]) != [total, total]:
        raise NotSpliceShaped(f"crop {crop.config['cropping']} does not match the reach {total}")
    return SpliceStructure(stem_name, units, skip, final.name)


def _skip_taps(g: _Layers, crop, input_name: str) -> tuple[list[tuple[str, str]], str]:
    """Unroll the skip chain backwards, Add(previous skip, 1x1 conv) down to the first 1x1
    convolution; returns ([(1x1 conv, tensor it taps)] in forward order, the stem's name)."""
    taps_rev: list[tuple[str, str]] = []
    node = crop.inputs[0]
    while g[node].kind == "Add":
        parts = g[node].inputs
        dense = [p for p in parts if g.is_pointwise_conv(p)]
        rest = [p for p in parts if p not in dense[-1:]]
        if len(parts) != 2 or not dense or len(rest) != 1:
            raise NotSpliceShaped(f"{node} is not skip + 1x1 convolution")
        taps_rev.append((dense[-1], g[dense[-1]].inputs[0]))
        node = rest[0]
    if not g.is_pointwise_conv(node):
        raise NotSpliceShaped("skip chain does not start with a 1x1 convolution")
    stem_name = g[node].inputs[0]
    stem = g.layer(stem_name, "Conv1D")
    if stem.config["kernel_size"][0] != 1 or stem.inputs != [input_name]:
        raise NotSpliceShaped("first layer is not a 1x1 convolution of the input")
    return [(node, stem_name)] + taps_rev[::-1], stem_name


def _residual_units(g: _Layers, last: str, stem_name: str) -> list[ResidualUnit]:
    """The residual units, walked backwards from the last tapped tensor to the stem."""
    units_rev: list[ResidualUnit] = []
    node = last
    while node != stem_name:
        unit = _residual_unit(g, node)
        units_rev.append(unit)
        node = unit.input
    return units_rev[::-1]


def _residual_unit(g: _Layers, node: str) -> ResidualUnit:
    """BN -> ReLU -> conv -> BN -> ReLU -> conv, added to the unit's input at ``node``."""
    add = g.layer(node, "Add")
    convs = [p for p in add.inputs if g[p].kind == "Conv1D" and not g.is_pointwise_conv(p)]
    if len(add.inputs) != 2 or len(convs) != 1:
        raise NotSpliceShaped(f"{node} is not a residual Add")
    conv_b = g.layer(convs[0], "Conv1D")
    unit_input = next(p for p in add.inputs if p != convs[0])
    act_b = g.layer(conv_b.inputs[0], "Activation")
    bn_b = g.layer(act_b.inputs[0], "BatchNormalization")
    conv_a = g.layer(bn_b.inputs[0], "Conv1D")
    act_a = g.layer(conv_a.inputs[0], "Activation")
    bn_a = g.layer(act_a.inputs[0], "BatchNormalization")
    if bn_a.inputs[0] != unit_input or act_a.config["activation"] != "relu" or \
            act_b.config["activation"] != "relu":
        raise NotSpliceShaped(f"{node}: unexpected residual unit layout")
    if conv_a.config["activation"] != "linear" or conv_b.config["activation"] != "linear":
        raise NotSpliceShaped(f"{node}: activated convolutions inside a residual unit")
    if conv_half(conv_a) != conv_half(conv_b):
        raise NotSpliceShaped(f"{node}: the unit's two convolutions differ in reach")
    return ResidualUnit(bn_a.name, conv_a.name, bn_b.name, conv_b.name, add.name, unit_input,
                        conv_half(conv_a))


def export_stages(members, graphs: list[KerasGraph], out: Path, opset: int) -> dict | None:
    """Write stages/*.onnx into the bundle folder; returns the manifest's ``stages`` entry
    (plan + file list) or None when the networks are not SpliceAI-shaped."""
    import torch

    try:
        structures = [parse_structure(g) for g in graphs]
    except NotSpliceShaped as err:
        log.warning("no staged (cone) export: %s", err)
        return None
    first = structures[0]
    if any([u.half for u in s.units] != [u.half for u in first.units] or
           [t for _d, t in s.skip] != [t for _d, t in first.skip] for s in structures):
        log.warning("no staged (cone) export: the ensemble members differ in structure")
        return None
    stem, units, head = _stage_modules(members, structures)
    folder = out / STAGE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    channels = sum(int(m.convs[s.stem].out_channels) for m, s in zip(members, structures))
    files = []

    def export(module, args, name: str, inputs: list[str], dynamic: dict) -> str:
        rel = f"{STAGE_DIR}/{name}.onnx"
        export_graph(module, args, out / rel, inputs, ["y"], dynamic, opset)
        files.append(rel)
        return rel

    def act(width: int) -> torch.Tensor:
        return torch.rand((1, channels, 1, width), dtype=torch.float32)

    length = LENGTH_AXES
    plan = {"channels": channels, "members": len(members),
            "stem": export(stem, (torch.zeros((1, 64, 4)),), "stem", ["x"],
                           {"x": {0: "batch", 1: "length"}, "y": length}),
            "units": [], "head_taps": [t for _d, t in first.skip]}
    for r, ((conv_a, conv_b), unit) in enumerate(zip(units, first.units), start=1):
        width = 4 * unit.half + 64
        plan["units"].append({
            "half": unit.half,
            "a": export(conv_a, (act(width),), f"unit{r:02d}_a", ["x"], {"x": length, "y": length}),
            "b": export(conv_b, (act(width - 2 * unit.half), act(width - 4 * unit.half)),
                        f"unit{r:02d}_b", ["t", "residual"],
                        {"t": length, "residual": length, "y": length}),
        })
    taps = tuple(act(32) for _ in plan["head_taps"])
    plan["head"] = export(head, taps, "head", [f"tap{i}" for i in range(len(taps))],
                          {**{f"tap{i}": length for i in range(len(taps))},
                           "y": {0: "batch", 1: "length"}})
    plan["reach"] = 2 * sum(u["half"] for u in plan["units"])
    return {"plan": plan, "files": files}


def _stage_modules(members, structures: list[SpliceStructure]):
    """torch modules for every stage of the ensemble; each member uses its own layer names."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    n_members = len(members)
    for member in members:  # the stages close over the members: weights are constants
        member.requires_grad_(False)

    def split(x):
        return list(torch.chunk(x, n_members, dim=1))

    class Stem(nn.Module):
        def forward(self, x):
            x = x.transpose(1, 2).unsqueeze(2)
            return torch.cat([m.convs[s.stem](x) for m, s in zip(members, structures)], dim=1)

    class ConvA(nn.Module):
        def __init__(self, r):
            super().__init__()
            self.r = r

        def forward(self, x):
            return torch.cat([m.convs[s.units[self.r].conv_a](
                F.relu(m.norms[s.units[self.r].bn_a](p)))
                for m, s, p in zip(members, structures, split(x))], dim=1)

    class ConvB(nn.Module):
        def __init__(self, r):
            super().__init__()
            self.r = r

        def forward(self, t, residual):
            return torch.cat([m.convs[s.units[self.r].conv_b](
                F.relu(m.norms[s.units[self.r].bn_b](p)))
                for m, s, p in zip(members, structures, split(t))], dim=1) + residual

    class Head(nn.Module):
        def forward(self, *taps):
            per_tap = [split(t) for t in taps]
            probs = []
            for i, (m, s) in enumerate(zip(members, structures)):
                skip = None
                for (dense, _u), parts in zip(s.skip, per_tap):
                    y = m.convs[dense](parts[i])
                    skip = y if skip is None else skip + y
                probs.append(torch.softmax(m.convs[s.final](skip), dim=1))
            return torch.stack(probs, dim=0).mean(dim=0).squeeze(2).transpose(1, 2)

    n_units = len(structures[0].units)
    return Stem(), [(ConvA(r), ConvB(r)) for r in range(n_units)], Head()
