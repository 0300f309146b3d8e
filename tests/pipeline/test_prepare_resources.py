"""How `varrank testdata prepare` finds the SpliceAI bundle for the demo (fast, no Nextflow).

The whole preparation runs for real in test_test_profile.py; these check the decisions around
the optional export toolchain: a reused cached export, and one clear log line (no bundle, no
crash) for every reason SCORE has to be left out.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from varrank.testdata import resources

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("VARRANK_CACHE", str(root))
    for name in ("VARRANK_SKIP_EXPORT", "VARRANK_SPLICEAI_WHEEL", "VARRANK_SPLICEAI_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return root


def _wheel(cache: Path) -> Path:
    """A stand-in wheel file: only its bytes are hashed on these paths."""
    wheel = cache / "wheels" / "spliceai-1.3.1-py2.py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"not really a wheel")
    return wheel


def test_bundle_key_is_the_score_tests_cache_key(cache):
    """Same formula as tests/unit/score/conftest.py, so either side reuses the other's export."""
    wheel = _wheel(cache)
    digest = hashlib.sha256(wheel.read_bytes())
    for source in sorted((REPO_ROOT / "src" / "varrank" / "score" / "export").glob("*.py")):
        digest.update(source.read_bytes())
    assert resources.bundle_key(wheel) == digest.hexdigest()[:16]


def test_a_cached_export_is_reused_without_the_toolchain(cache, tmp_path, monkeypatch):
    wheel = _wheel(cache)
    cached = cache / "bundles" / f"spliceai-{resources.bundle_key(wheel)}"
    cached.mkdir(parents=True)
    (cached / "manifest.json").write_text("{}")
    monkeypatch.setattr(resources, "missing_export_modules", lambda: ["torch", "h5py", "onnx"])
    assert resources.prepare_spliceai_bundle(tmp_path / "resources") == cached.resolve()


def test_a_stale_cached_export_is_not_reused(cache, tmp_path, monkeypatch, caplog):
    """A bundle exported by another exporter version (other key) is not taken."""
    _wheel(cache)
    (cache / "bundles" / "spliceai-0000000000000000").mkdir(parents=True)
    (cache / "bundles" / "spliceai-0000000000000000" / "manifest.json").write_text("{}")
    monkeypatch.setattr(resources, "missing_export_modules", lambda: ["torch"])
    with caplog.at_level(logging.WARNING):
        assert resources.prepare_spliceai_bundle(tmp_path / "resources") is None
    assert "export toolchain missing (torch" in caplog.text
    assert "SCORE will be skipped" in caplog.text


def test_no_wheel_is_one_log_line_and_no_bundle(cache, tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert resources.prepare_spliceai_bundle(tmp_path / "resources") is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "no spliceai wheel" in lines[0] and "setup_export.sh" in lines[0]


def test_skip_export_switch(cache, tmp_path, monkeypatch, caplog):
    _wheel(cache)
    monkeypatch.setenv("VARRANK_SKIP_EXPORT", "1")
    with caplog.at_level(logging.WARNING):
        assert resources.prepare_spliceai_bundle(tmp_path / "resources") is None
    assert "VARRANK_SKIP_EXPORT=1" in caplog.text


def test_explicit_bundle_wins(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("VARRANK_SPLICEAI_BUNDLE", str(tmp_path / "mine"))
    mine = (tmp_path / "mine").resolve()
    assert resources.prepare_spliceai_bundle(tmp_path / "resources") == mine
