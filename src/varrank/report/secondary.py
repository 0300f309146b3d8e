"""Secondary findings: (likely) pathogenic variants in the ACMG SF v3.2 genes.

Gene list: Miller et al. 2023, "ACMG SF v3.2 list for reporting of secondary findings in
clinical exome and genome sequencing", Genet Med 25(8):100866 (81 genes). The ACMG
updates the list yearly; replace this tuple, its version string and the test together.
Gene-specific rules of the list (HFE p.C282Y homozygotes only, TTN truncating variants only,
biallelic-only genes such as MUTYH/ATP7B/BTD/GAA/RPE65) are not applied here; the report
says so in its limitations and a clinical scientist reviews every secondary finding.
Reported only when the patient opted in (``--secondary-findings``), per ACMG (Miller 2021)
and ESHG (van El et al. 2013, EJHG 21:580) recommendations.
"""

from __future__ import annotations

from typing import Any

from varrank.report.findings import is_acmg_plp, is_clinvar_plp

SF_LIST_VERSION = "ACMG SF v3.2 (Miller et al. 2023, Genet Med 25:100866)"

SF_GENES: dict[str, str] = {
    **dict.fromkeys((
        "APC", "BMPR1A", "BRCA1", "BRCA2", "MAX", "MEN1", "MLH1", "MSH2", "MSH6", "MUTYH",
        "NF2", "PALB2", "PMS2", "PTEN", "RB1", "RET", "SDHAF2", "SDHB", "SDHC", "SDHD",
        "SMAD4", "STK11", "TMEM127", "TP53", "TSC1", "TSC2", "VHL", "WT1"), "cancer"),
    **dict.fromkeys((
        "ACTA2", "ACTC1", "APOB", "BAG3", "CALM1", "CALM2", "CALM3", "CASQ2", "COL3A1", "DES",
        "DSC2", "DSG2", "DSP", "FBN1", "FLNC", "KCNH2", "KCNQ1", "LDLR", "LMNA", "MYBPC3",
        "MYH11", "MYH7", "MYL2", "MYL3", "PCSK9", "PKP2", "PRKAG2", "RBM20", "RYR2", "SCN5A",
        "SMAD3", "TGFBR1", "TGFBR2", "TMEM43", "TNNC1", "TNNI3", "TNNT2", "TPM1", "TRDN",
        "TTN"), "cardiovascular"),
    **dict.fromkeys(("BTD", "GAA", "GLA", "OTC"), "inborn error of metabolism"),
    **dict.fromkeys((
        "ACVRL1", "ENG", "ATP7B", "CACNA1S", "HFE", "HNF1A", "RPE65", "RYR1", "TTR"),
        "miscellaneous"),
}


def is_secondary_candidate(row: dict[str, Any]) -> bool:
    """SF gene and classed (likely) pathogenic by ACMG/AMP here or by ClinVar."""
    gene = row.get("gene_symbol")
    if not gene or gene not in SF_GENES:
        return False
    return is_acmg_plp(row.get("acmg_class")) or is_clinvar_plp(row.get("clinvar_significance"))
