"""Fixtures for INGEST tests: a small synthetic reference, a VCF writer, the CLI runner and
the real padded reference slices (derived at run time from ../shared/data, never copied)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pysam
import pytest

from varrank.testdata.derive import pad_slice

REPO_ROOT = Path(__file__).resolve().parents[3]

from ingest_records import SMALL_CONTIGS, Rec, vcf_text  # noqa: F401  (re-exported to fixtures)


def _small_sequence(name: str, length: int) -> str:
    rng = random.Random(f"varrank-{name}")
    seq = [rng.choice("ACGT") for _ in range(length)]
    if name == "chr1":
        seq[99] = "C"  # position 100, the base before the run
        seq[100:110] = "A" * 10  # 101-110
        seq[110] = "G"
    return "".join(seq)


@pytest.fixture(scope="session")
def small_fasta(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "small.fa"
    with open(path, "w") as handle:
        for name, length in SMALL_CONTIGS.items():
            seq = _small_sequence(name, length)
            handle.write(f">{name}\n")
            for i in range(0, length, 60):
                handle.write(seq[i:i + 60] + "\n")
    pysam.faidx(str(path))
    return path


@pytest.fixture(scope="session")
def small_seq() -> dict[str, str]:
    return {name: _small_sequence(name, length) for name, length in SMALL_CONTIGS.items()}




@pytest.fixture
def write_vcf(tmp_path) -> Callable[..., Path]:
    """Write a VCF named for its case; ``compress``: None, 'bgzip', 'gzip' or 'bcf'."""

    def _write(name: str, records, samples=("S1",), contigs=None, compress: str | None = None) -> Path:
        text = vcf_text(records, samples, contigs)
        plain = tmp_path / f"{name}.vcf"
        plain.write_text(text)
        if compress is None:
            return plain
        if compress == "bgzip":
            out = tmp_path / f"{name}.vcf.gz"
            pysam.tabix_compress(str(plain), str(out), force=True)
            return out
        if compress == "gzip":
            import gzip

            out = tmp_path / f"{name}.plain.vcf.gz"
            out.write_bytes(gzip.compress(text.encode(), mtime=0))
            return out
        if compress == "bcf":
            out = tmp_path / f"{name}.bcf"
            pysam.bcftools.view("-O", "b", "-o", str(out), str(plain), catch_stdout=False)
            return out
        raise ValueError(compress)

    return _write


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def run_cli_subprocess() -> Callable[..., CliResult]:
    """Run ``python -m varrank ...`` in a subprocess, exactly as a user would (quiet logging)."""

    def _run(*args: str) -> CliResult:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "src"))
        proc = subprocess.run([sys.executable, "-m", "varrank", "-q", *map(str, args)],
                              capture_output=True, text=True, env=env, timeout=120)
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return _run


@pytest.fixture
def run_cli(capfd) -> Callable[..., CliResult]:
    """``varrank.cli.main`` in-process with file-descriptor capture (htslib's C-level stderr
    included): the same code path as the console script without a Python start-up per case.
    An exception that escapes main() fails the test, as a traceback would."""
    from varrank_cli_calls import run_main

    def _run(*args: str) -> CliResult:
        capfd.readouterr()
        code = run_main(["-q", *map(str, args)])
        out, err = capfd.readouterr()
        return CliResult(code, out, err)

    return _run


# Derived files are cached between sessions (keyed by the slice's sha256; gitignored).
DERIVED_CACHE = REPO_ROOT / "tests" / "artifacts" / "derived"


@pytest.fixture(scope="session")
def padded_grch38_chr17(shared_data) -> Path:
    """The GRCh38 chr17 slice padded with N to chr17's true length (bgzip, ~0.6 MB)."""
    return pad_slice(shared_data / "reference/GRCh38_chr17_42425000-43600000.fa",
                     DERIVED_CACHE, "GRCh38", compress=True)


@pytest.fixture(scope="session")
def padded_grch37_chr17(shared_data) -> Path:
    """The GRCh37 chr17 slice padded to true coordinates, named chr17 (UCSC style)."""
    return pad_slice(shared_data / "reference/GRCh37_chr17_41100001-41300000.fa",
                     DERIVED_CACHE, "GRCh37", compress=True)
