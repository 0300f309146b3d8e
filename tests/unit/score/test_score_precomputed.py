"""Precomputed SpliceAI scores as an annotation-bundle source (issue 15 item 5).

The demo patient is scored live once (every allele in a gene, not only the rare ones, so
indels and both strands are in it); those scores are written as Illumina's precomputed VCF
(spliceai_scores.raw.*.vcf, INFO/SpliceAI), built into a bundle by `varrank resources build
--spliceai-scores`, and looked up by ANNOTATE. A second SCORE must then score nothing live and
write the same values; --rescore and a -M that differs from the file's must score live again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from varrank.annotate.sources import SPLICEAI_FORMAT
from varrank.annotate.stage import run_annotate
from varrank.cli import main as varrank_main
from varrank.score.precomputed import best_entry
from varrank.score.stage import ScoreOptions, run_score

SPLICE_COLUMNS = [f"spliceai_{k}" for k in ("ds_ag", "ds_al", "ds_dg", "ds_dl", "dp_ag", "dp_al",
                                           "dp_dg", "dp_dl", "max", "gene")] + ["score_status"]


def test_best_entry_of_an_allele() -> None:
    text = ("T|GENE1|0.01|0.00|0.30|0.00|-3|10|2|-40,T|GENE2|0.50|0.00|0.00|0.00|1|2|3|4,"
            "G|GENE3|0.90|0.00|0.00|0.00|1|1|1|1")
    best = best_entry(text, "T")
    assert (best.gene, best.ds_ag, best.dp_ag) == ("GENE2", 0.5, 1)   # G's entry is another allele
    assert best_entry(text, "C") is None
    # one allele per record (Illumina's layout): its entries hold even where the bundle
    # left-aligned the indel and so rewrote ALT
    assert best_entry("CA|G|0.10|0.00|0.00|0.00|0|0|0|0", "AC").gene == "G"
    assert best_entry("T|G|0.1|x|0|0|0|0|0|0", "T") is None           # not a number: live
    assert best_entry("T|G|0.1|0|0", "T") is None                     # too few fields
    assert best_entry(None, "T") is None


@pytest.fixture(scope="module")
def demo_live(shared_data: Path, spliceai_bundle: Path, tmp_path_factory):
    """The demo patient ingested and scored live (all alleles in a gene)."""
    from varrank.ingest import run_ingest
    from varrank.testdata.demo import build_demo_vcf
    from varrank.testdata.derive import pad_slice

    work = tmp_path_factory.mktemp("precomputed")
    fasta = pad_slice(shared_data / "reference/GRCh38_chr17_42425000-43600000.fa", work, "GRCh38")
    vcf = build_demo_vcf(shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf",
                         shared_data / "variants/clinvar/macarthur_clinvar_alleles.multi.b38.vcf.gz",
                         work / "DEMO.vcf.gz")
    ingested = run_ingest(vcf, "DEMO", work / "ingest", fasta=fasta).table
    annotation = shared_data / "annotation/spliceai_grch38_canonical.regions.txt"
    live = run_score(ingested, fasta, spliceai_bundle, work / "live", annotation,
                     ScoreOptions(all_variants=True))
    return work, fasta, ingested, annotation, pq.read_table(live["table"])


def _write_precomputed(table, path: Path) -> int:
    """Illumina's precomputed layout: one record per allele, INFO/SpliceAI=ALLELE|SYMBOL|DS..|DP.."""
    rows = [r for r in table.to_pylist() if r["spliceai_source"] == "live"]
    with open(path, "w") as out:
        out.write("##fileformat=VCFv4.2\n##fileDate=20261202\n")
        out.write('##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3 variant '
                  f'annotation. These include delta scores (DS) and delta positions (DP) for '
                  f'acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor loss (DL). '
                  f'Format: {SPLICEAI_FORMAT}">\n##contig=<ID=17,length=83257441>\n')
        out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for r in sorted(rows, key=lambda r: (r["pos"], r["ref"], r["alt"])):
            entry = "|".join([r["alt"], r["spliceai_gene"]]
                             + [f"{r[f'spliceai_ds_{k}']:.2f}" for k in ("ag", "al", "dg", "dl")]
                             + [str(r[f"spliceai_dp_{k}"]) for k in ("ag", "al", "dg", "dl")])
            out.write(f"17\t{r['pos']}\t.\t{r['ref']}\t{r['alt']}\t.\t.\tSpliceAI={entry}\n")
    return len(rows)


def test_second_run_takes_every_score_from_the_bundle(demo_live, spliceai_bundle, capsys):
    work, fasta, ingested, annotation, live = demo_live
    written = _write_precomputed(live, work / "spliceai_scores.raw.demo.hg38.vcf")
    assert written >= 100   # the demo's alleles in BRCA1/NBR2 and their neighbours
    assert any(len(r) != len(a) for r, a in zip(live.column("ref").to_pylist(),
                                                live.column("alt").to_pylist()))
    bundle = work / "bundle"
    assert varrank_main(["resources", "build", "--genome", "GRCh38", "--fasta", str(fasta),
                         "--spliceai-scores", str(work / "spliceai_scores.raw.demo.hg38.vcf"),
                         "--no-hpo", "--out", str(bundle)]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["sources"]["spliceai"]["spliceai"] == {"masked": False, "distance": 50}
    assert manifest["sources"]["spliceai"]["rows"] == written

    annotated = run_annotate(ingested, bundle, work / "annotate").table
    out = run_score(annotated, fasta, spliceai_bundle, work / "again", annotation,
                    ScoreOptions(all_variants=True))
    again = pq.read_table(out["table"])
    ledger = json.loads(Path(out["ledger"]).read_text())
    assert any(f"{written} alleles taken from it, 0 scored live" in n for n in ledger["notes"])
    assert again.select(SPLICE_COLUMNS).to_pylist() == live.select(SPLICE_COLUMNS).to_pylist()
    scored = [s for s in again.column("spliceai_source").to_pylist() if s]
    assert scored == ["precomputed"] * written
    assert pq.read_table(out["tracks"]).num_rows == 0   # precomputed scores carry no tracks

    # --rescore, and a run whose -M differs from the file's, score live (rare alleles only here)
    for options, why in ((ScoreOptions(rescore=True), "--rescore"),
                         (ScoreOptions(mask=True), "-M 1 -D 50")):
        out = run_score(annotated, fasta, spliceai_bundle, work / why.strip("-")[:2], annotation,
                        options)
        table = pq.read_table(out["table"])
        sources = [s for s in table.column("spliceai_source").to_pylist() if s]
        assert sources and set(sources) == {"live"}
        notes = json.loads(Path(out["ledger"]).read_text())["notes"]
        assert any("not used" in n and why in n for n in notes), notes


def test_bundle_refuses_a_vcf_without_spliceai_scores(shared_data, tmp_path, capsys):
    vcf = shared_data / "variants/clinvar/macarthur_clinvar_alleles.multi.b38.vcf.gz"
    code = varrank_main(["resources", "build", "--genome", "GRCh38", "--spliceai-scores",
                         str(vcf), "--spliceai-scores-mask", "raw", "--no-hpo",
                         "--out", str(tmp_path / "b")])
    err = capsys.readouterr().err
    assert code == 2 and "not a SpliceAI score VCF" in err and "Traceback" not in err
    code = varrank_main(["resources", "build", "--genome", "GRCh38", "--spliceai-scores",
                         str(vcf), "--no-hpo", "--out", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and "raw or masked" in err
