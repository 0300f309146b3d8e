#!/usr/bin/env python3
"""Make the SpliceAI parity references ONCE with the original tool (not run by the tests).

Run in a throwaway environment OUTSIDE the repository that has the original tool and
TensorFlow (spliceai 1.3.1 needs numpy<2 and pandas<2.3), e.g.::

    python3.11 -m venv ~/.cache/varrank/ref-venv
    ~/.cache/varrank/ref-venv/bin/pip install spliceai==1.3.1 "tensorflow-cpu==2.15.*" \
        "numpy<2" "pandas<2.3" pysam pyfaidx
    ~/.cache/varrank/ref-venv/bin/python tests/data/score/make_spliceai_expected.py \
        --data ../shared/data --out tests/data/score

It writes
  spliceai_expected.tsv   the original `spliceai` CLI's INFO/SpliceAI for real variants
                          (1000 Genomes BRCA1 sites + Pangolin BRCA1 examples on GRCh37, BRCA2
                          gnomAD/ExAC/ClinVar records on GRCh38), one row per allele and gene
  spliceai_keras_tracks.npz  per-position outputs of each of the five Keras models on real
                          sequence windows (both strands, one with N context), for the 1e-4
                          parity test of the exported ONNX graph
The variant selection below is deterministic, so re-running gives the same rows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EVERY_NTH_SNV = 12

SETS = [
    # build, fasta slice, contig name in VCF, slice start (1-based), annotation subset, vcfs
    ("GRCh37", "reference/GRCh37_chr17_41100001-41300000.fa", "17", 41100001,
     "annotation/spliceai_grch37_canonical.regions.txt",
     ["variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf", "splicing/pangolin_examples_brca.GRCh37.vcf"]),
    ("GRCh38", "reference/GRCh38_chr13_32300001-32500000.fa", "13", 32300001,
     "annotation/spliceai_grch38_canonical.regions.txt",
     ["variants/popfreq/brcaexchange_ExAC_AF_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomAD_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomADv3_test.GRCh38coords.vcf",
      "variants/clinvar/brcaexchange_ClinVar_test.GRCh38.vcf"]),
]

# Per-position parity windows: (fasta, start, end (1-based inclusive, incl. 5000 context
# each side), strand). One has 500 N bases inside its context to exercise N encoding.
TRACK_WINDOWS = [
    # outputs cover BRCA1 exon start 41,199,660 (minus strand), BRCA2 exon starts
    # 32,890,559 (GRCh37) and 32,316,422 (GRCh38)
    ("reference/GRCh37_chr17_41100001-41300000.fa", 41194500, 41204799, "-"),
    ("reference/GRCh37_chr13_32800001-33000000.fa", 32885400, 32895699, "+"),
    ("reference/GRCh38_chr13_32300001-32500000.fa", 32311300, 32321599, "+"),
]


def read_fasta(path: Path) -> str:
    return "".join(line.strip() for line in path.read_text().splitlines()[1:])


def write_padded(seq: str, start: int, name: str, out: Path) -> None:
    """Contig padded with N to true coordinates, as the original tool looks up chrom:pos."""
    full = "N" * (start - 1) + seq
    with open(out, "w") as handle:
        handle.write(f">{name}\n")
        for i in range(0, len(full), 60):
            handle.write(full[i:i + 60] + "\n")


def select_records(vcfs: list[Path], contig: str) -> list[list[str]]:
    """All non-SNV records, every Nth SNV, all records of small files; dedup by key."""
    rows: list[list[str]] = []
    seen = set()
    for vcf in vcfs:
        lines = [ln for ln in vcf.read_text().splitlines() if ln and not ln.startswith("#")]
        snv_index = 0
        big = len(lines) > 100
        for line in lines:
            fields = line.split()  # one upstream example line is space-delimited
            chrom, pos, _id, ref, alt = fields[:5]
            if chrom.replace("chr", "") != contig or alt in ("-", ".") or ref == "-":
                continue
            if "<" in alt:  # symbolic (<CN0>): the original CLI aborts writing such records
                continue
            is_snv = len(ref) == 1 and all(len(a) == 1 for a in alt.split(","))
            if big and is_snv:
                snv_index += 1
                if snv_index % EVERY_NTH_SNV:
                    continue
            key = (contig, int(pos), ref, alt)
            if key in seen:
                continue
            seen.add(key)
            rows.append([contig, pos, ".", ref, alt])
    rows.sort(key=lambda r: int(r[1]))
    return rows


CHUNK = 30  # alleles per run of the original CLI; results are appended after each chunk


def _parse_output(build: str, vcf_out: Path) -> list[str]:
    rows = []
    for line in vcf_out.read_text().splitlines():
        if line.startswith("#"):
            continue
        chrom, pos, _id, ref, alts = line.split("\t")[:5]
        info = line.split("\t")[7]
        entries = []
        for item in info.split(";"):
            if item.startswith("SpliceAI="):
                entries = item[len("SpliceAI="):].split(",")
        for alt in alts.split(","):
            mine = [e for e in entries if e.split("|")[0] == alt]
            if not mine:
                rows.append("\t".join([build, chrom, pos, ref, alt, ".", *["."] * 8, "."]))
            for entry in mine:
                parts = entry.split("|")
                rows.append("\t".join([build, chrom, pos, ref, alt, parts[1], *parts[2:10],
                                        entry]))
    return rows


def _priority(records: list[list[str]]) -> list[list[str]]:
    """Three SNV records, then one indel record, repeated. The original CLI re-traces its
    TensorFlow graph for every new input length, so indels cost it several times more than
    SNVs; interleaving keeps a partial (resumed) run varied."""
    def is_snv(r: list[str]) -> bool:
        return len(r[3]) == 1 and all(len(a) == 1 for a in r[4].split(","))

    snvs = [r for r in records if is_snv(r)]
    indels = [r for r in records if not is_snv(r)]
    out: list[list[str]] = []
    while snvs or indels:
        out.extend(snvs[:3])
        del snvs[:3]
        out.extend(indels[:1])
        del indels[:1]
    return out


def run_original(data: Path, out: Path, work: Path, part: str = "",
                 reverse: bool = False) -> None:
    """Run the original CLI in chunks, appending to the table (resumable, keys skipped).

    ``part``/``reverse`` let a second process work from the other end of the queue into
    its own file (merge and de-duplicate afterwards) on a machine shared with other jobs.
    """
    table = out / f"spliceai_expected{part}.tsv"
    header = ("#build\tchrom\tpos\tref\talt\tgene\tDS_AG\tDS_AL\tDS_DG\tDS_DL\tDP_AG\t"
              "DP_AL\tDP_DG\tDP_DL\tspliceai_info")
    done = set()
    for existing in out.glob("spliceai_expected*.tsv"):
        for line in existing.read_text().splitlines()[1:]:
            f = line.split("\t")
            done.add((f[0], f[2], f[3]))
    if not table.exists():
        table.write_text(header + "\n")
    started = time.time()
    queue = []
    for build, fasta, contig, start, annotation, vcfs in SETS:
        padded = work / f"{build}_{contig}.padded.fa"
        write_padded(read_fasta(data / fasta), start, contig, padded)
        for rec in _priority(select_records([data / v for v in vcfs], contig)):
            if (build, rec[1], rec[3]) not in done:
                queue.append((build, contig, padded, data / annotation, rec))
    # interleave builds: the GRCh38 (plus-strand BRCA2) records come first
    queue.sort(key=lambda q: q[0] != "GRCh38")
    if reverse:
        queue.reverse()
    spliceai = Path(sys.executable).with_name("spliceai")
    for i in range(0, len(queue), CHUNK):
        chunk = queue[i:i + CHUNK]
        by_build: dict[str, list] = {}
        for item in chunk:
            by_build.setdefault(item[0], []).append(item)
        for build, items in by_build.items():
            _b, contig, padded, annotation, _r = items[0]
            vcf_in, vcf_out = work / "in.vcf", work / "out.vcf"
            with open(vcf_in, "w") as handle:
                handle.write("##fileformat=VCFv4.2\n")
                handle.write(f"##contig=<ID={contig}>\n")
                # pysam >= 0.22 cannot write an INFO key added to the header after reading
                # (spliceai 1.3.1 does header.add_line); declaring it up front avoids that.
                handle.write('##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAI'
                             'v1.3.1 variant annotation. These include delta scores (DS) and '
                             'delta positions (DP) for acceptor gain (AG), acceptor loss (AL), '
                             'donor gain (DG), and donor loss (DL). Format: ALLELE|SYMBOL|'
                             'DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">\n')
                handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
                for item in sorted(items, key=lambda it: int(it[4][1])):
                    handle.write("\t".join(item[4] + [".", ".", "."]) + "\n")
            subprocess.run([str(spliceai), "-I", str(vcf_in), "-O", str(vcf_out), "-R",
                            str(padded), "-A", str(annotation), "-D", "50", "-M", "0"],
                           check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            with open(table, "a") as handle:
                for row in _parse_output(build, vcf_out):
                    handle.write(row + "\n")
        print(f"{min(i + CHUNK, len(queue))}/{len(queue)} records in "
              f"{time.time() - started:.0f}s", file=sys.stderr, flush=True)


def run_keras_tracks(data: Path, out: Path) -> None:
    from keras.models import load_model
    from pkg_resources import resource_filename
    from spliceai.utils import one_hot_encode

    models = [load_model(resource_filename("spliceai", f"models/spliceai{i}.h5"))
              for i in range(1, 6)]
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for k, (fasta, start, end, strand) in enumerate(TRACK_WINDOWS):
        slice_start = int(Path(fasta).stem.split("_")[2].split("-")[0]) \
            if "spliceai_test" not in fasta else 1
        seq = read_fasta(data / fasta)[start - slice_start:end - slice_start + 1]
        if k == 0:  # N-rich context: 500 N bases inside the left context
            seq = seq[:1000] + "N" * 500 + seq[1500:]
        x = one_hot_encode(seq)[None, :].astype(np.float32)
        if strand == "-":
            x = x[:, ::-1, ::-1].copy()
        arrays[f"x{k}"] = x[0].astype(np.uint8)
        arrays[f"y{k}"] = np.stack([m.predict(x, verbose=0)[0] for m in models]).astype(
            np.float32)
        meta.append(f"{fasta}:{start}-{end}:{strand}")
    arrays["windows"] = np.array(meta)
    np.savez_compressed(out / "spliceai_keras_tracks.npz", **arrays)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument("--skip-tracks", action="store_true")
    parser.add_argument("--part", default="", help="suffix of this process's table file")
    parser.add_argument("--reverse", action="store_true", help="work from the queue's end")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not args.skip_tracks:
        run_keras_tracks(args.data.resolve(), args.out)
    if not args.skip_table:
        with tempfile.TemporaryDirectory() as work:
            run_original(args.data.resolve(), args.out, Path(work), args.part, args.reverse)
    return 0


if __name__ == "__main__":
    sys.exit(main())
