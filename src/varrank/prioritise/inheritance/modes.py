"""Which modes of inheritance a variant's genotypes in the family fit.

Rules follow the segregation logic of Exomiser's inheritance filter and of slivar's trio
expressions, assuming full penetrance (an unaffected relative carrying a dominant variant
rules the mode out) and no phenocopies. Unknown genotypes (no call, member not in the VCF)
never rule a mode out.

- de_novo: proband carries, both parents called and homozygous reference.
- autosomal_dominant: every affected carries (het or hom), every unaffected is hom-ref.
- autosomal_recessive_hom: every affected is hom-alt; no unaffected is hom-alt; each called
  parent carries (a hom-ref parent means de novo/UPD, not classic recessive).
- autosomal_recessive_comphet: a gene-level judgement over pairs of het variants
  (``comphet_pairs``): in trans when one came from the father only and the other from the
  mother only ("confirmed"); when a parent is missing the pair is "possible"; both from the
  same parent is cis and does not fit.
- x_linked_recessive: on X; affected males hemizygous (GATK het calls in males accepted),
  affected females hom-alt; unaffected males do not carry; fathers of affected males may not.
- x_linked_dominant: on X; every affected carries; unaffected members do not.
- mitochondrial (chrM/MT, carried by the proband; inheritance/mito.py): maternal. The
  mother carrying it gives mitochondrial_maternal; a called hom-ref mother gives de_novo
  (besides mitochondrial: her level may be below detection in blood); the father's genotype
  is not used (paternal mtDNA is not transmitted). Relatives never rule it out: with
  heteroplasmy and tissue thresholds, unaffected carriers and affected non-carriers (in
  blood) are expected (McCormick 2020).
The pseudo-autosomal regions are not modelled (PAR variants are judged as X-linked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations

from varrank.core.genome import bare_name, is_mitochondrial
from varrank.core.vocab import (CARRIER_ZYGOSITIES, DiseaseInheritance, InheritanceMode, Sex,
                                Zygosity)
from varrank.core.pedigree import Pedigree
from varrank.prioritise.inheritance.mito import maternal_modes

M = InheritanceMode
DOMINANT_MODES = {M.DE_NOVO, M.AUTOSOMAL_DOMINANT, M.X_LINKED_DOMINANT}
RECESSIVE_MODES = {M.AUTOSOMAL_RECESSIVE_HOM, M.AUTOSOMAL_RECESSIVE_COMPHET,
                   M.AUTOSOMAL_RECESSIVE_COMPHET_POSSIBLE, M.X_LINKED_RECESSIVE}
# which variant modes satisfy each disease mode (HPO names, see hpo_index.INHERITANCE_ROOTS)
D = DiseaseInheritance
DISEASE_MODE_FITS = {
    D.AUTOSOMAL_DOMINANT: {M.DE_NOVO, M.AUTOSOMAL_DOMINANT},
    D.AUTOSOMAL_RECESSIVE: {M.AUTOSOMAL_RECESSIVE_HOM, M.AUTOSOMAL_RECESSIVE_COMPHET,
                            M.AUTOSOMAL_RECESSIVE_COMPHET_POSSIBLE},
    D.X_LINKED_RECESSIVE: {M.X_LINKED_RECESSIVE, M.DE_NOVO},
    D.X_LINKED_DOMINANT: {M.X_LINKED_DOMINANT, M.DE_NOVO},
    D.X_LINKED: {M.X_LINKED_RECESSIVE, M.X_LINKED_DOMINANT, M.DE_NOVO},
    D.MITOCHONDRIAL: {M.MITOCHONDRIAL, M.MITOCHONDRIAL_MATERNAL, M.DE_NOVO},
    D.Y_LINKED: {M.AUTOSOMAL_DOMINANT},
}


@dataclass
class Genotypes:
    """Zygosity of every pedigree member for one variant (UNKNOWN when not called)."""

    by_sample: dict[str, str]

    def of(self, sample: str) -> str:
        z = self.by_sample.get(sample)
        return z if z in CARRIER_ZYGOSITIES or z == Zygosity.HOM_REF else Zygosity.UNKNOWN


def family_genotypes(proband: str, zygosity: str | None, family_json: str | None) -> Genotypes:
    by_sample: dict[str, str] = {}
    if family_json:
        try:
            parsed = json.loads(family_json)
            if isinstance(parsed, dict):
                by_sample = {str(k): str(v) for k, v in parsed.items()}
        except ValueError:
            by_sample = {}
    by_sample[proband] = zygosity or Zygosity.NO_CALL
    return Genotypes(by_sample)


def _carrier(z: str) -> bool:
    return z in CARRIER_ZYGOSITIES


def variant_modes(chrom: str, gts: Genotypes, ped: Pedigree, proband: str) -> set[str]:
    """Modes this single variant fits (compound het is added later, per gene)."""
    me = gts.of(proband)
    if not _carrier(me):
        return set()
    if is_mitochondrial(chrom):
        return maternal_modes(gts, ped, proband)
    affected = set(ped.affected()) | {proband}
    unaffected = set(ped.unaffected()) - {proband}
    father, mother = ped.parents(proband)
    modes: set[str] = set()
    if bare_name(chrom) == "X":
        modes |= _x_modes(gts, ped, proband, affected, unaffected)
    else:
        if all(gts.of(a) != Zygosity.HOM_REF for a in affected) and \
                all(not _carrier(gts.of(u)) for u in unaffected):
            modes.add(M.AUTOSOMAL_DOMINANT)
        if _hom_recessive(gts, affected, unaffected, father, mother):
            modes.add(M.AUTOSOMAL_RECESSIVE_HOM)
    if father and mother and gts.of(father) == Zygosity.HOM_REF and gts.of(mother) == Zygosity.HOM_REF:
        modes.add(M.DE_NOVO)
    return modes


def _hom_recessive(gts: Genotypes, affected, unaffected, father, mother) -> bool:
    if any(gts.of(a) not in (Zygosity.HOM_ALT, Zygosity.UNKNOWN) for a in affected):
        return False
    if any(gts.of(u) == Zygosity.HOM_ALT for u in unaffected):
        return False
    return all(gts.of(p) != Zygosity.HOM_REF for p in (father, mother) if p)


def _x_modes(gts: Genotypes, ped: Pedigree, proband: str, affected, unaffected) -> set[str]:
    modes = set()
    # X-linked dominant: every affected carries, no unaffected carries.
    if all(gts.of(a) != Zygosity.HOM_REF for a in affected) and \
            all(not _carrier(gts.of(u)) for u in unaffected):
        modes.add(M.X_LINKED_DOMINANT)
    # X-linked recessive
    ok = True
    for a in affected:
        z, sex = gts.of(a), ped.sex_of(a)
        if z == Zygosity.HOM_REF or (sex == Sex.FEMALE and z == Zygosity.HET):
            ok = False
    for u in unaffected:
        z, sex = gts.of(u), ped.sex_of(u)
        if (sex == Sex.MALE and _carrier(z)) or z == Zygosity.HOM_ALT:
            ok = False
    father, _ = ped.parents(proband)
    if father and ped.sex_of(proband) != Sex.FEMALE and _carrier(gts.of(father)) \
            and father not in affected:
        ok = False  # a son's X comes from his mother
    if ok:
        modes.add(M.X_LINKED_RECESSIVE)
    return modes


@dataclass(frozen=True)
class PairCall:
    a: str
    b: str
    status: str   # confirmed | possible


def _origin(gts: Genotypes, father: str | None, mother: str | None) -> str:
    f = gts.of(father) if father else Zygosity.UNKNOWN
    m = gts.of(mother) if mother else Zygosity.UNKNOWN
    if Zygosity.UNKNOWN in (f, m):
        return "unknown"
    if _carrier(f) and not _carrier(m):
        return "father"
    if _carrier(m) and not _carrier(f):
        return "mother"
    if _carrier(f) and _carrier(m):
        return "both"
    return "de_novo"


def _pair_status(oa: str, ob: str) -> str | None:
    if {oa, ob} == {"father", "mother"}:
        return "confirmed"
    if oa == ob and oa in ("father", "mother"):
        return None   # both from the same parent: in cis
    return "possible"  # a parent missing, a de novo partner, or an allele in both parents


def _pair_allowed(ga: Genotypes, gb: Genotypes, affected, unaffected) -> bool:
    if any(_carrier(ga.of(u)) and _carrier(gb.of(u)) for u in unaffected):
        return False  # an unaffected relative carries both
    return not any(ga.of(a) == Zygosity.HOM_REF or gb.of(a) == Zygosity.HOM_REF for a in affected)


def comphet_partners(variants: list[tuple[str, Genotypes, float]], ped: Pedigree,
                     proband: str) -> dict[str, dict[str, tuple[str, float]]]:
    """Best compound-heterozygous partner of each het variant of one gene, per phase status.

    ``variants`` are (key, genotypes, variant score) of the proband's het variants in one
    gene. Returns key -> {"confirmed"|"possible": (partner key, partner score)}. Partners
    are scanned best-score first, so a gene with hundreds of intronic hets costs
    O(n log n) rather than every pair.
    """
    father, mother = ped.parents(proband)
    affected = set(ped.affected()) | {proband}
    unaffected = set(ped.unaffected()) - {proband}
    ordered = sorted(variants, key=lambda v: -v[2])
    origin = {k: _origin(g, father, mother) for k, g, _ in ordered}
    present = set(origin.values())
    opposite = {"father": "mother", "mother": "father"}
    out: dict[str, dict[str, tuple[str, float]]] = {}
    for ka, ga, _ in ordered:
        found: dict[str, tuple[str, float]] = {}
        can_confirm = opposite.get(origin[ka]) in present
        for kb, gb, sb in ordered:
            if kb == ka:
                continue
            status = _pair_status(origin[ka], origin[kb])
            if status is None or status in found or not _pair_allowed(ga, gb, affected,
                                                                       unaffected):
                continue
            found[status] = (kb, sb)
            if "confirmed" in found or not can_confirm:
                break     # best-scoring partner of the best status found
        if found:
            out[ka] = found
    return out


def comphet_pairs(variants: list[tuple[str, Genotypes]], ped: Pedigree,
                  proband: str) -> list[PairCall]:
    """Every pair of het variants that can be compound heterozygous (small genes, tests)."""
    father, mother = ped.parents(proband)
    affected = set(ped.affected()) | {proband}
    unaffected = set(ped.unaffected()) - {proband}
    out = []
    for (ka, ga), (kb, gb) in combinations(variants, 2):
        if not _pair_allowed(ga, gb, affected, unaffected):
            continue
        status = _pair_status(_origin(ga, father, mother), _origin(gb, father, mother))
        if status:
            out.append(PairCall(ka, kb, status))
    return out
