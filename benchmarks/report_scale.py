"""REPORT throughput and peak memory on a synthetic genome-scale table.

    PYTHONPATH=src python benchmarks/report_scale.py --rows 1000000 --out /tmp/report_bench

Builds a table with every schema column (ingest..prioritise) filled with plausible values
(1 in 1000 rows ranked, 1 in 50 ClinVar-annotated), writes it as Parquet, then times
`run_report` and reports peak RSS (resource.getrusage of this process). Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from varrank.core import schema
from varrank.core.table_io import write_table


def synthetic(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    pos = np.sort(rng.integers(1, 248_000_000, n))
    bases = np.array(list("ACGT"))
    ref = bases[rng.integers(0, 4, n)]
    alt = bases[(np.searchsorted(bases, ref) + rng.integers(1, 4, n)) % 4]
    chrom = np.full(n, "chr1")
    keys = [f"chr1-{p}-{r}-{a}" for p, r, a in zip(pos, ref, alt)]
    zyg = rng.choice(["het", "hom_alt"], n, p=[0.6, 0.4])
    ranked = rng.random(n) < 0.001
    rank = np.where(ranked, np.cumsum(ranked), 0)
    annotated = rng.random(n) < 0.02
    cols = {c.name: pa.nulls(n, c.type) for c in schema.ALL_COLUMNS}
    cols.update(
        chrom=pa.array(chrom), pos=pa.array(pos, pa.int64()), ref=pa.array(ref), alt=pa.array(alt),
        variant_key=pa.array(keys), filter=pa.array(np.where(rng.random(n) < 0.93, "PASS", "LowQual")),
        variant_type=pa.array(np.full(n, "SNV")), zygosity=pa.array(zyg),
        gt=pa.array(np.where(zyg == "het", "0/1", "1/1")),
        gq=pa.array(rng.integers(1, 99, n).astype(np.int32)), dp=pa.array(rng.integers(5, 80, n).astype(np.int32)),
        gene_symbol=pa.array(np.where(annotated, "GENE" + (pos % 500).astype(str), None).tolist(), pa.string()),
        clinvar_significance=pa.array(np.where(annotated, rng.choice(["Benign", "Pathogenic", "Uncertain_significance"], n), None).tolist(), pa.string()),
        gnomad_af=pa.array(np.where(annotated, rng.random(n) / 100, np.nan), pa.float64(), from_pandas=True),
        rank=pa.array(np.where(ranked, rank, None).tolist(), pa.int32()),
        acmg_class=pa.array(np.where(ranked, "Uncertain significance", None).tolist(), pa.string()),
        excluded_reason=pa.array(np.where(ranked, None, "below score threshold").tolist(), pa.string()),
    )
    return pa.table({c.name: cols[c.name].cast(c.type) if cols[c.name].type != c.type else cols[c.name]
                     for c in schema.ALL_COLUMNS})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/report_bench"))
    args = parser.parse_args()
    from varrank.report import run_report

    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    table = synthetic(args.rows)
    meta = {"patient": "BENCH", "proband": "S1", "genome_build": "GRCh38",
            "stages": [{"stage": s} for s in ("ingest", "annotate", "score", "prioritise")]}
    path = write_table(table, args.out / "BENCH.prioritise.parquet", meta)
    del table
    built = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t1 = time.perf_counter()
    outputs = run_report(path, args.out / "report")
    seconds = time.perf_counter() - t1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": args.rows, "table_build_s": round(built, 1),
                      "report_s": round(seconds, 1), "rows_per_s": round(args.rows / seconds),
                      "peak_rss_mib_before_report": round(rss_before / 1024),
                      "peak_rss_mib": round(peak / 1024),
                      "html_kib": outputs.html.stat().st_size // 1024,
                      "json_kib": outputs.json.stat().st_size // 1024,
                      "vcf_mib": round(outputs.vcf.stat().st_size / 2**20, 1),
                      "tsv_mib": round(outputs.tsv.stat().st_size / 2**20, 1)}, indent=1))


if __name__ == "__main__":
    main()
