"""Validation of identifiers that end up in file names (patient IDs, sample IDs).

Sample names come from VCF headers and samplesheets written by other people; letting them
reach a path unchecked invites `../` traversal or shell surprises on a shared HPC filesystem.
"""

from __future__ import annotations

import re

from varrank.core.errors import InputError

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def is_safe_id(value: str) -> bool:
    return bool(SAFE_ID.match(value)) and ".." not in value


def require_safe_id(value: str, what: str = "patient ID") -> str:
    if not is_safe_id(value):
        raise InputError(
            f"unsafe {what} {value!r}: only letters, digits, '.', '_' and '-' are allowed "
            "(must start with a letter or digit, at most 128 characters, no '..')",
            hint=f"rename the {what} in the samplesheet",
        )
    return value
