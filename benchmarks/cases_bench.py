#!/usr/bin/env python3
"""Ranking benchmark on real published cases (phenopacket-store), spiked BEFORE INGEST.

    python benchmarks/cases_bench.py --cases CASES.tsv.gz --out RESULT.json \
        [--set full-chain|genome-wide] [--arms novel,clinvar,novel-no-phenotype,...]

For each case the causal variant(s) are written into the background individual's VCF with
the case's allelic state (het 0/1, hom 1/1, hemi 1; both variants of a compound
heterozygote), and that VCF goes through the chain like any patient's:
INGEST -> ANNOTATE -> [SCORE] -> PRIORITISE, in-process (the stage functions ``varrank run``
calls). Nothing is taken from the case file but the alleles, the genotype, the sex and the
HPO terms (observed, and excluded as negative evidence). Resources come from
``cases_data.py`` (built once): annotation bundles, snpEff database, reference.

Sets (never mixed in one figure):
- ``full-chain``: cases whose every causal variant lies in the GRCh38 chr17 slice that has
  a real sequence, GENCODE models with CDS, a real individual (HG00096), 1000 Genomes
  frequencies and ClinVar; ANNOTATE runs snpEff on the spiked VCF.
- ``genome-wide``: every case, against NA12878's whole-chr21 calls. No genome-wide sequence
  or CDS models exist here, so INGEST runs without a FASTA (no left-alignment) and, after
  ANNOTATE (ClinVar, frequencies), background and spike alike get gene, exon/intron and
  splice-site consequences from the GENCODE canonical models (no coding effect). The
  background goes through INGEST/ANNOTATE once and each case's spike VCF (same header and
  sample) on its own; both stages work record by record, and ``--check-merged N`` re-runs N
  cases with the literally merged VCF and asserts identical ranks.

Arms: ``novel`` (default: ClinVar off in the novel-variant sense, the annotation bundle has
no record of any dev-case causal allele), ``clinvar`` (ClinVar on), and ``novel-no-KIND``
for every evidence kind of ``--skip-evidence``. Per case: the causal gene's and variant's
rank per arm and the runtime. RESULT.json: top-1/3/5/10 and median rank per arm, by
variant class and by genotype; the last printed line is the top-k summary of the first arm.

This is a benchmark, not a test (tests/benchmarks/test_cases_bench.py runs 5 cases).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import json
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pyarrow as pa  # noqa: E402
import pysam  # noqa: E402

from varrank.core.genome import LENGTHS  # noqa: E402
from varrank.core.stage_io import read_stage_table  # noqa: E402
from varrank.prioritise.stage import (EVIDENCE_KINDS, PrioritiseOptions,  # noqa: E402
                                      load_resources, prioritise_table)

LOG = logging.getLogger("cases_bench")
CASE_ID_PREFIX = "varrank_case_causal_"
GENOTYPE = {"heterozygous": "0/1", "homozygous": "1/1", "hemizygous": "1"}
SEX = {"MALE": "male", "FEMALE": "female"}
TOP_K = (1, 3, 5, 10)


def default_arms() -> list[str]:
    return ["novel", "clinvar"] + [f"novel-no-{k}" for k in EVIDENCE_KINDS]


# ---- cases -----------------------------------------------------------------------------------
@dataclass
class CaseVariant:
    chrom: str
    pos: int
    ref: str
    alt: str
    state: str


@dataclass
class Case:
    case_id: str
    sex: str
    disease: str
    gene: str
    hpo: list[str]
    excluded: list[str]
    variants: list[CaseVariant] = field(default_factory=list)
    hgnc_id: str | None = None

    @property
    def genotype_class(self) -> str:
        states = [v.state for v in self.variants]
        if len(states) == 2 and states == ["heterozygous", "heterozygous"]:
            return "compound_heterozygous"
        return states[0] if states else "none"


def read_cases(path: Path) -> list[Case]:
    """One Case per row; the second variant columns (``chrom2``...) make a compound het."""
    out = []
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            case = Case(row["case_id"], SEX.get(row["sex"], "unknown"), row["disease_id"],
                        row["gene"], _terms(row["hpo_present"]), _terms(row["hpo_excluded"]),
                        hgnc_id=row.get("hgnc_id") or None)
            for s in ("", "2"):
                if row.get("chrom" + s):
                    case.variants.append(CaseVariant(
                        row["chrom" + s], int(row["pos" + s]), row["ref" + s], row["alt" + s],
                        row["allelic_state" + s]))
            out.append(case)
    return out


def _terms(text: str) -> list[str]:
    return [t for t in (text or "").split(";") if t]


def in_region(case: Case, region: tuple[str, int, int]) -> bool:
    chrom, lo, hi = region
    return bool(case.variants) and all(v.chrom == chrom and lo <= v.pos <= hi - len(v.ref)
                                       for v in case.variants)


# ---- spiking ---------------------------------------------------------------------------------
def case_records(case: Case, n_samples: int = 1) -> list[str]:
    """VCF lines of the causal variants, ID ``varrank_case_causal_<n>``, genotype per state."""
    lines = []
    for n, v in enumerate(case.variants, 1):
        gt = GENOTYPE.get(v.state, "0/1")
        lines.append("\t".join([v.chrom, str(v.pos), f"{CASE_ID_PREFIX}{n}", v.ref, v.alt, ".",
                                "PASS", ".", "GT", *([gt] * n_samples)]) + "\n")
    return lines


def write_vcf(header: str, body: list[str], out: Path) -> Path:
    """bgzipped, sorted VCF with tabix index."""
    order = {c: i for i, c in enumerate(LENGTHS["GRCh38"])}

    def key(line: str):
        chrom, pos = line.split("\t", 2)[:2]
        return (order.get(chrom.removeprefix("chr"), 99), chrom, int(pos))

    plain = out.with_suffix("")
    plain.write_text(header + "".join(sorted(body, key=key)))
    pysam.tabix_compress(str(plain), str(out), force=True)
    plain.unlink()
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return out


def read_background(vcf: Path) -> tuple[str, list[str]]:
    """Header text (one sample, every GRCh38 contig declared) and record lines."""
    with pysam.VariantFile(str(vcf)) as src:
        header = src.header.copy()
    for name, length in LENGTHS["GRCh38"].items():
        if f"chr{name}" not in header.contigs:
            header.contigs.add(f"chr{name}", length=length)
    header.add_line('##varrank_cases_bench=<Description="background individual plus the '
                    'case\'s causal variant(s), ID varrank_case_causal_N">')
    with gzip.open(vcf, "rt") as handle:
        body = [line for line in handle if not line.startswith("#")]
    return str(header), body


def spiked_body(background: list[str], case: Case) -> list[str]:
    """Background records plus the case's; a background record of the same allele is replaced
    (the case's genotype wins)."""
    alleles = {(v.chrom, str(v.pos), v.ref, v.alt) for v in case.variants}
    kept = [line for line in background
            if tuple(line.split("\t", 5)[i] for i in (0, 1, 3, 4)) not in alleles]
    return kept + case_records(case)


# ---- the chain -------------------------------------------------------------------------------
@dataclass
class Chain:
    """Resources loaded once; ``tables`` runs INGEST + ANNOTATE for one VCF per bundle."""

    info: dict
    fasta: Path | None
    snpeff_db: Path | None
    model_dir: Path | None = None
    resources: dict = field(default_factory=dict)

    def bundles(self, arms: list[str]) -> dict[str, Path]:
        need = {"clinvar" if a == "clinvar" else "novel" for a in arms}
        prefix = "" if self.fasta is not None else "gw_"   # genome-wide: split-only bundles
        return {b: Path(self.info[f"bundle_{prefix}{b}"]) for b in sorted(need)}

    def tables(self, vcf: Path, patient: str, sex: str, work: Path,
               bundles: dict[str, Path]) -> dict[str, tuple[pa.Table, dict]]:
        from varrank.annotate import AnnotateOptions, run_annotate
        from varrank.ingest import run_ingest

        ingested = run_ingest(vcf, patient, work / "ingest", fasta=self.fasta, sex=sex,
                              genome="GRCh38")
        out = {}
        for name, bundle in bundles.items():
            annotated = run_annotate(ingested.table, bundle, work / f"annotate_{name}",
                                     AnnotateOptions(snpeff_db=self.snpeff_db, fasta=self.fasta,
                                                     threads=1))
            table_path = annotated.table
            if self.model_dir is not None:
                from varrank.score.stage import run_score

                table_path = run_score(table_path, self.fasta, self.model_dir,
                                       work / f"score_{name}")["table"]
            out[name] = read_stage_table(table_path, "prioritise")
        return out


def arm_options(arm: str, case: Case) -> PrioritiseOptions:
    skip = frozenset({arm.removeprefix("novel-no-")}) if arm.startswith("novel-no-") else frozenset()
    return PrioritiseOptions(hpo=case.hpo, hpo_excluded=case.excluded, skip=skip)


def causal_ranks(table: pa.Table, case: Case) -> dict:
    """Ranks of the causal gene and of its best-ranked causal variant. The gene is the case's
    HGNC ID where the row has one (``--genes``: GENCODE v24 says ATP5B, the case ATP5F1B),
    else the case's symbol."""
    rows = table.select(["vcf_id", "gene_symbol", "gene_hgnc_id", "rank", "gene_rank",
                         "consequence", "excluded_reason", "zygosity"]).to_pylist()
    causal = [r for r in rows if (r["vcf_id"] or "").startswith(CASE_ID_PREFIX)]
    ranks = [r["rank"] for r in causal if r["rank"] is not None]
    gene_ranks = [r["gene_rank"] for r in rows if r["gene_rank"] is not None and (
        r["gene_hgnc_id"] == case.hgnc_id if r["gene_hgnc_id"] and case.hgnc_id
        else r["gene_symbol"] == case.gene)]
    return {"gene_rank": min(gene_ranks) if gene_ranks else None,
            "variant_rank": min(ranks) if ranks else None,
            "ranked_rows": sum(1 for r in rows if r["rank"] is not None),
            "causal_rows": len(causal),
            "causal_annotated_gene": sorted({r["gene_symbol"] or "-" for r in causal}),
            "causal_consequence": (causal[0]["consequence"] if causal else None),
            "causal_zygosity": [r["zygosity"] for r in causal],
            "causal_excluded": sorted({r["excluded_reason"] for r in causal
                                       if r["excluded_reason"]})}


def prioritise_arms(tables: dict, case: Case, arms: list[str], resources,
                    caches: dict | None = None) -> dict[str, dict]:
    """PRIORITISE per arm. ``caches`` (one dict per bundle, kept by the caller) reuse each
    row's ACMG evidence across cases: the stage's own ``evidence_cache``, keyed by allele,
    gene, consequence and switched-off kinds, so ranks are those of a fresh run."""
    out = {}
    for arm in arms:
        bundle = "clinvar" if arm == "clinvar" else "novel"
        table, meta = tables[bundle]
        meta = dataclasses.replace(meta, declared_sex=case.sex)
        cache = caches.setdefault(bundle, {}) if caches is not None else None
        ranked, _, _ = prioritise_table(table, meta, arm_options(arm, case), resources,
                                        evidence_cache=cache, explain=False)
        out[arm] = causal_ranks(ranked, case)
    return out


def run_full_chain(case: Case, chain: Chain, header: str, background: list[str],
                   arms: list[str], resources, work: Path) -> dict:
    started = time.monotonic()
    vcf = write_vcf(header, spiked_body(background, case), work / "spiked.vcf.gz")
    tables = chain.tables(vcf, "CASE", case.sex, work, chain.bundles(arms))
    result = prioritise_arms(tables, case, arms, resources)
    return {"case_id": case.case_id, "gene": case.gene, "disease": case.disease,
            "genotype": case.genotype_class, "n_hpo": len(case.hpo),
            "n_excluded": len(case.excluded), "arms": result,
            "runtime_s": round(time.monotonic() - started, 2)}


# ---- genome-wide arm ---------------------------------------------------------------------------
class GeneModel:
    """GENCODE canonical models (SpliceAI's table): gene and exon/intron/splice consequence,
    the same function for background and spike (``prioritise_bench.consequence_at``)."""

    def __init__(self, path: Path, identity=None):
        from prioritise_bench import read_gene_annotation

        self.genes = read_gene_annotation(path)
        self.identity = identity     # HGNC table (--genes): rows resolved as ANNOTATE would

    def fill(self, table: pa.Table) -> pa.Table:
        from prioritise_bench import consequence_at

        genes, csqs = [], []
        for chrom, pos, gene, csq in zip(*(table.column(c).to_pylist() for c in
                                           ("chrom", "pos", "gene_symbol", "consequence"))):
            if gene and csq:
                genes.append(gene)
                csqs.append(csq)
                continue
            g, c = consequence_at(self.genes, chrom, pos)
            genes.append(gene or g)
            csqs.append(csq or c)
        for name, values in (("gene_symbol", genes), ("consequence", csqs)):
            i = table.column_names.index(name)
            table = table.set_column(i, name, pa.array(values, type=table.schema.field(name).type))
        from prioritise_bench import with_gene_identity

        return with_gene_identity(table, self.identity, log=table.num_rows > 1000)


def _concat(background: pa.Table, spike: pa.Table) -> pa.Table:
    """Background rows (minus any of the spike's alleles) + the spike's, in background schema."""
    keys = set(spike.column("variant_key").to_pylist())
    keep = pa.array([k not in keys for k in background.column("variant_key").to_pylist()])
    spike = spike.select([c for c in background.column_names if c in spike.column_names])
    for name in background.column_names:
        if name not in spike.column_names:
            spike = spike.append_column(background.schema.field(name),
                                        pa.nulls(spike.num_rows, background.schema.field(name).type))
    return pa.concat_tables([background.filter(keep),
                             spike.select(background.column_names).cast(background.schema)])


class GenomeWide:
    """Background through INGEST + ANNOTATE + gene model once; each case's spike on its own."""

    def __init__(self, chain: Chain, vcf: Path, arms: list[str], work: Path, identity=None):
        self.chain, self.arms, self.work = chain, arms, work
        self.caches: dict[str, dict] = {}
        self.model = GeneModel(Path(chain.info["canonical_models"]), identity)
        self.header, self.records = read_background(vcf)
        started = time.monotonic()
        full = write_vcf(self.header, self.records, work / "background.vcf.gz")
        tables = chain.tables(full, "CASE", "unknown", work / "background", chain.bundles(arms))
        self.background = {b: (self.model.fill(t), m) for b, (t, m) in tables.items()}
        LOG.info("genome-wide background: %d rows in %.0f s",
                 next(iter(self.background.values()))[0].num_rows, time.monotonic() - started)

    def run(self, case: Case, resources, merged: bool = False) -> dict:
        started = time.monotonic()
        work = Path(tempfile.mkdtemp(dir=self.work))
        body = spiked_body(self.records, case) if merged else case_records(case)
        vcf = write_vcf(self.header, body, work / "spike.vcf.gz")
        tables = self.chain.tables(vcf, "CASE", case.sex, work, self.chain.bundles(self.arms))
        combined = {}
        for name, (table, meta) in tables.items():
            filled = self.model.fill(table)
            combined[name] = (filled if merged else _concat(self.background[name][0], filled),
                              self.background[name][1])
        result = prioritise_arms(combined, case, self.arms, resources, self.caches)
        return {"case_id": case.case_id, "gene": case.gene, "disease": case.disease,
                "genotype": case.genotype_class, "n_hpo": len(case.hpo),
                "n_excluded": len(case.excluded), "arms": result,
                "runtime_s": round(time.monotonic() - started, 2)}


# ---- summary ---------------------------------------------------------------------------------
def _topk(ranks: list[int | None]) -> dict:
    n = len(ranks)
    out = {f"top{k}": round(100.0 * sum(1 for r in ranks if r is not None and r <= k) / n, 1)
           if n else None for k in TOP_K}
    ordered = sorted(ranks, key=lambda r: (r is None, r or 0))
    median = ordered[n // 2] if n else None   # upper median; an unranked case counts as last
    return {"n": n, **out, "median": median if median is not None else "unranked"}


def summarise(rows: list[dict], arm: str) -> dict:
    gene = [r["arms"][arm]["gene_rank"] for r in rows]
    variant = [r["arms"][arm]["variant_rank"] for r in rows]
    by_class, by_genotype = defaultdict(list), defaultdict(list)
    for r in rows:
        csq = (r["arms"][arm]["causal_consequence"] or "not_annotated").split("&")[0]
        by_class[csq].append(r["arms"][arm]["gene_rank"])
        by_genotype[r["genotype"]].append(r["arms"][arm]["gene_rank"])
    return {"gene": _topk(gene), "variant": _topk(variant),
            "gene_by_variant_class": {k: _topk(v) for k, v in sorted(by_class.items())},
            "gene_by_genotype": {k: _topk(v) for k, v in sorted(by_genotype.items())}}


def summary_line(name: str, arm: str, s: dict) -> str:
    g = s["gene"]
    return (f"cases_bench {name} arm={arm} n={g['n']} gene top1={g['top1']}% top3={g['top3']}% "
            f"top5={g['top5']}% top10={g['top10']}% median={g['median']}; variant "
            f"top1={s['variant']['top1']}% top10={s['variant']['top10']}%")


# ---- main ------------------------------------------------------------------------------------
def select_cases(args, info: dict) -> list[Case]:
    cases = read_cases(Path(args.cases))
    if args.set == "full-chain":
        region = (info["slice"][0], int(info["slice"][1]), int(info["slice"][2]))
        cases = [c for c in cases if in_region(c, region)]
    if args.case_ids:
        wanted = set(args.case_ids.split(","))
        cases = [c for c in cases if c.case_id in wanted]
    if args.shard:
        k, n = (int(x) for x in args.shard.split("/"))
        cases = cases[k::n]
    return cases[:args.limit] if args.limit else cases


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", required=True, help="phenopacket-store case table (.tsv.gz)")
    p.add_argument("--out", required=True, help="RESULT.json")
    p.add_argument("--set", choices=("full-chain", "genome-wide"), default="full-chain")
    p.add_argument("--arms", default=",".join(default_arms()),
                   help="comma list: novel, clinvar, novel-no-KIND (KIND of --skip-evidence)")
    p.add_argument("--cache", type=Path, help="cases_data.py cache (default: its default)")
    p.add_argument("--data-dir", type=Path, help="test-data folder (default ../shared/data)")
    p.add_argument("--model-dir", type=Path, help="run SCORE with this model folder (full chain)")
    p.add_argument("--case-ids", help="comma list of case ids to run")
    p.add_argument("--genes", type=Path, help="genome-wide set: HGNC gene table; rows' genes "
                   "resolved to HGNC/NCBI IDs (HPO joined on the ID, the causal gene found by "
                   "the case's HGNC ID); default: symbols only")
    p.add_argument("--limit", type=int, help="at most this many cases")
    p.add_argument("--shard", help="K/N: every N-th case from the K-th (for parallel runs)")
    p.add_argument("--check-merged", type=int, default=0,
                   help="genome-wide: re-run this many cases with the merged VCF and compare")
    p.add_argument("--workdir", type=Path, help="keep intermediate files here")
    p.add_argument("--resume", action="store_true",
                   help="genome-wide: keep the cases OUT.partial.jsonl already holds and run the "
                        "rest (per-case runtimes are those of the run that scored each case)")
    return p.parse_args(argv)


def check_arms(arms: list[str]) -> None:
    known = set(default_arms())
    unknown = [a for a in arms if a not in known]
    if unknown:
        raise SystemExit(f"cases_bench: unknown arm(s) {', '.join(unknown)}; "
                         f"known: {', '.join(default_arms())}")


def known_terms(case: Case, index) -> int:
    """Drop the case's terms that this HPO release does not know (newer terms, mostly) and
    return how many were dropped: ``--hpo`` would refuse the whole case otherwise."""
    def known(term: str) -> bool:
        number = int(term[3:]) if term[3:].isdigit() else -1
        return number in index.position or index.obsolete.get(number) in index.position

    before = len(case.hpo) + len(case.excluded)
    case.hpo = [t for t in case.hpo if known(t)]
    case.excluded = [t for t in case.excluded if known(t)]
    return before - len(case.hpo) - len(case.excluded)


def run_set(args, info: dict, cases: list[Case], arms: list[str], work: Path) -> list[dict]:
    chain = Chain(info, Path(info["fasta"]) if args.set == "full-chain" else None,
                  Path(info["snpeff_db"]) if args.set == "full-chain" else None, args.model_dir)
    resources = load_resources(PrioritiseOptions())
    dropped = {c.case_id: known_terms(c, resources.index) for c in cases}
    if any(dropped.values()):
        LOG.info("%d cases had HPO terms unknown to release %s (dropped)",
                 sum(1 for n in dropped.values() if n), resources.index.release)
    rows = []
    if args.set == "full-chain":
        header, background = read_background(Path(info["background_vcf"]))
        for n, case in enumerate(cases, 1):
            case_work = Path(tempfile.mkdtemp(dir=work))
            rows.append(run_full_chain(case, chain, header, background, arms, resources, case_work))
            rows[-1]["hpo_terms_unknown_to_release"] = dropped[case.case_id]
            LOG.info("%d/%d %s: %s", n, len(cases), case.case_id, rows[-1]["arms"][arms[0]])
        return rows
    done = resumed_rows(args, arms) if args.resume else {}
    todo = [c for c in cases if c.case_id not in done]
    rows = [done[c.case_id] for c in cases if c.case_id in done]
    LOG.info("%d cases to run, %d taken from %s.partial.jsonl", len(todo), len(rows), args.out)
    from prioritise_bench import load_genes

    gw = GenomeWide(chain, Path(info["genomewide_background_vcf"]), arms, work,
                    load_genes(args.genes)) if todo else None
    for n, case in enumerate(todo, 1):
        rows.append(gw.run(case, resources))
        rows[-1]["hpo_terms_unknown_to_release"] = dropped[case.case_id]
        if n <= args.check_merged:
            merged = gw.run(case, resources, merged=True)
            same = all(merged["arms"][a][k] == rows[-1]["arms"][a][k] for a in arms
                       for k in ("gene_rank", "variant_rank", "ranked_rows"))
            rows[-1]["merged_check"] = "identical" if same else merged["arms"]
            if not same:
                LOG.error("merged VCF differs for %s", case.case_id)
        with open(f"{args.out}.partial.jsonl", "a") as partial:   # survives a crash
            partial.write(json.dumps(rows[-1]) + "\n")
        if n % 50 == 0 or n == len(todo):
            LOG.info("%d/%d cases", n, len(todo))
    return rows


def resumed_rows(args, arms: list[str]) -> dict[str, dict]:
    """Rows an interrupted run of the same --out already wrote (its .partial.jsonl), by case id;
    rows lacking one of ``arms`` are run again. Shards' partial files concatenated into one
    resume as a whole."""
    path = Path(f"{args.out}.partial.jsonl")
    rows: dict[str, dict] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            row = json.loads(line)
            if all(a in row["arms"] for a in arms):
                rows[row["case_id"]] = row
    return rows


def main(argv=None) -> int:
    from cases_data import build, cache_root

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    arms = [a for a in args.arms.split(",") if a]
    check_arms(arms)
    info = build(args.data_dir, args.cache or cache_root())
    cases = select_cases(args, info)
    if not cases:
        raise SystemExit("cases_bench: no case selected")
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        started = time.monotonic()
        rows = run_set(args, info, cases, arms, Path(tmp))
        wall = time.monotonic() - started
    result = {"set": args.set, "cases_file": str(args.cases), "arms": arms,
              "summary": {a: summarise(rows, a) for a in arms},
              "runtime": {"wall_s": round(wall, 1), "per_case_s": _runtime(rows)},
              "resources": {k: info[k] for k in ("key", "background_records", "models",
                                                  "clinvar_records_removed_for_novel")},
              "cases": rows}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    for arm in arms[1:] + arms[:1]:
        print(summary_line(args.set, arm, result["summary"][arm]))
    return 0


def _runtime(rows: list[dict]) -> dict:
    times = [r["runtime_s"] for r in rows]
    return {"median": round(statistics.median(times), 2), "max": max(times),
            "mean": round(statistics.fmean(times), 2)}


if __name__ == "__main__":
    raise SystemExit(main())
