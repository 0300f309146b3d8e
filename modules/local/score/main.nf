/*
 * SCORE: deep-learning variant-effect scores (SpliceAI first) from an ONNX model bundle.
 * onnxruntime picks TensorRT > CUDA > CPU, so the same task runs on GPU nodes (-profile gpu
 * puts an accelerator on process_gpu) and on CPU-only machines.
 */
process SCORE {
    tag "${meta.id}"
    label 'process_gpu'

    input:
    tuple val(meta), path(table)
    path fasta
    path fasta_index
    path model_dir
    path annotation    // gene annotation for `--annotation`; [] when not given

    output:
    tuple val(meta), path("${meta.id}.score.parquet")     , emit: table
    tuple val(meta), path("${meta.id}.score.ledger.json") , emit: ledger
    tuple val(meta), path("${meta.id}.tracks.parquet")    , emit: tracks
    path "versions.yml"                                   , emit: versions

    script:
    def args = task.ext.args ?: ''
    def annotation_arg = annotation ? "--annotation ${annotation}" : ''
    """
    varrank score \\
        --in ${table} \\
        --fasta ${fasta} \\
        --model-dir ${model_dir} ${annotation_arg} \\
        --threads ${task.cpus} \\
        --out . ${args}
    varrank-versions '${task.process}' onnxruntime numpy pysam pyarrow > versions.yml
    """

    stub:
    """
    touch ${meta.id}.score.parquet ${meta.id}.score.ledger.json ${meta.id}.tracks.parquet
    varrank-versions '${task.process}' onnxruntime numpy pysam pyarrow > versions.yml
    """
}
