"""Helpers for tests that drive the real Nextflow engine (installed by `make setup`).

Every run is offline (NXF_OFFLINE=true), from a scratch launch folder so that .nextflow/ and
work/ never land in the checkout, with this checkout's src/ first on PYTHONPATH so tasks run
the code under test rather than some other installed varrank.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def find_nextflow() -> Path | None:
    """The launcher beside this interpreter (the virtualenv's bin) first, then PATH."""
    beside = Path(sys.executable).parent / "nextflow"
    if beside.exists():
        return beside
    found = shutil.which("nextflow")
    return Path(found) if found else None


@dataclass
class NextflowResult:
    returncode: int
    output: str
    launch_dir: Path

    def trace(self, outdir: Path) -> list[dict[str, str]]:
        path = outdir / "pipeline_info" / "execution_trace.txt"
        with path.open() as handle:
            return list(csv.DictReader(handle, delimiter="\t"))


class Nextflow:
    def __init__(self, launcher: Path) -> None:
        self.launcher = launcher

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NXF_OFFLINE"] = "true"
        env["NXF_ANSI_LOG"] = "false"
        env.pop("NXF_WORK", None)
        # Test runs are short: the C1 JIT alone halves the engine's CPU time on a small machine.
        env.setdefault("NXF_OPTS", "-XX:TieredStopAtLevel=1")
        # Reproducible outputs (report time and ledger timings pinned), so that two runs, or a
        # killed and resumed run and a clean one, can be compared byte for byte.
        env.setdefault("SOURCE_DATE_EPOCH", "1767225600")
        bindir = str(Path(sys.executable).parent)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["PYTHONPATH"] = str(REPO_ROOT / "src") + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        return env

    def start(self, *args: str, cwd: Path, log: Path) -> subprocess.Popen:
        """`nextflow run` in the background, in its own process group (a terminal's Ctrl-C
        reaches the whole group: the engine and the tasks it started)."""
        cwd.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            return subprocess.Popen(
                [str(self.launcher), "run", str(REPO_ROOT), "-ansi-log", "false", *args],
                cwd=cwd, env=self.env(), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def __call__(self, *args: str, cwd: Path, timeout: int = 300) -> NextflowResult:
        cwd.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [str(self.launcher), *args], cwd=cwd, env=self.env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
        return NextflowResult(proc.returncode, proc.stdout, cwd)

    def run(self, *args: str, cwd: Path, timeout: int = 300) -> NextflowResult:
        return self("run", str(REPO_ROOT), "-ansi-log", "false", *args, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="session")
def nextflow() -> Nextflow:
    launcher = find_nextflow()
    if launcher is None:
        pytest.fail("no `nextflow` launcher: run `make setup` (scripts/setup.d/20-nextflow.sh)")
    return Nextflow(launcher)


@pytest.fixture()
def stub_inputs(tmp_path: Path) -> dict[str, Path]:
    """Placeholder files for -stub-run: the stubs only touch outputs, so any file will do.

    A trio sharing one VCF (pedigree rows) and a singleton, as a clinical sheet would have.
    """
    data = tmp_path / "inputs"
    data.mkdir()
    fasta = data / "ref.fa"
    fasta.write_text(">chr17\nACGT\n")
    (data / "ref.fa.fai").write_text("chr17\t4\t7\t4\t5\n")
    for name in ("trio.vcf.gz", "trio.vcf.gz.tbi", "single.vcf"):
        (data / name).write_text("placeholder\n")
    sheet = data / "samplesheet.csv"
    sheet.write_text(
        "patient,vcf,index,sex,hpo_terms,family_id,paternal_id,maternal_id,phenotype\n"
        "KID-1,trio.vcf.gz,trio.vcf.gz.tbi,female,HP:0001250;HP:0001263,FAM1,DAD-1,MUM-1,2\n"
        "DAD-1,,,male,,FAM1,0,0,1\n"
        "MUM-1,,,female,,FAM1,0,0,1\n"
        "SOLO.2,single.vcf,,unknown,,,,,\n"
    )
    return {"dir": data, "fasta": fasta, "samplesheet": sheet}


SKIP_EXPORT = os.environ.get("VARRANK_SKIP_EXPORT") == "1"


@pytest.fixture(scope="session")
def prepared(shared_data: Path, tmp_path_factory) -> Path:
    """The demo patient and its resources from `varrank testdata prepare`, once per session
    (the test profile and the module tests read it)."""
    out = tmp_path_factory.mktemp("testdata")
    proc = subprocess.run(
        [sys.executable, "-m", "varrank", "testdata", "prepare", "--data-dir", str(shared_data),
         "--out", str(out)],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("samplesheet.csv", "params.json", "resources.json"):
        assert (out / name).exists(), f"`varrank testdata prepare` wrote no {name}"
    resources = json.loads((out / "resources.json").read_text())
    assert {"annotation_db", "snpeff_db"} <= set(resources), resources
    if "model_dir" not in resources and not SKIP_EXPORT:
        pytest.fail("`varrank testdata prepare` built no SpliceAI bundle, so SCORE would be "
                    "skipped: install the export toolchain (scripts/setup_export.sh, run by "
                    "`make setup`) or set VARRANK_SKIP_EXPORT=1 to accept a chain without "
                    f"SCORE. prepare said:\n{proc.stderr}")
    return out


@pytest.fixture(scope="session")
def demo_run(nextflow, prepared, tmp_path_factory):
    """One real run of the test profile, shared by the tests that read a clean run's outputs
    (it is the slow part)."""
    root = tmp_path_factory.mktemp("demo_run")
    args = ["-profile", "test", "--test_prepared_dir", str(prepared), "--outdir",
            str(root / "results")]
    result = nextflow.run(*args, cwd=root / "launch", timeout=900)
    assert result.returncode == 0, result.output
    return {"args": args, "outdir": root / "results", "launch": root / "launch", "first": result,
            "root": root}
