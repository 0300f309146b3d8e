"""First pass over the input: drop records that alone are unusable, check file order.

Runs before bcftools norm so that norm only sees records it can normalise: gVCF reference
blocks, monomorphic sites, contigs absent from the FASTA, invalid alleles and REF alleles
that disagree with the FASTA are dropped here with a counted reason and their input line.
The REF check is done here (not with ``bcftools norm -c w``) because warnings on stderr are
neither counted nor tied to a line; norm still runs with ``-c x`` as a safety net whose
removals are counted from its summary.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cyvcf2

from varrank.core.alleles import GVCF_NON_REF, SEQUENCE_LIST_PATTERN, is_valid_allele
from varrank.core.errors import InputError
from varrank.ingest import reasons
from varrank.ingest.audit import DropRecorder
from varrank.ingest.normalise import OLD_TAG
from varrank.ingest.header_keys import PassWriter
from varrank.ingest.record_lines import BAD_POS, COMMENT_LINE, LineProblem, RecordLines, fields_of
from varrank.ingest.reference import Reference
from varrank.ingest.sniff import SniffResult, gzip_is_complete, read_line

log = logging.getLogger(__name__)
PROGRESS_EVERY = 250_000
PLAIN_ALLELES = re.compile(SEQUENCE_LIST_PATTERN)
LINE_TAG = "INGEST_LINE"  # carried through norm so every later drop names its input line
# More than half of at least this many checked REF alleles wrong = wrong reference, not bad records.
BUILD_MISMATCH_MIN_CHECKED = 20
BUILD_MISMATCH_FRACTION = 0.5


@dataclass
class PrefilterResult:
    records_in: int = 0
    records_written: int = 0
    split_rows_expected: int = 0
    ref_checked: int = 0
    ref_mismatches: int = 0
    contigs_seen: list[str] = field(default_factory=list)
    unparsed: list[int] = field(default_factory=list)  # lines htslib could not parse


def _location(sniffed: SniffResult, index: int) -> int | str:
    """Input line of record ``index`` (0-based); BCF has no lines, so say 'record N'."""
    return sniffed.header_lines + index + 1 if sniffed.is_text else f"record {index + 1}"


def read_error(sniffed: SniffResult, index: int, line_no: int | None = None) -> InputError:
    """Turn htslib's opaque parse failure into a message naming the file, line and problem."""
    path = sniffed.path
    if sniffed.format.value.startswith("vcf.gz") and not gzip_is_complete(path):
        return InputError("truncated or corrupt gzip data", hint="the file was cut short; fetch it again",
                          path=path, line=line_no or _location(sniffed, index) if sniffed.is_text else None)
    if sniffed.is_text:
        line_no = line_no or _location(sniffed, index)
        text = read_line(path, line_no)
        shown = (text or "")[:80]
        return InputError(
            f"malformed VCF record: {shown!r}",
            hint="htslib cannot parse this record: check it, and the header lines declaring its "
                 "keys, with bcftools view",
            path=path, line=line_no,
        )
    return InputError(f"unreadable BCF record {index + 1}", hint="check with bcftools view", path=path)


def _open_vcf(sniffed: SniffResult, path: Path | None = None) -> cyvcf2.VCF:
    try:
        vcf = cyvcf2.VCF(str(path or sniffed.path), strict_gt=False)
    except Exception as err:  # cyvcf2: bare Exception("cannot parse VCF header") and OSError
        raise InputError(f"htslib cannot read the VCF header ({err})",
                         hint="check it with bcftools view -h; a ##INFO/##FORMAT line may be malformed",
                         path=sniffed.path) from None
    vcf.add_info_to_header({"ID": LINE_TAG, "Number": "1", "Type": "Integer",
                            "Description": "Line of this record in the input VCF (record number for BCF)"})
    return vcf


def prefilter(
    sniffed: SniffResult,
    out_path: Path,
    reference: Reference | None,
    drops: DropRecorder,
) -> PrefilterResult:
    result = PrefilterResult()
    vcf = _open_vcf(sniffed)
    # Text VCF, not BCF: BCF refers to contigs by header index, and many VCFs use contigs
    # their header never declares; those are declared after the pass (complete_header).
    # Measured: no CPU difference on 100k records, since bcftools norm parses either fast.
    declared = header_contigs(vcf)
    writer = PassWriter(out_path, vcf, sniffed.path, drops)
    # Re-ingesting INGEST's own output: its OLD_VARIANT tags describe the earlier run, not this one.
    stale_old_tag = any(h.type == "INFO" and h.info().get("ID") == OLD_TAG for h in vcf.header_iter())
    order = _SortCheck(sniffed)
    try:
        for line, v in checked_records(sniffed, vcf, drops, result, out_path.with_suffix(".whole_lines.vcf"),
                                       writer):
            chrom, pos, ref, alts = v.CHROM, v.POS, v.REF, v.ALT
            order.check(chrom, pos, line, result)
            if not _keep(v, chrom, pos, ref, alts, line, reference, drops, result):
                continue
            if not ref.isupper():
                v.REF = ref.upper()
            alt_text = ",".join(alts)
            if alt_text != alt_text.upper() and any(not a.isupper() and not a.startswith("<") for a in alts):
                v.ALT = [a if a.startswith("<") else a.upper() for a in alts]
            if stale_old_tag and v.INFO.get(OLD_TAG) is not None:
                del v.INFO[OLD_TAG]
            v.INFO[LINE_TAG] = line if isinstance(line, int) else int(line.split()[-1])
            if writer.write(v, line, chrom, pos, ref, alt_text):
                result.records_written += 1
                result.split_rows_expected += len(alts) - 1
    finally:
        writer.close()
        vcf.close()

    complete_header(out_path, [f"##contig=<ID={c}>" for c in result.contigs_seen if c not in declared]
                    + writer.synthesised_lines())
    _refuse_unparseable(sniffed, result)
    _refuse_wrong_build(sniffed, result, reference)
    return result


def header_contigs(vcf: cyvcf2.VCF) -> set[str]:
    return {h.info().get("ID") for h in vcf.header_iter() if h.type == "CONTIG"}


class _SortCheck:
    """Records must come sorted by contig block and position (bcftools norm needs it)."""

    def __init__(self, sniffed: SniffResult) -> None:
        self.sniffed = sniffed
        self.seen: set[str] = set()
        self.chrom: str | None = None
        self.pos = 0

    def check(self, chrom: str, pos: int, line: int | str, result: PrefilterResult) -> None:
        where = line if self.sniffed.is_text else None
        if chrom != self.chrom:
            if chrom in self.seen:
                raise InputError(
                    f"records are not sorted: {chrom} appears again after {self.chrom}",
                    hint="sort it first: bcftools sort in.vcf.gz -Oz -o sorted.vcf.gz",
                    path=self.sniffed.path, line=where)
            self.seen.add(chrom)
            result.contigs_seen.append(chrom)
            self.chrom, self.pos = chrom, 0
        if pos < self.pos:
            raise InputError(
                f"records are not sorted: {chrom}:{pos} comes after {chrom}:{self.pos}",
                hint="sort it first: bcftools sort in.vcf.gz -Oz -o sorted.vcf.gz",
                path=self.sniffed.path, line=where)
        self.pos = pos


def _keep(v: cyvcf2.Variant, chrom: str, pos: int, ref: str, alts: list[str], line: int | str,
          reference: Reference | None, drops: DropRecorder, result: PrefilterResult) -> bool:
    """False (and the record dropped with its reason) when the record alone is unusable."""
    alt_text = ",".join(alts) or "."
    if not alts or all(a in GVCF_NON_REF for a in alts):
        is_block = bool(alts) or v.INFO.get("END") is not None
        drops.drop(reasons.GVCF_REFERENCE_BLOCK if is_block else reasons.NO_ALT_ALLELE,
                   line, chrom, pos, ref, alt_text)
        return False
    if pos < 1:  # POS 0 is a telomere in VCF 4.x: no reference base to check or call
        drops.drop(reasons.POS_ZERO, line, chrom, pos, ref, alt_text, "POS 0")
        return False
    plain = PLAIN_ALLELES.match(ref) and PLAIN_ALLELES.match(alt_text)  # fast path: ACGTN only
    if not plain and (not is_valid_allele(ref) or ref == "*" or not all(is_valid_allele(a) for a in alts)):
        drops.drop(reasons.INVALID_ALLELE, line, chrom, pos, ref, alt_text)
        return False
    if reference is None:
        return True
    target = reference.mapper.get(chrom)
    if target is None:
        drops.drop(reasons.CONTIG_NOT_IN_REFERENCE, line, chrom, pos, ref, alt_text)
        return False
    end = pos - 1 + len(ref)
    if end > reference.lengths[target]:
        drops.drop(reasons.POS_BEYOND_CONTIG_END, line, chrom, pos, ref, alt_text,
                   f"{target} length {reference.lengths[target]}")
        return False
    expected = reference.fetch(target, pos - 1, end).upper()
    result.ref_checked += 1
    if expected != ref.upper():
        result.ref_mismatches += 1
        drops.drop(reasons.REF_MISMATCH, line, chrom, pos, ref, alt_text, f"FASTA has {expected[:50]}")
        return False
    return True


def checked_records(sniffed: SniffResult, vcf: cyvcf2.VCF, drops: DropRecorder, result: PrefilterResult,
                    diverted: Path, writer: PassWriter) -> Iterator[tuple[int | str, cyvcf2.Variant]]:
    """(input line, record) for every record htslib parsed whole; counts ``records_in``.

    A text VCF is read line by line beside htslib (RecordLines), each line here just before
    htslib reads it. At the first bad line (wrong number of columns, an empty column, a NUL,
    non-UTF-8 text, a blank or '#' line) htslib is switched to ``diverted``, a copy of the
    header and the remaining whole lines: some bad lines leave htslib with a half-built
    record or a broken header (an empty CHROM), which crashes the process later. Bad lines
    are dropped with their reason, blank and '#' lines skipped (a ledger note); a second
    '#CHROM' line or a POS that is not a number stops INGEST with the line named.
    ``writer`` is told about contigs declared on the way and about the switch to the copy."""
    if not sniffed.is_text:
        yield from _bcf_records(sniffed, iter(vcf), result)
        return
    lines = RecordLines(sniffed.path, sniffed.columns, header_contigs(vcf))
    skipped: dict[str, list[int]] = {}
    iterator = iter(vcf)
    for number, problem, new_contig in lines:
        if new_contig is not None:
            vcf.add_to_header(f"##contig=<ID={new_contig}>")
            writer.declare_contig(new_contig)
        if problem is not None:
            problems = lines.divert(diverted, problem)
            writer.use_text()
            yield from _diverted_records(sniffed, diverted, number, lines.number, problems, drops, result, skipped)
            break
        result.records_in += 1
        v = _next_record(sniffed, iterator, number, drops, result, lines.raw)
        if v is not None:
            yield number, v
        if result.records_in % PROGRESS_EVERY == 0:
            log.info("ingest: read %d records (line %d)", result.records_in, number)
    else:
        if next(iterator, None) is not None:
            raise AssertionError(f"htslib read more records than {sniffed.path} has lines")
    for what, numbers in skipped.items():
        drops.ledger.notes.append(f"{len(numbers)} {what}(s) among the records skipped (not records; "
                                  f"line {', '.join(map(str, numbers[:5]))}{', ...' if len(numbers) > 5 else ''})")


def _next_record(sniffed: SniffResult, iterator: Iterator[cyvcf2.Variant], number: int,
                 drops: DropRecorder, result: PrefilterResult, raw: bytes | None) -> cyvcf2.Variant | None:
    """htslib's record of line ``number``; None (the record dropped) when htslib cannot parse
    it. Every contig is declared before htslib reads its line, so a failed parse leaves no
    half-built record behind and the next line reads normally."""
    try:
        return next(iterator)
    except StopIteration:
        raise AssertionError(f"htslib read fewer records than {sniffed.path} has lines") from None
    except Exception:  # cyvcf2 raises bare Exception on any htslib parse failure
        result.unparsed.append(number)
        chrom, pos, ref, alt = fields_of(raw.rstrip(b"\r\n")) if raw else ("", "", "", "")
        drops.drop(reasons.MALFORMED_RECORD, number, chrom, pos, ref, alt, "htslib cannot parse it")
        return None


def _diverted_records(sniffed: SniffResult, diverted: Path, first: int, last: int,
                      problems: dict[int, LineProblem], drops: DropRecorder, result: PrefilterResult,
                      skipped: dict[str, list[int]]) -> Iterator[tuple[int, cyvcf2.Variant]]:
    """Lines ``first``..``last``: the bad ones from ``problems``, the whole ones read by htslib
    from the copy ``diverted``."""
    vcf = _open_vcf(sniffed, diverted)
    iterator = iter(vcf)
    try:
        for number in range(first, last + 1):
            problem = problems.get(number)
            if problem is not None:
                _line_problem(sniffed, problem, drops, result, skipped)
                continue
            result.records_in += 1
            v = _next_record(sniffed, iterator, number, drops, result, None)
            if v is not None:
                yield number, v
        if next(iterator, None) is not None:
            raise AssertionError(f"htslib read more records than {sniffed.path} has lines")
    finally:
        vcf.close()


def _line_problem(sniffed: SniffResult, problem: LineProblem, drops: DropRecorder,
                  result: PrefilterResult, skipped: dict[str, list[int]]) -> None:
    """Drop (or skip, or stop at) one line that htslib's record of must not be touched."""
    if problem.problem == BAD_POS:
        raise InputError(f"malformed VCF record: {problem.detail!r}",
                         hint="each record needs 8+ tab-separated columns with a numeric POS; check the line",
                         path=sniffed.path, line=problem.number)
    if problem.problem == COMMENT_LINE and problem.detail.startswith("#CHROM"):
        raise InputError("a second '#CHROM' header line among the records: two VCFs concatenated?",
                         hint="join VCFs with bcftools concat, not cat", path=sniffed.path,
                         line=problem.number)
    if not problem.is_record:
        skipped.setdefault(problem.problem, []).append(problem.number)
        return
    result.records_in += 1
    chrom, pos, ref, alt = problem.fields
    drops.drop(problem.problem, problem.number, chrom, pos, ref, alt, problem.detail)


def _bcf_records(sniffed: SniffResult, iterator: Iterator[cyvcf2.Variant],
                 result: PrefilterResult) -> Iterator[tuple[str, cyvcf2.Variant]]:
    """BCF has no lines to check: its records are binary and htslib checks them itself."""
    for v in guarded(iterator, lambda n, _last: read_error(sniffed, n)):
        result.records_in += 1
        if result.records_in % PROGRESS_EVERY == 0:
            log.info("ingest: read %d records (%s:%d)", result.records_in, v.CHROM, v.POS)
        yield f"record {result.records_in}", v


def guarded(iterator: Iterator[cyvcf2.Variant],
            failure: Callable[[int, cyvcf2.Variant | None], Exception]) -> Iterator[cyvcf2.Variant]:
    """cyvcf2's records with htslib's bare Exception (any parse failure) turned into
    ``failure(records read so far, the last record read)``, raised without a traceback."""
    n, last = 0, None
    while True:
        try:
            v = next(iterator)
        except StopIteration:
            return
        except Exception:  # cyvcf2 raises bare Exception on any htslib parse failure
            raise failure(n, last) from None
        n, last = n + 1, v
        yield v


def complete_header(vcf_text: Path, lines: list[str]) -> None:
    """Add header lines (##contig of contigs the records use but the header never declared,
    synthesised FILTER/INFO/FORMAT declarations) before '#CHROM': bcftools norm refuses
    undeclared contigs and would re-type undeclared keys on its own."""
    if not lines:
        return
    fixed = vcf_text.with_suffix(".header.vcf")
    with open(vcf_text, "rb") as src, open(fixed, "wb") as dst:
        for line in src:
            if line.startswith(b"#CHROM"):
                dst.writelines(f"{extra}\n".encode() for extra in lines)
                dst.write(line)
                break
            dst.write(line)
        shutil.copyfileobj(src, dst, 1 << 20)
    fixed.replace(vcf_text)


def _refuse_unparseable(sniffed: SniffResult, result: PrefilterResult) -> None:
    """Most records unparseable means the header (a wrong Type, say) is wrong, not each record."""
    failed = len(result.unparsed)
    if failed and (failed == result.records_in or (
            result.records_in >= BUILD_MISMATCH_MIN_CHECKED and failed / result.records_in > BUILD_MISMATCH_FRACTION)):
        raise read_error(sniffed, 0, result.unparsed[0])


def _refuse_wrong_build(sniffed: SniffResult, result: PrefilterResult, reference: Reference | None) -> None:
    """Most REF alleles wrong means the VCF and FASTA are different assemblies."""
    if reference is None or result.ref_checked < BUILD_MISMATCH_MIN_CHECKED:
        return
    fraction = result.ref_mismatches / result.ref_checked
    if fraction > BUILD_MISMATCH_FRACTION:
        raise InputError(
            f"{result.ref_mismatches} of {result.ref_checked} REF alleles differ from the FASTA "
            f"({fraction:.0%}): the VCF was not called on this reference",
            hint="use the FASTA of the build the VCF was called on (GRCh37 vs GRCh38?)",
            path=sniffed.path,
        )
