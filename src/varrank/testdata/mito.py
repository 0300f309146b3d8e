"""`varrank testdata mito`: a mitochondrial patient and its resources from real data.

- ``MT.fa``: the rCRS (NC_012920.1, ``reference/chrM_rCRS_NC_012920.1.fa``) with the contig
  named ``MT`` as 1000 Genomes names it (same sequence as GRCh38 chrM / hs37d5 MT).
- ``HG00097.mito.vcf``: the real 1000 Genomes HG00097 chrMT calls (haploid GT, quoted INFO:
  kept as they are) with one MITOMAP confirmed pathogenic allele spiked in at a given
  heteroplasmy, written the way GATK Mutect2 writes an mtDNA call (GT 0/1, AD, AF, DP), in
  position order; by default m.3243A>G at 40%, the MELAS allele.
- ``bundle/``: an annotation bundle of the mtDNA sources (gnomAD v3.1 chrM, HelixMTdb, MITOMAP
  disease table, MitoTIP, MitImpact, MITOMAP loci), built with ``varrank resources build``'s
  own function against ``MT.fa``.
Every input is read through the test-data manifest (sha256-checked); nothing is copied into
the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pysam

from varrank.testdata.demo import write_if_changed
from varrank.testdata.manifest import locate

RCRS = "reference/chrM_rCRS_NC_012920.1.fa"
HG00097 = "mito/1000G_HG00097.chrMT.vcf"
SOURCES = {"gnomad_mito": "mito/gnomad.genomes.v3.1.sites.chrM.reduced_annotations.tsv",
           "helixmtdb": "mito/HelixMTdb_20200327.tsv",
           "mitomap": "mito/MITOMAP_disease_2022-05-25.txt",
           "mitotip": "mito/mitotip_scores.txt", "mitimpact": "mito/MITIMPACT.vcf.gz"}
LOCI = "mito/mitomap_genome_loci.txt"
FORMAT_LINES = (
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction (heteroplasmy) of the alt allele">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
)


@dataclass(frozen=True)
class Spike:
    """One mtDNA allele spiked in as a heteroplasmic call (Mutect2-style FORMAT fields)."""

    pos: int = 3243
    ref: str = "A"
    alt: str = "G"
    heteroplasmy: float = 0.4
    depth: int = 1000
    af_text: str | None = None  # FORMAT/AF as written (default: the heteroplasmy); bad-input tests

    def record(self) -> str:
        alt_reads = round(self.depth * self.heteroplasmy)
        af = self.af_text if self.af_text is not None else f"{self.heteroplasmy:g}"
        return (f'MT\t{self.pos}\t.\t{self.ref}\t{self.alt}\t.\tPASS\t"AC=1;AN=1"\tGT:AD:AF:DP\t'
                f"0/1:{self.depth - alt_reads},{alt_reads}:{af}:{self.depth}")


def rcrs_fasta(data_dir: str | Path | None, out: Path) -> Path:
    """The rCRS named ``MT`` (+ .fai)."""
    lines = locate(RCRS, data_dir).read_text().splitlines()
    fasta = out / "MT.fa"
    write_if_changed(fasta, ">MT\n" + "\n".join(l for l in lines[1:] if l.strip()) + "\n")
    pysam.faidx(str(fasta))
    return fasta


def spiked_vcf(data_dir: str | Path | None, out: Path, spikes: tuple[Spike, ...] = (Spike(),),
               name: str = "HG00097.mito.vcf") -> Path:
    """HG00097's chrMT calls with ``spikes`` inserted in position order (lines kept as they are)."""
    lines = locate(HG00097, data_dir).read_text().splitlines()
    pending = sorted(spikes, key=lambda s: s.pos)
    written: list[str] = []
    for line in lines:
        if line.startswith("#CHROM"):
            written.extend(FORMAT_LINES)
        elif line and not line.startswith("#"):
            pos = int(line.split("\t", 2)[1])
            while pending and pending[0].pos <= pos:
                written.append(pending.pop(0).record())
        written.append(line)
    written.extend(s.record() for s in pending)
    path = out / name
    write_if_changed(path, "\n".join(written) + "\n")
    return path


def mito_bundle(data_dir: str | Path | None, out: Path, fasta: Path) -> Path:
    """The mtDNA annotation bundle (kept when already built)."""
    from varrank.annotate.bundle_build import BuildRequest, build_bundle
    from varrank.annotate.sources import SourceSpec

    bundle = out / "bundle"
    if (bundle / "manifest.json").is_file():
        return bundle
    specs = [SourceSpec(kind, kind, [locate(name, data_dir)]) for kind, name in SOURCES.items()]
    return build_bundle(BuildRequest(out=bundle, genome="GRCh38", sources=specs, fasta=fasta,
                                     mito_loci=locate(LOCI, data_dir), hpo_dir=None))


def prepare_mito(data_dir: str | Path | None, out: str | Path,
                 spike: Spike = Spike()) -> dict[str, Path]:
    """Reference, spiked patient VCF and bundle in ``out``; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fasta = rcrs_fasta(data_dir, out)
    return {"fasta": fasta, "vcf": spiked_vcf(data_dir, out, (spike,)),
            "bundle": mito_bundle(data_dir, out, fasta)}
