"""Fixtures of the malformed-input corpus: the CLI in-process, a small reference, the demo's
real resources (bundle, snpEff database, padded GRCh38 chr17) and a tiny model bundle, each
built once per session and copied by a case before it damages the copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from malformed_helpers import CliResult, write_fasta

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "tests"))
sys.path.insert(0, str(REPO_ROOT / "tests" / "unit" / "score"))

from varrank_cli_calls import run_main  # noqa: E402


@pytest.fixture
def run_cli(capfd) -> Callable[..., CliResult]:
    """``varrank -q ...`` in-process, with file-descriptor capture (htslib's C stderr too);
    an exception escaping main() fails the test, as a traceback would."""

    def _run(*args: object) -> CliResult:
        capfd.readouterr()
        code = run_main(["-q", *map(str, args)])
        out, err = capfd.readouterr()
        return CliResult(code, out, err)

    return _run


@pytest.fixture(scope="session")
def small_fasta(tmp_path_factory) -> Path:
    return write_fasta(tmp_path_factory.mktemp("ref") / "small.fa")


@pytest.fixture(scope="session")
def chr17(shared_data: Path) -> Path:
    """GRCh38 chr17 slice padded with N to true coordinates (cached like the INGEST tests')."""
    from varrank.testdata.derive import pad_slice

    return pad_slice(shared_data / "reference/GRCh38_chr17_42425000-43600000.fa",
                     REPO_ROOT / "tests" / "artifacts" / "derived", "GRCh38", compress=True)


@pytest.fixture(scope="session")
def demo_resources(shared_data: Path, chr17: Path, tmp_path_factory) -> dict[str, Path]:
    """The demo's annotation bundle and snpEff database, freshly built (so their manifests
    list every file's size and sha256)."""
    from varrank.annotate.demo import prepare_demo_resources

    made = prepare_demo_resources(shared_data, tmp_path_factory.mktemp("demo_res"), chr17)
    return {k: Path(v) for k, v in made.items()}


@pytest.fixture(scope="session")
def chr17_table(shared_data: Path, chr17: Path, tmp_path_factory) -> Path:
    """INGEST table of 1000 Genomes HG00096 around BRCA1 (real records, GRCh38)."""
    out = tmp_path_factory.mktemp("chr17_table")
    code = run_main(["-q", "ingest", "--vcf", str(shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"),
                     "--fasta", str(chr17), "--patient", "P1", "--proband", "HG00096", "--out", str(out)])
    assert code == 0
    return out / "P1.ingest.parquet"


@pytest.fixture
def damaged_copy(tmp_path) -> Callable[[Path], Path]:
    def _copy(folder: Path) -> Path:
        target = tmp_path / folder.name
        shutil.copytree(folder, target, symlinks=True)
        return target

    return _copy


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A one-node spliceai-kind ONNX bundle (tests/unit/score/tiny_models.py) with sizes and
    sha256 in its manifest."""
    from tiny_models import spliceai_like_bundle

    return spliceai_like_bundle(tmp_path_factory.mktemp("model") / "tiny")


def nextflow_lib() -> Path | None:
    """Nextflow's jar folder, as the launcher installed by `make setup` names it."""
    launcher = Path(sys.executable).parent / "nextflow"
    if os.environ.get("VARRANK_NXF_LIB"):
        return Path(os.environ["VARRANK_NXF_LIB"])
    if launcher.is_file():
        for line in launcher.read_text().splitlines():
            if line.startswith("NXF_LIB="):
                return Path(line.split(":-", 1)[1].rstrip("}\"'")) if ":-" in line else None
    return None


class GroovyInputs:
    """lib/VarrankInputs.groovy in one JVM (Nextflow's own Groovy jars), fed a file at a time:
    the samplesheet and Phenopacket readers exactly as main.nf calls them, at milliseconds a
    case instead of seconds per `nextflow run`."""

    def __init__(self, lib: Path) -> None:
        jars = [str(next(lib.glob(f"{name}-4*.jar"))) for name in ("groovy", "groovy-json", "groovy-nio")]
        harness = Path(__file__).with_name("inputs_harness.groovy")
        self.proc = subprocess.Popen(
            ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", os.pathsep.join(jars),
             "groovy.ui.GroovyMain", str(harness), str(REPO_ROOT / "lib" / "VarrankInputs.groovy"),
             str(REPO_ROOT / "lib"), str(REPO_ROOT / "assets" / "stage_contract.json"),
             str(REPO_ROOT / "assets" / "schema_input.json")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8")

    def read(self, kind: str, path: Path, genome: str = "GRCh38", case_vcf: str = "") -> dict:
        """genome for a Phenopacket, case_vcf (--case_vcf) for a samplesheet."""
        assert "\t" not in str(path) and "\n" not in str(path)
        third = case_vcf if kind == "samplesheet" else genome
        self.proc.stdin.write(f"{kind}\t{path}\t{third}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="session")
def groovy_inputs() -> Iterator[GroovyInputs]:
    lib = nextflow_lib()
    if lib is None or not lib.is_dir() or shutil.which("java") is None:
        pytest.fail("Nextflow's jars or java are missing: run `make setup`")
    inputs = GroovyInputs(lib)
    yield inputs
    inputs.close()
