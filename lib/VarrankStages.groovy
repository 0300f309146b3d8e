/*
 * Which optional stages run. One list parameter (--skip annotate,score,prioritise) as in
 * nf-core pipelines, plus automatic skips when a stage's resource is not given, so that a
 * laptop run with only a FASTA still goes INGEST -> REPORT. The rule and the stage list come
 * from the stage contract (VarrankContract); `varrank run` applies the same rule in Python.
 */

class VarrankStages {

    /** [stages to run, [stage: reason skipped]] in chain order. */
    static List plan(Map params) {
        Set<String> requested = (params.skip ?: '').toString().split(',')*.trim().findAll { it } as Set
        Map<String, String> needs = VarrankContract.requires()
        List<String> run = []
        Map<String, String> skipped = [:]
        VarrankContract.optionalStages().each { String stage ->
            if (stage in requested) skipped[stage] = '--skip'
            else if (needs[stage] && !params[needs[stage]]) skipped[stage] = "no --${needs[stage]}"
            else run << stage
        }
        return [run, skipped]
    }
}
