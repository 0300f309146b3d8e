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
include { MULTIQC    } from '../modules/local/multiqc'

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

/**
 * software_versions.yml from the topic's (process, tool, version) tuples: one block per
 * process (the name without its workflow path), tools not installed (empty version) left out.
 */
def softwareVersionsYaml(List entries, String nextflowVersion, String pipelineVersion) {
    def quote = { String v -> '"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"' }
    def byProcess = new TreeMap<String, Map<String, String>>()
    entries.each { process, tool, version ->
        if (!version?.toString()?.trim()) return
        byProcess.computeIfAbsent(process.toString().tokenize(':')[-1]) { new TreeMap() }[tool.toString()] = version.toString().trim()
    }
    def lines = byProcess.collectMany { process, tools ->
        ["${quote(process)}:"] + tools.collect { tool, version -> "    ${tool}: ${quote(version)}" }
    }
    lines += ['Workflow:', "    Nextflow: ${quote(nextflowVersion)}", "    varrank-pipeline: ${quote(pipelineVersion)}"]
    return lines.join('\n') + '\n'
}

workflow VARRANK {

    take:
    ch_patients // channel: [ val(meta), path(vcf), path(index) or [], path(ped) or [] ]
    resources   // map: fasta, fasta_index (list), annotation_db, annotator_db, annotator,
                //      model_dir, score_annotation, hpo_dir, manifests (list); [] when absent
    stages      // list: optional stages to run, subset of ['annotate', 'score', 'prioritise']

    main:
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

    if ('annotate' in stages) {
        ANNOTATE(withoutPhenotype(ch_table), resources.annotation_db, resources.annotator_db, resources.annotator ?: '',
            resources.fasta, resources.fasta_index)
        ch_table = withFullMeta(ANNOTATE.out.table)
        ch_ledgers = ch_ledgers.mix(withFullMeta(ANNOTATE.out.ledger))
    }
    ch_tracks = ch_table.map { meta, table -> [meta, []] }  // [ val(meta), path(tracks) or [] ]
    if ('score' in stages) {
        SCORE(withoutPhenotype(ch_table), resources.fasta, resources.fasta_index, resources.model_dir, resources.score_annotation)
        ch_table = withFullMeta(SCORE.out.table)
        ch_tracks = withFullMeta(SCORE.out.tracks)
        ch_ledgers = ch_ledgers.mix(withFullMeta(SCORE.out.ledger))
    }
    if ('prioritise' in stages) {
        ch_ped = ch_patients.map { meta, vcf, index, ped -> [meta, ped] }
        PRIORITISE(ch_table.join(ch_ped), resources.hpo_dir)
        ch_table = PRIORITISE.out.table
        ch_ledgers = ch_ledgers.mix(PRIORITISE.out.ledger)
    }

    // One ledger per stage that ran; size lets each patient go on as soon as its set is complete.
    ch_ledger_sets = ch_ledgers.groupTuple(size: 1 + stages.size(), sort: { a, b -> a.name <=> b.name })
    REPORT(ch_table.join(ch_qc).join(ch_ledger_sets).join(ch_tracks),
        resources.manifests, resources.hpo_dir)

    // One entry page for the run (and one MultiQC report), once every patient's report exists.
    ch_report_jsons = REPORT.out.json.map { meta, json -> json }.toSortedList { a, b -> a.name <=> b.name }
    REPORT_INDEX(ch_report_jsons)

    // Every module puts (process, tool, version) on the `versions` topic; one YAML for the run.
    ch_topic_versions = Channel.topic('versions').unique()
        .toSortedList { a, b -> a.toString() <=> b.toString() }
    def versionsYaml = { entries -> softwareVersionsYaml(entries, workflow.nextflow.version.toString(), workflow.manifest.version) }
    ch_version_entries = ch_topic_versions
    if (!params.skip_multiqc) {
        ch_mqc_versions = ch_topic_versions.map(versionsYaml)
            .collectFile(name: 'software_versions_mqc_versions.yml').first()
        MULTIQC(ch_report_jsons, file(params.multiqc_config), ch_mqc_versions)
        // MULTIQC reads the topic, so its own versions join the YAML after it.
        ch_version_entries = ch_topic_versions
            .mix(MULTIQC.out.versions_multiqc.mix(MULTIQC.out.versions_varrank).toList())
            .collect(flat: false)
            .map { lists -> lists.sum().sort { a, b -> a.toString() <=> b.toString() } }
    }
    ch_version_entries.map(versionsYaml)
        .collectFile(name: 'software_versions.yml', storeDir: "${params.outdir}/pipeline_info")

    emit:
    report   = REPORT.out.html       // channel: [ val(meta), path(report.html) ]
    index    = REPORT_INDEX.out.html // channel: path(index.html)
    json     = REPORT.out.json       // channel: [ val(meta), path(report.json) ]
}
