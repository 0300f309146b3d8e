"""The table contract: a typed, versioned footer checked on every read; JSON Schemas for
ledgers, QC and manifests; one reader, one writer, one way to attach a stage's columns."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import InputError, ResourceError
from varrank.core.json_schema import SCHEMAS, problems, schema
from varrank.core.ledger import Ledger
from varrank.core.schema import arrow_schema
from varrank.core.stage_io import attach_columns, read_stage_table
from varrank.core.table_io import METADATA_KEY, write_table
from varrank.core.table_meta import TABLE_SCHEMA_VERSION, TableMetadata
from varrank.ingest.pipeline import run_ingest
from varrank.report.stage import run_report

TRIO = "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz"
PED = "variants/patients/slivar_ashk-trio.ped"


@pytest.fixture(scope="module")
def ingested(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("ingest")
    return run_ingest(shared_data / TRIO, "AJ1", out, ped=shared_data / PED, proband="HG002")


def test_footer_is_typed_and_fills_what_the_report_shows(ingested, shared_data, tmp_path):
    table, meta = read_stage_table(ingested.table, "annotate")
    assert isinstance(meta, TableMetadata) and meta.schema_version == TABLE_SCHEMA_VERSION
    assert meta.patient == "AJ1" and meta.proband == "HG002" and meta.family_id == "ash"
    assert meta.source_vcf == str((shared_data / TRIO).resolve())
    assert meta.samples == ["HG002", "HG003", "HG004"] and [s["stage"] for s in meta.stages] == ["ingest"]
    qc = json.loads(ingested.qc.read_text())
    assert problems(qc, "qc") == []
    outputs = run_report(ingested.table, tmp_path / "report", qc_path=ingested.qc,
                         ledger_paths=[ingested.ledger])
    patient = json.loads(outputs.json.read_text())["patient"]  # were always null before
    assert patient["source_vcf"] == meta.source_vcf and patient["family_id"] == "ash"
    assert patient["sex_declared"] == "male"  # from the PED, through the footer


def _with_footer(tmp_path, footer) -> str:
    table = pa.Table.from_pylist([{"chrom": "1", "pos": 5, "ref": "A", "alt": "T",
                                   "variant_key": "1-5-A-T"}])
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(footer).encode()})
    path = tmp_path / "P1.ingest.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("footer,message", [
    ({"patient": "P1", "stages": []}, "schema version 1; this varrank reads version 2"),
    ({"schema_version": 3, "patient": "P1", "stages": []}, "schema version 3"),
    ({"schema_version": 2, "patient": "P1", "stages": [], "sex": "male"},
     "Additional properties are not allowed"),
    ({"schema_version": 2, "patient": "P1", "stages": [{"stage": "ingest"}]},
     "lacks required field 'varrank_version'"),
    ({"schema_version": 2, "patient": "../P1", "stages": []}, "does not match"),
    ({"schema_version": 2, "patient": "P1", "stages": [], "genome_build": "hg38"}, "is not one of"),
    ("a string", "not a JSON object"),
])
def test_reader_refuses_foreign_or_stale_footers(tmp_path, footer, message):
    with pytest.raises(InputError, match=message) as info:
        read_stage_table(_with_footer(tmp_path, footer), "score")
    assert "P1.ingest.parquet" in str(info.value)


def test_reader_names_missing_columns_and_bad_files(tmp_path):
    path = tmp_path / "P1.x.parquet"
    write_table(pa.table({"chrom": ["1"], "pos": [1]}), path, {"patient": "P1"})
    with pytest.raises(InputError, match="lacks column.*ref, alt.*SCORE needs"):
        read_stage_table(path, "score")
    (tmp_path / "not.parquet").write_text("chrom\tpos\n")
    with pytest.raises(InputError, match="not a readable Parquet"):
        read_stage_table(tmp_path / "not.parquet", "prioritise")
    with pytest.raises(InputError, match="not found"):
        read_stage_table(tmp_path / "absent.parquet", "prioritise")


def test_writer_refuses_a_footer_it_could_not_read_back(tmp_path):
    with pytest.raises(ValueError, match="unknown table metadata field"):
        write_table(pa.table({"x": [1]}), tmp_path / "t.parquet", {"patient": "P", "vcf": "x"})
    with pytest.raises(AssertionError, match="breaks its schema"):
        write_table(pa.table({"x": [1]}), tmp_path / "t.parquet", {"patient": "bad id"})


def test_attach_columns_orders_types_and_replaces():
    base = pa.table({"chrom": ["1", "2"], "rank": pa.array([9, 9], pa.int32()), "pos": [1, 2]})
    out = attach_columns(base, "prioritise", {"rank": [1, 2], "variant_score": [0.5, None]})
    names = arrow_schema("prioritise").names
    assert out.column_names == ["chrom", "pos", *names]          # stage columns last, in order
    assert out.column("rank").to_pylist() == [1, 2]               # a re-run replaces
    assert out.column("rank").type == pa.int32()
    assert out.column("acmg_codes").null_count == 2               # not given: null, not absent


def test_ledger_schema_on_write_and_read(tmp_path):
    ledger = Ledger("score", "P1", records_in=3, records_out=3)
    ledger.flag("scored", n=2)
    path = ledger.write(tmp_path / "P1.score.ledger.json")
    assert Ledger.read(path).flagged == {"scored": 2}
    doc = json.loads(path.read_text())
    doc["records_in"] = -1
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="not a varrank ledger: records_in"):
        Ledger.read(path)


def test_manifest_schemas_hold_for_what_varrank_writes_and_refuse_the_rest(tmp_path, shared_data):
    clinvar = shared_data / "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37",
                                       sources=[SourceSpec("clinvar", "clinvar", [clinvar])]))
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert problems(manifest, "annotation_bundle_manifest") == []
    manifest["genome_build"] = "hg19"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResourceError, match="not an annotation bundle manifest: genome_build"):
        open_bundle(bundle, None)
    for name in SCHEMAS:
        assert schema(name)["$schema"].endswith("2020-12/schema")
