"""The samplesheet and Phenopacket readers (lib/VarrankInputs.groovy, what main.nf calls before
any task): a bad sheet gives problem lines that each name the file, and no patient; never a
Groovy exception (which Nextflow prints as a stack trace). Run in one JVM (groovy_inputs)."""

from __future__ import annotations

import json

import pytest

HEADER = "patient,vcf,index,sex,hpo_terms,family_id,paternal_id,maternal_id,phenotype\n"


def _assert_refused(answer: dict, path) -> list[str]:
    assert "crash" not in answer, answer
    assert answer["errors"], answer
    assert answer["patients"] == []
    for error in answer["errors"]:
        assert error.startswith(str(path)), error
    return answer["errors"]


@pytest.fixture
def vcf(tmp_path):
    path = tmp_path / "P1.vcf.gz"
    path.write_bytes(b"")
    return path


SHEETS = {  # name -> (bytes of the sheet, fragment of one error)
    "not_utf8": (HEADER.encode() + "P1,P1.vcf.gz,,m\u00e4nnlich,,,,,\n".encode("latin-1"), "line 2: not valid UTF-8"),
    "nul_in_path": ((HEADER + "P1,P1\x00.vcf.gz,,male,,,,,\n").encode(), "not a valid file path"),
    "unbalanced_quote": ((HEADER + 'P1,"P1.vcf.gz,,male,,,,,\n').encode(), "fields but the header has"),
    "only_bom": ("\ufeff".encode(), "missing required column"),
    "empty": (b"", "is empty"),
    "header_only": (HEADER.encode(), "no patients"),
    "binary": (bytes(range(1, 256)), ""),
    "semicolon_separated": (HEADER.replace(",", ";").encode() + b"P1;P1.vcf.gz;;male;;;;;\n", "unknown column"),
    "utf16": (HEADER.encode("utf-16"), ""),
}




def test_good_samplesheet_still_read(tmp_path, vcf, groovy_inputs):
    sheet = tmp_path / "good.csv"
    sheet.write_text(HEADER + "P1,P1.vcf.gz,,male,HP:0001250,,,,2\n")
    answer = groovy_inputs.read("samplesheet", sheet)
    assert answer["errors"] == [] and [p["meta"]["id"] for p in answer["patients"]] == ["P1"]


GOOD_PACKET = {"id": "pp1", "subject": {"id": "P1", "sex": "MALE"},
               "phenotypicFeatures": [{"type": {"id": "HP:0001250", "label": "Seizure"}}],
               "files": [{"uri": "P1.vcf.gz", "fileAttributes": {"fileFormat": "vcf", "genomeAssembly": "GRCh38"}}]}


def _packet(**changes) -> dict:
    packet = json.loads(json.dumps(GOOD_PACKET))
    for key, value in changes.items():
        packet[key] = value
    return packet


PACKETS = {  # name -> (JSON text, fragment of one error)
    "subject_a_string": (json.dumps(_packet(subject="P1")), "subject: missing"),
    "sex_an_object": (json.dumps(_packet(subject={"id": "P1", "sex": {"code": 1}})), "subject.sex"),
    "features_a_string": (json.dumps(_packet(phenotypicFeatures="HP:0001250")), "phenotypicFeatures: not a list"),
    "feature_type_a_string": (json.dumps(_packet(phenotypicFeatures=[{"type": "HP:0001250"}])),
                              "phenotypicFeatures[0].type.id: missing"),
    "feature_a_number": (json.dumps(_packet(phenotypicFeatures=[7])), "phenotypicFeatures[0].type.id"),
    "files_an_object": (json.dumps(_packet(files={"uri": "P1.vcf.gz"})), "files: not a list"),
    "file_attributes_a_string": (json.dumps(_packet(files=[{"uri": "x.txt", "fileAttributes": "vcf"}])),
                                 "no VCF/BCF entry"),
    "assembly_a_list": (json.dumps(_packet(files=[{"uri": "absent.vcf.gz",
                                                   "fileAttributes": {"genomeAssembly": ["GRCh37"]}}])),
                        "file not found"),
    "uri_with_nul": (json.dumps(_packet(files=[{"uri": "P1\u0000.vcf.gz"}])), "not a valid file path"),
    "top_level_a_list": ("[1, 2]", "top level is not an object"),
    "truncated_json": (json.dumps(GOOD_PACKET)[:40], "not valid JSON"),
    "nested_too_deeply": ("[" * 20000 + "]" * 20000, "not valid JSON"),
    "empty": ("", "not valid JSON"),
}


CASES = [("samplesheet", name, ".csv", *SHEETS[name]) for name in SHEETS] + \
        [("phenopacket", name, ".json", PACKETS[name][0].encode(), PACKETS[name][1]) for name in PACKETS]


@pytest.mark.parametrize("kind,name,suffix,data,fragment", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_bad_input_file(kind, name, suffix, data, fragment, tmp_path, vcf, groovy_inputs):
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(data)
    errors = _assert_refused(groovy_inputs.read(kind, path), path)
    assert any(fragment in e for e in errors), errors


def test_good_phenopacket_still_read(tmp_path, vcf, groovy_inputs):
    packet = tmp_path / "good.json"
    packet.write_text(json.dumps(GOOD_PACKET))
    answer = groovy_inputs.read("phenopacket", packet)
    assert answer["errors"] == [] and answer["patients"][0]["meta"]["hpo"] == ["HP:0001250"]
