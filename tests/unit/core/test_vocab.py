"""core.vocab: members are the strings the table, ledgers and report.json carry."""

import json

import pyarrow as pa

from varrank.core.vocab import (CARRIER_ZYGOSITIES, AcmgClass, EvidenceStatus, ScoreStatus,
                                Stage, Zygosity)


def test_members_are_their_strings_everywhere():
    assert Zygosity.HET == "het" and f"{Zygosity.HOM_ALT}" == "hom_alt"
    assert str(AcmgClass.UNCERTAIN) == "Uncertain significance"
    assert json.dumps({EvidenceStatus.MET: [Zygosity.HEMI]}) == '{"met": ["hemi"]}'
    assert pa.array([Zygosity.NO_CALL, None]).to_pylist() == ["no_call", None]
    assert {"het": 1}[Zygosity.HET] == 1


def test_score_status_skip_reason_form():
    assert ScoreStatus.skipped("n_context") == "skipped:n_context"


def test_carriers_and_stage_order():
    assert CARRIER_ZYGOSITIES == {"het", "hom_alt", "hemi"}
    assert [s.value for s in Stage] == ["ingest", "annotate", "score", "prioritise", "report"]
