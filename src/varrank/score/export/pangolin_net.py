"""Pangolin rebuilt in PyTorch from its published architecture, loading the upstream state files.

Zeng & Li 2022, Genome Biology 23:103 (doi:10.1186/s13059-022-02664-4), Methods: a SpliceAI-10k
style dilated residual network. One-hot input (A, C, G, T; N = zeros) -> 1x1 convolution to 32
channels -> 16 residual units in four groups of four with (kernel, dilation) (11, 1), (11, 4),
(21, 10), (41, 25); each unit is BN -> ReLU -> conv -> BN -> ReLU -> conv plus its input. A skip
path adds 1x1 convolutions of the first layer's output and of every fourth unit's output;
5,000 context positions are consumed a side; eight 1x1 output heads, two per tissue (heart,
liver, brain, testis): P(splice) as a 2-class softmax and splice-site usage as a sigmoid.

Written here from that description and the tensor shapes of each state file (a kernel size
that disagrees with the published one is an error). As in ``torch_net`` for SpliceAI, two
rewrites that leave the output unchanged: convolutions run unpadded ('valid'), each residual
and skip addition crops to the common span, so only output-window positions are computed;
1-D convolutions run as 2-D ones of height 1 (onnxruntime's faster CPU kernel). Only the head
the upstream CLI reads is kept: each v2 model file ``final.{replicate}.{2k}.3.v2`` is scored
by the P(splice) head of tissue k.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from varrank.core.errors import ResourceError

CHANNELS = 32
RESIDUAL_GROUPS = ((11, 1), (11, 4), (21, 10), (41, 25))  # (kernel, dilation), 4 units each
UNITS_PER_GROUP = 4
TISSUES = ("heart", "liver", "brain", "testis")
CONTEXT = 2 * sum(UNITS_PER_GROUP * (k - 1) * d for k, d in RESIDUAL_GROUPS)  # 10,000


def _conv(weight: torch.Tensor, bias: torch.Tensor, dilation: int = 1) -> nn.Conv2d:
    """A stored Conv1d (out, in, k) as a height-1 Conv2d without padding."""
    out_ch, in_ch, kernel = weight.shape
    conv = nn.Conv2d(in_ch, out_ch, (1, kernel), dilation=(1, dilation), padding=0)
    with torch.no_grad():
        conv.weight.copy_(weight[:, :, None, :])
        conv.bias.copy_(bias)
    return conv


def _norm(state: dict[str, torch.Tensor], prefix: str) -> nn.BatchNorm2d:
    norm = nn.BatchNorm2d(CHANNELS)  # eps 1e-5: torch's default, which Pangolin trained with
    with torch.no_grad():
        for name in ("weight", "bias", "running_mean", "running_var"):
            getattr(norm, name).copy_(state[f"{prefix}.{name}"])
    return norm


def _crop(x: torch.Tensor, each_side) -> torch.Tensor:
    """Drop ``each_side`` positions at both ends (traced as a Slice, 0 included)."""
    return x[..., each_side:x.shape[-1] - each_side]


class ResidualUnit(nn.Module):
    def __init__(self, state: dict[str, torch.Tensor], prefix: str, kernel: int,
                 dilation: int) -> None:
        super().__init__()
        for conv in ("conv1", "conv2"):
            if state[f"{prefix}.{conv}.weight"].shape[-1] != kernel:
                raise ResourceError(f"{prefix}.{conv} has kernel "
                                    f"{state[f'{prefix}.{conv}.weight'].shape[-1]}, the "
                                    f"published architecture {kernel}")
        self.bn_a = _norm(state, f"{prefix}.bn1")
        self.conv_a = _conv(state[f"{prefix}.conv1.weight"], state[f"{prefix}.conv1.bias"],
                            dilation)
        self.bn_b = _norm(state, f"{prefix}.bn2")
        self.conv_b = _conv(state[f"{prefix}.conv2.weight"], state[f"{prefix}.conv2.bias"],
                            dilation)
        self.half = (kernel - 1) * dilation // 2  # positions each convolution consumes a side

    def first(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_a(F.relu(self.bn_a(x)))

    def second(self, t: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.conv_b(F.relu(self.bn_b(t))) + residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x), _crop(x, 2 * self.half))


class PangolinNet(nn.Module):
    """One Pangolin model file: (batch, length, 4) -> (batch, length - 10,000) P(splice)."""

    def __init__(self, state: dict[str, torch.Tensor], tissue: int) -> None:
        super().__init__()
        self.stem = _conv(state["conv1.weight"], state["conv1.bias"])
        self.skip = _conv(state["skip.weight"], state["skip.bias"])
        specs = [spec for spec in RESIDUAL_GROUPS for _ in range(UNITS_PER_GROUP)]
        self.units = nn.ModuleList(ResidualUnit(state, f"resblocks.{i}", k, d)
                                   for i, (k, d) in enumerate(specs))
        self.dense = nn.ModuleList(_conv(state[f"convs.{j}.weight"], state[f"convs.{j}.bias"])
                                   for j in range(len(RESIDUAL_GROUPS)))
        head = 2 * tissue + 1  # conv_last1, 3, 5, 7: the tissues' P(splice) softmax heads
        self.head = _conv(state[f"conv_last{head}.weight"], state[f"conv_last{head}.bias"])
        self.taps = [UNITS_PER_GROUP * (j + 1) for j in range(len(RESIDUAL_GROUPS))]

    def probability(self, skip: torch.Tensor) -> torch.Tensor:
        """P(splice) from the skip sum: channel 1 of the head's two-class softmax."""
        return torch.softmax(self.head(skip), dim=1)[:, 1:2]

    def skip_sum(self, tapped: list[torch.Tensor]) -> torch.Tensor:
        """Stem and every fourth unit through their 1x1 convolutions, summed in the
        published order, each cropped to the output window (the narrowest tensor)."""
        width = tapped[-1].shape[-1]  # the last unit has consumed all 5,000 a side
        parts = [self.skip(tapped[0])] + [dense(t) for dense, t in zip(self.dense, tapped[1:])]
        total = None
        for part in parts:
            part = _crop(part, (part.shape[-1] - width) // 2)
            total = part if total is None else total + part
        return total

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.stem(x.transpose(1, 2).unsqueeze(2))
        tapped = [a]
        for r, unit in enumerate(self.units, start=1):
            a = unit(a)
            if r in self.taps:
                tapped.append(a)
        return self.probability(self.skip_sum(tapped))[:, 0, 0, :]


def model_set(weights: Path) -> list[tuple[str, Path]]:
    """The v2 model files the upstream CLI loads, in its order: tissue-major, replicates
    1-3 of file index 0, 2, 4, 6 (heart, liver, brain, testis P(splice))."""
    members = []
    for k, tissue in enumerate(TISSUES):
        for replicate in (1, 2, 3):
            path = Path(weights) / f"final.{replicate}.{2 * k}.3.v2"
            if not path.is_file():
                raise ResourceError(f"Pangolin weight file {path.name} not found", path=weights,
                                    hint="pass the folder holding the 24 final.*.3.v2 files "
                                         "of tkzeng/Pangolin (pangolin/models)")
            members.append((f"{tissue}.{replicate}", path))
    return members


def load_member(path: Path, tissue: int) -> PangolinNet:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises pickle/zip errors of several kinds
        raise ResourceError(f"cannot read Pangolin state file: {err}", path=path) from err
    if not isinstance(state, dict) or "conv1.weight" not in state:
        raise ResourceError("not a Pangolin state_dict (no conv1.weight)", path=path)
    return PangolinNet(state, tissue).eval()


class PangolinEnsemble(nn.Module):
    """The 12 models the CLI averages, one graph: (batch, length, 4) -> (batch, length -
    10,000, 12) P(splice) per model, tissue-major (the scorer takes means per tissue after the
    per-model indel alignment, as the original does)."""

    def __init__(self, members: list[PangolinNet]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([m(x) for m in self.members], dim=-1)
