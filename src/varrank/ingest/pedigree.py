"""Minimal PED reader: who is in the family, their sex and affection status.

PED (PLINK) columns: family, individual, father, mother, sex (1 male, 2 female, other
unknown), phenotype (2 affected, 1 unaffected, 0/-9 unknown). INGEST uses it to pick the
proband of a multi-sample VCF and to get declared sex; PRIORITISE reads it for inheritance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from varrank.core.errors import InputError

SEX = {"1": "male", "2": "female"}


@dataclass(frozen=True)
class PedIndividual:
    family: str
    individual: str
    father: str | None
    mother: str | None
    sex: str  # male, female or unknown
    affected: bool | None


def read_ped(path: str | Path) -> dict[str, PedIndividual]:
    path = Path(path)
    if not path.is_file():
        raise InputError("PED file not found", hint="check --ped", path=path)
    people: dict[str, PedIndividual] = {}
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split()
        if len(cols) < 6:
            raise InputError(
                f"PED line has {len(cols)} columns, expected 6 (family, individual, father, mother, sex, phenotype)",
                path=path, line=n,
            )
        fam, ind, father, mother, sex, pheno = cols[:6]
        if ind in people:
            raise InputError(f"individual {ind!r} listed twice", path=path, line=n)
        people[ind] = PedIndividual(
            fam, ind, None if father in ("0", ".") else father, None if mother in ("0", ".") else mother,
            SEX.get(sex, "unknown"), True if pheno == "2" else False if pheno == "1" else None,
        )
    return people
