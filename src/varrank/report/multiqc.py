"""MultiQC custom content for a run: the cohort's QC in one MultiQC report.

Reads only the patients' report.json files (their ``qc``, ``exclusions`` and ``methods``
already hold what INGEST measured and every stage's ledger), and writes MultiQC's custom
content files (https://docs.seqera.io/multiqc/custom_content):

- ``varrank_general_stats_mqc.tsv``: the General Statistics columns (variants, Ti/Tv,
  het/hom, PASS fraction, ranked variants);
- ``varrank_qc_mqc.tsv``: per-patient QC table with the sex check;
- ``varrank_ledger_mqc.tsv``: records dropped or excluded per stage and reason (bar graph);
- ``varrank_methods_description_mqc.yaml``: the methods text (tools, resources, models and
  their licences), as nf-core pipelines put it at the top of their MultiQC report.

Values come from varrank's own files, but a report.json is still input: every text is
escaped in the HTML and tab/newline-free in the TSVs.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

from varrank.core.errors import InputError
from varrank.core.table_io import atomic_write_text
from varrank.report.index import find_reports

log = logging.getLogger(__name__)

GENERAL_STATS = (  # column, report.json path, MultiQC header config
    ("variants", ("summary", "variants"), "title: 'Variants', description: 'Variants after normalisation', format: '{:,.0f}'"),
    ("ti_tv", ("qc", "metrics", "ti_tv"), "title: 'Ti/Tv', description: 'SNV transitions / transversions', format: '{:,.2f}'"),
    ("het_hom", ("qc", "metrics", "het_hom_ratio"), "title: 'Het/hom', description: 'Heterozygous / homozygous-alt genotypes', format: '{:,.2f}'"),
    ("pass_fraction", ("qc", "metrics", "pass_fraction"), "title: 'PASS', description: 'Fraction of records with FILTER PASS', max: 1, min: 0, format: '{:,.3f}'"),
    ("ranked", ("summary", "ranked"), "title: 'Ranked', description: 'Variants in the ranked list', format: '{:,.0f}'"),
)
QC_TABLE = (
    ("Variants", ("summary", "variants")),
    ("Ti/Tv", ("qc", "metrics", "ti_tv")),
    ("Het/hom", ("qc", "metrics", "het_hom_ratio")),
    ("PASS fraction", ("qc", "metrics", "pass_fraction")),
    ("REF mismatches", ("qc", "metrics", "ref_check", "mismatches")),
    ("Sex declared", ("qc", "metrics", "sex", "declared")),
    ("Sex inferred", ("qc", "metrics", "sex", "inferred")),
    ("Sex check", ("qc", "metrics", "sex", "check")),
    ("Genome build", ("patient", "genome_build")),
)


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _cell(value: Any) -> str:
    """One TSV cell: empty for missing, no tabs or line breaks whatever the input held."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return " ".join(str(value).split())


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the report: {exc}", path=path,
                         hint="re-run REPORT for this patient") from exc
    if not isinstance(doc, dict) or not isinstance(_get(doc, ("patient", "id")), str):
        raise InputError("not a varrank report.json (no patient.id)", path=path)
    return doc


def _header(section: str, name: str, description: str, plot_type: str, pconfig: str = "") -> str:
    q = json.dumps  # a JSON string is a YAML scalar that any quote or colon inside leaves intact
    lines = [f"# id: {q(section)}", f"# section_name: {q(name)}", f"# description: {q(description)}",
             f"# plot_type: {q(plot_type)}"]
    if pconfig:
        lines += ["# pconfig:", f"#     id: {q(section + '_plot')}", f"#     title: {q(pconfig)}"]
    return "\n".join(lines) + "\n"


def general_stats(docs: list[dict[str, Any]]) -> str:
    headers = ["# plot_type: 'generalstats'", "# headers:"]
    for column, _, config in GENERAL_STATS:
        headers.append(f"#     {column}: {{{config}, namespace: 'varrank'}}")
    rows = ["Sample\t" + "\t".join(c for c, _, _ in GENERAL_STATS)]
    rows += [_cell(d["patient"]["id"]) + "\t" + "\t".join(_cell(_get(d, p)) for _, p, _ in GENERAL_STATS)
             for d in docs]
    return "\n".join(headers) + "\n" + "\n".join(rows) + "\n"


def qc_table(docs: list[dict[str, Any]]) -> str:
    text = _header("varrank_qc", "varrank: per-patient QC",
                   "What INGEST measured on each VCF (docs/output.md#qc).", "table")
    rows = ["Sample\t" + "\t".join(c for c, _ in QC_TABLE)]
    rows += [_cell(d["patient"]["id"]) + "\t" + "\t".join(_cell(_get(d, p)) for _, p in QC_TABLE)
             for d in docs]
    return text + "\n".join(rows) + "\n"


def ledger_counts(doc: dict[str, Any]) -> dict[str, int]:
    """'stage: reason' -> records dropped there; records kept but excluded from the ranking."""
    counts: dict[str, int] = {}
    for stage in _get(doc, ("exclusions", "stages")) or []:
        for reason in stage.get("reasons") or []:
            if reason.get("kind") == "dropped" and isinstance(reason.get("count"), int):
                key = f"{_cell(stage.get('stage'))}: {_cell(reason.get('reason'))}"
                counts[key] = counts.get(key, 0) + reason["count"]
    excluded = _get(doc, ("summary", "excluded"))
    if isinstance(excluded, int) and excluded:
        counts["prioritise: excluded from ranking"] = excluded
    return counts


def ledger_bargraph(docs: list[dict[str, Any]]) -> str:
    text = _header("varrank_ledger", "varrank: records dropped, by stage and reason",
                   "Every record a stage dropped is counted with its reason (each stage's ledger).",
                   "bargraph", "varrank: dropped records")
    per_patient = {d["patient"]["id"]: ledger_counts(d) for d in docs}
    reasons = sorted({r for counts in per_patient.values() for r in counts})
    if not reasons:
        reasons = ["none dropped"]
    rows = ["Sample\t" + "\t".join(reasons)]
    rows += [_cell(pid) + "\t" + "\t".join(str(counts.get(r, 0)) for r in reasons)
             for pid, counts in per_patient.items()]
    return text + "\n".join(rows) + "\n"


def methods_description(docs: list[dict[str, Any]]) -> str:
    """The methods section (HTML inside MultiQC's YAML custom content), from every report."""
    tools: dict[tuple[str, str], str] = {}
    licences: dict[str, str] = {}
    resources: set[str] = set()
    for doc in docs:
        methods = doc.get("methods") if isinstance(doc.get("methods"), dict) else {}
        for tool in methods.get("tools") or []:
            tools[(_cell(tool.get("name")), _cell(tool.get("version")))] = _cell(tool.get("used_for"))
        for entry in methods.get("licences") or []:
            flag = " (non-commercial)" if entry.get("non_commercial") else ""
            licences[_cell(entry.get("what"))] = _cell(entry.get("licence")) + flag
        for res in methods.get("resources") or []:
            resources.add(_cell(res.get("kind")))
    esc = html.escape
    tool_items = "".join(f"<li>{esc(n)} {esc(v)}: {esc(u)}</li>" for (n, v), u in sorted(tools.items()))
    licence_items = "".join(f"<li>{esc(w)}: {esc(lic)}</li>" for w, lic in sorted(licences.items()))
    body = (f"<p>{len(docs)} patient(s) were analysed with varrank: VCF normalisation (INGEST), "
            "database lookup (ANNOTATE), deep-learning variant-effect scores (SCORE), ACMG/AMP "
            "evidence with HPO phenotype match and inheritance (PRIORITISE), and per-patient "
            "reports (REPORT). Each patient's report lists its inputs, resources and stage "
            "history in its Methods section; CITATIONS.md cites every tool, resource and model.</p>"
            f"<h4>Tools</h4><ul>{tool_items}</ul>"
            f"<h4>Resources</h4><p>{esc(', '.join(sorted(r for r in resources if r)) or 'none')}</p>"
            f"<h4>Licences of models and resources</h4><ul>{licence_items or '<li>none recorded</li>'}</ul>")
    return json.dumps({
        "id": "varrank-methods-description",
        "section_name": "varrank methods description",
        "description": "Methods text for the run, from the patients' reports.",
        "plot_type": "html",
        "data": body,
    }, indent=2) + "\n"


def write_multiqc_content(folders: list[Path], out: Path) -> list[Path]:
    """Write the custom content files for the reports under ``folders``; returns their paths."""
    paths = find_reports(folders)
    if not paths:
        raise InputError("no *.report.json found", path=folders[0] if folders else None,
                         hint="give the folders REPORT wrote")
    docs = sorted((_read(p) for p in paths), key=lambda d: d["patient"]["id"])
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "varrank_general_stats_mqc.tsv": general_stats(docs),
        "varrank_qc_mqc.tsv": qc_table(docs),
        "varrank_ledger_mqc.tsv": ledger_bargraph(docs),
        # JSON is YAML: MultiQC reads the _mqc.yaml suffix; JSON needs no YAML writer here.
        "varrank_methods_description_mqc.yaml": methods_description(docs),
    }
    written = []
    for name, text in files.items():
        atomic_write_text(out / name, text)
        written.append(out / name)
    log.info("MultiQC custom content for %d patient(s) in %s", len(docs), out)
    return written
