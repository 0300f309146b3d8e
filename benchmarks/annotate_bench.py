"""ANNOTATE lookup benchmark: varrank (DuckDB bundle) vs vcfanno vs bcftools annotate.

Same inputs for all three: a synthetic gnomAD-like sites VCF (AF, AC, AN, nhomalt, grpmax,
AF_grpmax and AC/AN/AF of two groups, chr1-22 at GRCh38 lengths) and a patient VCF (half
its variants present in the source, half absent), bgzipped and tabix-indexed. varrank gets the
same patient variants as an INGEST-shaped Parquet table and the source as a bundle built by
`varrank resources build`. Each tool runs in its own child process; wall time and the child's
peak RSS (wait4 rusage) are recorded, and the number of annotated variants must agree.

    python benchmarks/annotate_bench.py --source-rows 20000000 --patient-rows 2000000 \\
        --workdir /tmp/annot_bench --json benchmarks/annotate_bench.json

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


def _sites(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n sorted unique (chrom index, pos) spread over chr1-22 in proportion to length."""
    lengths = np.array(GRCH38, dtype=np.int64)
    per = np.floor(n * lengths / lengths.sum()).astype(np.int64)
    per[0] += n - per.sum()
    chrom, pos = [], []
    for i, (k, length) in enumerate(zip(per, lengths)):
        gap = max(2, int(length // max(k, 1)))
        p = np.cumsum(rng.integers(1, 2 * gap - 1, size=k)) + 10_000
        p = p[p < length - 10]
        chrom.append(np.full(len(p), i, dtype=np.int8))
        pos.append(p)
    return np.concatenate(chrom), np.concatenate(pos)


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


def _write_vcf(path: Path, chrom: np.ndarray, pos: np.ndarray, ref: pa.Array, alt: pa.Array,
               info: pa.Array) -> None:
    names = pa.array([f"chr{i + 1}" for i in range(22)])
    n = len(pos)
    dot = pa.array(["."] * n) if n else pa.array([], pa.string())
    table = pa.table({"c": pc.take(names, pa.array(chrom.astype(np.int32))), "p": pa.array(pos),
                      "i": dot, "r": ref, "a": alt, "q": dot,
                      "f": pa.array(np.where(np.arange(n) % 50 == 0, "AC0", "PASS")), "n": info})
    with open(path, "wb") as out:
        out.write((HEADER + _contigs() + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n").encode())
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, delimiter="\t",
                                                       quoting_style="none"))


def _bgzip_index(path: Path) -> Path:
    gz = path.with_suffix(path.suffix + ".gz")
    with open(gz, "wb") as out:
        subprocess.run(["bgzip", "-@", "2", "-c", str(path)], stdout=out, check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(gz)], check=True)
    path.unlink()
    return gz


def make_inputs(work: Path, source_rows: int, patient_rows: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    chrom, pos = _sites(rng, source_rows)
    n = len(pos)
    ref, alt = _alleles(rng, n)
    ac = rng.integers(0, 5000, n)
    an = np.full(n, 152000)
    af_afr = rng.random(n) * 0.01
    af_nfe = rng.random(n) * 0.01

    def s(x) -> pa.Array:
        return pc.cast(pa.array(x), pa.string())

    info = pc.binary_join_element_wise(
        "AC=", s(ac), ";AN=", s(an), ";AF=", s(np.round(ac / an, 8)), ";grpmax=afr;AF_grpmax=",
        s(np.round(np.maximum(af_afr, af_nfe), 8)), ";nhomalt=", s(ac // 100),
        ";AC_afr=", s(ac // 3), ";AN_afr=", s(an // 4), ";AF_afr=", s(np.round(af_afr, 8)),
        ";AC_nfe=", s(ac // 2), ";AN_nfe=", s(an // 2), ";AF_nfe=", s(np.round(af_nfe, 8)), "")
    source = work / "gnomad_like.sites.vcf"
    _write_vcf(source, chrom, pos, ref, alt, info)
    # patient: half drawn from the source (present), half new sites (absent)
    k = patient_rows // 2
    take = np.sort(rng.choice(n, size=k, replace=False))
    pchrom, ppos = _sites(rng, patient_rows - k)
    pref, palt = _alleles(rng, len(ppos))
    all_chrom = np.concatenate([chrom[take], pchrom])
    all_pos = np.concatenate([pos[take], ppos + 1])  # +1: off the source grid mostly
    all_ref = pa.concat_arrays([pc.take(ref, pa.array(take)), pref])
    all_alt = pa.concat_arrays([pc.take(alt, pa.array(take)), palt])
    order = np.lexsort((all_pos, all_chrom))
    p_chrom, p_pos = all_chrom[order], all_pos[order]
    p_ref, p_alt = pc.take(all_ref, pa.array(order)), pc.take(all_alt, pa.array(order))
    patient = work / "patient.vcf"
    _write_vcf(patient, p_chrom, p_pos, p_ref, p_alt, pa.array(["."] * len(p_pos)))
    names = pa.array([f"chr{i + 1}" for i in range(22)])
    chrom_col = pc.take(names, pa.array(p_chrom.astype(np.int32)))
    table = pa.table({"chrom": chrom_col, "pos": pa.array(p_pos, pa.int64()), "ref": p_ref,
                      "alt": p_alt})
    table = table.append_column("variant_key", pc.binary_join_element_wise(
        chrom_col, pc.cast(table["pos"], pa.string()), p_ref, p_alt, "-"))
    sys.path.insert(0, str(REPO / "src"))
    from varrank.core.table_io import write_table

    parquet = write_table(table, work / "BENCH.ingest.parquet",
                          {"patient": "BENCH", "genome_build": "GRCh38"})
    return {"source_vcf": _bgzip_index(source), "patient_vcf": _bgzip_index(patient),
            "patient_parquet": parquet, "source_rows": n, "patient_rows": len(p_pos)}


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
            "cpu_s": round(float(user) + float(system), 3)}


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
    shutil.rmtree(bundle, ignore_errors=True)
    build_cmd = [py, "-m", "varrank", "-q", "resources", "build", "--genome", "GRCh38",
                 "--gnomad", str(inputs["source_vcf"]), "--no-hpo", "--threads", str(args.threads),
                 "--out", str(bundle)]
    results["varrank_build"] = timed(build_cmd, stdout=subprocess.DEVNULL, env=env)
    results["varrank_build"]["command"] = " ".join(build_cmd)
    results["varrank_build"]["rows_per_s"] = round(inputs["source_rows"] / results["varrank_build"]["wall_s"])
    script = VARRANK_LOOKUP.format(src=str(REPO / "src"), parquet=str(inputs["patient_parquet"]),
                                   bundle=str(bundle), threads=args.threads)
    out = work / "varrank_lookup.json"
    with open(out, "w") as handle:
        results["varrank_lookup"] = timed([py, "-c", script], stdout=handle, env=env)
    results["varrank_lookup"].update(json.loads(out.read_text()))
    results["varrank_lookup"]["command"] = "lookup() of varrank.annotate.lookup (see VARRANK_LOOKUP)"
    stage_cmd = [py, "-m", "varrank", "-q", "annotate", "--in", str(inputs["patient_parquet"]),
                 "--bundle", str(bundle), "--threads", str(args.threads), "--out", str(work / "stage")]
    results["varrank_annotate_stage"] = timed(stage_cmd, env=env)
    results["varrank_annotate_stage"]["command"] = " ".join(stage_cmd)
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
        wall = results[key]["lookup_s"] if key == "varrank_lookup" else results[key]["wall_s"]
        cpu = results[key]["lookup_cpu_s"] if key == "varrank_lookup" else results[key]["cpu_s"]
        results[key]["variants_per_s"] = round(n / wall)
        results[key]["variants_per_cpu_s"] = round(n / cpu) if cpu else None
    results["load_average_after"] = os.getloadavg()
    if not args.keep:
        for p in (vcfanno_out, bcf_out):
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
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the inputs generated in --workdir by an earlier run")
    args = parser.parse_args()
    results = run(args)
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
