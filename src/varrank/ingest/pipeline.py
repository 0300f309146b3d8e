"""``run_ingest``: one patient's VCF -> normalised Parquet table, VCF, QC JSON and ledger.

Order of work, each step in its own module:
sniff (what is the file) -> proband -> reference and build check -> prefilter (records
that alone are bad) -> rename contigs to the FASTA's style -> bcftools norm (split,
left-align) -> extract (proband genotypes, table, QC) -> write outputs atomically.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pysam

from varrank import __version__
from varrank.core import contract
from varrank.core.errors import InputError
from varrank.core.ids import require_safe_id
from varrank.core.json_schema import check_written
from varrank.core.ledger import Ledger
from varrank.core.pedigree import Pedigree, read_ped
from varrank.core.stage_io import write_stage_outputs
from varrank.core.table_io import share_file
from varrank.core.table_meta import TableMetadata
from varrank.core.vocab import Sex, Stage
from varrank.ingest import reasons
from varrank.ingest.audit import DropRecorder
from varrank.ingest import quoted_info
from varrank.ingest.extract import ExtractResult, extract
from varrank.ingest.heteroplasmy import add_heteroplasmy
from varrank.ingest.normalise import bcftools_version, normalise, rename_contigs
from varrank.ingest.prefilter import PrefilterResult, prefilter
from varrank.ingest.proband import choose_proband, family_samples
from varrank.ingest.qc import QcAccumulator
from varrank.ingest.reference import Reference, check_build, open_reference
from varrank.ingest.sniff import InputFormat, SniffResult, sniff

log = logging.getLogger(__name__)
NO_FASTA_NOTE = ("not left-aligned: no reference FASTA given; multi-allelic records were split "
                 "and their shared allele suffix trimmed only, indels were not left-aligned, REF "
                 "alleles were not checked and contig names were kept as in the VCF")


@dataclass(frozen=True)
class IngestOutputs:
    table: Path
    ledger: Path
    vcf: Path
    index: Path
    qc: Path
    dropped: Path


def output_paths(out: Path, patient: str) -> IngestOutputs:
    """INGEST's files, named by the stage registry."""
    spec = contract.stage(Stage.INGEST)
    name = {"index": "vcf_index"}
    return IngestOutputs(**{f: spec.output_path(out, name.get(f, f), patient)
                            for f in IngestOutputs.__dataclass_fields__})


@dataclass(frozen=True)
class _Patient:
    """Who the VCF is about and against what: proband, sex, family, reference, build."""

    pedigree: Pedigree | None
    proband: str
    declared_sex: str
    reference: Reference | None
    build: str | None


def run_ingest(
    vcf: str | Path,
    patient: str,
    out: str | Path,
    fasta: str | Path | None = None,
    proband: str | None = None,
    sex: str = "unknown",
    ped: str | Path | None = None,
    index: str | Path | None = None,
    genome: str | None = None,
    family_id: str | None = None,
) -> IngestOutputs:
    started = time.monotonic()
    _quiet_htslib()
    patient = require_safe_id(patient)
    vcf, out = Path(vcf), Path(out)
    sniffed = _sniff_input(vcf, index)
    if sniffed.format is InputFormat.RAW_23ANDME:
        return _ingest_23andme(vcf, patient, out, fasta, proband, sex, ped, genome, family_id)
    who = _patient(vcf, sniffed, fasta, proband, sex, ped, genome)
    out.mkdir(parents=True, exist_ok=True)
    paths = output_paths(out, patient)
    ledger = Ledger(Stage.INGEST, patient)
    sniffed, unquoted = _unquote_info(sniffed, out, patient, ledger)
    ledger.notes += ([] if who.reference else [NO_FASTA_NOTE]) + \
        (who.pedigree.warnings if who.pedigree else [])
    family = family_samples(who.proband, sniffed.samples, who.pedigree, ledger)
    qc = QcAccumulator(who.build)
    try:
        pre, result = _normalise_and_extract(sniffed, paths, patient, who.proband, family,
                                             who.reference, ledger, qc)
    finally:
        if unquoted is not None:
            unquoted.unlink(missing_ok=True)
    result.table = add_heteroplasmy(result.table, paths.vcf, who.proband, ledger)
    metadata = TableMetadata(
        patient=patient, proband=who.proband, genome_build=who.build,
        fasta=str(Path(fasta).resolve()) if fasta else None,
        contigs=dict(who.reference.lengths) if who.reference else {}, declared_sex=who.declared_sex,
        samples=sniffed.samples, source_vcf=str(vcf.resolve()),
        family_id=_family_id(family_id, who.pedigree, who.proband), csq_format=sniffed.csq_format,
    ).with_stage(Stage.INGEST, bcftools=bcftools_version(), pysam=pysam.__version__,
                 normalisation="split+left-align" if who.reference else "split-only")
    qc_doc = _qc_document(patient, vcf, sniffed, who, pre, result, ledger, qc)
    write_stage_outputs(Stage.INGEST, out, patient, table=result.table, meta=metadata,
                        ledger=ledger, texts={"qc": json.dumps(qc_doc, indent=2) + "\n"})
    _share(paths)
    log.info("ingest: %d records in, %d rows out, dropped %s in %.1f s", ledger.records_in,
             ledger.records_out, dict(ledger.dropped), time.monotonic() - started)
    return paths


def _unquote_info(sniffed: SniffResult, out: Path, patient: str,
                  ledger: Ledger) -> tuple[SniffResult, Path | None]:
    """A VCF whose INFO columns are wrapped in quotes is read through an unquoted copy
    (quoted_info.py); the copy's lines are the original's, so line numbers still hold."""
    if not quoted_info.has_quoted_info(sniffed):
        return sniffed, None
    copy = out / f".{patient}.unquoted.vcf"
    ledger.notes.append(quoted_info.note(quoted_info.unquote_copy(sniffed, copy)))
    return sniff(copy), copy


def _sniff_input(vcf: Path, index: str | Path | None) -> SniffResult:
    if index is not None and not Path(index).is_file():
        raise InputError("index file not found", hint="drop --index or fix its path", path=index)
    sniffed = sniff(vcf)
    if sniffed.format is not InputFormat.RAW_23ANDME and not sniffed.has_records:
        raise InputError("VCF has a header but no variant records",
                         hint="the caller produced no calls; check the upstream step", path=vcf)
    return sniffed


def _patient(vcf: Path, sniffed: SniffResult, fasta, proband, sex, ped, genome) -> _Patient:
    pedigree = read_ped(ped) if ped else None
    chosen = choose_proband(vcf, sniffed.samples, proband, pedigree)
    declared_sex = sex
    if declared_sex == Sex.UNKNOWN and pedigree and chosen in pedigree.people:
        declared_sex = pedigree.sex_of(chosen)
    reference = open_reference(fasta) if fasta else None
    build = check_build(vcf, sniffed.contig_lengths, reference, genome)
    log.info("ingest: %s (%s), proband %s, build %s", vcf, sniffed.format.value, chosen,
             build or "unknown")
    return _Patient(pedigree, chosen, declared_sex, reference, build)


def _qc_document(patient: str, vcf: Path, sniffed: SniffResult, who: _Patient,
                 pre: PrefilterResult, result: ExtractResult, ledger: Ledger,
                 qc: QcAccumulator) -> dict:
    doc = {
        "patient": patient, "proband": who.proband, "genome_build": who.build,
        "input": {"path": str(vcf), "format": sniffed.format.value, "samples": sniffed.samples},
        "normalisation": {
            "reference": str(who.reference.path) if who.reference else None,
            "left_aligned": who.reference is not None,
            "rows_left_aligned": int(sum(1 for x in result.table.column("left_aligned").to_pylist() if x)),
            "rows_split_added": pre.split_rows_expected,
            "bcftools": bcftools_version(),
        },
        "ref_check": {"checked": pre.ref_checked, "mismatches": pre.ref_mismatches,
                      "examples": ledger.examples.get(reasons.REF_MISMATCH, [])},
        "notes": ledger.notes,
        **qc.to_dict(who.declared_sex),
    }
    check_written(doc, "qc")
    return doc


def _normalise_and_extract(sniffed: SniffResult, paths: IngestOutputs, patient: str, proband: str,
                           family: set[str], reference: Reference | None, ledger: Ledger,
                           qc: QcAccumulator) -> tuple[PrefilterResult, ExtractResult]:
    """prefilter -> rename contigs -> bcftools norm -> extract, in a temporary folder inside
    the output folder; on success the normalised VCF (+.tbi) and the dropped TSV are in place,
    on failure nothing is left behind."""
    vcf = sniffed.path
    drops = DropRecorder(ledger, paths.dropped.with_name(f".{paths.dropped.name}.part"))
    with tempfile.TemporaryDirectory(dir=paths.table.parent, prefix=f".{patient}.ingest.") as tmp_name:
        tmp = Path(tmp_name)
        try:
            clock = time.monotonic()
            pre = prefilter(sniffed, tmp / "pass1.vcf", reference, drops)
            log.info("ingest: prefilter read %d records, kept %d (%.1f s)", pre.records_in,
                     pre.records_written, time.monotonic() - clock)
            ledger.records_in = pre.records_in
            _refuse_foreign_contigs(vcf, pre.records_in, pre.records_written, ledger, reference)
            normalised_input = tmp / "pass1.vcf"
            if reference is not None:
                renames = {c: reference.mapper[c] for c in {*pre.contigs_seen, *sniffed.contig_lengths}
                           if c in reference.mapper and reference.mapper[c] != c}
                if renames:
                    log.info("ingest: renaming contigs to the FASTA's style: %s",
                             ", ".join(f"{a}->{b}" for a, b in sorted(renames.items())[:5]))
                    rename_contigs(normalised_input, tmp / "renamed.bcf", renames, vcf)
                    normalised_input = tmp / "renamed.bcf"
            clock = time.monotonic()
            summary = normalise(normalised_input, tmp / "norm.bcf", reference.path if reference else None, vcf)
            log.info("ingest: bcftools norm: %d split, %d realigned (%.1f s)", summary.split, summary.realigned,
                     time.monotonic() - clock)
            clock = time.monotonic()
            ledger.add(reasons.MULTIALLELIC_SPLIT, pre.split_rows_expected)
            header = [f"##varrank_ingest=<Version={__version__},Patient={patient},Bcftools={bcftools_version()}>",
                      f"##varrank_proband={proband}"]
            if reference is not None:
                header.append(f"##reference=file://{reference.path.resolve()}")
            result = extract(tmp / "norm.bcf", tmp / "out.vcf.gz", proband, drops, qc, reference is not None,
                             header, family, source=vcf)
            log.info("ingest: extracted %d of %d rows (%.1f s)", result.rows_out, result.rows_in,
                     time.monotonic() - clock)
            missing = pre.records_written + pre.split_rows_expected - result.rows_in
            if missing > 0:  # rows bcftools norm removed (-c x); counted, never silent
                ledger.drop(reasons.REMOVED_BY_NORM, f"{summary.mismatch_removed} REF mismatch(es)", n=missing)
            elif missing < 0:
                raise AssertionError(f"bcftools norm produced {-missing} more rows than expected")
            ledger.records_out = result.rows_out
        except BaseException:
            drops.close()
            drops.path.unlink(missing_ok=True)
            raise
        drops.close()
        os.replace(tmp / "out.vcf.gz", paths.vcf)
    pysam.tabix_index(str(paths.vcf), preset="vcf", force=True)
    os.replace(drops.path, paths.dropped)
    return pre, result


def _ingest_23andme(raw: Path, patient: str, out: Path, fasta, proband, sex, ped, genome,
                    family_id) -> IngestOutputs:
    """Convert a 23andMe raw file to VCF against the FASTA, ingest that, merge the ledgers."""
    from varrank.ingest.raw23andme import convert_to_vcf, merge_conversion_ledger

    if fasta is None:
        raise InputError("a 23andMe raw file needs --fasta to know the reference alleles", path=raw,
                         hint="add --fasta with the build the file is on (23andMe v3-v5: GRCh37)")
    out.mkdir(parents=True, exist_ok=True)
    converted = out / f".{patient}.from23andme.vcf"
    conversion = convert_to_vcf(raw, Path(fasta), converted, sample=patient)
    try:
        outputs = run_ingest(converted, patient, out, fasta, proband, sex, ped, None, genome,
                             family_id)
    finally:
        converted.unlink(missing_ok=True)
    merge_conversion_ledger(outputs.ledger, conversion)
    return outputs


def _family_id(given: str | None, pedigree, proband: str) -> str | None:
    """--family-id, else the proband's family in the PED."""
    if given:
        return require_safe_id(given, "family ID")
    if pedigree is not None and proband in pedigree.people:
        return pedigree.people[proband].family
    return None


def _share(paths: IngestOutputs) -> None:
    """Outputs written through temporary files must be readable by other task users."""
    for path in (paths.table, paths.ledger, paths.vcf, paths.index, paths.qc, paths.dropped):
        if path.exists():
            share_file(path)


def _quiet_htslib() -> None:
    """htslib's own stderr lines ([W::vcf_parse] ...) would break the one-line error contract;
    INGEST reports the same problems itself, with file and line. Kept at debug level."""
    if log.isEnabledFor(logging.DEBUG):
        return
    import cyvcf2.cyvcf2

    cyvcf2.cyvcf2.set_htslib_log_level(0)
    pysam.set_verbosity(0)


def _refuse_foreign_contigs(vcf: Path, records_in: int, written: int, ledger: Ledger, reference) -> None:
    """Every record on a contig the FASTA lacks = wrong reference or naming, not bad records."""
    if reference is None or records_in == 0 or written > 0:
        return
    foreign = ledger.dropped.get(reasons.CONTIG_NOT_IN_REFERENCE, 0)
    if foreign == records_in:
        contigs = sorted({e.split(":")[0] for e in ledger.examples.get(reasons.CONTIG_NOT_IN_REFERENCE, [])})
        fasta = ", ".join(list(reference.lengths)[:5])
        raise InputError(
            f"none of the VCF's contigs ({', '.join(contigs)}) is in the FASTA (which has: {fasta})",
            hint="give the reference the VCF was called on (a region slice must be padded: "
                 "varrank testdata pad)", path=vcf,
        )
