"""Choose the proband among the VCF's samples.

A multi-sample VCF (trio, family, cohort) holds genotypes of several people; the report is
about one of them. Guessing wrong would rank a parent's variants, so the rule is strict:
``--proband`` if given, else the only sample, else the single affected individual of the PED
who is in the VCF; anything else is an error listing the samples.
"""

from __future__ import annotations

from pathlib import Path

from varrank.core.errors import InputError
from varrank.core.ledger import Ledger
from varrank.core.pedigree import Pedigree

MAX_LISTED = 10


def _listing(samples: list[str]) -> str:
    shown = ", ".join(samples[:MAX_LISTED])
    more = len(samples) - MAX_LISTED
    return shown + (f" (+{more} more)" if more > 0 else "")


def choose_proband(
    vcf_path: Path,
    samples: list[str],
    requested: str | None,
    ped: Pedigree | None = None,
) -> str:
    if not samples:
        raise InputError(
            "VCF has no sample columns (sites-only), so there is no genotype to report",
            hint="give the patient's genotyped VCF, not a sites-only annotation file", path=vcf_path,
        )
    if requested:
        if requested not in samples:
            raise InputError(
                f"proband {requested!r} is not a sample of the VCF; samples: {_listing(samples)}",
                hint="fix --proband (or the samplesheet) to one of the listed names", path=vcf_path,
            )
        return requested
    if len(samples) == 1:
        return samples[0]
    if ped:
        affected = [s for s in samples if s in ped.people and ped.people[s].affected]
        if len(affected) == 1:
            return affected[0]
    raise InputError(
        f"VCF has {len(samples)} samples and no proband was named: {_listing(samples)}",
        hint="name the proband with --proband SAMPLE (or a PED with exactly one affected sample)",
        path=vcf_path,
    )


MAX_FAMILY_WITHOUT_PED = 16


def family_samples(proband: str, samples: list[str], pedigree: Pedigree | None,
                   ledger: Ledger) -> set[str]:
    """Samples reported in ``family_zygosity``: the proband's PED family when a PED is given,
    else every other sample of a small VCF. A cohort VCF (1000G has 2,504 samples) without a
    PED would otherwise put thousands of genotypes on every row."""
    others = [s for s in samples if s != proband]
    if pedigree and proband in pedigree.people:
        fam = pedigree.people[proband].family
        return {s for s in others if s in pedigree.people and pedigree.people[s].family == fam}
    if len(others) > MAX_FAMILY_WITHOUT_PED:
        ledger.notes.append(f"family_zygosity left empty: {len(others)} other samples and no PED "
                            "naming the family (give --ped)")
        return set()
    return set(others)
