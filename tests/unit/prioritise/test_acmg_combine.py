"""Combining rules (Richards 2015 Table 5) and points (Tavtigian 2020) on worked examples.

Each case lists the criteria as curators write them; the expected 2015 class is the Table 5
rule named in the id, and the expected points class follows Tavtigian et al. 2018 Table 2 /
2020, including the documented places where the two disagree.
"""

from __future__ import annotations

import pytest

from varrank.prioritise.acmg.combine import (B, LB, LP, P, VUS, acmg_points, classify_2015,
                                             classify_points, posterior_probability)
from varrank.prioritise.acmg.evidence import met
from varrank.prioritise.acmg.thresholds import DEFAULT

STRENGTH = {"VeryStrong": "very_strong", "Strong": "strong", "Moderate": "moderate",
            "Supporting": "supporting"}


def items(*labels):
    out = []
    for label in labels:
        code, _, mod = label.partition("_")
        code = code.rstrip("abcdefghijklmnopqrstuvwxyz")  # PS3a -> PS3
        out.append(met(code, "worked example", STRENGTH.get(mod)))
    return out


CASES = [
    # (criteria, 2015 class, points, points class)
    (("PVS1", "PS1"), P, 12, P),                                   # P(i)(a)
    (("PVS1", "PM2", "PM4"), P, 12, P),                            # P(i)(b)
    (("PVS1", "PM4", "PP3"), P, 11, P),                            # P(i)(c)
    (("PVS1", "PP3", "PP1"), P, 10, P),                            # P(i)(d)
    (("PS1", "PS3"), P, 8, LP),                                    # P(ii): 8 points = LP
    (("PS3", "PM1", "PM2", "PM5"), P, 10, P),                      # P(iii)(a)
    (("PS3", "PM1", "PM2", "PP3", "PP4"), P, 10, P),               # P(iii)(b)
    (("PS3", "PM2", "PP1", "PP2", "PP3", "PP4"), P, 10, P),        # P(iii)(c)
    (("PVS1", "PM2"), LP, 10, P),                                  # LP(i): Bayes says P
    (("PS3", "PM2"), LP, 6, LP),                                   # LP(ii)
    (("PS3", "PP3", "PP4"), LP, 6, LP),                            # LP(iii)
    (("PM1", "PM2", "PM5"), LP, 6, LP),                            # LP(iv)
    (("PM1", "PM2", "PP3", "PP4"), LP, 6, LP),                     # LP(v)
    (("PM2", "PP1", "PP2", "PP3", "PP4"), LP, 6, LP),              # LP(vi)
    (("PVS1", "PM2_Supporting"), VUS, 9, LP),                      # SVI PM2: points only
    (("BA1",), B, -8, B),                                          # B(i)
    (("BS1", "BS2"), B, -8, B),                                    # B(ii)
    (("BS1", "BP4"), LB, -5, LB),                                  # LB(i)
    (("BP4", "BP7"), LB, -2, LB),                                  # LB(ii)
    (("BS1",), VUS, -4, LB),                                       # 2015 needs BS + BP
    (("PM2_Supporting",), VUS, 1, VUS),
    (("PVS1", "PS1", "BS1", "BP4"), VUS, 7, LP),                   # contradictory -> VUS
    (("PVS1_Strong", "PM2_Supporting", "PP3"), LP, 6, LP),         # Strong + 2 PP = LP(iii)
]


@pytest.mark.parametrize("labels, cls2015, points, cls_points", CASES,
                         ids=["+".join(c[0]) for c in CASES])
def test_combining_rules_and_points(labels, cls2015, points, cls_points):
    evidence = items(*labels)
    assert acmg_points(evidence, DEFAULT) == points
    ba1 = "BA1" in labels
    assert classify_points(points, DEFAULT, stand_alone_benign=ba1) == cls_points
    assert classify_2015(evidence) == cls2015


@pytest.mark.parametrize("points, cls", [(10, P), (9, LP), (6, LP), (5, VUS), (0, VUS),
                                         (-1, LB), (-6, LB), (-7, B)])
def test_point_band_boundaries(points, cls):
    assert classify_points(points, DEFAULT) == cls


def test_posterior_probability_tavtigian_2018():
    assert posterior_probability(0, DEFAULT) == pytest.approx(0.10)
    assert posterior_probability(8, DEFAULT) == pytest.approx(350 * 0.1 / (349 * 0.1 + 1))
    assert posterior_probability(10, DEFAULT) > 0.99
    assert posterior_probability(6, DEFAULT) == pytest.approx(0.90, abs=1e-3)  # LP floor
    assert posterior_probability(-8, DEFAULT) < 0.001


def test_unmet_and_not_evaluated_items_do_not_count():
    from varrank.prioritise.acmg.evidence import not_evaluated, not_met

    evidence = [not_met("PVS1", "x"), not_evaluated("PS1", "y"), met("PM2", "z", "supporting")]
    assert acmg_points(evidence, DEFAULT) == 1
    assert classify_2015(evidence) == VUS
