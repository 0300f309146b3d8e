"""Parsers of annotator output into TranscriptEffect: snpEff ANN and Ensembl VEP CSQ.

ANN follows the VCF annotation format standard that snpEff defined
(https://pcingola.github.io/SnpEff/adds/VCFannotationformat_v1.0.pdf): 16 '|'-separated
fields per transcript. CSQ has no fixed layout: its fields are named in the VCF header
(``##INFO=<ID=CSQ,...,Description="... Format: Allele|Consequence|...">``), so the parser
is driven by that list, never by positions.
"""

from __future__ import annotations

from urllib.parse import unquote

from varrank.annotate.consequence.effect import (TranscriptEffect, amino_acids_from_hgvs_p,
                                                 hgvs_p_synonymous_as_equal, intronic_offset,
                                                 to_int)
from varrank.core.so_terms import normalise_terms, severity
from varrank.core.errors import InputError

ANN_FIELDS = ("Allele", "Annotation", "Annotation_Impact", "Gene_Name", "Gene_ID", "Feature_Type",
              "Feature_ID", "Transcript_BioType", "Rank", "HGVS.c", "HGVS.p", "cDNA.pos / cDNA.length",
              "CDS.pos / CDS.length", "AA.pos / AA.length", "Distance", "ERRORS / WARNINGS / INFO")


def _none(value: str | None) -> str | None:
    return value if value not in (None, "", ".") else None


def parse_ann(ann: str, alt: str | None, annotator: str = "snpEff") -> list[TranscriptEffect]:
    """Parse one INFO/ANN value; keep entries for ``alt`` (all when ``alt`` is None)."""
    effects = []
    for entry in ann.split(","):
        f = entry.split("|")
        if len(f) < 15:
            raise InputError(f"ANN entry has {len(f)} fields, the ANN standard has 16: {entry[:80]!r}")
        f += [""] * (16 - len(f))
        if alt is not None and f[0] and f[0].upper() != alt.upper():
            continue
        terms = normalise_terms(f[1])
        hgvs_c, hgvs_p = _none(f[9]), hgvs_p_synonymous_as_equal(_none(f[10]))
        offset = intronic_offset(hgvs_c)
        rank = _none(f[8])
        intronic = offset is not None or (terms and terms[0] == "intron_variant")
        aa_pos = _none(f[13])
        feature_is_tx = f[5].lower() in ("transcript", "mrna")
        effects.append(TranscriptEffect(
            gene_symbol=_none(f[3]), gene_id=_none(f[4]),
            transcript_id=_none(f[6]) if feature_is_tx else None,
            biotype=_none(f[7]), consequence="&".join(terms), impact=_none(f[2]),
            hgvs_c=hgvs_c, hgvs_p=hgvs_p,
            exon=None if intronic else rank, intron=rank if intronic else None,
            cdna_position=_none(f[11]), cds_position=_none(f[12]),
            protein_position=to_int(aa_pos), amino_acids=amino_acids_from_hgvs_p(hgvs_p),
            distance=to_int(_none(f[14])), is_mane_select=None, is_canonical=None,
            splice_distance=offset, annotator=annotator, messages=_none(f[15]),
            severity=severity(terms)))
    return effects


def csq_format_from_header(description: str) -> list[str]:
    """Field names from the CSQ header description ('... Format: Allele|Consequence|...')."""
    if "Format:" not in description:
        raise InputError("the CSQ header description has no 'Format: ...' field list",
                         hint="was the VCF annotated by Ensembl VEP with --vcf?")
    names = description.split("Format:", 1)[1].strip().strip('"').strip().split("|")
    if "Consequence" not in names or "Allele" not in names:
        raise InputError(f"CSQ format lacks Allele/Consequence: {'|'.join(names)[:120]}")
    return names


def vep_allele_forms(ref: str, alt: str) -> set[str]:
    """The ways VEP may have written ``alt`` in CSQ: as is, or with a shared first base trimmed."""
    forms = {alt.upper()}
    if ref and alt and ref[0].upper() == alt[0].upper() and (len(ref) > 1 or len(alt) > 1):
        forms.add(alt[1:].upper() or "-")
    return forms


def _strip_prefix(hgvs: str | None) -> str | None:
    """'ENST00000357654.9:c.68_69del' -> 'c.68_69del'; '%3D' -> '='."""
    if not hgvs:
        return None
    value = unquote(hgvs)
    return value.split(":", 1)[1] if ":" in value else value


def parse_csq(csq: str, fields: list[str], ref: str | None, alt: str | None,
              annotator: str = "VEP") -> list[TranscriptEffect]:
    """Parse one INFO/CSQ value with the header's field list; keep entries for this allele."""
    idx = {name: i for i, name in enumerate(fields)}
    forms = vep_allele_forms(ref, alt) if ref and alt else None
    entries = [e.split("|") for e in csq.split(",") if e]
    alleles = {e[idx["Allele"]].upper() for e in entries if len(e) > idx["Allele"]}
    effects = []
    for f in entries:
        if len(f) != len(fields):
            raise InputError(f"CSQ entry has {len(f)} fields, the header's format has {len(fields)}",
                             hint="is the CSQ header from the same VEP run as the records?")

        def get(name: str) -> str | None:
            return _none(f[idx[name]]) if name in idx else None

        if forms is not None and len(alleles) > 1 and f[idx["Allele"]].upper() not in forms:
            continue
        terms = normalise_terms(get("Consequence") or "")
        hgvs_c, hgvs_p = _strip_prefix(get("HGVSc")), _strip_prefix(get("HGVSp"))
        mane = get("MANE_SELECT") or (get("MANE") if get("MANE") == "MANE_Select" else None)
        has_mane_field = "MANE_SELECT" in idx or "MANE" in idx
        canonical = get("CANONICAL")
        aa = get("Amino_acids")
        effects.append(TranscriptEffect(
            gene_symbol=get("SYMBOL"), gene_id=get("Gene"),
            transcript_id=get("Feature") if (get("Feature_type") or "Transcript") == "Transcript" else None,
            biotype=get("BIOTYPE"), consequence="&".join(terms), impact=get("IMPACT"),
            hgvs_c=hgvs_c, hgvs_p=hgvs_p, exon=get("EXON"), intron=get("INTRON"),
            cdna_position=get("cDNA_position"), cds_position=get("CDS_position"),
            protein_position=to_int(get("Protein_position")),
            amino_acids=aa or amino_acids_from_hgvs_p(hgvs_p),
            distance=to_int(get("DISTANCE")),
            is_mane_select=(mane is not None) if has_mane_field else None,
            is_canonical=(canonical == "YES") if "CANONICAL" in idx else None,
            splice_distance=intronic_offset(hgvs_c), annotator=annotator,
            messages=get("FLAGS"), severity=severity(terms)))
    return effects
