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
    tuple val(meta), path("${prefix}.score.parquet")     , emit: table
    tuple val(meta), path("${prefix}.score.ledger.json") , emit: ledger
    tuple val(meta), path("${prefix}.tracks.parquet")    , emit: tracks
    tuple val("${task.process}"), val('varrank')    , eval('varrank-versions --tool varrank')    , topic: versions
    tuple val("${task.process}"), val('python')     , eval('varrank-versions --tool python')     , topic: versions
    tuple val("${task.process}"), val('onnxruntime'), eval('varrank-versions --tool onnxruntime'), topic: versions
    tuple val("${task.process}"), val('numpy')      , eval('varrank-versions --tool numpy')      , topic: versions
    tuple val("${task.process}"), val('pysam')      , eval('varrank-versions --tool pysam')      , topic: versions
    tuple val("${task.process}"), val('pyarrow')    , eval('varrank-versions --tool pyarrow')    , topic: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def annotation_arg = annotation ? "--annotation ${annotation}" : ''
    """
    varrank score \\
        --in ${table} \\
        --fasta ${fasta} \\
        --model-dir ${model_dir} ${annotation_arg} \\
        --threads ${task.cpus} \\
        --out . ${args}
    ${VarrankModules.renameOutputs(meta.id, prefix)}
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.score.parquet ${prefix}.score.ledger.json ${prefix}.tracks.parquet
    """
}
