"""GPU readiness benchmark: variants/s per model and execution provider, and fp16 vs fp32.

One command for a GPU node (H100/H200 with onnxruntime-gpu, CUDA and TensorRT libraries, as in
containers/Dockerfile.gpu); it also runs on a CPU-only machine (then only the ``cpu`` rows):

    python benchmarks/gpu_bench.py \\
        --spliceai-bundle ~/.cache/varrank/bundles/spliceai-<hash> \\
        --pangolin-bundle ~/.cache/varrank/bundles/pangolin-<hash> \\
        --saturation 20000 --json gpu_bench.json

For every model set (SpliceAI, Pangolin, both in one SCORE pass; Xpresso with
``--xpresso-bundle``) and every provider the
installed onnxruntime offers (TensorRT fp16, TensorRT fp32, CUDA fp32, CPU fp32), ``varrank
score`` runs the same alleles twice: the first run builds TensorRT's engines into
``--engine-cache`` (minutes, once per GPU model and shape profile), the second is the
steady-state figure. Two allele sets:

- *real*: 1000 Genomes BRCA1 sites (GRCh37, SNVs and indels), the parity benchmarks' alleles;
  every provider's scores are compared with CPU fp32's: largest |delta| of the SpliceAI DS and
  Pangolin gain/loss, share of alleles with the same DP/positions, and share with the same
  PP3/BP4 reading of SpliceAI (>= 0.2 / <= 0.1, Walker 2023) -- what fp16 could change in a
  report;
- *saturation*: ``--saturation N`` SNVs, every alternative base at positions drawn (seed 0)
  inside the slice's annotated genes, for throughput at a GPU-sized batch (CPU runs only the
  first ``--cpu-saturation`` of them: its figure is per allele anyway).

Prints one JSON line (and writes ``--json``). Not a test: CI has no GPU.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "unit" / "score"))
sys.path.insert(0, str(REPO / "benchmarks"))

import onnxruntime as ort  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import score_helpers as helpers  # noqa: E402
from score_bench import ANNOTATION, pick  # noqa: E402

from varrank.score.stage import ScoreOptions, run_score  # noqa: E402

# (label, --provider, fp16): what each row of the result measures
CONFIGS = (("tensorrt_fp16", "tensorrt", True), ("tensorrt_fp32", "tensorrt", False),
           ("cuda_fp32", "cuda", False), ("cpu_fp32", "cpu", False))
NEEDS = {"tensorrt": "TensorrtExecutionProvider", "cuda": "CUDAExecutionProvider",
         "cpu": "CPUExecutionProvider"}
SPLICEAI_DS = ("spliceai_ds_ag", "spliceai_ds_al", "spliceai_ds_dg", "spliceai_ds_dl")
SPLICEAI_DP = ("spliceai_dp_ag", "spliceai_dp_al", "spliceai_dp_dg", "spliceai_dp_dl")
PANGOLIN_VALUES = ("pangolin_gain", "pangolin_loss")
PANGOLIN_POSITIONS = ("pangolin_gain_pos", "pangolin_loss_pos")


def saturation_alleles(data: Path, n: int, seed: int = 0) -> list[tuple[str, int, str, str]]:
    """``n`` SNVs inside the slice's annotated genes: real reference bases, every other base."""
    path, chrom, start = helpers.GRCH37_CHR17
    sequence = helpers.read_slice(data / path)
    end = start + len(sequence) - 1
    spans = []
    for line in (data / ANNOTATION).read_text().splitlines():
        f = line.split("\t")
        if line.startswith("#") or len(f) < 5 or f[1].removeprefix("chr") != chrom:
            continue
        lo, hi = max(int(f[3]) + 1, start + 5000), min(int(f[4]), end - 5000)
        if lo < hi:
            spans.append((lo, hi))
    rng = random.Random(seed)
    alleles: list[tuple[str, int, str, str]] = []
    while len(alleles) < n and spans:
        lo, hi = rng.choice(spans)
        pos = rng.randint(lo, hi)
        ref = sequence[pos - start].upper()
        if ref in "ACGT":
            alleles.extend((chrom, pos, ref, alt) for alt in "ACGT" if alt != ref)
    return sorted(set(alleles[:n]), key=lambda a: (a[1], a[3]))


def models_dir(tmp: Path, bundles: dict[str, Path], which: tuple[str, ...]) -> Path:
    """A --model-dir holding the named bundles (symlinks)."""
    folder = tmp / ("models_" + "_".join(which))
    folder.mkdir(exist_ok=True)
    for name in which:
        link = folder / name
        if not link.exists():
            link.symlink_to(bundles[name].resolve())
    return folder


def timed(table: Path, fasta: Path, models: Path, ann: Path, out: Path, provider: str,
          fp16: bool, args: argparse.Namespace) -> tuple[float, dict, list[str]]:
    """Wall seconds, rows by allele, and the ledger notes of one SCORE run."""
    t0 = time.perf_counter()
    paths = run_score(table, fasta, models, out, ann, ScoreOptions(
        all_variants=True, provider=provider, fp16=fp16, batch_size=args.batch_size,
        engine_cache=args.engine_cache, threads=args.threads))
    wall = time.perf_counter() - t0
    rows = {(r["chrom"], r["pos"], r["ref"], r["alt"]): r
            for r in pq.read_table(paths["table"]).to_pylist()}
    return wall, rows, json.loads(Path(paths["ledger"]).read_text())["notes"]


def _splice_call(value: float | None) -> str | None:
    if value is None:
        return None
    return "PP3" if value >= 0.2 else "BP4" if value <= 0.1 else "between"


def agreement(rows: dict, reference: dict) -> dict:
    """How far a provider's scores are from CPU fp32's, on the alleles both scored."""
    shared = [k for k in reference if k in rows]
    out: dict[str, float | int] = {"alleles": len(shared)}
    for label, values, positions in (("spliceai", SPLICEAI_DS, SPLICEAI_DP),
                                     ("pangolin", PANGOLIN_VALUES, PANGOLIN_POSITIONS)):
        pairs = [(rows[k], reference[k]) for k in shared
                 if reference[k].get(values[0]) is not None and rows[k].get(values[0]) is not None]
        if not pairs:
            continue
        out[f"{label}_max_abs_diff"] = max(abs(a[c] - b[c]) for a, b in pairs for c in values)
        out[f"{label}_same_positions"] = round(
            sum(all(a[c] == b[c] for c in positions) for a, b in pairs) / len(pairs), 4)
    calls = [(_splice_call(rows[k].get("spliceai_max")), _splice_call(reference[k].get("spliceai_max")))
             for k in shared if reference[k].get("spliceai_max") is not None]
    if calls:
        out["spliceai_same_pp3_bp4_reading"] = round(sum(a == b for a, b in calls) / len(calls), 4)
    return out


def run_config(label: str, provider: str, fp16: bool, sets: dict, bundles: dict,
               tmp: Path, args: argparse.Namespace) -> dict:
    """Both allele sets for one provider: first (engine-building) and steady-state runs."""
    result: dict[str, dict] = {}
    for which in (("spliceai",), ("pangolin",), ("spliceai", "pangolin"), ("xpresso",)):
        if any(name not in bundles for name in which):
            continue
        models = models_dir(tmp, bundles, which)
        name = "+".join(which)
        for set_name, (table, n) in sets[label == "cpu_fp32"].items():
            runs = [timed(table, sets["fasta"], models, sets["ann"],
                          tmp / f"{label}_{name}_{set_name}_{i}", provider, fp16, args)
                    for i in range(2)]
            entry = {"variants": n, "first_run_s": round(runs[0][0], 2),
                     "steady_s": round(runs[1][0], 2),
                     "variants_per_s": round(n / runs[1][0], 1), "notes": runs[1][2]}
            result[f"{name}/{set_name}"] = entry
            if set_name == "real":
                entry["_rows"] = runs[1][1]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spliceai-bundle", type=Path, required=True)
    parser.add_argument("--pangolin-bundle", type=Path)
    parser.add_argument("--xpresso-bundle", type=Path, help="also time Xpresso (promoter SNVs)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--n", type=int, default=250, help="real 1000G alleles (default 250)")
    parser.add_argument("--saturation", type=int, default=20000,
                        help="saturation SNVs for throughput (default 20000)")
    parser.add_argument("--cpu-saturation", type=int, default=200,
                        help="of those, how many the CPU rows score (default 200)")
    parser.add_argument("--providers", default="auto",
                        help="comma list of " + ", ".join(c[0] for c in CONFIGS) +
                             "; default: every one the installed onnxruntime offers")
    parser.add_argument("--batch-size", type=int, help="SCORE --batch-size (default: SCORE's)")
    parser.add_argument("--engine-cache", type=Path, help="TensorRT engine cache folder")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--json", type=Path, help="write the result here too")
    args = parser.parse_args()
    available = ort.get_available_providers()
    wanted = [c for c in CONFIGS if NEEDS[c[1]] in available and (
        args.providers == "auto" or c[0] in args.providers.split(","))]
    data = args.data.resolve()
    bundles = {"spliceai": args.spliceai_bundle}
    if args.pangolin_bundle:
        bundles["pangolin"] = args.pangolin_bundle
    if args.xpresso_bundle:
        bundles["xpresso"] = args.xpresso_bundle
    real = pick(data, args.n, snv_only=False)
    saturation = saturation_alleles(data, args.saturation)
    result: dict = {"onnxruntime": ort.__version__, "available_providers": available,
                    "real_alleles": len(real), "saturation_alleles": len(saturation),
                    "configs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sets: dict = {
            "fasta": helpers.padded_fasta(data, helpers.GRCH37_CHR17, tmp / "g37.fa.gz"),
            "ann": data / ANNOTATION}
        tables = {name: (helpers.variant_table(alleles, tmp / f"{name}.ingest.parquet",
                                               patient="BENCH"), len(alleles))
                  for name, alleles in (("real", real), ("saturation", saturation),
                                        ("saturation_cpu", saturation[:args.cpu_saturation]))}
        sets[False] = {"real": tables["real"], "saturation": tables["saturation"]}
        sets[True] = {"real": tables["real"], "saturation": tables["saturation_cpu"]}
        reference = None
        for label, provider, fp16 in sorted(wanted, key=lambda c: c[0] != "cpu_fp32"):
            print(f"gpu_bench: {label} ...", file=sys.stderr)
            result["configs"][label] = run_config(label, provider, fp16, sets, bundles, tmp, args)
            if label == "cpu_fp32":
                reference = result["configs"][label]
        for label, runs in result["configs"].items():
            for key, entry in runs.items():
                if label != "cpu_fp32" and reference and "_rows" in reference.get(key, {}):
                    entry["vs_cpu_fp32"] = agreement(entry["_rows"], reference[key]["_rows"])
        for runs in result["configs"].values():
            for entry in runs.values():
                entry.pop("_rows", None)
    line = json.dumps(result)
    print(line)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
