/*
 * ANNOTATE: database lookups (ClinVar, gnomAD, in-house) from the annotation bundle, plus
 * gene/transcript consequence and HGVS from snpEff or VEP when their database is given.
 */
process ANNOTATE {
    tag "${meta.id}"
    label 'process_medium'

    input:
    tuple val(meta), path(table)
    path bundle
    path annotator_db  // snpEff database or VEP cache folder; [] when neither is given
    val annotator      // 'snpeff', 'vep' or ''
    path fasta
    path fasta_index

    output:
    tuple val(meta), path("${prefix}.annotate.parquet")     , emit: table
    tuple val(meta), path("${prefix}.annotate.ledger.json") , emit: ledger
    tuple val(meta), path("${prefix}.transcripts.parquet")  , emit: transcripts
    tuple val("${task.process}"), val('varrank'), eval('varrank-versions --tool varrank'), topic: versions
    tuple val("${task.process}"), val('python') , eval('varrank-versions --tool python') , topic: versions
    tuple val("${task.process}"), val('pyarrow'), eval('varrank-versions --tool pyarrow'), topic: versions
    tuple val("${task.process}"), val('duckdb') , eval('varrank-versions --tool duckdb') , topic: versions
    tuple val("${task.process}"), val('pysam')  , eval('varrank-versions --tool pysam')  , topic: versions
    tuple val("${task.process}"), val('snpeff') , eval('varrank-versions --tool snpeff') , topic: versions
    tuple val("${task.process}"), val('vep')    , eval('varrank-versions --tool vep')    , topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def db_arg = annotator == 'snpeff' ? "--snpeff-db ${annotator_db}" : (annotator == 'vep' ? "--vep-cache ${annotator_db}" : '')
    """
    varrank annotate \\
        --in ${table} \\
        --bundle ${bundle} ${db_arg} \\
        --fasta ${fasta} \\
        --out . ${args}
    ${VarrankModules.renameOutputs(meta.id, prefix)}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.annotate.parquet ${prefix}.annotate.ledger.json ${prefix}.transcripts.parquet
    """
}
