"""One PED reader and one policy: the same PED gives the same family in INGEST and PRIORITISE."""

import json

import pyarrow.parquet as pq

from varrank.core.ledger import Ledger
from varrank.core.pedigree import read_ped
from varrank.core.table_meta import TableMetadata
from varrank.ingest.pipeline import run_ingest
from varrank.prioritise.stage import PrioritiseOptions, _pedigree

TRIO = "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz"


def test_same_ped_same_family_in_ingest_and_prioritise(shared_data, tmp_path):
    ped = tmp_path / "family.ped"
    ped.write_text("ash\tHG002\tHG003\tHG004\t1\t2\n"
                   "ash\tHG003\t0\t0\t1\t0\n"
                   "this line is short\n"          # malformed: skipped with a warning
                   "ash\tHG004\t0\t0\t2\t0\n"
                   "ash\tHG004\t0\t0\t1\t0\n"      # listed twice: first kept, with a warning
                   "other\tNA1\t0\t0\t1\t1\n")     # another family: not part of HG002's
    outputs = run_ingest(shared_data / TRIO, "P1", tmp_path / "ingest", ped=ped)
    table = pq.read_table(outputs.table)
    families = {frozenset(json.loads(v)) for v in table.column("family_zygosity").to_pylist() if v}
    assert families == {frozenset({"HG003", "HG004"})}
    ingest_notes = json.loads(outputs.ledger.read_text())["notes"]

    ledger = Ledger("prioritise", "P1")
    rows = table.slice(0, 5).to_pylist()
    meta = TableMetadata(patient="P1", samples=["HG002", "HG003", "HG004"])
    family = _pedigree(PrioritiseOptions(ped=ped), rows, "HG002", meta, ledger)
    alone = read_ped(ped)
    assert set(family.people) == set(alone.people) == {"HG002", "HG003", "HG004", "NA1"}
    assert family.parents("HG002") == alone.parents("HG002") == ("HG003", "HG004")
    assert family.sex_of("HG004") == alone.sex_of("HG004") == "female"
    for warning in alone.warnings:   # the parse problems are written down by both stages
        assert warning in ingest_notes and warning in ledger.notes
    assert len(alone.warnings) == 2
