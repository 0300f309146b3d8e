"""The REPORT stage: report.json, self-contained HTML, ranked TSV, annotated VCF, cohort index."""

from varrank.report.index import build_index
from varrank.report.stage import ReportOutputs, render_json_file, run_report

__all__ = ["ReportOutputs", "build_index", "render_json_file", "run_report"]
