/*
 * The JSON Schema keywords that assets/schema_input.json uses, checked on one samplesheet
 * cell at a time: type (string), pattern, enum, minLength/maxLength, anyOf, and the row-level
 * additionalProperties/properties (allowed columns) and anyOf-of-required (required columns).
 *
 * Why hand-written: the nf-schema plugin is fetched from the plugin registry at run time and
 * offline sites cannot reach it, and no JSON Schema library is on Nextflow's classpath. The
 * subset stays small, and tests/unit/malformed/test_samplesheet_schema.py checks its verdicts
 * against Python's jsonschema (Draft 2020-12) on the same rows. `format`/`exists` (files
 * resolved against the sheet's folder) are left to the caller, as nf-schema does for paths.
 */

import java.util.regex.Pattern

class VarrankJsonSchema {

    /** The problem with one cell against its property schema, or null when it is valid. */
    static String problem(String value, Map property) {
        String found = firstProblem(value, property)
        if (found == null) return null
        return property.errorMessage ? property.errorMessage.toString() : found
    }

    private static String firstProblem(String value, Map schema) {
        if (schema.type && schema.type != 'string') return "is not of type ${schema.type}"
        if (schema.enum != null && !(value in (List) schema.enum)) {
            return "is not one of ${((List) schema.enum).join(', ')}"
        }
        if (schema.minLength != null && value.length() < (schema.minLength as int)) {
            return "is shorter than ${schema.minLength} characters"
        }
        if (schema.maxLength != null && value.length() > (schema.maxLength as int)) {
            return "is longer than ${schema.maxLength} characters"
        }
        // JSON Schema patterns are unanchored searches (ECMA-262), like Python's re.search.
        if (schema.pattern && !Pattern.compile(schema.pattern.toString()).matcher(value).find()) {
            return "does not match ${schema.pattern}"
        }
        if (schema.anyOf && !((List<Map>) schema.anyOf).any { firstProblem(value, it) == null }) {
            return 'matches none of the allowed forms'
        }
        return null
    }

    /** Column names the row schema allows (its properties; any when additionalProperties). */
    static boolean allowsColumn(Map items, String column) {
        return ((Map) items.properties ?: [:]).containsKey(column) || items.additionalProperties != false
    }

    /** The required-column sets of the row schema: its `required`, or each anyOf branch's. */
    static List<List<String>> requiredSets(Map items) {
        if (items.required) return [(List<String>) items.required]
        List<List<String>> sets = ((List<Map>) items.anyOf ?: []).findAll { it.required }
            .collect { (List<String>) it.required }
        return sets ?: [[]]
    }
}
