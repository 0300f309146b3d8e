"""Fixtures for the SCORE tests: padded real references, tiny bundles, the real SpliceAI bundle.

The real bundle is exported once from the spliceai wheel (needs the export extra) into a cache
outside the repository, keyed by the wheel's and the exporter's checksums, because export
takes about a minute; tests that need it are marked ``export`` and skip with the reason when
torch or the wheel is absent (scripts/setup_export.sh provides both).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import score_helpers as helpers  # noqa: E402

REPO = Path(__file__).resolve().parents[3]
CACHE = Path(os.environ.get("VARRANK_CACHE", Path.home() / ".cache" / "varrank"))


@pytest.fixture(scope="session")
def grch37_fasta(shared_data: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "GRCh37_17.padded.fa.gz"
    return helpers.padded_fasta(shared_data, helpers.GRCH37_CHR17, out)


@pytest.fixture(scope="session")
def grch38_chr13_fasta(shared_data: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref38") / "GRCh38_13.padded.fa.gz"
    return helpers.padded_fasta(shared_data, helpers.GRCH38_CHR13, out)


@pytest.fixture(scope="session")
def grch37_annotation(shared_data: Path) -> Path:
    return shared_data / "annotation" / "spliceai_grch37_canonical.regions.txt"


def spliceai_wheel() -> Path | None:
    env = os.environ.get("VARRANK_SPLICEAI_WHEEL")
    if env:
        return Path(env)
    found = sorted((CACHE / "wheels").glob("spliceai-1.3.1-*.whl"))
    return found[0] if found else None


@pytest.fixture(scope="session")
def spliceai_bundle() -> Path:
    """The real SpliceAI bundle, exported from the wheel once per exporter version."""
    env = os.environ.get("VARRANK_SPLICEAI_BUNDLE")
    if env:
        return Path(env)
    pytest.importorskip("torch", reason="export extra (torch) not installed: "
                                        "run scripts/setup_export.sh")
    pytest.importorskip("h5py", reason="export extra (h5py) not installed")
    wheel = spliceai_wheel()
    if wheel is None or not wheel.is_file():
        pytest.skip("spliceai wheel not found: run scripts/setup_export.sh or set "
                    "VARRANK_SPLICEAI_WHEEL")
    from varrank.score.export.spliceai_export import export_spliceai

    return cached_bundle("spliceai", hashlib.sha256(wheel.read_bytes()),
                         lambda out: export_spliceai(wheel, out, force=True))


def cached_bundle(name: str, digest, export) -> Path:
    """The bundle exported once per input digest + exporter sources into the cache."""
    for source in sorted((REPO / "src" / "varrank" / "score" / "export").glob("*.py")):
        digest.update(source.read_bytes())
    out = CACHE / "bundles" / f"{name}-{digest.hexdigest()[:16]}"
    if not (out / "manifest.json").is_file():
        export(out)
    return out


PANGOLIN_WEIGHTS = "models/pangolin"


@pytest.fixture(scope="session")
def pangolin_bundle(shared_data: Path) -> Path:
    """The real Pangolin bundle, exported from the shared v2 state files once per exporter
    version (about a minute of CPU) into the same cache as the SpliceAI bundle."""
    env = os.environ.get("VARRANK_PANGOLIN_BUNDLE")
    if env:
        return Path(env)
    pytest.importorskip("torch", reason="export extra (torch) not installed: "
                                        "run scripts/setup_export.sh")
    pytest.importorskip("onnx", reason="export extra (onnx) not installed")
    from varrank.testdata.manifest import load_manifest, locate

    names = sorted(n for n in load_manifest() if n.startswith(PANGOLIN_WEIGHTS + "/"))
    digest = hashlib.sha256()
    for name in names:  # locate checks each file against the manifest's sha256
        locate(name, shared_data)
        digest.update(load_manifest()[name].sha256.encode())
    from varrank.score.export.pangolin_export import export_pangolin

    return cached_bundle("pangolin", digest, lambda out: export_pangolin(
        shared_data / PANGOLIN_WEIGHTS, out, force=True))


XPRESSO_WEIGHTS = "models/xpresso"


@pytest.fixture(scope="session")
def xpresso_bundle(shared_data: Path) -> Path:
    """The Xpresso bundle, exported from the shared Keras file once per exporter version
    (seconds: onnx.helper, no torch)."""
    env = os.environ.get("VARRANK_XPRESSO_BUNDLE")
    if env:
        return Path(env)
    pytest.importorskip("onnx", reason="export extra (onnx) not installed")
    pytest.importorskip("h5py", reason="export extra (h5py) not installed")
    from varrank.testdata.manifest import load_manifest, locate

    digest = hashlib.sha256()
    for name in sorted(n for n in load_manifest() if n.startswith(XPRESSO_WEIGHTS + "/")):
        locate(name, shared_data)
        digest.update(load_manifest()[name].sha256.encode())
    from varrank.score.export.xpresso_export import export_xpresso

    return cached_bundle("xpresso", digest, lambda out: export_xpresso(
        shared_data / XPRESSO_WEIGHTS, out, force=True))
