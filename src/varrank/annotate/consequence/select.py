"""Choosing the one transcript effect a variant row carries: MANE Select > canonical > most severe.

The order follows VEP's --pick default (MANE Select first, then canonical) and the ACMG/AMP
and ClinGen practice of naming variants on MANE Select transcripts (Morales et al. 2022,
Nature 604:310). Ties inside a tier go to the most severe consequence, then protein-coding
biotype, then the APPRIS principal and CCDS tags and the longest CDS (stand-ins for canonical
when the annotation carries no MANE/canonical tags, as GENCODE releases before v33 do not),
then the transcript ID so the choice is reproducible.
"""

from __future__ import annotations

from varrank.annotate.consequence.effect import TranscriptEffect


def _tier(effect: TranscriptEffect) -> int:
    if effect.is_mane_select:
        return 0
    if effect.is_canonical:
        return 1
    return 2


def preferred(effects: list[TranscriptEffect], models: dict[str, dict] | None = None
              ) -> TranscriptEffect | None:
    """The effect to report on the variant row; None when there is none.

    ``models`` maps transcript ID -> {"tags": str, "cds_length": int} from the gene model.
    """
    if not effects:
        return None
    models = models or {}

    def key(e: TranscriptEffect) -> tuple:
        model = models.get(e.transcript_id or "", {})
        tags = model.get("tags") or ""
        return (_tier(e), e.severity, (e.biotype or "") != "protein_coding",
                "appris_principal" not in tags, "CCDS" not in tags,
                -(model.get("cds_length") or 0), e.transcript_id or "~")

    return min(effects, key=key)
