/*
 * INGEST: VCF/BCF (any caller, gVCF) -> normalised Parquet variant table, bgzipped and
 * indexed normalised VCF, QC JSON and the ledger of every record dropped and why.
 */
process INGEST {
    tag "${meta.id}"
    label 'process_medium'

    input:
    tuple val(meta), path(vcf), path(index), path(ped)
    path fasta
    path fasta_index   // .fai (and .gzi for bgzipped FASTA) staged beside the FASTA; [] if absent

    output:
    tuple val(meta), path("${meta.id}.ingest.parquet")                         , emit: table
    tuple val(meta), path("${meta.id}.ingest.ledger.json")                     , emit: ledger
    tuple val(meta), path("${meta.id}.qc.json")                                , emit: qc
    tuple val(meta), path("${meta.id}.norm.vcf.gz"), path("${meta.id}.norm.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${meta.id}.ingest.dropped.tsv.gz")                  , emit: dropped
    path "versions.yml"                                                        , emit: versions

    script:
    def args = task.ext.args ?: ''
    def index_arg = index ? "--index ${index}" : ''
    def proband_arg = meta.sample ? "--proband ${meta.sample}" : ''
    def ped_arg = ped ? "--ped ${ped}" : ''
    def family_arg = meta.family_id ? "--family-id ${meta.family_id}" : ''
    """
    varrank ingest \\
        --vcf ${vcf} ${index_arg} \\
        --fasta ${fasta} \\
        --patient ${meta.id} ${proband_arg} \\
        --sex ${meta.sex} ${ped_arg} ${family_arg} \\
        --out . ${args}
    varrank-versions '${task.process}' pysam htslib bcftools pyarrow cyvcf2 > versions.yml
    """

    stub:
    """
    touch ${meta.id}.ingest.parquet ${meta.id}.ingest.ledger.json ${meta.id}.qc.json
    touch ${meta.id}.norm.vcf.gz ${meta.id}.norm.vcf.gz.tbi ${meta.id}.ingest.dropped.tsv.gz
    varrank-versions '${task.process}' pysam htslib bcftools pyarrow cyvcf2 > versions.yml
    """
}
