/*
 * The per-patient chain: INGEST -> [ANNOTATE] -> [SCORE] -> [PRIORITISE] -> REPORT.
 * Each optional stage takes the table of the stage before it; REPORT reads the last table,
 * the QC JSON and every stage's ledger, so the counts reconcile from INGEST to REPORT.
 */

include { INGEST     } from '../modules/local/ingest'
include { ANNOTATE   } from '../modules/local/annotate'
include { SCORE      } from '../modules/local/score'
include { PRIORITISE } from '../modules/local/prioritise'
include { REPORT     } from '../modules/local/report'
include { REPORT_INDEX } from '../modules/local/report_index'

workflow VARRANK {

    take:
    ch_patients // channel: [ val(meta), path(vcf), path(index) or [], path(ped) or [] ]
    resources   // map: fasta, fasta_index (list), annotation_db, annotator_db, annotator,
                //      model_dir, score_annotation, hpo_dir, manifests (list); [] when absent
    stages      // list: optional stages to run, subset of ['annotate', 'score', 'prioritise']

    main:
    ch_versions = Channel.empty()

    INGEST(ch_patients, resources.fasta, resources.fasta_index)
    ch_table   = INGEST.out.table     // channel: [ val(meta), path(parquet) ]
    ch_ledgers = INGEST.out.ledger    // channel: [ val(meta), path(ledger.json) ]
    ch_versions = ch_versions.mix(INGEST.out.versions)

    if ('annotate' in stages) {
        ANNOTATE(ch_table, resources.annotation_db, resources.annotator_db, resources.annotator ?: '',
            resources.fasta, resources.fasta_index)
        ch_table = ANNOTATE.out.table
        ch_ledgers = ch_ledgers.mix(ANNOTATE.out.ledger)
        ch_versions = ch_versions.mix(ANNOTATE.out.versions)
    }
    ch_tracks = INGEST.out.table.map { meta, table -> [meta, []] }  // [ val(meta), path(tracks) or [] ]
    if ('score' in stages) {
        SCORE(ch_table, resources.fasta, resources.fasta_index, resources.model_dir, resources.score_annotation)
        ch_table = SCORE.out.table
        ch_tracks = SCORE.out.tracks
        ch_ledgers = ch_ledgers.mix(SCORE.out.ledger)
        ch_versions = ch_versions.mix(SCORE.out.versions)
    }
    if ('prioritise' in stages) {
        ch_ped = ch_patients.map { meta, vcf, index, ped -> [meta, ped] }
        PRIORITISE(ch_table.join(ch_ped), resources.hpo_dir)
        ch_table = PRIORITISE.out.table
        ch_ledgers = ch_ledgers.mix(PRIORITISE.out.ledger)
        ch_versions = ch_versions.mix(PRIORITISE.out.versions)
    }

    // One ledger per stage that ran; size lets each patient go on as soon as its set is complete.
    ch_ledger_sets = ch_ledgers.groupTuple(size: 1 + stages.size(), sort: { a, b -> a.name <=> b.name })
    REPORT(ch_table.join(INGEST.out.qc).join(ch_ledger_sets).join(ch_tracks),
        resources.manifests, resources.hpo_dir)
    ch_versions = ch_versions.mix(REPORT.out.versions)

    // One entry page for the run, once every patient's report exists.
    REPORT_INDEX(REPORT.out.json.map { meta, json -> json }.toSortedList { a, b -> a.name <=> b.name })
    ch_versions = ch_versions.mix(REPORT_INDEX.out.versions)

    // One copy of each distinct versions.yml (they repeat per patient), plus the engine.
    ch_versions
        .map { it.text.trim() }
        .unique()
        .mix(Channel.of("Workflow:\n    Nextflow: \"${workflow.nextflow.version}\"\n    varrank-pipeline: \"${workflow.manifest.version}\"".toString()))
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info",
            sort: true, newLine: true)

    emit:
    report   = REPORT.out.html       // channel: [ val(meta), path(report.html) ]
    index    = REPORT_INDEX.out.html // channel: path(index.html)
    json     = REPORT.out.json       // channel: [ val(meta), path(report.json) ]
    versions = ch_versions           // channel: path(versions.yml)
}
