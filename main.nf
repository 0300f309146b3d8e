#!/usr/bin/env nextflow
/*
 * varrank: clinical variant annotation and prioritisation, one patient per workflow instance.
 *
 * This file only validates and wires: parameters against nextflow_schema.json, the
 * samplesheet or Phenopacket into a channel, then the per-patient chain in workflows/varrank.nf.
 * Stage logic lives in the Python package (`varrank <stage>`), never here.
 */
nextflow.enable.dsl = 2
// Modules publish their tool versions on the `versions` topic (preview in 24.10, stable later).
nextflow.preview.topic = true

include { VARRANK } from './workflows/varrank'

def schema = new VarrankSchema(file("${projectDir}/nextflow_schema.json"))
VarrankContract.load(file("${projectDir}/assets/stage_contract.json"))
// The samplesheet's one definition, named by --input's "schema" as nf-schema expects.
VarrankInputs.loadSchema(file("${projectDir}/${schema.properties.input[1].schema}"))

if (params.help) {
    log.info schema.help('nextflow run . -profile <docker|singularity|slurm|...> --input samplesheet.csv --fasta ref.fa --outdir results')
    System.exit(0)
}

/** Stop before any task with every problem listed, one per line. */
def failValidation(String what, List<String> problems) {
    def text = "${what} (${problems.size()} problem${problems.size() == 1 ? '' : 's'}):\n" +
        problems.collect { "  - ${it}" }.join('\n')
    error(text)
}

/** The test profile's data is prepared by `varrank testdata prepare`; say how when missing. */
def checkTestData() {
    if (workflow.profile.tokenize(',').contains('test_full') && !params.test_full_dir) {
        error('-profile test_full needs --test_full_dir DIR (samplesheet.csv, params.json, resources.json of full-size data; docs/usage.md#test_full)')
    }
    if (!workflow.profile.tokenize(',').contains('test')) return
    def dir = file(params.test_prepared_dir)
    if (!['samplesheet.csv', 'params.json', 'resources.json'].every { dir.resolve(it).exists() }) {
        error("test data not prepared in ${dir}: run `make demo` (or `varrank testdata prepare --data-dir ../shared/data --out ${dir}`)")
    }
}

/**
 * manifest.json of each resource the running stages use: the folder's own, else those of its
 * sub-folders (a model folder of several bundles); contract.resource_manifests is the twin.
 */
def resourceManifests(List<String> stages) {
    VarrankContract.manifestResources(stages).findAll { params[it] }.collectMany { name ->
        def own = file("${params[name]}/manifest.json")
        if (own.exists()) return [own]
        def folder = file(params[name])
        return folder.isDirectory() ? folder.listFiles().findAll { it.resolve('manifest.json').exists() }
            .sort { it.name }.collect { it.resolve('manifest.json') } : []
    }
}

/** Write a family's PED into the work dir once; unchanged content keeps -resume caching. */
def pedFile(String familyId, String text) {
    def dir = file("${workflow.workDir}/varrank-pedigrees")
    dir.mkdirs()
    def ped = dir.resolve("${familyId}.ped")
    if (!ped.exists() || ped.text != text) ped.text = text
    return ped
}

/**
 * Parameters and the samplesheet/Phenopacket, checked together so that one run lists every
 * problem a user has to fix; returns the patients (VarrankInputs.Patient) or stops.
 */
def validatedPatients(VarrankSchema schema) {
    def problems = []
    if (params.validate_params) {
        def warnings = []
        problems.addAll(schema.validate(params, warnings))
        warnings.each { log.warn it }
    }
    def patients = []
    if (params.input && params.phenopacket) {
        problems << 'give either --input or --phenopacket, not both'
    } else if (!params.input && !params.phenopacket) {
        problems << '--input (samplesheet.csv) or --phenopacket (file.json) is required'
    } else if (params.input && (file(params.input).exists() || !params.validate_params)) {
        def notes = []
        patients = VarrankInputs.readSamplesheet(file(params.input), params.case_vcf, problems, notes)
        notes.each { log.warn it }
    } else if (params.phenopacket && (file(params.phenopacket).exists() || !params.validate_params)) {
        patients = VarrankInputs.readPhenopacket(file(params.phenopacket), params.genome, problems)
    }
    if (problems) failValidation('cannot start: invalid parameters or inputs', problems)
    return patients
}

workflow {
    checkTestData()

    def patients = validatedPatients(schema)

    def plan = VarrankStages.plan(params)
    def stages = plan[0]
    def skipped = plan[1]
    skipped.each { stage, why -> log.info "varrank: skipping ${stage.toUpperCase()} (${why})" }
    log.info "varrank: ${patients.size()} patient(s); chain INGEST -> ${(stages*.toUpperCase() + ['REPORT']).join(' -> ')}"

    // channel: [ val(meta), path(vcf), path(index) or [], path(ped) or [] ]
    ch_patients = Channel.fromList(patients.collect { p ->
        [p.meta, file(p.vcf), p.index ? file(p.index) : [], p.ped ? pedFile(p.meta.family_id, p.ped) : []]
    })

    def fasta = file(params.fasta)
    def fasta_index = ['.fai', '.gzi'].collect { file("${params.fasta}${it}") }.findAll { it.exists() }
    def optional = { name -> params[name] ? file(params[name]) : [] }
    def resources = [
        fasta           : fasta,
        fasta_index     : fasta_index,
        annotation_db   : optional('annotation_db'),
        annotator_db    : params.snpeff_db ? file(params.snpeff_db) : optional('vep_cache'),
        annotator       : params.snpeff_db ? 'snpeff' : (params.vep_cache ? 'vep' : null),
        model_dir       : optional('model_dir'),
        score_annotation: optional('score_annotation'),
        hpo_dir         : optional('hpo_dir'),
        manifests       : resourceManifests(stages),
    ]

    VARRANK(ch_patients, resources, stages)
    // ext.when = false skips a task (nf-core's rule); say what that cost instead of ending silently.
    VARRANK.out.report.count().subscribe { n ->
        if (n < patients.size()) {
            log.warn "varrank: ${n} of ${patients.size()} report(s) written: a process skipped by ext.when " +
                "(conf/modules.config or -c) ends the chain of its patients"
        }
    }
}

workflow.onComplete {
    if (workflow.success) {
        log.info "varrank: reports in ${params.outdir}/<patient>/report/<patient>.report.html; " +
            "run details in ${params.outdir}/pipeline_info/"
    }
}
