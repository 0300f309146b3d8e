#!/usr/bin/env python3
"""Full DS/DP parity of `varrank score` against the original CLI's table (all rows).

The unit test compares a subset to stay inside CI time; this compares every row of
tests/data/score/spliceai_expected.tsv (or given tables) and prints one JSON summary.
Scores are cached per allele in --cache so a growing reference table is scored only once.

    python benchmarks/score_parity.py --bundle ~/.cache/varrank/bundles/spliceai-<hash>
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "score"))

import pyarrow.parquet as pq  # noqa: E402
import score_helpers as helpers  # noqa: E402

from varrank.score.stage import ScoreOptions, run_score  # noqa: E402

SETUPS = {"GRCh37": (helpers.GRCH37_CHR17, "spliceai_grch37_canonical.regions.txt"),
          "GRCh38": (helpers.GRCH38_CHR13, "spliceai_grch38_canonical.regions.txt")}
FIELDS = ["spliceai_gene", "spliceai_max", "score_status"] + \
    [f"spliceai_{t}_{k}" for t in ("ds", "dp") for k in ("ag", "al", "dg", "dl")]


def read_rows(tables: list[Path]) -> list[dict[str, str]]:
    rows, seen = [], set()
    for table in tables:
        with open(table) as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                row["build"] = row.pop("#build")
                key = (row["build"], row["pos"], row["ref"], row["alt"], row["gene"])
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--tables", type=Path, nargs="+",
                        default=[REPO / "tests" / "data" / "score" / "spliceai_expected.tsv"])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/varrank_parity_cache.json"))
    args = parser.parse_args()
    rows = read_rows(args.tables)
    cache = json.loads(args.cache.read_text()) if args.cache.exists() else {}
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for build, (spec, ann) in SETUPS.items():
            todo = sorted({(r["chrom"], int(r["pos"]), r["ref"], r["alt"]) for r in rows
                           if r["build"] == build} - {tuple(json.loads(k))[1:] for k in cache
                                                      if json.loads(k)[0] == build})
            if not todo:
                continue
            fasta = helpers.padded_fasta(args.data, spec, Path(tmp) / f"{build}.fa.gz")
            table = helpers.variant_table(todo, Path(tmp) / f"PAR{build}.x.parquet",
                                          patient=f"PAR{build}", build=build)
            paths = run_score(table, fasta, args.bundle, Path(tmp) / build,
                              args.data / "annotation" / ann, ScoreOptions(all_variants=True))
            for r in pq.read_table(paths["table"]).to_pylist():
                key = json.dumps([build, r["chrom"], r["pos"], r["ref"], r["alt"]])
                cache[key] = {f: r[f] for f in FIELDS}
    args.cache.write_text(json.dumps(cache))
    by_allele: dict[str, list[dict]] = {}
    for row in rows:
        key = json.dumps([row["build"], row["chrom"], int(row["pos"]), row["ref"], row["alt"]])
        by_allele.setdefault(key, []).append(row)
    counts = {"alleles": len(by_allele), "scored_compared": 0, "identical": 0,
              "not_in_gene_agree": 0, "mnv_agree": 0, "indels_compared": 0,
              "plus_strand_compared": 0, "differences": []}
    for key, entries in by_allele.items():
        got = cache[key]
        if entries[0]["gene"] == ".":
            counts["not_in_gene_agree"] += got["score_status"] == "not_candidate"
            continue
        if entries[0]["DS_AG"] == ".":
            counts["mnv_agree"] += got["score_status"].startswith("skipped:mnv")
            continue
        exp = next((e for e in entries if e["gene"] == got["spliceai_gene"]), None)
        counts["scored_compared"] += 1
        ref, alt = entries[0]["ref"], entries[0]["alt"]
        counts["indels_compared"] += len(ref) != len(alt)
        counts["plus_strand_compared"] += entries[0]["build"] == "GRCh38" and \
            got["spliceai_gene"] == "BRCA2"
        mine = [got[f"spliceai_ds_{k}"] for k in ("ag", "al", "dg", "dl")] + \
               [got[f"spliceai_dp_{k}"] for k in ("ag", "al", "dg", "dl")]
        theirs = None if exp is None else \
            [float(exp[f"DS_{k}"]) for k in ("AG", "AL", "DG", "DL")] + \
            [int(exp[f"DP_{k}"]) for k in ("AG", "AL", "DG", "DL")]
        if mine == theirs:
            counts["identical"] += 1
        else:
            counts["differences"].append({"allele": key, "original": theirs, "varrank": mine})
    counts["seconds"] = round(time.time() - started, 1)
    print(json.dumps(counts))
    return 0 if not counts["differences"] else 1


if __name__ == "__main__":
    sys.exit(main())
