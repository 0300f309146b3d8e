"""Execution-provider choice: TensorRT (fp16, cache) > CUDA > CPU, from what the build offers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import tiny_models

from varrank.core.errors import ResourceError
from varrank.score import providers

ALL = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


def names(chosen):
    return [name for name, _ in chosen]


def test_auto_prefers_tensorrt_then_cuda_then_cpu(tmp_path: Path) -> None:
    chosen = providers.choose_providers(ALL, engine_cache=tmp_path / "trt")
    assert names(chosen) == ALL
    trt = dict(chosen)["TensorrtExecutionProvider"]
    assert trt["trt_fp16_enable"] is True
    assert trt["trt_engine_cache_enable"] is True
    assert trt["trt_engine_cache_path"] == str(tmp_path / "trt")


def test_auto_with_cuda_only_build() -> None:
    assert names(providers.choose_providers(["CUDAExecutionProvider", "CPUExecutionProvider"])) \
        == ["CUDAExecutionProvider", "CPUExecutionProvider"]


def test_cpu_only_build_and_cpu_always_last() -> None:
    assert names(providers.choose_providers(["CPUExecutionProvider"])) == ["CPUExecutionProvider"]
    assert names(providers.choose_providers(["CUDAExecutionProvider"]))[-1] == \
        "CPUExecutionProvider"


def test_explicit_request_skips_better_ones_and_fp32_option(tmp_path: Path) -> None:
    assert names(providers.choose_providers(ALL, requested="cuda")) == \
        ["CUDAExecutionProvider", "CPUExecutionProvider"]
    trt = dict(providers.choose_providers(ALL, requested="tensorrt", fp16=False,
                                          engine_cache=tmp_path))["TensorrtExecutionProvider"]
    assert trt["trt_fp16_enable"] is False


def test_requesting_missing_provider_is_an_error() -> None:
    with pytest.raises(ResourceError, match="provider tensorrt requested"):
        providers.choose_providers(["CPUExecutionProvider"], requested="tensorrt")
    with pytest.raises(ResourceError, match="unknown provider"):
        providers.choose_providers(ALL, requested="tpu")


def test_engine_cache_default_honours_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VARRANK_TRT_CACHE", str(tmp_path / "cache"))
    assert providers.default_engine_cache() == tmp_path / "cache"


def test_session_logs_provider_actually_used(tmp_path: Path, caplog) -> None:
    graph = tiny_models.seq2func_graph(tmp_path / "m.onnx")
    with caplog.at_level(logging.INFO, logger="varrank.score.providers"):
        session = providers.make_session(graph, providers.choose_providers(["CPUExecutionProvider"]))
    assert session.get_providers()[0] == "CPUExecutionProvider"
    assert "provider CPUExecutionProvider" in caplog.text


def test_unloadable_graph_is_resource_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not an onnx model")
    with pytest.raises(ResourceError, match="cannot load the model graph"):
        providers.make_session(bad, providers.choose_providers(["CPUExecutionProvider"]))


def test_tensorrt_profile_covers_spliceai_lengths(tmp_path: Path) -> None:
    from varrank.score import spliceai

    profile = spliceai.trt_profile("x", 64)
    trt = dict(providers.choose_providers(ALL, engine_cache=tmp_path, trt_profile=profile))[
        "TensorrtExecutionProvider"]
    assert trt["trt_profile_min_shapes"] == "x:1x10001x4"
    assert trt["trt_profile_opt_shapes"] == "x:64x10101x4"
    longest = int(trt["trt_profile_max_shapes"].split("x")[2])
    assert longest >= spliceai.MAX_BLOCK + 2 * spliceai.FLANK
    assert "trt_profile_min_shapes" not in dict(providers.choose_providers(ALL))[
        "CUDAExecutionProvider"]


def test_each_model_has_its_own_engine_cache(tmp_path: Path) -> None:
    caches = {model: dict(providers.choose_providers(ALL, engine_cache=tmp_path, model=model))[
        "TensorrtExecutionProvider"] for model in ("spliceai-1.3.1", "pangolin-1.0.2-v2")}
    assert caches["spliceai-1.3.1"]["trt_engine_cache_path"] == str(tmp_path / "spliceai-1.3.1")
    assert caches["pangolin-1.0.2-v2"]["trt_timing_cache_path"] == str(
        tmp_path / "pangolin-1.0.2-v2")
    from varrank.core.errors import InputError
    with pytest.raises(InputError):
        providers.choose_providers(ALL, engine_cache=tmp_path, model="../escape")
