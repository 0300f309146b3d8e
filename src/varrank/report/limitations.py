"""Limitations and disclaimers printed on every report.

Wording follows the reporting guidance of ACMG/AMP (Richards et al. 2015, Genet Med
17:405, "Standards and guidelines for the interpretation of sequence variants"; Rehm et al.
2013 for NGS reports) and ESHG (Claustres et al. 2014, EJHG 22:160, "Recommendations for
reporting results of diagnostic genetic testing"; Matthijs et al. 2016, EJHG 24:2, NGS
diagnostic guidelines): the scope and the technical limits of the test are stated, a
negative result is not an exclusion, classifications are time-bound, computational
evidence is supporting only, and a qualified professional signs off the report.
"""

from __future__ import annotations


def limitations(stages: set[str], secondary_requested: bool) -> list[dict[str, str]]:
    items = [
        ("Decision support, not a diagnosis",
         "This report is produced automatically by varrank. Evidence codes and classes are "
         "computed suggestions under the ACMG/AMP 2015 framework; each finding must be "
         "reviewed, classified and signed off by a qualified clinical scientist before any "
         "clinical use (ACMG/AMP 2015; ESHG 2014)."),
        ("Scope of the test",
         "Only variants present in the submitted VCF are assessed. Regions without coverage, "
         "structural and copy-number variants, repeat expansions, low-level mosaicism, "
         "mitochondrial heteroplasmy and variants in paralogous or low-complexity regions may be "
         "missed by the upstream calling. A negative result does not exclude a genetic cause."),
        ("Confirmation",
         "Reportable variants should be confirmed by an orthogonal method (for example Sanger "
         "sequencing) according to laboratory policy, and segregation tested where relevant."),
        ("Time-bound interpretation",
         "Classifications reflect the databases and literature of the releases listed under "
         "Methods. They may change as knowledge grows; periodic re-analysis is recommended."),
        ("Population data",
         "Population frequencies (gnomAD) may under-represent the patient's ancestry; absence "
         "from a population database is not proof of pathogenicity."),
        ("Nomenclature",
         "Variants are described following HGVS recommendations on the transcript named in each "
         "finding (MANE Select where available) and the genome build stated in the summary."),
    ]
    if "score" in stages:
        items.append(("In-silico predictions",
                      "SpliceAI and other computational scores are supporting evidence only "
                      "(ACMG/AMP PP3/BP4; ClinGen SVI calibration, Walker et al. 2023) and "
                      "predicted splice effects need RNA or functional confirmation."))
    else:
        items.append(("Splicing not assessed",
                      "The SCORE stage was not run: no splice-effect predictions are included."))
    if "prioritise" not in stages:
        items.append(("No prioritisation",
                      "The PRIORITISE stage was not run: variants are not ranked, no ACMG/AMP "
                      "evidence and no phenotype match are shown."))
    else:
        items.append(("Phenotype match",
                      "The phenotype match depends on the HPO terms supplied; incomplete or "
                      "inaccurate terms lower the rank of the causal gene."))
    if secondary_requested:
        items.append(("Secondary findings",
                      "Secondary findings are limited to (likely) pathogenic variants in the "
                      "ACMG SF v3.2 genes and were sought because the patient consented. "
                      "Gene-specific rules (e.g. HFE p.C282Y homozygotes, TTN truncating "
                      "variants, biallelic-only genes) are not applied automatically. The "
                      "absence of a secondary finding does not mean the absence of risk."))
    else:
        items.append(("Secondary findings not sought",
                      "Secondary (incidental) findings were not analysed for this report."))
    return [{"title": title, "text": text} for title, text in items]
