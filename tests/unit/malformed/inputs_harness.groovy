/*
 * Test harness: lib/VarrankInputs.groovy's readers, one file per stdin line
 * ("samplesheet<TAB>PATH" or "phenopacket<TAB>PATH<TAB>GENOME"), one JSON answer per line:
 * {errors, patients} as main.nf would see them, or {crash} for any exception that would
 * end a `nextflow run` with a stack trace instead of the listed problems.
 */
import groovy.json.JsonOutput
import java.nio.file.Paths
// args: lib/VarrankInputs.groovy, lib/ (its sibling classes, VarrankContract) and the
// stage contract JSON and samplesheet schema that main.nf loads.
def loader = new GroovyClassLoader(this.class.classLoader)
loader.addClasspath(args[1])
loader.loadClass('VarrankContract').load(Paths.get(args[2]))
def cls = loader.parseClass(new File(args[0]))
cls.loadSchema(Paths.get(args[3]))
def reader = new BufferedReader(new InputStreamReader(System.in, 'UTF-8'))
String line
while ((line = reader.readLine()) != null) {
    def parts = line.split('\t')
    def errors = []
    def warnings = []
    def out = [:]
    try {
        def patients = parts[0] == 'samplesheet' ? cls.readSamplesheet(Paths.get(parts[1]), parts.size() > 2 && parts[2] ? parts[2] : null, errors, warnings)
                                                 : cls.readPhenopacket(Paths.get(parts[1]), parts.size() > 2 && parts[2] ? parts[2] : null, errors)
        out = [errors: errors.collect { it.toString() }, warnings: warnings.collect { it.toString() }, patients: patients.collect { [meta: it.meta, vcf: it.vcf, index: it.index, ped: it.ped] }]
    } catch (Throwable t) {
        out = [crash: t.getClass().name + ': ' + t.message]
    }
    println JsonOutput.toJson(out)
    System.out.flush()
}
