"""What every exporter shares: the export-extra check, torch.onnx calls, and the checks an
exported graph must pass before a bundle is written (onnxruntime vs torch, cone vs full).

Kept in one place so that SpliceAI and Pangolin bundles are exported and checked the same
way; nothing here runs at scoring time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from varrank.core.errors import ResourceError

OPSET = 17
LENGTH_AXES = {0: "batch", 3: "length"}  # stage activations (batch, channels, 1, length)


def require_export_extra(*extra: str) -> None:
    """Refuse to export without torch and onnx (plus ``extra`` modules, e.g. h5py)."""
    missing = []
    for module in ("torch", "onnx", *extra):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise ResourceError(
            f"`varrank model export` needs the optional export extra; missing: {', '.join(missing)}",
            hint="run scripts/setup_export.sh (or pip install 'varrank[export]'); see docs/models.md")


def export_graph(module, args: tuple, path: Path, inputs: list[str], outputs: list[str],
                 dynamic: dict, opset: int = OPSET) -> None:
    """torch.onnx.export with the settings every varrank graph uses (TorchScript exporter,
    constant folding, fixed opset)."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs,
                          opset_version=opset, dynamic_axes=dynamic, do_constant_folding=True,
                          dynamo=False)


def random_one_hot(rng: np.random.Generator, batch: int, length: int) -> np.ndarray:
    """(batch, length, 4) float32 one-hot with ~20% N (all-zero) rows."""
    idx = rng.integers(0, 5, size=(batch, length))
    x = np.zeros((batch, length, 4), dtype=np.float32)
    for b in range(batch):
        keep = idx[b] < 4
        x[b, np.nonzero(keep)[0], idx[b][keep]] = 1
    return x


def onnx_vs_torch(model, graph: Path, output: str, context: int, seed: int = 7) -> float:
    """Max |onnxruntime - torch| of ``output`` on random one-hot batches of two lengths."""
    import onnxruntime as ort
    import torch

    rng = np.random.default_rng(seed)
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch, length in ((2, context + 37), (1, context + 401)):
        x = random_one_hot(rng, batch, length)
        with torch.no_grad():
            expected = model(torch.from_numpy(x))
        expected = (expected[0] if isinstance(expected, tuple) else expected).numpy()
        got = session.run([output], {"x": x})[0]
        if got.shape[:2] != (batch, length - context):
            raise ResourceError(f"exported graph gives shape {got.shape}", path=graph)
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst


def cone_vs_full(cone, graph: Path, output: str, columns: slice, flank: int,
                 seed: int = 11) -> float:
    """Max |cone pass - full graph| on random sequence: the reference block and an SNV, a
    deletion and an insertion in it (fp32 CPU). ``columns`` selects the full graph's output
    channels the staged graphs produce."""
    import onnxruntime as ort

    full = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    half = flank + 50
    eye = np.eye(4, dtype=np.float32)
    seq = rng.integers(0, 4, 2 * flank + 601)
    ref = cone.reference(eye[seq])
    expected = full.run([output], {"x": eye[seq][None]})[0][0][..., columns]
    worst = float(np.abs(ref.probs - expected).max())
    for ref_len, alt_len in ((1, 1), (4, 1), (1, 3)):
        pos = half + 250  # reference-window index of the variant
        alt = rng.integers(0, 4, alt_len)
        window = np.concatenate([seq[pos - half:pos], alt, seq[pos + ref_len:pos + half + 1]])
        got = cone.alternative(ref, eye[alt][None], [pos - half], half, alt_len - ref_len,
                               len(window))
        expected = full.run([output], {"x": eye[window][None]})[0][..., columns]
        worst = max(worst, float(np.abs(got - expected).max()))
    return worst
