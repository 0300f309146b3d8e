"""The real chain: `ingest` -> `annotate` (ClinVar bundle) -> `prioritise` on HG002 of the
Ashkenazi trio, with its PED. No SCORE stage: its evidence must read "not evaluated"."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from varrank.core.ledger import Ledger
from varrank.prioritise.stage import PrioritiseOptions, run_prioritise

TRIO = "variants/patients/slivar_ashk-trio.GRCh37.vcf.gz"
PED = "variants/patients/slivar_ashk-trio.ped"
CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"


@pytest.fixture(scope="module")
def annotated(shared_data, tmp_path_factory):
    from varrank.annotate import run_annotate
    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.sources import SourceSpec
    from varrank.ingest import run_ingest

    tmp = tmp_path_factory.mktemp("chain")
    bundle = build_bundle(BuildRequest(out=tmp / "bundle", genome="GRCh37", sources=[
        SourceSpec("clinvar", "clinvar", [shared_data / CLINVAR37])]))
    ingested = run_ingest(shared_data / TRIO, "HG002", tmp / "ingest", proband="HG002",
                          sex="male", ped=shared_data / PED, genome="GRCh37")
    return run_annotate(ingested.table, bundle, tmp / "annotate").table


def test_chain_ranks_the_pathogenic_allele_and_ledgers_balance(annotated, shared_data,
                                                                hpo_subset_dir, tmp_path):
    options = PrioritiseOptions(hpo=["HP:0003198", "HP:0001324"], ped=shared_data / PED,
                                hpo_dir=hpo_subset_dir)
    paths = run_prioritise(annotated, tmp_path, options)
    rows = pq.read_table(paths["table"]).to_pylist()
    assert len(rows) == pq.read_table(annotated).num_rows
    ledger = Ledger.read(paths["ledger"])
    assert ledger.balanced and ledger.records_in == len(rows)
    perm1 = next(r for r in rows if (r["chrom"], r["pos"]) == ("1", 911595))
    assert perm1["rank"] == 1, [(r["variant_key"], r["rank"]) for r in rows if r["rank"] == 1]
    items = json.loads(perm1["evidence_json"])
    clinvar = next(i for i in items if i["kind"] == "clinvar")
    assert clinvar["status"] == "met" and "Pathogenic" in clinvar["reason"]
    pp3 = next(i for i in items if i.get("code") == "PP3")
    assert pp3["status"] == "not_evaluated"  # SCORE was skipped
    benign = [r for r in rows if r["clinvar_significance"] == "Benign" and r["rank"]]
    assert benign and all(r["rank"] > 1 for r in benign)
