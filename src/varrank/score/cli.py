"""`varrank score`: SpliceAI, Pangolin (and registry models) over a patient's variant table."""

from __future__ import annotations

import argparse

from varrank.core.contract import ScoreArgs, add_stage_parser
from varrank.core.errors import InputError
from varrank.core.vocab import Stage
from varrank.score.stage import ScoreOptions, run_score

DESCRIPTION = """\
Score candidate variants with the deep-learning models in --model-dir (ONNX bundles, see
docs/models.md). SpliceAI: variants inside a gene of the annotation with population AF <= 1%
(or unknown) get the delta scores DS_AG/DS_AL/DS_DG/DS_DL and positions DP_* of the original
spliceai 1.3.1 CLI (same -D/-M semantics), plus per-position tracks for the report's plot.
Pangolin (bundle from `varrank model export pangolin`), in the same pass: per gene the largest
increase and decrease of splice-site probability within -D, as the original pangolin CLI
(masking -m as --pangolin-mask, default on).
Precomputed SpliceAI scores in the annotation bundle (`varrank resources build
--spliceai-scores`, Illumina's format) are taken first when their -M/-D match this run's;
only the candidates they lack are scored live (all of them with --rescore); the table's
spliceai_source says which.
Execution provider: TensorRT (fp16, engine cache) > CUDA > CPU, whichever onnxruntime offers.
Outputs: OUT/ID.score.parquet, OUT/ID.score.ledger.json, OUT/ID.tracks.parquet."""


def register(sub: argparse._SubParsersAction) -> None:
    add_stage_parser(sub, Stage.SCORE, DESCRIPTION, _run)


def _run(args: ScoreArgs) -> int:
    if not 0 <= args.distance < 5000:
        raise InputError(f"-D {args.distance} out of range", hint="use 0 <= D < 5000")
    options = ScoreOptions(distance=args.distance, mask=bool(args.mask), max_af=args.max_af,
                           all_variants=args.all_variants, max_n_fraction=args.max_n_fraction,
                           provider=args.provider, batch_size=args.batch_size,
                           threads=args.threads, engine_cache=args.engine_cache,
                           fp16=args.fp16, cone=args.cone, rescore=args.rescore,
                           pangolin_mask=bool(args.pangolin_mask),
                           pangolin_annotation=args.pangolin_annotation,
                           pangolin_tags=None if args.pangolin_tags == "None"
                           else tuple(t for t in args.pangolin_tags.split(",") if t))
    paths = run_score(args.input, args.fasta, args.model_dir, args.out, args.annotation, options)
    for path in paths.values():
        print(path)
    return 0
