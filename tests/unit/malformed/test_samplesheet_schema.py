"""assets/schema_input.json is the samplesheet's one definition. The pipeline checks it with a
small Groovy subset validator (lib/VarrankJsonSchema.groovy: no JSON Schema library is on
Nextflow's classpath and the nf-schema plugin cannot be fetched offline); here Python's
jsonschema (Draft 2020-12) is the oracle: for every cell of a corpus of good and bad values,
both must find the same (line, column) pairs invalid. Then nf-core/raredisease's sheets."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path

import jsonschema
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((REPO_ROOT / "assets" / "schema_input.json").read_text())
CELL_ERROR = re.compile(r" line (\d+), column '(\w+)': '")

# Values per column: the forms a sheet really holds, and near misses of each rule.
CORPUS = {
    "sample": ["S1", "NA12878", "a.b_c-d", "../x", "a..b", ".hidden", "x" * 128, "x" * 129, "has space", "é"],
    "sex": ["male", "Female", "F", "m", "1", "2", "0", "unknown", "OTHER", "alien", "3", "mal", " male"],
    "phenotype": ["2", "1", "0", "-9", "affected", "Unaffected", "missing", "3", "-1", "sick"],
    "hpo_terms": ["HP:0001250", "HP:0001250;HP:0001263", "HP:0001250|HP:0000001", "HP:0001250 HP:0001263",
                  "HP:12", "hp:0001250", "HP:00012500", "HP:0001250;;", "OMIM:123456", "HP:0001250;x"],
    "hpo_excluded": ["HP:0000365", "HP:1", "HP:0000365,HP:0001250"],
    "family_id": ["F1", "FAM-2.b", "..", "F 1", "F/1"],
    "paternal_id": ["0", "DAD", "D..D", "-", "00"],
    "maternal_id": ["0", "MUM", "M M"],
    "index": ["P1.vcf.gz.tbi", "P1.vcf.gz.csi", "P1.vcf.gz.idx", "has space.tbi"],
    "lane": ["1", "L001", "a b"],
    "type": ["snv", "sv", "SNV", "cnv"],
}
RANDOM_ALPHABET = "HP:0123456789;|,. -_aAmMfF/"


def _corpus_rows() -> list[dict[str, str]]:
    rng = random.Random(20261203)  # fixed: the same corpus every run
    rows = []
    for column, values in CORPUS.items():
        fuzz = ["".join(rng.choice(RANDOM_ALPHABET) for _ in range(rng.randint(1, 14))) for _ in range(15)]
        for value in values + fuzz:
            rows.append({column: value})
    return rows


def _write_sheet(path: Path, rows: list[dict[str, str]], vcf: Path) -> list[str]:
    header = ["patient", "vcf", *CORPUS]
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"patient": f"P{i}", "vcf": vcf.name, **row})
    return header


def _oracle_invalid(rows: list[dict[str, str]], vcf: Path) -> set[tuple[int, str]]:
    """(line, column) of every cell jsonschema rejects. Cells are read as the pipeline reads
    them: trimmed of surrounding spaces, and empty ones count as absent (as in nf-schema)."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    invalid = set()
    for i, row in enumerate(rows):
        cells = {"patient": f"P{i}", "vcf": vcf.name, **row}
        item = {k: v.strip(" ") for k, v in cells.items() if v.strip(" ")}
        for error in validator.iter_errors([item]):
            assert len(error.absolute_path) == 2, error  # [row index, column]: a cell error
            invalid.add((i + 2, str(error.absolute_path[1])))
    return invalid


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    nf_schema = json.loads((REPO_ROOT / "nextflow_schema.json").read_text())
    inputs = [group["properties"]["input"] for group in nf_schema["$defs"].values()
              if "input" in group["properties"]]
    assert inputs == [inputs[0]] and inputs[0]["schema"] == "assets/schema_input.json"


def test_groovy_validator_agrees_with_jsonschema_on_every_cell(tmp_path, groovy_inputs):
    vcf = tmp_path / "P.vcf.gz"
    vcf.write_bytes(b"")
    (tmp_path / "P1.vcf.gz.tbi").write_bytes(b"")
    (tmp_path / "P1.vcf.gz.csi").write_bytes(b"")
    rows = _corpus_rows()
    sheet = tmp_path / "corpus.csv"
    _write_sheet(sheet, rows, vcf)
    answer = groovy_inputs.read("samplesheet", sheet)
    assert "crash" not in answer, answer
    groovy = {(int(m.group(1)), m.group(2)) for e in answer["errors"] if (m := CELL_ERROR.search(e))}
    oracle = _oracle_invalid(rows, vcf)
    assert len(oracle) > 60 and len(rows) - len(oracle) > 60, "the corpus holds both kinds"
    assert groovy == oracle, (sorted(groovy - oracle)[:10], sorted(oracle - groovy)[:10])


def test_unknown_column_and_missing_required_columns_follow_the_schema(tmp_path, groovy_inputs):
    sheet = tmp_path / "cols.csv"
    sheet.write_text("patient,vcf,colour\nP1,P1.vcf,red\n")
    errors = groovy_inputs.read("samplesheet", sheet)["errors"]
    assert any("unknown column 'colour'" in e for e in errors), errors
    validator = jsonschema.Draft202012Validator(SCHEMA)
    assert not validator.is_valid([{"patient": "P1", "vcf": "P1.vcf", "colour": "red"}])
    sheet.write_text("vcf,sex\nP1.vcf,male\n")
    errors = groovy_inputs.read("samplesheet", sheet)["errors"]
    assert errors == [f"{sheet} line 1: missing required column 'patient' (or nf-core/raredisease's "
                      "'sample' and 'case_id')"]
    assert not validator.is_valid([{"vcf": "P1.vcf", "sex": "male"}])


# nf-core/raredisease's own example sheet (assets/samplesheet.csv at commit 56b9dc8, MIT):
# one unaffected sample over five lanes whose parents are not rows of the sheet.
RAREDISEASE_EXAMPLE = """sample,lane,fastq_1,fastq_2,sex,phenotype,paternal_id,maternal_id,case_id
1234N,1,https://example.org/tiny_n_L001_R1_xxx.fastq.gz,https://example.org/tiny_n_L001_R2_xxx.fastq.gz,2,1,caseyupper,caseyupperlamb,caseydonkey
1234N,4,https://example.org/tiny_n_L004_R1_xxx.fastq.gz,https://example.org/tiny_n_L004_R2_xxx.fastq.gz,2,1,caseyupper,caseyupperlamb,caseydonkey
1234N,2,https://example.org/tiny_n_L002_R1_xxx.fastq.gz,https://example.org/tiny_n_L002_R2_xxx.fastq.gz,2,1,caseyupper,caseyupperlamb,caseydonkey
"""


def test_raredisease_example_sheet_runs_unchanged_with_case_vcf(tmp_path, groovy_inputs):
    sheet = tmp_path / "raredisease.csv"
    sheet.write_text(RAREDISEASE_EXAMPLE)
    (tmp_path / "caseydonkey_snv.vcf.gz").write_bytes(b"")
    answer = groovy_inputs.read("samplesheet", sheet, case_vcf=str(tmp_path / "{case_id}_snv.vcf.gz"))
    assert answer["errors"] == [], answer
    [patient] = answer["patients"]
    assert patient["meta"]["id"] == patient["meta"]["sample"] == "1234N"
    assert patient["meta"]["sex"] == "female" and patient["meta"]["family_id"] == "caseydonkey"
    assert patient["meta"]["paternal_id"] is None and patient["vcf"] == str(tmp_path / "caseydonkey_snv.vcf.gz")
    assert any("no affected sample" in w for w in answer["warnings"])
    assert any("'caseyupper' is not a sample of the sheet" in w for w in answer["warnings"])
    # Without --case_vcf the one missing piece is named, with the parameter that gives it.
    errors = groovy_inputs.read("samplesheet", sheet)["errors"]
    assert len(errors) == 1 and "--case_vcf" in errors[0], errors


def test_raredisease_trio_analyses_the_affected_child(tmp_path, groovy_inputs):
    sheet = tmp_path / "trio.csv"
    sheet.write_text("sample,lane,fastq_1,fastq_2,sex,phenotype,paternal_id,maternal_id,case_id\n"
                     "kid,1,k1.fq.gz,k2.fq.gz,1,2,dad,mum,fam1\n"
                     "kid,2,k3.fq.gz,k4.fq.gz,1,2,dad,mum,fam1\n"
                     "dad,1,d1.fq.gz,d2.fq.gz,1,1,0,0,fam1\n"
                     "mum,1,m1.fq.gz,m2.fq.gz,2,1,0,0,fam1\n")
    (tmp_path / "fam1.vcf.gz").write_bytes(b"")
    answer = groovy_inputs.read("samplesheet", sheet, case_vcf=str(tmp_path / "{case_id}.vcf.gz"))
    assert answer["errors"] == [] and answer["warnings"] == [], answer
    [kid] = answer["patients"]
    assert kid["meta"]["id"] == "kid" and kid["meta"]["sex"] == "male"
    assert kid["ped"].splitlines() == ["fam1\tkid\tdad\tmum\t1\t2", "fam1\tdad\t0\t0\t1\t1",
                                       "fam1\tmum\t0\t0\t2\t1"]


@pytest.mark.parametrize("bad, fragment", [
    ("kid,1,k.fq.gz,,3,2,0,0,fam1", "line 2, column 'sex': '3' is not male, female or unknown"),
    ("kid,1,k.fq.gz,,1,5,0,0,fam1", "line 2, column 'phenotype': '5' is not 2/affected"),
    ("kid,1,k.fq.gz,,1,2,0,0,", "line 2, column 'case_id': empty"),
    (",1,k.fq.gz,,1,2,0,0,fam1", "line 2, column 'sample': empty"),
])
def test_raredisease_codes_outside_the_schema(tmp_path, groovy_inputs, bad, fragment):
    sheet = tmp_path / "bad.csv"
    sheet.write_text("sample,lane,fastq_1,fastq_2,sex,phenotype,paternal_id,maternal_id,case_id\n"
                     f"{bad}\nok,1,o.fq.gz,,2,2,0,0,fam2\n")
    (tmp_path / "fam2.vcf.gz").write_bytes(b"")
    answer = groovy_inputs.read("samplesheet", sheet, case_vcf=str(tmp_path / "{case_id}.vcf.gz"))
    assert "crash" not in answer and any(fragment in e for e in answer["errors"]), answer


def test_lanes_that_disagree_are_named(tmp_path, groovy_inputs):
    sheet = tmp_path / "lanes.csv"
    sheet.write_text("sample,lane,sex,phenotype,case_id\nkid,1,1,2,fam1\nkid,2,2,2,fam1\n")
    (tmp_path / "fam1.vcf.gz").write_bytes(b"")
    errors = groovy_inputs.read("samplesheet", sheet, case_vcf=str(tmp_path / "{case_id}.vcf.gz"))["errors"]
    assert errors == [f"{sheet} line 3, column 'sex': sample 'kid' has '2' here but '1' on line 2"]


def test_other_raredisease_vcf_kinds_are_skipped_with_a_note(tmp_path, groovy_inputs):
    for name in ("p_snv.vcf.gz", "p_snv.vcf.gz.tbi", "p_sv.vcf.gz", "p_sv.vcf.gz.tbi"):
        (tmp_path / name).write_bytes(b"")
    sheet = tmp_path / "vcfs.csv"
    sheet.write_text("sample,vcf,tbi,type,case_id,phenotype\n"
                     "proband,p_snv.vcf.gz,p_snv.vcf.gz.tbi,snv,fam1,2\n"
                     "proband,p_sv.vcf.gz,p_sv.vcf.gz.tbi,sv,fam1,2\n")
    answer = groovy_inputs.read("samplesheet", sheet)
    assert answer["errors"] == [], answer
    [patient] = answer["patients"]
    assert patient["vcf"].endswith("p_snv.vcf.gz") and patient["index"].endswith("p_snv.vcf.gz.tbi")
    assert answer["warnings"] == [f"{sheet} line 3: sv VCF of 'proband' skipped (varrank reads small variants: the snv rows)"]


def test_example_samplesheet_follows_the_schema(groovy_inputs):
    example = REPO_ROOT / "assets" / "samplesheet.csv"
    with example.open() as handle:
        rows = [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
    jsonschema.Draft202012Validator(SCHEMA).validate(rows)
    # Its VCF paths are placeholders: the only problems may be the files being absent.
    errors = groovy_inputs.read("samplesheet", example)["errors"]
    assert errors and all("file not found" in e for e in errors), errors


def test_case_vcf_never_replaces_a_sheets_own_vcf_column(tmp_path, groovy_inputs):
    """--case_vcf fills only a sheet without a vcf column: a raredisease VCF-form sheet whose
    case has no affected sample keeps its own VCF."""
    (tmp_path / "p_snv.vcf.gz").write_bytes(b"")
    sheet = tmp_path / "vcfs.csv"
    sheet.write_text("sample,vcf,type,case_id,phenotype\nproband,p_snv.vcf.gz,snv,fam1,1\n")
    answer = groovy_inputs.read("samplesheet", sheet, case_vcf=str(tmp_path / "{case_id}.other.vcf.gz"))
    assert answer["errors"] == [] and answer["warnings"] == [], answer
    assert [p["vcf"] for p in answer["patients"]] == [str(tmp_path / "p_snv.vcf.gz")]
