"""Faults a clinical run meets: a task killed by the scheduler (SIGKILL, exit 137), a run
stopped with Ctrl-C (SIGINT to the run's process group), a cached output damaged in the work
folder. After each, `-resume` must give exactly what a clean run gives: the ranked list, the
report, every Parquet table and ledger, byte for byte (the runs are reproducible:
SOURCE_DATE_EPOCH pins the report time, see conftest.Nextflow.env).

The reference is the clean test-profile run every pipeline test shares (conftest.demo_run).
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.pipeline

PATIENT = "DEMO"


def _patient_files(outdir: Path) -> dict[str, bytes]:
    """Every published file of the patient (tables, ledgers, QC, ranked TSV, report JSON,
    HTML, VCF), by path relative to the patient's folder."""
    root = outdir / PATIENT
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _assert_same_outputs(outdir: Path, reference: Path) -> None:
    got, want = _patient_files(outdir), _patient_files(reference)
    assert sorted(got) == sorted(want)
    assert any(name.endswith(".parquet") for name in want)
    assert f"report/{PATIENT}.ranked.tsv" in want and f"report/{PATIENT}.report.json" in want
    differ = [name for name in want if got[name] != want[name]]
    assert not differ, f"differ from the clean run: {differ}"


def _trace(outdir: Path) -> list[dict[str, str]]:
    with (outdir / "pipeline_info" / "execution_trace.txt").open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _status(outdir: Path) -> dict[str, str]:
    """Process name ('SCORE') -> status of its last trace row."""
    return {row["name"].split(" ")[0].split(":")[-1]: row["status"] for row in _trace(outdir)}


def _score_task(work: Path, not_in: set[str] = frozenset(), timeout: float = 600
                ) -> tuple[int, str]:
    """(pid, work folder) of a running `varrank score` task process under ``work`` whose folder
    is not in ``not_in``; waits for one to start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                cwd = os.readlink(proc / "cwd")
            except OSError:
                continue
            if (cwd.startswith(str(work)) and cwd not in not_in and b"score" in argv
                    and any(a.endswith(b"varrank") for a in argv)):
                return int(proc.name), cwd
        time.sleep(0.05)
    raise AssertionError(f"no SCORE task started under {work} within {timeout:.0f} s")


def test_two_clean_runs_give_byte_identical_outputs(nextflow, prepared, demo_run, tmp_path):
    outdir = tmp_path / "results"
    result = nextflow.run("-profile", "test", "--test_prepared_dir", str(prepared), "--outdir",
                          str(outdir), cwd=tmp_path / "launch", timeout=900)
    assert result.returncode == 0, result.output
    _assert_same_outputs(outdir, demo_run["outdir"])


def test_score_killed_then_run_stopped_resumes_to_the_clean_outputs(nextflow, prepared,
                                                                     demo_run, tmp_path):
    """SIGKILL of the SCORE task (what an OOM killer or a preempted node does): Nextflow
    retries it (exit 137). Then Ctrl-C during the retry: the run stops. -resume takes INGEST
    and ANNOTATE from the cache, runs SCORE whole again and ends where a clean run ends."""
    launch, outdir = tmp_path / "launch", tmp_path / "results"
    args = ["-profile", "test", "--test_prepared_dir", str(prepared), "--outdir", str(outdir)]
    run = nextflow.start(*args, cwd=launch, log=tmp_path / "first.log")
    try:
        pid, first_task = _score_task(launch / "work")
        time.sleep(0.5)  # inside the task: models loading or variants being scored
        os.kill(pid, signal.SIGKILL)
        _, retry_task = _score_task(launch / "work", not_in={first_task})
        time.sleep(0.5)
        os.killpg(run.pid, signal.SIGINT)
        assert run.wait(timeout=300) != 0, (tmp_path / "first.log").read_text()
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    log = (tmp_path / "first.log").read_text()
    assert "exit status (137) -- Execution is retried" in log, log[-3000:]
    assert not (outdir / PATIENT / "report").exists(), "a stopped run published a report"
    assert not Path(retry_task, f"{PATIENT}.score.parquet").exists()

    resumed = nextflow.run(*args, "-resume", cwd=launch, timeout=900)
    assert resumed.returncode == 0, resumed.output
    statuses = _status(outdir)
    assert statuses["INGEST"] == statuses["ANNOTATE"] == "CACHED", statuses
    assert statuses["SCORE"] == statuses["REPORT"] == "COMPLETED", statuses
    _assert_same_outputs(outdir, demo_run["outdir"])


def test_a_damaged_cached_output_is_refused_not_reused(nextflow, prepared, demo_run, tmp_path):
    """A byte of ANNOTATE's cached table changed in the work folder: -resume does not carry the
    changed values on. SCORE, whose input changed, refuses the table (its page checksum) and
    names the work folder; deleting that folder as the message says, -resume runs ANNOTATE
    again and ends with the clean outputs."""
    launch, outdir = tmp_path / "launch", tmp_path / "results"
    args = ["-profile", "test", "--test_prepared_dir", str(prepared), "--outdir", str(outdir)]
    first = nextflow.run(*args, cwd=launch, timeout=900)
    assert first.returncode == 0, first.output
    annotate = Path(next(row["workdir"] for row in _trace(outdir)
                         if row["name"].startswith("VARRANK:ANNOTATE")))
    table = annotate / f"{PATIENT}.annotate.parquet"
    meta = pq.ParquetFile(table).metadata
    chunk = max((meta.row_group(0).column(i) for i in range(meta.num_columns)),
                key=lambda c: c.total_compressed_size)
    data = bytearray(table.read_bytes())
    data[chunk.data_page_offset + chunk.total_compressed_size // 2] ^= 0xFF
    table.write_bytes(bytes(data))

    refused = nextflow.run(*args, "-resume", cwd=launch, timeout=900)
    assert refused.returncode != 0, refused.output
    assert "corrupted" in refused.output and str(annotate) in refused.output, refused.output
    assert "Traceback" not in refused.output

    shutil.rmtree(annotate)
    again = nextflow.run(*args, "-resume", cwd=launch, timeout=900)
    assert again.returncode == 0, again.output
    statuses = _status(outdir)
    assert statuses["INGEST"] == "CACHED" and statuses["ANNOTATE"] == "COMPLETED", statuses
    _assert_same_outputs(outdir, demo_run["outdir"])
