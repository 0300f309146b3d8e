#!/usr/bin/env python3
"""Rebuild the Pangolin parity oracle by running the ORIGINAL Pangolin CLI (not a test).

Runs in a throwaway environment OUTSIDE the repository that has upstream Pangolin installed
(it is never a dependency of varrank)::

    python3.11 -m venv ~/.cache/varrank/pangolin-ref-venv
    V=~/.cache/varrank/pangolin-ref-venv
    $V/bin/pip install "setuptools<58" wheel pyfastx gffutils pandas
    $V/bin/pip install --no-build-isolation PyVCF==0.6.8   # the `vcf` module upstream imports
    # torch: the PyPI wheel of the export toolchain (scripts/setup_export.sh), made visible
    # to this venv instead of downloading the 5 GB CUDA wheel a second time
    echo ~/.cache/varrank/export-site > $($V/bin/python -c \
        "import site; print(site.getsitepackages()[0])")/zz-export-site.pth
    git clone https://github.com/tkzeng/Pangolin ~/.cache/varrank/pangolin-src
    git -C ~/.cache/varrank/pangolin-src checkout 5cf94b8db938c658391b4305cd7ce33297d44ff7
    $V/bin/pip install --no-deps ~/.cache/varrank/pangolin-src
    $V/bin/python benchmarks/score_pangolin_oracle.py --write-shim   # see COMPAT_SHIM
    $V/bin/python benchmarks/score_pangolin_oracle.py --data ../shared/data \
        --pangolin-src ~/.cache/varrank/pangolin-src --out tests/data/score

It writes ``pangolin_expected.tsv``: one row per allele and run of the original ``pangolin``
CLI (its INFO/Pangolin text, or the reason it printed for skipping the allele). Inputs are
built from the real test data, deterministically:

* references: the FASTA slices padded with N to true coordinates and upper-cased (the
  original compares REF case-sensitively with the FASTA text, so soft-masked repeats would
  otherwise be skipped as "mismatch"; its encoder upper-cases, so model input is unchanged);
* gene annotation: gffutils databases made by upstream's own ``scripts/create_db.py`` from a
  GTF: the GENCODE v19 BRCA1 GFF3 rewritten as GTF (filter = the tags of upstream's
  gencode.v38lift37 database minus Ensembl_canonical, which v19 predates), or the
  SpliceAI-format canonical tables rewritten as GTF (one transcript per gene, tagged
  Ensembl_canonical, upstream's default filter);
* alleles: every allele of the Pangolin BRCA1 example, every 1000 Genomes BRCA1 indel and
  every 24th SNV, the ClinVar BRCA1 alleles (GRCh37); the BRCA2 gnomAD/ExAC/ClinVar records
  (GRCh38, plus strand); runs with -m True (default) and, for every 8th of the
  GRCh37 alleles and all BRCA2 ones, -m False.

Runs are resumable: alleles already in the table are not run again.

The example output committed upstream (brca_pangolin.vcf) predates the current weights; to
see that it came from commit 342a434 and its own models (tests/data/score/pangolin_expected.md)::

    mkdir /tmp/pangolin-342a434 && git -C ~/.cache/varrank/pangolin-src archive 342a434 \
        | tar x -C /tmp/pangolin-342a434
    PYTHONPATH=/tmp/pangolin-342a434 $V/bin/python -c "import sys; from pangolin.pangolin \
        import main; sys.argv[1:] = ['in.vcf', 'ref.fa', 'genes.db', 'out']; main()"
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote

# PyVCF 0.6.8 passes quotechar="" to csv.writer, which Python >= 3.11 rejects; this
# sitecustomize.py (written into the oracle venv only) maps it to None. Same output (QUOTE_NONE
# is set anyway); Pangolin's own code is not touched.
COMPAT_SHIM = '''import csv as _csv

_writer = _csv.writer


def _compat_writer(*args, **kwargs):
    if kwargs.get("quotechar") == "":
        kwargs["quotechar"] = None
    return _writer(*args, **kwargs)


_csv.writer = _compat_writer
'''
EVERY_NTH_SNV = 24
CHUNK = 40  # alleles per run of the original CLI; the table is appended after each
HEADER = "#set\tbuild\tchrom\tpos\tref\talt\tmask\tstatus\tpangolin_info"
APPRIS = "appris_principal,appris_candidate,appris_candidate_longest"

# name, build, slice, contig, slice start, annotation (kind, path, tags), vcfs, mask,
# (SNV stride, then keep every k-th allele)
SETS = [
    ("brca1_gff3", "GRCh37", "reference/GRCh37_chr17_41100001-41300000.fa", "17", 41100001,
     ("gff3", "annotation/BRCA1_gencode_v19.GRCh37.gff3", APPRIS),
     ["splicing/pangolin_examples_brca.GRCh37.vcf", "variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf",
      "variants/clinvar/macarthur_clinvar_alleles.multi.b37.vcf.gz"], "True", (EVERY_NTH_SNV, 1)),
    ("brca2_table", "GRCh38", "reference/GRCh38_chr13_32300001-32500000.fa", "13", 32300001,
     ("table", "annotation/spliceai_grch38_canonical.regions.txt", "Ensembl_canonical"),
     ["variants/popfreq/brcaexchange_ExAC_AF_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomAD_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomADv3_test.GRCh38coords.vcf",
      "variants/clinvar/brcaexchange_ClinVar_test.GRCh38.vcf"], "True", (1, 1)),
    ("brca2_table_nomask", "GRCh38", "reference/GRCh38_chr13_32300001-32500000.fa", "13",
     32300001, ("table", "annotation/spliceai_grch38_canonical.regions.txt", "Ensembl_canonical"),
     ["variants/popfreq/brcaexchange_ExAC_AF_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomAD_test.GRCh38coords.vcf",
      "variants/popfreq/brcaexchange_GnomADv3_test.GRCh38coords.vcf",
      "variants/clinvar/brcaexchange_ClinVar_test.GRCh38.vcf"], "False", (1, 1)),
    ("brca1_table_nomask", "GRCh37", "reference/GRCh37_chr17_41100001-41300000.fa", "17",
     41100001, ("table", "annotation/spliceai_grch37_canonical.regions.txt", "Ensembl_canonical"),
     ["variants/popfreq/1kgPhase3_BRCA1.GRCh37.vcf"], "False", (EVERY_NTH_SNV, 8)),
]

# Per-position parity windows (slice, slice start, first/last base incl. 5,000 context a side,
# strand): BRCA1 exon 2 acceptor (minus strand; 500 N put into the context), BRCA2 exon 2
# (GRCh38, plus strand). Outputs cover 300 positions each.
TRACK_WINDOWS = [
    ("reference/GRCh37_chr17_41100001-41300000.fa", 41100001, 41270982, 41281281, "-"),
    ("reference/GRCh38_chr13_32300001-32500000.fa", 32300001, 32311300, 32321599, "+"),
]
MODEL_SET = [(tissue, replicate) for tissue in (0, 2, 4, 6) for replicate in (1, 2, 3)]

# the original's warnings, mapped to short reasons
REASONS = [("Variant format not supported", "variant_format_not_supported"),
           ("Deletion too large", "deletion_too_large"),
           ("Could not get sequence", "sequence_unavailable"),
           ("Mismatch between FASTA", "ref_mismatch_with_fasta"),
           ("not contained in a gene body", "not_in_gene")]


def read_slice(path: Path) -> str:
    return "".join(line.strip() for line in path.read_text().splitlines()[1:])


def write_padded(seq: str, start: int, name: str, out: Path) -> None:
    full = "N" * (start - 1) + seq.upper()
    with open(out, "w") as handle:
        handle.write(f">{name}\n")
        for i in range(0, len(full), 60):
            handle.write(full[i:i + 60] + "\n")


def _lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        return [ln.rstrip("\n") for ln in handle if ln.strip() and not ln.startswith("#")]


def select_alleles(vcfs: list[Path], contig: str, lo: int, hi: int,
                   stride: int) -> list[tuple[str, int, str, str]]:
    """Every non-SNV allele and every ``stride``-th SNV of the files, inside [lo, hi]."""
    out, seen, snv_index = [], set(), 0
    for vcf in vcfs:
        for line in _lines(vcf):
            fields = line.split()  # the upstream example's first line is space-delimited
            chrom, pos, ref, alts = fields[0].replace("chr", ""), int(fields[1]), fields[3], fields[4]
            if chrom != contig or not lo <= pos <= hi:
                continue
            for alt in alts.split(","):
                if alt in ("-", ".", "*") or "<" in alt or "[" in alt or "]" in alt:
                    continue
                if len(ref) == 1 and len(alt) == 1 and stride > 1 and "pangolin" not in vcf.name:
                    snv_index += 1
                    if snv_index % stride:
                        continue
                key = (contig, pos, ref.upper(), alt.upper())
                if key not in seen:
                    seen.add(key)
                    out.append(key)
    return sorted(out, key=lambda a: (a[1], a[2], a[3]))


def _gff_attrs(text: str) -> dict[str, str]:
    return {k: unquote(v) for k, _, v in (i.partition("=") for i in text.strip(";").split(";"))}


def gff3_to_gtf(gff3: Path, out: Path) -> None:
    """gene/transcript/exon records of a GENCODE GFF3 as GTF (create_db.py reads GTF only)."""
    with open(out, "w") as handle:
        for line in _lines(gff3):
            cols = line.split("\t")
            if cols[2] not in ("gene", "transcript", "exon"):
                continue
            attrs = _gff_attrs(cols[8])
            keep = ["gene_id", "transcript_id", "gene_name", "gene_type"] if cols[2] != "gene" \
                else ["gene_id", "gene_name", "gene_type"]
            text = " ".join(f'{k} "{attrs[k]}";' for k in keep if k in attrs)
            for tag in filter(None, attrs.get("tag", "").split(",")):
                text += f' tag "{tag}";'
            handle.write("\t".join(cols[:8] + [text]) + "\n")


def table_to_gtf(table: Path, contig: str, out: Path) -> None:
    """SpliceAI-format canonical table (0-based starts) as GTF: gene = transcript span."""
    with open(out, "w") as handle:
        for line in table.read_text().splitlines()[1:]:
            name, chrom, strand, tx_start, tx_end, starts, ends = line.split("\t")[:7]
            if chrom.replace("chr", "") != contig:
                continue
            gid, tid = f'gene_id "{name}";', f'transcript_id "{name}.1";'
            span = [contig, "table", "", str(int(tx_start) + 1), tx_end, ".", strand, "."]
            handle.write("\t".join(span[:2] + ["gene"] + span[3:] + [gid]) + "\n")
            handle.write("\t".join(span[:2] + ["transcript"] + span[3:]
                                   + [f'{gid} {tid} tag "Ensembl_canonical";']) + "\n")
            for s, e in zip(starts.strip(",").split(","), ends.strip(",").split(",")):
                handle.write("\t".join([contig, "table", "exon", str(int(s) + 1), e, ".", strand,
                                        ".", f'{gid} {tid} tag "Ensembl_canonical";']) + "\n")


def make_db(kind: str, path: Path, tags: str, contig: str, work: Path, src: Path) -> Path:
    gtf = work / f"{path.stem}.{contig}.gtf"
    if kind == "gff3":
        gff3_to_gtf(path, gtf)
    else:
        table_to_gtf(path, contig, gtf)
    subprocess.run([sys.executable, str(src / "scripts" / "create_db.py"), str(gtf),
                    "--filter", tags], check=True, stdout=subprocess.DEVNULL)
    return gtf.with_suffix(".db")


def write_vcf(alleles, path: Path) -> None:
    with open(path, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n")
        handle.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, ref, alt in alleles:
            handle.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.\n")


def run_chunk(alleles, fasta: Path, db: Path, mask: str, work: Path) -> list[tuple[str, str]]:
    """(status, info) per allele from one run of the original CLI."""
    vcf_in, prefix = work / "in.vcf", work / "out"
    write_vcf(alleles, vcf_in)
    pangolin = Path(sys.executable).with_name("pangolin")
    done = subprocess.run([str(pangolin), "-m", mask, str(vcf_in), str(fasta), str(db),
                           str(prefix)], check=True, capture_output=True, text=True)
    warnings = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\[Line (\d+)\] WARNING", line)
        if match:
            warnings[int(match.group(1))] = next(
                (short for text, short in REASONS if text in line), "other")
    infos = {}
    for line in Path(f"{prefix}.vcf").read_text().splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        found = [i[len("Pangolin="):] for i in f[7].split(";") if i.startswith("Pangolin=")]
        infos[(f[0], int(f[1]), f[3], f[4])] = found[0] if found else None
    first_record_line = 3  # two header lines precede the records of write_vcf
    out = []
    for i, allele in enumerate(alleles):
        info = infos.get(allele)
        status = "scored" if info else warnings.get(first_record_line + i, "no_output")
        out.append((status, info or "."))
    return out


def run_tracks(data: Path, out: Path) -> None:
    """Per-position P(splice) of each of the 12 upstream models (its own Pangolin class and
    one-hot encoder, the channel the CLI reads) on real windows -> pangolin_torch_tracks.npz."""
    import numpy as np
    import torch
    from pangolin.model import AR, L, W, Pangolin
    from pangolin.pangolin import one_hot_encode
    from pkg_resources import resource_filename

    arrays, names = {}, []
    for k, (slice_path, slice_start, start, end, strand) in enumerate(TRACK_WINDOWS):
        seq = read_slice(data / slice_path)[start - slice_start:end - slice_start + 1].upper()
        if k == 0:
            seq = seq[:1000] + "N" * 500 + seq[1500:]
        x = torch.from_numpy(one_hot_encode(seq, strand).T[None]).float()
        tracks = []
        for tissue, replicate in MODEL_SET:
            model = Pangolin(L, W, AR)
            model.load_state_dict(torch.load(resource_filename(
                "pangolin", f"models/final.{replicate}.{tissue}.3.v2"), map_location="cpu"))
            model.eval()
            with torch.no_grad():
                tracks.append(model(x)[0][[1, 4, 7, 10][tissue // 2]].numpy())
        arrays[f"seq{k}"] = np.frombuffer(seq.encode(), dtype=np.uint8)
        arrays[f"y{k}"] = np.stack(tracks).astype(np.float32)  # (12, positions), model orientation
        names.append(f"{slice_path}:{start}-{end}:{strand}")
    arrays["windows"] = np.array(names)
    np.savez_compressed(out / "pangolin_torch_tracks.npz", **arrays)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="the shared test-data folder")
    parser.add_argument("--pangolin-src", type=Path,
                        help="checkout of tkzeng/Pangolin (for scripts/create_db.py)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sets", nargs="*", help="only these sets (default: all)")
    parser.add_argument("--tracks", action="store_true",
                        help="write only pangolin_torch_tracks.npz (per-position outputs)")
    parser.add_argument("--write-shim", action="store_true",
                        help="write COMPAT_SHIM as sitecustomize.py into this interpreter's "
                             "site-packages (the throwaway venv) and exit")
    args = parser.parse_args()
    if args.write_shim:
        import site

        Path(site.getsitepackages()[0], "sitecustomize.py").write_text(COMPAT_SHIM)
        return 0
    if args.tracks and args.data and args.out:
        run_tracks(args.data.resolve(), args.out)
        return 0
    if not (args.data and args.pangolin_src and args.out):
        parser.error("--data, --pangolin-src and --out are required")
    data = args.data.resolve()
    table = args.out / "pangolin_expected.tsv"
    done = set()
    if table.exists():
        for line in table.read_text().splitlines()[1:]:
            f = line.split("\t")
            done.add((f[0], f[2], int(f[3]), f[4], f[5]))
    else:
        table.write_text(HEADER + "\n")
    started = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, build, slice_path, contig, start, (kind, ann, tags), vcfs, mask, (stride,
                                                                                 every) in SETS:
            if args.sets and name not in args.sets:
                continue
            seq = read_slice(data / slice_path)
            fasta = work / f"{build}_{contig}.fa"
            if not fasta.exists():
                write_padded(seq, start, contig, fasta)
            db = make_db(kind, data / ann, tags, contig, work, args.pangolin_src)
            alleles = select_alleles([data / v for v in vcfs], contig, start,
                                     start + len(seq) - 1, stride)[::every]
            alleles = [a for a in alleles if (name, *a) not in done]
            for i in range(0, len(alleles), CHUNK):
                chunk = alleles[i:i + CHUNK]
                results = run_chunk(chunk, fasta, db, mask, work)
                with open(table, "a") as handle:
                    for allele, (status, info) in zip(chunk, results):
                        handle.write("\t".join([name, build, *map(str, allele), mask, status,
                                                info]) + "\n")
                print(f"{name}: {min(i + CHUNK, len(alleles))}/{len(alleles)} alleles, "
                      f"{time.time() - started:.0f}s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
