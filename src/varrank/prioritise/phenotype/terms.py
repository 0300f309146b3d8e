"""The patient's HPO terms: parse, map obsolete ids to replacements, reject unknown ids.

An obsolete id with a ``replaced_by`` maps to the replacement with a warning (HPO retires
ids when merging terms; old clinical records keep using them). An obsolete id without a
replacement, a malformed id or an id not in the release is an error naming every bad id at
once, so the user fixes the list in one go.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from varrank.core.errors import InputError
from varrank.prioritise.phenotype.hpo_index import HpoIndex, hp_id, parse_hp_id

LOG = logging.getLogger(__name__)


@dataclass
class PatientTerms:
    """Resolved terms (HP numbers, in input order, de-duplicated) and what happened."""

    numbers: list[int]
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [hp_id(n) for n in self.numbers]


def split_hpo_argument(text: str | None) -> list[str]:
    """'HP:1, HP:2;HP:3' -> ['HP:1', 'HP:2', 'HP:3'] (commas, semicolons, whitespace)."""
    if not text:
        return []
    return [t for t in re.split(r"[\s,;]+", text.strip()) if t]


def resolve_terms(raw: list[str], index: HpoIndex) -> PatientTerms:
    numbers: list[int] = []
    warnings: list[str] = []
    ignored: list[str] = []
    bad: list[str] = []
    for text in raw:
        number = parse_hp_id(text)
        if number is None:
            bad.append(f"{text!r} (not an HPO id of the form HP:0000000)")
            continue
        if number in index.obsolete:
            replacement = index.obsolete[number]
            if replacement is None or replacement not in index.position:
                bad.append(f"{text} (obsolete, no replacement in release {index.release})")
                continue
            message = (f"{text} is obsolete; using its replacement {hp_id(replacement)} "
                       f"({index.name_of(replacement)})")
            LOG.warning(message)
            warnings.append(message)
            number = replacement
        elif number not in index.position:
            bad.append(f"{text} (not in HPO release {index.release})")
            continue
        if not index.phenotypic[index.position[number]]:
            message = (f"{hp_id(number)} ({index.name_of(number)}) is not a phenotypic "
                       "abnormality; ignored for the phenotype match")
            LOG.warning(message)
            ignored.append(message)
            continue
        if number not in numbers:
            numbers.append(number)
    if bad:
        raise InputError(f"unknown HPO term(s): {'; '.join(bad)}",
                         hint="check the ids at https://hpo.jax.org or pass --hpo-dir with "
                              "the HPO release they come from")
    return PatientTerms(numbers, warnings, ignored)
