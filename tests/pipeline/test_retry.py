"""conf/base.config: a task killed like the OOM killer does (exit 137) is retried once with
its label's memory and time multiplied by the attempt number."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.pipeline


def test_exit_137_is_retried_with_scaled_resources(nextflow, stub_inputs, tmp_path):
    marker = tmp_path / "report-killed-once"
    killer = tmp_path / "kill_once.config"
    # The first REPORT attempt dies with 137 before its command; the second one runs.
    killer.write_text(
        "process {\n"
        "    withName: 'REPORT' {\n"
        f"        beforeScript = 'if [ ! -e {marker} ]; then touch {marker}; exit 137; fi'\n"
        "    }\n"
        "}\n"
    )
    outdir = tmp_path / "out"
    result = nextflow.run("-c", str(killer), "--input", str(stub_inputs["samplesheet"]),
                          "--fasta", str(stub_inputs["fasta"]), "--skip", "prioritise",
                          "--outdir", str(outdir), "-stub-run", cwd=tmp_path / "launch")
    assert result.returncode == 0, result.output
    assert marker.exists()
    attempts = [row for row in result.trace(outdir) if row["process"] == "VARRANK:REPORT"]
    failed = [row for row in attempts if row["status"] == "FAILED"]
    assert len(failed) == 1 and failed[0]["exit"] == "137" and failed[0]["attempt"] == "1"
    retried = [row for row in attempts if row["name"] == failed[0]["name"] and row["attempt"] == "2"]
    assert len(retried) == 1 and retried[0]["status"] == "COMPLETED"
    # process_single: 4 GB / 2 h on attempt 1, twice that on attempt 2.
    assert (failed[0]["memory"], failed[0]["time"]) == ("4 GB", "2h")
    assert (retried[0]["memory"], retried[0]["time"]) == ("8 GB", "4h")
