"""PVS1: null variant in a gene where loss of function is a known disease mechanism.

Follows the ClinGen SVI decision tree (Abou Tayoun et al., Hum Mutat 2018;39:1517) as far as
a variant table allows, and says in the reason where the tree had to stop:

1. Is the consequence a null variant? stop_gained / frameshift -> (2); canonical +-1,2
   splice -> (3); start_lost -> (4); transcript_ablation / exon_loss_variant (a whole
   transcript or exon deleted) -> PVS1 without the NMD questions.
2. Nonsense / frameshift: predicted to undergo NMD unless in the last exon or the 3'-most
   50 nt of the penultimate exon. NMD -> PVS1 (Very Strong, assuming the preferred
   transcript, MANE Select/canonical, is biologically relevant). Last exon -> the tree asks
   whether the truncated region is critical and whether > 10% of the protein is removed;
   there are no domain or protein-length data here, so it stops and gives Moderate (the
   lowest branch that still applies). Penultimate exon: the 50-nt rule needs cDNA exon
   coordinates the table does not hold -> Strong (the NMD-uncertain branch).
3. Canonical splice: the tree asks whether exon skipping/retention keeps the frame and
   whether NMD follows; without the spliced-transcript model the tree stops -> Strong.
4. Initiation codon: alternative in-frame starts and upstream pathogenic variants are not
   known here -> Supporting (the branch for "no evidence either way").

Gene mechanism, first answer wins: a curated list (``--lof-genes``, e.g. ClinGen dosage
sensitivity haploinsufficiency score 3 genes, or a lab's list; not shipped offline); then
ClinVar: >= ``lof_min_clinvar_null`` Pathogenic/Likely pathogenic truncating variants in the
gene (from the ``--clinvar-protein`` index), which also covers recessive genes where gnomAD
constraint is low by nature (CFTR); then gnomAD constraint (pLI >= 0.9 or LOEUF < 0.35,
Karczewski 2020) as a proxy for haploinsufficiency. The reason says which one answered.
"""

from __future__ import annotations

from varrank.core.so_terms import (CANONICAL_SPLICE, NULL_CONSEQUENCES, TRUNCATING,
                                   WHOLE_FEATURE_LOSS)
from varrank.core.vocab import EvidenceStrength as S
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Evidence, Row, met, not_evaluated, not_met



def _exon_rank(text: str | None) -> tuple[int, int] | None:
    """'7/12' -> (7, 12); ranges from VEP ('6-7/12') take the last exon touched."""
    if not text or "/" not in str(text):
        return None
    number, total = str(text).split("/", 1)
    try:
        return int(number.split("-")[-1]), int(total)
    except ValueError:
        return None


def gene_mechanism(row: Row, ctx: RuleContext) -> tuple[bool | None, str]:
    """Is LoF a disease mechanism of the gene? (answer or None if unknown, why)."""
    gene = row.get("gene_symbol")
    t = ctx.thresholds
    if ctx.lof_genes is not None and gene:
        if gene in ctx.lof_genes:
            return True, f"{gene} on the curated LoF-mechanism list"
    if ctx.protein_index is not None and gene:
        n = ctx.protein_index.null_count(
            ctx.protein_index.gene_of(gene, row.get("gene_ncbi_id")), t.clinvar_min_stars_protein)
        if n >= t.lof_min_clinvar_null:
            return True, (f"{n} ClinVar P/LP truncating variants in {gene} "
                          f"(>= {t.clinvar_min_stars_protein} star)")
    pli, loeuf = row.get("gene_pli"), row.get("gene_loeuf")
    if pli is None and loeuf is None:
        if ctx.lof_genes is not None:
            return False, f"{gene} not on the curated LoF list and no constraint data"
        return None, "no curated LoF list and no gnomAD constraint for the gene"
    facts = ", ".join(f"{n}={v:.3g}" for n, v in (("pLI", pli), ("LOEUF", loeuf))
                      if v is not None)
    if (pli is not None and pli >= t.lof_pli) or (loeuf is not None and loeuf < t.lof_loeuf):
        return True, f"LoF-intolerant by gnomAD constraint ({facts}; proxy, not curated)"
    return False, f"not LoF-intolerant ({facts})"


def pvs1(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("consequence"):
        return not_evaluated("PVS1", "no consequence annotation (ANNOTATE not run)")
    csq = row.consequences()
    if not csq:
        return not_evaluated("PVS1", "no consequence for this variant")
    hits = csq & NULL_CONSEQUENCES
    if not hits:
        return not_met("PVS1", "not a null variant")
    mechanism, why = gene_mechanism(row, ctx)
    if mechanism is None:
        return not_evaluated("PVS1", f"{'/'.join(sorted(hits))}, but {why}")
    if not mechanism:
        return not_met("PVS1", f"{'/'.join(sorted(hits))}; {why}")
    if hits & TRUNCATING:
        return _truncating(row, hits, why)
    if hits & WHOLE_FEATURE_LOSS:
        return met("PVS1", f"whole transcript or exon deleted; {why}")
    if hits & CANONICAL_SPLICE:
        return met("PVS1", f"canonical splice site; {why}; exon-skipping frame and NMD not "
                           "modelled (tree stops) -> Strong", S.STRONG)
    return met("PVS1", f"initiation codon; {why}; alternative starts not checked -> "
                       "Supporting", S.SUPPORTING)


def _truncating(row: Row, hits: set[str], why: str) -> Evidence:
    what = "/".join(sorted(hits & TRUNCATING))
    exon = _exon_rank(row.get("exon"))
    if exon is None:
        return met("PVS1", f"{what}; {why}; exon position unknown so NMD cannot be "
                           "predicted (tree stops) -> Strong", S.STRONG)
    number, total = exon
    if number >= total:
        return met("PVS1", f"{what} in the last exon ({number}/{total}): NMD not predicted; "
                           "critical region and % protein removed unknown -> Moderate",
                   S.MODERATE)
    if number == total - 1:
        return met("PVS1", f"{what} in the penultimate exon ({number}/{total}): 50-nt rule "
                           "not checkable without exon coordinates -> Strong", S.STRONG)
    return met("PVS1", f"{what} in exon {number}/{total}: NMD predicted; {why}")
