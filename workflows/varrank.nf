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

/*
 * The phenotype (HPO terms) is read only by PRIORITISE and REPORT. INGEST, ANNOTATE and SCORE
 * get the patient's meta without it, so that changing a patient's HPO terms and re-running
 * with -resume re-runs only PRIORITISE and REPORT: Nextflow hashes a task's val inputs, and
 * the full meta would make every stage look new. Their outputs get the full meta back (by id)
 * for the joins downstream.
 */
def genotypeMeta(Map meta) {
    meta.findAll { key, value -> !(key in ['hpo', 'hpo_excluded']) }
}

workflow VARRANK {

    take:
    ch_patients // channel: [ val(meta), path(vcf), path(index) or [], path(ped) or [] ]
    resources   // map: fasta, fasta_index (list), annotation_db, annotator_db, annotator,
                //      model_dir, score_annotation, hpo_dir, manifests (list); [] when absent
    stages      // list: optional stages to run, subset of ['annotate', 'score', 'prioritise']

    main:
    ch_versions = Channel.empty()

    ch_meta = ch_patients.map { meta, vcf, index, ped -> [meta.id, meta] }  // [ id, full meta ]
    // [ val(meta without phenotype), path ] -> [ val(full meta), path ]
    def withFullMeta = { ch -> ch.map { meta, file -> [meta.id, file] }.join(ch_meta)
                                 .map { id, file, meta -> [meta, file] } }
    def withoutPhenotype = { ch -> ch.map { meta, file -> [genotypeMeta(meta), file] } }

    INGEST(ch_patients.map { meta, vcf, index, ped -> [genotypeMeta(meta), vcf, index, ped] },
        resources.fasta, resources.fasta_index)
    ch_table   = withFullMeta(INGEST.out.table)   // channel: [ val(meta), path(parquet) ]
    ch_ledgers = withFullMeta(INGEST.out.ledger)  // channel: [ val(meta), path(ledger.json) ]
    ch_qc      = withFullMeta(INGEST.out.qc)
    ch_versions = ch_versions.mix(INGEST.out.versions)

    if ('annotate' in stages) {
        ANNOTATE(withoutPhenotype(ch_table), resources.annotation_db, resources.annotator_db, resources.annotator ?: '',
            resources.fasta, resources.fasta_index)
        ch_table = withFullMeta(ANNOTATE.out.table)
        ch_ledgers = ch_ledgers.mix(withFullMeta(ANNOTATE.out.ledger))
        ch_versions = ch_versions.mix(ANNOTATE.out.versions)
    }
    ch_tracks = ch_table.map { meta, table -> [meta, []] }  // [ val(meta), path(tracks) or [] ]
    if ('score' in stages) {
        SCORE(withoutPhenotype(ch_table), resources.fasta, resources.fasta_index, resources.model_dir, resources.score_annotation)
        ch_table = withFullMeta(SCORE.out.table)
        ch_tracks = withFullMeta(SCORE.out.tracks)
        ch_ledgers = ch_ledgers.mix(withFullMeta(SCORE.out.ledger))
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
    REPORT(ch_table.join(ch_qc).join(ch_ledger_sets).join(ch_tracks),
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
