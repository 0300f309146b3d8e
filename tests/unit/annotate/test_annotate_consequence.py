"""Consequences from snpEff on the BRCA1 GRCh38 slice, checked against codons the test reads itself.

The expected consequence and HGVS of every coding SNV in the 1000 Genomes BRCA1 sites is
computed here from the GFF3's CDS rows and the reference slice (not the padded FASTA snpEff
was built from) with the standard genetic code, then compared with what snpEff reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pysam
import pytest

from varrank.annotate import AnnotateOptions, run_annotate
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.consequence.snpeff import build_snpeff_db, open_snpeff_db
from varrank.annotate.sources import SourceSpec
from varrank.core.errors import ResourceError

from annotate_helpers import SLICE38, SLICE38_START, patient_table

CANONICAL = "ENST00000357654.3"
BASES = "TCAG"
AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
CODE = {a + b + c: AAS[16 * i + 4 * j + k] for i, a in enumerate(BASES)
        for j, b in enumerate(BASES) for k, c in enumerate(BASES)}
THREE = {"A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
         "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
         "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "*"}
COMP = str.maketrans("ACGT", "TGCA")


def _cds_segments(gff: Path, transcript: str) -> tuple[str, list[tuple[int, int]]]:
    segments, strand = [], None
    for line in gff.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) == 9 and cols[2] == "CDS" and f"Parent={transcript};" in cols[8] + ";":
            segments.append((int(cols[3]), int(cols[4])))
            strand = cols[6]
    return strand, sorted(segments)


def _expected_effects(shared: Path) -> dict[tuple[int, str, str], tuple[str, str, str]]:
    """(pos, ref, alt) -> (SO term, c. name, p. name) for coding SNVs of the canonical transcript."""
    strand, segments = _cds_segments(shared / "annotation/BRCA1_gencode_v19.GRCh38.gff3", CANONICAL)
    assert strand == "-" and len(segments) == 22
    with pysam.FastaFile(str(shared / SLICE38)) as fa:
        slice_seq = fa.fetch(fa.references[0]).upper()

    def base(pos: int) -> str:
        return slice_seq[pos - SLICE38_START]

    genomic = [p for start, end in reversed(segments) for p in range(end, start - 1, -1)]
    cds = "".join(base(p).translate(COMP) for p in genomic)
    assert cds[:3] == "ATG" and CODE[cds[-3:]] == "*" and len(cds) % 3 == 0
    index = {p: i for i, p in enumerate(genomic)}
    expected = {}
    for line in (shared / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf").read_text().splitlines():
        if line.startswith("#"):
            continue
        _, pos, _, ref, alts = line.split("\t")[:5]
        pos = int(pos)
        for alt in alts.split(","):
            if len(ref) != 1 or len(alt) != 1 or pos not in index:
                continue
            assert base(pos) == ref
            i = index[pos]
            codon_start = i - i % 3
            codon = cds[codon_start:codon_start + 3]
            tx_alt = alt.translate(COMP)
            mutant = codon[:i % 3] + tx_alt + codon[i % 3 + 1:]
            aa_ref, aa_alt = CODE[codon], CODE[mutant]
            number = codon_start // 3 + 1
            if number == 1 and aa_alt != "M":
                term = "start_lost"
            elif aa_ref == "*" and aa_alt != "*":
                term = "stop_lost"
            elif aa_ref == "*":
                term = "stop_retained_variant"
            elif aa_alt == "*":
                term = "stop_gained"
            elif aa_ref == aa_alt:
                term = "synonymous_variant"
            else:
                term = "missense_variant"
            p_alt = "=" if aa_ref == aa_alt else THREE[aa_alt]
            p_name = f"p.{THREE[aa_ref]}{number}{p_alt}"
            expected[(pos, ref, alt)] = (term, f"c.{i + 1}{ref.translate(COMP)}>{tx_alt}", p_name)
    return expected


@pytest.fixture(scope="module")
def brca1_annotated(shared_data: Path, chr17_grch38: Path, snpeff_db_grch38: Path,
                    tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("brca1")
    table = patient_table(shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf", "HG00096",
                          tmp / "BRCA1.ingest.parquet", "BRCA1demo", "GRCh38", fasta=chr17_grch38)
    bundle = build_bundle(BuildRequest(
        out=tmp / "bundle", genome="GRCh38", fasta=chr17_grch38,
        sources=[SourceSpec("popfreq", "1kg", [shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf"])]))
    out = run_annotate(table, bundle, tmp / "out", AnnotateOptions(snpeff_db=snpeff_db_grch38))
    return out.table, out.transcripts


def test_coding_snvs_match_codons_read_from_the_gff3(shared_data, brca1_annotated):
    expected = _expected_effects(shared_data)
    assert len(expected) >= 100  # the slice holds ~150 coding SNVs of the canonical transcript
    tx = pq.read_table(brca1_annotated[1]).to_pylist()
    got = {(r["pos"], r["ref"], r["alt"]): r for r in tx if r["transcript_id"] == CANONICAL}
    mismatches = []
    for key, (term, c_name, p_name) in expected.items():
        row = got.get(key)
        if row is None or term not in row["consequence"].split("&") or row["hgvs_c"] != c_name \
                or row["hgvs_p"] != p_name:
            mismatches.append((key, (term, c_name, p_name),
                               row and (row["consequence"], row["hgvs_c"], row["hgvs_p"])))
    assert not mismatches, mismatches[:5]
    terms = {v[0] for v in expected.values()}
    assert {"missense_variant", "synonymous_variant"} <= terms


def test_one_row_per_variant_and_all_transcripts_in_side_table(brca1_annotated):
    table = pq.read_table(brca1_annotated[0])
    tx = pq.read_table(brca1_annotated[1])
    assert table.num_rows == 2058  # 2052 records, multi-allelics split, nothing dropped
    keys = table.column("variant_key").to_pylist()
    assert len(set(keys)) == len(keys)
    preferred = [r for r in tx.to_pylist() if r["preferred"]]
    assert len(preferred) == table.num_rows - 1  # the <CN0> record has no sequence effect
    by_key = {r["variant_key"]: r for r in preferred}
    for row in table.to_pylist():
        if row["consequence"] is None:
            assert row["alt"].startswith("<")
            continue
        side = by_key[row["variant_key"]]
        assert (side["transcript_id"], side["hgvs_c"]) == (row["transcript_id"], row["hgvs_c"])
    counts: dict[str, int] = {}
    for key in tx.column("variant_key").to_pylist():
        counts[key] = counts.get(key, 0) + 1
    assert all(r["n_transcripts"] == counts.get(r["variant_key"], 0) for r in table.to_pylist())
    ledger = json.loads(brca1_annotated[0].with_name("BRCA1demo.annotate.ledger.json").read_text())
    assert ledger["flagged"] == {"consequence_skipped:symbolic_or_missing_alt": 1}
    assert ledger["records_in"] == ledger["records_out"] == 2058 and ledger["balanced"]


def test_preferred_transcript_is_most_severe_then_principal_isoform(brca1_annotated):
    # GENCODE v19 predates MANE/Ensembl_canonical tags: most severe wins, ties fall to the
    # APPRIS principal isoform (ENST00000357654, NM_007294 equivalent).
    from varrank.core.so_terms import severity

    rows = pq.read_table(brca1_annotated[0]).to_pylist()
    tx = pq.read_table(brca1_annotated[1]).to_pylist()
    by_key: dict[str, list[dict]] = {}
    for r in tx:
        by_key.setdefault(r["variant_key"], []).append(r)
    checked = 0
    for row in rows:
        effects = by_key.get(row["variant_key"], [])
        if not effects:
            continue
        best = min(severity(e["consequence"].split("&")) for e in effects)
        assert severity(row["consequence"].split("&")) == best
        canon = [e for e in effects if e["transcript_id"] == CANONICAL]
        if canon and severity(canon[0]["consequence"].split("&")) == best:
            assert row["transcript_id"] == CANONICAL, row
            checked += 1
    assert checked > 1500
    assert all(r["is_mane_select"] is None for r in rows)


def test_hgvs_fields_and_splice_distance(brca1_annotated, shared_data):
    rows = {(r["pos"], r["ref"], r["alt"]): r for r in pq.read_table(brca1_annotated[0]).to_pylist()}
    # rs1799950, BRCA1 c.3024G>A p.Met1008Ile (NM_007294.4), in the large exon 10
    r = rows[(43092507, "C", "T")]
    assert (r["hgvs_c"], r["hgvs_p"], r["amino_acids"], r["protein_position"]) == \
        ("c.3024G>A", "p.Met1008Ile", "M/I", 1008)
    assert r["exon"] == "10/23" and r["intron"] is None and r["impact"] == "MODERATE"
    # Intronic SNVs on the canonical transcript: offset from the nearest exon, computed here
    # from the GFF3 exon rows (minus strand: the donor is the right-hand exon's start).
    exons = sorted((int(c[3]), int(c[4])) for c in (
        line.split("\t") for line in (shared_data / "annotation/BRCA1_gencode_v19.GRCh38.gff3")
        .read_text().splitlines()) if len(c) == 9 and c[2] == "exon" and f"Parent={CANONICAL};" in c[8])
    checked = 0
    for (pos, ref, alt), r in rows.items():
        if r["transcript_id"] != CANONICAL or len(ref) != 1 or len(alt) != 1 or not r["intron"]:
            continue
        left = max(e for s, e in exons if e < pos)
        right = min(s for s, e in exons if s > pos)
        donor, acceptor = right - pos, -(pos - left)
        if abs(donor) == abs(acceptor):
            continue
        assert r["splice_distance"] == (donor if abs(donor) < abs(acceptor) else acceptor), r
        checked += 1
    assert checked > 1000
    # Exonic SNVs: 0 on the exon base at a junction, + downstream of an acceptor, - upstream of
    # a donor; the transcript's first/last exon ends are not splice sites.
    exonic = 0
    for (pos, ref, alt), r in rows.items():
        if r["transcript_id"] != CANONICAL or len(ref) != 1 or len(alt) != 1 or not r["exon"]:
            continue
        i = next(k for k, (s, e) in enumerate(exons) if s <= pos <= e)
        s, e = exons[i]
        options = []
        if i != len(exons) - 1:  # minus strand: the genomic end is the acceptor side
            options.append(e - pos)
        if i != 0:
            options.append(-(pos - s))
        options.sort(key=abs)
        if len(options) == 2 and abs(options[0]) == abs(options[1]):
            continue
        assert r["splice_distance"] == options[0], r
        exonic += 1
    assert exonic > 150


def test_missing_snpeff_database_is_a_clear_error(tmp_path, trio_hg002, shared_data):
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh37", sources=[SourceSpec(
        "clinvar", "clinvar", [shared_data / "variants/clinvar/exomiser_clinvar-test.GRCh37_chr1.vcf.gz"])]))
    with pytest.raises(ResourceError, match="not a snpEff database"):
        run_annotate(trio_hg002, bundle, tmp_path / "out",
                     AnnotateOptions(snpeff_db=tmp_path / "no_such_db"))
    assert not (tmp_path / "out").exists()


def test_snpeff_database_of_other_build_is_refused(snpeff_db_grch38):
    with pytest.raises(ResourceError, match="GRCh38 but the patient's variants are GRCh37"):
        open_snpeff_db(snpeff_db_grch38, "GRCh37")


def test_gff_contigs_not_in_fasta_name_file_and_line(shared_data, tmp_path):
    # The unpadded slice is named chr17:42425000-43600000, so the GFF3's chr17 is not in it.
    gff = shared_data / "annotation/BRCA1_gencode_v19.GRCh38.gff3"
    with pytest.raises(ResourceError) as err:
        build_snpeff_db(gff, shared_data / SLICE38, "GRCh38", tmp_path / "db")
    first_record = next(i for i, l in enumerate(gff.read_text().splitlines(), 1)
                        if l and not l.startswith("#"))
    assert err.value.line == first_record and "contig 'chr17' is not in the reference" in str(err.value)
    assert str(gff) in str(err.value)
    assert not list(tmp_path.iterdir())


def test_snpeff_db_manifest_records_sources(snpeff_db_grch38, shared_data):
    manifest = json.loads((snpeff_db_grch38 / "manifest.json").read_text())
    assert manifest["genome_build"] == "GRCh38" and manifest["annotator"].startswith("snpEff 5")
    assert manifest["transcripts"] == 32 and manifest["annotation"]["format"] == "gff3"
    assert manifest["fasta"]["contigs"] == {"chr17": 83257441}


def test_contig_missing_from_snpeff_db_is_flagged_not_dropped(snpeff_db_grch38, tmp_path):
    import pyarrow as pa

    from varrank.core.schema import arrow_schema
    from varrank.core.table_io import write_table

    rows = {f.name: [None, None] for f in arrow_schema("ingest")}
    rows.update(chrom=["chr1", "chr17"], pos=[1000000, 43092507], ref=["A", "C"], alt=["G", "T"],
                variant_key=["chr1-1000000-A-G", "chr17-43092507-C-T"])
    path = write_table(pa.Table.from_pydict(rows, schema=arrow_schema("ingest")),
                       tmp_path / "two.parquet", {"patient": "TWO", "genome_build": "GRCh38"})
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", sources=[],
                                       constraint=_tiny_constraint(tmp_path)))
    out = run_annotate(path, bundle, tmp_path / "o", AnnotateOptions(snpeff_db=snpeff_db_grch38))
    table = pq.read_table(out.table).to_pylist()
    assert [r["consequence"] for r in table] == [None, "missense_variant"]
    assert table[1]["gene_pli"] == 0.0 and table[1]["gene_loeuf"] == 0.1
    assert table[1]["gene_constraint_release"] == "v4.1" and table[0]["gene_pli"] is None
    ledger = json.loads(out.ledger.read_text())
    assert ledger["flagged"] == {"consequence_skipped:contig_not_in_snpeff_db": 1}
    assert ledger["records_out"] == 2


def _tiny_constraint(tmp_path: Path) -> Path:
    path = tmp_path / "gnomad.v4.1.constraint_metrics.tsv"
    path.write_text("gene\tgene_id\ttranscript\tcanonical\tmane_select\tlof.pLI\tlof.oe_ci.upper\n"
                    "BRCA1\tENSG00000012048\tENST00000357654\ttrue\ttrue\t0\t0.1\n")
    return path


VEP_STAND_IN = r'''#!/usr/bin/env python3
"""Stand-in for `vep` in tests: checks the offline flags, replays a real VEP 113 CSQ record."""
import sys
args = sys.argv[1:]
for flag in ("--offline", "--cache", "--vcf", "--hgvs", "--mane", "--canonical", "--dir_cache", "--fasta"):
    if flag not in args:
        sys.exit(f"missing {flag}")
src, dst = args[args.index("-i") + 1], args[args.index("-o") + 1]
with open(src) as inp, open(dst, "w") as out:
    out.write('##fileformat=VCFv4.2\n##VEP="v113" time="x" cache="c"\n')
    out.write('##INFO=<ID=CSQ,Number=.,Type=String,Description="%s">\n' % DESCRIPTION)
    for line in inp:
        if line.startswith("##"):
            continue
        if line.startswith("#"):
            out.write(line)
            continue
        c = line.rstrip("\n").split("\t")
        c[7] = "CSQ=" + CSQ
        out.write("\t".join(c) + "\n")
'''


def test_vep_cache_path_with_a_stand_in_vep(tmp_path, monkeypatch):
    import os

    import pyarrow as pa

    from annotate_helpers import VEP113_CSQ, VEP113_DESCRIPTION
    from varrank.core.schema import arrow_schema
    from varrank.core.table_io import write_table

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "vep"
    script.write_text(VEP_STAND_IN.replace("DESCRIPTION)", f"{VEP113_DESCRIPTION!r})")
                      .replace("\"CSQ=\" + CSQ", f"\"CSQ=\" + {VEP113_CSQ!r}"))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    rows = {f.name: [None] for f in arrow_schema("ingest")}
    rows.update(chrom=["1"], pos=[65568], ref=["A"], alt=["C"], variant_key=["1-65568-A-C"])
    path = write_table(pa.Table.from_pydict(rows, schema=arrow_schema("ingest")),
                       tmp_path / "p.parquet", {"patient": "V1", "genome_build": "GRCh38"})
    bundle = build_bundle(BuildRequest(out=tmp_path / "b", genome="GRCh38", sources=[],
                                       constraint=_tiny_constraint(tmp_path)))
    cache = tmp_path / "vep_cache"
    cache.mkdir()
    out = run_annotate(path, bundle, tmp_path / "o", AnnotateOptions(
        vep_cache=cache, fasta=tmp_path / "ref.fa"))
    row = pq.read_table(out.table).to_pylist()[0]
    assert (row["transcript_id"], row["is_mane_select"], row["annotator"]) == \
        ("ENST00000641515.2", True, "VEP v113")
    with pytest.raises(ResourceError, match="VEP cache folder not found"):
        run_annotate(path, bundle, tmp_path / "o2", AnnotateOptions(
            vep_cache=tmp_path / "none", fasta=tmp_path / "ref.fa"))


def test_demo_resources_annotate_the_spiked_brca1_start_loss(shared_data, chr17_grch38,
                                                             demo_resources, tmp_path):
    """The DEMO patient's spike (BRCA1 c.3G>A) gets ClinVar and a start_lost call end to end."""
    from varrank.ingest import run_ingest
    from varrank.testdata.demo import build_demo_vcf

    vcf = build_demo_vcf(shared_data / "variants/popfreq/1kgPhase3_BRCA1.GRCh38.vcf",
                         shared_data / "variants/clinvar/macarthur_clinvar_alleles.multi.b38.vcf.gz",
                         tmp_path / "DEMO.vcf.gz")
    ingested = run_ingest(vcf, "DEMO", tmp_path / "ingest", fasta=chr17_grch38)
    params = demo_resources
    out = run_annotate(ingested.table, Path(params["annotation_db"]), tmp_path / "annotate",
                       AnnotateOptions(snpeff_db=Path(params["snpeff_db"])))
    spike = next(r for r in pq.read_table(out.table).to_pylist() if r["pos"] == 43124094)
    assert (spike["ref"], spike["alt"], spike["consequence"], spike["hgvs_c"], spike["hgvs_p"]) == \
        ("C", "T", "start_lost", "c.3G>A", "p.Met1?")
    assert spike["clinvar_allele_id"] == "424868"
    assert spike["clinvar_significance"] == "Conflicting_interpretations_of_pathogenicity"


def _gff3_to_gtf(gff3: Path, gtf: Path, contig: str | None = None) -> None:
    """GENCODE GFF3 -> GTF 2.2 attribute layout (the format GENCODE also ships), for the test."""
    out = []
    for line in gff3.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) != 9 or cols[2] not in ("transcript", "exon", "CDS", "start_codon", "stop_codon"):
            continue
        attrs = dict(kv.split("=", 1) for kv in cols[8].split(";") if "=" in kv)
        keep = ["gene_id", "transcript_id", "gene_type", "gene_name", "transcript_type",
                "transcript_name", "exon_number"]
        text = " ".join(f'{k} "{attrs[k]}";' for k in keep if k in attrs)
        text += "".join(f' tag "{t}";' for t in attrs.get("tag", "").split(",") if t)
        cols[0] = contig or cols[0]
        cols[8] = text
        out.append("\t".join(cols))
    gtf.write_text("\n".join(out) + "\n")


def test_gtf_models_and_contig_mismatch(shared_data, chr17_grch38, tmp_path):
    from varrank.annotate.consequence.gene_model import read_models
    from varrank.core.genome import contig_mapper

    gff3 = shared_data / "annotation/BRCA1_gencode_v19.GRCh38.gff3"
    gtf = tmp_path / "brca1.gtf"
    _gff3_to_gtf(gff3, gtf)
    lengths = {"chr17": 83257441}
    models, counts, fmt = read_models(gtf, lengths, contig_mapper(lengths))
    gff_models, _, _ = read_models(gff3, lengths, contig_mapper(lengths))
    assert fmt == "gtf" and counts["exon"] == 401
    by_id = {m["transcript_id"]: m for m in models}
    assert len(by_id) == 32
    canon = by_id[CANONICAL]
    assert canon["strand"] == "-" and len(canon["exon_starts"]) == 23 and canon["cds_length"] == 5592
    assert "appris_principal" in canon["tags"] and canon["gene_symbol"] == "BRCA1"
    gff_canon = next(m for m in gff_models if m["transcript_id"] == CANONICAL)
    assert gff_canon["exon_starts"] == canon["exon_starts"] and gff_canon["cds_length"] == 5592
    bad = tmp_path / "brca1_chr99.gtf"
    _gff3_to_gtf(gff3, bad, contig="chr99")
    with pytest.raises(ResourceError) as err:
        build_snpeff_db(bad, chr17_grch38, "GRCh38", tmp_path / "db")
    assert err.value.line == 1 and "contig 'chr99' is not in the reference FASTA" in str(err.value)
    assert str(bad) in str(err.value) and not (tmp_path / "db").exists()
