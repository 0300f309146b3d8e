"""ANNOTATE lookup benchmark: varrank (bundle lookup index) vs vcfanno vs bcftools annotate.

Same inputs for all three: a synthetic gnomAD-like sites VCF (AF, AC, AN, nhomalt, grpmax,
AF_grpmax and AC/AN/AF of two groups, chr1-22 at GRCh38 lengths) and a patient VCF (half
its variants present in the source, half absent), bgzipped and tabix-indexed. varrank gets the
same patient variants as an INGEST-shaped Parquet table and the source as a bundle built by
`varrank resources build`. Each tool runs in its own child process under GNU time; wall time,
CPU time and peak RSS are recorded, and the number of annotated variants must agree.

    python benchmarks/annotate_bench.py --source-rows 100000000 --patient-rows 5000000 \
        --workdir /tmp/annot_bench --json annotate_bench.json            # everything
    ... --reuse --tools build          # rebuild the bundle from the inputs already there
    ... --reuse --tools lookup,peers   # lookup(), the annotate stage, vcfanno, bcftools
    ... --repeat 5                     # lookup() runs (fresh processes); the median is reported

The inputs are written one contig at a time (~2 GB of memory for a 100M-row source; ~4 GB
of bgzipped VCF, ~9 GB of bundle, and ~40 GB of temporary files while the bundle builds).
Synthetic on purpose: the real gnomAD v4 (~760M sites, ~900 INFO fields a line) cannot be
downloaded here. Real gnomAD lines are ~10x longer, which slows the two VCF-reading tools much
more than the bundle lookup (the bundle stores only the columns it serves).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

REPO = Path(__file__).resolve().parent.parent
GRCH38 = [248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973,
          145138636, 138394717, 133797422, 135086622, 133275309, 114364328, 107043718,
          101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468]
FIELDS = ["AF", "AF_grpmax", "nhomalt", "AC", "AN"]
HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=AC0,Description="Allele count is zero">
##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">
##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">
##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">
##INFO=<ID=grpmax,Number=A,Type=String,Description="Group with maximum AF">
##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum AF across groups">
##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Homozygous count">
##INFO=<ID=AC_afr,Number=A,Type=Integer,Description="AC afr">
##INFO=<ID=AN_afr,Number=1,Type=Integer,Description="AN afr">
##INFO=<ID=AF_afr,Number=A,Type=Float,Description="AF afr">
##INFO=<ID=AC_nfe,Number=A,Type=Integer,Description="AC nfe">
##INFO=<ID=AN_nfe,Number=1,Type=Integer,Description="AN nfe">
##INFO=<ID=AF_nfe,Number=A,Type=Float,Description="AF nfe">
"""


def _contigs() -> str:
    return "".join(f"##contig=<ID=chr{i + 1},length={n}>\n" for i, n in enumerate(GRCH38))


def _per_contig(n: int) -> np.ndarray:
    """How many of n sites fall on each of chr1-22, in proportion to its length."""
    lengths = np.array(GRCH38, dtype=np.int64)
    per = np.floor(n * lengths / lengths.sum()).astype(np.int64)
    per[0] += n - per.sum()
    return per


def _positions(rng: np.random.Generator, k: int, length: int) -> np.ndarray:
    """k sorted unique positions spread evenly (random gaps) over one contig."""
    gap = max(2, int(length // max(k, 1)))
    p = np.cumsum(rng.integers(1, 2 * gap - 1, size=k)) + 10_000
    return p[p < length - 10]


def _alleles(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    bases = np.array(list("ACGT"))
    ref_i = rng.integers(0, 4, n)
    alt_i = (ref_i + rng.integers(1, 4, n)) % 4
    ref = bases[ref_i].astype(object)
    alt = bases[alt_i].astype(object)
    dels = rng.random(n) < 0.05
    ref[dels] = bases[ref_i[dels]] + bases[alt_i[dels]]
    alt[dels] = bases[ref_i[dels]]
    return pa.array(ref, pa.string()), pa.array(alt, pa.string())


def _info(rng: np.random.Generator, n: int) -> pa.Array:
    ac = rng.integers(0, 5000, n)
    an = np.full(n, 152000)
    af_afr = rng.random(n) * 0.01
    af_nfe = rng.random(n) * 0.01

    def s(x) -> pa.Array:
        return pc.cast(pa.array(x), pa.string())

    return pc.binary_join_element_wise(
        "AC=", s(ac), ";AN=", s(an), ";AF=", s(np.round(ac / an, 8)), ";grpmax=afr;AF_grpmax=",
        s(np.round(np.maximum(af_afr, af_nfe), 8)), ";nhomalt=", s(ac // 100),
        ";AC_afr=", s(ac // 3), ";AN_afr=", s(an // 4), ";AF_afr=", s(np.round(af_afr, 8)),
        ";AC_nfe=", s(ac // 2), ";AN_nfe=", s(an // 2), ";AF_nfe=", s(np.round(af_nfe, 8)), "")


def _write_records(out, contig: int, pos: np.ndarray, ref: pa.Array, alt: pa.Array,
                   info: pa.Array, row0: int) -> None:
    n = len(pos)
    dot = pa.array(["."] * n, pa.string())
    flt = np.where((np.arange(n) + row0) % 50 == 0, "AC0", "PASS")
    table = pa.table({"c": pa.array([f"chr{contig + 1}"] * n, pa.string()), "p": pa.array(pos),
                      "i": dot, "r": ref, "a": alt, "q": dot, "f": pa.array(flt), "n": info})
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, delimiter="\t",
                                                   quoting_style="none"))


class _BgzipWriter:
    """Text VCF streamed into `bgzip` (level 1: the peers' read speed does not depend on it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "wb")
        self.proc = subprocess.Popen(["bgzip", "-@", "2", "-l", "1", "-c"], stdin=subprocess.PIPE,
                                     stdout=self.handle)
        self.proc.stdin.write((HEADER + _contigs() +
                               "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n").encode())

    def close(self) -> Path:
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise RuntimeError(f"bgzip failed for {self.path}")
        self.handle.close()
        subprocess.run(["tabix", "-f", "-p", "vcf", str(self.path)], check=True)
        return self.path


def make_inputs(work: Path, source_rows: int, patient_rows: int, seed: int = 7) -> dict:
    """Source and patient VCFs (bgzipped, indexed) and the patient's INGEST-shaped Parquet.

    Written one contig at a time so that a 100M-row source needs ~2 GB of memory, not ~40.
    Half the patient's variants are drawn from the source (present), half are new sites one
    base off a random grid (absent, mostly).
    """
    rng = np.random.default_rng(seed)
    source = _BgzipWriter(work / "gnomad_like.sites.vcf.gz")
    patient = _BgzipWriter(work / "patient.vcf.gz")
    k_present = _per_contig(patient_rows // 2)
    k_absent = _per_contig(patient_rows - patient_rows // 2)
    parts: list[pa.Table] = []
    n_source = 0
    for contig, (k, length) in enumerate(zip(_per_contig(source_rows), GRCH38)):
        pos = _positions(rng, int(k), length)
        n = len(pos)
        ref, alt = _alleles(rng, n)
        _write_records(source.proc.stdin, contig, pos, ref, alt, _info(rng, n), n_source)
        take = np.sort(rng.choice(n, size=min(int(k_present[contig]), n), replace=False))
        new_pos = _positions(rng, int(k_absent[contig]), length) + 1  # +1: off the source grid
        new_ref, new_alt = _alleles(rng, len(new_pos))
        all_pos = np.concatenate([pos[take], new_pos])
        order = np.argsort(all_pos, kind="stable")
        p_ref = pc.take(pa.concat_arrays([pc.take(ref, pa.array(take)), new_ref]), pa.array(order))
        p_alt = pc.take(pa.concat_arrays([pc.take(alt, pa.array(take)), new_alt]), pa.array(order))
        p_pos = all_pos[order]
        _write_records(patient.proc.stdin, contig, p_pos, p_ref, p_alt,
                       pa.array(["."] * len(p_pos), pa.string()), 0)
        parts.append(pa.table({"chrom": pa.array([f"chr{contig + 1}"] * len(p_pos), pa.string()),
                               "pos": pa.array(p_pos, pa.int64()), "ref": p_ref, "alt": p_alt}))
        n_source += n
        print(f"generated chr{contig + 1}: {n_source} source rows so far", file=sys.stderr,
              flush=True)
    table = pa.concat_tables(parts)
    table = table.append_column("variant_key", pc.binary_join_element_wise(
        table["chrom"], pc.cast(table["pos"], pa.string()), table["ref"], table["alt"], "-"))
    sys.path.insert(0, str(REPO / "src"))
    from varrank.core.table_io import write_table

    parquet = write_table(table, work / "BENCH.ingest.parquet",
                          {"patient": "BENCH", "genome_build": "GRCh38"})
    return {"source_vcf": source.close(), "patient_vcf": patient.close(),
            "patient_parquet": parquet, "source_rows": n_source, "patient_rows": table.num_rows}


def timed(cmd: list[str], stdout=None, env=None) -> dict:
    """Run a child under /usr/bin/time; return wall seconds, CPU seconds and peak RSS (MiB).

    GNU time forks the tool from its own small process, so the peak RSS is the tool's own
    (a child forked straight from this Python process would inherit its high-water mark).
    """
    stats = Path(os.environ.get("TMPDIR", "/tmp")) / f".bench_time_{os.getpid()}.txt"
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", str(stats), *cmd],
                          stdout=stdout, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-2000:]}")
    elapsed, max_kb, user, system = stats.read_text().split()[-4:]
    stats.unlink()
    return {"wall_s": round(wall, 3), "peak_rss_mib": round(int(max_kb) / 1024, 1),
            "cpu_s": round(float(user) + float(system), 3),
            "load_average_after": [round(x, 2) for x in os.getloadavg()]}


VARRANK_LOOKUP = """
import json, sys, time
sys.path.insert(0, {src!r})
from pathlib import Path
from varrank.core.table_io import read_table
from varrank.annotate.bundle import open_bundle
from varrank.annotate.lookup import lookup
t0 = time.perf_counter()
table, meta = read_table({parquet!r})
t1 = time.perf_counter()
c1 = time.process_time()
cols, matches = lookup(open_bundle(Path({bundle!r}), "GRCh38"), table, threads={threads})
t2 = time.perf_counter()
c2 = time.process_time()
print(json.dumps({{"read_s": t1 - t0, "lookup_s": t2 - t1, "lookup_cpu_s": c2 - c1,
                  "matched": matches["gnomad"]}}))
"""


def run(args: argparse.Namespace) -> dict:
    work = Path(args.workdir)
    if work.exists() and not args.reuse:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    results: dict = {"machine": {"cpus": os.cpu_count(), "threads_given": args.threads}}
    t = time.perf_counter()
    saved = work / "inputs.json"
    if args.reuse and saved.is_file():
        inputs = {k: Path(v) if k.endswith(("_vcf", "_parquet")) else v
                  for k, v in json.loads(saved.read_text()).items()}
    else:
        inputs = make_inputs(work, args.source_rows, args.patient_rows)
        saved.write_text(json.dumps({k: str(v) if isinstance(v, Path) else v
                                     for k, v in inputs.items()}))
        results["inputs"] = {k: str(v) if isinstance(v, Path) else v for k, v in inputs.items()}
        results["inputs"]["generate_s"] = round(time.perf_counter() - t, 1)
    bundle = work / "bundle"
    if args.tools & {"varrank", "build"}:
        shutil.rmtree(bundle, ignore_errors=True)
        build_cmd = [py, "-m", "varrank", "-q", "resources", "build", "--genome", "GRCh38",
                     "--gnomad", str(inputs["source_vcf"]), "--no-hpo", "--threads", str(args.threads),
                     "--out", str(bundle)]
        results["varrank_build"] = timed(build_cmd, stdout=subprocess.DEVNULL, env=env)
        results["varrank_build"]["command"] = " ".join(build_cmd)
        results["varrank_build"]["rows_per_s"] = round(inputs["source_rows"] / results["varrank_build"]["wall_s"])
        results["varrank_build"]["rows_per_cpu_s"] = round(inputs["source_rows"] / results["varrank_build"]["cpu_s"])
        results["varrank_build"]["bundle_bytes"] = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file())
    if args.tools & {"varrank", "lookup"}:
        script = VARRANK_LOOKUP.format(src=str(REPO / "src"), parquet=str(inputs["patient_parquet"]),
                                       bundle=str(bundle), threads=args.threads)
        out = work / "varrank_lookup.json"
        runs = []
        for _ in range(args.repeat):  # each in a fresh process: every figure is a first call
            with open(out, "w") as handle:
                run_stats = timed([py, "-c", script], stdout=handle, env=env)
            run_stats.update(json.loads(out.read_text()))
            runs.append(run_stats)
        ordered = sorted(runs, key=lambda r: r["lookup_s"])
        results["varrank_lookup"] = dict(ordered[len(ordered) // 2])  # the median run
        results["varrank_lookup"]["runs_lookup_s"] = [round(r["lookup_s"], 3) for r in runs]
        results["varrank_lookup"]["runs_variants_per_s"] = [
            round(inputs["patient_rows"] / r["lookup_s"]) for r in runs]
        results["varrank_lookup"]["command"] = ("lookup() of varrank.annotate.lookup (see "
                                                f"VARRANK_LOOKUP), median of {args.repeat} runs")
        stage_cmd = [py, "-m", "varrank", "-q", "annotate", "--in", str(inputs["patient_parquet"]),
                     "--bundle", str(bundle), "--threads", str(args.threads), "--out", str(work / "stage")]
        results["varrank_annotate_stage"] = timed(stage_cmd, env=env)
        results["varrank_annotate_stage"]["command"] = " ".join(stage_cmd)
    if "peers" in args.tools:
        conf = work / "vcfanno.toml"
        conf.write_text(f'[[annotation]]\nfile="{inputs["source_vcf"]}"\nfields={json.dumps(FIELDS)}\n'
                        f'ops={json.dumps(["self"] * len(FIELDS))}\n'
                        f'names={json.dumps(["gnomad_" + f for f in FIELDS])}\n')
        vcfanno_out = work / "vcfanno.vcf"
        vcfanno_cmd = ["vcfanno", "-p", str(args.threads), str(conf), str(inputs["patient_vcf"])]
        with open(vcfanno_out, "w") as handle:
            results["vcfanno"] = timed(vcfanno_cmd, stdout=handle)
        results["vcfanno"]["command"] = " ".join(vcfanno_cmd) + f" > {vcfanno_out}"
        results["vcfanno"]["matched"] = _count(vcfanno_out, "gnomad_AF=")
        bcf_out = work / "bcftools.vcf"
        bcf_cmd = ["bcftools", "annotate", "--threads", str(args.threads), "-a", str(inputs["source_vcf"]),
                   "-c", ",".join(f"INFO/{f}" for f in FIELDS), "-o", str(bcf_out), "-O", "v",
                   str(inputs["patient_vcf"])]
        results["bcftools_annotate"] = timed(bcf_cmd)
        results["bcftools_annotate"]["command"] = " ".join(bcf_cmd)
        results["bcftools_annotate"]["matched"] = _count(bcf_out, "AF=")
    n = inputs["patient_rows"]
    for key in ("varrank_lookup", "varrank_annotate_stage", "vcfanno", "bcftools_annotate"):
        if key not in results:
            continue
        wall = results[key]["lookup_s"] if key == "varrank_lookup" else results[key]["wall_s"]
        cpu = results[key]["lookup_cpu_s"] if key == "varrank_lookup" else results[key]["cpu_s"]
        results[key]["variants_per_s"] = round(n / wall)
        results[key]["variants_per_cpu_s"] = round(n / cpu) if cpu else None
    results["load_average_after"] = os.getloadavg()
    if not args.keep:
        for p in (work / "vcfanno.vcf", work / "bcftools.vcf"):
            p.unlink(missing_ok=True)
    return results


def _count(path: Path, needle: str) -> int:
    with open(path) as handle:
        return sum(1 for line in handle if not line.startswith("#") and needle in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-rows", type=int, default=20_000_000)
    parser.add_argument("--patient-rows", type=int, default=2_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workdir", default="/tmp/varrank_annotate_bench")
    parser.add_argument("--json", help="write results here")
    parser.add_argument("--keep", action="store_true", help="keep the peers' output VCFs")
    parser.add_argument("--repeat", type=int, default=5,
                        help="lookup() runs, each in a fresh process; the median is reported")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the inputs generated in --workdir by an earlier run")
    parser.add_argument("--tools", default="varrank,peers",  # "none": only generate inputs
                        help="comma list of varrank (= build,lookup), build, lookup (lookup() and "
                             "the annotate stage on the bundle in --workdir), peers (vcfanno and "
                             "bcftools annotate); with --json, earlier results in the file are kept")
    args = parser.parse_args()
    args.tools = set(args.tools.split(","))
    results = run(args)
    if args.json and Path(args.json).is_file():
        earlier = json.loads(Path(args.json).read_text())
        results = {**earlier, **results}
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
