/*
 * Which optional stages run. One list parameter (--skip annotate,score,prioritise) as in
 * nf-core pipelines, plus automatic skips when a stage's resource is not given, so that a
 * laptop run with only a FASTA still goes INGEST -> REPORT.
 */

class VarrankStages {

    static final List<String> OPTIONAL = ['annotate', 'score', 'prioritise']

    /** Resource parameter a stage cannot run without (prioritise has package defaults). */
    static final Map<String, String> NEEDS = [annotate: 'annotation_db', score: 'model_dir']

    /** [stages to run, [stage: reason skipped]] in chain order. */
    static List plan(Map params) {
        Set<String> requested = (params.skip ?: '').toString().split(',')*.trim().findAll { it } as Set
        List<String> run = []
        Map<String, String> skipped = [:]
        OPTIONAL.each { String stage ->
            if (stage in requested) skipped[stage] = '--skip'
            else if (NEEDS[stage] && !params[NEEDS[stage]]) skipped[stage] = "no --${NEEDS[stage]}"
            else run << stage
        }
        return [run, skipped]
    }
}
