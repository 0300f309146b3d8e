"""Five-tier classification: 2015 combining rules and the Bayesian points system.

Both are reported because they disagree in documented places (Tavtigian 2018/2020): e.g.
two Strong criteria are Pathogenic under Richards 2015 rule P(ii) but 8 points (Likely
pathogenic); PVS1 + PM2_Supporting is 9 points (Likely pathogenic) but no 2015 rule.

Richards 2015, Table 5. A criterion applied at a modified strength counts at that strength
(PVS1_Strong counts as a Strong). Conflicting pathogenic and benign outcomes -> VUS.
Points: Tavtigian 2020, Hum Mutat 41:1734: VS 8, S 4, M 2, P 1 (benign negative);
>= 10 P, 6..9 LP, 0..5 VUS, -1..-6 LB, <= -7 B.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterable

from varrank.core.vocab import AcmgClass
from varrank.core.vocab import EvidenceStrength as S
from varrank.prioritise.acmg.evidence import BENIGN, PATHOGENIC, Evidence
from varrank.prioritise.acmg.thresholds import Thresholds

P, LP, VUS, LB, B = (AcmgClass.PATHOGENIC, AcmgClass.LIKELY_PATHOGENIC, AcmgClass.UNCERTAIN,
                     AcmgClass.LIKELY_BENIGN, AcmgClass.BENIGN)
CLASSES = tuple(AcmgClass)


def _counts(items: Iterable[Evidence], direction: str) -> Counter:
    return Counter(e.strength for e in items
                   if e.met and e.direction == direction and e.code.startswith(("P", "B"))
                   and e.code not in ("ClinVar",))


def _pathogenic_tier(c: Counter) -> str | None:
    pvs, ps, pm, pp = c[S.VERY_STRONG], c[S.STRONG], c[S.MODERATE], c[S.SUPPORTING]
    if pvs >= 1 and (ps >= 1 or pm >= 2 or (pm == 1 and pp == 1) or pp >= 2):
        return P
    if pvs >= 2 or ps >= 2:  # two Very Strong trivially exceed P(i)
        return P
    if ps >= 1 and (pm >= 3 or (pm == 2 and pp >= 2) or (pm == 1 and pp >= 4)):
        return P
    if (pvs >= 1 and pm >= 1) or (ps >= 1 and pm >= 1) or (ps >= 1 and pp >= 2) \
            or pm >= 3 or (pm >= 2 and pp >= 2) or (pm >= 1 and pp >= 4):
        return LP
    return None


def _benign_tier(c: Counter) -> str | None:
    if c[S.STAND_ALONE] >= 1 or c[S.STRONG] >= 2:
        return B
    if (c[S.STRONG] >= 1 and c[S.SUPPORTING] >= 1) or c[S.SUPPORTING] >= 2:
        return LB
    return None


def classify_2015(items: Iterable[Evidence]) -> str:
    """Richards 2015 Table 5 combining rules over the met criteria."""
    items = list(items)
    path = _pathogenic_tier(_counts(items, PATHOGENIC))
    ben = _benign_tier(_counts(items, BENIGN))
    if path and ben:
        return VUS  # "the criteria for benign and pathogenic are contradictory"
    return path or ben or VUS


def acmg_points(items: Iterable[Evidence], thresholds: Thresholds) -> int:
    """Sum of signed points over ACMG criteria (the ClinVar and MITOMAP items are excluded)."""
    return sum(e.points(thresholds) for e in items if e.code not in ("ClinVar", "MITOMAP"))


def classify_points(points: int, thresholds: Thresholds, stand_alone_benign: bool = False) -> str:
    """Tavtigian 2020 point bands; BA1 is stand-alone Benign whatever the sum."""
    if stand_alone_benign:
        return B
    if points >= thresholds.points_pathogenic:
        return P
    if points >= thresholds.points_likely_pathogenic:
        return LP
    if points <= thresholds.points_benign:
        return B
    if points <= thresholds.points_likely_benign:
        return LB
    return VUS


def posterior_probability(points: float, thresholds: Thresholds) -> float:
    """Tavtigian 2018: posterior P(pathogenic) for an evidence sum in points.

    OddsPath = O_PVSt ** (points / 8); posterior = OddsPath * prior / ((OddsPath - 1) * prior + 1).
    10 points -> 0.994, 6 -> 0.90, 0 -> prior 0.10.
    """
    prior = thresholds.prior_probability
    odds = math.pow(thresholds.odds_path_very_strong, points / 8.0)
    return odds * prior / ((odds - 1.0) * prior + 1.0)
