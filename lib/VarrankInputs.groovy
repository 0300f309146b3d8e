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
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.InvalidPathException
import java.nio.file.Path
import java.nio.file.Paths

class VarrankInputs {

    /** assets/schema_input.json: the one definition of the samplesheet's columns and cells. */
    static Map inputSchema
    /** nf-core/raredisease's columns, read as varrank's: sample is the patient, case_id the family. */
    static final Map<String, String> RAREDISEASE_COLUMNS = [sample: 'patient', case_id: 'family_id', tbi: 'index']
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

    /** The file's lines, or null (with one error naming the first line that is not UTF-8). */
    static List<String> readUtf8Lines(Path file, List<String> errors) {
        byte[] bytes = Files.readAllBytes(file)
        ByteBuffer buffer = ByteBuffer.wrap(bytes)
        try {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(buffer).toString().readLines()
        } catch (CharacterCodingException e) {
            int line = 1
            for (int i = 0; i < buffer.position() && i < bytes.length; i++) if (bytes[i] == (byte) 10) line++
            errors << "${file} line ${line}: not valid UTF-8 text (save the file as UTF-8)".toString()
            return null
        }
    }

    /** node[key] when node is a JSON object, else null: a Phenopacket may hold any JSON type. */
    static Object field(Object node, String key) {
        return node instanceof Map ? ((Map) node)[key] : null
    }

    static String location(String value, Path base) {
        try {
            return isRemote(value) ? value : resolve(value, base).toString()
        } catch (InvalidPathException e) {
            return value  // reported by checkFile
        }
    }

    static Path resolve(String value, Path base) {
        if (value.startsWith('file://')) value = value.substring('file://'.length())
        Path p = Paths.get(value)
        return p.isAbsolute() ? p : base.resolve(p).normalize()
    }

    static boolean isRemote(String value) {
        return value ==~ /^[A-Za-z][A-Za-z0-9+.-]*:\/\/.*/ && !value.startsWith('file://')
    }

    /** Load the samplesheet schema once, before any sheet is read (main.nf, the tests). */
    static void loadSchema(Path schemaFile) {
        inputSchema = (Map) new JsonSlurper().parse(schemaFile.toFile())
    }

    static Map rowSchema() {
        if (inputSchema == null) throw new IllegalStateException('VarrankInputs.loadSchema was not called')
        return (Map) inputSchema.items
    }

    /**
     * Parse and validate a samplesheet; returns patients, or appends to errors. caseVcf (may be
     * null) gives the VCF of rows without a vcf column, '{case_id}' replaced by the row's family.
     */
    static List<Patient> readSamplesheet(Path sheet, String caseVcf, List<String> errors, List<String> warnings = []) {
        String name = sheet.toString()
        if (!Files.isRegularFile(sheet)) {
            errors << "${name}: samplesheet not found".toString()
            return []
        }
        List<String> lines = readUtf8Lines(sheet, errors)
        if (lines == null) return []
        int headerLine = lines.findIndexOf { it.trim() && !it.trim().startsWith('#') }
        if (headerLine < 0) {
            errors << "${name}: the samplesheet is empty (expected a header line: patient,vcf,...)".toString()
            return []
        }
        List<String> header = splitCsv(lines[headerLine].replaceFirst(/^\uFEFF/, '')).collect { it.toLowerCase() }
        int errorsBefore = errors.size()
        errors.addAll(checkHeader(header, "${name} line ${headerLine + 1}", caseVcf))
        if (errors.size() > errorsBefore) return []

        Path base = sheet.toAbsolutePath().parent
        List<Map> rows = []
        for (int n = headerLine + 1; n < lines.size(); n++) {
            String raw = lines[n]
            if (!raw.trim() || raw.trim().startsWith('#')) continue
            String where = "${name} line ${n + 1}"
            List<String> fields = splitCsv(raw)
            if (fields.size() != header.size()) {
                errors << "${where}: ${fields.size()} fields but the header has ${header.size()} columns".toString()
                continue
            }
            Map<String, String> row = [header, fields].transpose().collectEntries { it }
            List<String> cellErrors = checkCells(row, where, base)
            errors.addAll(cellErrors)
            if (row.type && row.type != 'snv') {
                warnings << "${where}: ${row.type} VCF of '${row.sample ?: row.patient}' skipped (varrank reads small variants: the snv rows)".toString()
                continue
            }
            row = asVarrankRow(row, caseVcf)
            row.__line = (n + 1).toString()
            row.__valid = cellErrors ? '' : 'yes'
            rows << row
        }
        rows = mergeLanes(rows, name, errors)
        if (caseVcf) analyseUnaffectedCases(rows, caseVcf, name, warnings)
        dropParentsOutsideSheet(rows, name, warnings)
        List<Map> valid = checkRows(rows, name, base, errors)
        if (rows.isEmpty() && errors.size() == errorsBefore) {
            errors << "${name}: no patients (only a header line)".toString()
        }
        errors.addAll(checkPedigrees(rows, name))
        if (errors.size() > errorsBefore) return []
        return toPatients(valid, base)
    }

    /** Allowed and required columns from the schema; a VCF column unless --case_vcf gives them. */
    static List<String> checkHeader(List<String> header, String where, String caseVcf) {
        List<String> errs = []
        Map items = rowSchema()
        header.eachWithIndex { String col, int i ->
            if (!VarrankJsonSchema.allowsColumn(items, col)) {
                errs << ("${where}, column ${i + 1}: unknown column '${col}' " +
                    "(allowed: ${((Map) items.properties).keySet().join(', ')})").toString()
            } else if (header.indexOf(col) != i) {
                errs << "${where}, column ${i + 1}: column '${col}' appears twice".toString()
            }
        }
        List<List<String>> sets = VarrankJsonSchema.requiredSets(items)
        if (!sets.any { header.containsAll(it) }) {
            String missing = sets.collect { set -> set.findAll { !(it in header) }.join("' and '") }.join("' (or nf-core/raredisease's '")
            errs << "${where}: missing required column '${missing}'${sets.size() > 1 ? ')' : ''}".toString()
        } else if (!('vcf' in header) && ('patient' in header || !caseVcf)) {
            errs << ("${where}: missing required column 'vcf' (an nf-core/raredisease sheet, with " +
                "sample and case_id, may instead take --case_vcf, e.g. 'calls/{case_id}.vcf.gz')").toString()
        }
        return errs
    }

    /** Every non-empty cell against its column's schema; files resolved against the sheet. */
    static List<String> checkCells(Map<String, String> row, String where, Path base) {
        List<String> errs = []
        Map properties = (Map) rowSchema().properties
        row.each { String col, String value ->
            Map property = (Map) properties[col]
            if (!value || property == null) return
            String problem = VarrankJsonSchema.problem(value, property)
            if (problem) {
                errs << "${where}, column '${col}': '${value}' ${problem}".toString()
            } else if (property.format == 'file-path' && property.exists == true) {
                errs.addAll(checkFile(value, col, where, base))
            }
        }
        return errs
    }

    /** A raredisease row in varrank's columns: its VCF from --case_vcf; only the affected are analysed. */
    static Map<String, String> asVarrankRow(Map<String, String> row, String caseVcf) {
        if (row.containsKey('patient')) {
            return row
        }
        Map<String, String> out = [:]
        row.each { String col, String value -> out[RAREDISEASE_COLUMNS.get(col, col)] = value }
        out.sample = row.sample
        if (!row.containsKey('vcf')) {
            boolean affected = PHENOTYPE[(row.phenotype ?: '').toLowerCase()] == '2'
            out.vcf = affected ? caseVcfPath(caseVcf, row.case_id ?: '') : ''
            out.__case_vcf = affected ? 'yes' : ''
        }
        out.__raredisease = 'yes'
        return out
    }

    /** --case_vcf for one case: relative to the launch folder (a parameter, not a sheet cell). */
    static String caseVcfPath(String caseVcf, String caseId) {
        String value = caseVcf.replace('{case_id}', caseId)
        return isRemote(value) ? value : Paths.get(value.replaceFirst(/^file:\/\//, '')).toAbsolutePath().normalize().toString()
    }

    /**
     * A case without an affected sample: analyse each of its samples, with a note. Only rows
     * whose VCF --case_vcf gives (asVarrankRow marks them); a sheet's own vcf column stands.
     */
    static void analyseUnaffectedCases(List<Map> rows, String caseVcf, String name, List<String> warnings) {
        rows.findAll { it.containsKey('__case_vcf') }.groupBy { it.family_id }.each { String caseId, List<Map> members ->
            if (!caseId || members.any { it.__case_vcf }) return
            warnings << ("${name}: case '${caseId}' has no affected sample (phenotype 2): each of its " +
                "${members.size()} sample(s) is analysed").toString()
            members.each { it.vcf = caseVcfPath(caseVcf, caseId); it.__case_vcf = 'yes' }
        }
    }

    /** raredisease names parents that need not be rows of the sheet: unknown parents, with a note. */
    static void dropParentsOutsideSheet(List<Map> rows, String name, List<String> warnings) {
        Set<String> ids = rows.findAll { it.patient }.collect { it.patient } as Set
        rows.findAll { it.__raredisease }.each { Map row ->
            ['paternal_id', 'maternal_id'].each { String col ->
                if (row[col] && row[col] != '0' && !(row[col] in ids)) {
                    warnings << ("${name} line ${row.__line}, column '${col}': '${row[col]}' is not a sample of " +
                        "the sheet; read as unknown (0)").toString()
                    row[col] = '0'
                }
            }
        }
    }

    /** raredisease lists a sample once per lane: one row per sample when the lanes agree. */
    static List<Map> mergeLanes(List<Map> rows, String name, List<String> errors) {
        List<Map> merged = []
        Map<String, Map> seen = [:]
        List<String> keys = ['family_id', 'sex', 'phenotype', 'paternal_id', 'maternal_id', 'vcf']
        rows.each { Map row ->
            Map first = row.__raredisease ? seen[row.patient] : null
            if (first == null) {
                if (row.__raredisease && row.patient) seen[row.patient] = row
                merged << row
                return
            }
            String differs = keys.find { (first[it] ?: '') != (row[it] ?: '') }
            if (differs) {
                errors << ("${name} line ${row.__line}, column '${differs}': sample '${row.patient}' has " +
                    "'${row[differs] ?: ''}' here but '${first[differs] ?: ''}' on line ${first.__line}").toString()
            }
        }
        return merged
    }

    /** Rules across cells and rows that a schema cannot state; returns the rows without problems. */
    static List<Map> checkRows(List<Map> rows, String name, Path base, List<String> errors) {
        List<Map> valid = []
        Map<String, String> firstLine = [:]
        rows.each { Map row ->
            String where = "${name} line ${row.__line}"
            List<String> rowErrors = checkRow(row, where)
            if (row.__case_vcf && row.vcf && row.family_id) {
                rowErrors.addAll(checkFile(row.vcf, 'vcf', where, base).collect {
                    it.replace(", column 'vcf'", " (--case_vcf for case '${row.family_id}')")
                })
            }
            String patient = row.patient
            if (patient && firstLine.containsKey(patient)) {
                rowErrors << "${where}, column 'patient': duplicate patient '${patient}' (first on line ${firstLine[patient]})".toString()
            } else if (patient) {
                firstLine[patient] = row.__line
            }
            errors.addAll(rowErrors)
            if (!rowErrors && row.__valid) valid << row
        }
        return valid
    }

    static List<String> checkRow(Map<String, String> row, String where) {
        List<String> errs = []
        String patient = row.patient ?: ''
        if (!patient) errs << "${where}, column '${row.__raredisease ? 'sample' : 'patient'}': empty".toString()
        if (row.__raredisease && !row.family_id) errs << "${where}, column 'case_id': empty".toString()
        if (!row.vcf && !row.family_id) {
            errs << "${where}, column 'vcf': empty (only relatives listed for a pedigree, with a family_id, may have no VCF)".toString()
        }
        if (row.index && !row.vcf) errs << "${where}, column 'index': given without a vcf".toString()
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
        Path p
        try {
            p = resolve(value, base)
        } catch (InvalidPathException e) {
            return ["${where}, column '${col}': not a valid file path: ${e.reason}".toString()]
        }
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
                hpo_excluded: splitHpo(row.hpo_excluded ?: ''),
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
        } catch (JsonException | StackOverflowError e) {
            String why = e instanceof JsonException ? e.message.readLines().first() : 'nested too deeply'
            errors << "${name}: not valid JSON: ${why}".toString()
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
        String sexValue = field(subject, 'sex')?.toString() ?: 'UNKNOWN_SEX'
        if (!PP_SEX.containsKey(sexValue)) {
            errors << "${name}: subject.sex: '${sexValue}' is not MALE, FEMALE, OTHER_SEX or UNKNOWN_SEX".toString()
        }

        List<String> hpo = []
        List<String> excluded = []
        Object features = pp.phenotypicFeatures ?: []
        if (!(features instanceof List)) {
            errors << "${name}: phenotypicFeatures: not a list".toString()
            features = []
        }
        features.eachWithIndex { feature, int i ->
            String term = field(field(feature, 'type'), 'id')?.toString()
            String where = "${name}: phenotypicFeatures[${i}].type.id"
            if (!term) errors << "${where}: missing".toString()
            else if (!(term ==~ HPO_ID)) errors << "${where}: '${term}' is not an HPO term ID (HP: and 7 digits)".toString()
            else if (field(feature, 'excluded') == true) excluded << term
            else hpo << term
        }

        Path base = json.toAbsolutePath().parent
        List<Map> vcfs = []
        List<Map> indexes = []
        Object fileList = pp.files ?: []
        if (!(fileList instanceof List)) {
            errors << "${name}: files: not a list".toString()
            fileList = []
        }
        fileList.eachWithIndex { f, int i ->
            if (!(f instanceof Map)) return
            String uri = f.uri?.toString()
            String fmt = (field(f.fileAttributes, 'fileFormat') ?: '').toString().toLowerCase()
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
            String assembly = (field(entry.f.fileAttributes, 'genomeAssembly') ?: '').toString()
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
