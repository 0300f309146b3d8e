"""onnxruntime execution providers: TensorRT (fp16, engine cache) > CUDA > CPU.

The same SCORE process runs on GPU nodes and CPU-only nodes (Nextflow label process_gpu falls
back to CPU), so the provider is chosen at run time from what the installed onnxruntime build
offers, and the choice is logged and recorded in the stage metadata: a clinician comparing two
reports must be able to see whether fp16 TensorRT or fp32 CPU produced the numbers.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import onnxruntime as ort

from varrank.core.errors import ResourceError
from varrank.core.ids import require_safe_id

log = logging.getLogger(__name__)

PREFERENCE = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")
SHORT = {"tensorrt": "TensorrtExecutionProvider", "cuda": "CUDAExecutionProvider",
         "cpu": "CPUExecutionProvider"}


def default_engine_cache() -> Path:
    """Where TensorRT keeps built engines; building one takes minutes, so it must persist."""
    base = os.environ.get("VARRANK_TRT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "varrank", "trt")
    return Path(base)


def choose_providers(available: list[str] | None = None, requested: str = "auto",
                     engine_cache: Path | None = None, fp16: bool = True,
                     device_id: int = 0,
                     trt_profile: dict[str, str] | None = None,
                     model: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Ordered (provider, options) list for an InferenceSession.

    ``model`` (name-version of the bundle) gives each model its own TensorRT engine and timing
    cache below ``engine_cache``: engines are built per graph and shape profile, and one
    model's rebuild (a new export) never touches another's.

    ``requested`` is ``auto`` (best available) or one of tensorrt/cuda/cpu; asking for a
    provider the build lacks is a ResourceError rather than a silent CPU fallback, because
    the user asked for it on purpose. CPU is always last so unsupported nodes still run.
    """
    available = list(ort.get_available_providers() if available is None else available)
    if requested == "auto":
        chosen = [p for p in PREFERENCE if p in available]
    else:
        want = SHORT.get(requested)
        if want is None:
            raise ResourceError(f"unknown provider {requested!r}",
                                hint="use auto, tensorrt, cuda or cpu")
        if want not in available:
            raise ResourceError(
                f"provider {requested} requested but this onnxruntime offers only "
                f"{', '.join(available)}",
                hint="install onnxruntime-gpu with CUDA/TensorRT libraries (containers/"
                     "Dockerfile.gpu) or use --provider auto")
        chosen = [p for p in PREFERENCE[PREFERENCE.index(want):] if p in available]
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    out: list[tuple[str, dict[str, Any]]] = []
    for name in chosen:
        if name == "TensorrtExecutionProvider":
            cache = Path(engine_cache or default_engine_cache())
            if model:
                cache = cache / require_safe_id(model, "model name")
            out.append((name, {
                "device_id": device_id,
                "trt_fp16_enable": bool(fp16),
                "trt_engine_cache_enable": True,
                "trt_engine_cache_path": str(cache),
                "trt_timing_cache_enable": True,
                "trt_timing_cache_path": str(cache),
                **{f"trt_profile_{k}_shapes": v for k, v in (trt_profile or {}).items()},
            }))
        elif name == "CUDAExecutionProvider":
            out.append((name, {"device_id": device_id}))
        else:
            out.append((name, {}))
    return out


def make_session(graph: Path, providers: list[tuple[str, dict[str, Any]]],
                 threads: int | None = None, announce: bool = True,
                 memory_arena: bool = True) -> ort.InferenceSession:
    """Create the session and log which provider actually took the graph (``announce``)."""
    options = ort.SessionOptions()
    # many small sessions run side by side (the SpliceAI stages): without the arena each
    # run's buffers go back to the allocator instead of being held per session
    options.enable_cpu_mem_arena = memory_arena
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle worker threads spin by default. On shared HPC/cloud nodes that doubles the CPU
    # seconds charged per pass (measured here: 1.5-1.7 vs 0.73-0.87 CPU-s per SpliceAI pass)
    # for no gain on these large convolutions, so threads sleep instead.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    if threads:
        options.intra_op_num_threads = threads
    for name, opts in providers:
        if name == "TensorrtExecutionProvider":
            Path(opts["trt_engine_cache_path"]).mkdir(parents=True, exist_ok=True)
    try:
        session = ort.InferenceSession(str(graph), sess_options=options,
                                       providers=[(n, o) for n, o in providers])
    except Exception as err:  # onnxruntime raises its own Fail/InvalidGraph types
        raise ResourceError(f"onnxruntime cannot load the model graph: {err}", path=graph,
                            hint="re-export the bundle; check onnxruntime version") from err
    used = session.get_providers()
    if announce:
        log.info("scoring %s with onnxruntime %s provider %s (available: %s)", Path(graph).name,
                 ort.__version__, used[0], ", ".join(used))
    return session
