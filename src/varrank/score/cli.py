"""`varrank score`: SpliceAI, Pangolin (and registry models) over a patient's variant table."""

from __future__ import annotations

import argparse
from pathlib import Path

from varrank.score.candidates import DEFAULT_MAX_AF
from varrank.score.stage import ScoreOptions, run_score

DESCRIPTION = """\
Score candidate variants with the deep-learning models in --model-dir (ONNX bundles, see
docs/models.md). SpliceAI: variants inside a gene of the annotation with population AF <= 1%%
(or unknown) get the delta scores DS_AG/DS_AL/DS_DG/DS_DL and positions DP_* of the original
spliceai 1.3.1 CLI (same -D/-M semantics), plus per-position tracks for the report's plot.
Pangolin (bundle from `varrank model export pangolin`), in the same pass: per gene the largest
increase and decrease of splice-site probability within -D, as the original pangolin CLI
(masking -m as --pangolin-mask, default on).
Execution provider: TensorRT (fp16, engine cache) > CUDA > CPU, whichever onnxruntime offers.
Outputs: OUT/ID.score.parquet, OUT/ID.score.ledger.json, OUT/ID.tracks.parquet."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("score", help="SCORE stage: SpliceAI and other ONNX models",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in", dest="input", required=True, type=Path,
                        help="variant table (ID.ingest.parquet or ID.annotate.parquet)")
    parser.add_argument("--fasta", required=True, type=Path,
                        help="indexed reference FASTA (plain or bgzip) the VCF was called on")
    parser.add_argument("--model-dir", required=True, type=Path,
                        help="a model bundle folder, or a folder of bundle folders")
    parser.add_argument("--annotation", type=Path,
                        help="gene annotation in SpliceAI format (#NAME CHROM STRAND TX_START "
                             "TX_END EXON_START EXON_END); default: the bundle's file for the "
                             "table's genome build")
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("-D", "--distance", type=int, default=50,
                        help="max distance between variant and gained/lost splice site "
                             "(original -D; default 50)")
    parser.add_argument("-M", "--mask", type=int, choices=(0, 1), default=0,
                        help="1: mask gains of annotated and losses of unannotated splice "
                             "sites (original -M; default 0)")
    parser.add_argument("--max-af", type=float, default=DEFAULT_MAX_AF,
                        help="score only variants with population AF <= this or unknown "
                             "(max_pop_af, else gnomad_af; default %(default)s)")
    parser.add_argument("--all-variants", action="store_true",
                        help="score every variant inside an annotated gene, whatever its AF")
    parser.add_argument("--max-n-fraction", type=float, default=0.1,
                        help="skip variants whose +-5 kb context is more than this fraction N "
                             "(default %(default)s)")
    parser.add_argument("--provider", choices=("auto", "tensorrt", "cuda", "cpu"),
                        default="auto", help="onnxruntime execution provider (default: best "
                                             "available, TensorRT > CUDA > CPU)")
    parser.add_argument("--batch-size", type=int,
                        help="sequences per model call (default 1 on CPU, 64 on GPU)")
    parser.add_argument("--threads", type=int,
                        help="CPU threads (default: all cores this process may use); on CPU the "
                             "SpliceAI cone pass runs this many reference blocks side by side, "
                             "~0.5 GB each")
    parser.add_argument("--engine-cache", type=Path,
                        help="TensorRT engine cache folder (default $VARRANK_TRT_CACHE or "
                             "~/.cache/varrank/trt)")
    parser.add_argument("--no-fp16", action="store_true", help="TensorRT in fp32")
    parser.add_argument("--pangolin-mask", type=int, choices=(0, 1), default=1,
                        help="Pangolin: 1 sets gains at annotated and losses at unannotated "
                             "splice sites to 0 (original -m True, the default); 0 = -m False")
    parser.add_argument("--pangolin-annotation", type=Path, metavar="GFF",
                        help="Pangolin genes from a GENCODE GFF3/GTF, read as the original's "
                             "create_db.py database (gene spans, exons of the transcripts "
                             "tagged --pangolin-tags); default: the --annotation table")
    parser.add_argument("--pangolin-tags", default="Ensembl_canonical",
                        help="transcript tags whose exons are Pangolin's annotated sites, "
                             "comma-separated, or None for every transcript (original "
                             "create_db.py --filter; default %(default)s)")
    parser.add_argument("--no-cone", action="store_true",
                        help="CPU: run the full SpliceAI graph for every allele instead of "
                             "recomputing only the activations the allele changes (same "
                             "scores, ~3x slower; for checking)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if not 0 <= args.distance < 5000:
        from varrank.core.errors import InputError
        raise InputError(f"-D {args.distance} out of range", hint="use 0 <= D < 5000")
    options = ScoreOptions(distance=args.distance, mask=bool(args.mask), max_af=args.max_af,
                           all_variants=args.all_variants, max_n_fraction=args.max_n_fraction,
                           provider=args.provider, batch_size=args.batch_size,
                           threads=args.threads, engine_cache=args.engine_cache,
                           fp16=not args.no_fp16, cone=not args.no_cone,
                           pangolin_mask=bool(args.pangolin_mask),
                           pangolin_annotation=args.pangolin_annotation,
                           pangolin_tags=None if args.pangolin_tags == "None"
                           else tuple(t for t in args.pangolin_tags.split(",") if t))
    paths = run_score(args.input, args.fasta, args.model_dir, args.out, args.annotation, options)
    for path in paths.values():
        print(path)
    return 0
