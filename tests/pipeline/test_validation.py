"""Input and parameter validation happens in the pipeline before any task is submitted.

Each bad sheet carries many problems at once: the pipeline must list every one (one line
naming file, line and column), exit non-zero, and submit nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline


def _assert_no_task(result) -> None:
    assert "Submitted process" not in result.output
    assert not (result.launch_dir / "work").exists() or not any((result.launch_dir / "work").iterdir())


def test_every_parameter_and_samplesheet_problem_is_listed_before_any_task(
        nextflow, stub_inputs, tmp_path):
    data = stub_inputs["dir"]
    sheet = data / "bad.csv"
    sheet.write_text(
        "patient,vcf,index,sex,hpo_terms,hpo_excluded,family_id,paternal_id,maternal_id,phenotype\n"
        "P1,single.vcf,,female,HP:0001250;HP:12,,F1,DAD,MUM,2\n"        # line 2: bad HPO
        "P1,single.vcf,,male,,,,,,1\n"                                   # line 3: duplicate
        "../evil,single.vcf,,female,,,,,,\n"                             # line 4: unsafe ID
        "P3,missing.vcf,,alien,,,,,,3\n"                                 # line 5: 3 problems
        "DAD,,,female,,,F1,0,0,1\n"                                      # line 6: father female
        "MUM,,,female,,,F1,0,0,1\n"
        "P4,single.vcf,,female\n"                                        # line 8: short row
        "P5,,,female,,,,,,\n"                                            # line 9: no VCF
        "P6,single.vcf,,female,hp:0000001,HP:1,,,,\n"                    # line 10: 2 bad HPO
    )
    result = nextflow.run("--input", str(sheet), "--fasta", "/nonexistent/ref.fa",
                          "--genome", "hg99", "--max_cpus", "many", "--skip", "annotate,report",
                          "--not_a_param", "1", "--outdir", "out", "-stub-run",
                          cwd=tmp_path / "launch")
    assert result.returncode != 0
    expected = [
        "--genome: 'hg99' is not one of GRCh38, GRCh37",
        "--fasta: file not found: /nonexistent/ref.fa",
        "--max_cpus: expected an integer, got 'many'",
        "--skip: 'annotate,report' does not match",
        "bad.csv line 2, column 'hpo_terms': 'HP:0001250;HP:12' is not a list of HPO term IDs",
        "bad.csv line 3, column 'patient': duplicate patient 'P1' (first on line 2)",
        "bad.csv line 4, column 'patient': '../evil' is not a safe ID",
        f"bad.csv line 5, column 'vcf': file not found: {data / 'missing.vcf'}",
        "bad.csv line 5, column 'sex': 'alien' is not male, female or unknown",
        "bad.csv line 5, column 'phenotype': '3' is not",
        "bad.csv line 8: 4 fields but the header has 10 columns",
        "bad.csv line 9, column 'vcf': empty",
        "bad.csv line 10, column 'hpo_terms': 'hp:0000001' is not a list of HPO term IDs",
        "bad.csv line 10, column 'hpo_excluded': 'HP:1' is not a list of HPO term IDs",
        "bad.csv line 2, column 'paternal_id': father 'DAD' has sex female on line 6",
    ]
    for line in expected:
        assert line in result.output, f"missing: {line}\n{result.output}"
    assert f"({len(expected)} problems)" in result.output
    assert "unknown parameter --not_a_param" in result.output
    _assert_no_task(result)


def test_unknown_and_missing_columns(nextflow, stub_inputs, tmp_path):
    sheet = stub_inputs["dir"] / "columns.csv"
    sheet.write_text("patient,colour,sex,sex\nP1,red,male,male\n")
    result = nextflow.run("--input", str(sheet), "--fasta", str(stub_inputs["fasta"]),
                          "--outdir", "out", "-stub-run", cwd=tmp_path / "launch")
    assert result.returncode != 0
    assert "columns.csv line 1, column 2: unknown column 'colour'" in result.output
    assert "columns.csv line 1, column 4: column 'sex' appears twice" in result.output
    assert "columns.csv line 1: missing required column 'vcf'" in result.output
    _assert_no_task(result)


def test_phenopacket_problems_name_their_json_path(nextflow, stub_inputs, tmp_path):
    packet = stub_inputs["dir"] / "bad.json"
    packet.write_text(json.dumps({
        "id": "pp1",
        "subject": {"id": "bad id", "sex": "BOTH"},
        "phenotypicFeatures": [{"type": {"id": "HP:0001250"}}, {"type": {"id": "HPO:1"}}],
        "files": [{"uri": "nowhere.vcf.gz", "fileAttributes": {"fileFormat": "vcf",
                                                               "genomeAssembly": "GRCh37"}}],
    }))
    result = nextflow.run("--phenopacket", str(packet), "--fasta", str(stub_inputs["fasta"]),
                          "--outdir", "out", "-stub-run", cwd=tmp_path / "launch")
    assert result.returncode != 0
    for line in [
        "bad.json: subject.id: unsafe ID 'bad id'",
        "bad.json: subject.sex: 'BOTH' is not MALE, FEMALE, OTHER_SEX or UNKNOWN_SEX",
        "bad.json: phenotypicFeatures[1].type.id: 'HPO:1' is not an HPO term ID",
        "bad.json: files[0].uri: file not found",
        "bad.json: files[0].fileAttributes.genomeAssembly: 'GRCh37' but --genome is GRCh38",
    ]:
        assert line in result.output, f"missing: {line}\n{result.output}"
    _assert_no_task(result)


def test_help_lists_every_schema_parameter(nextflow, tmp_path, repo_root: Path):
    result = nextflow.run("--help", cwd=tmp_path / "launch")
    assert result.returncode == 0, result.output
    schema = json.loads((repo_root / "nextflow_schema.json").read_text())
    names = [n for group in schema["$defs"].values() for n in group["properties"]]
    assert len(names) > 20
    for name in names:
        assert f"--{name} " in result.output, f"--help does not show --{name}"
    assert "Submitted process" not in result.output


def test_test_profile_without_prepared_data_gives_the_command(nextflow, tmp_path):
    missing = tmp_path / "not-prepared"
    result = nextflow.run("-profile", "test", "--test_prepared_dir", str(missing),
                          cwd=tmp_path / "launch")
    assert result.returncode != 0
    assert f"test data not prepared in {missing}: run `make demo`" in result.output
    assert "varrank testdata prepare" in result.output
    _assert_no_task(result)


def test_non_utf8_samplesheet_is_one_listed_problem(nextflow, stub_inputs, tmp_path):
    """The Groovy reader raised MalformedInputException (a stack trace); now one line."""
    sheet = stub_inputs["dir"] / "latin1.csv"
    sheet.write_bytes(b"patient,vcf,sex\nP1,single.vcf,m\xe4nnlich\n")
    result = nextflow.run("--input", str(sheet), "--fasta", str(stub_inputs["fasta"]),
                          "--outdir", "out", "-stub-run", cwd=tmp_path / "launch")
    assert result.returncode != 0
    assert "latin1.csv line 2: not valid UTF-8 text (save the file as UTF-8)" in result.output
    assert "MalformedInputException" not in result.output
    _assert_no_task(result)
