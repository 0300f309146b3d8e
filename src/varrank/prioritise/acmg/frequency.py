"""Population frequency criteria: BA1, BS1 (benign) and PM2 (pathogenic).

Richards 2015: BA1 AF > 5%; BS1 AF greater than expected for the disorder; PM2 absent from
controls (or extremely low for recessive). Ghosh 2018 (ClinGen SVI): BA1 needs a continental
population with >= 2000 alleles. ClinGen SVI PM2 v1.0 (2020): PM2 at Supporting strength.
Whiffin 2017: a disorder's maximum credible AF is the principled BS1 cut-off
(``thresholds.max_credible_af``). The frequency used is the filtering AF of
:mod:`varrank.core.frequency` (gnomAD grpmax, then global, then the highest other source).
"""

from __future__ import annotations

from varrank.core.frequency import FILTERING_AF_COLUMNS, filtering_af
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Evidence, Row, met, not_evaluated, not_met


def population_af(row: Row) -> tuple[float | None, str | None]:
    """(AF, column it came from): the filtering AF rule of :mod:`varrank.core.frequency`."""
    return filtering_af(row.get)


def _no_frequency_data(row: Row, ctx: RuleContext) -> bool:
    return not ctx.frequency_data or not any(row.has_column(c) for c in FILTERING_AF_COLUMNS)


def _is_recessive(modes: frozenset[str]) -> bool:
    """Every known mode of the gene's diseases is recessive."""
    return bool(modes) and all("recessive" in m for m in modes)


def _is_dominant(modes: frozenset[str]) -> bool:
    """No known mode of the gene's diseases is recessive."""
    return bool(modes) and not any("recessive" in m for m in modes)


def _basis(modes: frozenset[str]) -> str:
    if not modes:
        return "mode unknown"
    if _is_recessive(modes):
        return "recessive"
    return "dominant" if _is_dominant(modes) else "mixed modes"


def ba1(row: Row, ctx: RuleContext) -> Evidence:
    if _no_frequency_data(row, ctx):
        return not_evaluated("BA1", "no population frequency data (ANNOTATE/gnomAD not run)")
    af, source = population_af(row)
    t = ctx.thresholds
    if af is None:
        return not_met("BA1", "absent from population databases")
    an = row.get("gnomad_an")
    if source != "max_pop_af" and an is not None and int(an) < t.ba1_min_an:
        return not_evaluated("BA1", f"{source}={af:.4g} from only {an} alleles (< {t.ba1_min_an})")
    if af > t.ba1_af:
        return met("BA1", f"{source}={af:.4g} > {t.ba1_af}")
    return not_met("BA1", f"{source}={af:.4g} <= {t.ba1_af}")


def bs1(row: Row, ctx: RuleContext) -> Evidence:
    if _no_frequency_data(row, ctx):
        return not_evaluated("BS1", "no population frequency data (ANNOTATE/gnomAD not run)")
    af, source = population_af(row)
    if af is None:
        return not_met("BS1", "absent from population databases")
    t = ctx.thresholds
    if af > t.ba1_af:
        return not_met("BS1", f"{source}={af:.4g}: BA1 applies instead")
    # The lower (dominant) BS1 cut-off only when no disease of the gene is recessive: with
    # mixed or unknown modes the lenient cut-off keeps BS1 from dismissing a recessive allele.
    modes = ctx.modes_for(row.get("gene_symbol"))
    dominant = _is_dominant(modes)
    cutoff = t.bs1_af_dominant if dominant else t.bs1_af
    basis = f"{_basis(modes)}, {'dominant' if dominant else 'recessive'} cut-off"
    if af > cutoff:
        return met("BS1", f"{source}={af:.4g} > {cutoff} ({basis})")
    return not_met("BS1", f"{source}={af:.4g} <= {cutoff} ({basis})")


def pm2(row: Row, ctx: RuleContext) -> Evidence:
    if _no_frequency_data(row, ctx):
        return not_evaluated("PM2", "no population frequency data (ANNOTATE/gnomAD not run)")
    t = ctx.thresholds
    af, source = population_af(row)
    if af is None:
        return met("PM2", "absent from population databases", t.pm2_strength)
    # The lenient (recessive) PM2 cut-off only when every disease of the gene is recessive.
    modes = ctx.modes_for(row.get("gene_symbol"))
    recessive = _is_recessive(modes)
    cutoff = t.pm2_af_recessive if recessive else t.pm2_af_dominant
    basis = f"{_basis(modes)}, {'recessive' if recessive else 'dominant'} cut-off"
    if af <= cutoff:
        return met("PM2", f"{source}={af:.3g} <= {cutoff} ({basis})", t.pm2_strength)
    return not_met("PM2", f"{source}={af:.3g} > {cutoff} ({basis})")
