"""The variant table's footer as a type: what every stage knows about the patient's table.

The Parquet footer (key ``varrank``) used to be a free dict whose keys readers guessed
(``sex`` or ``declared_sex``? ``vcf`` or ``input_vcf``?). It is now this dataclass, written
as JSON under ``schemas/table_metadata.schema.json`` and checked on every read; the footer
carries its schema version and a reader refuses any other with the command that fixes it.

Version history: 1 = footers written before the stage contract (no ``schema_version``);
2 = this dataclass (``contigs`` added later as an optional field: footers without it still read).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from varrank.core.errors import InputError
from varrank.core.genome import canonical_build
from varrank.core.json_schema import check, check_written
from varrank.core.vocab import Sex, Stage

TABLE_SCHEMA_VERSION = 2


@dataclass
class TableMetadata:
    patient: str
    proband: str | None = None            # the VCF sample the table is about
    genome_build: str | None = None       # GRCh37 / GRCh38 (inferred or given)
    fasta: str | None = None              # reference the table was normalised against
    contigs: dict[str, int] = field(default_factory=dict)  # its contigs and lengths, .fai order
    declared_sex: str = Sex.UNKNOWN       # from --sex or the PED
    samples: list[str] = field(default_factory=list)   # every sample of the input VCF
    source_vcf: str | None = None         # the patient's input file, as given to INGEST
    family_id: str | None = None          # the proband's family in the PED
    csq_format: str | None = None         # INFO/CSQ field list of the input VCF's header
    hpo_terms: list[str] = field(default_factory=list)     # as PRIORITISE resolved them
    hpo_excluded: list[str] = field(default_factory=list)  # excluded features (PRIORITISE)
    stages: list[dict[str, Any]] = field(default_factory=list)  # {stage, varrank_version, ...}
    schema_version: int = TABLE_SCHEMA_VERSION

    def __post_init__(self) -> None:
        if self.genome_build:  # hg38, b37, GRCh38.p14 ... -> the canonical name
            self.genome_build = canonical_build(self.genome_build)

    # --- construction ------------------------------------------------------------------
    @classmethod
    def coerce(cls, value: TableMetadata | Mapping[str, Any]) -> TableMetadata:
        """A TableMetadata from itself or from a mapping of its fields (tests, benchmarks
        and in-memory callers); unknown keys are an error, not a silent guess."""
        if isinstance(value, TableMetadata):
            return value
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - names)
        if unknown:
            raise ValueError(f"unknown table metadata field(s): {', '.join(unknown)}")
        data = dict(value)
        data.setdefault("patient", "")
        return cls(**data)

    @classmethod
    def _from_checked(cls, doc: dict[str, Any], path: Path | str) -> TableMetadata:
        from varrank.core.ids import require_safe_id

        try:
            require_safe_id(doc["patient"])
            return cls(**doc)
        except InputError as err:
            raise InputError(f"the table's varrank metadata: {err.message}", hint=err.hint,
                             path=path) from None
        except ValueError as err:
            raise InputError(f"the table's varrank metadata: {err}", path=path) from None

    @classmethod
    def from_footer(cls, doc: Any, path: Path | str) -> TableMetadata:
        """Parse and check a footer read from ``path``; old or foreign footers are refused."""
        if not isinstance(doc, dict):
            raise InputError("the table's varrank metadata is not a JSON object", path=path,
                             hint="give a table written by a varrank stage")
        version = doc.get("schema_version", 1)
        if version != TABLE_SCHEMA_VERSION:
            raise InputError(
                f"variant table metadata has schema version {version}; this varrank reads "
                f"version {TABLE_SCHEMA_VERSION}", path=path,
                hint="re-run the chain from INGEST with this varrank version")
        check(doc, "table_metadata", path, InputError, "the table's varrank metadata does not match its schema",
              hint="the table was written by another program or edited by hand")
        return cls._from_checked(doc, path)

    # --- use -----------------------------------------------------------------------------
    def to_footer(self) -> dict[str, Any]:
        doc = dataclasses.asdict(self)
        check_written(doc, "table_metadata")
        return doc

    def with_stage(self, stage: Stage | str, **details: Any) -> TableMetadata:
        """A copy with one more entry in the stage history."""
        from varrank import __version__

        entry = {"stage": str(stage), "varrank_version": __version__, **details}
        return dataclasses.replace(self, stages=[*self.stages, entry])

    def stage_details(self, stage: Stage | str) -> dict[str, Any] | None:
        """The last history entry of ``stage`` (None when it did not run)."""
        for entry in reversed(self.stages):
            if entry.get("stage") == str(stage):
                return entry
        return None

    def stages_run(self) -> set[str]:
        return {str(entry.get("stage")) for entry in self.stages}
