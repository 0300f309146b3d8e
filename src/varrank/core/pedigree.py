"""The one PED (LINKAGE pedigree) reader, with the checks a real pedigree needs.

INGEST reads it to pick the proband of a multi-sample VCF, the declared sex and the family
whose genotypes go into ``family_zygosity``; PRIORITISE reads it for segregation. Both use
this reader and this policy, so the same PED gives the same family in both stages, and
both write its warnings into their ledger notes.

Columns: family, individual, father, mother, sex (1 male, 2 female, other unknown),
phenotype (1 unaffected, 2 affected, other unknown); whitespace separated; '#' comments.
A samplesheet's family columns are written to the same six columns and passed as a PED.

Problems never stop the analysis: each one is a warning naming file and line, and the
offending link or value is dropped so that ranking runs on what is valid:
- a malformed line is skipped;
- a father recorded as female or a mother as male (sex conflict) -> that parent link is
  dropped and the parent's sex set to unknown; a PED sex that contradicts the sex given for
  the proband to INGEST likewise becomes unknown;
- a parent id that has no line of its own (missing parent) -> the parent is treated as
  absent (no genotype, no sex, no phenotype);
- a cycle (someone their own ancestor) -> the parent links inside the cycle are dropped;
- members that are not samples of the VCF -> kept in the pedigree, genotypes unknown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from varrank.core.errors import InputError
from varrank.core.vocab import Sex

LOG = logging.getLogger(__name__)
MISSING = {"0", "", "."}


@dataclass
class Person:
    id: str
    family: str
    father: str | None
    mother: str | None
    sex: Sex
    affected: bool | None
    line: int = 0


@dataclass
class Pedigree:
    people: dict[str, Person] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    source: str = ""

    def warn(self, message: str) -> None:
        LOG.warning(message)
        self.warnings.append(message)

    def parents(self, person_id: str) -> tuple[str | None, str | None]:
        p = self.people.get(person_id)
        return (p.father, p.mother) if p else (None, None)

    def affected(self) -> list[str]:
        return [p.id for p in self.people.values() if p.affected is True]

    def unaffected(self) -> list[str]:
        return [p.id for p in self.people.values() if p.affected is False]

    def sex_of(self, person_id: str) -> str:
        p = self.people.get(person_id)
        return p.sex if p else Sex.UNKNOWN

    def apply_proband(self, proband: str, proband_sex: str | None) -> None:
        """The proband counts as affected, and its sex from the sample data (INGEST's
        --sex) is checked against the PED's: a contradiction makes it unknown."""
        _check_proband(self, Path(self.source), proband, proband_sex)


def _sex(code: str) -> Sex:
    return {"1": Sex.MALE, "2": Sex.FEMALE}.get(code, Sex.UNKNOWN)


def _affected(code: str) -> bool | None:
    return {"1": False, "2": True}.get(code)


def read_ped(path: Path | str, proband: str | None = None,
             proband_sex: str | None = None) -> Pedigree:
    path = Path(path)
    if not path.is_file():
        raise InputError("PED file not found", path=path)
    ped = Pedigree(source=str(path))
    with open(path, encoding="utf-8", errors="replace") as handle:
        for lineno, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            cols = line.split()
            if len(cols) < 6:
                ped.warn(f"{path}:{lineno}: PED line has {len(cols)} columns, expected 6; "
                         "line skipped")
                continue
            fam, iid, father, mother, sex, pheno = cols[:6]
            if iid in ped.people:
                ped.warn(f"{path}:{lineno}: individual {iid!r} listed twice; first kept")
                continue
            if iid in (father, mother):
                ped.warn(f"{path}:{lineno}: {iid!r} is listed as their own parent; "
                         "link dropped")
                father = "0" if father == iid else father
                mother = "0" if mother == iid else mother
            ped.people[iid] = Person(iid, fam, None if father in MISSING else father,
                                     None if mother in MISSING else mother, _sex(sex),
                                     _affected(pheno), lineno)
    if not ped.people:
        raise InputError("PED file has no valid individuals", path=path)
    _check_parents(ped, path)
    _break_cycles(ped, path)
    _check_proband(ped, path, proband, proband_sex)
    return ped


def _check_parents(ped: Pedigree, path: Path) -> None:
    for person in ped.people.values():
        for role, expected in (("father", Sex.MALE), ("mother", Sex.FEMALE)):
            parent_id = getattr(person, role)
            if parent_id is None:
                continue
            parent = ped.people.get(parent_id)
            if parent is None:
                ped.warn(f"{path}:{person.line}: {role} {parent_id!r} of {person.id!r} has no "
                         "PED line; treated as absent")
                continue
            if parent.sex not in (expected, Sex.UNKNOWN):
                ped.warn(f"{path}:{parent.line}: sex conflict: {parent_id!r} is {role} of "
                         f"{person.id!r} but recorded as {parent.sex}; sex set to unknown")
                parent.sex = Sex.UNKNOWN
        if person.father and person.father == person.mother:
            ped.warn(f"{path}:{person.line}: father and mother of {person.id!r} are the same "
                     "individual; links dropped")
            person.father = person.mother = None


def _break_cycles(ped: Pedigree, path: Path) -> None:
    """Drop the parent links of anyone who is their own ancestor (depth-first search)."""
    state: dict[str, int] = {}   # 1 visiting, 2 done

    def visit(pid: str, trail: list[str]) -> None:
        state[pid] = 1
        person = ped.people[pid]
        for role in ("father", "mother"):
            parent = getattr(person, role)
            if parent not in ped.people:
                continue
            if state.get(parent) == 1:
                cycle = trail[trail.index(parent):] + [pid, parent] if parent in trail \
                    else [pid, parent]
                ped.warn(f"{path}:{person.line}: {parent!r} is their own ancestor "
                         f"({' -> '.join(cycle)}); {role} link of {pid!r} dropped")
                setattr(person, role, None)
            elif state.get(parent) is None:
                visit(parent, trail + [pid])
        state[pid] = 2

    for pid in list(ped.people):
        if pid not in state:
            visit(pid, [])


def _check_proband(ped: Pedigree, path: Path, proband: str | None,
                   proband_sex: str | None) -> None:
    if proband is None:
        return
    person = ped.people.get(proband)
    if person is None:
        ped.warn(f"{path}: proband {proband!r} is not in the PED; family genotypes not used")
        return
    if person.affected is False:
        ped.warn(f"{path}:{person.line}: proband {proband!r} is recorded as unaffected; "
                 "treated as affected")
    person.affected = True
    given = (proband_sex or Sex.UNKNOWN).lower()
    known = (Sex.MALE, Sex.FEMALE)
    if given in known and person.sex in known and given != person.sex:
        ped.warn(f"{path}:{person.line}: sex conflict: proband {proband!r} is {person.sex} in "
                 f"the PED but {given} in the sample data; sex set to unknown")
        person.sex = Sex.UNKNOWN
    elif person.sex == Sex.UNKNOWN and given in known:
        person.sex = Sex(given)


def check_samples(ped: Pedigree, samples: set[str], proband: str | None) -> list[str]:
    """Warn about PED members that are not samples of the VCF (genotypes unknown)."""
    absent = sorted(pid for pid in ped.people if pid not in samples and pid != proband)
    if absent:
        ped.warn(f"{ped.source}: family member(s) {', '.join(absent)} not in the VCF; "
                 "their genotypes are treated as unknown")
    return absent


def single_sample(proband: str, sex: str | None) -> Pedigree:
    """A pedigree of the proband alone (no PED given)."""
    ped = Pedigree(source="(no PED)")
    given = (sex or "").lower()
    ped.people[proband] = Person(proband, proband, None, None,
                                 Sex(given) if given in (Sex.MALE, Sex.FEMALE) else Sex.UNKNOWN,
                                 True)
    return ped
