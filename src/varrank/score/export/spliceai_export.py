"""Build the SpliceAI model bundle from the five Keras models in the ``spliceai`` wheel.

Path: wheel (zip) -> .h5 files -> h5py (architecture + weights) -> PyTorch modules ->
torch.onnx -> one ensemble graph averaging the five networks -> onnxruntime check against
PyTorch -> manifest.json with checksums, licence and provenance. Needs the ``export`` extra
(torch, h5py, onnx); nothing here runs at scoring time. Reference: Jaganathan et al. 2019,
Cell 176:535-548 (SpliceAI), doi:10.1016/j.cell.2018.12.015.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from varrank.core.errors import InputError, ResourceError
from varrank.score.bundle import MANIFEST_VERSION, write_manifest
from varrank.score.export.onnx_io import (
    OPSET, cone_vs_full, export_graph, onnx_vs_torch, require_export_extra)
from varrank.score.export.spliceai_stages import export_stages

log = logging.getLogger(__name__)

GRAPH_NAME = "spliceai_ensemble.onnx"
CONTEXT = 10000
N_MEMBERS = 5
WEIGHTS_LICENSE = "CC BY-NC 4.0"
LICENSE_TEXT = (
    "The SpliceAI model weights are licensed by Illumina under Creative Commons "
    "Attribution-NonCommercial 4.0 International (CC BY-NC 4.0): non-commercial use only; "
    "commercial use needs a licence from Illumina. This bundle is a format conversion of "
    "those weights and carries the same licence. The gene annotation files copied from the "
    "spliceai wheel are distributed under the wheel's licence (GPLv3, derived from GENCODE)."
)


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unpack_wheel(wheel: Path, dest: Path) -> dict[str, Any]:
    """Extract models and annotations from the wheel; return its version and checksums."""
    if not wheel.is_file():
        raise InputError("spliceai wheel not found", path=wheel,
                         hint="pip download --no-deps spliceai==1.3.1 -d DIR")
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as err:
        raise InputError(f"not a wheel (zip) file: {err}", path=wheel) from err
    with archive:
        names = archive.namelist()
        models = sorted(n for n in names if n.startswith("spliceai/models/") and n.endswith(".h5"))
        if len(models) != N_MEMBERS:
            raise InputError(f"expected {N_MEMBERS} spliceai/models/*.h5 in the wheel, found "
                             f"{len(models)}", path=wheel)
        version = "unknown"
        meta = [n for n in names if n.endswith(".dist-info/METADATA")]
        if meta:
            for line in archive.read(meta[0]).decode("utf-8", "replace").splitlines():
                if line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                    break
        extracted = {}
        for name in models + [n for n in names if n.startswith("spliceai/annotations/")]:
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(name))
            extracted[name] = _sha256_bytes(target.read_bytes())
    return {"version": version, "wheel": wheel.name,
            "wheel_sha256": _sha256_bytes(wheel.read_bytes()), "files": extracted,
            "models": [dest / m for m in models]}


def build_ensemble(h5_paths: list[Path]):
    """Torch ensemble module from the Keras files, and the parsed Keras graphs."""
    from varrank.score.export.keras_h5 import read_keras_h5
    from varrank.score.export.torch_net import Ensemble, KerasConvNet

    graphs = [read_keras_h5(p) for p in h5_paths]
    model = Ensemble([KerasConvNet(g) for g in graphs]).eval()
    return model, graphs


def check_cone_against_full(out: Path, stages: dict, graph: Path, seed: int = 11) -> float:
    """Max |cone - full graph| over an SNV, a deletion and an insertion on random sequence,
    both strand orientations' index arithmetic being the same (fp32, CPU)."""
    from varrank.score.spliceai_cone import ConeEnsemble

    cone = ConeEnsemble(out, stages["plan"], [("CPUExecutionProvider", {})], None)
    return cone_vs_full(cone, graph, "probs", slice(None), CONTEXT // 2, seed)


def export_onnx(model, out: Path, example_length: int = CONTEXT + 101) -> None:
    import torch

    example = torch.zeros((1, example_length, 4), dtype=torch.float32)
    example[0, ::4, 0] = 1
    export_graph(model, (example,), out, ["x"], ["probs", "probs_per_model"],
                 {"x": {0: "batch", 1: "length"}, "probs": {0: "batch", 1: "out_length"},
                  "probs_per_model": {1: "batch", 2: "out_length"}}, OPSET)


def check_against_torch(model, graph: Path, seed: int = 7) -> float:
    """Max |onnxruntime - torch| on a random one-hot batch of two lengths (fp32)."""
    return onnx_vs_torch(model, graph, "probs", CONTEXT, seed)


def export_spliceai(wheel: Path, out: Path, force: bool = False) -> Path:
    """Write the SpliceAI bundle into ``out``; returns the manifest path."""
    require_export_extra("h5py")
    import onnx
    import torch

    from varrank import __version__

    out = Path(out)
    if (out / "manifest.json").exists() and not force:
        raise InputError("bundle already exists (manifest.json present)", path=out,
                         hint="use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        info = unpack_wheel(Path(wheel), Path(tmp))
        log.info("read %d Keras models from %s (spliceai %s)", len(info["models"]), wheel,
                 info["version"])
        max_diff, stages, cone_diff = _export_graphs(info, out)
        annotations = _copy_annotations(Path(tmp), out)
    manifest = _manifest(info, max_diff, stages, cone_diff, annotations,
                         f"varrank {__version__} model export spliceai", torch.__version__,
                         onnx.__version__)
    path = write_manifest(out, manifest)
    log.info("wrote bundle %s", out)
    return path


def _export_graphs(info: dict, out: Path) -> tuple[float, dict | None, float | None]:
    """The full ensemble graph and its staged cut, each checked against what it derives from."""
    import onnx

    model, keras_graphs = build_ensemble(info["models"])
    graph = out / GRAPH_NAME
    export_onnx(model, graph)
    onnx.checker.check_model(str(graph))
    max_diff = check_against_torch(model, graph)
    log.info("onnxruntime vs torch max |diff| = %.2e", max_diff)
    if max_diff > 1e-5:
        raise ResourceError(f"exported graph differs from torch by {max_diff:.2e}", path=graph)
    stages = export_stages(list(model.members), keras_graphs, out, OPSET)
    cone_diff = None
    if stages is not None:
        cone_diff = check_cone_against_full(out, stages, graph)
        log.info("cone (staged) vs full graph max |diff| = %.2e", cone_diff)
        if cone_diff > 1e-5:
            raise ResourceError(f"staged graphs differ from the full graph by {cone_diff:.2e}",
                                path=out / "stages")
    return max_diff, stages, cone_diff


def _copy_annotations(unpacked: Path, out: Path) -> list[dict]:
    """The wheel's GENCODE gene tables, one per build, as bundle files."""
    annotations = []
    for build in ("grch37", "grch38"):
        src = unpacked / "spliceai" / "annotations" / f"{build}.txt"
        if src.is_file():
            dest = out / "annotations" / f"{build}.txt"
            dest.parent.mkdir(exist_ok=True)
            shutil.copyfile(src, dest)
            annotations.append({"path": f"annotations/{build}.txt",
                                "role": f"annotation_{'GRCh37' if build == 'grch37' else 'GRCh38'}"})
    return annotations


def _manifest(info: dict, max_diff: float, stages: dict | None, cone_diff: float | None,
              annotations: list[dict], tool: str, torch_version: str, onnx_version: str) -> dict:
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "name": "spliceai",
        "version": info["version"],
        "kind": "spliceai",
        "description": "SpliceAI-10k (Jaganathan et al. 2019, Cell 176:535-548, "
                       "doi:10.1016/j.cell.2018.12.015): ensemble of the 5 published networks, "
                       "averaged in one ONNX graph",
        "license": {"weights": WEIGHTS_LICENSE, "text": LICENSE_TEXT,
                    "annotations": "GPL-3.0 (spliceai wheel METADATA); GENCODE-derived"},
        "genome_builds": ["GRCh37", "GRCh38"],
        "files": [{"path": GRAPH_NAME, "role": "graph"}] + annotations
                 + [{"path": rel, "role": f"stage:{Path(rel).stem}"}
                    for rel in (stages["files"] if stages else [])],
        "input": {"name": "x", "layout": "batch,length,channel", "dtype": "float32",
                  "encoding": "one_hot", "alphabet": "ACGT", "unknown_base": "all zeros",
                  "context": CONTEXT, "flank": CONTEXT // 2,
                  "minus_strand": "reverse complement input (flip length and channel axes) "
                                  "and flip outputs back"},
        "outputs": {"probs": {"layout": "batch,length-10000,channel",
                              "channels": ["neither", "acceptor", "donor"],
                              "meaning": "mean of the 5 networks' softmax"},
                    "probs_per_model": {"layout": "member,batch,length-10000,channel"}},
        "score": {"rule": "spliceai_delta", "distance": 50, "mask": 0,
                  "max_ref_length": "2*distance", "decimals": 2,
                  "columns": ["DS_AG", "DS_AL", "DS_DG", "DS_DL", "DP_AG", "DP_AL", "DP_DG",
                              "DP_DL"]},
        "export": {"tool": tool,
                   "spliceai_version": info["version"], "wheel": info["wheel"],
                   "wheel_sha256": info["wheel_sha256"],
                   "keras_files_sha256": {k: v for k, v in info["files"].items()
                                          if k.endswith(".h5")},
                   "torch_version": torch_version, "onnx_version": onnx_version,
                   "opset": OPSET, "onnxruntime_vs_torch_max_abs_diff": max_diff,
                   "cone_vs_full_max_abs_diff": cone_diff,
                   "implementation": "Keras graph rebuilt from each .h5 model_config; "
                                     "convolutions unpadded (valid) so only output-window "
                                     "positions are computed; batch norm folded"},
    }
    if stages:
        manifest["stages"] = {
            "about": "the same ensemble cut into per-convolution graphs (stem, two per residual "
                     "unit, head) so that a CPU scorer recomputes only the activations an allele "
                     "changes and reuses the reference pass for the rest; see docs/models.md",
            "plan": stages["plan"]}
    return manifest
