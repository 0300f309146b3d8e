/*
 * MULTIQC: the run's QC in one MultiQC report: varrank's per-patient QC, dropped records by
 * stage and reason and the methods description (`varrank report multiqc` writes them as
 * MultiQC custom content from the report.json files), plus the collated software versions.
 *
 * Its own versions are plain emits, not the `versions` topic: the topic is complete only when
 * every process has ended, and this one reads it (the workflow adds them afterwards).
 */
process MULTIQC {
    label 'process_single'

    input:
    path reports, stageAs: 'reports/?/*'   // every patient's ID.report.json
    path multiqc_config
    path versions, stageAs: 'software_versions_mqc_versions.yml'

    output:
    path("${prefix}.html"), emit: report
    path("${prefix}_data"), emit: data
    tuple val("${task.process}"), val('multiqc'), eval('multiqc --version | sed "s/.*version //"'), emit: versions_multiqc
    tuple val("${task.process}"), val('varrank'), eval('varrank-versions --tool varrank')           , emit: versions_varrank

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: 'multiqc_report'
    """
    varrank report multiqc --reports reports --out custom_content
    multiqc --force --config ${multiqc_config} --filename ${prefix}.html ${args} .
    """

    stub:
    prefix = task.ext.prefix ?: 'multiqc_report'
    """
    mkdir ${prefix}_data
    touch ${prefix}.html ${prefix}_data/multiqc_data.json
    """
}
