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
    tuple val(meta), path("${prefix}.ingest.parquet")                      , emit: table
    tuple val(meta), path("${prefix}.ingest.ledger.json")                  , emit: ledger
    tuple val(meta), path("${prefix}.qc.json")                             , emit: qc
    tuple val(meta), path("${prefix}.norm.vcf.gz"), path("${prefix}.norm.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${prefix}.ingest.dropped.tsv.gz")               , emit: dropped
    tuple val("${task.process}"), val('varrank') , eval('varrank-versions --tool varrank') , topic: versions
    tuple val("${task.process}"), val('python')  , eval('varrank-versions --tool python')  , topic: versions
    tuple val("${task.process}"), val('pysam')   , eval('varrank-versions --tool pysam')   , topic: versions
    tuple val("${task.process}"), val('htslib')  , eval('varrank-versions --tool htslib')  , topic: versions
    tuple val("${task.process}"), val('bcftools'), eval('varrank-versions --tool bcftools'), topic: versions
    tuple val("${task.process}"), val('pyarrow') , eval('varrank-versions --tool pyarrow') , topic: versions
    tuple val("${task.process}"), val('cyvcf2')  , eval('varrank-versions --tool cyvcf2')  , topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
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
    ${VarrankModules.renameOutputs(meta.id, prefix)}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.ingest.parquet ${prefix}.ingest.ledger.json ${prefix}.qc.json
    touch ${prefix}.norm.vcf.gz ${prefix}.norm.vcf.gz.tbi ${prefix}.ingest.dropped.tsv.gz
    """
}
