"""Each module alone, real and -stub, against its nf-test-style snapshot
(modules/local/<name>/tests/main.nf.test.{yml,snap}; module_harness.py says how).

A real test feeds the module the demo patient (`varrank testdata prepare`), running the
upstream modules its spec lists first, as nf-test's setup blocks do; a stub test feeds it
placeholder files. The snapshot pins each chosen emit's structure (meta and file names) and
its files' checksums, and the tools each module reports on the `versions` topic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from module_harness import (ModuleTest, emitted_names, load_tests, prepare_launch, read_snapshots,
                            snapshot_of, updating, write_snapshot)

pytestmark = pytest.mark.pipeline
REPO_ROOT = Path(__file__).resolve().parents[2]

TESTS = load_tests()
STUB_FILES = ["P1.vcf.gz", "ref.fa", "P1.ingest.parquet", "P1.annotate.parquet", "P1.score.parquet",
              "P1.prioritise.parquet", "P1.qc.json", "P1.ingest.ledger.json", "P1.report.json",
              "P2.report.json", "bundle/manifest.json", "model/manifest.json", "software_versions.yml"]


@pytest.fixture(scope="module")
def stub_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stub_inputs")
    for name in STUB_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("placeholder\n")
    return folder


def _params(test: ModuleTest, request, stub_files: Path) -> dict[str, str]:
    params = {"stub_inputs": str(stub_files),
              "multiqc_config": str(REPO_ROOT / "assets" / "multiqc_config.yml")}
    if test.stub:
        return params
    prepared = request.getfixturevalue("prepared")
    params["testdata"] = str(prepared)
    for name in ("params.json", "resources.json"):
        params.update(json.loads((prepared / name).read_text()))
    return {k: str(v) for k, v in params.items() if k != "input"}


@pytest.mark.parametrize("test", TESTS, ids=lambda t: f"{t.module}: {t.name}")
def test_module(test: ModuleTest, nextflow, stub_files, tmp_path, request):
    params = _params(test, request, stub_files)
    spec_text = "\n".join(test.inputs + [str(s) for s in test.setup])
    if "params.model_dir" in spec_text and "model_dir" not in params:
        pytest.skip("no SpliceAI bundle was prepared (VARRANK_SKIP_EXPORT=1)")
    emits = tmp_path / "emits"
    script = prepare_launch(test, tmp_path / "launch", emits, params)
    args = ["run", str(script), "-ansi-log", "false"] + (["-stub"] if test.stub else [])
    result = nextflow(*args, cwd=script.parent, timeout=600)
    assert result.returncode == 0, result.output
    declared = set(test.snapshot + test.names_only)
    assert declared <= emitted_names(emits), "a snapshotted emit is not an output of the module"
    snap = snapshot_of(test, emits)
    assert '"/' not in json.dumps(snap), "a snapshot must not hold this run's absolute paths"
    for name, items in snap["content"][0].items():
        assert name == "versions" or items, f"emit {name} is empty"
    if updating():
        write_snapshot(test, snap)
        return
    stored = read_snapshots(test).get(test.name)
    assert stored is not None, f"no snapshot '{test.name}': run with VARRANK_UPDATE_SNAPSHOTS=1"
    assert snap == stored, (f"{test.module}: '{test.name}' differs from main.nf.test.snap "
                            "(VARRANK_UPDATE_SNAPSHOTS=1 rewrites it after a deliberate change)")


def test_every_module_has_tests_real_and_stub(repo_root: Path):
    modules = {p.parent.name for p in (repo_root / "modules" / "local").glob("*/main.nf")}
    assert {t.module for t in TESTS} == modules
    for module in modules:
        kinds = {t.stub for t in TESTS if t.module == module}
        assert kinds == {True, False}, f"{module}: needs a real and a stub test"
