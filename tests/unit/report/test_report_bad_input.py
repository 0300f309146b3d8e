"""Bad input: odd report.json documents render what they have and say what is missing;
bad files given to `varrank report` end in one clear line and exit 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from report_helpers import assert_no_missing_words, run_cli, visible_text
from varrank.report.render import _humanise, render_html


def _doc(full_report) -> dict:
    return json.loads(full_report[0].json.read_text())


def test_unknown_schema_version_renders_with_a_warning(full_report):
    doc = _doc(full_report)
    doc["schema_version"] = 99
    page = render_html(doc)
    text = visible_text(page)
    assert "report.json declares schema version 99" in text
    assert "AJ-HG002" in text and "PERM1" in text  # what it could read is still shown
    assert_no_missing_words(page)


@pytest.mark.parametrize("section", ["patient", "indication", "qc", "findings", "secondary_findings",
                                     "variants", "exclusions", "methods", "limitations"])
def test_missing_section_is_named_and_the_rest_renders(full_report, section):
    doc = _doc(full_report)
    del doc[section]
    page = render_html(doc)
    text = visible_text(page)
    label = _humanise(section)
    assert f"{label}: section absent from report.json" in text
    assert "Limitations and disclaimers" in text and "Methods" in text
    assert_no_missing_words(page)


def test_findings_with_missing_and_nan_fields(full_report):
    doc = _doc(full_report)
    doc["findings"]["items"] = [
        {"gene": "BRCA1"},  # nearly everything absent
        {"rank": None, "gene": None, "variant": {"chrom": "17", "pos": 43045712, "ref": "G",
                                                 "alt": "A"},
         "gnomad": {"af": "nan"}, "clinvar": {"significance": "None", "stars": None},
         "spliceai": {"max": "NaN", "predicted": True, "tracks": {"offset": [1]}},
         "acmg": {"class": None, "codes": []}, "evidence": "not a list", "missing": "x"},
        "not even an object",
    ]
    page = render_html(doc)
    text = visible_text(page)
    assert "BRCA1" in text and "17:43,045,712 G>A" in text
    assert_no_missing_words(page)


def test_document_that_is_not_an_object():
    page = render_html(["not", "a", "report"])
    text = visible_text(page)
    assert "report.json is not a JSON object" in text
    assert_no_missing_words(page)


def test_nan_never_reaches_report_json(full_report):
    doc = _doc(full_report)  # json.loads would accept NaN; the writer uses allow_nan=False
    raw = full_report[0].json.read_text()
    assert "NaN" not in raw and "Infinity" not in raw
    def walk(node):
        if isinstance(node, float):
            assert math.isfinite(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    src = Path(__file__).resolve().parents[3] / "src"
    return subprocess.run([sys.executable, "-m", "varrank", "-q", "report", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})


def test_cli_render_subcommand_on_an_odd_document(tmp_path):
    path = tmp_path / "odd.report.json"
    path.write_text(json.dumps({"schema_version": "7", "patient": {"id": "P1"}}))
    result = _cli("render", "--json", str(path), "--out", str(tmp_path / "odd.html"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = visible_text((tmp_path / "odd.html").read_text())
    assert "schema version 7" in text and "Findings: section absent" in text


@pytest.mark.parametrize("case", ["no_in", "not_parquet", "bad_ledger", "bad_tracks", "missing_qc"])
def test_cli_bad_inputs_give_one_line_and_exit_2(full_report, tmp_path, case, capsys):
    good = full_report[0].json.parent.parent / "in"
    table = str(good / "AJ-HG002.in.parquet")
    args = {"no_in": ["--out", str(tmp_path)],
            "not_parquet": ["--in", str(good / "AJ-HG002.qc.json"), "--out", str(tmp_path)],
            "bad_ledger": ["--in", table, "--ledger", str(good / "AJ-HG002.qc.json"), "--out", str(tmp_path)],
            "bad_tracks": ["--in", table, "--tracks", table, "--out", str(tmp_path)],
            "missing_qc": ["--in", table, "--qc", str(tmp_path / "absent.json"), "--out", str(tmp_path)],
            }[case]
    code = run_cli(["-q", "report", *args])  # in-process: the same error path as the console script
    stderr = capsys.readouterr().err
    assert code == 2, stderr
    assert "Traceback" not in stderr
    first = stderr.strip().splitlines()[0]
    assert first.startswith("varrank report: error:")
    expected = {"no_in": "--in", "not_parquet": "AJ-HG002.qc.json", "bad_ledger": "not a varrank ledger",
                "bad_tracks": "tracks table lacks", "missing_qc": "absent.json"}[case]
    assert expected in first


def test_cli_writes_every_output(full_report, tmp_path):
    good = full_report[0].json.parent.parent / "in"
    result = _cli("--in", str(good / "AJ-HG002.in.parquet"), "--qc", str(good / "AJ-HG002.qc.json"),
                  "--ledger", str(good / "AJ-HG002.ingest.ledger.json"), "--hpo", "HP:0001250",
                  "--max-variants", "20", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "out" / "AJ-HG002.report.html")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["AJ-HG002.annotated.vcf.gz", "AJ-HG002.annotated.vcf.gz.tbi",
                     "AJ-HG002.ranked.tsv", "AJ-HG002.report.html", "AJ-HG002.report.json"]
