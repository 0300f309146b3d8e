#!/usr/bin/env python3
"""Throughput of the original `pangolin` CLI vs `varrank score`, same CPU, same alleles, one run;
and SpliceAI + Pangolin in one SCORE pass vs SpliceAI alone.

Both tools score the same real alleles (1000 Genomes BRCA1 sites, GRCh37, every k-th record,
SNVs and indels) against the same GRCh37 chr17 slice padded with N to true coordinates
(upper-cased for the original, see score_pangolin_oracle.py) and the same genes (the GRCh37
canonical table; for the original as a gffutils database made by its own create_db.py), -d 50
-m True. The script checks that every gain/loss is within 0.01 at the same position and prints
one JSON line with variants/s, CPU seconds and the ratios; varrank also runs Pangolin with
--no-cone (full graph for every allele: what the cone pass saves, same scores required). Start-up of the original (loading
12 models) is timed separately on an empty VCF.

    python benchmarks/score_pangolin_bench.py \
        --pangolin-python ~/.cache/varrank/pangolin-ref-venv/bin/python \
        --pangolin-src ~/.cache/varrank/pangolin-src \
        --pangolin-bundle ~/.cache/varrank/bundles/pangolin-<hash> \
        --spliceai-bundle ~/.cache/varrank/bundles/spliceai-<hash> --n 120

The original runs in its own throwaway environment (score_pangolin_oracle.py says how); it is
never a dependency of varrank.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "score"))
sys.path.insert(0, str(REPO / "benchmarks"))

import pyarrow.parquet as pq  # noqa: E402
import score_helpers as helpers  # noqa: E402
import score_pangolin_oracle as oracle  # noqa: E402
from score_bench import _children_cpu, pick  # noqa: E402

from varrank.score.pangolin_rules import parse_info, same_scores  # noqa: E402
from varrank.score.stage import ScoreOptions, run_score  # noqa: E402

ANNOTATION = "annotation/spliceai_grch37_canonical.regions.txt"


def run_original(python: str, vcf: Path, fasta: Path, db: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run of the original CLI."""
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([str(Path(python).with_name("pangolin")), "-m", "True", str(vcf), str(fasta),
                    str(db), str(out)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def parse(path: Path) -> dict[tuple, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        found = [i[len("Pangolin="):] for i in f[7].split(";") if i.startswith("Pangolin=")]
        if found:
            out[(f[0], int(f[1]), f[3], f[4])] = found[0]
    return out


def same(theirs: str, mine: str | None) -> bool:
    if mine is None:
        return False
    a, b = parse_info(theirs), parse_info(mine)
    return a.keys() == b.keys() and all(same_scores(a[g], b[g]) for g in a)


def timed_score(table: Path, fasta: Path, models: Path, ann: Path, out: Path,
                threads: int | None, cone: bool = True) -> tuple[float, float, dict, list[str]]:
    t0, c0 = time.perf_counter(), time.process_time()
    paths = run_score(table, fasta, models, out, ann,
                      ScoreOptions(all_variants=True, threads=threads, cone=cone))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = {(r["chrom"], r["pos"], r["ref"], r["alt"]): r
            for r in pq.read_table(paths["table"]).to_pylist()}
    return wall, cpu, rows, json.loads(Path(paths["ledger"]).read_text())["notes"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pangolin-python", required=True,
                        help="python of the throwaway venv with upstream Pangolin")
    parser.add_argument("--pangolin-src", type=Path, required=True)
    parser.add_argument("--pangolin-bundle", type=Path, required=True)
    parser.add_argument("--spliceai-bundle", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=120)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    data = args.data.resolve()
    alleles = pick(data, args.n, snv_only=False)
    ann = data / ANNOTATION
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fasta = helpers.padded_fasta(data, helpers.GRCH37_CHR17, tmp / "g37.fa.gz")
        plain = tmp / "g37.fa"
        oracle.write_padded(helpers.read_slice(data / helpers.GRCH37_CHR17[0]),
                            helpers.GRCH37_CHR17[2], "17", plain)
        gtf = tmp / "genes.gtf"
        oracle.table_to_gtf(ann, "17", gtf)
        subprocess.run([args.pangolin_python, str(args.pangolin_src / "scripts/create_db.py"),
                        str(gtf)], check=True, stdout=subprocess.DEVNULL)
        oracle.write_vcf(alleles, tmp / "in.vcf")
        oracle.write_vcf([], tmp / "empty.vcf")
        db = gtf.with_suffix(".db")
        startup, startup_cpu = run_original(args.pangolin_python, tmp / "empty.vcf", plain, db,
                                            tmp / "empty")
        total, cpu = run_original(args.pangolin_python, tmp / "in.vcf", plain, db, tmp / "out")
        original = parse(tmp / "out.vcf")

        table = helpers.variant_table(alleles, tmp / "BENCH.ingest.parquet", patient="BENCH")
        both = tmp / "models"
        both.mkdir()
        (both / "spliceai").symlink_to(args.spliceai_bundle.resolve())
        (both / "pangolin").symlink_to(args.pangolin_bundle.resolve())
        runs = {name: timed_score(table, fasta, models, ann, tmp / name, args.threads, cone)
                for name, models, cone in (("pangolin", args.pangolin_bundle, True),
                                           ("spliceai", args.spliceai_bundle, True),
                                           ("both", both, True),
                                           ("pangolin_full_graph", args.pangolin_bundle, False))}
    mine = {k: r["pangolin_info"] for k, r in runs["pangolin"][2].items()}
    agree = sum(same(v, mine.get(k)) for k, v in original.items())
    scored_s, scored_cpu = total - startup, cpu - startup_cpu
    wall, cpu_mine = runs["pangolin"][0], runs["pangolin"][1]
    pangolin_in_both = all(runs["both"][2][k]["pangolin_info"] == v for k, v in mine.items())
    spliceai_in_both = all(runs["both"][2][k]["spliceai_max"] == r["spliceai_max"]
                           for k, r in runs["spliceai"][2].items())
    result = {
        "variants": len(alleles), "scored_original": len(original),
        "scored_varrank": sum(r["pangolin_status"] == "scored"
                              for r in runs["pangolin"][2].values()),
        "span_bp": max(a[1] for a in alleles) - min(a[1] for a in alleles),
        "within_0.01_same_positions": agree,
        "differences": {str(k): [v, mine.get(k)] for k, v in original.items()
                        if not same(v, mine.get(k))},
        "original_total_s": round(total, 1), "original_startup_s": round(startup, 1),
        "original_cpu_s": round(cpu, 1), "original_startup_cpu_s": round(startup_cpu, 1),
        "original_variants_per_s": round(len(alleles) / scored_s, 4),
        "varrank_pangolin_s": round(wall, 1), "varrank_pangolin_cpu_s": round(cpu_mine, 1),
        "varrank_pangolin_variants_per_s": round(len(alleles) / wall, 3),
        "speedup_excluding_original_startup": round(scored_s / wall, 1),
        "speedup_total": round(total / wall, 1),
        "cpu_speedup_excluding_original_startup": round(scored_cpu / cpu_mine, 1),
        "pangolin_full_graph_s": round(runs["pangolin_full_graph"][0], 1),
        "pangolin_full_graph_cpu_s": round(runs["pangolin_full_graph"][1], 1),
        "cone_equals_full_graph": all(
            runs["pangolin_full_graph"][2][k]["pangolin_info"] == v for k, v in mine.items()),
        "spliceai_alone_s": round(runs["spliceai"][0], 1),
        "spliceai_alone_cpu_s": round(runs["spliceai"][1], 1),
        "spliceai_plus_pangolin_s": round(runs["both"][0], 1),
        "spliceai_plus_pangolin_cpu_s": round(runs["both"][1], 1),
        "one_pass_equals_separate_runs": pangolin_in_both and spliceai_in_both,
        "varrank_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "varrank_notes": runs["both"][3],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"load average at end {os.getloadavg()[0]:.1f}",
    }
    print(json.dumps(result))
    return 0 if agree == len(original) else 1


if __name__ == "__main__":
    sys.exit(main())
