"""`varrank run` plans the same stage commands that the Nextflow modules call."""

from __future__ import annotations

import subprocess
import sys

import pytest

from varrank.cli import build_parser
from varrank.core.errors import InputError
from varrank.run_cli import plan_stages


def _args(*extra: str):
    return build_parser().parse_args(
        ["run", "--vcf", "p.vcf.gz", "--fasta", "ref.fa", "--patient", "P1", "--out", "o", *extra]
    )


def test_minimal_chain_is_ingest_prioritise_report():
    stages = [s for s, _ in plan_stages(_args())]
    assert stages == ["ingest", "prioritise", "report"]


def test_full_chain_and_skip(tmp_path):
    models = tmp_path / "m"
    for name in ("spliceai", "other"):  # a model folder holding several bundles
        (models / name).mkdir(parents=True)
        (models / name / "manifest.json").write_text("{}")
    args = _args("--bundle", "b", "--model-dir", str(models), "--hpo", "HP:0003002")
    plan = dict(plan_stages(args))
    assert list(plan) == ["ingest", "annotate", "score", "prioritise", "report"]
    assert plan["score"][plan["score"].index("--in") + 1] == "o/annotate/P1.annotate.parquet"
    assert "--tracks" in plan["report"] and plan["report"].count("--ledger") == 4
    assert plan["report"].count("--manifest") == 3  # annotation bundle + both model bundles
    # the indication is shown even when PRIORITISE is skipped
    assert plan["report"][plan["report"].index("--hpo") + 1] == "HP:0003002"
    skipped = [s for s, _ in plan_stages(_args("--bundle", "b", "--skip", "annotate,prioritise"))]
    assert skipped == ["ingest", "report"]


def test_unknown_skip_and_unsafe_patient_are_user_errors():
    with pytest.raises(InputError, match="unknown stage"):
        plan_stages(_args("--skip", "ingest"))
    args = build_parser().parse_args(
        ["run", "--vcf", "v", "--fasta", "f", "--patient", "../x", "--out", "o"])
    with pytest.raises(InputError, match="unsafe"):
        plan_stages(args)


def test_cli_error_is_one_line_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "varrank", "run", "--vcf", "v", "--fasta", "f",
         "--patient", "a/b", "--out", "o"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith("varrank run: error: unsafe patient ID")
    assert proc.stderr.splitlines()[1].startswith("hint:")


def test_excluded_terms_reach_prioritise_as_the_module_passes_them():
    plan = dict(plan_stages(_args("--hpo", "HP:0001250", "--hpo-excluded", "HP:0001263")))
    argv = plan["prioritise"]
    assert argv[argv.index("--hpo-excluded") + 1] == "HP:0001263"
    parsed = build_parser().parse_args(argv)
    assert parsed.hpo_excluded == "HP:0001263"
    assert "--hpo-excluded" not in dict(plan_stages(_args()))["prioritise"]
