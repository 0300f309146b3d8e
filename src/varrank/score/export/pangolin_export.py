"""Build the Pangolin model bundle from the upstream v2 state files (``final.*.3.v2``).

Path: state files -> PyTorch modules written from the published architecture
(``pangolin_net``; Zeng & Li 2022, Genome Biology 23:103) -> torch.onnx -> one ensemble graph
with the 12 models the upstream CLI averages (per-model P(splice), so that the scorer can
apply the original's per-model indel alignment before averaging) -> onnxruntime check against
PyTorch -> the same networks cut into stages, one set per tissue (3 models each), for the CPU
cone pass -> manifest.json with checksums, licence (GPL-3.0) and provenance. Needs the
``export`` extra (torch, onnx); nothing here runs at scoring time.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from varrank.core.checksums import sha256_file
from varrank.core.errors import InputError, ResourceError
from varrank.score.bundle import MANIFEST_VERSION, write_manifest
from varrank.score.export.onnx_io import (
    LENGTH_AXES, OPSET, cone_vs_full, export_graph, onnx_vs_torch, require_export_extra)

log = logging.getLogger(__name__)

GRAPH_NAME = "pangolin_ensemble.onnx"
OUTPUT = "psplice"
STAGE_DIR = "stages"
UPSTREAM_VERSION = "1.0.2"  # tkzeng/Pangolin setup.py; the v2 model set its CLI loads
WEIGHTS_LICENSE = "GPL-3.0"
LICENSE_TEXT = (
    "Pangolin (tkzeng/Pangolin, Zeng & Li 2022) and its trained model files are distributed "
    "under the GNU General Public License v3.0 (LICENSE in this bundle). This bundle is a "
    "format conversion of those model files and carries the same licence: redistributing it "
    "(or a product containing it) requires the GPL-3.0 terms, including source availability. "
    "varrank's scoring code re-implements the published method and copies no upstream code."
)
MAX_DIFF = 1e-5


def _stage_modules(members: list):
    """torch modules of one tissue group's stages: stem, per unit (a, b), head."""
    import torch
    from torch import nn

    for member in members:
        member.requires_grad_(False)

    def split(x):
        return list(torch.chunk(x, len(members), dim=1))

    class Stem(nn.Module):
        def forward(self, x):
            x = x.transpose(1, 2).unsqueeze(2)
            return torch.cat([m.stem(x) for m in members], dim=1)

    class UnitA(nn.Module):
        def __init__(self, r: int) -> None:
            super().__init__()
            self.r = r

        def forward(self, x):
            return torch.cat([m.units[self.r].first(p) for m, p in zip(members, split(x))],
                             dim=1)

    class UnitB(nn.Module):
        def __init__(self, r: int) -> None:
            super().__init__()
            self.r = r

        def forward(self, t, residual):
            return torch.cat([m.units[self.r].second(p, q) for m, p, q in
                              zip(members, split(t), split(residual))], dim=1)

    class Head(nn.Module):
        def forward(self, *taps):
            per_tap = [split(t) for t in taps]
            probs = [m.probability(m.skip_sum([parts[i] for parts in per_tap]))
                     for i, m in enumerate(members)]
            return torch.cat(probs, dim=1)[:, :, 0, :].transpose(1, 2)

    n_units = len(members[0].units)
    return Stem(), [(UnitA(r), UnitB(r)) for r in range(n_units)], Head()


def export_group_stages(members: list, out: Path, folder: str) -> dict[str, Any]:
    """Stage graphs of one tissue group under ``out/folder``; returns its cone plan."""
    import torch

    channels = sum(int(m.stem.out_channels) for m in members)
    stem, units, head = _stage_modules(members)

    def act(width: int) -> torch.Tensor:
        return torch.rand((1, channels, 1, width), dtype=torch.float32)

    def export(module, args, name: str, inputs: list[str], dynamic: dict) -> str:
        rel = f"{folder}/{name}.onnx"
        export_graph(module, args, out / rel, inputs, ["y"], dynamic)
        return rel

    plan: dict[str, Any] = {
        "channels": channels, "members": len(members),
        "stem": export(stem, (torch.zeros((1, 64, 4)),), "stem", ["x"],
                       {"x": {0: "batch", 1: "length"}, "y": LENGTH_AXES}),
        "units": [], "head_taps": [0] + list(members[0].taps)}
    for r, ((unit_a, unit_b), unit) in enumerate(zip(units, members[0].units), start=1):
        width = 4 * unit.half + 64
        plan["units"].append({
            "half": unit.half,
            "a": export(unit_a, (act(width),), f"unit{r:02d}_a", ["x"],
                        {"x": LENGTH_AXES, "y": LENGTH_AXES}),
            "b": export(unit_b, (act(width - 2 * unit.half), act(width - 4 * unit.half)),
                        f"unit{r:02d}_b", ["t", "residual"],
                        {"t": LENGTH_AXES, "residual": LENGTH_AXES, "y": LENGTH_AXES})})
    taps = tuple(act(32) for _ in plan["head_taps"])
    plan["head"] = export(head, taps, "head", [f"tap{i}" for i in range(len(taps))],
                          {**{f"tap{i}": LENGTH_AXES for i in range(len(taps))},
                           "y": {0: "batch", 1: "length"}})
    plan["reach"] = 2 * sum(u["half"] for u in plan["units"])
    return plan


def export_stages(ensemble, names: list[str], out: Path) -> tuple[dict, float]:
    """One staged set per tissue (3 models, 96 channels: a reference block's activations
    stay ~0.2 GB at 12,000 outputs instead of ~0.9 GB for all 12 models); returns the
    manifest's ``stages`` entry and the worst cone-vs-full difference."""
    from varrank.score.export.pangolin_net import CONTEXT, TISSUES
    from varrank.score.spliceai_cone import ConeEnsemble

    per_tissue = len(names) // len(TISSUES)
    groups, worst = [], 0.0
    for k, tissue in enumerate(TISSUES):
        cols = slice(k * per_tissue, (k + 1) * per_tissue)
        plan = export_group_stages(list(ensemble.members)[cols], out, f"{STAGE_DIR}/{tissue}")
        plan.update(tissue=tissue, columns=[cols.start, cols.stop], names=names[cols])
        cone = ConeEnsemble(out, plan, [("CPUExecutionProvider", {})], None)
        worst = max(worst, cone_vs_full(cone, out / GRAPH_NAME, OUTPUT, cols, CONTEXT // 2))
        groups.append(plan)
    return {"about": "the ensemble cut into per-convolution graphs, one set per tissue (stem, "
                     "two per residual unit, head -> the tissue's 3 models' P(splice)), so "
                     "that a CPU scorer recomputes only the activations an allele changes; "
                     "see docs/models.md", "groups": groups}, worst


def _stage_files(stages: dict) -> list[str]:
    files = []
    for plan in stages["groups"]:
        files += [plan["stem"], plan["head"]] + [u[k] for u in plan["units"] for k in "ab"]
    return files


def build_ensemble(weights: Path):
    from varrank.score.export.pangolin_net import PangolinEnsemble, load_member, model_set

    members = model_set(weights)
    nets = [load_member(path, k // 3) for k, (_name, path) in enumerate(members)]
    return PangolinEnsemble(nets).eval(), members


def export_pangolin(weights: Path, out: Path, force: bool = False) -> Path:
    """Write the Pangolin bundle into ``out`` from the folder of v2 state files."""
    require_export_extra()
    import onnx
    import torch

    from varrank.score.export.pangolin_net import CONTEXT

    weights, out = Path(weights), Path(out)
    if not weights.is_dir():
        raise InputError("Pangolin weights folder not found", path=weights,
                         hint="pass the folder with final.{1,2,3}.{0..7}.3.v2 (tkzeng/Pangolin "
                              "pangolin/models)")
    if (out / "manifest.json").exists() and not force:
        raise InputError("bundle already exists (manifest.json present)", path=out,
                         hint="use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    ensemble, members = build_ensemble(weights)
    names = [name for name, _path in members]
    log.info("read %d Pangolin models from %s", len(members), weights)
    example = torch.zeros((1, CONTEXT + 101, 4), dtype=torch.float32)
    example[0, ::4, 0] = 1
    export_graph(ensemble, (example,), out / GRAPH_NAME, ["x"], [OUTPUT],
                 {"x": {0: "batch", 1: "length"}, OUTPUT: {0: "batch", 1: "out_length"}})
    onnx.checker.check_model(str(out / GRAPH_NAME))
    max_diff = onnx_vs_torch(ensemble, out / GRAPH_NAME, OUTPUT, CONTEXT)
    log.info("onnxruntime vs torch max |diff| = %.2e", max_diff)
    if max_diff > MAX_DIFF:
        raise ResourceError(f"exported graph differs from torch by {max_diff:.2e}",
                            path=out / GRAPH_NAME)
    stages, cone_diff = export_stages(ensemble, names, out)
    log.info("cone (staged) vs full graph max |diff| = %.2e", cone_diff)
    if cone_diff > MAX_DIFF:
        raise ResourceError(f"staged graphs differ from the full graph by {cone_diff:.2e}",
                            path=out / STAGE_DIR)
    licence = weights / "LICENSE"
    if licence.is_file():
        shutil.copyfile(licence, out / "LICENSE")
    manifest = _manifest(members, stages, out, licence.is_file(),
                         {"torch_version": torch.__version__, "onnx_version": onnx.__version__,
                          "onnxruntime_vs_torch_max_abs_diff": max_diff,
                          "cone_vs_full_max_abs_diff": cone_diff})
    path = write_manifest(out, manifest)
    log.info("wrote bundle %s", out)
    return path


def _manifest(members: list[tuple[str, Path]], stages: dict, out: Path, has_licence: bool,
              checks: dict[str, Any]) -> dict[str, Any]:
    from varrank import __version__
    from varrank.score.export.pangolin_net import CONTEXT, TISSUES

    files = [{"path": GRAPH_NAME, "role": "graph"}]
    files += [{"path": "LICENSE", "role": "license"}] if has_licence else []
    files += [{"path": rel, "role": f"stage:{rel[len(STAGE_DIR) + 1:-5]}"}
              for rel in _stage_files(stages)]
    return {
        "manifest_version": MANIFEST_VERSION,
        "name": "pangolin",
        "version": f"{UPSTREAM_VERSION}-v2",
        "kind": "pangolin",
        "description": "Pangolin (Zeng & Li 2022, Genome Biology 23:103, "
                       "doi:10.1186/s13059-022-02664-4): the 12 v2 models the upstream CLI "
                       "averages (3 per tissue: heart, liver, brain, testis; P(splice) heads) "
                       "in one ONNX graph",
        "license": {"weights": WEIGHTS_LICENSE, "text": LICENSE_TEXT},
        "genome_builds": ["GRCh37", "GRCh38"],
        "files": files,
        "input": {"name": "x", "layout": "batch,length,channel", "dtype": "float32",
                  "encoding": "one_hot", "alphabet": "ACGT", "unknown_base": "all zeros",
                  "context": CONTEXT, "flank": CONTEXT // 2,
                  "minus_strand": "reverse complement input (flip length and channel axes) "
                                  "and flip outputs back"},
        "outputs": {OUTPUT: {"layout": "batch,length-10000,model",
                             "names": [name for name, _p in members],
                             "meaning": "P(splice) of each model's own tissue head"}},
        "score": {"rule": "pangolin_delta", "distance": 50, "mask": 1,
                  "tissues": list(TISSUES), "models_per_tissue": 3, "decimals": 2,
                  "columns": ["gain", "gain_pos", "loss", "loss_pos"]},
        "stages": stages,
        "export": {"tool": f"varrank {__version__} model export pangolin",
                   "upstream": "tkzeng/Pangolin, CLI 1.0.2 (pangolin/pangolin.py main: models "
                               "final.{1,2,3}.{0,2,4,6}.3.v2, output channels 1/4/7/10)",
                   "state_files_sha256": {path.name: sha256_file(path) for _n, path in members},
                   "opset": OPSET, **checks,
                   "implementation": "architecture written from the paper and the state "
                                     "files' shapes; convolutions unpadded (valid) so only "
                                     "output-window positions are computed"},
    }
