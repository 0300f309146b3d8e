/*
 * Samplesheet and GA4GH Phenopacket v2 input, validated before any task runs.
 *
 * Every problem becomes one line naming the file, line (or JSON path) and column, and all
 * problems are collected before the pipeline stops, so a user fixes a sheet in one pass
 * instead of one error per run. The safe-ID and genome-build rules come from the stage
 * contract (VarrankContract, generated from the Python side); family columns follow the PED
 * format (https://zzz.bwh.harvard.edu/plink/data.shtml#ped: sex 1/2/0, phenotype 1/2/0/-9).
 */

import groovy.json.JsonException
import groovy.json.JsonSlurper
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths

class VarrankInputs {

    static final List<String> REQUIRED_COLUMNS = ['patient', 'vcf']
    static final List<String> OPTIONAL_COLUMNS = ['index', 'sample', 'sex', 'hpo_terms', 'family_id',
                                                  'paternal_id', 'maternal_id', 'phenotype']
    static final String HPO_ID = /^HP:\d{7}$/
    static final Map<String, String> SEX = [
        'male': 'male', 'm': 'male', '1': 'male',
        'female': 'female', 'f': 'female', '2': 'female',
        'unknown': 'unknown', 'other': 'unknown', '0': 'unknown', '': 'unknown',
    ]
    /** PED affection status: 2 affected, 1 unaffected, 0 unknown (-9 is plink's missing). */
    static final Map<String, String> PHENOTYPE = [
        '2': '2', 'affected': '2', '1': '1', 'unaffected': '1',
        '0': '0', '-9': '0', 'unknown': '0', 'missing': '0', '': '0',
    ]

    /**
     * One patient to analyse: meta map, VCF, optional index, and the PED text of its family
     * (null when the patient has no relatives in the sheet).
     */
    static class Patient {
        Map meta
        /** Absolute local path or remote URI (s3://, gs://), opened with Nextflow's file(). */
        String vcf
        String index
        String ped
    }

    /** IDs end up in file names on shared filesystems: varrank.core.ids.SAFE_ID's rule. */
    static boolean safeId(String value) {
        return VarrankContract.safeId(value)
    }

    static String unsafeIdMessage(String value) {
        return "unsafe ID '${value}': only letters, digits, '.', '_' and '-' are allowed " +
            "(starting with a letter or digit, at most 128 characters, no '..')"
    }

    // ------------------------------------------------------------------ samplesheet

    /** Split one CSV line (RFC 4180 quoting, "" inside quotes) into fields. */
    static List<String> splitCsv(String line) {
        List<String> fields = []
        StringBuilder cur = new StringBuilder()
        boolean quoted = false
        int i = 0
        while (i < line.length()) {
            char c = line.charAt(i)
            if (quoted) {
                if (c == '"' as char) {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"' as char) { cur.append('"'); i++ }
                    else quoted = false
                } else cur.append(c)
            } else if (c == '"' as char) quoted = true
            else if (c == ',' as char) { fields << cur.toString().trim(); cur.setLength(0) }
            else cur.append(c)
            i++
        }
        fields << cur.toString().trim()
        return fields
    }

    static String location(String value, Path base) {
        return isRemote(value) ? value : resolve(value, base).toString()
    }

    static Path resolve(String value, Path base) {
        if (value.startsWith('file://')) value = value.substring('file://'.length())
        Path p = Paths.get(value)
        return p.isAbsolute() ? p : base.resolve(p).normalize()
    }

    static boolean isRemote(String value) {
        return value ==~ /^[A-Za-z][A-Za-z0-9+.-]*:\/\/.*/ && !value.startsWith('file://')
    }

    /** Parse and validate a samplesheet; returns patients, or appends to errors. */
    static List<Patient> readSamplesheet(Path sheet, List<String> errors) {
        String name = sheet.toString()
        if (!Files.isRegularFile(sheet)) {
            errors << "${name}: samplesheet not found".toString()
            return []
        }
        List<String> lines = sheet.readLines('UTF-8')
        int headerLine = lines.findIndexOf { it.trim() && !it.trim().startsWith('#') }
        if (headerLine < 0) {
            errors << "${name}: the samplesheet is empty (expected a header line: ${REQUIRED_COLUMNS.join(',')},...)".toString()
            return []
        }
        List<String> header = splitCsv(lines[headerLine].replaceFirst(/^\uFEFF/, '')).collect { it.toLowerCase() }
        int errorsBefore = errors.size()
        header.eachWithIndex { String col, int i ->
            if (!(col in REQUIRED_COLUMNS || col in OPTIONAL_COLUMNS)) {
                errors << ("${name} line ${headerLine + 1}, column ${i + 1}: unknown column '${col}' " +
                    "(allowed: ${(REQUIRED_COLUMNS + OPTIONAL_COLUMNS).join(', ')})").toString()
            } else if (header.indexOf(col) != i) {
                errors << "${name} line ${headerLine + 1}, column ${i + 1}: column '${col}' appears twice".toString()
            }
        }
        REQUIRED_COLUMNS.each { String col ->
            if (!(col in header)) {
                errors << "${name} line ${headerLine + 1}: missing required column '${col}'".toString()
            }
        }
        if (errors.size() > errorsBefore) return []

        Path base = sheet.toAbsolutePath().parent
        List<Map> rows = []
        List<Map> parsed = []   // rows with the right number of fields, for pedigree checks
        Map<String, Integer> firstLine = [:]
        for (int n = headerLine + 1; n < lines.size(); n++) {
            String raw = lines[n]
            if (!raw.trim() || raw.trim().startsWith('#')) continue
            int lineNo = n + 1
            String where = "${name} line ${lineNo}"
            List<String> fields = splitCsv(raw)
            if (fields.size() != header.size()) {
                errors << "${where}: ${fields.size()} fields but the header has ${header.size()} columns".toString()
                continue
            }
            Map<String, String> row = [header, fields].transpose().collectEntries { it }
            row.__line = lineNo.toString()
            parsed << row
            List<String> rowErrors = checkRow(row, where, base)
            String patient = row.patient
            if (patient && firstLine.containsKey(patient)) {
                rowErrors << "${where}, column 'patient': duplicate patient '${patient}' (first on line ${firstLine[patient]})".toString()
            } else if (patient) {
                firstLine[patient] = lineNo
            }
            errors.addAll(rowErrors)
            if (!rowErrors) rows << row
        }
        if (firstLine.isEmpty() && errors.size() == errorsBefore) {
            errors << "${name}: no patients (only a header line)".toString()
        }
        errors.addAll(checkPedigrees(parsed, name))
        if (errors.size() > errorsBefore) return []
        return toPatients(rows, base)
    }

    static List<String> checkRow(Map<String, String> row, String where, Path base) {
        List<String> errs = []
        String patient = row.patient ?: ''
        if (!patient) errs << "${where}, column 'patient': empty".toString()
        else if (!safeId(patient)) errs << "${where}, column 'patient': ${unsafeIdMessage(patient)}".toString()
        ['sample', 'family_id', 'paternal_id', 'maternal_id'].each { String col ->
            String v = row[col] ?: ''
            if (v && v != '0' && !safeId(v)) errs << "${where}, column '${col}': ${unsafeIdMessage(v)}".toString()
        }
        String vcf = row.vcf ?: ''
        if (!vcf) {
            if (!row.family_id) {
                errs << "${where}, column 'vcf': empty (only relatives listed for a pedigree, with a family_id, may have no VCF)".toString()
            }
        } else {
            errs.addAll(checkFile(vcf, 'vcf', where, base))
        }
        String index = row.index ?: ''
        if (index) {
            if (!vcf) errs << "${where}, column 'index': given without a vcf".toString()
            else errs.addAll(checkFile(index, 'index', where, base))
        }
        String sex = (row.sex ?: '').toLowerCase()
        if (!SEX.containsKey(sex)) {
            errs << "${where}, column 'sex': '${row.sex}' is not male, female or unknown (PED: 1, 2, 0)".toString()
        }
        String phen = (row.phenotype ?: '').toLowerCase()
        if (!PHENOTYPE.containsKey(phen)) {
            errs << "${where}, column 'phenotype': '${row.phenotype}' is not 2/affected, 1/unaffected or 0/-9/unknown".toString()
        }
        splitHpo(row.hpo_terms ?: '').each { String term ->
            if (!(term ==~ HPO_ID)) {
                errs << "${where}, column 'hpo_terms': '${term}' is not an HPO term ID (HP: and 7 digits, e.g. HP:0001250)".toString()
            }
        }
        ['paternal_id', 'maternal_id'].each { String col ->
            if (row[col] && row[col] == patient) errs << "${where}, column '${col}': a patient cannot be their own parent".toString()
            if (row[col] && row[col] != '0' && !row.family_id) {
                errs << "${where}, column '${col}': parents need a family_id shared with them".toString()
            }
        }
        return errs
    }

    static List<String> splitHpo(String value) {
        return value.split(/[;|\s,]+/).findAll { it }.collect { it.trim() }
    }

    static List<String> checkFile(String value, String col, String where, Path base) {
        if (isRemote(value)) return []
        Path p = resolve(value, base)
        if (!Files.exists(p)) return ["${where}, column '${col}': file not found: ${p}".toString()]
        if (Files.isDirectory(p)) return ["${where}, column '${col}': is a folder, not a file: ${p}".toString()]
        if (!Files.isReadable(p)) return ["${where}, column '${col}': file not readable: ${p}".toString()]
        return []
    }

    /** Parents must be in the same family in the sheet, fathers not female, mothers not male. */
    static List<String> checkPedigrees(List<Map> rows, String name) {
        List<String> errs = []
        Map<String, Map> byId = [:]
        rows.each { if (it.patient && !byId.containsKey(it.patient)) byId[it.patient] = it }
        rows.each { Map row ->
            [['paternal_id', 'female', 'father'], ['maternal_id', 'male', 'mother']].each { col, wrongSex, role ->
                String parent = row[col]
                if (!parent || parent == '0') return
                Map p = byId[parent]
                String where = "${name} line ${row.__line}, column '${col}'"
                if (p == null) {
                    errs << "${where}: ${role} '${parent}' is not a patient row of the samplesheet".toString()
                } else if (p.family_id != row.family_id) {
                    errs << "${where}: ${role} '${parent}' is in family '${p.family_id}', not '${row.family_id}'".toString()
                } else if (SEX[(p.sex ?: '').toLowerCase()] == wrongSex) {
                    errs << "${where}: ${role} '${parent}' has sex ${wrongSex} on line ${p.__line}".toString()
                }
            }
        }
        return errs
    }

    static String pedSex(String sex) {
        return [male: '1', female: '2'].get(SEX[(sex ?: '').toLowerCase()], '0')
    }

    static List<Patient> toPatients(List<Map> rows, Path base) {
        Map<String, List<Map>> families = rows.findAll { it.family_id }.groupBy { it.family_id }
        return rows.findAll { it.vcf }.collect { Map row ->
            List<Map> family = row.family_id ? families[row.family_id] : [row]
            String ped = family.size() > 1 ? family.collect { Map r ->
                [r.family_id, r.patient, r.paternal_id ?: '0', r.maternal_id ?: '0', pedSex(r.sex),
                 PHENOTYPE[(r.phenotype ?: '').toLowerCase()]].join('\t')
            }.join('\n') + '\n' : null
            Map meta = [
                id         : row.patient,
                // The VCF sample to analyse: the sheet's `sample`, else the patient ID when the
                // VCF holds the family (several samples); ingest picks a lone sample itself.
                sample     : row.sample ?: (ped ? row.patient : null),
                sex        : SEX[(row.sex ?: '').toLowerCase()],
                hpo        : splitHpo(row.hpo_terms ?: ''),
                hpo_excluded: [],
                family_id  : row.family_id ?: null,
                paternal_id: (row.paternal_id && row.paternal_id != '0') ? row.paternal_id : null,
                maternal_id: (row.maternal_id && row.maternal_id != '0') ? row.maternal_id : null,
                phenotype  : PHENOTYPE[(row.phenotype ?: '').toLowerCase()],
                source     : 'samplesheet',
            ]
            new Patient(meta: meta, vcf: location(row.vcf, base),
                index: row.index ? location(row.index, base) : null, ped: ped)
        }
    }

    // ------------------------------------------------------------------ phenopacket

    static final Map<String, String> PP_SEX = [MALE: 'male', FEMALE: 'female', UNKNOWN_SEX: 'unknown', OTHER_SEX: 'unknown']
    static final Set<String> VCF_FORMATS = ['vcf', 'bcf', 'gvcf'] as Set

    /** Read one Phenopacket v2 (JSON) as one patient; JSON paths name each problem. */
    static List<Patient> readPhenopacket(Path json, String genome, List<String> errors) {
        String name = json.toString()
        if (!Files.isRegularFile(json)) {
            errors << "${name}: phenopacket not found".toString()
            return []
        }
        Map pp
        try {
            def parsed = new JsonSlurper().parse(json.toFile())
            if (!(parsed instanceof Map)) throw new JsonException('top level is not an object')
            pp = (Map) parsed
        } catch (JsonException e) {
            errors << "${name}: not valid JSON: ${e.message.readLines().first()}".toString()
            return []
        }
        int before = errors.size()
        if (pp.containsKey('proband') || pp.containsKey('pedigree')) {
            errors << "${name}: this is a Phenopacket Family message; pass the proband's own Phenopacket (or use --input with a samplesheet for families)".toString()
            return []
        }
        Map subject = pp.subject instanceof Map ? (Map) pp.subject : null
        String id = subject?.id?.toString()
        if (!subject) errors << "${name}: subject: missing (Phenopacket v2 needs subject.id)".toString()
        else if (!id) errors << "${name}: subject.id: missing".toString()
        else if (!safeId(id)) errors << "${name}: subject.id: ${unsafeIdMessage(id)}".toString()
        String sexValue = subject?.sex?.toString() ?: 'UNKNOWN_SEX'
        if (!PP_SEX.containsKey(sexValue)) {
            errors << "${name}: subject.sex: '${sexValue}' is not MALE, FEMALE, OTHER_SEX or UNKNOWN_SEX".toString()
        }

        List<String> hpo = []
        List<String> excluded = []
        (pp.phenotypicFeatures ?: []).eachWithIndex { feature, int i ->
            String term = feature instanceof Map ? feature?.type?.id?.toString() : null
            String where = "${name}: phenotypicFeatures[${i}].type.id"
            if (!term) errors << "${where}: missing".toString()
            else if (!(term ==~ HPO_ID)) errors << "${where}: '${term}' is not an HPO term ID (HP: and 7 digits)".toString()
            else if (feature.excluded == true) excluded << term
            else hpo << term
        }

        Path base = json.toAbsolutePath().parent
        List<Map> vcfs = []
        List<Map> indexes = []
        (pp.files ?: []).eachWithIndex { f, int i ->
            if (!(f instanceof Map)) return
            String uri = f.uri?.toString()
            String fmt = (f.fileAttributes?.fileFormat ?: '').toString().toLowerCase()
            String where = "${name}: files[${i}]"
            if (!uri) { errors << "${where}.uri: missing".toString(); return }
            boolean looksVcf = fmt in VCF_FORMATS || (!fmt && uri ==~ /(?i).*\.(vcf|bcf)(\.b?gz)?$/)
            boolean looksIndex = fmt in ['tbi', 'csi'] || (!fmt && uri ==~ /(?i).*\.(tbi|csi)$/)
            if (looksVcf) vcfs << [i: i, f: f, uri: uri]
            else if (looksIndex) indexes << [i: i, uri: uri]
        }
        if (vcfs.isEmpty()) {
            errors << "${name}: files: no VCF/BCF entry (fileAttributes.fileFormat 'vcf' or a .vcf/.vcf.gz/.bcf uri)".toString()
        } else if (vcfs.size() > 1) {
            errors << "${name}: files: ${vcfs.size()} VCF entries (files[${vcfs*.i.join('], files[')}]); varrank takes one VCF per patient".toString()
        }
        String sample = null
        String vcfPath = null
        String indexPath = null
        if (vcfs.size() == 1) {
            Map entry = vcfs[0]
            String where = "${name}: files[${entry.i}]"
            errors.addAll(checkFile(entry.uri, 'uri', where, base).collect { it.replace(", column 'uri'", '.uri') })
            vcfPath = location(entry.uri, base)
            Map ids = entry.f.individualToFileIdentifiers instanceof Map ? entry.f.individualToFileIdentifiers : [:]
            if (id && ids.containsKey(id)) {
                sample = ids[id]?.toString()
                if (!safeId(sample)) errors << "${where}.individualToFileIdentifiers.${id}: ${unsafeIdMessage(sample)}".toString()
            }
            String assembly = (entry.f.fileAttributes?.genomeAssembly ?: '').toString()
            String build = VarrankContract.canonicalBuild(assembly)
            if (build && genome && build != genome) {
                errors << "${where}.fileAttributes.genomeAssembly: '${assembly}' but --genome is ${genome}".toString()
            }
            if (indexes.size() == 1) {
                errors.addAll(checkFile(indexes[0].uri, 'uri', "${name}: files[${indexes[0].i}]", base).collect { it.replace(", column 'uri'", '.uri') })
                indexPath = location(indexes[0].uri, base)
            }
        }
        if (errors.size() > before) return []
        Map meta = [
            id: id, sample: sample, sex: PP_SEX[sexValue], hpo: hpo, hpo_excluded: excluded,
            family_id: null, paternal_id: null, maternal_id: null, phenotype: '2', source: 'phenopacket',
        ]
        return [new Patient(meta: meta, vcf: vcfPath, index: indexPath, ped: null)]
    }
}
