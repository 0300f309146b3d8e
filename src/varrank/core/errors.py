"""One error type for everything a user can fix.

The CLI turns a VarrankError into one readable line plus a hint and a non-zero exit code;
anything else is a bug and keeps its traceback. Naming file and line lets a clinical
bioinformatician fix a 3-million-record VCF without bisecting it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class VarrankError(Exception):
    """A problem with the user's inputs or resources, reported without a traceback."""

    message: str
    hint: str = ""
    path: str | Path | None = None
    line: int | None = None
    exit_code: int = 2

    def __post_init__(self) -> None:
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}"
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        return f"{where}{self.message}"

    def __str__(self) -> str:  # dataclass would otherwise print the field repr
        return self.one_line()


class InputError(VarrankError):
    """Bad user input (VCF, samplesheet, PED, HPO list)."""


class ResourceError(VarrankError):
    """A reference resource (FASTA, annotation bundle, model bundle) is missing or unusable."""
