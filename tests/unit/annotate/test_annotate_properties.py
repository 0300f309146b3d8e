"""Property: however a source writes an indel in a repeat, it meets the patient's left-aligned form.

Homopolymer runs are read from the real GRCh38 BRCA1 slice; Hypothesis picks a run, an indel
type and a (possibly right-shifted) position, writes that one record as a frequency source,
and the bundle must hold it at the run's left edge, as INGEST (bcftools norm) writes it.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pysam
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate_helpers import SLICE38, SLICE38_START
from varrank.annotate.bundle import open_bundle
from varrank.annotate.bundle_build import BuildRequest, build_bundle
from varrank.annotate.lookup import lookup
from varrank.annotate.sources import SourceSpec

HEADER = ("##fileformat=VCFv4.2\n##contig=<ID=chr17,length=83257441>\n"
          '##INFO=<ID=AF,Number=A,Type=Float,Description="AF">\n'
          "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
REGION = (43044000, 43064000)  # BRCA1 3' half on GRCh38


def _runs(shared) -> tuple[str, list[tuple[int, int]]]:
    with pysam.FastaFile(str(shared / SLICE38)) as fa:
        seq = fa.fetch(fa.references[0], REGION[0] - SLICE38_START,
                       REGION[1] - SLICE38_START).upper()
    runs = [(m.start() + REGION[0], m.end() - 1 + REGION[0])
            for m in re.finditer(r"A{4,}|C{4,}|G{4,}|T{4,}", seq)]
    return seq, [r for r in runs if r[0] > REGION[0] + 1]


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_indels_in_repeats_are_stored_left_aligned(shared_data, chr17_grch38, tmp_path_factory, data):
    seq, runs = _runs(shared_data)

    def base(pos: int) -> str:
        return seq[pos - REGION[0]]

    first, last = data.draw(st.sampled_from(runs))
    unit = base(first)
    deletion = data.draw(st.booleans())
    if deletion:
        anchor = data.draw(st.integers(first - 1, last - 1))
        ref, alt = base(anchor) + unit, base(anchor)
    else:
        anchor = data.draw(st.integers(first - 1, last))
        ref, alt = base(anchor), base(anchor) + unit
    tmp = tmp_path_factory.mktemp("prop")
    src = tmp / "source.vcf"
    src.write_text(HEADER + f"chr17\t{anchor}\t.\t{ref}\t{alt}\t.\tPASS\tAF=0.25\n")
    bundle = build_bundle(BuildRequest(out=tmp / "b", genome="GRCh38", fasta=chr17_grch38,
                                       sources=[SourceSpec("popfreq", "src", [src], "t")]))
    left = first - 1
    expected = (base(left) + unit, base(left)) if deletion else (base(left), base(left) + unit)
    keys = pa.table({"chrom": ["chr17"], "pos": [left], "ref": [expected[0]], "alt": [expected[1]]})
    cols, matches = lookup(open_bundle(bundle, "GRCh38"), keys)
    assert matches == {"src": 1}, (anchor, ref, alt, first, last)
    assert cols["max_pop_af"].to_pylist() == [0.25]
