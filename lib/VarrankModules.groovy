/*
 * Helpers the modules share, so each convention has one home.
 *
 * ext.prefix: the stage commands name their files after the patient ID (the stage contract's
 * `{patient}.<stage>.<ext>` templates); a module whose ext.prefix differs renames them after
 * the command, so the contract and `varrank run` keep one naming rule and a prefix is a
 * pipeline setting only.
 */
class VarrankModules {

    /** Shell lines renaming `<id>.*` to `<prefix>.*` in the task folder; '' when they agree. */
    static String renameOutputs(String id, String prefix) {
        if (prefix == id) return ''
        if (!VarrankContract.safeId(prefix)) {
            throw new IllegalArgumentException("ext.prefix '${prefix}' is not a safe file name prefix " +
                "(letters, digits, '.', '_' and '-'; set it in conf/modules.config)")
        }
        // Staged inputs are symbolic links and keep their names; only what the stage wrote moves.
        return "for f in '${id}'.*; do [ -L \"\$f\" ] || mv -- \"\$f\" '${prefix}'\"\${f#'${id}'}\"; done"
    }
}
