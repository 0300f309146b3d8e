"""The INGEST stage: a patient's VCF/BCF -> normalised, proband-centred variant table.

``run_ingest`` is the pure function the CLI, Nextflow and ``varrank run`` all call.
"""

from __future__ import annotations

from typing import Any


def run_ingest(*args: Any, **kwargs: Any):  # noqa: ANN201 - re-exported, see pipeline.run_ingest
    """See :func:`varrank.ingest.pipeline.run_ingest` (imported lazily: cyvcf2 is heavy)."""
    from varrank.ingest.pipeline import run_ingest as _run

    return _run(*args, **kwargs)


__all__ = ["run_ingest"]
