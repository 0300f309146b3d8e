"""Cohort benchmark (issue 13 item 3): N patients of the test resources in one `nextflow run`.

    python benchmarks/cohort_bench.py --prepared ~/.cache/varrank/testdata --patients 50 \
        --families 5 --workdir /tmp/cohort_bench --json benchmarks/cohort_bench_50.json

Builds the cohort with `varrank testdata cohort` (singletons and trios with a de novo spike,
real records only), runs `-profile test` on it, and prints the run's wall time and, from the
execution trace, the tasks, CPU seconds (realtime x %cpu) and peak RSS per process; checks
index.html links every analysed patient. Prints figures, asserts nothing else: a benchmark,
not a test (tests/pipeline/test_cohort.py runs six patients in CI).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _seconds(text: str) -> float:
    """Nextflow trace durations: '1m 2s', '3.4s', '250ms'."""
    total = 0.0
    for value, unit in re.findall(r"([\d.]+)\s*(ms|s|m|h)", text):
        total += float(value) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def _mib(text: str) -> float:
    match = re.match(r"([\d.]+)\s*(B|KB|MB|GB)", text.strip())
    if not match:
        return 0.0
    value, unit = float(match.group(1)), match.group(2)
    return value * {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1, "GB": 1024}[unit]


def per_process(trace: Path) -> dict[str, dict[str, float]]:
    with trace.open() as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"tasks": 0, "cpu_s": 0.0, "peak_rss_mib": 0.0})
    for row in rows:
        entry = out[row["process"].split(":")[-1]]
        entry["tasks"] += 1
        cpu = float(row["%cpu"].rstrip("%") or 0) / 100
        entry["cpu_s"] += _seconds(row["realtime"]) * cpu
        entry["peak_rss_mib"] = max(entry["peak_rss_mib"], _mib(row["peak_rss"]))
    return dict(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepared", type=Path, required=True, help="folder of `varrank testdata prepare`")
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--families", type=int, default=5)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    env = {**os.environ, "NXF_OFFLINE": "true", "NXF_ANSI_LOG": "false",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    sheet = subprocess.run([sys.executable, "-m", "varrank", "testdata", "cohort", "--out", str(args.prepared),
                            "--patients", str(args.patients), "--families", str(args.families)],
                           check=True, capture_output=True, text=True, env=env).stdout.strip()
    outdir = args.workdir / "results"
    args.workdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    cpu_before = os.times()
    run = subprocess.run([str(Path(sys.executable).parent / "nextflow"), "run", str(REPO_ROOT), "-profile", "test",
                          "--test_prepared_dir", str(args.prepared), "--input", sheet, "--outdir", str(outdir)],
                         cwd=args.workdir, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    cpu_after = os.times()
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-2000:], file=sys.stderr)
        return 1
    with open(sheet) as handle:
        analysed = [r["patient"] for r in csv.DictReader(handle) if r["vcf"]]
    links = re.findall(r'href="([^"]+\.report\.html)"', (outdir / "index.html").read_text())
    processes = per_process(outdir / "pipeline_info" / "execution_trace.txt")
    result = {
        "patients": len(analysed), "families": args.families, "wall_s": round(wall, 1),
        "children_cpu_s": round((cpu_after.children_user - cpu_before.children_user)
                                + (cpu_after.children_system - cpu_before.children_system), 1),
        "index_links": len(links), "all_linked": sorted(links) == sorted(f"{p}/report/{p}.report.html" for p in analysed),
        "per_process": {k: {kk: round(vv, 1) for kk, vv in v.items()} for k, v in sorted(processes.items())},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
