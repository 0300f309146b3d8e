"""Property tests (Hypothesis): the ledger always balances and normalisation is idempotent.

Random mixes of SNVs, indels, multi-allelics, star and symbolic alleles, REF mismatches,
hom-ref and no-call genotypes on the small reference; every run must account for every
record, and ingesting INGEST's own normalised VCF must change nothing.
"""

from __future__ import annotations

import itertools

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest_records import Rec, vcf_text
from varrank.core.ledger import Ledger
from varrank.ingest import run_ingest

KINDS = ("snv", "ins", "del", "multi", "mismatch", "star", "symbolic", "hom_ref", "no_call")
_counter = itertools.count()


@st.composite
def variant_sets(draw):
    positions = sorted(draw(st.sets(st.integers(20, 1900), min_size=1, max_size=25)))
    specs = []
    for pos in positions:
        kind = draw(st.sampled_from(KINDS))
        inserted = draw(st.text("ACGT", min_size=1, max_size=4))
        del_len = draw(st.integers(1, 5))
        specs.append((pos, kind, inserted, del_len))
    return specs


def build(specs, seq):
    records, expected = [], {"good_rows": 0, "split": 0, "ref_mismatch": 0, "star_allele": 0,
                             "symbolic_allele": 0, "proband_hom_ref": 0, "proband_no_call": 0}
    chrom = seq["chr1"]
    for pos, kind, inserted, del_len in specs:
        base = chrom[pos - 1]
        alt = "T" if base != "T" else "G"
        if kind == "snv":
            records.append(Rec("chr1", pos, base, alt))
        elif kind == "ins":
            records.append(Rec("chr1", pos, base, base + inserted, gts=("1/1",)))
        elif kind == "del":
            records.append(Rec("chr1", pos, chrom[pos - 1:pos + del_len], base))
        elif kind == "multi":
            alt2 = next(b for b in "ACGT" if b not in (base, alt))
            records.append(Rec("chr1", pos, base, f"{alt},{alt2}", gts=("1/2",)))
            expected["good_rows"] += 1
            expected["split"] += 1
        elif kind == "mismatch":
            wrong = next(b for b in "ACGT" if b != base)
            records.append(Rec("chr1", pos, wrong, base))
            expected["ref_mismatch"] += 1
            continue
        elif kind == "star":
            records.append(Rec("chr1", pos, base, f"*,{alt}", gts=("1/2",)))
            expected["star_allele"] += 1
            expected["split"] += 1
        elif kind == "symbolic":
            records.append(Rec("chr1", pos, base, "<DUP>"))
            expected["symbolic_allele"] += 1
            continue
        elif kind == "hom_ref":
            records.append(Rec("chr1", pos, base, alt, gts=("0/0",)))
            expected["proband_hom_ref"] += 1
            continue
        elif kind == "no_call":
            records.append(Rec("chr1", pos, base, alt, gts=("./.",)))
            expected["proband_no_call"] += 1
            continue
        expected["good_rows"] += 1
    return records, expected


def run(vcf, fasta, out):
    paths = run_ingest(vcf=vcf, patient="P", out=out, fasta=fasta)
    return paths, pq.read_table(paths.table), Ledger.read(paths.ledger)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=variant_sets())
def test_ledger_balances_and_normalisation_is_idempotent(specs, tmp_path_factory, small_fasta, small_seq):
    records, expected = build(specs, small_seq)
    work = tmp_path_factory.mktemp(f"prop{next(_counter)}")
    vcf = work / "random.vcf"
    vcf.write_text(vcf_text(records).replace(
        "##FORMAT=<ID=GT", '##ALT=<ID=DUP,Description="Duplication">\n##FORMAT=<ID=GT'))

    paths, table, ledger = run(vcf, small_fasta, work / "first")
    assert ledger.balanced
    assert ledger.records_in == len(records)
    assert ledger.records_out == table.num_rows
    assert ledger.added.get("multiallelic_split", 0) == expected["split"]
    for reason in ("ref_mismatch", "star_allele", "symbolic_allele", "proband_hom_ref", "proband_no_call"):
        assert ledger.dropped.get(reason, 0) == expected[reason], reason
    # left-alignment can make two different records the same variant: those are duplicates
    assert table.num_rows + ledger.dropped.get("duplicate_record", 0) == expected["good_rows"]
    keys = table.column("variant_key").to_pylist()
    assert len(keys) == len(set(keys))

    if table.num_rows == 0:
        return
    again_paths, again, again_ledger = run(paths.vcf, small_fasta, work / "second")
    assert again_ledger.records_in == again_ledger.records_out == table.num_rows
    assert not again_ledger.dropped and not any(again_ledger.added.values())
    columns = ["chrom", "pos", "ref", "alt", "variant_key", "gt", "zygosity", "variant_type"]
    assert again.select(columns).equals(table.select(columns))
    assert not any(again.column("left_aligned").to_pylist())
