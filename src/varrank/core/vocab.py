"""The words every stage shares, as enums: one spelling per concept, checked by the type.

Values are the exact strings written into the variant table, the ledgers and report.json,
so a member compares equal to its string and serialises as it (``json.dumps``, pyarrow).
Changing a value changes the data contract: the table's schema version moves with it.
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10

    class StrEnum(str, Enum):
        """``enum.StrEnum`` of Python 3.11: members are strings and print as their value."""

        __str__ = str.__str__
        __format__ = str.__format__


class Stage(StrEnum):
    """The chain's stages, in chain order."""

    INGEST = "ingest"
    ANNOTATE = "annotate"
    SCORE = "score"
    PRIORITISE = "prioritise"
    REPORT = "report"


class Sex(StrEnum):
    """Declared or inferred sex of an individual (PED codes 1/2/other)."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Zygosity(StrEnum):
    """A sample's genotype relative to one ALT allele (column ``zygosity``).

    ``UNKNOWN`` is never written by INGEST: it stands for a family member whose genotype is
    not in the VCF, so that segregation rules can tell "not called" from "hom-ref".
    """

    HET = "het"
    HOM_ALT = "hom_alt"
    HEMI = "hemi"
    HOM_REF = "hom_ref"
    NO_CALL = "no_call"
    UNKNOWN = "unknown"


CARRIER_ZYGOSITIES = frozenset({Zygosity.HET, Zygosity.HOM_ALT, Zygosity.HEMI})


class VariantType(StrEnum):
    """Allele class of a normalised REF/ALT pair (column ``variant_type``)."""

    SNV = "SNV"
    MNV = "MNV"
    INSERTION = "insertion"
    DELETION = "deletion"
    COMPLEX = "complex"
    SYMBOLIC = "symbolic"


class AcmgClass(StrEnum):
    """Five-tier classification of Richards et al. 2015 (columns ``acmg_class*``)."""

    PATHOGENIC = "Pathogenic"
    LIKELY_PATHOGENIC = "Likely pathogenic"
    UNCERTAIN = "Uncertain significance"
    LIKELY_BENIGN = "Likely benign"
    BENIGN = "Benign"


class EvidenceStatus(StrEnum):
    """Outcome of one evidence criterion for one variant."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_EVALUATED = "not_evaluated"


class EvidenceDirection(StrEnum):
    """Which way a criterion (or a database assertion) points."""

    PATHOGENIC = "pathogenic"
    BENIGN = "benign"


class EvidenceStrength(StrEnum):
    """ACMG/AMP strength levels, strongest first (ClinGen SVI modifiers)."""

    STAND_ALONE = "stand_alone"
    VERY_STRONG = "very_strong"
    STRONG = "strong"
    MODERATE = "moderate"
    SUPPORTING = "supporting"


class InheritanceMode(StrEnum):
    """Modes a variant's family genotypes fit (column ``inheritance_fit``)."""

    DE_NOVO = "de_novo"
    AUTOSOMAL_DOMINANT = "autosomal_dominant"
    AUTOSOMAL_RECESSIVE_HOM = "autosomal_recessive_hom"
    AUTOSOMAL_RECESSIVE_COMPHET = "autosomal_recessive_comphet"
    AUTOSOMAL_RECESSIVE_COMPHET_POSSIBLE = "autosomal_recessive_comphet_possible"
    X_LINKED_RECESSIVE = "x_linked_recessive"
    X_LINKED_DOMINANT = "x_linked_dominant"
    MITOCHONDRIAL = "mitochondrial"  # on chrM/MT; the mother's genotype unknown
    MITOCHONDRIAL_MATERNAL = "mitochondrial_maternal"  # on chrM/MT and the mother carries it


class DiseaseInheritance(StrEnum):
    """Modes of inheritance of a disease, as the HPO annotations name them
    (column ``disease_inheritance``)."""

    AUTOSOMAL_DOMINANT = "autosomal_dominant"
    AUTOSOMAL_RECESSIVE = "autosomal_recessive"
    X_LINKED_RECESSIVE = "x_linked_recessive"
    X_LINKED_DOMINANT = "x_linked_dominant"
    X_LINKED = "x_linked"
    MITOCHONDRIAL = "mitochondrial"
    Y_LINKED = "y_linked"


class ScoreStatus(StrEnum):
    """What SCORE did with a row (column ``score_status``); skips carry a reason suffix."""

    SCORED = "scored"
    NOT_CANDIDATE = "not_candidate"
    SKIPPED = "skipped"

    @staticmethod
    def skipped(reason: str) -> str:
        """``skipped:<reason>``, the form the column and the ledger use."""
        return f"{ScoreStatus.SKIPPED}:{reason}"


class Impact(StrEnum):
    """Putative impact classes of a consequence (VEP/snpEff IMPACT), most severe first."""

    HIGH = "HIGH"
    MODERATE = "MODERATE"
    LOW = "LOW"
    MODIFIER = "MODIFIER"


class EvidenceKind(StrEnum):
    """Families of evidence that an analysis can switch off (``--skip-evidence``, ablations)."""

    PVS1 = "pvs1"
    PROTEIN = "protein"
    FREQUENCY = "frequency"
    LENGTH = "length"
    COMPUTATIONAL = "computational"
    CLINVAR = "clinvar"
    CONSEQUENCE = "consequence"
    PHENOTYPE = "phenotype"
    EXCLUDED_PHENOTYPE = "excluded_phenotype"  # only the penalty of excluded HPO terms
    INHERITANCE = "inheritance"
