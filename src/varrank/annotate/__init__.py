"""The ANNOTATE stage: database lookup (ClinVar, gnomAD, in-house), consequences and HGVS.

Public entry points: ``run_annotate`` (the stage), ``build_bundle`` (``varrank resources
build``) and ``build_snpeff_db`` (``varrank resources snpeff-db``).
"""

from varrank.annotate.stage import AnnotateOptions, AnnotateOutputs, run_annotate

__all__ = ["AnnotateOptions", "AnnotateOutputs", "run_annotate"]
