/*
 * Parameter validation and --help from nextflow_schema.json, inside the pipeline.
 *
 * Why not nf-schema: the plugin is fetched from the Nextflow plugin registry at run time,
 * which offline sites cannot reach. This covers what the pipeline's schema uses: type,
 * enum, pattern, minimum, required, and ("exists": true) file/folder existence for local
 * paths; remote URIs (s3://, gs://) are left to the executor.
 */

import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

class VarrankSchema {

    /** Parameters Nextflow or its profiles define that are not pipeline options. */
    static final Set<String> IGNORED = ['test_params_json'] as Set

    final Map schema
    /** name -> [group title, property definition], in schema order. */
    final LinkedHashMap<String, List> properties = [:]
    final Set<String> required = [] as Set

    VarrankSchema(Path schemaPath) {
        schema = (Map) new JsonSlurper().parse(schemaPath.toFile())
        Map defs = (Map) (schema['$defs'] ?: schema['definitions'] ?: [:])
        defs.each { String key, Map group ->
            group.properties.each { String name, Map prop -> properties[name] = [group.title, prop] }
            (group.required ?: []).each { required << it }
        }
        (schema.properties ?: [:]).each { String name, Map prop -> properties[name] = ['Other', prop] }
        (schema.required ?: []).each { required << it }
    }

    /** Every problem with `params`, one line each; warnings (unknown names) go to `warnings`. */
    List<String> validate(Map params, List<String> warnings) {
        List<String> errors = []
        Set<String> known = properties.keySet()
        params.each { key, value ->
            String name = key.toString()
            if (name in known || name in IGNORED) return
            // --max-cpus arrives as both 'max-cpus' and 'maxCpus': accept either spelling.
            if (canonical(name) in known.collect { canonical(it) }) return
            warnings << "unknown parameter --${name} (not in nextflow_schema.json; ignored)".toString()
        }
        required.each { String name ->
            def v = params[name]
            if (v == null || v == '' || v == false && properties[name]?.get(1)?.type != 'boolean') {
                errors << "--${name} is required: ${properties[name]?.get(1)?.description ?: ''}".toString().trim()
            }
        }
        properties.each { String name, List entry ->
            Map prop = (Map) entry[1]
            if (!params.containsKey(name)) return
            def value = params[name]
            if (value == null || value == '' && prop.type == 'string') return
            String problem = checkValue(name, value, prop)
            if (problem) errors << problem
        }
        return errors
    }

    private static String canonical(String name) {
        return name.replaceAll(/[-_]/, '').toLowerCase()
    }

    private static String checkValue(String name, Object value, Map prop) {
        String type = prop.type
        switch (type) {
            case 'boolean':
                if (!(value instanceof Boolean)) {
                    return "--${name}: expected true or false, got '${value}'"
                }
                break
            case 'integer':
                if (!(value instanceof Integer || value instanceof Long)) {
                    return "--${name}: expected an integer, got '${value}'"
                }
                if (prop.minimum != null && value < prop.minimum) {
                    return "--${name}: must be at least ${prop.minimum}, got ${value}"
                }
                break
            case 'number':
                if (!(value instanceof Number)) return "--${name}: expected a number, got '${value}'"
                break
            case 'string':
                if (value instanceof Boolean) {
                    return "--${name}: expected a value, got none (write --${name} VALUE)"
                }
                String s = value.toString()
                if (prop.enum && !(s in prop.enum)) {
                    return "--${name}: '${s}' is not one of ${prop.enum.join(', ')}"
                }
                if (prop.pattern && !(s ==~ prop.pattern)) {
                    return "--${name}: '${s}' does not match ${prop.pattern}" +
                        (prop.description ? " (${prop.description})" : '')
                }
                // "exists": true as in nf-schema: only inputs must already be there.
                if (prop.format in ['file-path', 'directory-path'] && prop.exists == true && isLocal(s)) {
                    String kind = prop.format == 'file-path' ? 'file' : 'folder'
                    Path p = Paths.get(s.replaceFirst(/^file:\/\//, ''))
                    if (!Files.exists(p)) return "--${name}: ${kind} not found: ${s}"
                    if (kind == 'file' && Files.isDirectory(p)) {
                        return "--${name}: expected a file, got a folder: ${s}"
                    }
                    if (kind == 'folder' && !Files.isDirectory(p)) {
                        return "--${name}: expected a folder, got a file: ${s}"
                    }
                }
                break
        }
        return null
    }

    static boolean isLocal(String path) {
        return !(path ==~ /^[A-Za-z][A-Za-z0-9+.-]*:\/\/.*/) || path.startsWith('file://')
    }

    /** The --help text: every parameter by group, with type, default and description. */
    String help(String commandLine) {
        StringBuilder out = new StringBuilder()
        out << "\n${schema.title}\n${schema.description}\n\n"
        out << "Usage:\n  ${commandLine}\n"
        String lastGroup = null
        properties.each { String name, List entry ->
            String group = entry[0]
            Map prop = (Map) entry[1]
            if (group != lastGroup) {
                out << "\n${group}:\n"
                lastGroup = group
            }
            String type = prop.enum ? prop.enum.join('|') : prop.type
            String dflt = prop.containsKey('default') && prop.default != '' ? " [default: ${prop.default}]" : ''
            String req = name in required ? ' (required)' : ''
            out << String.format('  --%-20s %-10s %s%s%s%n', name, type, prop.description ?: '', req, dflt)
        }
        out << "\nProfiles: test, test_full, docker, singularity, gpu, awsbatch, google, k8s, slurm (docs/usage.md)\n"
        return out.toString()
    }
}
