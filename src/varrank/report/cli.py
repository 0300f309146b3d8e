"""`varrank report`: per-patient report files, and `varrank report index` for a run.

    varrank report --in T.parquet --qc ID.qc.json --ledger L.json [--ledger ...]
                   [--manifest M.json ...] [--tracks ID.tracks.parquet] [--hpo HP:..,HP:..]
                   [--secondary-findings] [--pdf [--paper a4|letter]] --out DIR
    varrank report index --reports DIR [DIR ...] --out index.html
    varrank report render --json ID.report.json --out ID.report.html
    varrank report multiqc --reports DIR [DIR ...] --out DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

from varrank.core.contract import ReportArgs, add_stage_parser
from varrank.core.errors import InputError
from varrank.core.vocab import Stage

DESCRIPTION = """Write the per-patient report: DIR/ID.report.json (versioned, documented in
docs/report_schema.md), DIR/ID.report.html (self-contained, rendered from the JSON only),
DIR/ID.ranked.tsv, DIR/ID.annotated.vcf.gz(+.tbi) and with --pdf DIR/ID.report.pdf.
Works on the output of any stage: what a skipped stage would have added is reported as
missing. Sub-commands: `index` (cohort index.html), `render` (re-render a report.json),
`multiqc` (MultiQC custom content for a run's QC)."""


def register(sub: argparse._SubParsersAction) -> None:
    parser = add_stage_parser(sub, Stage.REPORT, DESCRIPTION, _run_report)

    nested = parser.add_subparsers(dest="report_command", metavar="{index,render,multiqc}")
    index = nested.add_parser("index", help="cohort index.html linking every report of a run",
                              description="Build index.html linking each patient's report with "
                              "its headline findings, from the *.report.json under the folders.")
    index.add_argument("--reports", type=Path, nargs="+", required=True, metavar="DIR",
                       help="report output folders (searched recursively for *.report.json)")
    index.add_argument("--out", type=Path, required=True, metavar="index.html")
    index.add_argument("--title", default="varrank run", help="title shown on the page")
    index.add_argument("--link-template", metavar="T",
                       help="link each report as T relative to index.html, {patient} and {file} "
                            "replaced (the pipeline: '{patient}/report/{file}', its publishing "
                            "layout); default: the report's path relative to index.html")
    index.set_defaults(func=_run_index)

    render = nested.add_parser("render", help="re-render the HTML from a report.json")
    render.add_argument("--json", type=Path, required=True, metavar="ID.report.json")
    render.add_argument("--out", type=Path, required=True, metavar="ID.report.html")
    render.set_defaults(func=_run_render)

    multiqc = nested.add_parser(
        "multiqc", help="MultiQC custom content (QC, ledgers, methods) from a run's reports",
        description="Write *_mqc.tsv/*_mqc.yaml files for MultiQC from the *.report.json under "
                    "the folders: General Statistics, a per-patient QC table with the sex check, "
                    "dropped records by stage and reason, and the methods description. Then run "
                    "`multiqc DIR`.")
    multiqc.add_argument("--reports", type=Path, nargs="+", required=True, metavar="DIR",
                         help="report output folders (searched recursively for *.report.json)")
    multiqc.add_argument("--out", type=Path, required=True, metavar="DIR",
                         help="folder for the custom content files")
    multiqc.set_defaults(func=_run_multiqc)


def _hpo_list(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _run_report(args: ReportArgs) -> int:
    from varrank.report.stage import run_report

    if args.table is None or args.out is None:
        raise InputError("varrank report needs --in T.parquet and --out DIR",
                         hint="see `varrank report --help`")
    if args.max_findings < 1 or args.max_variants < 0:
        raise InputError("--max-findings must be >= 1 and --max-variants >= 0")
    outputs = run_report(args.table, args.out, qc_path=args.qc, ledger_paths=args.ledger,
                         manifest_paths=args.manifest, tracks_path=args.tracks,
                         hpo=_hpo_list(args.hpo), hpo_dir=args.hpo_dir,
                         secondary=args.secondary_findings, pdf=args.pdf, paper=args.paper,
                         max_findings=args.max_findings, max_variants=args.max_variants,
                         patient=args.patient)
    print(outputs.html)
    return 0


def _run_index(args: argparse.Namespace) -> int:
    from varrank.report.index import build_index

    print(build_index(args.reports, args.out, title=args.title, link_template=args.link_template))
    return 0


def _run_render(args: argparse.Namespace) -> int:
    from varrank.report.stage import render_json_file

    print(render_json_file(args.json, args.out))
    return 0


def _run_multiqc(args: argparse.Namespace) -> int:
    from varrank.report.multiqc import write_multiqc_content

    for path in write_multiqc_content(args.reports, args.out):
        print(path)
    return 0
