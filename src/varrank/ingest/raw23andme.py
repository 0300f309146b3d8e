"""23andMe raw genotype files (``rsid chromosome position genotype``) -> VCF for INGEST.

Direct-to-consumer files carry genotypes but no REF/ALT: the reference allele comes from the
FASTA, the ALT alleles are the genotype letters that differ from it. Homozygous-reference
sites become ALT '.' records (INGEST then drops them as ``no_alt_allele``, as
``bcftools convert --tsv2vcf`` would write them); no-calls (``--``) and indel codes
(``I``/``D``, which do not say which indel) cannot be placed and are counted here. 23andMe
v3-v5 files are on GRCh37 ("build 37" in the header); a FASTA of another build is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from varrank.core.errors import InputError
from varrank.core.ledger import Ledger
from varrank.ingest import reasons
from varrank.ingest.reference import open_reference

BUILD_LINE = re.compile(r"build (\d+)", re.IGNORECASE)
BUILDS = {"37": "GRCh37", "38": "GRCh38"}


def _declared_build(path: Path) -> str | None:
    with open(path, errors="replace") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            match = BUILD_LINE.search(line)
            if match:
                if match[1] not in BUILDS:
                    raise InputError(f"23andMe file on build {match[1]}, which varrank does not support",
                                     hint="lift it over to GRCh37 or GRCh38 first", path=path)
                return BUILDS[match[1]]
    return None


def convert_to_vcf(path: Path, fasta: Path, out_vcf: Path, sample: str) -> Ledger:
    """Write a sorted VCF of the placeable genotypes; return the conversion's own ledger."""
    reference = open_reference(fasta)
    declared = _declared_build(path)
    if declared and reference.build and declared != reference.build:
        raise InputError(f"23andMe file is on {declared} but the FASTA is {reference.build}",
                         hint="use the FASTA of the file's build", path=path)
    ledger = Ledger("ingest-23andme", sample)
    order = {name: i for i, name in enumerate(reference.lengths)}
    rows: list[tuple[int, int, str]] = []
    with open(path, errors="replace") as handle:
        for n, line in enumerate(handle, start=1):
            if line.startswith("#") or not line.strip():
                continue
            ledger.records_in += 1
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) != 4 or not cols[2].isdigit():
                raise InputError("23andMe line does not have 4 tab-separated columns (rsid, chromosome, "
                                 "position, genotype)", path=path, line=n,
                                 hint="give the raw file as 23andMe exports it (other vendors' "
                                      "layouts differ: convert them to VCF first)")
            rsid, chrom, pos_text, calls = cols
            pos, where = int(pos_text), f"{chrom}:{pos_text}:{calls} (line {n})"
            contig = reference.mapper.get(chrom)
            if contig is None:
                ledger.drop(reasons.CONTIG_NOT_IN_REFERENCE, where)
                continue
            unplaceable = _unplaceable(calls, pos, reference.lengths[contig])
            if unplaceable:
                ledger.drop(unplaceable, where)
                continue
            ref = reference.fetch(contig, pos - 1, pos).upper()
            if ref not in "ACGT":
                ledger.drop(reasons.REF_MISMATCH, where + f" (FASTA has {ref})")
                continue
            alts = sorted({c for c in calls if c != ref})
            index = {ref: "0", **{a: str(i) for i, a in enumerate(alts, start=1)}}
            gt = index[calls[0]] if len(calls) == 1 else "/".join(index[c] for c in calls)
            safe_id = rsid if re.fullmatch(r"[A-Za-z0-9_.]+", rsid) else "."
            rows.append((order[contig], pos, "\t".join(
                [contig, pos_text, safe_id, ref, ",".join(alts) or ".", ".", ".", ".", "GT", gt])))
    rows.sort(key=lambda r: (r[0], r[1]))
    ledger.records_out = len(rows)
    header = ["##fileformat=VCFv4.2", f"##source=varrank 23andMe conversion of {path.name}",
              '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              *(f"##contig=<ID={c},length={n}>" for c, n in reference.lengths.items()),
              "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample])]
    out_vcf.write_text("\n".join(header + [r[2] for r in rows]) + "\n")
    if not rows:
        raise InputError("no placeable genotype in the 23andMe file", path=path,
                         hint="every line was a no-call, an indel code or on a contig the FASTA "
                              "lacks; check the file and the --fasta build")
    ledger.notes.append(f"converted from a 23andMe raw file: {ledger.records_in} genotype lines, "
                        f"{len(rows)} placed on {fasta.name}")
    return ledger


def _unplaceable(calls: str, pos: int, contig_length: int) -> str | None:
    """The ledger reason a genotype line cannot become a VCF record, or None."""
    if calls in ("--", "00", "0") or not calls:
        return reasons.PROBAND_NO_CALL
    if not set(calls) <= set("ACGT"):
        return reasons.UNSUPPORTED_GENOTYPE
    if pos < 1:  # POS 0: no base there to take REF from
        return reasons.POS_ZERO
    if pos > contig_length:
        return reasons.POS_BEYOND_CONTIG_END
    return None


def merge_conversion_ledger(ledger_path: Path, raw: Ledger) -> None:
    """Fold the 23andMe conversion's drops into the INGEST ledger (counts stay balanced)."""
    ledger = Ledger.read(ledger_path)
    ledger.records_in += raw.records_in - raw.records_out
    for reason, n in raw.dropped.items():
        ledger.dropped[reason] += n
        for example in raw.examples.get(reason, []):
            ledger._example(reason, example)
    ledger.notes.extend(raw.notes)
    ledger.write(ledger_path)
