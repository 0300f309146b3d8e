"""Make tests/data/score/xpresso_expected.tsv with the ORIGINAL Xpresso model (Keras, TensorFlow).

Run it in a throwaway environment, never in varrank's:

    python3 -m venv ~/.cache/varrank/xpresso-ref-venv
    ~/.cache/varrank/xpresso-ref-venv/bin/pip install tensorflow-cpu==2.15.1 h5py
    ~/.cache/varrank/xpresso-ref-venv/bin/python benchmarks/xpresso_oracle.py \\
        --data ../shared/data --out tests/data/score/xpresso_expected.tsv

The model file is vagarwal87/Xpresso Fig5_S5/human_trainepoch.11-0.426.h5 (shared data,
models/xpresso), loaded with ``tf.keras.models.load_model(compile=False)`` and run as the
upstream's predict_seqs.py runs it: one-hot ACGT (other bases all zero), the minus strand by
flipping both axes (its --revCom), half-life features all zero. Windows and alleles are built
here with plain Python, independently of varrank: for every gene of the SpliceAI GRCh37
canonical table whose promoter window (TSS-7,000..+3,499 on its strand) lies inside the
GRCh37 chr17 slice (41,100,001-41,300,000), the reference window, and SNVs at fixed offsets
from the TSS (every alternative base) plus the 1000 Genomes BRCA1 SNVs that fall inside a
window. One row per (gene, allele): reference and alternative predictions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SLICE, CHROM, SLICE_START = "reference/GRCh37_chr17_41100001-41300000.fa", "17", 41100001
TABLE = "annotation/spliceai_grch37_canonical.regions.txt"
VCF = "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"
MODEL = "models/xpresso/human_trainepoch.11-0.426.h5"
OFFSETS = (-6500, -2000, -300, -50, -10, -1, 0, 1, 25, 200, 3000)
WINDOW, TSS_INDEX = 10500, 7000
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def read_slice(path: Path) -> str:
    return "".join(line.strip() for line in path.read_text().splitlines()[1:]).upper()


def one_hot(seq: str) -> np.ndarray:
    x = np.zeros((len(seq), 4), dtype=np.float32)
    for i, base in enumerate(seq):
        j = "ACGT".find(base)
        if j >= 0:
            x[i, j] = 1
    return x


def window(genome: str, tss: int, strand: str, allele=None) -> np.ndarray | None:
    lo = tss - TSS_INDEX if strand == "+" else tss - (WINDOW - TSS_INDEX - 1)
    if lo < SLICE_START or lo + WINDOW - 1 >= SLICE_START + len(genome):
        return None
    seq = genome[lo - SLICE_START:lo - SLICE_START + WINDOW]
    if allele is not None:
        pos, ref, alt = allele
        if seq[pos - lo] != ref:
            return None
        seq = seq[:pos - lo] + alt + seq[pos - lo + 1:]
    x = one_hot(seq)
    return x[::-1, ::-1] if strand == "-" else x


def genes(path: Path) -> list[tuple[str, str, int]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split("\t")
        if line.startswith("#") or f[1] != CHROM:
            continue
        tss = int(f[3]) + 1 if f[2] == "+" else int(f[4])  # TX_START is 0-based in the table
        out.append((f[0], f[2], tss))
    return out


def vcf_snvs(path: Path) -> list[tuple[int, str, str]]:
    snvs = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        for alt in f[4].split(","):
            if len(f[3]) == 1 and len(alt) == 1 and alt in "ACGT":
                snvs.append((int(f[1]), f[3], alt))
    return snvs


def main() -> int:
    import tensorflow as tf

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    genome = read_slice(args.data / SLICE)
    model = tf.keras.models.load_model(str(args.data / MODEL), compile=False)
    snvs = vcf_snvs(args.data / VCF)
    rows, inputs = [], []
    for name, strand, tss in genes(args.data / TABLE):
        ref_x = window(genome, tss, strand)
        if ref_x is None:
            continue
        lo = tss - TSS_INDEX if strand == "+" else tss - (WINDOW - TSS_INDEX - 1)
        alleles = []
        for offset in OFFSETS:
            pos = tss + offset if strand == "+" else tss - offset
            ref = genome[pos - SLICE_START]
            alleles += [(pos, ref, alt) for alt in "ACGT" if alt != ref and ref in "ACGT"]
        alleles += [a for a in snvs if lo <= a[0] < lo + WINDOW]
        for allele in alleles:
            alt_x = window(genome, tss, strand, allele)
            if alt_x is not None:
                rows.append((name, strand, tss, *allele))
                inputs.append((ref_x, alt_x))
    x = np.stack([a for pair in inputs for a in pair])
    y = model.predict([x, np.zeros((len(x), 6), dtype=np.float32)], batch_size=32,
                      verbose=0).ravel()
    with open(args.out, "w") as out:
        out.write("# Xpresso human model (Keras, TensorFlow " + tf.__version__ + ") on the GRCh37 "
                  "chr17 slice; made by benchmarks/xpresso_oracle.py\n")
        out.write("gene\tstrand\ttss\tpos\tref\talt\tpred_ref\tpred_alt\n")
        for i, (name, strand, tss, pos, ref, alt) in enumerate(rows):
            out.write(f"{name}\t{strand}\t{tss}\t{pos}\t{ref}\t{alt}\t{y[2 * i]:.7g}\t"
                      f"{y[2 * i + 1]:.7g}\n")
    print(f"{len(rows)} alleles in {len({r[0] for r in rows})} promoters -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
