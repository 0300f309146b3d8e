"""Records that use a FILTER, INFO or FORMAT key their header never declared: kept, with a
warning and a synthesised header line, as bcftools does.

htslib declares such a key in the reader's header itself (``Type=String``, "Dummy") and flags
the record (``BCF_ERR_TAG_UNDEF``); cyvcf2's Writer then refuses the record ("variant to be
written has errorcode: 2"), and a later record using the same key would be written with a
key id the Writer's header does not have. So from the first such record on, the first pass
formats each record with the reader's header (``str(variant)``, htslib's own vcf_format) and
appends it as text; when the pass ends, the output header gets one line per synthesised key.
The fast path (cyvcf2's Writer) is unchanged for files whose header is complete.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import cyvcf2

from varrank.ingest import reasons
from varrank.ingest.audit import DropRecorder

log = logging.getLogger(__name__)

# htslib's bcf1_t.errcode bits (htslib/vcf.h)
BCF_ERR_CTG_UNDEF = 1
BCF_ERR_TAG_UNDEF = 2
ERRCODE_NAMES = {4: "wrong number of columns", 8: "a limit exceeded", 16: "an invalid character",
                 32: "an invalid contig name", 64: "an invalid tag name"}
ERRCODE = re.compile(r"errorcode: (\d+)")
# Keys whose meaning the VCF specification fixes (VCF 4.3, 1.6.1-1.6.2), declared as specified;
# any other key is declared as text so that no value is re-typed on the way.
RESERVED = {
    ("FORMAT", "GT"): 'Number=1,Type=String,Description="Genotype',
    ("FORMAT", "AD"): 'Number=R,Type=Integer,Description="Allelic depths',
    ("FORMAT", "DP"): 'Number=1,Type=Integer,Description="Read depth',
    ("FORMAT", "GQ"): 'Number=1,Type=Integer,Description="Conditional genotype quality',
    ("INFO", "END"): 'Number=1,Type=Integer,Description="End position of the record',
}
NOTE = "not declared in the input header; declared by varrank ingest"


def declared_keys(vcf: cyvcf2.VCF) -> set[tuple[str, str]]:
    return {(h.type, h.info().get("ID")) for h in vcf.header_iter() if h.type in ("FILTER", "INFO", "FORMAT")}


class PassWriter:
    """Writes the first pass's records: cyvcf2's Writer until a record uses an undeclared key,
    then htslib-formatted text appended to the same file."""

    def __init__(self, path: Path, vcf: cyvcf2.VCF, source: Path, drops: DropRecorder) -> None:
        self.path, self.vcf, self.source, self.drops = path, vcf, source, drops
        self.writer: cyvcf2.Writer | None = cyvcf2.Writer(str(path), vcf, mode="w")
        self.text = None
        self.known = declared_keys(vcf) | {("FILTER", "PASS")}
        self.synthesised: dict[tuple[str, str], str] = {}

    def write(self, v: cyvcf2.Variant, line: int | str, chrom: str, pos: int, ref: str, alt: str) -> bool:
        """Write ``v``; False when htslib flagged it as unwritable (then dropped with the reason)."""
        if self.writer is not None:
            try:
                self.writer.write_record(v)
                return True
            except Exception as err:  # cyvcf2 raises bare Exception with htslib's errcode
                code = _errcode(err)
                if code & ~(BCF_ERR_CTG_UNDEF | BCF_ERR_TAG_UNDEF):
                    return self._drop(code, line, chrom, pos, ref, alt)
                self._switch_to_text()
        record = str(v)
        self._note_new_keys(record, line)
        self.text.write(record.encode("utf-8"))
        return True

    def _drop(self, code: int, line: int | str, chrom: str, pos: int, ref: str, alt: str) -> bool:
        problems = [name for bit, name in ERRCODE_NAMES.items() if code & bit]
        self.drops.drop(reasons.MALFORMED_RECORD, line, chrom, pos, ref, alt,
                        f"htslib: {', '.join(problems) or f'errcode {code}'}")
        return False

    def _switch_to_text(self) -> None:
        self.writer.close()  # flushes the header and the records written so far
        self.writer = None
        self.text = open(self.path, "ab")

    def declare_contig(self, name: str) -> None:
        """The reader has just been told about contig ``name``: give the Writer's header the same
        contig, at the same index (the file's header gets it when the pass ends)."""
        if self.writer is not None:
            self.writer.add_to_header(f"##contig=<ID={name}>")

    def use_text(self) -> None:
        """From now on records come from another reader (a copy of the input without its bad
        lines) whose header numbers the keys its own way: format each with its own header."""
        if self.writer is not None:
            self._switch_to_text()

    def _note_new_keys(self, record: str, line: int | str) -> None:
        """Keys of ``record`` that its header lacked get a header line and a warning."""
        for kind, key in sorted(record_keys(record) - self.known):
            self.synthesised[(kind, key)] = _declaration(kind, key, record)
            shape = self.synthesised[(kind, key)].split(f"ID={key}", 1)[1].split(",Description")[0]
            message = (f"{self.source}:{line}: {kind} key {key!r} is not declared in the header; "
                       f"record kept, key declared in the output header{f' ({shape[1:]})' if shape else ''}")
            log.warning("%s", message)
            self.drops.ledger.notes.append(message)
            self.known.add((kind, key))

    def synthesised_lines(self) -> list[str]:
        return list(self.synthesised.values())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.text is not None:
            self.text.close()


def _errcode(err: Exception) -> int:
    match = ERRCODE.search(str(err))
    if not match:
        raise err
    return int(match[1])


def record_keys(record: str) -> set[tuple[str, str]]:
    """(kind, key) of every FILTER, INFO and FORMAT key one VCF record line uses."""
    cols = record.rstrip("\n").split("\t", 9)
    keys = {("FILTER", f) for f in cols[6].split(";") if f not in (".", "")}
    keys |= {("INFO", item.split("=", 1)[0]) for item in cols[7].split(";") if item not in (".", "")}
    if len(cols) > 8:
        keys |= {("FORMAT", f) for f in cols[8].split(":") if f not in (".", "")}
    return keys


def _declaration(kind: str, key: str, record: str) -> str:
    """The ##FILTER/INFO/FORMAT line for ``key``: as the specification reserves it, a Flag when
    ``record`` carries it without a value, else text of any number of values."""
    if kind == "FILTER":
        return f'##FILTER=<ID={key},Description="{NOTE}">'
    reserved = RESERVED.get((kind, key))
    if reserved:
        return f'##{kind}=<ID={key},{reserved} ({NOTE})">'
    if kind == "INFO" and key in record.split("\t", 8)[7].split(";"):
        return f'##INFO=<ID={key},Number=0,Type=Flag,Description="{NOTE}">'
    return f'##{kind}=<ID={key},Number=.,Type=String,Description="{NOTE}">'
