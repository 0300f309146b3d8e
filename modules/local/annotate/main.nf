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
    tuple val(meta), path("${meta.id}.annotate.parquet")     , emit: table
    tuple val(meta), path("${meta.id}.annotate.ledger.json") , emit: ledger
    tuple val(meta), path("${meta.id}.transcripts.parquet")  , emit: transcripts
    path "versions.yml"                                      , emit: versions

    script:
    def args = task.ext.args ?: ''
    def db_arg = annotator == 'snpeff' ? "--snpeff-db ${annotator_db}" : (annotator == 'vep' ? "--vep-cache ${annotator_db}" : '')
    """
    varrank annotate \\
        --in ${table} \\
        --bundle ${bundle} ${db_arg} \\
        --fasta ${fasta} \\
        --out . ${args}
    varrank-versions '${task.process}' pyarrow duckdb pysam snpeff vep > versions.yml
    """

    stub:
    """
    touch ${meta.id}.annotate.parquet ${meta.id}.annotate.ledger.json ${meta.id}.transcripts.parquet
    varrank-versions '${task.process}' pyarrow duckdb pysam snpeff vep > versions.yml
    """
}
