"""Transcript models read from the GFF3/GTF given to snpEff: exons, CDS length, MANE/canonical tags.

snpEff's ANN carries neither a MANE Select flag nor exon coordinates, yet choosing the
preferred transcript needs the first and the splice distance of an exonic variant needs the
second. Both come from the same annotation file snpEff's database was built from, so they
cannot disagree with it. The reader also checks every contig against the FASTA, naming the
line, because snpEff would otherwise build a database that silently annotates nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa

from varrank.annotate.vcf_text import iter_lines
from varrank.core.errors import ResourceError

TRANSCRIPT_TYPES = {"transcript", "mrna", "ncrna", "lnc_rna", "mirna", "snrna", "snorna",
                    "rrna", "trna", "primary_transcript", "pseudogenic_transcript", "nmd_transcript_variant"}
_GTF_ATTR = re.compile(r'\s*([^\s]+)\s+"?([^";]*)"?\s*;?')

MODEL_SCHEMA = pa.schema([
    ("transcript_id", pa.string()), ("gene_id", pa.string()), ("gene_symbol", pa.string()),
    ("chrom", pa.string()), ("strand", pa.string()), ("biotype", pa.string()),
    ("exon_starts", pa.list_(pa.int64())), ("exon_ends", pa.list_(pa.int64())),
    ("cds_length", pa.int64()), ("is_mane_select", pa.bool_()), ("is_canonical", pa.bool_()),
    ("tags", pa.string()),
])


def detect_format(path: Path) -> str:
    for _, line in iter_lines(path):
        if line.startswith("##gff-version 3"):
            return "gff3"
        if line and not line.startswith("#"):
            cols = line.split("\t")
            if len(cols) == 9:
                return "gff3" if "=" in cols[8].split(";")[0] else "gtf"
            break
    raise ResourceError("cannot tell GFF3 from GTF: no '##gff-version 3' and no 9-column record",
                        path=path, line=1)


def _attrs(text: str, fmt: str) -> dict[str, str]:
    if fmt == "gff3":
        out = {}
        for item in text.strip().strip(";").split(";"):
            key, _, value = item.partition("=")
            out[key.strip()] = unquote(value.strip())
        return out
    out = {}
    for key, value in _GTF_ATTR.findall(text):
        out[key] = f"{out[key]},{value}" if key in out else value  # GTF repeats 'tag'
    return out


@dataclass
class _Collected:
    """Transcripts, exons, CDS lengths, genes and feature counts gathered from the file."""

    fmt: str
    tx: dict[str, dict] = field(default_factory=dict)
    exons: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    cds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    genes: dict[str, dict[str, str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def read_models(path: Path, fasta_lengths: dict[str, int], rename: dict[str, str]
                ) -> tuple[list[dict], dict[str, int], str]:
    """Parse transcripts with exons; check contigs and coordinates against the FASTA.

    ``rename`` maps the annotation's contig names to the FASTA's; a contig it lacks is an
    error naming the first line that uses it. Returns (models, feature counts, format).
    """
    found = _Collected(detect_format(path))
    for n, line in iter_lines(path):
        if not line or line.startswith("#"):
            if line.startswith("##FASTA"):
                break
            continue
        contig, ftype, start, end, strand, attrs = _feature(path, n, line, found.fmt,
                                                            fasta_lengths, rename)
        _collect(found, contig, ftype.lower(), start, end, strand, attrs)
    models = [model for tid, info in found.tx.items() for model in _model(found, tid, info)]
    if not models:
        raise ResourceError(f"no transcripts found in the {found.fmt.upper()} file", path=path)
    return models, dict(found.counts), found.fmt


def _feature(path: Path, n: int, line: str, fmt: str, fasta_lengths: dict[str, int],
             rename: dict[str, str]) -> tuple[str, str, int, int, str, dict[str, str]]:
    """One record's (FASTA contig, type, start, end, strand, attributes), checked."""
    cols = line.split("\t")
    if len(cols) != 9:
        raise ResourceError(f"annotation record has {len(cols)} tab-separated columns, "
                            f"{fmt.upper()} needs 9", path=path, line=n)
    seqid, _, ftype, start, end, _, strand, _, attr_text = cols
    if not (start.isdigit() and end.isdigit()) or int(start) > int(end):
        raise ResourceError(f"bad coordinates {start}-{end}", path=path, line=n)
    contig = rename.get(seqid)
    if contig is None:
        raise ResourceError(
            f"contig {seqid!r} is not in the reference FASTA "
            f"(FASTA has {', '.join(list(fasta_lengths)[:5])}{'...' if len(fasta_lengths) > 5 else ''})",
            hint="the annotation and the FASTA must be the same assembly with matching contig "
                 "names (a FASTA slice needs padding to true coordinates)", path=path, line=n)
    if int(end) > fasta_lengths[contig]:
        raise ResourceError(f"feature ends at {end}, beyond the end of {contig} "
                            f"({fasta_lengths[contig]} bp): wrong assembly?", path=path, line=n)
    return contig, ftype, int(start), int(end), strand, _attrs(attr_text, fmt)


def _collect(found: _Collected, contig: str, kind: str, start: int, end: int, strand: str,
             attrs: dict[str, str]) -> None:
    found.counts[kind] += 1
    if kind == "gene":
        gid = attrs.get("ID") or attrs.get("gene_id")
        if gid:
            found.genes[gid] = attrs
        return
    gtf = found.fmt == "gtf"
    if gtf:
        tid = attrs.get("transcript_id")
    elif kind in TRANSCRIPT_TYPES or "transcript_id" in attrs and kind not in ("exon", "cds"):
        tid = attrs.get("ID")
    else:
        tid = None
    if kind in TRANSCRIPT_TYPES and tid:
        found.tx[tid] = {"attrs": attrs, "chrom": contig, "strand": strand}
        return
    if kind not in ("exon", "cds"):
        return
    parents = [attrs["transcript_id"]] if gtf and "transcript_id" in attrs else \
        attrs.get("Parent", "").split(",")
    for parent in filter(None, parents):
        if kind == "exon":
            found.exons[parent].append((start, end))
        else:
            found.cds[parent] += end - start + 1
        if gtf and parent not in found.tx:
            found.tx[parent] = {"attrs": attrs, "chrom": contig, "strand": strand}


def _model(found: _Collected, tid: str, info: dict) -> list[dict]:
    """The transcript's model row (two rows when a GFF3 ID differs from its transcript_id)."""
    attrs, gff3 = info["attrs"], found.fmt == "gff3"
    tags = attrs.get("tag", "")
    gene_attrs = found.genes.get(attrs.get("Parent", ""), {})
    starts_ends = sorted(found.exons.get(tid, []))
    model = {
        "transcript_id": attrs.get("transcript_id", tid) if gff3 else tid,
        "gene_id": attrs.get("gene_id") or attrs.get("Parent"),
        "gene_symbol": attrs.get("gene_name") or attrs.get("gene") or gene_attrs.get("gene_name")
        or gene_attrs.get("Name"),
        "chrom": info["chrom"], "strand": info["strand"],
        "biotype": attrs.get("transcript_type") or attrs.get("transcript_biotype")
        or attrs.get("biotype"),
        "exon_starts": [s for s, _ in starts_ends], "exon_ends": [e for _, e in starts_ends],
        "cds_length": found.cds.get(tid) or None,
        "is_mane_select": "MANE_Select" in tags or "MANE Select" in tags,
        "is_canonical": "Ensembl_canonical" in tags,
        "tags": tags or None,
    }
    if gff3 and attrs.get("ID") and attrs.get("ID") != model["transcript_id"]:
        return [model, dict(model, transcript_id=attrs["ID"])]
    return [model]


def models_table(models: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(models, schema=MODEL_SCHEMA)


def splice_distance(pos: int, strand: str, starts: list[int], ends: list[int]) -> int | None:
    """Signed offset of an exonic ``pos`` from the nearest splice-site exon base, HGVS-style.

    0 on the exon base next to a junction; negative when the variant lies 5' of a donor
    (like c.123-1 for acceptors, c.123+1 for donors in introns), positive 3' of an acceptor.
    Transcript ends are not splice sites; single-exon transcripts give None.
    """
    if len(starts) < 2:
        return None
    for i, (start, end) in enumerate(zip(starts, ends)):
        if not start <= pos <= end:
            continue
        first, last = i == 0, i == len(starts) - 1
        candidates = []
        if strand == "-":
            # transcript runs right to left: the exon's genomic end is its 5' (acceptor) side
            if not last:
                candidates.append(end - pos)  # acceptor side, variant 3' of it
            if not first:
                candidates.append(-(pos - start))  # donor side at genomic start
        else:
            if not first:
                candidates.append(pos - start)
            if not last:
                candidates.append(-(end - pos))
        return min(candidates, key=abs) if candidates else None
    return None
