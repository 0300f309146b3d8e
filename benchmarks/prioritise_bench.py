#!/usr/bin/env python3
"""PRIORITISE benchmark, a SIMULATION: rank of a spiked ClinVar Pathogenic variant in a real background.

The real-case benchmark is cases_bench.py (phenopacket-store cases spiked before INGEST).

Each case is one real background (an annotated variant table of a real genome) plus one
spiked ClinVar Pathogenic/Likely pathogenic allele, with HPO terms sampled from the disease
its ClinVar record cross-references (OMIM), made imprecise (a term replaced by its parent)
and noisy (unrelated terms added). The harness reports the rank of the spiked variant
(top-1/5/10, median) with all evidence and with each evidence kind switched off.

It takes an annotated table (``--background``), so the same script runs at full scale
where a full ClinVar/gnomAD/SpliceAI-annotated genome exists. Without one it builds the
background here with the real chain: ``varrank ingest`` + ``varrank annotate`` (ClinVar
bundle) of HG002 from the GIAB Ashkenazi trio, plus gene/exon/intron/splice-site
consequences from a GENCODE canonical gene model in SpliceAI's annotation format
(``--gene-annotation``, the grch37.txt of the spliceai wheel).

This is a benchmark, not a test: it prints a markdown summary and writes JSON results.
See benchmarks/RESULTS.md for the measured figures and the limits of spiking.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from varrank.core.table_io import read_table  # noqa: E402
from varrank.core.clinvar import review_stars as stars_from_review_status  # noqa: E402
from varrank.core.clinvar import significance_category  # noqa: E402
from varrank.core.genes import GeneTable, identity_columns, read_hgnc  # noqa: E402
from varrank.prioritise.phenotype.hpo_index import HpoIndex, hp_id  # noqa: E402
from varrank.prioritise.stage import PrioritiseOptions, load_resources, prioritise_table  # noqa: E402

LOG = logging.getLogger("prioritise_bench")
ABLATIONS = ("none", "clinvar", "phenotype", "consequence", "inheritance",
             "clinvar,consequence", "computational", "frequency", "pvs1", "protein")


# ---- background ---------------------------------------------------------------------------
@dataclass
class Transcript:
    gene: str
    strand: str
    start: int                 # 1-based inclusive
    end: int
    exons: list[tuple[int, int]]


def read_gene_annotation(path: Path) -> dict[str, list[Transcript]]:
    """SpliceAI annotation format: NAME CHROM STRAND TX_START TX_END EXON_START EXON_END."""
    out: dict[str, list[Transcript]] = defaultdict(list)
    with open(path) as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            name, chrom, strand, _s, _e, starts, ends = line.rstrip("\n").split("\t")[:7]
            exons = [(int(a) + 1, int(b)) for a, b in zip(starts.rstrip(",").split(","),
                                                            ends.rstrip(",").split(","))]
            out[chrom.removeprefix("chr")].append(
                Transcript(name, strand, exons[0][0], exons[-1][1], exons))
    for chrom in out:
        out[chrom].sort(key=lambda t: t.start)
    return out


def consequence_at(genes: dict[str, list[Transcript]], chrom: str, pos: int):
    """(gene, SO consequence) from exon/intron position only (no CDS: coding effect unknown)."""
    txs = genes.get(str(chrom).removeprefix("chr"), [])
    i = bisect.bisect_right([t.start for t in txs], pos)
    for t in reversed(txs[max(0, i - 50):i]):
        if not t.start <= pos <= t.end:
            continue
        for a, b in t.exons:
            if a <= pos <= b:
                return t.gene, "exon_variant"
        # intronic: distance to the nearest exon end (donor on +) / start (acceptor on +)
        best = None
        for a, b in t.exons:
            for edge, kind in ((b, "after_exon"), (a, "before_exon")):
                d = abs(pos - edge)
                if best is None or d < best[0]:
                    best = (d, kind)
        d, kind = best
        donor = (kind == "after_exon") == (t.strand == "+")
        if d <= 2:
            return t.gene, "splice_donor_variant" if donor else "splice_acceptor_variant"
        if d <= 8:
            return t.gene, "splice_region_variant&intron_variant"
        return t.gene, "intron_variant"
    return None, None


def build_background(args, workdir: Path) -> tuple[pa.Table, dict]:
    from varrank.annotate import run_annotate
    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.sources import SourceSpec
    from varrank.ingest import run_ingest

    LOG.info("building the background with varrank ingest + annotate from %s", args.vcf)
    bundle = build_bundle(BuildRequest(out=workdir / "bundle", genome=args.genome, sources=[
        SourceSpec("clinvar", "clinvar", [Path(args.clinvar_background)])], genes=args.genes))
    ingested = run_ingest(args.vcf, args.proband, workdir / "ingest", proband=args.proband,
                          sex=args.sex, ped=args.ped, genome=args.genome)
    table, meta = read_table(run_annotate(ingested.table, bundle, workdir / "annotate").table)
    if args.gene_annotation:
        genes = read_gene_annotation(Path(args.gene_annotation))
        rows = table.to_pylist()
        filled = 0
        for r in rows:
            if r.get("gene_symbol") and r.get("consequence"):
                continue
            gene, csq = consequence_at(genes, r["chrom"], r["pos"])
            if gene:
                r["gene_symbol"] = r.get("gene_symbol") or gene
                r["consequence"] = r.get("consequence") or csq
                filled += 1
        LOG.info("gene model gave %d background rows a gene and exon/intron consequence", filled)
        table = pa.Table.from_pylist(rows, schema=table.schema)
    return table, meta


def load_genes(path: Path | None) -> GeneTable | None:
    """The HGNC table (``--genes``) the bundle was built with, for rows the harness annotates."""
    return GeneTable(read_hgnc(path)[0], release=path.name) if path else None


def with_gene_identity(table: pa.Table, genes: GeneTable | None, log: bool = True) -> pa.Table:
    """``gene_hgnc_id``/``gene_ncbi_id`` for every row, resolved as ANNOTATE resolves them
    (the gene-model rows were filled after ANNOTATE ran)."""
    if genes is None:
        return table
    ids, counts = identity_columns(genes, table.column("gene_symbol").to_pylist(),
                                   table.column("gene_id").to_pylist())
    if log:
        LOG.info("%s", counts.note(genes))
    for name, values in ids.items():
        table = table.set_column(table.schema.get_field_index(name), name,
                                 pa.array(values, pa.string()))
    return table


# ---- causal variants and cases ---------------------------------------------------------------
@dataclass
class Causal:
    chrom: str
    pos: int
    ref: str
    alt: str
    gene: str
    consequence: str | None
    hgvs_c: str | None
    hgvs_p: str | None
    significance: str
    review_status: str
    variation_id: str
    disease: str


def read_causal(path: Path, index: HpoIndex, min_terms: int) -> list[Causal]:
    """ClinVar P/LP records (macarthur-lab format) whose OMIM cross-reference is an HPO
    disease with at least ``min_terms`` phenotype annotations."""
    out, seen = [], set()
    with gzip.open(path, "rt") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            c = line.rstrip("\n").split("\t")
            info = dict(kv.split("=", 1) for kv in c[7].split(";") if "=" in kv)
            sig = info.get("CLINICAL_SIGNIFICANCE", "")
            if significance_category(sig) != "pathogenic" or "," in c[4] or not info.get("SYMBOL"):
                continue
            omim = [x for x in info.get("XREFS", "").split("|") if x.startswith("OMIM:")]
            diseases = [d for d in omim if d in index.diseases
                        and len(index.diseases[d].terms) >= min_terms]
            key = (c[0], int(c[1]), c[3], c[4])
            if not diseases or key in seen:
                continue
            seen.add(key)
            mc = info.get("MOLECULAR_CONSEQUENCE", "")
            csq = "&".join(sorted({p.split(":")[-1] for p in mc.split("|") if p})) or None
            hgvs_p = info.get("HGVS_P")
            out.append(Causal(c[0], int(c[1]), c[3], c[4], info["SYMBOL"], csq,
                              info.get("HGVS_C"), hgvs_p.split(":")[-1] if hgvs_p else None,
                              sig, info.get("REVIEW_STATUS_ORDERED") or info.get("REVIEW_STATUS", ""),
                              info.get("VARIATION_ID", c[2]), diseases[0]))
    return out


def sample_hpo(rng: random.Random, index: HpoIndex, disease: str, imprecision: float,
               max_noise: int, noise_pool: list[int]) -> tuple[list[str], dict]:
    terms = [int(index.term_ids[p]) for p in index.diseases[disease].terms]
    k = min(len(terms), rng.randint(3, 6))
    chosen = rng.sample(terms, k)
    out, n_imprecise = [], 0
    for t in chosen:
        if rng.random() < imprecision:
            pos = index.position[t]
            parents = [int(index.term_ids[a]) for a in index.ancestors(pos)
                       if a != pos and index.phenotypic[a]]
            if parents:   # the most specific ancestor is the direct parent in practice
                t = max(parents, key=lambda p: index.ic[index.position[p]])
                n_imprecise += 1
        out.append(t)
    n_noise = rng.randint(0, max_noise)
    out += rng.sample(noise_pool, n_noise)
    ids = list(dict.fromkeys(hp_id(t) for t in out))
    return ids, {"n_terms": k, "n_imprecise": n_imprecise, "n_noise": n_noise}


def spike(background: pa.Table, causal: Causal, modes: tuple[str, ...], proband: str,
          parents: tuple[str, str] | None, genes=None,
          identity: GeneTable | None = None) -> tuple[pa.Table, str]:
    """Background + the causal allele. With ``genes`` the spike is annotated like the
    background (gene model only: exon/intron/splice, no coding effect, no HGVS); with
    ``identity`` (the HGNC table) its ClinVar gene symbol is resolved as ANNOTATE would."""
    key = f"{causal.chrom}-{causal.pos}-{causal.ref}-{causal.alt}"
    recessive = modes and all("recessive" in m for m in modes)
    x_linked = causal.chrom in ("X", "chrX")
    if x_linked:
        zyg, fam = "hemi", ("hom_ref", "het")
    elif recessive:
        zyg, fam = "hom_alt", ("het", "het")
    else:
        zyg, fam = "het", ("hom_ref", "hom_ref")       # de novo dominant
    row = {name: None for name in background.column_names}
    row.update({
        "chrom": causal.chrom, "pos": causal.pos, "ref": causal.ref, "alt": causal.alt,
        "variant_key": key, "zygosity": zyg, "gt": "1" if zyg == "hemi" else
        ("1/1" if zyg == "hom_alt" else "0/1"),
        "family_zygosity": json.dumps(dict(zip(parents, fam))) if parents else None,
        "gene_symbol": causal.gene, "consequence": causal.consequence,
        "hgvs_c": causal.hgvs_c, "hgvs_p": causal.hgvs_p,
        **({"consequence": consequence_at(genes, causal.chrom, causal.pos)[1],
            "hgvs_c": None, "hgvs_p": None} if genes is not None else {}),
        "clinvar_significance": causal.significance,
        "clinvar_review_status": causal.review_status,
        "clinvar_stars": stars_from_review_status(causal.review_status) or 0,
        "clinvar_variation_id": causal.variation_id,
    })
    if identity is not None and "gene_hgnc_id" in row:
        ids, _ = identity_columns(identity, [causal.gene], [None])
        row.update({name: values[0] for name, values in ids.items()})
    for name in ("filter", "variant_type"):
        if name in row and row[name] is None:
            row[name] = "PASS" if name == "filter" else "SNV"
    keep = pa.compute.not_equal(background.column("variant_key"), key)
    extra = pa.Table.from_pylist([row], schema=background.schema)
    return pa.concat_tables([background.filter(keep), extra]), key


# ---- run -------------------------------------------------------------------------------------
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--background", type=Path, help="annotated variant table (Parquet); "
                   "default: build it from --vcf with ingest + annotate")
    p.add_argument("--vcf", type=Path, help="VCF of the background genome")
    p.add_argument("--proband", default="HG002")
    p.add_argument("--sex", default="male")
    p.add_argument("--ped", type=Path)
    p.add_argument("--genome", default="GRCh37")
    p.add_argument("--clinvar-background", type=Path, help="ClinVar VCF for the background bundle")
    p.add_argument("--gene-annotation", type=Path, help="SpliceAI-format gene model (grch37.txt)")
    p.add_argument("--genes", type=Path, help="HGNC gene table for the background bundle "
                   "(gene identity: previous/alias symbols and IDs); default: none, genes "
                   "meet HPO by symbol only")
    p.add_argument("--causal", type=Path, required=True, help="ClinVar VCF (macarthur-lab format)")
    p.add_argument("--hpo-dir", type=Path)
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--imprecision", type=float, default=0.3)
    p.add_argument("--max-noise", type=int, default=2)
    p.add_argument("--min-terms", type=int, default=3)
    p.add_argument("--ablations", default=";".join(ABLATIONS),
                   help="';'-separated list; each item is ','-joined evidence kinds or 'none'")
    p.add_argument("--spike-consequence", choices=("clinvar", "gene-model"), default="clinvar",
                   help="annotate the spike from its ClinVar record (default) or, as a "
                        "control for annotation asymmetry, from --gene-annotation like the "
                        "background")
    p.add_argument("--shard", default="0/1", metavar="I/N",
                   help="run only cases with index %% N == I (same case list for every shard; "
                        "merge the JSONs with --merge)")
    p.add_argument("--merge", type=Path, nargs="+", metavar="JSON",
                   help="only merge the results of shards and print the summary")
    p.add_argument("--out", type=Path, default=Path("prioritise_bench.json"))
    args = p.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out)
    shard, n_shards = (int(x) for x in args.shard.split("/"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("varrank.prioritise.phenotype.terms").setLevel(logging.ERROR)

    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        if args.background:
            background, meta = read_table(args.background)
        else:
            if not (args.vcf and args.clinvar_background):
                p.error("--background or (--vcf and --clinvar-background) is required")
            background, meta = build_background(args, Path(tmp))
    identity = load_genes(args.genes)
    background = with_gene_identity(background, identity)
    meta = {**meta, "patient": meta.get("patient") or args.proband,
            "proband": meta.get("proband") or args.proband,
            "declared_sex": meta.get("declared_sex") or args.sex}
    proband = meta["proband"]
    parents = None
    if args.ped:
        for line in args.ped.read_text().splitlines():
            c = line.split()
            if len(c) >= 4 and c[1] == proband and c[2] != "0" and c[3] != "0":
                parents = (c[2], c[3])
    base_options = PrioritiseOptions(ped=args.ped, hpo_dir=args.hpo_dir)
    resources = load_resources(base_options)
    index = resources.index
    causal = read_causal(args.causal, index, args.min_terms)
    LOG.info("%d background rows; %d ClinVar P/LP alleles with an HPO-annotated OMIM disease",
             background.num_rows, len(causal))
    rng = random.Random(args.seed)
    noise_pool = [int(t) for i, t in enumerate(index.term_ids)
                  if index.phenotypic[i] and index.ic[i] > 0]
    cases = []
    for n in range(args.cases):
        c = causal[n % len(causal)] if n < len(causal) else rng.choice(causal)
        hpo, how = sample_hpo(rng, index, c.disease, args.imprecision, args.max_noise, noise_pool)
        cases.append((c, hpo, how))
    ablations = [a.strip() for a in args.ablations.split(";") if a.strip()]
    spike_genes = None
    if args.spike_consequence == "gene-model":
        if not args.gene_annotation:
            p.error("--spike-consequence gene-model needs --gene-annotation")
        spike_genes = read_gene_annotation(args.gene_annotation)
    cache: dict = {}
    results = {a: [] for a in ablations}
    for n, (c, hpo, how) in enumerate(cases, 1):
        if (n - 1) % n_shards != shard:
            continue
        table, key = spike(background, c, index.diseases[c.disease].modes, proband, parents,
                           spike_genes, identity)
        for ablation in ablations:
            skip = frozenset() if ablation == "none" else frozenset(ablation.split(","))
            options = PrioritiseOptions(hpo=hpo, ped=args.ped, hpo_dir=args.hpo_dir, skip=skip)
            out, _, _ = prioritise_table(table, meta, options, resources, evidence_cache=cache,
                                         explain=False)
            keys = out.column("variant_key").to_pylist()
            i = keys.index(key)
            rank = out.column("rank")[i].as_py()
            results[ablation].append({
                "variant": key, "gene": c.gene, "disease": c.disease, "hpo": hpo, **how,
                "consequence": c.consequence, "rank": rank,
                "gene_rank": out.column("gene_rank")[i].as_py(),
                "excluded": out.column("excluded_reason")[i].as_py(), "case": n})
        done = len(results[ablations[0]])
        if done % 10 == 0 or n > len(cases) - n_shards:
            LOG.info("%d cases of shard %d/%d done (%.0f s)", done, shard, n_shards,
                     time.time() - started)
            report = {"args": {k: str(v) for k, v in vars(args).items()},
                      "background_rows": background.num_rows, "causal_alleles": len(causal),
                      "cases_done": len(results[ablations[0]]),
                      "distinct_causal_in_cases": len({(c.chrom, c.pos, c.alt)
                                                       for c, _, _ in cases[:n]}),
                      "distinct_diseases": len({c.disease for c, _, _ in cases[:n]}),
                      "hpo_release": index.release, "seconds": round(time.time() - started, 1),
                      "summary": {a: summarise(r) for a, r in results.items()},
                      "cases": results}
            args.out.write_text(json.dumps(report, indent=1))   # partial results survive a stop
    print(markdown(report))
    return 0


def merge(paths: list[Path], out: Path) -> int:
    parts = [json.loads(p.read_text()) for p in paths]
    report = dict(parts[0])
    report["cases"] = {a: sorted((c for p in parts for c in p["cases"][a]),
                                 key=lambda c: c["case"]) for a in parts[0]["cases"]}
    report["cases_done"] = sum(p.get("cases_done", 0) for p in parts)
    first = report["cases"][next(iter(report["cases"]))]
    report["distinct_causal_in_cases"] = len({c["variant"] for c in first})
    report["distinct_diseases"] = len({c["disease"] for c in first})
    report["seconds"] = max(p["seconds"] for p in parts)
    report["summary"] = {a: summarise(r) for a, r in report["cases"].items()}
    report["merged_from"] = [str(p) for p in paths]
    out.write_text(json.dumps(report, indent=1))
    print(markdown(report))
    return 0


def summarise(rows: list[dict]) -> dict:
    ranks = [r["rank"] if r["rank"] is not None else float("inf") for r in rows]
    n = len(ranks)
    finite = [r for r in ranks if r != float("inf")]
    return {"cases": n, "top1": sum(r <= 1 for r in ranks) / n,
            "top5": sum(r <= 5 for r in ranks) / n, "top10": sum(r <= 10 for r in ranks) / n,
            "median_rank": statistics.median(ranks) if finite else None,
            "excluded": n - len(finite)}


def markdown(report: dict) -> str:
    lines = ["| evidence switched off | cases | top-1 | top-5 | top-10 | median rank | excluded |",
             "|---|---|---|---|---|---|---|"]
    for name, s in report["summary"].items():
        lines.append(f"| {name} | {s['cases']} | {s['top1']:.1%} | {s['top5']:.1%} | "
                     f"{s['top10']:.1%} | {s['median_rank']} | {s['excluded']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
