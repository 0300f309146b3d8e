"""Property-based fuzzing (Hypothesis) of the VCF reader (INGEST) and of the samplesheet and
Phenopacket readers: random mutations of a valid file.

The invariant, stated exactly:
- no traceback: no exception other than VarrankError leaves ``varrank.cli.main`` (in-process,
  so the test sees it); the Groovy readers raise nothing (the harness reports any Throwable);
- a refused file (exit 2, or problems listed) says so in one error line naming the file (plus a
  hint, for INGEST), and then yields nothing at all;
- an accepted file loses no valid record: every record line the mutation did not touch is in
  the table (or, only if a touched record became the very same allele first, is listed as that
  duplicate), and the ledger balances; every untouched samplesheet row is a patient.
``VARRANK_FUZZ_EXAMPLES`` raises the example counts for a longer local run; CI runs a fixed,
derandomised set so that a failure is reproducible from the log alone.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from malformed_helpers import assert_one_line_error, good_records, read_ingest, vcf_text, write_vcf

SCALE = int(os.environ.get("VARRANK_FUZZ_EXAMPLES", "0"))
FUZZ = dict(deadline=None, derandomize=SCALE == 0, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Bytes that matter to a line-oriented, tab-separated, UTF-8 format.
SPECIAL = [b"\t", b"\n", b"\r", b" ", b";", b"=", b",", b":", b"/", b"|", b".", b"#", b"<", b">", b"*",
           b"\x00", b"\xff", b"\xc3", b"\xe9", b"0", b"-1", b"9" * 12, b"NON_REF", b"A", b"N", b"chr1"]
piece = st.one_of(st.sampled_from(SPECIAL), st.binary(min_size=1, max_size=6))


@st.composite
def line_mutation(draw, line: bytes) -> bytes:
    """One edit of one line: delete, insert, replace a span, or replace a whole field."""
    kind = draw(st.sampled_from(["delete", "insert", "replace", "field", "truncate", "duplicate_field"]))
    fields = line.split(b"\t")
    if kind in ("field", "duplicate_field"):
        i = draw(st.integers(0, len(fields) - 1))
        if kind == "field":
            fields[i] = draw(st.one_of(piece, st.just(b""), st.just(b".")))
        else:
            fields.insert(i, fields[i])
        return b"\t".join(fields)
    at = draw(st.integers(0, len(line)))
    if kind == "truncate":
        return line[:at]
    if kind == "insert":
        return line[:at] + draw(piece) + line[at:]
    end = draw(st.integers(at, min(len(line), at + 8)))
    return line[:at] + (draw(piece) if kind == "replace" else b"") + line[end:]


@st.composite
def mutated_vcf(draw):
    """(file bytes, indexes of the records left untouched, compression)."""
    records = good_records()
    lines = [r.line().encode() for r in records]
    touched = draw(st.sets(st.integers(0, len(lines) - 1), min_size=1, max_size=3))
    for i in sorted(touched):
        for _ in range(draw(st.integers(1, 3))):
            lines[i] = draw(line_mutation(lines[i]))
    untouched = [i for i in range(len(records)) if lines[i] == records[i].line().encode()]
    header = vcf_text([]).encode()
    return header + b"".join(line + b"\n" for line in lines), untouched, draw(st.sampled_from([None, "bgzip"]))


@settings(max_examples=SCALE or 60, **FUZZ)
@given(case=mutated_vcf())
def test_fuzz_ingest_never_crashes_or_loses_an_untouched_record(case, tmp_path_factory, run_cli, small_fasta):
    data, untouched, compress = case
    folder = tmp_path_factory.mktemp("fuzz")
    vcf = write_vcf(folder / "mutated.vcf", data, compress)
    result = run_cli("ingest", "--vcf", vcf, "--fasta", small_fasta, "--patient", "P1", "--out", folder / "out")
    if result.code != 0:
        event("refused (exit 2)")
        assert_one_line_error(result, "ingest", vcf)
        assert not (folder / "out").exists() or not any((folder / "out").iterdir())
        return
    event("accepted")
    outcome = read_ingest(folder / "out")
    assert outcome.ledger["balanced"] and len(outcome.dropped) == sum(outcome.ledger["dropped"].values())
    kept = set(outcome.keys)
    duplicates = {(row[1], int(row[2])) for row in outcome.dropped if row[5] == "duplicate_record"}
    records = good_records()
    for i in untouched:
        key = (records[i].chrom, records[i].pos)
        assert key in kept or key in duplicates, (i, key, outcome.ledger)
    shutil.rmtree(folder)


# --------------------------------------------------------------------------- samplesheet

def _accepted(answer: dict, path) -> bool:
    """No crash; refused (problems, each naming the file, and no patient) or accepted."""
    assert "crash" not in answer, answer
    if answer["errors"]:
        event("refused")
        assert answer["patients"] == []
        assert all(e.startswith(str(path)) for e in answer["errors"]), answer["errors"]
        return False
    event("accepted")
    return True


SHEET_HEADER = b"patient,vcf,index,sex,hpo_terms,family_id,paternal_id,maternal_id,phenotype"
ROWS = [b"P1,P1.vcf.gz,,female,HP:0001250;HP:0001263,,,,2",
        b"P2,P2.vcf.gz,,male,,,,,2",
        b"P3,P3.vcf.gz,,unknown,HP:0000118,,,,0",
        b"KID,KID.vcf.gz,,male,HP:0001250,FAM,DAD,MUM,2",
        b"DAD,,,male,,FAM,0,0,1",
        b"MUM,,,female,,FAM,0,0,1"]
PATIENT_ROWS = {0: "P1", 1: "P2", 2: "P3", 3: "KID"}  # rows with a VCF are patients


@st.composite
def mutated_sheet(draw):
    """(sheet bytes, indexes into ROWS of the rows left untouched, whether the header is)."""
    original = [SHEET_HEADER, *ROWS]
    lines = list(original)
    for i in sorted(draw(st.sets(st.integers(0, len(lines) - 1), min_size=1, max_size=2))):
        lines[i] = draw(line_mutation(lines[i]))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    untouched = [i - 1 for i in range(1, len(lines)) if lines[i] == original[i]]
    return ending.join(lines) + ending, untouched, lines[0] == SHEET_HEADER


@pytest.fixture(scope="module")
def sheet_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sheets")
    for name in ("P1", "P2", "P3", "KID"):
        (folder / f"{name}.vcf.gz").write_bytes(b"")
    return folder


@settings(max_examples=SCALE or 150, **FUZZ)
@given(case=mutated_sheet())
def test_fuzz_samplesheet_never_crashes_or_loses_an_untouched_row(case, sheet_dir, groovy_inputs):
    data, untouched, header_intact = case
    sheet = sheet_dir / "mutated.csv"
    sheet.write_bytes(data)
    answer = groovy_inputs.read("samplesheet", sheet)
    if not _accepted(answer, sheet):
        return
    ids = {p["meta"]["id"] for p in answer["patients"]}
    assume(header_intact)  # a renamed column may legitimately move every value
    for row in untouched:
        if row in PATIENT_ROWS:
            assert PATIENT_ROWS[row] in ids, (row, answer)


# --------------------------------------------------------------------------- phenopacket

GOOD_PACKET = {"id": "pp1", "subject": {"id": "P1", "sex": "FEMALE"},
               "phenotypicFeatures": [{"type": {"id": "HP:0001250"}}, {"type": {"id": "HP:0001263"}},
                                      {"type": {"id": "HP:0000118"}, "excluded": True}],
               "files": [{"uri": "P1.vcf.gz", "individualToFileIdentifiers": {"P1": "S1"},
                          "fileAttributes": {"fileFormat": "vcf", "genomeAssembly": "GRCh38"}}]}
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(max_size=12), lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


@st.composite
def mutated_packet(draw):
    """(JSON bytes, the replaced path or None for a byte-level edit)."""
    packet = json.loads(json.dumps(GOOD_PACKET))
    if draw(st.booleans()):
        path = draw(st.sampled_from([p for p in _paths(packet) if p]))
        node = packet
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = draw(json_values)
        return json.dumps(packet).encode(), path
    text = json.dumps(packet).encode()
    return draw(line_mutation(text)), None


@settings(max_examples=SCALE or 150, **FUZZ)
@given(case=mutated_packet())
def test_fuzz_phenopacket_never_crashes(case, sheet_dir, groovy_inputs):
    data, path = case
    packet = sheet_dir / "mutated.json"
    packet.write_bytes(data)
    answer = groovy_inputs.read("phenopacket", packet)
    if not _accepted(answer, packet):
        return
    assert len(answer["patients"]) == 1
    if path is not None and path[0] != "phenotypicFeatures":
        assert answer["patients"][0]["meta"]["hpo"] == ["HP:0001250", "HP:0001263"]
