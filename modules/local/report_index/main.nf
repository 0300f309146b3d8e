/*
 * REPORT_INDEX: one index.html for the run, linking each patient's report with its headline
 * findings (`varrank report index`), so a cohort run has a single entry page.
 */
process REPORT_INDEX {
    label 'process_single'

    input:
    path reports, stageAs: 'reports/?/*'   // every patient's ID.report.json

    output:
    path("${prefix}.html"), emit: html
    tuple val("${task.process}"), val('varrank'), eval('varrank-versions --tool varrank'), topic: versions
    tuple val("${task.process}"), val('python') , eval('varrank-versions --tool python') , topic: versions
    tuple val("${task.process}"), val('jinja2') , eval('varrank-versions --tool jinja2') , topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: 'index'
    """
    varrank report index --reports reports --out ${prefix}.html ${args}
    """

    stub:
    prefix = task.ext.prefix ?: 'index'
    """
    touch ${prefix}.html
    """
}
