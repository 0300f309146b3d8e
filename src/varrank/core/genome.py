"""Genome builds, contig lengths and contig naming (``1`` vs ``chr1``, ``MT`` vs ``chrM``).

Reference FASTAs, patient VCFs and databases disagree on naming; every stage maps names to
the FASTA's style through these helpers, and refuses a build mismatch by comparing contig
lengths, which is the only reliable signal (headers often lie about the assembly).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

PRIMARY = [str(i) for i in range(1, 23)] + ["X", "Y", "MT"]

# Lengths of the primary assembly contigs (NCBI GRCh37.p13 / GRCh38.p14).
LENGTHS: dict[str, dict[str, int]] = {
    "GRCh37": dict(zip(PRIMARY, [
        249250621, 243199373, 198022430, 191154276, 180915260, 171115067, 159138663,
        146364022, 141213431, 135534747, 135006516, 133851895, 115169878, 107349540,
        102531392, 90354753, 81195210, 78077248, 59128983, 63025520, 48129895, 51304566,
        155270560, 59373566, 16569,
    ])),
    "GRCh38": dict(zip(PRIMARY, [
        248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973,
        145138636, 138394717, 133797422, 135086622, 133275309, 114364328, 107043718,
        101991189, 90338345, 83257441, 80373285, 58617616, 64444167, 46709983, 50818468,
        156040895, 57227415, 16569,
    ])),
}
# Names of the two builds in VCF headers, phenopackets and samplesheets (lower-cased). The
# Nextflow side reads this table from assets/stage_contract.json.
BUILD_ALIASES = {
    "grch37": "GRCh37", "grch37.p13": "GRCh37", "hg19": "GRCh37", "b37": "GRCh37",
    "hs37d5": "GRCh37",
    "grch38": "GRCh38", "grch38.p13": "GRCh38", "grch38.p14": "GRCh38", "hg38": "GRCh38",
    "b38": "GRCh38",
}


def canonical_build(name: str) -> str:
    """Map ``hg19``/``b37``/``GRCh37`` style names to ``GRCh37`` or ``GRCh38``."""
    key = name.strip().lower()
    if key not in BUILD_ALIASES:
        raise ValueError(f"unknown genome build {name!r}; use GRCh37 or GRCh38")
    return BUILD_ALIASES[key]


def bare_name(contig: str) -> str:
    """``chr1`` -> ``1``, ``chrM``/``M`` -> ``MT``; other names unchanged apart from 'chr'."""
    name = contig[3:] if contig.lower().startswith("chr") else contig
    if name.upper() in ("M", "MT"):
        return "MT"
    return name


def bare_name_sql(column: str) -> str:
    """DuckDB twin of :func:`bare_name` for a column (a test compares the two on every
    naming style), so a bundle's stored contigs and a patient's looked-up ones agree."""
    return (f"CASE WHEN upper({column}) IN ('M','MT','CHRM','CHRMT') THEN 'MT' "
            f"WHEN lower({column}) LIKE 'chr%' THEN substr({column}, 4) ELSE {column} END")


def is_mitochondrial(contig: str) -> bool:
    """chrM, chrMT, M, MT in any case: the mitochondrial genome under every naming style."""
    return bare_name(contig) == "MT"


def contig_mapper(target_contigs: Iterable[str]) -> dict[str, str]:
    """Return a mapping from any naming style to the name used in ``target_contigs``.

    The mapping contains the target names themselves and their bare/prefixed twins, so
    ``mapper.get(vcf_contig)`` gives the FASTA's spelling or None for an unknown contig.
    """
    mapping: dict[str, str] = {}
    for name in target_contigs:
        bare = bare_name(name)
        for alias in (name, bare, f"chr{bare}", "chrM" if bare == "MT" else None,
                      "M" if bare == "MT" else None):
            if alias is not None:
                mapping.setdefault(alias, name)
    for name in target_contigs:  # exact names always win over aliases
        mapping[name] = name
    return mapping


def infer_build(contig_lengths: Mapping[str, int]) -> str | None:
    """Guess GRCh37/GRCh38 from contig lengths; None when no primary contig is recognised.

    Lengths that fit neither build (slices, other species) give None, not a guess.
    """
    votes = {build: 0 for build in LENGTHS}
    for contig, length in contig_lengths.items():
        bare = bare_name(contig)
        for build, table in LENGTHS.items():
            if table.get(bare) == length and bare != "MT":
                votes[build] += 1
    best = max(votes, key=votes.get)
    if votes[best] == 0:
        return None
    others = [b for b in votes if b != best and votes[b] == votes[best]]
    return None if others else best
