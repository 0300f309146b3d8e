"""The evidence item every rule returns, and safe access to the variant row.

An item is ``met``, ``not_met`` or ``not_evaluated``. The last one is not a polite
``not_met``: it says the data needed to decide were absent (a skipped ANNOTATE/SCORE stage,
a null database value, a consequence the rule does not apply to is ``not_met``). A report
that shows "PVS1 not met" where the truth is "we could not look" misleads a clinician.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from varrank.core.schema import KEY, variant_key
from varrank.core.so_terms import split_terms
from varrank.core.vocab import EvidenceDirection, EvidenceStatus, EvidenceStrength
from varrank.prioritise.acmg.thresholds import Thresholds

MET, NOT_MET, NOT_EVALUATED = EvidenceStatus.MET, EvidenceStatus.NOT_MET, EvidenceStatus.NOT_EVALUATED
PATHOGENIC, BENIGN = EvidenceDirection.PATHOGENIC, EvidenceDirection.BENIGN
STRENGTHS = tuple(EvidenceStrength)
S = EvidenceStrength
# The code's default strength (Richards 2015 Table 3/4): the first letters after P/B.
_DEFAULT_STRENGTH = {"VS": S.VERY_STRONG, "S": S.STRONG, "M": S.MODERATE, "P": S.SUPPORTING,
                     "A": S.STAND_ALONE}
_SUFFIX = {S.VERY_STRONG: "VeryStrong", S.STRONG: "Strong", S.MODERATE: "Moderate",
           S.SUPPORTING: "Supporting", S.STAND_ALONE: "StandAlone"}


def default_strength(code: str) -> str | None:
    """PVS1 -> very_strong, PM2 -> moderate, BA1 -> stand_alone; None for non-ACMG items."""
    if not code.startswith(("P", "B")):
        return None
    return _DEFAULT_STRENGTH.get(code[1:].rstrip("0123456789"))


@dataclass(frozen=True)
class Evidence:
    """One ACMG/AMP criterion (or the ClinVar assertion) evaluated for one variant."""

    code: str
    status: str
    reason: str
    strength: str | None = None
    direction: str = PATHOGENIC

    @property
    def met(self) -> bool:
        return self.status == MET

    @property
    def label(self) -> str:
        """Code with its strength when modified, as curators write it: PVS1_Strong."""
        default = default_strength(self.code)
        if self.strength is None or default is None or self.strength == default:
            return self.code
        return f"{self.code}_{_SUFFIX[self.strength]}"

    def points(self, thresholds: Thresholds) -> int:
        """Signed Tavtigian points; zero unless met."""
        if not self.met or self.strength is None:
            return 0
        if self.strength == S.STAND_ALONE:
            value = thresholds.points_stand_alone
        else:
            value = thresholds.points[self.strength]
        return value if self.direction == PATHOGENIC else -value

    def to_dict(self, thresholds: Thresholds) -> dict[str, Any]:
        # written out by hand: dataclasses.asdict deep-copies and dominated the stage's runtime
        return {"code": self.code, "label": self.label, "status": self.status,
                "strength": self.strength, "direction": self.direction,
                "points": self.points(thresholds), "reason": self.reason}


def met(code: str, reason: str, strength: str | None = None) -> Evidence:
    direction = PATHOGENIC if code.startswith("P") else BENIGN
    return Evidence(code, MET, reason, strength or default_strength(code), direction)


def not_met(code: str, reason: str) -> Evidence:
    return Evidence(code, NOT_MET, reason, None,
                    PATHOGENIC if code.startswith("P") else BENIGN)


def not_evaluated(code: str, reason: str) -> Evidence:
    return Evidence(code, NOT_EVALUATED, reason, None,
                    PATHOGENIC if code.startswith("P") else BENIGN)


class Row:
    """Read access to one variant row that tells "column absent" from "value null".

    A stage that was skipped leaves its columns absent; ``missing(name)`` is True for both
    absent and null so rules can say *not evaluated* with the right reason.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]):
        self._data = data

    def has_column(self, name: str) -> bool:
        return name in self._data

    def get(self, name: str) -> Any:
        value = self._data.get(name)
        if isinstance(value, float) and math.isnan(value):
            return None
        return value

    def missing(self, name: str) -> bool:
        return self.get(name) is None

    def consequences(self) -> set[str]:
        """Sequence Ontology terms of the preferred transcript (``&``- or ``,``-joined)."""
        return set(split_terms(self.get("consequence")))

    @property
    def key(self) -> str:
        return str(self.get("variant_key") or variant_key(*(self.get(k) for k in KEY)))
