"""Facts about a source file read from its header and bytes: build, release, checksum.

Releases and builds go into the bundle manifest and, from there, into every report, so a
clinician can say which ClinVar week a classification came from. Headers lie about builds
(several public gnomAD fixtures say GRCh37 over GRCh38 coordinates), so contig lengths win
over ``##reference`` text when both are present.
"""

from __future__ import annotations

import re
from pathlib import Path

from varrank.annotate.vcf_text import VcfHeader
from varrank.core.genome import canonical_build, infer_build

_BUILD_WORD = re.compile(r"(GRCh3[78]|hg19|hg38|b37|hs37d5|b38)", re.IGNORECASE)
_VERSION_IN_NAME = re.compile(r"[._-](v\d+(?:\.\d+)*)")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# a date in the file name, as MITOMAP (2022-05-25) and HelixMTdb (20200327) stamp theirs
_DATE_IN_NAME = re.compile(r"[._-]((?:19|20)\d{2})-?(\d{2})-?(\d{2})(?=[._-]|$)")



def header_build(header: VcfHeader) -> tuple[str | None, str]:
    """(build or None, the evidence) from contig lengths first, then ##reference/##assembly."""
    lengths = {k: v for k, v in header.contigs.items() if v}
    if lengths:
        build = infer_build(lengths)
        if build:
            return build, "##contig lengths"
    for key in ("reference", "assembly", "genome_build", "source_assembly"):
        value = header.meta.get(key)
        if value and (match := _BUILD_WORD.search(value)):
            return canonical_build(match.group(1)), f"##{key}={value}"
    for contig_line in header.lines:
        if contig_line.startswith("##contig=") and (match := _BUILD_WORD.search(contig_line)):
            return canonical_build(match.group(1)), "##contig assembly"
    return None, "no build in header"


def release_of(header: VcfHeader | None, path: Path, explicit: str | None) -> str:
    """Release label: explicit > ##fileDate (ClinVar, 1000G) > version in the file name > unknown."""
    if explicit:
        return explicit
    if header is not None:
        date = header.meta.get("fileDate", "").strip()
        if match := _DATE8.match(date):
            return "-".join(match.groups())
        if date:
            return date
    if match := _VERSION_IN_NAME.search(path.name):
        return match.group(1)
    if match := _DATE_IN_NAME.search(path.name):
        return "-".join(match.groups())
    return "unknown"
