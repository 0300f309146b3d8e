"""`varrank testdata`: verify the mirrored test data, pad slices, prepare the demo patient."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "testdata", help="test/demo data: verify the mirror, prepare the DEMO patient",
        description="Test and demo data are read from a mirror folder (default ../shared/data, "
                    "or $VARRANK_TEST_DATA) and checked against src/varrank/testdata/manifest.tsv.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    prep = actions.add_parser(
        "prepare", help="prepare the DEMO patient and every resource of the chain (make demo)",
        description="Write the DEMO patient (OUT/samplesheet.csv, OUT/DEMO.vcf.gz(+.tbi), "
                    "OUT/reference/GRCh38_chr17.padded.fa(.fai), OUT/params.json; real records: "
                    "1000G HG00096 genotypes plus one ClinVar BRCA1 record), its resources in "
                    "OUT/resources/ (annotation bundle with ClinVar and 1000 Genomes, snpEff "
                    "database, and the SpliceAI ONNX bundle when the export toolchain of "
                    "scripts/setup_export.sh is installed) and OUT/resources.json. The Nextflow "
                    "test profile reads params.json and resources.json. Idempotent: a second run "
                    "keeps what is there.",
    )
    prep.add_argument("--data-dir", help="test-data mirror (default: $VARRANK_TEST_DATA or ../shared/data)")
    prep.add_argument("--out", required=True, help="output folder")
    prep.set_defaults(func=_prepare)

    cohort = actions.add_parser(
        "cohort", help="a cohort of fictional patients (singletons and trios) on the test resources",
        description="Write OUT/cohort/samplesheet.csv and its VCFs: singletons rotating over the "
                    "three 1000 Genomes samples of the BRCA1 file, the real ClinVar BRCA1 records "
                    "of the slice (or none) and HPO profiles, and trios with a de novo spike. Run "
                    "it beside `varrank testdata prepare --out OUT`, then `nextflow run . -profile "
                    "test --test_prepared_dir OUT --input OUT/cohort/samplesheet.csv`.")
    cohort.add_argument("--data-dir", help="test-data mirror (default: $VARRANK_TEST_DATA or ../shared/data)")
    cohort.add_argument("--out", required=True, help="the prepared folder (cohort/ is written in it)")
    cohort.add_argument("--patients", type=int, default=50, help="analysed patients (default 50)")
    cohort.add_argument("--families", type=int, default=5,
                        help="of them, probands of trios (default 5; each adds two parent rows)")
    cohort.set_defaults(func=_cohort)

    _add_mito(actions)

    verify = actions.add_parser("verify", help="check every manifest file exists with its sha256")
    verify.add_argument("--data-dir", help="test-data mirror")
    verify.set_defaults(func=_verify)

    pad = actions.add_parser("pad", help="pad a region-named FASTA slice with N to true coordinates")
    pad.add_argument("--fasta", required=True, help="slice FASTA named like chr17:42425000-43600000")
    pad.add_argument("--genome", required=True, help="GRCh37 or GRCh38 (gives the contig length)")
    pad.add_argument("--contig-name", help="rename the contig (e.g. 17 for b37 naming)")
    pad.add_argument("--bgzip", action="store_true", help="write bgzip-compressed FASTA (+.gzi)")
    pad.add_argument("--out", required=True, help="output folder")
    pad.set_defaults(func=_pad)


def _add_mito(actions: argparse._SubParsersAction) -> None:
    mito = actions.add_parser(
        "mito", help="a mitochondrial patient (HG00097 chrMT + a spiked MITOMAP allele) and "
                     "its mtDNA bundle",
        description="Write OUT/MT.fa (rCRS named MT), OUT/HG00097.mito.vcf (the real 1000 "
                    "Genomes HG00097 chrMT calls with m.POSREF>ALT spiked in at the given "
                    "heteroplasmy, GT/AD/AF/DP as Mutect2 writes them) and OUT/bundle/ (gnomAD "
                    "chrM, HelixMTdb, MITOMAP, MitoTIP, MitImpact, MITOMAP loci). See "
                    "docs/mitochondrial.md.")
    mito.add_argument("--data-dir", help="test-data mirror (default: $VARRANK_TEST_DATA or ../shared/data)")
    mito.add_argument("--out", required=True, help="output folder")
    mito.add_argument("--spike", default="3243A>G", metavar="POSREF>ALT",
                      help="the allele spiked in (default 3243A>G, MELAS)")
    mito.add_argument("--heteroplasmy", type=float, default=0.4, help="its level (default 0.4)")
    mito.set_defaults(func=_mito)


def _prepare(args: argparse.Namespace) -> int:
    from varrank.testdata.resources import prepare_all

    paths = prepare_all(args.data_dir, args.out)
    print(paths["resources"])
    return 0


def _cohort(args: argparse.Namespace) -> int:
    from varrank.testdata.cohort import build_cohort

    print(build_cohort(args.data_dir, args.out, args.patients, args.families))
    return 0


def _mito(args: argparse.Namespace) -> int:
    import re

    from varrank.core.errors import InputError
    from varrank.testdata.mito import Spike, prepare_mito

    found = re.fullmatch(r"(\d+)([ACGT])>([ACGT])", args.spike.strip().upper())
    if not found or not 0 < args.heteroplasmy <= 1:
        raise InputError(f"--spike {args.spike!r} / --heteroplasmy {args.heteroplasmy}",
                         hint="give an SNV like 3243A>G and a level in (0, 1]")
    spike = Spike(int(found.group(1)), found.group(2), found.group(3), args.heteroplasmy)
    for name, path in prepare_mito(args.data_dir, args.out, spike).items():
        print(f"{name}\t{path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from varrank.core.errors import ResourceError
    from varrank.testdata.manifest import load_manifest, verify_all

    problems = verify_all(args.data_dir)
    for _name, problem in problems:
        print(problem)
    if problems:
        raise ResourceError(f"{len(problems)} of {len(load_manifest())} test-data files failed the check",
                            hint="re-fetch them from the upstream URLs in the manifest")
    print(f"all {len(load_manifest())} test-data files present and verified")
    return 0


def _pad(args: argparse.Namespace) -> int:
    from varrank.testdata.derive import pad_slice

    print(pad_slice(args.fasta, args.out, args.genome, args.contig_name, args.bgzip))
    return 0
