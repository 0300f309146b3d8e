#!/usr/bin/env python3
"""Throughput of the original `spliceai` CLI vs `varrank score`, same CPU, same variants.

Both tools score the same real alleles (1000 Genomes BRCA1 sites, GRCh37, every Nth record)
against the same N-padded chr17 reference and the same annotation subset, one after the
other in one run; the script then checks that every DS/DP value is identical and prints one
JSON line with variants/s for each and the ratio. Model loading is timed separately (the
original loads its five Keras models at start-up; varrank creates one onnxruntime session).

    python benchmarks/score_bench.py --spliceai-bin ~/.cache/varrank/ref-venv/bin/spliceai \
        --bundle ~/.cache/varrank/bundles/spliceai --data ../shared/data --n 40

The original needs its own throwaway environment (tests/data/score/make_spliceai_expected.py
says how); it is never a dependency of varrank.
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

import score_helpers as helpers  # noqa: E402

from varrank.score.stage import ScoreOptions, run_score  # noqa: E402

VCF = "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
ANNOTATION = "annotation/spliceai_grch37_canonical.regions.txt"
INFO_HEADER = ('##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3.1 variant '
               'annotation. These include delta scores (DS) and delta positions (DP) for acceptor '
               'gain (AG), acceptor loss (AL), donor gain (DG), and donor loss (DL). Format: '
               'ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">')


def pick(data: Path, n: int, snv_only: bool) -> list[tuple[str, int, str, str]]:
    alleles = [a for a in helpers.vcf_alleles(data / VCF)
               if not snv_only or (len(a[2]) == 1 and len(a[3]) == 1)]
    stride = max(len(alleles) // n, 1)
    return alleles[::stride][:n]


def write_vcf(alleles, path: Path) -> None:
    with open(path, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n##contig=<ID=17>\n" + INFO_HEADER + "\n")
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, ref, alt in alleles:
            handle.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_original(bin_path: Path, vcf: Path, out: Path, fasta: Path,
                 ann: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one original CLI run (CPU is fairer on a shared machine)."""
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([str(bin_path), "-I", str(vcf), "-O", str(out), "-R", str(fasta), "-A",
                    str(ann), "-D", "50", "-M", "0"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - start, _children_cpu() - cpu


def parse_original(path: Path) -> dict[tuple, list]:
    out = {}
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        for item in f[7].split(";"):
            if item.startswith("SpliceAI="):
                parts = item.split("=", 1)[1].split("|")
                out[(f[0], int(f[1]), f[3], f[4])] = [float(v) for v in parts[2:6]] + \
                    [int(v) for v in parts[6:10]]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spliceai-bin", type=Path, required=True)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--snv-only", action="store_true")
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    data = args.data.resolve()
    alleles = pick(data, args.n, args.snv_only)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        fasta = helpers.padded_fasta(data, helpers.GRCH37_CHR17, tmp / "g37_17.fa.gz")
        plain = tmp / "g37_17.fa"  # the original reads plain FASTA through pyfaidx
        plain.write_text(f">17\n{'N' * (helpers.GRCH37_CHR17[2] - 1)}"
                         f"{helpers.read_slice(data / helpers.GRCH37_CHR17[0])}\n")
        write_vcf(alleles, tmp / "in.vcf")
        write_vcf([], tmp / "empty.vcf")
        ann = data / ANNOTATION
        startup, startup_cpu = run_original(args.spliceai_bin, tmp / "empty.vcf", tmp / "empty.out.vcf",
                               plain, ann)
        total_orig, cpu_orig = run_original(args.spliceai_bin, tmp / "in.vcf", tmp / "out.vcf", plain, ann)
        original = parse_original(tmp / "out.vcf")

        table = helpers.variant_table(alleles, tmp / "BENCH.ingest.parquet", patient="BENCH")
        t0, c0 = time.perf_counter(), time.process_time()
        paths = run_score(table, fasta, args.bundle, tmp / "out", ann,
                          ScoreOptions(all_variants=True, threads=args.threads))
        total_mine = time.perf_counter() - t0
        cpu_mine = time.process_time() - c0
        import pyarrow.parquet as pq

        mine = {}
        for row in pq.read_table(paths["table"]).to_pylist():
            if row["score_status"] == "scored":
                mine[(row["chrom"], row["pos"], row["ref"], row["alt"])] = \
                    [row[f"spliceai_ds_{k}"] for k in ("ag", "al", "dg", "dl")] + \
                    [row[f"spliceai_dp_{k}"] for k in ("ag", "al", "dg", "dl")]
        ledger = json.loads(Path(paths["ledger"]).read_text())
    same = sum(1 for k, v in original.items() if mine.get(k) == v)
    scored_s = total_orig - startup
    result = {
        "variants": len(alleles), "scored_original": len(original), "scored_varrank": len(mine),
        # density matters: nearby alleles share reference blocks, isolated ones each pay one
        "span_bp": max(a[1] for a in alleles) - min(a[1] for a in alleles),
        "alleles_per_kb": round(1000 * len(alleles) /
                                max(max(a[1] for a in alleles) - min(a[1] for a in alleles), 1), 2),
        "varrank_threads": args.threads,
        "identical": same,
        "differences": {str(k): [v, mine.get(k)] for k, v in original.items()
                        if mine.get(k) != v},
        "original_total_s": round(total_orig, 1), "original_startup_s": round(startup, 1),
        "original_variants_per_s": round(len(alleles) / scored_s, 3),
        "varrank_total_s": round(total_mine, 1),
        "varrank_variants_per_s_total": round(len(alleles) / total_mine, 3),
        "speedup_excluding_original_startup": round(scored_s / total_mine, 2),
        "speedup_total": round(total_orig / total_mine, 2),
        "original_cpu_s": round(cpu_orig, 1), "original_startup_cpu_s": round(startup_cpu, 1),
        "varrank_cpu_s": round(cpu_mine, 1),
        "cpu_speedup_excluding_original_startup": round((cpu_orig - startup_cpu) / cpu_mine, 2),
        "cpu_speedup_total": round(cpu_orig / cpu_mine, 2),
        "varrank_notes": ledger["notes"],
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                   f"load average at end {os.getloadavg()[0]:.1f}",
    }
    print(json.dumps(result))
    return 0 if same == len(original) else 1


if __name__ == "__main__":
    sys.exit(main())
