"""PM4 and BP3: protein length changes.

Richards 2015: PM4 "protein length changes as a result of in-frame deletions/insertions in a
non-repeat region or stop-loss variants"; BP3 "in-frame deletions/insertions in a repetitive
region without a known function". The table has no repeat-region track (RepeatMasker /
UniProt repeats are not in the bundle), so PM4 is applied to in-frame indels and stop-loss
with the caveat in its reason, and BP3 is *not evaluated* rather than silently not met.
"""

from __future__ import annotations

from varrank.core.so_terms import INFRAME, STOP_LOST
from varrank.prioritise.acmg.context import RuleContext
from varrank.prioritise.acmg.evidence import Evidence, Row, met, not_evaluated, not_met

REPEAT_COLUMN = "repeat_region"  # optional bool column: in a repeat / low-complexity region


def pm4(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("consequence"):
        return not_evaluated("PM4", "no consequence annotation (ANNOTATE not run)")
    csq = row.consequences()
    if csq & STOP_LOST:
        return met("PM4", "stop-loss lengthens the protein")
    if not csq & INFRAME:
        return not_met("PM4", "not an in-frame indel or stop-loss")
    in_repeat = row.get(REPEAT_COLUMN)
    if in_repeat:
        return not_met("PM4", "in-frame indel in a repeat region (BP3 territory)")
    caveat = "" if in_repeat is not None else "; repeat region not checked (no repeat track)"
    return met("PM4", f"in-frame length change ({'/'.join(sorted(csq & INFRAME))}){caveat}")


def bp3(row: Row, ctx: RuleContext) -> Evidence:
    if not row.has_column("consequence"):
        return not_evaluated("BP3", "no consequence annotation (ANNOTATE not run)")
    csq = row.consequences()
    if not csq & INFRAME:
        return not_met("BP3", "not an in-frame indel")
    in_repeat = row.get(REPEAT_COLUMN)
    if in_repeat is None:
        return not_evaluated("BP3", "in-frame indel but no repeat-region annotation")
    if in_repeat:
        return met("BP3", "in-frame indel in a repeat region")
    return not_met("BP3", "in-frame indel outside repeat regions")
