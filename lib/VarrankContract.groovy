/*
 * The stage contract, read from assets/stage_contract.json, which `varrank contract --write`
 * generates from the Python stage registry (src/varrank/core/contract.py). Stage order,
 * skip rules, manifests, the safe-ID rule and genome-build names reach Groovy only this
 * way, so the pipeline and `varrank run` cannot disagree on them (tests/unit/test_contract.py
 * checks the file is current and the modules match it).
 */

import groovy.json.JsonSlurper
import java.nio.file.Path

class VarrankContract {

    private static Map doc

    /** Load once, before any rule is asked for (main.nf does this first). */
    static void load(Path path) {
        doc = (Map) new JsonSlurper().parse(path.toFile())
    }

    private static Map contract() {
        if (doc == null) throw new IllegalStateException('VarrankContract.load() was not called')
        return doc
    }

    static List<Map> stages() { (List<Map>) contract().stages }

    /** Stages that --skip may name, in chain order. */
    static List<String> optionalStages() { stages().findAll { it.optional }*.name }

    /** Stage -> the resource parameter it cannot run without. */
    static Map<String, String> requires() {
        stages().findAll { it.requires }.collectEntries { [(it.name): it.requires] }
    }

    /** Resource parameters whose manifest.json the report prints, for the stages that run. */
    static List<String> manifestResources(List<String> running) {
        stages().findAll { it.name in running }.collectMany { it.manifests as List<String> }
    }

    static boolean safeId(String value) {
        Map rule = (Map) contract().safe_id
        return value ==~ (String) rule.pattern && !value.contains((String) rule.forbidden)
    }

    /** Lower-cased build name (hg38, GRCh37.p13, b37, ...) -> GRCh37 or GRCh38, else null. */
    static String canonicalBuild(String name) {
        return ((Map<String, String>) contract().genome_builds)[name?.toLowerCase()]
    }
}
