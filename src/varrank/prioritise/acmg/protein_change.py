"""PS1 and PM5: the patient's missense change against ClinVar P/LP changes at the residue.

Richards 2015: PS1 "same amino acid change as a previously established pathogenic variant
regardless of nucleotide change"; PM5 "novel missense change at an amino acid residue where
a different missense change determined to be pathogenic has been seen before". Only
assertions with >= ``clinvar_min_stars_protein`` stars count as "established". Walker 2023
adds that PS1 needs the splicing prediction to be no worse than the reference variant's; the
index holds no SpliceAI for ClinVar variants, so a patient variant with SpliceAI >= 0.2 gets
PS1 withheld with that reason rather than applied blindly.
"""

from __future__ import annotations

from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Evidence, Row, met, not_evaluated, not_met
from varrank.prioritise.acmg.protein_index import parse_missense


def _inputs(row: Row, ctx: RuleContext, code: str):
    if ctx.protein_index is None:
        return None, not_evaluated(code, "no ClinVar protein-change index given "
                                         "(--clinvar-protein)")
    if not row.has_column("hgvs_p") or not row.has_column("consequence"):
        return None, not_evaluated(code, "no protein annotation (ANNOTATE not run)")
    if "missense_variant" not in row.consequences():
        return None, not_met(code, "not a missense variant")
    change = parse_missense(row.get("hgvs_p"))
    gene = row.get("gene_symbol")
    if gene:
        gene = ctx.protein_index.gene_of(gene, row.get("gene_ncbi_id"))
    if change is None or not gene:
        return None, not_evaluated(code, f"missense without a parsable HGVS p. "
                                         f"({row.get('hgvs_p')!r})")
    return (gene, change, _established(ctx, gene, change.residue, row.key)), None


def _established(ctx: RuleContext, gene: str, residue: int, own_key: str):
    floor = ctx.thresholds.clinvar_min_stars_protein
    return [a for a in ctx.protein_index.at_residue(gene, residue)
            if a.stars >= floor and a.variant_key != own_key]


def ps1(row: Row, ctx: RuleContext) -> Evidence:
    found, early = _inputs(row, ctx, "PS1")
    if early:
        return early
    gene, change, established = found
    same = [a for a in established if a.change.alt == change.alt]
    if not same:
        return not_met("PS1", f"no established P/LP {gene} p.{change.ref}{change.residue}"
                              f"{change.alt} with a different nucleotide change")
    spliceai = row.get("spliceai_max")
    if spliceai is not None and spliceai >= ctx.thresholds.spliceai_pp3:
        return not_met("PS1", f"same change as {same[0].hgvs_p} but SpliceAI {spliceai:.2f} "
                              "predicts a splice effect the reference may lack (Walker 2023)")
    ref = same[0]
    return met("PS1", f"same amino-acid change as ClinVar {ref.significance} {ref.hgvs_p} "
                      f"({ref.stars} stars, VariationID {ref.variation_id})")


def pm5(row: Row, ctx: RuleContext) -> Evidence:
    found, early = _inputs(row, ctx, "PM5")
    if early:
        return early
    gene, change, established = found
    other = [a for a in established if a.change.alt != change.alt and a.change.ref == change.ref]
    if not other:
        return not_met("PM5", f"no other established P/LP missense at {gene} residue "
                              f"{change.residue}")
    ref = other[0]
    return met("PM5", f"different change at the same residue is ClinVar {ref.significance} "
                      f"{ref.hgvs_p} ({ref.stars} stars)")
