"""The cases benchmark harness end to end on 5 real cases of the demo region (EZH1, GRCh38
chr17 slice): spiked into HG00096's VCF before INGEST, then INGEST -> ANNOTATE (snpEff on
the GENCODE models, ClinVar, 1000G) -> PRIORITISE in-process. Keeps the harness from rotting;
the full benchmark is not a test (benchmarks/RESULTS.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCH))

import cases_bench as cb  # noqa: E402

CASES = {  # case id -> (genotype class, zygosity INGEST must give, consequence snpEff must give)
    "PMID_37433783_P1": ("heterozygous", ["het"], "missense_variant"),
    "PMID_37433783_P2": ("heterozygous", ["het"], "missense_variant"),
    "PMID_37433783_P5": ("heterozygous", ["het"], "missense_variant"),
    "PMID_37433783_P10": ("homozygous", ["hom_alt"], "stop_gained"),
    "PMID_37433783_P12": ("heterozygous", ["het"], "splice_acceptor_variant"),
}
ARMS = ("novel", "clinvar", "novel-no-phenotype")


@pytest.fixture(scope="module")
def result(tmp_path_factory, shared_data):
    out = tmp_path_factory.mktemp("cases") / "RESULT.json"
    cases = shared_data / "cases" / "phenopacket_store_cases.dev.tsv.gz"
    code = cb.main(["--cases", str(cases), "--out", str(out), "--data-dir", str(shared_data),
                    "--case-ids", ",".join(CASES), "--arms", ",".join(ARMS)])
    assert code == 0
    return json.loads(out.read_text())


def test_every_spike_passes_the_real_chain(result):
    assert result["set"] == "full-chain" and len(result["cases"]) == 5
    for row in result["cases"]:
        genotype, zygosity, consequence = CASES[row["case_id"]]
        assert row["genotype"] == genotype and row["gene"] == "EZH1"
        for arm in ARMS:
            got = row["arms"][arm]
            assert got["causal_rows"] == 1 and got["causal_zygosity"] == zygosity
            assert got["causal_annotated_gene"] == ["EZH1"]          # snpEff, GENCODE model
            assert consequence in got["causal_consequence"]
            assert got["ranked_rows"] > 150                           # the whole background
            assert isinstance(got["gene_rank"], int) and isinstance(got["variant_rank"], int)
        assert row["runtime_s"] > 0


def test_summary_is_computed_from_the_case_ranks(result):
    for arm in ARMS:
        ranks = [row["arms"][arm]["gene_rank"] for row in result["cases"]]
        summary = result["summary"][arm]["gene"]
        for k in (1, 3, 5, 10):
            assert summary[f"top{k}"] == round(100 * sum(r <= k for r in ranks) / 5, 1)
        assert summary["median"] == sorted(ranks)[2]
        assert sum(s["n"] for s in result["summary"][arm]["gene_by_genotype"].values()) == 5


def test_last_line_is_the_default_arm_summary(capsys, shared_data, tmp_path):
    out = tmp_path / "R.json"
    cases = shared_data / "cases" / "phenopacket_store_cases.dev.tsv.gz"
    cb.main(["--cases", str(cases), "--out", str(out), "--data-dir", str(shared_data),
             "--case-ids", "PMID_37433783_P10", "--arms", "novel"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("cases_bench full-chain arm=novel n=1 gene top1=")


def test_spike_genotypes_and_replacement():
    case = cb.Case("c", "male", "OMIM:1", "G", ["HP:0001250"], [], [
        cb.CaseVariant("chrX", 100, "A", "G", "hemizygous"),
        cb.CaseVariant("chrX", 200, "C", "T", "homozygous")])
    lines = cb.case_records(case)
    assert [ln.rstrip("\n").split("\t")[-1] for ln in lines] == ["1", "1/1"]
    assert lines[0].split("\t")[2] == "varrank_case_causal_1"
    background = ["chrX\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\n", "chrX\t150\t.\tT\tC\t50\tPASS\t.\tGT\t1/1\n"]
    body = cb.spiked_body(background, case)
    assert len(body) == 3 and background[1] in body and background[0] not in body
    assert cb.in_region(case, ("chrX", 1, 1000)) and not cb.in_region(case, ("chrX", 150, 1000))


def test_unranked_cases_count_as_misses():
    summary = cb._topk([1, None, 3, None])
    assert summary["top1"] == 25.0 and summary["top3"] == 50.0 and summary["median"] == "unranked"
    assert cb._topk([2, 1, 5])["median"] == 2


def test_unknown_arm_is_refused():
    with pytest.raises(SystemExit, match="unknown arm"):
        cb.check_arms(["novel", "nonsense"])
