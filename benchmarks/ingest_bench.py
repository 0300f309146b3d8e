"""INGEST throughput and peak memory on a synthetic 1M-record VCF, next to bcftools norm alone.

Not a test. Generates (deterministically, seed 42) a random reference contig and a
single-sample VCF of N records (SNVs, deletions, insertions, multi-allelics; GT:AD:DP:GQ),
then measures each command in its own process under GNU time (``/usr/bin/time -f``: wall,
user+system CPU, peak RSS):

1. ``bcftools norm -f ref.fa -m -any -c x -Ou -o /dev/null in.vcf.gz`` (the CLI, if installed)
2. the same norm through pysam's bundled bcftools (what INGEST calls)
3. ``varrank ingest`` end to end (sniff, prefilter with REF check, norm, extract, Parquet,
   bgzipped+indexed VCF, QC, ledger)

Usage: python benchmarks/ingest_bench.py [--records 1000000] [--workdir DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pysam

REPO = Path(__file__).resolve().parents[1]
CONTIG = "chr1"
SPACING = 50  # one record every ~50 bp


def make_reference(path: Path, length: int, rng: np.random.Generator) -> str:
    seq = rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), size=length)
    text = seq.tobytes()
    with open(path, "wb") as handle:
        handle.write(f">{CONTIG}\n".encode())
        for i in range(0, length, 60):
            handle.write(text[i:i + 60] + b"\n")
    pysam.faidx(str(path))
    return text.decode()


def make_vcf(path: Path, seq: str, n: int, rng: np.random.Generator) -> None:
    positions = np.arange(1, n + 1) * SPACING + rng.integers(-10, 10, size=n)
    kinds = rng.choice(4, size=n, p=[0.85, 0.07, 0.06, 0.02])
    gts = rng.choice(["0/1", "1/1"], size=n, p=[0.6, 0.4])
    depths = rng.integers(10, 80, size=n)
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    third = {"A": "T", "C": "A", "G": "C", "T": "G"}
    lines = ["##fileformat=VCFv4.2", f"##contig=<ID={CONTIG},length={len(seq)}>",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
             '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tBENCH"]
    for pos, kind, gt, dp in zip(positions.tolist(), kinds.tolist(), gts.tolist(), depths.tolist()):
        base = seq[pos - 1]
        alt_reads = dp // 2 if gt == "0/1" else dp
        if kind == 0:
            ref, alt, ad = base, other[base], f"{dp - alt_reads},{alt_reads}"
        elif kind == 1:
            ref, alt, ad = seq[pos - 1:pos + 2], base, f"{dp - alt_reads},{alt_reads}"
        elif kind == 2:
            ref, alt, ad = base, base + seq[pos:pos + 2], f"{dp - alt_reads},{alt_reads}"
        else:
            ref, alt, ad, gt = base, f"{other[base]},{third[base]}", f"2,{dp // 2},{dp // 2}", "1/2"
        lines.append(f"{CONTIG}\t{pos}\t.\t{ref}\t{alt}\t50\tPASS\t.\tGT:AD:DP:GQ\t{gt}:{ad}:{dp}:60")
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_compress(str(plain), str(path), force=True)
    plain.unlink()


def measure(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd`` under GNU time: wall, CPU and peak RSS of that command alone.

    (``os.wait4`` on a forked Python child would report the parent's RSS inherited at fork.)
    """
    timed = ["/usr/bin/time", "-f", "VARRANK_TIME %e %U %S %M", *cmd]
    proc = subprocess.run(timed, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("VARRANK_TIME "))
    wall, user, system, rss_kib = line.split()[1:]
    return {"wall_s": float(wall), "cpu_s": round(float(user) + float(system), 2),
            "peak_rss_mib": round(int(rss_kib) / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workdir", help="keep inputs/outputs here (default: a temp dir, removed)")
    parser.add_argument("--json", help="write the results as JSON here")
    args = parser.parse_args()

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="varrank_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(42)
    fasta, vcf = work / "ref.fa", work / f"synthetic_{args.records}.vcf.gz"
    t0 = time.perf_counter()
    seq = make_reference(fasta, args.records * SPACING + 1000, rng)
    make_vcf(vcf, seq, args.records, rng)
    print(f"generated {args.records} records in {time.perf_counter() - t0:.1f} s: {vcf}", file=sys.stderr)

    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    norm_args = ["-f", str(fasta), "-m", "-any", "-c", "x", "-Ou", "-o", os.devnull, str(vcf)]
    results: dict = {"records": args.records, "host": platform.node(), "cpus": os.cpu_count(),
                     "python": platform.python_version(), "pysam": pysam.__version__,
                     "pysam_bcftools": pysam.version.__bcftools_version__, "runs": {}}
    cli = shutil.which("bcftools")
    if cli:
        version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
        results["bcftools_cli"] = version
        results["runs"]["bcftools norm (CLI)"] = measure([cli, "norm", *norm_args])
    results["runs"]["bcftools norm (pysam)"] = measure(
        [sys.executable, "-c", f"import pysam.bcftools as b; b.norm(*{norm_args!r}, catch_stdout=False)"])
    out = work / "ingest_out"
    shutil.rmtree(out, ignore_errors=True)
    results["runs"]["varrank ingest"] = measure(
        [sys.executable, "-m", "varrank", "-q", "ingest", "--vcf", str(vcf), "--fasta", str(fasta),
         "--patient", "BENCH", "--out", str(out)], env=env)
    ledger = json.loads((out / "BENCH.ingest.ledger.json").read_text())
    results["ingest_ledger"] = {k: ledger[k] for k in ("records_in", "records_out", "added", "dropped")}
    results["load_average_after"] = os.getloadavg()
    for run in results["runs"].values():
        run["records_per_s"] = round(args.records / run["wall_s"])
        run["records_per_cpu_s"] = round(args.records / max(run["cpu_s"], 1e-9))

    print("| command | wall s | CPU s | records/s (wall) | records/CPU-s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, run in results["runs"].items():
        print(f"| {name} | {run['wall_s']} | {run['cpu_s']} | {run['records_per_s']:,} | "
              f"{run['records_per_cpu_s']:,} | {run['peak_rss_mib']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
