"""The two hand-written readers of ANNOTATE's resources, each held to a library oracle.

Why they are hand-written:
- the bundle's VCF reader (vcf_text / vcf_fast) reads gnomAD-sized sources (100M rows in
  benchmarks/RESULTS.md) column-wise through Arrow's CSV reader at ~76k rows/s end to end,
  and names the file and line of every bad record; pysam's record-by-record iteration is the
  slow path it replaced. pysam reads the same files here, as the oracle.
- the GFF3/GTF transcript reader (gene_model) must name the line of a feature whose contig
  or coordinates disagree with the FASTA and stop at a ##FASTA section; pysam's GFF3 parser
  (htslib's tabix parsers) is the oracle for what it extracts.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import pysam

from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.consequence.gene_model import read_models
from varrank.annotate.sources import SourceSpec
from varrank.core.genome import bare_name, contig_mapper

CLINVAR37 = "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"
TGP38 = "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"
GFF38 = "annotation/BRCA1_gencode_v19.GRCh38.gff3"


def _pysam_alleles(path, info_key):
    rows = set()
    with pysam.VariantFile(str(path)) as vcf:
        for record in vcf:
            for alt in record.alts or ():
                if alt.startswith("<") or "[" in alt or "]" in alt or alt == "*":
                    continue
                value = record.info.get(info_key)
                value = ",".join(map(str, value)) if isinstance(value, tuple) else value
                rows.add((bare_name(record.chrom), record.pos, record.ref.upper(), alt.upper(),
                          None if value is None else str(value)))
    return rows


def test_bundle_vcf_reader_matches_pysam(shared_data, tmp_path):
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37", sources=[
        SourceSpec("clinvar", "clinvar", [shared_data / CLINVAR37])]))
    con = duckdb.connect(str(bundle / "annotation.duckdb"), read_only=True)
    got = set(con.execute("SELECT chrom, pos, ref, alt, significance FROM clinvar").fetchall())
    assert got == _pysam_alleles(shared_data / CLINVAR37, "CLNSIG")
    assert len(got) == 1999


def test_popfreq_reader_matches_pysam(shared_data, tmp_path):
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", sources=[
        SourceSpec("popfreq", "tgp", [shared_data / TGP38])]))
    con = duckdb.connect(str(bundle / "annotation.duckdb"), read_only=True)
    got = {(c, p, r, a) for c, p, r, a in con.execute("SELECT chrom, pos, ref, alt FROM tgp").fetchall()}
    assert got == {row[:4] for row in _pysam_alleles(shared_data / TGP38, "AF")}


def test_gff3_transcript_reader_matches_pysam(shared_data):
    path = shared_data / GFF38
    lengths = {"chr17": 83257441}
    models, counts, fmt = read_models(path, lengths, contig_mapper(lengths))
    exons, transcripts = defaultdict(list), {}
    for feature in pysam.tabix_iterator(open(path), pysam.asGFF3()):
        attrs = feature.to_dict()
        if feature.feature == "transcript":
            transcripts[attrs["ID"]] = (feature.contig, feature.strand)
        elif feature.feature == "exon":
            for parent in str(attrs["Parent"]).split(","):
                exons[parent].append((feature.start + 1, feature.end))  # 0-based half-open
    by_id = {m["transcript_id"]: m for m in models}
    assert fmt == "gff3" and set(transcripts) <= set(by_id)
    for tid, (contig, strand) in transcripts.items():
        model = by_id[tid]
        assert (model["chrom"], model["strand"]) == (contig, strand)
        assert list(zip(model["exon_starts"], model["exon_ends"])) == sorted(exons[tid])
    assert counts["exon"] == sum(len(v) for v in exons.values())
