/*
 * REPORT_INDEX: one index.html for the run, linking each patient's report with its headline
 * findings (`varrank report index`), so a cohort run has a single entry page.
 */
process REPORT_INDEX {
    label 'process_single'

    input:
    path reports, stageAs: 'reports/?/*'   // every patient's ID.report.json

    output:
    path "index.html"  , emit: html
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    varrank report index --reports reports --out index.html ${args}
    varrank-versions '${task.process}' jinja2 > versions.yml
    """

    stub:
    """
    touch index.html
    varrank-versions '${task.process}' jinja2 > versions.yml
    """
}
